import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartier.settings")
application = get_wsgi_application()


def _compile_patterns(resolver) -> None:
    for entry in resolver.url_patterns:
        entry.pattern.regex  # noqa: B018 - compiled on first access, per language
        if hasattr(entry, "url_patterns"):
            _compile_patterns(entry)


def _warm_up() -> None:
    """Do before the first request what a worker's first request would otherwise do (0.6 s
    of CPU): import every view and what it imports, compile the URL patterns and the reverse
    index and load the message catalogue of each language, compile the project's templates.
    Under gunicorn only (the development server would pay it on every reload); with
    `gunicorn --preload` once, in the master, for all workers. No database connection is left
    open to be shared by forked workers."""
    from pathlib import Path

    from django.conf import settings
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver, reverse
    from django.utils import translation

    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("places:home")
            _compile_patterns(resolver)
    root = Path(__file__).resolve().parent
    for folder in root.glob("**/templates"):
        for template in folder.glob("**/*.html"):
            get_template(template.relative_to(folder).as_posix())
    connections.close_all()


if "gunicorn" in sys.modules:
    _warm_up()
