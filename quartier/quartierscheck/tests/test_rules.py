"""Who may start a recomputation, see the gap list, and see the check of a draft quarter:
every role, allowed or not, by permission and by page."""

import pytest

from quartier.quartierscheck import services
from quartier.quartierscheck.models import CheckRun
from quartier.quartierscheck.tests.conftest import signed_in
from quartier.quartierscheck.tests.support import small_world

# Roles are looked up by name, so pytest-django cannot see that these tests use the
# database; the mark keeps them before the transactional browser tests, which empty it.
pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "resident", "member", "coordinator", "other_coordinator",
    "county_coordinator", "moderator", "juror", "consultant", "staff",
]
# A draft is seen by those who may edit it: staff and the coordinators of its Gemeinde/Kreis.
SEE_DRAFTS = {"staff", "coordinator", "county_coordinator"}


@pytest.fixture
def user(request):
    return request.getfixturevalue(request.node.callspec.params["role"])


@pytest.mark.parametrize("role", ROLES)
def test_only_programme_staff_start_a_recomputation(role, user, client):
    assert user.has_perm("quartierscheck.recompute") is (role == "staff")
    response = signed_in(client, user).post("/quarter-check/recompute/")
    assert response.status_code == (302 if role == "staff" else 403)
    assert CheckRun.objects.exists() is (role == "staff")


@pytest.mark.parametrize("role", ROLES)
def test_only_programme_staff_see_the_gap_list(role, user, client):
    assert user.has_perm("quartierscheck.view_gaps") is (role == "staff")
    for url in ("/quarter-check/gaps/", "/quarter-check/gaps.csv"):
        response = signed_in(client, user).get(url)
        if role == "staff":
            assert response.status_code == 200
        elif role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_the_check_of_a_draft_is_hidden_like_the_draft(role, user, client, draft_quarter,
                                                       tuebingen):
    small_world(tuebingen)
    services.recompute()
    client = signed_in(client, user)
    for suffix in ("check/", "check.csv", "check.pdf"):
        response = client.get(f"/quarters/{draft_quarter.pk}/{suffix}")
        assert response.status_code == (200 if role in SEE_DRAFTS else 404), suffix
    compared = client.get(f"/quarter-check/compare/?q={draft_quarter.pk}")
    assert (draft_quarter.name in compared.content.decode()) is (role in SEE_DRAFTS)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_the_check_of_a_published_quarter(role, user, client, quarter,
                                                        tuebingen):
    small_world(tuebingen)
    services.recompute()
    client = signed_in(client, user)
    for url in (f"/quarters/{quarter.pk}/check/", "/quarter-check/",
                "/quarter-check/map/", "/quarter-check/compare/", "/quarter-check/method/",
                "/quarter-check/status/"):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ROLES)
def test_only_programme_staff_read_why_a_run_failed_or_left_quarters_out(
        role, user, client, quarter, draft_quarter, tuebingen, monkeypatch):
    from quartier.places.models import Quarter

    small_world(tuebingen)
    Quarter.objects.filter(pk=draft_quarter.pk).update(boundary="")
    services.recompute()  # the draft is left out with a warning naming it
    client = signed_in(client, user)
    client.cookies["django_language"] = "en"
    for url in ("/quarter-check/", "/quarter-check/status/"):
        text = client.get(url).content.decode()
        assert ("has no usable boundary" in text) is (role == "staff"), url
    monkeypatch.setattr(services.engine, "reach", lambda *a, **k: 1 / 0)
    with pytest.raises(services.CheckFailed):
        services.recompute()
    for url in ("/quarter-check/", "/quarter-check/status/"):
        text = client.get(url).content.decode()
        assert "failed" in text
        assert ("ZeroDivisionError" in text) is (role == "staff"), url
