"""Whether a lower level's value tightens, restates or loosens a bound: decided here, once.

The resolver records what each definition does, the checks report what breaks
a bound, `explain`, `diff` and the docs show it; all of them ask this module.

A *direction* is how a rule binds the levels below it:
- `floor`: their value may never be lower (a prepayment minimum);
- `ceiling`: never higher (a deadline, a cap, a payment);
- `fixed`: never different;
- None: free (a default, a decision with no direction).
"""

from __future__ import annotations

import datetime as _dt
import functools
import sys
from typing import Optional

from .model import Duration

# What a lower level's definition does to the rule above it.
TIGHTENED = "tightened"  # stricter in the rule's direction
RESTATED = "restated"  # the same value again
LOOSENED = "loosened"  # breaks the rule: lower under a floor, higher under a ceiling, changed when fixed
REPLACED = "replaced"  # a free rule (a default, a decision without direction) given another value
FILLED = "filled"  # a blank given a value
DELEGATED = "delegated"  # a blank passed down again
UNDECIDED = "undecided"  # not comparable without a proof (blanks, schedules, other units of time)

VERDICTS = (TIGHTENED, RESTATED, LOOSENED, REPLACED, FILLED, DELEGATED, UNDECIDED)
# The verdicts that are findings: a lower level broke a binding rule.
BREAKS = frozenset({LOOSENED})

VERDICT_WORDS = {
    TIGHTENED: "tightened", RESTATED: "restated", LOOSENED: "loosened", REPLACED: "replaced",
    FILLED: "filled", DELEGATED: "delegated", UNDECIDED: "not yet proved",
}
VERDICT_WORDS_ZH = {
    TIGHTENED: "收紧", RESTATED: "重申", LOOSENED: "放宽", REPLACED: "替换",
    FILLED: "填写", DELEGATED: "继续授权", UNDECIDED: "尚未证明",
}

DIRECTION_WORDS = {"floor": "a floor", "ceiling": "a ceiling", "fixed": "fixed"}
DIRECTION_WORDS_ZH = {"floor": "下限", "ceiling": "上限", "fixed": "固定"}


def order(a, b) -> Optional[int]:
    """-1, 0 or 1 for two values of one type, None when they cannot be ordered without a start date.

    Durations compare by what they do to a date: months and years convert exactly (a year is
    twelve months); days against months only when every start date agrees (`31 days` is never
    shorter than `1 month`; `30 days` and `1 month` depend on the month, see duration_order).
    """
    if a is None or b is None:
        return None
    if isinstance(a, Duration) and isinstance(b, Duration):
        return duration_order(a, b)
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, bool) and isinstance(b, bool):
            return (a > b) - (a < b)
        return None
    try:
        return (a > b) - (a < b)
    except TypeError:
        return 0 if a == b else None


def duration_order(a: Duration, b: Duration) -> Optional[int]:
    """Compare two periods by their effect on every start date; None when it depends on the date."""
    if WORKING_DAYS in (a.unit, b.unit):
        return _working_order(a, b)
    low_a, high_a = duration_span(a)
    low_b, high_b = duration_span(b)
    if a.unit != "days" and b.unit != "days":
        ma, mb = _months(a), _months(b)
        return (ma > mb) - (ma < mb)
    if a.unit == b.unit == "days":
        return (a.amount > b.amount) - (a.amount < b.amount)
    if high_a < low_b:
        return -1
    if low_a > high_b:
        return 1
    return None


WORKING_DAYS = "working_days"


def _working_order(a: Duration, b: Duration) -> Optional[int]:
    """Working days against any period, without a calendar: more working days end later on every
    start date; N working days move a date at least N days (every working day is a day), so they
    end later than fewer than N days or a period that never moves a date as far. Anything else
    depends on the holidays after the start date: None (see duration_counterexample)."""
    if a.unit == b.unit:
        return (a.amount > b.amount) - (a.amount < b.amount)
    if a.unit == WORKING_DAYS and a.amount > 0 and duration_span(b)[1] < a.amount:
        return 1
    if b.unit == WORKING_DAYS and b.amount > 0 and duration_span(a)[1] < b.amount:
        return -1
    return None


def _months(d: Duration) -> int:
    return d.amount * (12 if d.unit == "years" else 1)


# Every start date of one 400-year cycle of the Gregorian calendar: month lengths and leap years
# repeat after it, so the shortest and longest effect of a period over it are those of all dates.
_CYCLE_START = _dt.date(2000, 3, 1)
_CYCLE_DAYS = 146097


@functools.lru_cache(maxsize=256)
def duration_span(d: Duration) -> tuple[int, int]:
    """(fewest, most) days that adding d to a date moves it, over every start date."""
    if d.unit == "days":
        return d.amount, d.amount
    if d.unit == WORKING_DAYS:  # at least one day each; how many more depends on the calendar
        return d.amount, sys.maxsize
    from .evaluate import add_duration

    lengths = set()
    day = _CYCLE_START
    one = _dt.timedelta(days=1)
    # Only the day of the month and the month/leap pattern matter: scanning a cycle is exhaustive.
    for _ in range(_CYCLE_DAYS):
        lengths.add((add_duration(day, d) - day).days)
        day += one
    return min(lengths), max(lengths)


def duration_counterexample(child: Duration, parent: Duration, direction: str,
                            after: Optional[_dt.date] = None, calendar=None,
                            until: Optional[_dt.date] = None) -> Optional[_dt.date]:
    """A start date on which `child` breaks `direction` against `parent` (a later end under a ceiling,
    an earlier one under a floor), the first from `after` (or 2000-01-01) on; None if there is none.

    Working days count on `calendar` (the lower level's: workdays.WorkCalendar), which is not a
    cycle: every start date from `after` to `until` (the lower level's window) that the calendar
    covers is tried, each whose count stays within the calendar's years. A date outside them has
    no deadline at all (counting on it is an evaluation error, and PL503 warns of it)."""
    from .evaluate import add_duration

    if WORKING_DAYS in (child.unit, parent.unit):
        return _working_counterexample(child, parent, direction, after, calendar, until)
    day = after or _dt.date(2000, 1, 1)
    one = _dt.timedelta(days=1)
    for _ in range(_CYCLE_DAYS + 366):
        c, p = add_duration(day, child), add_duration(day, parent)
        if (direction == "ceiling" and c > p) or (direction == "floor" and c < p) or (direction == "fixed" and c != p):
            return day
        day += one
    return None


def _breaks_on(direction: str, c: _dt.date, p: _dt.date) -> bool:
    return (direction == "ceiling" and c > p) or (direction == "floor" and c < p) or (direction == "fixed" and c != p)


def _working_counterexample(child: Duration, parent: Duration, direction: str, after, calendar, until):
    from .values import EvaluationError, add_duration
    from .workdays import builtin_calendar

    calendar = calendar if calendar is not None else builtin_calendar()
    first, last = calendar.first_day(), calendar.last_day()
    if first is None:
        return None
    day = max(after, first) if after is not None else first
    end = min(until, last) if until is not None else last
    one = _dt.timedelta(days=1)
    while day <= end:
        if day.year in calendar.covered:
            try:
                c, p = add_duration(day, child, 1, calendar), add_duration(day, parent, 1, calendar)
            except EvaluationError:  # the count leaves the calendar's years: no deadline that day
                c = p = None
            if c is not None and _breaks_on(direction, c, p):
                return day
        day += one
    return None


def judge(direction: Optional[str], parent_value, child_value) -> str:
    """What a lower level's value does to the rule in force above it (both are values, not expressions)."""
    if direction is None:
        return RESTATED if order(child_value, parent_value) == 0 else REPLACED
    cmp = order(child_value, parent_value)
    if cmp is None and isinstance(child_value, Duration) and isinstance(parent_value, Duration):
        return _judge_periods(direction, child_value, parent_value)
    if cmp is None:
        return UNDECIDED
    if cmp == 0:
        return RESTATED
    if direction == "fixed":
        return LOOSENED
    if direction == "floor":
        return TIGHTENED if cmp > 0 else LOOSENED
    return TIGHTENED if cmp < 0 else LOOSENED


def _judge_periods(direction: str, child: Duration, parent: Duration) -> str:
    """Days against months: one side is the same on every start date, so the spans decide exactly.
    Working days against another unit depend on the calendar after each start date: undecided here
    (checks/binding.py compares them on every start date of the lower level's window)."""
    if WORKING_DAYS in (child.unit, parent.unit):
        return UNDECIDED
    low_c, high_c = duration_span(child)
    low_p, high_p = duration_span(parent)
    if direction == "ceiling":
        return TIGHTENED if high_c <= low_p else LOOSENED
    if direction == "floor":
        return TIGHTENED if low_c >= high_p else LOOSENED
    return LOOSENED  # a fixed period in other units gives another date on some start date


def breaks(direction: str, child_value, parent_value) -> bool:
    """Whether one pair of values (the same input, the same day) breaks the parent's direction.

    `none` (not applicable) sits below every value: where the parent's rule gives no value there
    is nothing to stay within; where the child gives none and the parent a value, a floor or a
    fixed rule is broken (no payment is less than any payment), a ceiling is not (a product that
    is not listed has no price above the cap).
    """
    if parent_value is None:
        return False
    if child_value is None:
        return direction in ("floor", "fixed")
    return judge(direction, parent_value, child_value) == LOOSENED


def param_action(parent_statement: str, child_statement: str) -> str:
    """What a definition of a parameter does, before values are compared (see judge)."""
    if parent_statement == "delegated":
        return DELEGATED if child_statement == "delegated" else FILLED
    if parent_statement == "default":
        return REPLACED
    return UNDECIDED
