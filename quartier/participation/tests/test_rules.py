"""The permission matrix of participation: every perm × every role."""

import pytest

from conftest import make_quarter
from quartier.participation import services
from quartier.participation.tests.support import (
    close_phases,
    make_idea,
    make_meeting,
    make_poll,
    make_process,
)

# Roles are looked up by name, so pytest-django cannot see that these tests use the
# database; the mark keeps them before the transactional browser tests, which empty it.
pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "resident", "member", "coordinator", "other_coordinator",
    "county_coordinator", "moderator", "juror", "consultant", "staff",
]
SIGNED_IN = set(ROLES) - {"anonymous"}
COORDINATORS = {"coordinator", "county_coordinator", "staff"}
MODERATORS = {"moderator", "staff"}


@pytest.fixture
def user(request):
    return request.getfixturevalue(request.node.callspec.params["role"])


@pytest.fixture
def open_process(quarter):
    return make_process(quarter, phases=("ideas", "poll"))


@pytest.fixture
def residents_idea(open_process, resident):
    return make_idea(open_process, resident)


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_of_the_gemeinde_or_kreis_and_staff_open_and_change_processes(
    role, user, quarter, open_process
):
    assert user.has_perm("participation.add_process", quarter) is (role in COORDINATORS)
    assert user.has_perm("participation.change_process", open_process) is (role in COORDINATORS)
    assert user.has_perm("participation.answer_idea", make_idea(open_process)) is (
        role in COORDINATORS)


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_seen_only_by_its_coordinators(role, user, quarter, open_process):
    draft = make_process(quarter, status="draft", title="Entwurf")
    assert user.has_perm("participation.view_process", draft) is (role in COORDINATORS)
    assert user.has_perm("participation.view_process", open_process) is True


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_contributes_while_the_phases_are_open(
    role, user, open_process, residents_idea
):
    poll = make_poll(open_process)
    meeting = make_meeting(open_process)
    expected = role in SIGNED_IN
    assert user.has_perm("participation.add_idea", open_process) is expected
    assert user.has_perm("participation.comment_idea", residents_idea) is expected
    assert user.has_perm("participation.support_idea", residents_idea) is expected
    assert user.has_perm("participation.vote_poll", poll) is expected
    assert user.has_perm("participation.register_meeting", meeting) is expected
    assert user.has_perm("participation.report") is expected
    assert user.has_perm("participation.follow") is expected


@pytest.mark.parametrize("role", ROLES)
def test_nobody_contributes_when_the_phases_are_closed(role, user, open_process,
                                                        residents_idea):
    poll = make_poll(open_process)
    close_phases(open_process)
    residents_idea.process.__dict__.pop("phase_list", None)
    assert user.has_perm("participation.add_idea", open_process) is False
    assert user.has_perm("participation.comment_idea", residents_idea) is False
    assert user.has_perm("participation.support_idea", residents_idea) is False
    poll.phase.refresh_from_db()
    assert user.has_perm("participation.vote_poll", poll) is False
    assert user.has_perm("participation.change_idea", residents_idea) is False


@pytest.mark.parametrize("role", ROLES)
def test_only_the_author_changes_an_idea_and_only_while_ideas_are_collected(
    role, user, open_process, residents_idea
):
    assert user.has_perm("participation.change_idea", residents_idea) is (role == "resident")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_author_edits_a_comment(role, user, open_process, residents_idea, resident):
    comment = services.add_comment(residents_idea, "Mein Kommentar", author=resident)
    assert user.has_perm("participation.change_comment", comment) is (role == "resident")


@pytest.mark.parametrize("role", ROLES)
def test_residents_only_processes_take_registered_residents_of_the_gemeinde(
    role, user, quarter
):
    process = make_process(quarter, participants="residents", title="Nur Anwohner")
    assert user.has_perm("participation.add_idea", process) is (role == "resident")


@pytest.mark.parametrize("role", ROLES)
def test_invited_groups_take_part_with_their_members(role, user, quarter, member):
    process = make_process(quarter, participants="invited", title="Eingeladen")
    process.invited_organisations.set([member.memberships.get().organisation])
    assert user.has_perm("participation.add_idea", process) is (role == "member")


@pytest.mark.parametrize("role", ROLES)
def test_a_blocked_account_cannot_contribute_anything(role, user, open_process, residents_idea,
                                                      staff):
    if role == "anonymous":
        return
    poll = make_poll(open_process)
    meeting = make_meeting(open_process)
    services.block(user, "Spam", moderator=_other_moderator() if role == "staff" else staff)
    assert user.has_perm("participation.add_idea", open_process) is False
    assert user.has_perm("participation.comment_idea", residents_idea) is False
    assert user.has_perm("participation.support_idea", residents_idea) is False
    assert user.has_perm("participation.vote_poll", poll) is False
    assert user.has_perm("participation.register_meeting", meeting) is False


def _other_moderator():
    from conftest import make_org, make_user

    return make_user("mod2@example.org", "moderator", make_org("Land", "land"), second_factor=True)


@pytest.mark.parametrize("role", ROLES)
def test_moderators_of_the_place_and_staff_moderate_but_never_change_content(
    role, user, open_process, residents_idea, resident
):
    comment = services.add_comment(residents_idea, "Text", author=resident)
    assert user.has_perm("participation.moderate") is (role in MODERATORS)
    assert user.has_perm("participation.moderate", residents_idea) is (role in MODERATORS)
    assert user.has_perm("participation.moderate", comment) is (role in MODERATORS)
    if role in MODERATORS:
        assert user.has_perm("participation.change_idea", residents_idea) is False
        assert user.has_perm("participation.change_comment", comment) is False


@pytest.mark.parametrize("role", ROLES)
def test_a_tuebingen_moderator_does_not_moderate_ulm(role, user, ulm, resident):
    ulm_quarter = make_quarter(ulm, name="Weststadt")
    idea = make_idea(make_process(ulm_quarter), resident)
    assert user.has_perm("participation.moderate", idea) is (role == "staff")
    assert user.has_perm("participation.change_process", idea.process) is (
        role in {"other_coordinator", "staff"})
