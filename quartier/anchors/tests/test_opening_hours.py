"""The opening-hours format: parse, refuse what is wrong, format back, "open now"."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quartier.anchors.engine import (
    MINUTES_PER_DAY,
    HoursError,
    Interval,
    format_hours,
    is_open,
    parse_hours,
    week_minute,
)


def test_it_reads_days_ranges_and_several_times_a_day():
    intervals = parse_hours("Mo-Fr 09:00-12:00,14:00-17:00; Sa 10:00-13:00")

    assert len(intervals) == 11
    assert intervals[0] == Interval(0, 9 * 60, 12 * 60)
    assert intervals[1] == Interval(0, 14 * 60, 17 * 60)
    assert intervals[-1] == Interval(5, 10 * 60, 13 * 60)


def test_it_reads_german_day_names_and_lists():
    assert parse_hours("Di, Do 10:00-12:00; So 14:00-18:00") == [
        Interval(1, 600, 720), Interval(3, 600, 720), Interval(6, 840, 1080)
    ]


def test_it_reads_a_day_range_over_the_weekend_and_midnight_as_24_00():
    assert [i.day for i in parse_hours("Sa-Mo 00:00-24:00")] == [0, 5, 6]
    assert parse_hours("Su 20:00-24:00") == [Interval(6, 1200, 1440)]


def test_it_takes_empty_hours_as_none_given():
    assert parse_hours("") == []
    assert parse_hours("  ;  ") == []


@pytest.mark.parametrize("text, code", [
    ("Mo-Fr", "syntax"),
    ("09:00-17:00", "syntax"),
    ("Mo-Fr 9-17", "syntax"),
    ("Mo-Fr 09:00 bis 17:00", "syntax"),
    ("Mx 09:00-17:00", "unknown_day"),
    ("Montag 09:00-17:00", "unknown_day"),
    ("Mo-Fr 25:00-26:00", "bad_time"),
    ("Mo 09:60-10:00", "bad_time"),
    ("Mo 24:30-25:00", "bad_time"),
    ("Mo 24:00-24:00", "bad_time"),
    ("Mo 17:00-09:00", "end_before_start"),
    ("Mo 09:00-09:00", "end_before_start"),
    ("Mo 09:00-12:00,11:00-13:00", "overlap"),
    ("Mo-Fr 09:00-17:00; We 16:00-18:00", "overlap"),
    ("Mo 09:00-12:00; Mo 09:00-12:00", "overlap"),
    ("Mo 09:00-10:00; " * 60, "too_long"),
])
def test_it_refuses_hours_that_cannot_be_right(text, code):
    with pytest.raises(HoursError) as raised:
        parse_hours(text)
    assert raised.value.code == code


def test_it_names_the_overlapping_ranges():
    with pytest.raises(HoursError) as raised:
        parse_hours("Mo-Fr 09:00-17:00; We 16:00-18:00")
    assert raised.value.params == {"day": "We", "first": "09:00-17:00", "second": "16:00-18:00"}


def test_touching_ranges_do_not_overlap():
    assert len(parse_hours("Mo 09:00-12:00,12:00-14:00")) == 2


def test_it_formats_hours_canonically():
    intervals = parse_hours("Fr,Mo,Di,Mi,Do 09:00-17:00; Sa 10:00-13:00")
    assert format_hours(intervals) == "Mo-Fr 09:00-17:00; Sa 10:00-13:00"
    assert format_hours(parse_hours("Mo,We 10:00-12:00")) == "Mo,We 10:00-12:00"


def test_it_knows_when_a_place_is_open():
    intervals = parse_hours("Mo-Fr 09:00-17:00")
    assert is_open(intervals, week_minute(2, 9, 0))
    assert is_open(intervals, week_minute(2, 16, 59))
    assert not is_open(intervals, week_minute(2, 17, 0))
    assert not is_open(intervals, week_minute(5, 12, 0))


# Properties ---------------------------------------------------------------------------


@st.composite
def valid_intervals(draw):
    """Any set of non-overlapping intervals within the week, as parse_hours returns them."""
    intervals = []
    for day in range(7):
        cuts = sorted(draw(st.sets(st.integers(0, MINUTES_PER_DAY), max_size=6)))
        for start, end in zip(cuts[::2], cuts[1::2], strict=False):
            if start < end:
                intervals.append(Interval(day, start, end))
    return sorted(intervals)


@settings(max_examples=200, deadline=None)
@given(valid_intervals())
def test_formatted_hours_parse_back_to_the_same_intervals(intervals):
    assert parse_hours(format_hours(intervals)) == intervals


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="MoTuWeThFrSaSuDiMiDo0123456789:-,; x", max_size=60))
def test_any_text_parses_into_valid_intervals_or_is_refused_with_a_reason(text):
    try:
        intervals = parse_hours(text)
    except HoursError as error:
        assert error.code in {"syntax", "unknown_day", "bad_time", "end_before_start",
                              "overlap", "too_long"}
        return
    for interval in intervals:
        assert 0 <= interval.day < 7
        assert 0 <= interval.start < interval.end <= MINUTES_PER_DAY
    for before, after in zip(intervals, intervals[1:], strict=False):
        assert before.day < after.day or before.end <= after.start


@settings(max_examples=100, deadline=None)
@given(valid_intervals(), st.integers(0, 7 * MINUTES_PER_DAY - 1))
def test_open_means_inside_one_interval(intervals, minute):
    day, in_day = divmod(minute, MINUTES_PER_DAY)
    expected = any(i.day == day and i.start <= in_day < i.end for i in intervals)
    assert is_open(intervals, minute) is expected
