from fractions import Fraction

import pytest

from quartier.pb.engine.pabulib import (
    PabulibError,
    format_number,
    format_pabulib,
    parse_pabulib,
    parse_pabulib_bytes,
)
from quartier.pb.tests.support import FILES, election

SAMPLE = '''META
key;value
description;Test
num_projects;3
num_votes;4
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name
a;40;"Park ""Nord"""
b;30;Bench
c;50;Trees
VOTES
voter_id;vote
1;a,b
2;a
3;b,c
4;c
'''


def replace_line(number: int, text: str, sample: str = SAMPLE) -> str:
    lines = sample.splitlines()
    lines[number - 1] = text
    return "\n".join(lines) + "\n"


def error_of(text: str) -> PabulibError:
    with pytest.raises(PabulibError) as caught:
        parse_pabulib(text)
    return caught.value


def test_it_reads_a_small_file():
    e = parse_pabulib(SAMPLE)
    assert e.budget == 100
    assert e.vote_type == "approval"
    assert [p.project_id for p in e.projects] == ["a", "b", "c"]
    assert e.projects[0].fields["name"] == 'Park "Nord"'
    assert e.votes == [(0, 1), (0,), (1, 2), (2,)]
    assert e.voter_ids == ["1", "2", "3", "4"]


@pytest.mark.parametrize("name", FILES)
def test_it_reads_every_shipped_file(name):
    e = election(name)
    assert len(e.projects) == int(e.meta["num_projects"])
    assert e.num_voters == int(e.meta["num_votes"])
    assert all(p.cost > 0 for p in e.projects)


@pytest.mark.parametrize("name", FILES)
def test_export_then_import_round_trips(name):
    e = election(name)
    assert parse_pabulib(format_pabulib(e)) == e


def test_money_is_exact():
    e = election("Poland_Krakow_2024_Stare_Miasto.pb")
    assert e.budget == Fraction("1546168.66")
    assert format_number(e.budget) == "1546168.66"


def test_a_comma_may_be_the_decimal_point():
    assert parse_pabulib(replace_line(6, "budget;99,5")).budget == Fraction("99.5")


def test_it_reads_crlf_and_a_byte_order_mark():
    data = ("\ufeff" + SAMPLE.replace("\n", "\r\n")).encode("utf-8")
    assert parse_pabulib_bytes(data) == parse_pabulib(SAMPLE)


def test_it_reads_cumulative_points():
    text = SAMPLE.replace("vote_type;approval", "vote_type;cumulative").replace(
        "voter_id;vote\n1;a,b\n2;a\n3;b,c\n4;c",
        "voter_id;vote;points\n1;a,b;2,1\n2;a;3\n3;b,c;1,2\n4;c;3",
    )
    e = parse_pabulib(text)
    assert e.points == [(2, 1), (3,), (1, 2), (3,)]
    assert parse_pabulib(format_pabulib(e)) == e


def test_it_keeps_empty_ballots():
    e = parse_pabulib(replace_line(19, "4;"))
    assert e.votes[3] == ()
    assert e.num_voters == 4


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            SAMPLE.replace("VOTES\nvoter_id;vote\n1;a,b\n2;a\n3;b,c\n4;c\n", ""),
            14,
            "VOTES is missing",
        ),
        (SAMPLE.replace("META\n", "", 1), 1, "META"),
        (
            SAMPLE.replace("PROJECTS\nproject_id;cost;name\n", ""),
            12,
            "PROJECTS is missing (found VOTES first)",
        ),
        (SAMPLE + "VOTES\n", 20, "section VOTES appears twice"),
        (SAMPLE.replace("key;value\n", ""), 2, "META header must be key;value"),
        (replace_line(17, "2;z"), 17, "unknown project 'z'"),
        (replace_line(12, "b;0;Bench"), 12, "must be positive"),
        (replace_line(12, "b;-5;Bench"), 12, "must be positive"),
        (replace_line(12, "b;thirty;Bench"), 12, "not a number"),
        (replace_line(6, "budget;1OO"), 6, "budget '1OO' is not a number"),
        (replace_line(6, "budget;0"), 6, "budget must be positive"),
        (replace_line(5, "num_votes;5"), 5, "num_votes is 5 but the file has 4 votes"),
        (replace_line(4, "num_projects;2"), 4, "num_projects is 2 but the file has 3"),
        (replace_line(13, "a;50;Trees"), 13, "duplicate project_id 'a' (first on line 11)"),
        (replace_line(18, "1;b,c"), 18, "duplicate voter_id '1' (first on line 16)"),
        (replace_line(7, "vote_type;approve"), 7, "unknown vote_type 'approve'"),
        (replace_line(16, "1;a,b,a"), 16, "lists project 'a' twice"),
        (replace_line(16, "1;a;extra"), 16, "3 fields, header has 2"),
        (replace_line(12, "b;30"), 12, "2 fields, header has 3"),
    ],
)
def test_it_rejects_bad_files_with_the_line(text, line, words):
    error = error_of(text)
    assert error.line == line
    assert words in str(error)
    assert str(error).startswith(f"line {line}: ")


def test_it_rejects_a_file_without_budget():
    error = error_of(replace_line(6, "currency;PLN"))
    assert "no budget" in str(error)
    assert error.line == 2


def test_it_rejects_points_that_do_not_match_the_vote():
    text = SAMPLE.replace("vote_type;approval", "vote_type;cumulative").replace(
        "voter_id;vote\n1;a,b", "voter_id;vote;points\n1;a,b;2"
    )
    text = text.replace("\n2;a\n3;b,c\n4;c", "\n2;a;1\n3;b,c;1,1\n4;c;1")
    error = error_of(text)
    assert error.line == 16
    assert "lists 2 projects but 1 points" in str(error)


def test_it_rejects_two_choices_on_a_choose_1_ballot():
    error = error_of(replace_line(7, "vote_type;choose-1"))
    assert error.line == 16
    assert "choose-1" in str(error)


def test_it_rejects_bytes_that_are_not_utf8_with_their_line():
    data = SAMPLE.replace("Bench", "B\xe4nk").encode("latin-1")
    with pytest.raises(PabulibError) as caught:
        parse_pabulib_bytes(data)
    assert caught.value.line == 12
    assert "not UTF-8" in str(caught.value)


def test_quoted_fields_spanning_lines_keep_their_line_numbers():
    text = SAMPLE.replace("b;30;Bench", 'b;30;"Bench\non two lines"').replace("2;a", "2;z")
    assert error_of(text).line == 18


def test_quoted_votes_are_read_with_csv_rules():
    text = SAMPLE.replace("voter_id;vote\n1;a,b", 'voter_id;vote\n"1";"a,b"')
    assert parse_pabulib(text).votes[0] == (0, 1)


def test_format_number_refuses_what_a_decimal_cannot_write():
    assert format_number(Fraction(1, 4)) == "0.25"
    with pytest.raises(ValueError):
        format_number(Fraction(1, 3))
