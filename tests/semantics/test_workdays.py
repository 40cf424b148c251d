"""The working-day calendar shipped with policylang and its arithmetic (policylang/semantics/workdays.py).

The shipped data (semantics/data/cn_workdays.json) is compared day by day with an independent reading of
the same notices (tests/semantics/workdays/crosscheck.txt, written by make_crosscheck.py from the
chinesecalendar and holidays packages), and the arithmetic is checked against a plain count over that
reading."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylang.semantics.workdays import (
    DATA_PATH,
    CalendarNotCovered,
    builtin_calendar,
    builtin_years,
    calendar_with,
    policy_years,
    years_text,
)

HERE = Path(__file__).resolve().parent
CROSSCHECK = HERE / "workdays" / "crosscheck.txt"
YEARS = range(2019, 2027)
ONE = dt.timedelta(days=1)


def _crosscheck() -> tuple[set, set]:
    off, worked = set(), set()
    for line in CROSSCHECK.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        _year, what, *days = line.split()
        (off if what == "off" else worked).update(dt.date.fromisoformat(d) for d in days)
    return off, worked


OFF, WORKED = _crosscheck()


def is_working(day: dt.date) -> bool:
    """The independent reading: a weekday not off, or a weekend day worked."""
    return day in WORKED if day.weekday() >= 5 else day not in OFF


def _naive_add(day: dt.date, n: int) -> dt.date:
    step = ONE if n > 0 else -ONE
    left = abs(n)
    while left:
        day += step
        if is_working(day):
            left -= 1
    return day


# ---------------------------------------------------------------- the data


def test_every_year_from_2019_to_2026_is_shipped_with_its_notice():
    years = {y.year: y for y in builtin_years()}
    assert sorted(years) == list(YEARS)
    for year, y in years.items():
        notice = y.notice
        assert notice.title == f"国务院办公厅关于{year}年部分节假日安排的通知"
        assert re.fullmatch(rf"国办发明电〔{year - 1}〕\d+号", notice.document), notice.document
        assert notice.issued.year == year - 1
        assert y.holidays and all(first <= last for _, first, last in y.holidays)
        assert all(d.weekday() >= 5 for d in y.workdays)  # a day worked is a Saturday or a Sunday


def test_the_notices_that_changed_a_year_are_recorded():
    years = {y.year: y for y in builtin_years()}
    assert [n.document for n in years[2019].notices] == ["国办发明电〔2018〕15号", "国办发明电〔2019〕3号"]
    assert [n.document for n in years[2020].notices] == ["国办发明电〔2019〕16号", "国办发明电〔2020〕1号"]
    assert years[2026].notice.issued == dt.date(2025, 11, 4)
    # 2027's notice was not out when the data was written: the year is not covered.
    assert 2027 not in builtin_calendar().covered


def test_the_data_file_is_plain_json_with_each_years_sources():
    data = json.loads(Path(DATA_PATH).read_text(encoding="utf-8"))
    assert [y["year"] for y in data["years"]] == list(YEARS)
    assert all({"title", "document", "issued"} <= set(n) for y in data["years"] for n in y["notices"])


def test_the_shipped_calendar_agrees_with_the_crosscheck_on_every_day():
    cal = builtin_calendar()
    day = dt.date(2019, 1, 1)
    disagree = []
    while day <= dt.date(2026, 12, 31):
        if cal.is_working_day(day) != is_working(day):
            disagree.append(day)
        day += ONE
    assert not disagree


def test_known_days():
    cal = builtin_calendar()
    assert cal.is_working_day(dt.date(2024, 9, 29))  # a Sunday worked before National Day
    assert not cal.is_working_day(dt.date(2024, 10, 7))  # a Monday off
    assert not cal.is_working_day(dt.date(2020, 2, 1))  # a Saturday that the 2020 extension freed
    assert cal.is_working_day(dt.date(2019, 5, 5))  # a Sunday worked for the 2019 Labour Day change


# ---------------------------------------------------------------- the arithmetic

COVERED_STARTS = st.dates(dt.date(2019, 1, 1), dt.date(2026, 11, 30))


@settings(max_examples=300, deadline=None)
@given(start=COVERED_STARTS, n=st.integers(0, 25))
def test_adding_working_days_agrees_with_counting_them(start, n):
    cal = builtin_calendar()
    end = cal.add(start, n)
    assert end == _naive_add(start, n)
    assert cal.between(start, end) == n
    if n > 0:
        assert is_working(end)
        assert end > start


@settings(max_examples=300, deadline=None)
@given(a=COVERED_STARTS, b=COVERED_STARTS)
def test_counting_is_consistent_with_adding(a, b):
    cal = builtin_calendar()
    count = cal.between(a, b)
    assert count == -cal.between(b, a)
    if a <= b:
        assert count == sum(1 for k in range(1, (b - a).days + 1) if is_working(a + k * ONE))
        assert cal.add(a, count) <= b  # the count-th working day is not after b ...
        if count > 0:
            assert cal.add(a, count) == b or not is_working(b)  # ... and is b when b is worked


@settings(max_examples=200, deadline=None)
@given(start=st.dates(dt.date(2019, 2, 1), dt.date(2026, 12, 31)), n=st.integers(1, 25))
def test_subtracting_goes_back_to_a_working_start(start, n):
    cal = builtin_calendar()
    back = cal.add(start, -n)
    assert back == _naive_add(start, -n)
    if is_working(start):
        assert cal.add(back, n) == start


def test_zero_working_days_is_the_day_itself():
    assert builtin_calendar().add(dt.date(2024, 10, 5), 0) == dt.date(2024, 10, 5)


def test_fifteen_working_days_over_national_day_2024():
    assert builtin_calendar().add(dt.date(2024, 9, 27), 15) == dt.date(2024, 10, 23)


# ---------------------------------------------------------------- outside the calendar


def test_a_day_of_a_year_not_covered_is_a_clear_error():
    cal = builtin_calendar()
    with pytest.raises(CalendarNotCovered) as info:
        cal.add(dt.date(2026, 12, 20), 15)  # runs into 2027
    assert info.value.code == "calendar_not_covered"
    assert info.value.day == dt.date(2027, 1, 1)
    assert info.value.message == (
        "working days cannot be counted on 2027-01-01: the working-day calendar has no arrangement of the "
        "State Council for 2027 (it covers 2019–2026); a policy tree adds a year with a `calendar 2027` "
        "declaration")
    assert info.value.to_dict()["covered"] == list(YEARS)
    with pytest.raises(CalendarNotCovered):
        cal.add(dt.date(2018, 12, 31), 1)
    with pytest.raises(CalendarNotCovered):
        cal.between(dt.date(2026, 12, 1), dt.date(2027, 1, 5))


def test_a_policy_counts_on_the_years_of_its_window():
    cal = builtin_calendar()
    assert policy_years(cal, dt.date(2024, 3, 1), dt.date(2025, 6, 30)) == (2023, 2024, 2025, 2026)
    assert policy_years(cal, dt.date(2021, 1, 1), None) == tuple(range(2020, 2027))
    assert policy_years(cal, None, None) == tuple(YEARS)
    mine = cal.only((2024, 2025))
    with pytest.raises(CalendarNotCovered) as info:
        mine.add(dt.date(2023, 5, 4), 1)
    assert "this policy counts them on the years of its window and one either side (2024–2025)" in info.value.message


def test_a_declared_year_adds_to_or_replaces_the_shipped_ones():
    from policylang.semantics.workdays import Notice, YearCalendar

    y2027 = YearCalendar(2027, (Notice("国务院办公厅关于2027年部分节假日安排的通知", "国办发明电〔2026〕1号",
                                       dt.date(2026, 11, 1)),),
                         (("元旦", dt.date(2027, 1, 1), dt.date(2027, 1, 3)),), (dt.date(2027, 1, 9),))
    cal = calendar_with([y2027])
    assert 2027 in cal.covered and 2026 in cal.covered
    assert cal.add(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)
    assert cal.is_working_day(dt.date(2027, 1, 9))
    # replacing 2024 with a year that gives nothing off: 1 October is a Tuesday worked
    plain = YearCalendar(2024, (Notice("更正", None, None),), (), ())
    assert calendar_with([plain]).is_working_day(dt.date(2024, 10, 1))
    assert years_text([2019, 2020, 2021, 2024]) == "2019–2021, 2024"


def test_counting_stops_at_the_first_day_outside_the_calendar_in_its_direction():
    # 2022 taken out: counts that cross it stop on its first (or, counting back, its last) day
    cal = calendar_with([]).only((2020, 2021, 2023, 2024))
    for start, n, day in ((dt.date(2021, 12, 20), 15, dt.date(2022, 1, 1)),
                          (dt.date(2023, 1, 10), -15, dt.date(2022, 12, 31)),
                          (dt.date(2024, 12, 20), 15, dt.date(2025, 1, 1)),
                          (dt.date(2020, 1, 10), -15, dt.date(2019, 12, 31))):
        with pytest.raises(CalendarNotCovered) as info:
            cal.add(start, n)
        assert info.value.day == day
    with pytest.raises(CalendarNotCovered) as info:
        cal.between(dt.date(2021, 6, 1), dt.date(2023, 6, 1))
    assert info.value.day == dt.date(2022, 1, 1)
    with pytest.raises(CalendarNotCovered) as info:
        cal.between(dt.date(2023, 6, 1), dt.date(2021, 6, 1))
    assert info.value.day == dt.date(2022, 12, 31)
    assert cal.add(dt.date(2021, 3, 1), 10) == builtin_calendar().add(dt.date(2021, 3, 1), 10)
