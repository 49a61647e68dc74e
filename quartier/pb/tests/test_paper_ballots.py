"""Paper ballots: typed twice by different people, counted when both agree, or imported from
CSV all or nothing."""

import pytest

from quartier.pb import services
from quartier.pb.models import Ballot, PaperEntry
from quartier.pb.tests.support import make_budget, make_proposals, set_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(quarter):
    budget = make_budget(quarter, "voting", max_projects=3)
    make_proposals(budget, {"Bank": 1000, "Baum": 2000, "Brunnen": 3000, "Beet": 500})
    return budget


def pk(budget, ref):
    return budget.proposals.get(ref=ref).pk


def enter(client, budget, sheet, projects, points=None):
    data = {"sheet": sheet, "projects": projects}
    if points is not None:
        data["points"] = points
    return client.post(f"/quarter-budgets/{budget.pk}/paper/", data)


def test_a_ballot_counts_when_two_people_type_it_alike(client, budget, coordinator, town_clerk):
    client.force_login(town_clerk)
    response = enter(client, budget, "17", "3 1")
    assert response["Location"] == f"/quarter-budgets/{budget.pk}/paper/"
    assert not Ballot.objects.exists()
    assert [s.sheet for s in services.open_paper_sheets(budget)] == ["17"]
    client.force_login(coordinator)
    enter(client, budget, "17", "1, 3")
    ballot = Ballot.objects.get()
    assert (ballot.channel, ballot.sheet) == ("paper", "17")
    assert services.selection_of(ballot) == {pk(budget, "1"): 1, pk(budget, "3"): 1}
    assert services.open_paper_sheets(budget) == []
    assert PaperEntry.objects.count() == 2


def test_the_same_person_cannot_type_a_ballot_twice(client, budget, town_clerk):
    client.force_login(town_clerk)
    enter(client, budget, "17", "1")
    response = enter(client, budget, "17", "1")
    assert response.status_code == 400
    assert PaperEntry.objects.count() == 1 and not Ballot.objects.exists()


def test_disagreeing_entries_are_listed_and_a_third_matching_one_counts(
    client, budget, town_clerk, second_clerk, coordinator
):
    client.force_login(town_clerk)
    enter(client, budget, "8", "1 2")
    client.force_login(second_clerk)
    enter(client, budget, "8", "1 4")
    assert not Ballot.objects.exists()
    page = client.get(f"/quarter-budgets/{budget.pk}/paper/")
    assert [s.sheet for s in page.context["mismatches"]] == ["8"]
    client.force_login(coordinator)
    enter(client, budget, "8", "2 1")
    assert services.selection_of(Ballot.objects.get()) == {pk(budget, "1"): 1,
                                                          pk(budget, "2"): 1}
    response = enter(client, budget, "8", "1 2")
    assert response.status_code == 400  # counted already
    assert Ballot.objects.count() == 1


def test_a_wrong_entry_is_discarded_with_a_reason_and_typed_again(
    client, budget, town_clerk, second_clerk
):
    client.force_login(town_clerk)
    enter(client, budget, "8", "1 3")  # typing error; the paper says 1 2
    client.force_login(second_clerk)
    enter(client, budget, "8", "1 2")
    wrong = PaperEntry.objects.get(entered_by=town_clerk)
    response = client.post(f"/quarter-budgets/{budget.pk}/paper/{wrong.pk}/discard/",
                           {"reason": "Tippfehler, mit dem Zettel verglichen"})
    assert response.status_code == 302
    wrong.refresh_from_db()
    assert wrong.discarded_by == second_clerk and wrong.discarded_at is not None
    client.force_login(town_clerk)
    enter(client, budget, "8", "1 2")
    assert Ballot.objects.count() == 1
    assert PaperEntry.objects.count() == 3


def test_discarding_needs_a_reason_and_an_uncounted_ballot(client, budget, town_clerk,
                                                           coordinator):
    client.force_login(town_clerk)
    enter(client, budget, "8", "1")
    entry = PaperEntry.objects.get()
    client.post(f"/quarter-budgets/{budget.pk}/paper/{entry.pk}/discard/", {"reason": " "})
    entry.refresh_from_db()
    assert entry.discarded_at is None
    client.force_login(coordinator)
    enter(client, budget, "8", "1")
    client.post(f"/quarter-budgets/{budget.pk}/paper/{entry.pk}/discard/", {"reason": "x"})
    entry.refresh_from_db()
    assert entry.discarded_at is None


@pytest.mark.parametrize("sheet, projects, field", [
    ("", "1", "sheet"),
    ("x" * 41, "1", "sheet"),
    ("17", "9", "projects"),  # not on the ballot
    ("17", "1 1", "projects"),
    ("17", "", "projects"),  # at least one
    ("17", "1 2 3 4", "projects"),  # at most three
    ("17", "<script>", "projects"),
    ("a\x00b", "1", "sheet"),
])
def test_a_wrongly_typed_ballot_is_refused_at_the_field(client, budget, town_clerk, sheet,
                                                        projects, field):
    client.force_login(town_clerk)
    response = enter(client, budget, sheet, projects)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not PaperEntry.objects.exists()


def test_cumulative_and_ranking_paper_ballots(client, quarter, town_clerk, coordinator):
    cumulative = make_budget(quarter, "voting", ballot_type="cumulative", points_total=10)
    make_proposals(cumulative, {"Bank": 1000, "Baum": 2000})
    ranking = make_budget(quarter, "voting", ballot_type="ranking", max_ranks=2)
    make_proposals(ranking, {"Bank": 1000, "Baum": 2000})
    for user in (town_clerk, coordinator):
        client.force_login(user)
        enter(client, cumulative, "1", "2 1", "7 3")
        enter(client, ranking, "1", "2 1")
    assert services.selection_of(Ballot.objects.get(budget=cumulative)) == {
        pk(cumulative, "2"): 7, pk(cumulative, "1"): 3}
    assert services.selection_of(Ballot.objects.get(budget=ranking)) == {
        pk(ranking, "2"): 1, pk(ranking, "1"): 2}
    response = enter(client, cumulative, "2", "1 2", "7 4")
    assert response.status_code == 400
    response = enter(client, cumulative, "3", "1 2", "7")
    assert response.status_code == 400


def test_no_paper_ballots_before_voting_or_after_counting(client, budget, coordinator):
    set_phase(budget, "review")
    with pytest.raises(services.ValidationError):
        services.enter_paper_ballot(budget, "1", {pk(budget, "1"): 1}, actor=coordinator)
    set_phase(budget, "result")
    services.enter_paper_ballot(budget, "1", {pk(budget, "1"): 1}, actor=coordinator)
    services.compute_result(budget, actor=coordinator)
    with pytest.raises(services.ValidationError):
        services.enter_paper_ballot(budget, "2", {pk(budget, "1"): 1}, actor=coordinator)
    assert PaperEntry.objects.count() == 1


# CSV import -------------------------------------------------------------------------------


def upload(client, budget, content: bytes, name="zettel.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"/quarter-budgets/{budget.pk}/paper/import/",
                       {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_a_csv_import_is_one_entry_per_row_and_a_second_import_counts(
    client, budget, town_clerk, coordinator
):
    content = b"ballot;projects\n1;1 2\n2;3\n3;4 1\n"
    client.force_login(town_clerk)
    response = upload(client, budget, content)
    assert response.status_code == 302
    assert PaperEntry.objects.filter(source="csv").count() == 3
    assert not Ballot.objects.exists()
    client.force_login(coordinator)
    upload(client, budget, "\ufeffballot,projects\n1,2 1\n2,3\n3,1 3\n".encode())
    assert sorted(Ballot.objects.values_list("sheet", flat=True)) == ["1", "2"]
    assert [s.sheet for s in services.open_paper_sheets(budget)] == ["3"]


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfeb\x00a\x00", "Line 1: the file is not UTF-8"),
    (b"sheet;votes\n1;1\n", "Line 1: the header needs the columns ballot, projects"),
    (b"ballot;projects\n1;1\n2;9\n", "Line 3: Project 9 is not on the ballot."),
    (b"ballot;projects\n1;1\n1;2\n", "Line 3: Ballot 1 appears twice in the file."),
    (b"ballot;projects\n1;1 2 3 4\n", "Line 2: Choose at most 3 projects"),
    (b"ballot;projects\n;1\n", "Line 2: Enter the number of the paper ballot."),
    (b"ballot;projects\n1;1;2\n", "Line 2: the row has more fields than the header."),
    (b"ballot;projects\n", "The file holds no ballots."),
])
def test_a_wrong_csv_file_imports_nothing_and_names_the_line(client, budget, town_clerk,
                                                             content, message):
    client.force_login(town_clerk)
    response = upload(client, budget, content)
    assert response.status_code == 400
    errors = response.context["upload_errors"]
    assert any(e.startswith(message) for e in errors), errors
    assert not PaperEntry.objects.exists() and not Ballot.objects.exists()


def test_a_row_already_typed_by_the_same_person_rolls_back_the_whole_file(
    client, budget, town_clerk
):
    client.force_login(town_clerk)
    enter(client, budget, "2", "3")
    response = upload(client, budget, b"ballot;projects\n1;1\n2;3\n")
    assert response.status_code == 400
    assert response.context["upload_errors"][0].startswith("Line 3:")
    assert PaperEntry.objects.count() == 1


def test_an_oversized_csv_is_refused(client, budget, town_clerk, settings):
    settings.UPLOAD_MAX_BYTES = 100
    client.force_login(town_clerk)
    response = upload(client, budget, b"ballot;projects\n" + b"1;1\n" * 40)
    assert response.status_code == 400
    assert "file" in response.context["upload"].errors
    with pytest.raises(services.UploadRejected, match="larger than"):
        services.import_paper_ballots(budget, b"x" * 101, actor=town_clerk)
    assert not PaperEntry.objects.exists()
