"""Pure computation for anchors: opening hours and walking distances. No Django.

Opening hours are written in a small format (docs/anchors.md):

    Mo-Fr 09:00-12:00,14:00-17:00; Sa 10:00-13:00

Rules are separated by ";"; each names days (Mo Tu We Th Fr Sa Su, or the German Mo Di Mi Do
Fr Sa So; single days, lists with "," and ranges with "-") and one or more time ranges
"HH:MM-HH:MM" separated by ",". Times run from 00:00 to 24:00 (24:00 only as an end); a range
ends after it starts, so nothing runs over midnight; no two ranges of one day overlap.
"""

import math
import re
from dataclasses import dataclass

import numpy as np

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
MAX_HOURS_LENGTH = 500
# Canonical (English, OpenStreetMap) day names; index 0 is Monday, as in datetime.weekday().
DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_INDEX = {name.casefold(): index for index, name in enumerate(DAYS)}
_DAY_INDEX.update({"di": 1, "mi": 2, "do": 3, "so": 6})
_TIME = r"(\d{1,2}):(\d{2})"
_RANGE = re.compile(rf"^{_TIME}\s*-\s*{_TIME}$")
_RULE = re.compile(r"^(?P<days>[A-Za-z][A-Za-z ,\-]*?)\s+(?P<times>\d.*)$")


class HoursError(ValueError):
    """Opening hours a person wrote that we cannot accept.

    `code` names the reason (anchors.services.HOURS_MESSAGES holds the text a person reads);
    `params` fill its placeholders.
    """

    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True, order=True)
class Interval:
    """Open on `day` (0 = Monday) from `start` to `end`, in minutes after midnight."""

    day: int
    start: int
    end: int

    @property
    def week_start(self) -> int:
        return self.day * MINUTES_PER_DAY + self.start

    @property
    def week_end(self) -> int:
        return self.day * MINUTES_PER_DAY + self.end


def parse_hours(text: str) -> list[Interval]:
    """Parse opening hours into sorted, non-overlapping intervals; "" means none given.

    Raises HoursError naming the first problem found.
    """
    text = text.strip()
    if len(text) > MAX_HOURS_LENGTH:
        raise HoursError("too_long", max=MAX_HOURS_LENGTH)
    intervals: list[Interval] = []
    for rule in (part.strip() for part in text.split(";")):
        if not rule:
            continue
        match = _RULE.match(rule)
        if not match:
            raise HoursError("syntax", rule=rule)
        days = _parse_days(match["days"], rule)
        ranges = [_parse_range(part.strip(), rule) for part in match["times"].split(",")]
        intervals.extend(Interval(day, start, end) for day in days for start, end in ranges)
    intervals.sort()
    for before, after in zip(intervals, intervals[1:], strict=False):
        if before.day == after.day and after.start < before.end:
            raise HoursError(
                "overlap", day=DAYS[before.day],
                first=_range_text(before.start, before.end),
                second=_range_text(after.start, after.end),
            )
    return intervals


def _parse_days(text: str, rule: str) -> list[int]:
    days: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        names = [n.strip() for n in part.split("-")]
        if len(names) > 2 or not all(names) or any(" " in name for name in names):
            raise HoursError("syntax", rule=rule)
        indexes = []
        for name in names:
            if name.casefold() not in _DAY_INDEX:
                raise HoursError("unknown_day", day=name)
            indexes.append(_DAY_INDEX[name.casefold()])
        first, last = indexes[0], indexes[-1]
        # A range may run over the weekend, as in "Sa-Mo".
        span = (last - first) % 7
        days.extend((first + step) % 7 for step in range(span + 1))
    return sorted(set(days))


def _parse_range(text: str, rule: str) -> tuple[int, int]:
    match = _RANGE.match(text)
    if not match:
        raise HoursError("syntax", rule=rule)
    start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
    for hours, minutes in ((start_h, start_m), (end_h, end_m)):
        if hours > 24 or minutes > 59 or (hours == 24 and minutes):
            raise HoursError("bad_time", time=f"{hours:02d}:{minutes:02d}")
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if start == MINUTES_PER_DAY:
        raise HoursError("bad_time", time="24:00")
    if end <= start:
        raise HoursError("end_before_start", range=text)
    return start, end


def _time_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _range_text(start: int, end: int) -> str:
    return f"{_time_text(start)}-{_time_text(end)}"


def format_hours(intervals: list[Interval]) -> str:
    """The canonical text of intervals: days with equal times grouped, ranges of days joined.

    parse_hours(format_hours(x)) == x for every list parse_hours returns.
    """
    by_day: dict[int, tuple[tuple[int, int], ...]] = {}
    for interval in sorted(intervals):
        by_day[interval.day] = by_day.get(interval.day, ()) + ((interval.start, interval.end),)
    rules: list[str] = []
    seen: set[int] = set()
    for day in range(7):
        if day not in by_day or day in seen:
            continue
        times = by_day[day]
        same = [d for d in range(day, 7) if by_day.get(d) == times]
        seen.update(same)
        rules.append(f"{_days_text(same)} {','.join(_range_text(s, e) for s, e in times)}")
    return "; ".join(rules)


def _days_text(days: list[int]) -> str:
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAYS[run[0]]}-{DAYS[run[-1]]}")
        else:
            parts.extend(DAYS[d] for d in run)
    return ",".join(parts)


def week_minute(weekday: int, hour: int, minute: int) -> int:
    """Minutes since Monday 00:00 (weekday 0 = Monday)."""
    return weekday * MINUTES_PER_DAY + hour * 60 + minute


def is_open(intervals: list[Interval], minute_of_week: int) -> bool:
    return any(i.week_start <= minute_of_week < i.week_end for i in intervals)


def days_with_ranges(intervals: list[Interval]) -> list[tuple[int, list[tuple[str, str]]]]:
    """For display: (day, [(from, to), …]) for each day of the week, closed days empty."""
    table: list[tuple[int, list[tuple[str, str]]]] = [(day, []) for day in range(7)]
    for interval in sorted(intervals):
        table[interval.day][1].append((_time_text(interval.start), _time_text(interval.end)))
    return table


# Distances ------------------------------------------------------------------------------


def walking_distances_m(
    origin: tuple[float, float], xs: np.ndarray, ys: np.ndarray, detour_factor: float
) -> np.ndarray:
    """Estimated walking distances in metres: straight-line distance in EPSG:25832 metres
    times the detour factor (≥ 1), as long as no street network is configured."""
    return np.hypot(xs - origin[0], ys - origin[1]) * detour_factor


def nearest_first(distances: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Indexes ordered by distance, ties broken by id, so equal distances keep one order."""
    return np.lexsort((ids, distances))


def bounding_box(
    origin: tuple[float, float], walking_radius_m: float, detour_factor: float
) -> tuple[float, float, float, float]:
    """The square (min x, min y, max x, max y) around origin that holds every point whose
    walking distance can be within the radius."""
    half = walking_radius_m / detour_factor
    return origin[0] - half, origin[1] - half, origin[0] + half, origin[1] + half


def grid_detour_factor() -> float:
    """Mean ratio of grid (Manhattan) to straight-line distance over all directions: 4/π."""
    return 4 / math.pi
