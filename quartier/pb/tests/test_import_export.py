"""A finished election comes in and goes out as a Pabulib file: imported all or nothing with
line-numbered errors, counted at once, exported so that it parses to the same election."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from quartier.pb import services
from quartier.pb.engine.count import count
from quartier.pb.engine.pabulib import parse_pabulib
from quartier.pb.models import Ballot, Budget, Proposal
from quartier.pb.tests.support import DATA, election, make_budget, make_proposals, set_phase

pytestmark = pytest.mark.django_db

FILES = [
    "Netherlands_Assen_2024.pb",  # approval, equal shares
    "Poland_Czestochowa_2025_Ostatni_Grosz.pb",  # cumulative, threshold
    "Switzerland_Zurich_S5R.pb",  # ordinal
    "Poland_Gdynia_2020_Wzgorze_Sw._Maksymiliana__large.pb",  # approval, no skip
    "Poland_Warszawa_2019_Saska_Kepa.pb",  # a budget in cents
    "Poland_Wroclaw_2016_Rejon_nr_4_250.pb",  # choose-1
]


@pytest.mark.parametrize("name", FILES)
def test_an_imported_election_exports_as_the_same_election(quarter, name):
    original = election(name)
    budget = services.import_pb(quarter, (DATA / name).read_bytes(), actor=None,
                                max_bytes=10**8)
    assert budget.phase() == "result" and budget.counted() is not None
    assert budget.proposals.count() == len(original.projects)
    assert Ballot.objects.filter(budget=budget).count() == original.num_voters
    assert parse_pabulib(services.export_pb(budget)) == original


@pytest.mark.parametrize("name", FILES)
def test_an_imported_election_is_counted_as_the_engine_counts_the_file(quarter, name):
    original = election(name)
    budget = services.import_pb(quarter, (DATA / name).read_bytes(), actor=None,
                                max_bytes=10**8)
    result = budget.counted()
    rule = {"greedy": "greedy", "equal_shares": "equal-shares"}[budget.rule]
    expected = count(original, rule, budget.sat(), skip=budget.greedy_skip,
                     min_score=budget.min_votes or None) if rule == "greedy" else \
        count(original, rule, budget.sat())
    assert result.outcome["selected"] == expected["selected"]
    assert result.ballots_imported == original.num_voters
    assert result.ballots_online == result.ballots_paper == 0


GOOD = (
    "META\nkey;value\nbudget;1000\nvote_type;approval\nnum_projects;2\nnum_votes;2\n"
    "PROJECTS\nproject_id;cost;name\n1;600;Bank\n2;500;Baum\n"
    "VOTES\nvoter_id;vote\nv1;1\nv2;1,2\n"
)


@pytest.mark.parametrize("text, message", [
    ("", "Line 1: the section META is missing."),
    ("PROJECTS\nproject_id;cost\n1;5\n", "Line 1: the section META is missing"),
    (GOOD.split("VOTES")[0], "section VOTES is missing."),
    (GOOD.replace("num_votes;2", "num_votes;3"),
     "Line 6: num_votes says 3, but the file has 2 votes."),
    (GOOD.replace("num_projects;2", "num_projects;5"),
     "Line 5: num_projects says 5, but the file has 2 projects."),
    (GOOD.replace("v2;1,2", "v2;1,7"), "Line 14: voter v2 votes for the unknown project '7'."),
    (GOOD.replace("2;500;Baum", "2;0;Baum"),
     "Line 10: the cost of project 2 must be positive, it is 0."),
    (GOOD.replace("2;500;Baum", "2;-5;Baum"),
     "Line 10: the cost of project 2 must be positive, it is -5."),
    (GOOD.replace("budget;1000", "budget;tausend"),
     "Line 3: the budget 'tausend' is not a number."),
    (GOOD.replace("vote_type;approval", "vote_type;scoring").replace(
        "voter_id;vote", "voter_id;vote;points").replace("v1;1", "v1;1;3").replace(
        "v2;1,2", "v2;1,2;1,1"), "Ballots of type “scoring” are not supported"),
    (GOOD.replace("2;500;Baum", "2;500.005;Baum"), "whole cents"),
    (GOOD.replace("1;600;Bank", "1;600;Bank;extra"),
     "Line 9: the row has 4 fields, the header 3."),
    (GOOD.replace("v2;1,2", "v1;2"), "Line 14: the voter_id 'v1' appears twice"),
])
def test_a_malformed_file_imports_nothing_and_names_the_line(quarter, text, message):
    with pytest.raises(services.UploadRejected) as raised:
        services.import_pb(quarter, text.encode(), actor=None)
    assert any(message in error for error in raised.value.errors), raised.value.errors
    assert not Budget.objects.exists() and not Proposal.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_with_its_line(quarter):
    data = GOOD.replace("Bank", "Bänk").encode("latin-1")
    with pytest.raises(services.UploadRejected) as raised:
        services.import_pb(quarter, data, actor=None)
    assert raised.value.errors == [
        "Line 9: the file is not UTF-8 text (byte 0xe4 at offset 110); save it as UTF-8."]
    assert not Budget.objects.exists()


def test_an_oversized_file_is_refused(quarter, settings):
    settings.UPLOAD_MAX_BYTES = 50
    with pytest.raises(services.UploadRejected, match="larger than"):
        services.import_pb(quarter, GOOD.encode(), actor=None)
    assert not Budget.objects.exists()


def upload(client, quarter, data: bytes):
    return client.post(f"/quarter-budgets/import/{quarter.pk}/",
                       {"file": SimpleUploadedFile("wahl.pb", data, "text/plain")})


def test_a_coordinator_imports_a_file_and_sees_its_result(client, coordinator, quarter,
                                                          hostile_text):
    client.force_login(coordinator)
    text = GOOD.replace("Bank", hostile_text.replace(";", ","))
    response = upload(client, quarter, text.encode())
    budget = Budget.objects.get()
    assert response["Location"] == f"/quarter-budgets/{budget.pk}/result/"
    page = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert budget.counted().outcome["selected"] == ["1"]


def test_a_wrong_upload_shows_the_line_and_changes_nothing(client, coordinator, quarter):
    client.force_login(coordinator)
    response = upload(client, quarter, GOOD.replace("num_votes;2", "num_votes;9").encode())
    assert response.status_code == 400
    assert response.context["errors"] == [
        "Line 6: num_votes says 9, but the file has 2 votes."]
    assert b'role="alert"' in response.content
    assert not Budget.objects.exists()


def test_the_commands_import_and_export(quarter, tmp_path):
    out = io.StringIO()
    call_command("pb", "import", str(DATA / "Netherlands_Assen_2024.pb"),
                 "--quarter", str(quarter.pk), "--title", "Assen", stdout=out)
    budget = Budget.objects.get()
    assert budget.title == "Assen" and "imported and counted" in out.getvalue()
    target = tmp_path / "out.pb"
    call_command("pb", "export", str(budget.pk), "--output", str(target))
    assert parse_pabulib(target.read_text()) == election("Netherlands_Assen_2024.pb")
    with pytest.raises(CommandError, match="Line 6"):
        bad = tmp_path / "bad.pb"
        bad.write_text(GOOD.replace("num_votes;2", "num_votes;9"))
        call_command("pb", "import", str(bad), "--quarter", str(quarter.pk))
    with pytest.raises(CommandError, match="no quarter"):
        call_command("pb", "import", str(bad), "--quarter", "0")
    assert Budget.objects.count() == 1


def test_an_uncounted_budget_is_not_exported(quarter):
    budget = make_budget(quarter, "voting")
    make_proposals(budget, {"Bank": 100})
    with pytest.raises(CommandError, match="not been counted"):
        call_command("pb", "export", str(budget.pk))
    set_phase(budget, "result")
    services.compute_result(budget, actor=None)
    out = io.StringIO()
    call_command("pb", "export", str(budget.pk), stdout=out)
    assert out.getvalue().startswith("META\n")
