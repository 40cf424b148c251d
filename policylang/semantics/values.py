"""The values the policy language computes with: the exact decimal context, rounding, calendar
arithmetic and the evaluation errors. Shared by the reference interpreter (evaluate.py) and the
registry of builtins (builtins.py), whose reference implementations use them."""

from __future__ import annotations

import calendar
import datetime as _dt
import decimal
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Optional

import attrs

from .model import Duration

CONTEXT = decimal.Context(
    prec=50,
    rounding=ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
FEN = Decimal("0.01")

# 0 / 0 (a share of an empty total, say): decimal reports it as InvalidOperation; say what it is.
# The generated modules' runtime (backends/python/runtime.py) words it the same way.
ZERO_BY_ZERO = "0 divided by 0 has no value: both the dividend and the divisor are zero (division by zero)"


def no_value_message(func: str, source: str, filtered: bool) -> str:
    """min or max of a list with no value to take (empty, filtered out, or every value none). The
    generated modules' runtime words it the same way."""
    which = "that the filter keeps " if filtered else ""
    return (f"{func}() of '{source}' has no value: no element {which}gives one "
            f"(the list is empty, or every value is none)")


def is_zero_by_zero(exc: BaseException) -> bool:
    """Whether a decimal InvalidOperation is 0 / 0 (DivisionUndefined)."""
    signals = exc.args[0] if exc.args and isinstance(exc.args[0], list) else ()
    return isinstance(exc, decimal.DivisionUndefined) or decimal.DivisionUndefined in signals
QUANTUM = {"fen": Decimal("0.01"), "jiao": Decimal("0.1"), "yuan": Decimal("1"), "unit": Decimal("1")}
ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "up": ROUND_CEILING, "down": ROUND_FLOOR}


# ---------------------------------------------------------------- errors


class EvaluationError(Exception):
    """A policy cannot be evaluated on the given inputs. field names the input or blank at fault."""

    code = "evaluation"

    def __init__(self, message: str, field: Optional[str] = None, decision: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.decision = decision

    def to_dict(self) -> dict:
        return {"error": self.code, "message": self.message, "field": self.field, "decision": self.decision}


class InputError(EvaluationError):
    code = "invalid_input"

    def __init__(self, field: str, expected: str, message: str):
        super().__init__(message, field)
        self.expected = expected

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["expected"] = self.expected
        return out


class BlankNotFilled(EvaluationError):
    """A decision needs a delegated parameter that no level filled and the caller did not supply."""

    code = "blank_not_filled"

    def __init__(self, blank: str, expected_level: str, delegated_by: str, decision: Optional[str] = None):
        message = (f"'{blank}' is a blank that {delegated_by} left for the {expected_level} level to fill; "
                   f"no level filled it, so supply it as an input")
        super().__init__(message, blank, decision)
        self.blank = blank
        self.expected_level = expected_level
        self.delegated_by = delegated_by

    def to_dict(self) -> dict:
        out = super().to_dict()
        out.update(blank=self.blank, expected_level=self.expected_level, delegated_by=self.delegated_by)
        return out


# ---------------------------------------------------------------- values and operations


def add_months(d: _dt.date, months: int) -> _dt.date:
    """Calendar months later; the day is clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise EvaluationError(f"the date {d} + {months} months is outside the calendar")
    return _dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def end_of_month(d: _dt.date) -> _dt.date:
    return _dt.date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def add_duration(d: _dt.date, dur: Duration, sign: int = 1, calendar=None) -> _dt.date:
    """d moved by dur (back when sign is -1). Working days count on `calendar` (a
    workdays.WorkCalendar: the one of the policy evaluated), which is required for them."""
    n = dur.amount * sign
    if dur.unit == "working_days":
        if calendar is None:
            from .workdays import builtin_calendar

            calendar = builtin_calendar()
        return calendar.add(d, n)
    if dur.unit == "days":
        try:
            return d + _dt.timedelta(days=n)
        except OverflowError:
            raise EvaluationError(f"the date {d} + {n} days is outside the calendar") from None
    if dur.unit == "months":
        return add_months(d, n)
    return add_months(d, 12 * n)


def round_value(x, unit: str, mode: str, money: bool):
    if x is None:
        return None
    q = QUANTUM[unit]
    result = Decimal(x).quantize(q, rounding=ROUNDING[mode], context=CONTEXT)
    if money:
        return result
    return int(result)


class NotInForce(EvaluationError):
    """The policy is evaluated on a day it is not in force (before its `effective` date or after its
    `ends` date). in_force names the policy of the same tree in force in its region that day, if any."""

    code = "not_in_force"

    def __init__(self, policy_id: str, day: _dt.date, effective: Optional[_dt.date], ends: Optional[_dt.date],
                 in_force: Optional[str], in_force_level: Optional[str]):
        super().__init__(not_in_force_message(policy_id, day, effective, ends, in_force, in_force_level), "as_of")
        self.policy_id = policy_id
        self.day = day
        self.in_force = in_force

    def to_dict(self) -> dict:
        out = super().to_dict()
        out.update(policy=self.policy_id, as_of=self.day.isoformat(), in_force=self.in_force)
        return out


def not_in_force_message(policy_id, day, effective, ends, in_force, in_force_level) -> str:
    """The message of NotInForce (the generated modules' runtime words it the same way)."""
    if effective is not None and day < effective:
        why = f"it takes effect on {effective.isoformat()}"
    else:
        why = f"it ended on {ends.isoformat()}"
    if in_force is not None:
        then = f"on {day.isoformat()} the policy in force is {in_force} ({in_force_level})"
    else:
        then = f"no policy of its tree is in force in its region on {day.isoformat()}"
    return f"{policy_id} is not in force on {day.isoformat()}: {why}; {then}"


def in_force_on(windows, day: _dt.date):
    """Of `windows` ((policy id, level, folder depth, effective, ends, chain depth), ...), the one in
    force on `day`: the deepest region folder, then the latest effective date, then the one further
    down its `extends` chain, then the first by id; None when none is in force. A window whose
    effective date is unknown is never chosen."""
    best = None
    for w in windows:
        pid, _level, folder_depth, effective, ends, chain_depth = w
        if effective is None or effective > day or (ends is not None and ends < day):
            continue
        key = (-folder_depth, -effective.toordinal(), -chain_depth, pid)
        if best is None or key < best[0]:
            best = (key, w)
    return None if best is None else best[1]


@attrs.frozen(slots=True)
class Violation:
    """A requirement (`require`) that a result breaks on the day it is evaluated for."""

    requirement: str
    label: Optional[str]
    article: Optional[str]
    policy_id: str
    level: str
    path: str
    line: int
    deadline: Optional[_dt.date]
    message: str

    def to_dict(self) -> dict:
        return {
            "requirement": self.requirement, "label": self.label, "article": self.article,
            "policy": self.policy_id, "level": self.level, "location": f"{self.path}:{self.line}",
            "deadline": self.deadline.isoformat() if self.deadline else None, "message": self.message,
        }


def violation_message(name: str, label: Optional[str], article: Optional[str], deadline: Optional[_dt.date],
                      day: _dt.date) -> str:
    """The message of a Violation (the generated modules' runtime words it the same way)."""
    what = f"{label} ({name})" if label else name
    due = f", due by {deadline.isoformat()}" if deadline is not None else ""
    where = f", article {article}" if article else ""
    return f"the requirement {what} is not met on {day.isoformat()}{due}{where}"
