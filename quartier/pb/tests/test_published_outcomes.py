"""Each file's META rule reproduces the `selected` column the city published."""

from dataclasses import replace
from fractions import Fraction

import pytest

from quartier.pb.engine.greedy import greedy
from quartier.pb.engine.profile import build_profile
from quartier.pb.engine.published import RULES, UnknownRule, city_scores, count_published
from quartier.pb.tests.support import FILES, election, ids, make_election

PUBLISHED = [
    name
    for name in FILES
    if election(name).meta.get("rule") in RULES and "selected" in election(name).projects[0].fields
]


def published(name: str) -> list[str]:
    return sorted(p.project_id for p in election(name).projects if p.fields["selected"] != "0")


def test_every_file_with_a_published_outcome_and_a_known_rule_is_checked():
    assert len(PUBLISHED) == 23


@pytest.mark.parametrize("name", PUBLISHED)
def test_the_meta_rule_reproduces_the_published_outcome(name):
    outcome = count_published(election(name))
    assert sorted(ids(election(name), outcome.selected)) == published(name)
    assert outcome.spent <= election(name).budget or outcome.details.get("reserve")


def city_greedy(name, **options):
    e = election(name)
    sat = "points" if e.points is not None else "cost"
    profile = replace(build_profile(e, sat), scores=city_scores(e))
    return sorted(ids(e, greedy(profile, **options).selected))


def test_warsaw_2026_needs_its_3000_votes_threshold():
    name = "Poland_Warszawa_2026.pb"
    assert city_greedy(name, by_score=True, min_score=3000) == published(name)
    assert city_greedy(name, by_score=True) != published(name)


def test_gdynia_2024_needs_no_skip():
    name = "Poland_Gdynia_2024_Witomino__small.pb"
    assert city_greedy(name, by_score=True, skip=False) == published(name)
    assert city_greedy(name, by_score=True) != published(name)


def test_krakow_2022_ranks_by_positional_points_not_by_votes():
    name = "Poland_Krakow_2022_Biezanow-Prokocim.pb"
    assert city_greedy(name, by_score=True) == published(name)
    assert sorted(ids(election(name), greedy(build_profile(election(name), "cost")).selected)) != (
        published(name)
    )


def test_katowice_2023_ranks_by_points_not_by_points_per_cost():
    name = "Poland_Katowice_2023_Szopienice_-_Burowiec.pb"
    assert city_greedy(name, by_score=True) == published(name)
    assert city_greedy(name) != published(name)


def test_wieliczka_keeps_the_equal_shares_outcome_after_the_comparison():
    outcome = count_published(election("Poland_Wieliczka_2023_Green_Budget.pb"))
    assert outcome.details["kept"] == "equal-shares"
    assert outcome.details["comparison"]["equal-shares"] > outcome.details["comparison"]["greedy"]


def test_files_without_a_city_rule_are_refused():
    with pytest.raises(UnknownRule):
        count_published(election("Switzerland_Zurich_SN.pb"))


def test_poznan_funds_the_next_project_from_the_reserve_if_80_percent_are_left():
    e = make_election({"a": 60, "b": 50, "c": 10}, 100, [["a", "b"], ["a", "b"], ["a", "c"]])
    e.meta["rule"] = "greedy-custom"
    outcome = count_published(e)
    assert ids(e, outcome.selected) == ["a", "b"]
    assert outcome.details["reserve"] == [1]
    assert outcome.spent == 110
    e.projects[1].cost = Fraction(51)
    outcome = count_published(e)
    assert ids(e, outcome.selected) == ["a"]
    assert outcome.details["reserve"] == []
