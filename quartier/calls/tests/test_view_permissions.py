"""Every page and action of the calls module, for every role: those who may get in, all
others are refused (sign-in, 403 or 404) and nothing changes."""

import pytest

from quartier.accounts.models import AuditEvent
from quartier.calls.models import Application, Attachment, Call, Conflict, Decision, Review
from quartier.calls.tests.support import make_world

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "resident", "member", "coordinator", "other_coordinator",
    "county_coordinator", "moderator", "juror", "consultant", "staff",
]
EVERYONE = set(ROLES)
APPLICANTS = {"member", "coordinator", "other_coordinator", "county_coordinator"}
SIGNED_IN = EVERYONE - {"anonymous"}

# (name, method, url from the world, roles that get in)
VIEWS = [
    ("list", "get", lambda w: "/calls/", EVERYONE),
    ("open call", "get", lambda w: f"/calls/{w.open_call.pk}/", EVERYONE),
    ("draft call", "get", lambda w: f"/calls/{w.draft_call.pk}/", {"staff"}),
    ("new call", "get", lambda w: "/calls/new/", {"staff"}),
    ("edit call", "get", lambda w: f"/calls/{w.draft_call.pk}/edit/", {"staff"}),
    ("apply", "get", lambda w: f"/calls/{w.open_call.pk}/apply/", APPLICANTS),
    ("apply closed", "get", lambda w: f"/calls/{w.review_call.pk}/apply/", set()),
    ("mine", "get", lambda w: "/calls/mine/", SIGNED_IN),
    ("submitted application", "get",
     lambda w: f"/calls/applications/{w.submitted.pk}/", {"coordinator", "staff"}),
    ("draft application", "get",
     lambda w: f"/calls/applications/{w.draft.pk}/", {"other_coordinator", "staff"}),
    ("reviewed application", "get",
     lambda w: f"/calls/applications/{w.reviewed.pk}/", {"other_coordinator", "staff",
                                                         "juror"}),
    ("edit draft", "get",
     lambda w: f"/calls/applications/{w.draft.pk}/edit/", {"other_coordinator"}),
    ("edit submitted", "get", lambda w: f"/calls/applications/{w.submitted.pk}/edit/", set()),
    ("quarters", "get",
     lambda w: f"/calls/applications/{w.draft.pk}/quarters/?gemeinde=08421000",
     {"other_coordinator"}),
    ("receipt", "get",
     lambda w: f"/calls/applications/{w.submitted.pk}/receipt/", {"coordinator", "staff"}),
    ("attachment", "get",
     lambda w: f"/calls/attachments/{w.attachment.pk}/", {"other_coordinator", "staff"}),
    ("manage", "get", lambda w: f"/calls/{w.open_call.pk}/manage/", {"staff"}),
    ("jury", "get", lambda w: f"/calls/{w.review_call.pk}/jury/", {"staff"}),
    ("ranking", "get", lambda w: f"/calls/{w.review_call.pk}/ranking/", {"staff"}),
    ("allocation", "get", lambda w: f"/calls/{w.decided_call.pk}/allocation/", {"staff"}),
    ("decide", "get", lambda w: f"/calls/{w.review_call.pk}/decide/", {"staff"}),
    ("my reviews", "get", lambda w: "/calls/reviews/", {"juror"}),
    ("review", "get", lambda w: f"/calls/reviews/{w.review.pk}/", {"juror"}),
    ("conflicts", "get", lambda w: f"/calls/{w.review_call.pk}/conflicts/", {"juror"}),
    ("results", "get", lambda w: f"/calls/{w.decided_call.pk}/results/", EVERYONE),
    ("results csv", "get", lambda w: f"/calls/{w.decided_call.pk}/results.csv", EVERYONE),
    ("results geojson", "get",
     lambda w: f"/calls/{w.decided_call.pk}/results.geojson", EVERYONE),
    ("results undecided", "get", lambda w: f"/calls/{w.review_call.pk}/results/", set()),
    ("results csv undecided", "get",
     lambda w: f"/calls/{w.review_call.pk}/results.csv", set()),
    # Actions: refused roles change nothing (checked below).
    ("create call", "post", lambda w: "/calls/new/", {"staff"}),
    ("publish", "post", lambda w: f"/calls/{w.draft_call.pk}/publish/", {"staff"}),
    ("confirm eligible", "post",
     lambda w: f"/calls/{w.open_call.pk}/confirm-eligible/", {"staff"}),
    ("set jury", "post", lambda w: f"/calls/{w.review_call.pk}/jury/", {"staff"}),
    ("assign", "post", lambda w: f"/calls/{w.review_call.pk}/jury/assign/", {"staff"}),
    ("close jury", "post", lambda w: f"/calls/{w.review_call.pk}/jury/close/", {"staff"}),
    ("compute", "post", lambda w: f"/calls/{w.review_call.pk}/allocation/", {"staff"}),
    ("decide post", "post", lambda w: f"/calls/{w.review_call.pk}/decide/", {"staff"}),
    ("eligibility", "post",
     lambda w: f"/calls/applications/{w.submitted.pk}/eligibility/", {"staff"}),
    ("revoke", "post", lambda w: f"/calls/decisions/{w.decisions[0].pk}/revoke/", {"staff"}),
    ("start application", "post", lambda w: f"/calls/{w.open_call.pk}/apply/", APPLICANTS),
    ("save draft", "post",
     lambda w: f"/calls/applications/{w.draft.pk}/edit/", {"other_coordinator"}),
    ("autosave", "post",
     lambda w: f"/calls/applications/{w.draft.pk}/autosave/", {"other_coordinator"}),
    ("autosave submitted", "post",
     lambda w: f"/calls/applications/{w.submitted.pk}/autosave/", set()),
    ("remove attachment", "post",
     lambda w: f"/calls/attachments/{w.attachment.pk}/remove/", {"other_coordinator"}),
    ("score", "post", lambda w: f"/calls/reviews/{w.review.pk}/", {"juror"}),
    ("declare conflict", "post", lambda w: f"/calls/{w.review_call.pk}/conflicts/",
     {"juror"}),
]


def state():
    """Everything a refused request could have changed."""
    return (Call.objects.count(), list(Call.objects.values_list("phase", flat=True)),
            list(Application.objects.values_list("status", "eligibility", "title")),
            Review.objects.count(), Conflict.objects.count(), Decision.objects.count(),
            list(Decision.objects.values_list("revoked_at", flat=True)),
            Attachment.objects.count(), AuditEvent.objects.count())


@pytest.fixture
def world(coordinator, other_coordinator, juror, staff):
    return make_world(coordinator=coordinator, other_coordinator=other_coordinator,
                      juror=juror, staff=staff)


@pytest.mark.parametrize(("name", "method", "url", "allowed"), VIEWS, ids=[v[0] for v in VIEWS])
def test_each_page_lets_in_exactly_the_roles_that_may(
    request, client, world, name, method, url, allowed
):
    address = url(world)
    for role in ROLES:
        user = request.getfixturevalue(role)
        client.logout()
        if role != "anonymous":
            client.force_login(user)
        before = state() if method == "post" and role not in allowed else None
        response = getattr(client, method)(address)
        refused = response.status_code in (403, 404) or (
            response.status_code == 302 and "/accounts/login/" in response["Location"])
        if role in allowed:
            assert not refused, f"{role} was refused {name}: {response.status_code}"
        else:
            assert refused, f"{role} got into {name}: {response.status_code}"
            if before is not None:
                assert state() == before, f"{role} changed something through {name}"
