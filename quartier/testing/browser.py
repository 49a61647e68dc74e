"""Browser-test fixtures: Debian's chromium driven by Playwright, axe-core for WCAG checks.

No download at test time: chromium comes from Debian, axe-core is shipped beside this file.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

AXE_JS = Path(__file__).parent / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("chromium is not installed; `make test` installs Debian's package")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def places_loaded(transactional_db):
    """Transactional tests start from an empty database: import the places again."""
    from quartier.places.models import Place
    from quartier.places.services import default_import_files, import_places

    if not Place.objects.exists():
        import_places(default_import_files())


@pytest.fixture
def page(browser, live_server, places_loaded, settings):
    # Pages are tested in German, the default language, unless a test switches.
    context = browser.new_context(
        base_url=live_server.url, locale="de-DE", bypass_csp=True,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def sign_in(page, live_server):
    """Put a signed-in session into the browser (signing in itself has its own test)."""
    from django.test import Client

    def sign_in(user) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])

    return sign_in


def check_axe(page, *, exclude: list[str] | None = None) -> None:
    """Run axe-core on the page; fail with a readable list of WCAG 2.1 AA violations."""
    # A click on a link returns once the new page is committed, before its document is
    # parsed: check the page a person sees, not the half-built one.
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE_JS))
    context = {"exclude": [[selector] for selector in (exclude or [])]} if exclude else None
    result = page.evaluate(
        """([context, tags]) => axe.run(context || document,
             {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [context, AXE_TAGS],
    )
    violations = result["violations"]
    if violations:
        lines = [f"{page.url}:"]
        for v in violations:
            targets = [", ".join(map(str, n["target"])) for n in v["nodes"][:5]]
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} → {targets}")
        pytest.fail("\n".join(lines), pytrace=False)


def json_of(page, selector: str):
    return json.loads(page.locator(selector).text_content())
