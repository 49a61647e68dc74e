"""The indicators of the quarter check: definitions, thresholds and traffic lights.

Pure Python; no Django. docs/quartierscheck.md gives every formula and the source of every
threshold. The figures of an area (a quarter, a Kreis, the Land) are one JSON-ready dict:

    {"residents": {group: residents on the grid},
     "reach": {key: {group: [share within 300 m, 500 m, 1,000 m]}},
     "anchors": n, "barrier_free": n, "offers": n, "population": n,
     "age": {band: n}, "values": {indicator: value or None},
     "lights": {indicator: "green" | "amber" | "red" | "none"}, "gap": residents}

Reach keys are anchor kind slugs, "offer:<category>" and "factor:<success factor>".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GROUPS = ("all", "u18", "65+", "80+")
RADII_M = (300, 500, 1000)
# The age bands of a quarter (places.models.AGE_BANDS) that make up each group.
GROUP_BANDS = {
    "all": ("age_0_5", "age_6_17", "age_18_29", "age_30_49", "age_50_64", "age_65_79",
            "age_80_plus"),
    "u18": ("age_0_5", "age_6_17"),
    "65+": ("age_65_79", "age_80_plus"),
    "80+": ("age_80_plus",),
}
WORKING_AGE_BANDS = ("age_18_29", "age_30_49", "age_50_64")


@dataclass(frozen=True)
class Indicator:
    """A figure with a traffic light: green from `green` on, amber from `amber` on, else red.

    A reach indicator is the share of `group` within `radius` of the success factor; the
    others are named by `key` alone.
    """

    key: str
    green: float
    amber: float
    factor: str = ""
    group: str = "all"
    radius: int = 0

    @property
    def is_reach(self) -> bool:
        return bool(self.factor)

    def light(self, value: float | None) -> str:
        if value is None or math.isnan(value):
            return "none"
        if value >= self.green:
            return "green"
        return "amber" if value >= self.amber else "red"


# Thresholds and their sources: docs/quartierscheck.md, "Indicators and thresholds". The
# reach thresholds are one convention for all: green when three in four residents of the
# group reach the factor (about the national share living within 1 km of a supermarket,
# GP or primary school, BBSR), amber when at least half do.
INDICATORS = (
    Indicator("institutional_anchor_500", 0.75, 0.5, "institutional_anchor", "all", 500),
    Indicator("institutional_anchor_u18_1000", 0.75, 0.5, "institutional_anchor", "u18", 1000),
    Indicator("support_offer_500", 0.75, 0.5, "support_offer", "all", 500),
    Indicator("support_offer_65_500", 0.75, 0.5, "support_offer", "65+", 500),
    Indicator("barrier_free_space_80_300", 0.75, 0.5, "barrier_free_space", "80+", 300),
    Indicator("volunteer_coordination_1000", 0.75, 0.5, "volunteer_coordination", "all", 1000),
    Indicator("barrier_free_anchors", 0.5, 0.25),
    Indicator("offers_per_1000", 2.0, 1.0),
)
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}


def group_residents(bands: dict[str, int]) -> dict[str, int]:
    """Residents of each group from the age bands."""
    return {group: sum(bands.get(b, 0) for b in names) for group, names in GROUP_BANDS.items()}


def dependency_ratios(bands: dict[str, int]) -> tuple[float | None, float | None]:
    """(old-age ratio, youth ratio): residents 65+ and under 18 per 100 aged 18–64."""
    working = sum(bands.get(b, 0) for b in WORKING_AGE_BANDS)
    if not working:
        return None, None
    groups = group_residents(bands)
    return 100 * groups["65+"] / working, 100 * groups["u18"] / working


def group_weights(bands: dict[str, int]) -> tuple[float, ...]:
    """The share of each group in the residents (1 for "all"); zeros without residents."""
    groups = group_residents(bands)
    total = groups["all"]
    return tuple(groups[g] / total if total else 0.0 for g in GROUPS)


def summarise(
    *,
    reach: dict[str, dict[str, list[float | None]]],
    residents: dict[str, float],
    bands: dict[str, int],
    population: int,
    anchors: int,
    barrier_free: int,
    offers: int,
) -> dict:
    """The figures of one area, its indicator values, traffic lights and gap score.

    Gap score: for every reach indicator that is not green, the residents of its group who
    do not reach the factor within its radius, summed (a resident missing two factors counts
    twice). A factor present for most residents (green) adds nothing.

    `reach[key][group]` holds the shares per radius (None where the area has no residents of
    the group on the grid); `residents[group]` the residents on the grid; `population` the
    residents the area's own figures name (for offers per 1,000).
    """
    values: dict[str, float | None] = {}
    gap = 0.0
    for indicator in INDICATORS:
        if indicator.is_reach:
            shares = reach.get(f"factor:{indicator.factor}", {}).get(indicator.group)
            value = shares[RADII_M.index(indicator.radius)] if shares else None
            if value is not None and indicator.light(value) != "green":
                gap += (1 - value) * residents.get(indicator.group, 0)
        elif indicator.key == "barrier_free_anchors":
            value = barrier_free / anchors if anchors else None
        else:
            value = 1000 * offers / population if population else None
        values[indicator.key] = value
    old_age, youth = dependency_ratios(bands)
    return {
        "residents": {g: round(residents.get(g, 0), 1) for g in GROUPS},
        "reach": reach,
        "anchors": anchors,
        "barrier_free": barrier_free,
        "offers": offers,
        "population": population,
        "age": dict(bands),
        "old_age_ratio": old_age,
        "youth_ratio": youth,
        "values": values,
        "lights": {key: BY_KEY[key].light(value) for key, value in values.items()},
        "gap": round(gap, 1),
    }


def missing_factors(figures: dict) -> int:
    """How many indicators of an area are red."""
    return sum(1 for light in figures["lights"].values() if light == "red")
