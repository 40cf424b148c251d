# ---------------------------------------------------------------- runtime
# The same in every generated module (copied from policylang/backends/python/runtime.py).
# It mirrors the reference interpreter (policylang/semantics/evaluate.py): the same
# decimal context, rounding, date arithmetic, input validation and error messages.

import datetime
import decimal
from bisect import bisect_left as _bisect_left, bisect_right as _bisect_right
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any, Literal, Mapping, Optional, TypedDict

# Exact arithmetic: 50 significant digits; an impossible operation is an error, never NaN or infinity.
_CTX = decimal.Context(
    prec=50,
    rounding=ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_add = _CTX.add
_sub = _CTX.subtract
_mul = _CTX.multiply
_div = _CTX.divide
_minus = _CTX.minus
_Decimal = Decimal
_FEN = Decimal("0.01")
_ZERO = Decimal(0)
_ONE = Decimal(1)
_JIAO = Decimal("0.1")
_YUAN = Decimal("1")
_QUANTUM = {"fen": Decimal("0.01"), "jiao": Decimal("0.1"), "yuan": Decimal("1"), "unit": Decimal("1")}
_ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "up": ROUND_CEILING, "down": ROUND_FLOOR}
_UNSET = object()  # marks a value not computed yet, or an input not supplied
_new_object = object.__new__
_set_attribute = object.__setattr__


class EvaluationError(Exception):
    """The policy cannot be evaluated on the given inputs. field names the input or blank at fault."""

    code = "evaluation"

    def __init__(self, message: str, field: Optional[str] = None, decision: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.decision = decision

    def to_dict(self) -> dict:
        return {"error": self.code, "message": self.message, "field": self.field, "decision": self.decision}


class InputError(EvaluationError):
    """An input is missing, unknown, or not of its declared type."""

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


@dataclass(frozen=True)
class Duration:
    """A period: amount days, months or years."""

    amount: int
    unit: str  # 'days' | 'months' | 'years' | 'working_days'

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.replace('_', ' ')}"


@dataclass(frozen=True)
class TraceStep:
    """One rule that took part in deciding a value, and where the policy says it."""

    kind: str  # 'rule' (the formula, case or row that decided) | 'param' | 'no_rule'
    name: str
    detail: str
    policy_id: str
    level: str
    path: str
    line: int
    article: Optional[str]
    label: Optional[str]
    value: Any = None

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "name": self.name, "detail": self.detail, "policy": self.policy_id,
            "level": self.level, "location": f"{self.path}:{self.line}", "article": self.article,
            "label": self.label,
        }

    def __str__(self) -> str:
        where = f"{self.level} {self.policy_id}, {self.path}:{self.line}"
        article = f", article {self.article}" if self.article else ""
        label = f" {self.label}" if self.label else ""
        return f"{self.kind} {self.name}: {self.detail}{label} ({where}{article})"


class NotInForce(EvaluationError):
    """The policy is evaluated on a day it is not in force; in_force names the policy of its tree in
    force in its region that day (None: none is)."""

    code = "not_in_force"

    def __init__(self, policy_id, day, effective, ends, in_force, in_force_level):
        if effective is not None and day < effective:
            why = f"it takes effect on {effective.isoformat()}"
        else:
            why = f"it ended on {ends.isoformat()}"
        if in_force is not None:
            then = f"on {day.isoformat()} the policy in force is {in_force} ({in_force_level})"
        else:
            then = f"no policy of its tree is in force in its region on {day.isoformat()}"
        super().__init__(f"{policy_id} is not in force on {day.isoformat()}: {why}; {then}", "as_of")
        self.policy_id = policy_id
        self.day = day
        self.in_force = in_force

    def to_dict(self) -> dict:
        out = super().to_dict()
        out.update(policy=self.policy_id, as_of=self.day.isoformat(), in_force=self.in_force)
        return out


def _in_force_on(windows, day):
    """Of (policy id, level, folder depth, effective, ends, chain depth) windows, the one in force on
    day: the deepest folder, the latest effective date, the furthest down its chain, the first id."""
    best = None
    for w in windows:
        pid, _level, folder_depth, effective, ends, chain_depth = w
        if effective is None or effective > day or (ends is not None and ends < day):
            continue
        key = (-folder_depth, -effective.toordinal(), -chain_depth, pid)
        if best is None or key < best[0]:
            best = (key, w)
    return None if best is None else best[1]


def _window_check(policy_id, effective, ends, windows):
    """check(day): raise NotInForce when the policy is not in force on day."""
    first = effective or datetime.date.min
    last = ends or datetime.date.max

    def check(day):
        if day < first or day > last:
            other = _in_force_on(windows, day)
            raise NotInForce(policy_id, day, effective, ends, other[0] if other else None,
                             other[1] if other else None)

    return check


@dataclass(frozen=True)
class Violation:
    """A requirement (`require`) that a result breaks on the day it is evaluated for."""

    requirement: str
    label: Optional[str]
    article: Optional[str]
    policy_id: str
    level: str
    path: str
    line: int
    deadline: Optional[datetime.date]
    message: str

    def to_dict(self) -> dict:
        return {
            "requirement": self.requirement, "label": self.label, "article": self.article,
            "policy": self.policy_id, "level": self.level, "location": f"{self.path}:{self.line}",
            "deadline": self.deadline.isoformat() if self.deadline else None, "message": self.message,
        }

    def __str__(self) -> str:
        return f"{self.message} ({self.level} {self.policy_id}, {self.path}:{self.line})"


def _violations(run, requirements) -> tuple:
    """The requirements broken on run's day: ((requirement, label, article, policy, level, file, line),
    deadline, condition method) each; a condition that cannot be computed breaks nothing."""
    out = []
    day = run.as_of
    for info, deadline, method in requirements:
        if deadline is not None and day < deadline:
            continue
        try:
            held = method(run)
        except (EvaluationError, KeyError, ArithmeticError):
            continue
        if held is False:
            name, label, article = info[0], info[1], info[2]
            what = f"{label} ({name})" if label else name
            due = f", due by {deadline.isoformat()}" if deadline is not None else ""
            where = f", article {article}" if article else ""
            out.append(Violation(*info, deadline, f"the requirement {what} is not met on {day.isoformat()}{due}{where}"))
    return tuple(out)


# ---------------------------------------------------------------- dates


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_fromisoformat = datetime.date.fromisoformat
_date = datetime.date


def _days_in_month(year: int, month: int) -> int:
    """calendar.monthrange(year, month)[1], without computing the weekday."""
    if month != 2:
        return _MONTH_DAYS[month]
    return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28


def _add_months(d: datetime.date, months: int) -> datetime.date:
    """Calendar months later; the day is clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    year, month = divmod(d.year * 12 + d.month - 1 + months, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise EvaluationError(f"the date {d} + {months} months is outside the calendar")
    day = d.day
    if day > 28:
        day = min(day, _days_in_month(year, month))
    return _date(year, month, day)


def _end_of_month(d: datetime.date) -> datetime.date:
    return _date(d.year, d.month, _days_in_month(d.year, d.month))


_MONTH_ENDS: dict = {}  # (d, months) -> _month_end_after(d, months), for the dates cases repeat
_MONTH_ENDS_KEPT = 4096


def _month_end_after(d: datetime.date, months: int) -> datetime.date:
    """_end_of_month(_add_months(d, months)) in one step (the usual deadline: "the end of the
    month after acceptance"); the day of d does not matter. The answers for up to 4,096 (d, months)
    are remembered (claims repeat their dates)."""
    end = _MONTH_ENDS.get((d, months))
    if end is None:
        end = _month_end_of(d, months)
        if len(_MONTH_ENDS) < _MONTH_ENDS_KEPT:
            _MONTH_ENDS[(d, months)] = end
    return end


def _month_end_of(d: datetime.date, months: int) -> datetime.date:
    year, month = divmod(d.year * 12 + d.month - 1 + months, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise EvaluationError(f"the date {d} + {months} months is outside the calendar")
    if month != 2:
        return _date(year, month, _MONTH_DAYS[month])
    return _date(year, 2, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28)


# ---------------------------------------------------------------- working days
# The same arithmetic as policylang/semantics/workdays.py, on the years a module embeds (_WORKDAYS).


class CalendarNotCovered(EvaluationError):
    """A working-day count reaches a day of a year the module's calendar does not hold."""

    code = "calendar_not_covered"

    def __init__(self, day: datetime.date, years, known):
        super().__init__(_not_covered_message(day, years, known))
        self.day = day
        self.years = tuple(sorted(years))

    def to_dict(self) -> dict:
        out = super().to_dict()
        out.update(date=self.day.isoformat(), covered=list(self.years))
        return out


def _years_text(years) -> str:
    runs = []
    for y in sorted(years):
        if runs and runs[-1][1] == y - 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs) or "no year"


def _not_covered_message(day: datetime.date, years, known) -> str:
    years, known = tuple(sorted(years)), tuple(sorted(set(known) | set(years)))
    if day.year in known:
        return (f"working days cannot be counted on {day.isoformat()}: this policy counts them on the years "
                f"of its window and one either side ({_years_text(years)}), and {day.year} is not one of them")
    return (f"working days cannot be counted on {day.isoformat()}: the working-day calendar has no "
            f"arrangement of the State Council for {day.year} (it covers {_years_text(known)}); "
            f"a policy tree adds a year with a `calendar {day.year}` declaration")


@dataclass(frozen=True)
class WorkCalendar:
    """The working days of some years: each year's days off and weekend days worked (调休上班)."""

    years: frozenset
    known: frozenset
    off: frozenset
    on: frozenset
    days: tuple = ()  # the day numbers of every working day of the years, in order

    def is_working_day(self, day: datetime.date) -> bool:
        if day.year not in self.years:
            raise CalendarNotCovered(day, self.years, self.known)
        if day in self.on:
            return True
        return day.weekday() < 5 and day not in self.off

    def add(self, day: datetime.date, n: int) -> datetime.date:
        """The n-th working day after day (before it when n < 0); day itself when n == 0. Counting
        stops at the first day of a year the module does not hold (CalendarNotCovered names it)."""
        if day.year not in self.years:
            raise CalendarNotCovered(day, self.years, self.known)
        if n == 0:
            return day
        days, o = self.days, day.toordinal()
        if n > 0:
            j = _bisect_right(days, o) + n - 1
            end = datetime.date.fromordinal(days[j]) if j < len(days) else None
            last = end.year if end is not None else max(self.years) + 1
            for y in range(day.year + 1, last + 1):
                if y not in self.years:
                    raise CalendarNotCovered(datetime.date(y, 1, 1), self.years, self.known)
            return end
        j = _bisect_left(days, o) + n
        end = datetime.date.fromordinal(days[j]) if j >= 0 else None
        first = end.year if end is not None else min(self.years) - 1
        for y in range(day.year - 1, first - 1, -1):
            if y not in self.years:
                raise CalendarNotCovered(datetime.date(y, 12, 31), self.years, self.known)
        return end


def _work_calendar(arrangements: dict, known=()) -> WorkCalendar:
    """A WorkCalendar from {year: ((spans of days off (first, last), ...), (weekend days worked, ...))}."""
    off, on = set(), set()
    for spans, worked in arrangements.values():
        for first, last in spans:
            day, last = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
            while day <= last:
                off.add(day)
                day += datetime.timedelta(days=1)
        on.update(datetime.date.fromisoformat(d) for d in worked)
    years = frozenset(arrangements)
    off, on = frozenset(off - on), frozenset(on)
    days = []
    for year in sorted(years):
        day = datetime.date(year, 1, 1)
        while day.year == year:
            if day in on or (day.weekday() < 5 and day not in off):
                days.append(day.toordinal())
            day += datetime.timedelta(days=1)
    return WorkCalendar(years, frozenset(known) | years, off, on, tuple(days))


def _add_duration(d: datetime.date, dur: Duration, sign: int = 1, cal: Optional[WorkCalendar] = None) -> datetime.date:
    n = dur.amount * sign
    if dur.unit == "working_days":
        if cal is None:
            raise EvaluationError(f"{dur} cannot be counted: this module holds no working-day calendar")
        return cal.add(d, n)
    if dur.unit == "days":
        try:
            return d + datetime.timedelta(days=n)
        except OverflowError:
            raise EvaluationError(f"the date {d} + {n} days is outside the calendar") from None
    if dur.unit == "months":
        return _add_months(d, n)
    return _add_months(d, 12 * n)


def _add_days(d: datetime.date, n) -> datetime.date:
    return _add_duration(d, Duration(int(n), "days"))


def _add_months_n(d: datetime.date, n) -> datetime.date:
    return _add_months(d, int(n))


def _add_years(d: datetime.date, n) -> datetime.date:
    return _add_months(d, 12 * int(n))


def _days_between(a: datetime.date, b: datetime.date) -> int:
    return (b - a).days


def _year(d: datetime.date) -> int:
    return d.year


def _month(d: datetime.date) -> int:
    return d.month


def _day(d: datetime.date) -> int:
    return d.day


# ---------------------------------------------------------------- values that may be none


def _arith(op: str, a, b, cal: Optional[WorkCalendar] = None):
    """+ - * / with none propagating, dates and periods, exactly as the interpreter's arith();
    cal: the module's working-day calendar (_WORKDAYS), for `date + N working days`."""
    if a is None or b is None:
        return None
    if isinstance(a, datetime.date) and isinstance(b, Duration):
        return _add_duration(a, b, 1 if op == "+" else -1, cal)
    if isinstance(b, datetime.date) and isinstance(a, Duration):
        return _add_duration(b, a, 1, cal)
    if isinstance(a, Duration) or isinstance(b, Duration):
        if isinstance(a, Duration) and isinstance(b, Duration):
            if a.unit != b.unit:
                raise EvaluationError(f"cannot combine {a} and {b}: the units differ")
            return Duration(a.amount + b.amount if op == "+" else a.amount - b.amount, a.unit)
        dur, n = (a, b) if isinstance(a, Duration) else (b, a)
        return Duration(dur.amount * int(n), dur.unit)
    if isinstance(a, int) and isinstance(b, int) and op != "/":
        return a + b if op == "+" else a - b if op == "-" else a * b
    if op == "+":
        return _add(a, b)
    if op == "-":
        return _sub(a, b)
    if op == "*":
        return _mul(a, b)
    return _div(a, b)


def _lt(a, b):
    return None if a is None or b is None else a < b


def _le(a, b):
    return None if a is None or b is None else a <= b


def _gt(a, b):
    return None if a is None or b is None else a > b


def _ge(a, b):
    return None if a is None or b is None else a >= b


def _neg(v):
    if v is None:
        return None
    if isinstance(v, Duration):
        return Duration(-v.amount, v.unit)
    return -v if isinstance(v, int) else _CTX.minus(v)


def _abs(v):
    """abs() as the interpreter computes it: ints stay ints, Decimals in the exact context."""
    return abs(v) if isinstance(v, int) else _CTX.abs(v)


def _opt(function, *args):
    """function(*args), or none when an argument is none (not applicable)."""
    for arg in args:
        if arg is None:
            return None
    return function(*args)


def _opt_lazy(function, *thunks):
    """function(*values of thunks), evaluated left to right; the first none is the result."""
    args = []
    for thunk in thunks:
        value = thunk()
        if value is None:
            return None
        args.append(value)
    return function(*args)


def _round(x, unit: str, mode: str, money: bool):
    if x is None:
        return None
    result = Decimal(x).quantize(_QUANTUM[unit], _ROUNDING[mode], _CTX)
    if money:
        return result
    return int(result)


def _to_money(value):
    """A money decision's value as it leaves the decision: quantized to the fen, half up."""
    if value is None:
        return None
    return (value if isinstance(value, Decimal) else Decimal(value)).quantize(_FEN, ROUND_HALF_UP, _CTX)


def _to_count(value):
    return int(value) if isinstance(value, Decimal) else value


def _to_decimal(value):
    return Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else value


# ---------------------------------------------------------------- input validation

_TYPE_WORDS = {
    "money": "an amount in yuan (a decimal number such as 469 or \"469.00\", at most two decimals, not negative)",
    "percent": "a percentage (\"80%\" or a fraction such as 0.8, between 0 and 1)",
    "decimal": "a decimal number",
    "count": "a whole number, not negative",
    "bool": "true or false",
    "date": "a date written YYYY-MM-DD",
    "duration": "a period such as \"2 years\"",
    "text": "a text",
    "list": "a list of records (a JSON array of objects)",
}


def _expected_words(kind: str, members=()) -> str:
    if kind == "enum":
        return f"one of: {', '.join(members)}"
    return _TYPE_WORDS.get(kind, kind)


# A number given as input is bounded before it is converted (an 11-character "1e999999" or a
# 4,301-digit integer must not cost minutes): at most _MAX_NUMBER_TEXT characters written, less
# than 10**48 in size (the largest amount of money the arithmetic holds to the fen). Written as a
# text it is plain decimal notation: digits, at most one point, a minus sign for a decimal; no
# "+", no exponent ("1e3"), no separators. Full-width digits, point, minus and percent sign
# (１２３．５０, as a Chinese input method types them) are read as their ASCII forms; other
# scripts' digits (٣) are refused. Spaces around the number are ignored (CSV cells carry them).
_MAX_NUMBER_TEXT = 64
_MAX_DIGITS = 48
_INT_LIMIT = 10 ** _MAX_DIGITS
_MAX_PERIOD = 3_660_000  # days: ten thousand years, more than any date reaches
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－％", "0123456789.-%")
_plain_number = __import__("re").compile(r"-?[0-9]+(?:\.[0-9]+)?").fullmatch
_plain_fast = __import__("re").compile(r"[0-9]{1,20}(?:\.[0-9]{1,20})?").fullmatch


_DATE_TYPES = (datetime.date, datetime.timedelta)


def _shown(raw) -> str:
    """The value as a message quotes it: at most 40 characters of its repr; a list or an object by
    its kind (never its repr, which may be nested a hundred thousand deep)."""
    if isinstance(raw, str):
        text = repr(raw[:41])
    elif isinstance(raw, int) and not -_INT_LIMIT < raw < _INT_LIMIT:
        return "an integer of more than 48 digits"
    elif raw is None or isinstance(raw, (int, float, Decimal, _DATE_TYPES)):
        text = repr(raw)
    else:
        return f"a {type(raw).__name__}"
    return text if len(text) <= 40 else text[:37] + "..."


def _number_text(name: str, raw: str, kind: str, members) -> Decimal:
    text = raw.strip()
    if len(text) > _MAX_NUMBER_TEXT:
        raise InputError(name, kind, f"'{name}' is too long to be a number ({len(text)} characters; at most "
                                     f"{_MAX_NUMBER_TEXT})")
    text = text.translate(_FULL_WIDTH)
    if not _plain_number(text):
        raise InputError(name, kind, f"'{name}' must be {_expected_words(kind, members)}, not {_shown(raw)}")
    return Decimal(text)


def _number(name: str, raw, kind: str, members) -> Decimal:
    if isinstance(raw, bool):
        raise InputError(name, kind, f"'{name}' must be {_expected_words(kind, members)}, not {raw!r}")
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        if not -_INT_LIMIT < raw < _INT_LIMIT:  # compared, never converted: a huge int costs nothing here
            raise InputError(name, kind, f"'{name}' is too large ({_shown(raw)}): a number given as input has "
                                         f"fewer than {_MAX_DIGITS + 1} digits before the point")
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))  # the decimal the caller wrote, not the binary approximation
    elif isinstance(raw, str):
        value = _number_text(name, raw, kind, members)
    else:
        raise InputError(name, kind, f"'{name}' must be {_expected_words(kind, members)}, not {type(raw).__name__}")
    if not value.is_finite():
        raise InputError(name, kind, f"'{name}' must be a finite number, not {_shown(raw)}")
    if value and value.adjusted() >= _MAX_DIGITS:
        raise InputError(name, kind, f"'{name}' is too large ({_shown(raw)}): a number given as input has "
                                     f"fewer than {_MAX_DIGITS + 1} digits before the point")
    return value


def _no_value(name: str, kind: str, members=()):
    return InputError(name, kind, f"'{name}' has no value; expected {_expected_words(kind, members)}")


# Each validator first tries the usual case in a few operations and returns only when it is
# valid; everything else (other types, whitespace, errors) takes the full path below it, which
# gives exactly the interpreter's result or message.


def _coerce_money(name: str, raw, members=()):
    # (quantize's arguments are positional: by keyword the call costs twice as much)
    cls = raw.__class__
    if cls is str and _plain_fast(raw):
        try:
            value = _Decimal(raw)
            at_fen = value.quantize(_FEN, None, _CTX)
            if at_fen == value and at_fen >= _ZERO:  # a NaN is unequal to itself, so never compared
                return at_fen
        except decimal.InvalidOperation:
            pass
    elif cls is Decimal:
        try:
            at_fen = raw.quantize(_FEN, None, _CTX)
            if at_fen == raw and not at_fen.is_signed():  # -0 is signed: the full path refuses it
                return at_fen
        except decimal.InvalidOperation:
            pass
    if raw is None:
        raise _no_value(name, "money")
    value = _number(name, raw, "money", members)
    if value.is_signed():  # -0 too: a sign an official would not mean
        raise InputError(name, "money", f"'{name}' is negative ({_shown(raw)}); an amount of money cannot be")
    try:
        at_fen = value.quantize(_FEN, None, _CTX)
    except decimal.InvalidOperation:  # more than 48 digits before the point
        raise InputError(name, "money", f"'{name}' is too large ({_shown(raw)}) to be an amount of money") from None
    if value != at_fen:
        raise InputError(name, "money", f"'{name}' has fractions of a fen ({_shown(raw)}); money has at most two "
                                        "decimals")
    return at_fen


def _coerce_percent(name: str, raw, members=()):
    cls = raw.__class__
    if cls is Decimal:
        if raw.is_finite() and _ZERO <= raw <= _ONE and not raw.is_signed():
            return raw
    elif cls is str and _plain_fast(raw[:-1] if raw[-1:] == "%" else raw):
        value = _div(_Decimal(raw[:-1]), 100) if raw[-1:] == "%" else _Decimal(raw)
        if value <= _ONE:
            return value
    if raw is None:
        raise _no_value(name, "percent")
    text = raw.strip().translate(_FULL_WIDTH) if isinstance(raw, str) else None
    if text is not None and text.endswith("%"):
        value = _div(_number(name, text[:-1], "percent", members), 100)
    else:
        value = _number(name, raw, "percent", members)
    if not _ZERO <= value <= _ONE or value.is_signed():
        raise InputError(name, "percent", f"'{name}' is {_shown(raw) if not isinstance(raw, str) else raw.strip()[:40]}, "
                                          "outside 0%–100%")
    return value


def _coerce_percent_up_to(name: str, raw, limit):
    """A percent declared `percent up to N%`: from 0 to limit (N/100); _INPUT_SPECS gives the limit
    where other coercers get enum members."""
    if raw is None:
        raise _no_value(name, "percent")
    text = raw.strip().translate(_FULL_WIDTH) if isinstance(raw, str) else None
    if text is not None and text.endswith("%"):
        value = _div(_number(name, text[:-1], "percent", ()), 100)
    else:
        value = _number(name, raw, "percent", ())
    if not Decimal(0) <= value <= limit or value.is_signed():
        shown = _shown(raw) if not isinstance(raw, str) else raw.strip()[:40]
        raise InputError(name, "percent", f"'{name}' is {shown}, outside 0%–{_percent_text(limit)}%")
    return value


def _percent_text(fraction) -> str:
    text = format(fraction * 100, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _coerce_decimal(name: str, raw, members=()):
    if raw.__class__ is Decimal and raw.is_finite() and (not raw or raw.adjusted() < _MAX_DIGITS):
        return raw
    if raw is None:
        raise _no_value(name, "decimal")
    return _number(name, raw, "decimal", members)


def _coerce_count(name: str, raw, members=()):
    cls = raw.__class__
    if cls is int and 0 <= raw < _INT_LIMIT:
        return raw
    if cls is str and len(raw) <= 20 and raw.isascii() and raw.isdigit():  # a CSV cell: "3"
        return int(raw)
    if raw is None:
        raise _no_value(name, "count")
    value = _number(name, raw, "count", members)
    if value != value.to_integral_value():
        raise InputError(name, "count", f"'{name}' must be a whole number, not {_shown(raw)}")
    if value.is_signed():
        raise InputError(name, "count", f"'{name}' cannot be negative ({_shown(raw)})")
    return int(value)


def _coerce_bool(name: str, raw, members=()):
    if raw.__class__ is bool:
        return raw
    if raw is None:
        raise _no_value(name, "bool")
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "yes", "是", "1"):
        return True
    if isinstance(raw, str) and raw.strip().lower() in ("false", "no", "否", "0"):
        return False
    raise InputError(name, "bool", f"'{name}' must be true or false, not {_shown(raw)}")


def _coerce_date(name: str, raw, members=()):
    if raw.__class__ is str and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        try:
            return _fromisoformat(raw)
        except ValueError:
            pass
    elif raw.__class__ is datetime.date:
        return raw
    if raw is None:
        raise _no_value(name, "date")
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                pass
    raise InputError(name, "date", f"'{name}' must be a date written YYYY-MM-DD, not {_shown(raw)}")


def _coerce_text(name: str, raw, members=()):
    if raw.__class__ is str:
        return raw
    if raw is None:
        raise _no_value(name, "text")
    if isinstance(raw, str):
        return raw
    raise InputError(name, "text", f"'{name}' must be a text, not {_shown(raw)}")


def _coerce_enum(name: str, raw, members=()):
    if raw.__class__ is str and raw in members:
        return raw
    if raw is None:
        raise _no_value(name, "enum", members)
    if isinstance(raw, str) and raw in members:
        return raw
    import difflib

    close = difflib.get_close_matches(raw, list(members), n=1) if isinstance(raw, str) and len(raw) <= 100 else ()
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise InputError(name, "enum", f"'{name}' must be one of {', '.join(members)}, not {_shown(raw)}{hint}")


def _coerce_duration(name: str, raw, members=()):
    if raw is None:
        raise _no_value(name, "duration")
    if isinstance(raw, Duration) and isinstance(raw.amount, int) and 0 <= raw.amount <= _MAX_PERIOD:
        return raw
    if isinstance(raw, str) and len(raw) <= _MAX_NUMBER_TEXT:
        parts = raw.translate(_FULL_WIDTH).split()
        if len(parts) == 2 and _plain_number(parts[0]) and parts[0].isdigit() and len(parts[0]) <= 7 \
                and int(parts[0]) <= _MAX_PERIOD and parts[1] in ("day", "days", "month", "months", "year", "years"):
            unit = parts[1] if parts[1].endswith("s") else parts[1] + "s"
            return Duration(int(parts[0]), unit)
    raise InputError(name, "duration", f"'{name}' must be a period such as \"2 years\", not {_shown(raw)}")


def _coerce_records(name: str, raw, record: str, fields: tuple) -> tuple:
    """A list input, as the interpreter's coerce_records(): every element validated, an error naming
    the element by its index from 0; fields: (name, validator, optional, enum members) of each field."""
    names = ", ".join(f[0] for f in fields)
    if not isinstance(raw, (list, tuple)):
        raise InputError(name, "list", f"'{name}' must be a list of {record} records (objects with the fields "
                                       f"{names}), not {type(raw).__name__}")
    out = []
    for index, element in enumerate(raw):
        where = f"{name}[{index}]"
        if not isinstance(element, Mapping):
            raise InputError(where, "object", f"'{where}' must be an object with the fields {names}, "
                                              f"not {type(element).__name__}")
        known = [f[0] for f in fields]
        for key in element:
            if key not in known:
                import difflib

                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f"; its fields are {names}"
                raise InputError(f"{where}.{key}", "a known field", f"'{where}.{key}' is not a field of {record}{hint}")
        values = {}
        for field_name, coerce, optional, members in fields:
            value = element.get(field_name)
            if value is None and optional:
                values[field_name] = None
                continue
            if value is None:
                kind = "enum" if members else {_coerce_money: "money", _coerce_percent: "percent",
                                               _coerce_decimal: "decimal", _coerce_count: "count",
                                               _coerce_bool: "bool", _coerce_date: "date",
                                               _coerce_duration: "duration"}.get(coerce, "text")
                raise _no_value(f"{where}.{field_name}", kind, members)
            values[field_name] = coerce(f"{where}.{field_name}", value, members)
        out.append(values)
    return tuple(out)


# ---------------------------------------------------------------- aggregates over a list input
# (the reference implementations: AGGREGATES in policylang/semantics/builtins.py)


def _agg_sum(values, zero):
    total = zero
    for v in values:
        if v is None:
            continue
        total = total + v if isinstance(total, int) and isinstance(v, int) else _CTX.add(total, v)
    return total


def _agg_count(values):
    return sum(1 for _ in values)


def _no_value_message(func: str, source: str, filtered: bool) -> str:
    which = "that the filter keeps " if filtered else ""
    return (f"{func}() of '{source}' has no value: no element {which}gives one "
            f"(the list is empty, or every value is none)")


def _agg_min(values, source, filtered):
    best = None
    for v in values:
        if v is not None and (best is None or v < best):
            best = v
    if best is None:
        raise EvaluationError(_no_value_message("min", source, filtered))
    return best


def _agg_max(values, source, filtered):
    best = None
    for v in values:
        if v is not None and (best is None or v > best):
            best = v
    if best is None:
        raise EvaluationError(_no_value_message("max", source, filtered))
    return best


def _agg_all(values):
    for v in values:
        if v is not True:
            return False
    return True


def _agg_any(values):
    for v in values:
        if v is True:
            return True
    return False


def _read_inputs(raw, specs: dict, policy_id: str) -> dict:
    """Validate the caller's inputs in the order given; the first bad one raises InputError."""
    if not isinstance(raw, Mapping):
        raise InputError("", "object", "the inputs must be an object mapping input names to values")
    values = {}
    for key, value in raw.items():
        spec = specs.get(key)
        if spec is None:
            import difflib

            key = str(key)
            close = difflib.get_close_matches(key, list(specs), n=1) if len(key) <= 100 else ()
            hint = f"; did you mean '{close[0]}'?" if close else ""
            shown = key if len(key) <= 40 else key[:37] + "..."
            raise InputError(key, "a known input", f"'{shown}' is not an input of {policy_id}{hint}")
        coerce, optional, members = spec
        if value is None and optional:
            continue
        values[key] = coerce(key, value, members)
    return values


# ---------------------------------------------------------------- one evaluation


class Validated(dict):
    """Inputs checked and converted by validate(): evaluate(), decide() and the decision
    functions take them as they are, without checking them again. Read-only, since results
    keep them to explain themselves later (copy() gives a dict to change)."""

    __slots__ = ()

    def _read_only(self, *args, **kwargs):
        raise TypeError("validated inputs cannot be changed; validate() a changed copy instead")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self):  # pickle and copy build it whole, never item by item
        return (self.__class__, (dict(self),))


class _Unusual(Exception):
    """Raised by _validate_fast() for inputs it leaves to _read_inputs() (an unknown name)."""



class _RunBase:
    """The state of one evaluation: validated inputs, the date, memoized values, the trace."""

    __slots__ = ("v", "as_of", "trace", "current", "params_seen")
    input_types: dict = {}  # {input: (type, enum members)} of the policy, set by its _Run class

    def __init__(self, values: dict, as_of: datetime.date, trace: Optional[dict]):
        self.v = values
        self.as_of = as_of
        self.trace = trace  # None unless explaining: {decision: [TraceStep, ...]}
        self.current = None  # the decision being computed
        self.params_seen = set()

    def rule_step(self, info: tuple, value) -> None:
        self.trace.setdefault(info[1], []).append(TraceStep(*info, value))

    def param_step(self, info: tuple, value) -> None:
        # Like the interpreter, a parameter is explained once per evaluation, under the
        # decision that read it first.
        if info[1] in self.params_seen or self.current is None:
            return
        self.params_seen.add(info[1])
        self.trace.setdefault(self.current, []).append(TraceStep(*info, value))

    def failure(self, exc: Exception, decision: str) -> Exception:
        """The error to raise when computing `decision` failed with exc."""
        if isinstance(exc, EvaluationError):
            if exc.decision is None:
                exc.decision = decision
            return exc
        if isinstance(exc, KeyError) and exc.args and exc.args[0] in self.input_types:
            name = exc.args[0]
            kind, members = self.input_types[name]
            error = InputError(name, kind, f"the input '{name}' is missing, needed by '{decision}'; "
                                           f"expected {_expected_words(kind, members)}")
        elif isinstance(exc, decimal.DivisionByZero):
            error = EvaluationError("division by zero")
        elif isinstance(exc, decimal.InvalidOperation) and decimal.DivisionUndefined in (
                exc.args[0] if exc.args and isinstance(exc.args[0], list) else ()):
            error = EvaluationError(
                "0 divided by 0 has no value: both the dividend and the divisor are zero (division by zero)")
        elif isinstance(exc, (decimal.InvalidOperation, decimal.Overflow)):
            error = EvaluationError(f"the arithmetic failed: {exc.__class__.__name__}")
        else:
            return exc
        error.decision = decision
        error.__suppress_context__ = True
        return error


# ---------------------------------------------------------------- the functions every module exports


def _as_of_date(as_of) -> datetime.date:
    """The evaluation date: a datetime.date (not a datetime), or None for today. The same rule in
    every generated module and in the reference interpreter."""
    if as_of is None:
        return datetime.date.today()
    if as_of.__class__ is _date or (isinstance(as_of, datetime.date) and not isinstance(as_of, datetime.datetime)):
        return as_of
    what = "a datetime (pass its .date())" if isinstance(as_of, datetime.datetime) else _shown(as_of)
    raise InputError("as_of", "date", f"as_of must be a date (datetime.date), not {what}")


def _show(value) -> str:
    if value is None:
        return "none (not applicable)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _ResultBase:
    """What every policy's Result has: as_dict(), trace and explain(). A subclass lists its
    fields as _FIELDS ((name in the policy, attribute), ...) and gets _explain from _api()."""

    __slots__ = ()
    _FIELDS: tuple = ()

    def as_dict(self) -> dict:
        """{decision name as written in the policy: value}."""
        return {name: getattr(self, attribute) for name, attribute in self._FIELDS}

    @property
    def trace(self) -> dict:
        """{decision: (TraceStep, ...)}: the rules and parameters that decided each value."""
        values, as_of, trace = self._case
        if trace is None:  # computed without explanations: explain now, from the same inputs
            trace = self._explain(values, as_of)
        return trace

    @property
    def violations(self) -> tuple:
        """(Violation, ...): the requirements this case breaks on its day (the values are still given)."""
        values, as_of, _trace = self._case
        return self._violations_of(values, as_of)

    def explain(self) -> str:
        """A readable account: each decision, its value, and the rules that decided it; then the
        requirements the case breaks."""
        lines = []
        trace = self.trace
        for name, value in self.as_dict().items():
            lines.append(f"{name} = {_show(value)}")
            for step in trace.get(name, ()):
                lines.append(f"    {step}")
        for violation in self.violations:
            lines.append(f"violation: {violation}")
        return "\n".join(lines)


# What the straight-line evaluation and validation may raise: the lazy evaluator and
# _read_inputs() then say what is wrong. Any other exception is a fault of the module itself.
_FAST_FAILURES = (KeyError, EvaluationError, ArithmeticError)
_VALIDATE_FAILURES = (_Unusual, EvaluationError)


def _api(policy_id, decisions, run_class, result_class, validate_fast, decide_fast, input_specs, methods,
         in_force=None, requirements=()):
    """The public functions of one policy's module (evaluate, decide, decide_each, validate) and the
    internal ones its decision functions use, built from the module's own parts. in_force(day) raises
    NotInForce on a day the policy is not in force; requirements are what _violations() checks."""
    getters = tuple(methods[name] for name in decisions)
    if in_force is None:
        def in_force(day):
            return None

    def _validated(inputs):
        if inputs.__class__ is Validated:
            return inputs
        if inputs.__class__ is dict:
            try:
                return validate_fast(inputs)
            except _VALIDATE_FAILURES:
                pass  # not the usual case: _read_inputs() finds the first bad input and says what is wrong
        return _read_inputs(inputs, input_specs, policy_id)

    def _start(inputs, as_of, trace):
        as_of = _as_of_date(as_of)
        in_force(as_of)
        return run_class(_validated(inputs), as_of, trace)

    def _evaluate(values, as_of, explain):
        run = run_class(values, as_of, {} if explain else None)
        result = result_class(*[get(run) for get in getters])
        trace = None
        if explain:
            trace = {name: tuple(run.trace.get(name, ())) for name in decisions}
        return result, trace

    def validate(inputs: Mapping[str, Any]) -> Validated:
        """The inputs checked and converted (money and percents as Decimal, dates as datetime.date),
        for evaluating them more than once: evaluate(validate(inputs), as_of=...) does not check
        them again. Raises InputError as evaluate() would."""
        values = _validated(inputs)
        return values if values.__class__ is Validated else Validated(values)

    def evaluate(inputs: Mapping[str, Any], *, as_of: Optional[datetime.date] = None,
                 explain: bool = False):
        """Every decision for one case. Raises InputError for a bad or missing input (or an as_of
        that is not a date) and BlankNotFilled when a decision needs a blank that no level filled
        and inputs do not give.
        inputs: a mapping of input names to values, or what validate() returned for them.
        as_of: the evaluation date, a datetime.date (default: today)."""
        if as_of.__class__ is not _date:
            as_of = _as_of_date(as_of)
        in_force(as_of)
        values = inputs if inputs.__class__ is Validated else _validated(inputs)
        if not explain:
            try:
                return decide_fast(values, as_of)
            except _FAST_FAILURES:
                pass  # not the usual case: the lazy evaluator below finds what is wrong and says it
        result, trace = _evaluate(values, as_of, explain)
        _set_attribute(result, "_case", (values, as_of, trace))
        return result

    def decide(inputs: Mapping[str, Any], decisions, *, as_of: Optional[datetime.date] = None,
               explain: bool = False) -> tuple:
        """Only the named decisions (and what they need): ({name: value}, {name: trace steps})."""
        run = _start(inputs, as_of, {} if explain else None)
        values = {}
        for name in decisions:
            method = methods.get(name)
            if method is None:
                import difflib

                close = difflib.get_close_matches(name, list(methods), n=1)
                raise EvaluationError(f"'{name}' is not a decision of {policy_id}"
                                      + (f"; did you mean '{close[0]}'?" if close else ""), field=name)
            values[name] = method(run)
        trace = {name: tuple(run.trace.get(name, ())) for name in values} if explain else {}
        return values, trace

    def decide_each(inputs: Mapping[str, Any], decisions=None, *, as_of: Optional[datetime.date] = None,
                    explain: bool = False) -> tuple:
        """Each decision on its own: ({name: value}, {name: EvaluationError}, {name: trace steps}).
        A decision that fails (a blank not supplied, a missing input) does not stop the others;
        invalid inputs still raise InputError at once."""
        run = _start(inputs, as_of, {} if explain else None)
        values, errors = {}, {}
        for name in (all_decisions if decisions is None else decisions):
            method = methods.get(name)
            if method is None:
                raise EvaluationError(f"'{name}' is not a decision of {policy_id}", field=name)
            try:
                values[name] = method(run)
            except EvaluationError as exc:
                errors[name] = exc
        trace = {name: tuple(run.trace.get(name, ())) for name in values} if explain else {}
        return values, errors, trace

    def violations(inputs: Mapping[str, Any], *, as_of: Optional[datetime.date] = None) -> tuple:
        """(Violation, ...): the requirements these inputs break on as_of (default: today)."""
        return _violations(_start(inputs, as_of, None), requirements)

    all_decisions = decisions
    result_class._explain = staticmethod(lambda values, as_of: _evaluate(values, as_of, True)[1])
    result_class._violations_of = staticmethod(
        lambda values, as_of: _violations(run_class(values, as_of, None), requirements))
    return evaluate, decide, decide_each, validate, _validated, _start, _evaluate, violations


def _by_date(original, versions, positional=False):
    """A function of an amended policy's module: on a day an amendment applies (versions:
    ((first day, that version's function), ...), in order), the amended version's; before the
    first, the policy's as written. positional: _start(inputs, as_of, trace)."""
    def chosen(as_of):
        day = _as_of_date(as_of)
        function = original
        for start, version in versions:
            if start <= day:
                function = version
        return function, day

    if positional:
        def start(inputs, as_of, trace):
            function, day = chosen(as_of)
            return function(inputs, day, trace)
        return start

    def call(inputs, *args, as_of=None, **kwargs):
        function, day = chosen(as_of)
        return function(inputs, *args, as_of=day, **kwargs)

    call.__doc__ = original.__doc__
    return call


# ---------------------------------------------------------------- end of runtime
