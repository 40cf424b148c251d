"""Working days (工作日): the official PRC calendar of days off and weekend days worked (调休), and
the arithmetic of `N working days` on it. Defined once here; the generated modules' runtime
(backends/python/runtime.py) computes the same from the years a module embeds.

A day is a working day when a notice of its year says it is worked (调休上班), or when it is a
Monday to Friday that no notice gives off. The years come from the State Council's yearly notices
(国务院办公厅关于……年部分节假日安排的通知), shipped in data/cn_workdays.json with each notice's
title, number and date; a policy tree adds a year or corrects one with a `calendar YEAR`
declaration (resolved in resolve.py into a YearCalendar like the shipped ones).

Arithmetic:
- `d + N working days` (N > 0) is the N-th working day after d (d itself is not counted, whether or
  not it is a working day): 15 working days after a Friday signing is the third Friday after it in
  a week without holidays. `d - N working days` is the N-th working day before d; 0 working days is d.
- `working_days_between(a, b)` counts the working days after a up to and including b (negative
  when b is before a): for every N >= 0, working_days_between(d, d + N working days) == N.
- every day the arithmetic looks at (d, and each day up to the result) must be in a year of the
  calendar; one outside is CalendarNotCovered, an evaluation error that names the years covered.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import functools
import json
import os
from typing import Iterable, Optional

import attrs

from .values import EvaluationError

DATA_PATH = os.path.join(os.path.dirname(__file__), "data", "cn_workdays.json")
WORKING_DAYS = "working_days"  # the unit of a Duration in working days


@attrs.frozen(slots=True)
class Notice:
    """A notice that sets (or changes) a year's arrangement."""

    title: str
    document: Optional[str]
    issued: Optional[_dt.date]
    note: Optional[str] = None


@attrs.frozen(slots=True)
class YearCalendar:
    """One year's arrangement: its spans of days off (name, first, last) and its weekend days worked."""

    year: int
    notices: tuple[Notice, ...]
    holidays: tuple[tuple[str, _dt.date, _dt.date], ...]
    workdays: tuple[_dt.date, ...]
    source: str = "built-in"  # or the policy and line of the `calendar` declaration that gives it
    reason: Optional[str] = None  # a declaration's `because`

    def days_off(self) -> frozenset:
        days = set()
        for _name, first, last in self.holidays:
            day = first
            while day <= last:
                days.add(day)
                day += _dt.timedelta(days=1)
        return frozenset(days)

    @property
    def notice(self) -> Optional[Notice]:
        return self.notices[0] if self.notices else None


def years_text(years: Iterable[int]) -> str:
    """2019–2026, or 2019–2024, 2027 when the years have a gap."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and runs[-1][1] == y - 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs) or "no year"


def not_covered_message(day: _dt.date, years: Iterable[int], known: Iterable[int] = ()) -> str:
    """The message of CalendarNotCovered (the generated modules' runtime words it the same way). years: those
    the policy counts on; known: every year of the calendar it was cut from."""
    years, known = tuple(sorted(years)), tuple(sorted(set(known) | set(years)))
    if day.year in known:
        return (f"working days cannot be counted on {day.isoformat()}: this policy counts them on the years "
                f"of its window and one either side ({years_text(years)}), and {day.year} is not one of them")
    return (f"working days cannot be counted on {day.isoformat()}: the working-day calendar has no "
            f"arrangement of the State Council for {day.year} (it covers {years_text(known)}); "
            f"a policy tree adds a year with a `calendar {day.year}` declaration")


class CalendarNotCovered(EvaluationError):
    """A working-day count reaches a day of a year the calendar does not cover."""

    code = "calendar_not_covered"

    def __init__(self, day: _dt.date, years: Iterable[int], known: Iterable[int] = ()):
        years = tuple(sorted(years))
        super().__init__(not_covered_message(day, years, known))
        self.day = day
        self.years = years

    def to_dict(self) -> dict:
        out = super().to_dict()
        out.update(date=self.day.isoformat(), covered=list(self.years))
        return out


@attrs.frozen(slots=True, eq=False)
class WorkCalendar:
    """The years a policy counts working days on (built-in years, replaced or added by its tree)."""

    years: tuple[YearCalendar, ...]
    known: frozenset = frozenset()  # the years of the calendar this one was cut from (for messages)
    off: frozenset = attrs.field(init=False)
    on: frozenset = attrs.field(init=False)
    covered: frozenset = attrs.field(init=False)
    _days: tuple = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self):
        off, on = set(), set()
        for y in self.years:
            off |= y.days_off()
            on |= set(y.workdays)
        object.__setattr__(self, "off", frozenset(off - on))
        object.__setattr__(self, "on", frozenset(on))
        object.__setattr__(self, "covered", frozenset(y.year for y in self.years))
        object.__setattr__(self, "_days", _working_ordinals(self.covered, self.off, self.on))

    def __eq__(self, other):
        return isinstance(other, WorkCalendar) and self.years == other.years

    def __hash__(self):
        return hash(self.years)

    def year(self, year: int) -> Optional[YearCalendar]:
        for y in self.years:
            if y.year == year:
                return y
        return None

    def is_working_day(self, day: _dt.date) -> bool:
        if day.year not in self.covered:
            raise CalendarNotCovered(day, self.covered, self.known)
        if day in self.on:
            return True
        return day.weekday() < 5 and day not in self.off

    def add(self, day: _dt.date, n: int) -> _dt.date:
        """The n-th working day after day (before it when n < 0); day itself when n == 0. Counting
        stops at the first day of a year the calendar does not hold (CalendarNotCovered names it)."""
        if day.year not in self.covered:
            raise CalendarNotCovered(day, self.covered, self.known)
        if n == 0:
            return day
        days, o = self._days, day.toordinal()
        if n > 0:
            j = bisect.bisect_right(days, o) + n - 1
            end = _dt.date.fromordinal(days[j]) if j < len(days) else None
            gap = next((y for y in range(day.year + 1, (end.year if end else max(self.covered) + 1) + 1)
                        if y not in self.covered), None)
            if gap is not None:
                raise CalendarNotCovered(_dt.date(gap, 1, 1), self.covered, self.known)
            return end
        j = bisect.bisect_left(days, o) + n
        end = _dt.date.fromordinal(days[j]) if j >= 0 else None
        gap = next((y for y in range(day.year - 1, (end.year if end else min(self.covered) - 1) - 1, -1)
                    if y not in self.covered), None)
        if gap is not None:
            raise CalendarNotCovered(_dt.date(gap, 12, 31), self.covered, self.known)
        return end

    def between(self, a: _dt.date, b: _dt.date) -> int:
        """The working days after a up to and including b; negative when b is before a."""
        if a.year not in self.covered:
            raise CalendarNotCovered(a, self.covered, self.known)
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        years = range(a.year, b.year + 1) if sign == 1 else range(b.year, a.year - 1, -1)  # counting's direction
        gap = next((y for y in years if y not in self.covered), None)
        if gap is not None:
            raise CalendarNotCovered(_dt.date(gap, 1, 1) if sign == 1 else _dt.date(gap, 12, 31), self.covered,
                                     self.known)
        days = self._days
        return sign * (bisect.bisect_right(days, b.toordinal()) - bisect.bisect_right(days, a.toordinal()))

    def only(self, years: Iterable[int]) -> "WorkCalendar":
        """The calendar restricted to some of its years (what a compiled module embeds)."""
        return _restricted(self.years, frozenset(self.covered | self.known), frozenset(years))

    def first_day(self) -> Optional[_dt.date]:
        return _dt.date(min(self.covered), 1, 1) if self.covered else None

    def last_day(self) -> Optional[_dt.date]:
        return _dt.date(max(self.covered), 12, 31) if self.covered else None


@functools.lru_cache(maxsize=256)
def _restricted(years: tuple, known: frozenset, keep: frozenset) -> "WorkCalendar":
    # Every policy of a tree asks for the years of its window, and most windows span the same
    # years: building a calendar walks every day of its years, so each restriction is made once.
    return WorkCalendar(tuple(y for y in years if y.year in keep), known)


def _working_ordinals(covered, off, on) -> tuple:
    """The day numbers of every working day of the covered years, in order (for bisecting)."""
    out = []
    for year in sorted(covered):
        day, last = _dt.date(year, 1, 1), _dt.date(year, 12, 31)
        one = _dt.timedelta(days=1)
        while day <= last:
            if day in on or (day.weekday() < 5 and day not in off):
                out.append(day.toordinal())
            day += one
    return tuple(out)


def _date(text: Optional[str]) -> Optional[_dt.date]:
    return _dt.date.fromisoformat(text) if text else None


@functools.lru_cache(maxsize=1)
def builtin_years() -> tuple[YearCalendar, ...]:
    """The years shipped with policylang (data/cn_workdays.json)."""
    with open(DATA_PATH, encoding="utf-8") as fh:
        data = json.load(fh)
    out = []
    for y in data["years"]:
        notices = tuple(Notice(n["title"], n.get("document"), _date(n.get("issued")), n.get("note"))
                        for n in y["notices"])
        holidays = tuple((name, _date(a), _date(b)) for name, a, b in y["holidays"])
        out.append(YearCalendar(int(y["year"]), notices, holidays, tuple(_date(d) for d in y["workdays"])))
    return tuple(sorted(out, key=lambda y: y.year))


@functools.lru_cache(maxsize=1)
def builtin_calendar() -> WorkCalendar:
    return WorkCalendar(builtin_years())


def calendar_with(declared: Iterable[YearCalendar]) -> WorkCalendar:
    """The built-in years, each replaced by a declared year of the same number, plus the declared new ones."""
    declared = {y.year: y for y in declared}
    if not declared:
        return builtin_calendar()
    years = {y.year: y for y in builtin_years()}
    years.update(declared)
    return WorkCalendar(tuple(years[k] for k in sorted(years)))


def policy_years(calendar: WorkCalendar, effective: Optional[_dt.date], ends: Optional[_dt.date]) -> tuple[int, ...]:
    """The years of `calendar` a policy in force from effective to ends counts working days on: the
    years of its window, with one year before (a date counted from shortly before it takes effect)
    and one after (a count that runs past its last day). What its compiled module embeds, and what
    the interpreter uses for it, so that both refuse the same dates."""
    low = effective.year - 1 if effective is not None else None
    high = ends.year + 1 if ends is not None else None
    return tuple(y for y in sorted(calendar.covered)
                 if (low is None or y >= low) and (high is None or y <= high))
