"""The reference interpreter: the semantics of the language, over the resolved model.

Generated evaluator modules must agree with this interpreter on every input
(the differential tests check it). It is also how the checker folds constants.

Semantics in brief (docs/language.md has the full text):
- money, percent and decimal values are Decimal; counts are int; no floats.
- arithmetic is exact (50 significant digits); a money decision's result is
  quantized to the fen, half up, unless the expression rounded it already.
- none ("not applicable") propagates through arithmetic and functions; in a
  condition it counts as false.
- decisions are computed lazily: an input or blank is needed only when read.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import decimal
import difflib
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any, Mapping, Optional

import attrs

from .model import (
    Duration,
    RAggregate,
    RBinary,
    RCall,
    RDecision,
    RExpr,
    RIf,
    RIn,
    RLit,
    RParam,
    RRef,
    RUnary,
    ResolvedPolicy,
)
from .builtins import AGGREGATES, BUILTINS
from .operators import OPERATORS, membership, truthy, unary
from .model import next_level
from .types import Type


class _NotFilled:
    """The value of a blank no level filled (distinct from none, 'not applicable')."""

    def __repr__(self):
        return "NOT_FILLED"


NOT_FILLED = _NotFilled()

# The values the language computes with, its errors and its date arithmetic (shared with the
# registry of builtins, whose reference implementations this interpreter runs).
from .values import (  # noqa: E402,F401 (re-exported: callers import them from here)
    CONTEXT,
    FEN,
    QUANTUM,
    ROUNDING,
    ZERO_BY_ZERO,
    BlankNotFilled,
    EvaluationError,
    InputError,
    NotInForce,
    Violation,
    add_duration,
    add_months,
    end_of_month,
    in_force_on,
    is_zero_by_zero,
    round_value,
    violation_message,
)


def to_decimal(x) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(x)


def finish(value, t: Type):
    """A decision's value as it leaves the decision: money at the fen, counts as int."""
    if value is None:
        return None
    if t.kind == "money":
        return to_decimal(value).quantize(FEN, rounding=ROUND_HALF_UP, context=CONTEXT)
    if t.kind == "count" and isinstance(value, Decimal):
        return int(value)
    if t.kind in ("decimal", "percent") and isinstance(value, int):
        return Decimal(value)
    return value


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


def as_of_date(as_of) -> _dt.date:
    """The evaluation date: a datetime.date (not a datetime), or None for today. Anything else is an
    InputError for the field as_of (the generated modules follow the same rule)."""
    if as_of is None:
        return _dt.date.today()
    if isinstance(as_of, _dt.date) and not isinstance(as_of, _dt.datetime):
        return as_of
    what = "a datetime (pass its .date())" if isinstance(as_of, _dt.datetime) else _shown(as_of)
    raise InputError("as_of", "date", f"as_of must be a date (datetime.date), not {what}")


def expected_words(t: Type, enum_members=()) -> str:
    if t.kind == "enum":
        return f"one of: {', '.join(enum_members)}"
    return _TYPE_WORDS.get(t.kind, t.kind)


# A number given as input is bounded before it is converted (docs/language.md, "Inputs when a
# policy is applied"): at most MAX_NUMBER_TEXT characters written, less than 10**48 in size. As a
# text it is plain decimal notation (digits, one point, a minus sign for a decimal; no "+", no
# exponent, no separators); full-width digits, point, minus and percent sign are read as ASCII;
# other scripts' digits are refused; spaces around it are ignored. The generated modules' runtime
# (backends/python/runtime.py) has the same rules and messages.
MAX_NUMBER_TEXT = 64
MAX_DIGITS = 48
_INT_LIMIT = 10 ** MAX_DIGITS
MAX_PERIOD = 3_660_000
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－％", "0123456789.-%")
_plain_number = re.compile(r"-?[0-9]+(?:\.[0-9]+)?").fullmatch


_DATE_TYPES = (_dt.date, _dt.timedelta)


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


def _number_text(name: str, raw: str, t: Type, members) -> Decimal:
    text = raw.strip()
    if len(text) > MAX_NUMBER_TEXT:
        raise InputError(name, t.kind, f"'{name}' is too long to be a number ({len(text)} characters; at most "
                                       f"{MAX_NUMBER_TEXT})")
    text = text.translate(_FULL_WIDTH)
    if not _plain_number(text):
        raise InputError(name, t.kind, f"'{name}' must be {expected_words(t, members)}, not {_shown(raw)}")
    return Decimal(text)


def _number(name: str, raw, t: Type, members) -> Decimal:
    if isinstance(raw, bool):
        raise InputError(name, t.kind, f"'{name}' must be {expected_words(t, members)}, not {raw!r}")
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        if not -_INT_LIMIT < raw < _INT_LIMIT:  # compared, never converted
            raise InputError(name, t.kind, f"'{name}' is too large ({_shown(raw)}): a number given as input has "
                                           f"fewer than {MAX_DIGITS + 1} digits before the point")
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))  # the decimal the caller wrote, not the binary approximation
    elif isinstance(raw, str):
        value = _number_text(name, raw, t, members)
    else:
        raise InputError(name, t.kind, f"'{name}' must be {expected_words(t, members)}, not {type(raw).__name__}")
    if not value.is_finite():
        raise InputError(name, t.kind, f"'{name}' must be a finite number, not {_shown(raw)}")
    if value and value.adjusted() >= MAX_DIGITS:
        raise InputError(name, t.kind, f"'{name}' is too large ({_shown(raw)}): a number given as input has "
                                       f"fewer than {MAX_DIGITS + 1} digits before the point")
    return value


def percent_text(fraction: Decimal) -> str:
    """A fraction as the percent an author writes: 2 -> '200'."""
    text = format(fraction * 100, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def coerce_value(name: str, t: Type, raw, enum_members=(), percent_limit: Optional[Decimal] = None) -> Any:
    """Validate and convert one input value; raise InputError naming the field and the expected type.
    percent_limit: the highest percent of an input or blank declared `percent up to N%` (N/100)."""
    kind = t.kind
    if raw is None:
        raise InputError(name, kind, f"'{name}' has no value; expected {expected_words(t, enum_members)}")
    if kind == "money":
        value = _number(name, raw, t, enum_members)
        if value.is_signed():  # -0 too: a sign an official would not mean
            raise InputError(name, kind, f"'{name}' is negative ({_shown(raw)}); an amount of money cannot be")
        try:
            at_fen = value.quantize(FEN, context=CONTEXT)
        except decimal.InvalidOperation:  # more than 48 digits before the point
            raise InputError(name, kind, f"'{name}' is too large ({_shown(raw)}) to be an amount of money") from None
        if value != at_fen:
            raise InputError(name, kind, f"'{name}' has fractions of a fen ({_shown(raw)}); money has at most two "
                                         "decimals")
        return at_fen
    if kind == "percent":
        text = raw.strip().translate(_FULL_WIDTH) if isinstance(raw, str) else None
        if text is not None and text.endswith("%"):
            value = CONTEXT.divide(_number(name, text[:-1], t, enum_members), 100)
        else:
            value = _number(name, raw, t, enum_members)
        shown = _shown(raw) if not isinstance(raw, str) else raw.strip()[:40]
        if percent_limit is not None:
            if not Decimal(0) <= value <= percent_limit or value.is_signed():
                raise InputError(name, kind, f"'{name}' is {shown}, outside 0%–{percent_text(percent_limit)}%")
        elif not Decimal(0) <= value <= Decimal(1) or value.is_signed():
            raise InputError(name, kind, f"'{name}' is {shown}, outside 0%–100%")
        return value
    if kind == "decimal":
        return _number(name, raw, t, enum_members)
    if kind == "count":
        value = _number(name, raw, t, enum_members)
        if value != value.to_integral_value():
            raise InputError(name, kind, f"'{name}' must be a whole number, not {_shown(raw)}")
        if value.is_signed():
            raise InputError(name, kind, f"'{name}' cannot be negative ({_shown(raw)})")
        return int(value)
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "yes", "是", "1"):
            return True
        if isinstance(raw, str) and raw.strip().lower() in ("false", "no", "否", "0"):
            return False
        raise InputError(name, kind, f"'{name}' must be true or false, not {_shown(raw)}")
    if kind == "date":
        if isinstance(raw, _dt.datetime):
            return raw.date()
        if isinstance(raw, _dt.date):
            return raw
        if isinstance(raw, str):
            text = raw.strip()
            if len(text) == 10 and text[4] == "-" and text[7] == "-":
                try:
                    return _dt.date.fromisoformat(text)
                except ValueError:
                    pass
        raise InputError(name, kind, f"'{name}' must be a date written YYYY-MM-DD, not {_shown(raw)}")
    if kind == "text":
        if isinstance(raw, str):
            return raw
        raise InputError(name, kind, f"'{name}' must be a text, not {_shown(raw)}")
    if kind == "enum":
        if isinstance(raw, str) and raw in enum_members:
            return raw
        close = difflib.get_close_matches(raw, list(enum_members), n=1) if isinstance(raw, str) and len(raw) <= 100 \
            else ()
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise InputError(name, kind, f"'{name}' must be one of {', '.join(enum_members)}, not {_shown(raw)}{hint}")
    if kind == "duration":
        if isinstance(raw, Duration) and isinstance(raw.amount, int) and 0 <= raw.amount <= MAX_PERIOD:
            return raw
        if isinstance(raw, str) and len(raw) <= MAX_NUMBER_TEXT:
            parts = raw.translate(_FULL_WIDTH).split()
            if len(parts) == 2 and _plain_number(parts[0]) and parts[0].isdigit() and len(parts[0]) <= 7 \
                    and int(parts[0]) <= MAX_PERIOD and parts[1] in ("day", "days", "month", "months", "year", "years"):
                unit = parts[1] if parts[1].endswith("s") else parts[1] + "s"
                return Duration(int(parts[0]), unit)
        raise InputError(name, kind, f"'{name}' must be a period such as \"2 years\", not {_shown(raw)}")
    raise InputError(name, kind, f"'{name}' has a type that cannot be given as input")


def coerce_records(name: str, raw, record, enum_members: Mapping[str, tuple]) -> tuple:
    """A list input: a list (or tuple) of objects, each with the record's fields; every element is
    validated, and an error names the element by its index from 0 (`purchases[3].amount`). Each
    element becomes a dict of every field (none for an optional field not given)."""
    fields = record.fields
    names = ", ".join(f.name for f in fields)
    if not isinstance(raw, (list, tuple)):
        raise InputError(name, "list", f"'{name}' must be a list of {record.name} records (objects with the fields "
                                       f"{names}), not {type(raw).__name__}")
    out = []
    for index, element in enumerate(raw):
        where = f"{name}[{index}]"
        if not isinstance(element, Mapping):
            raise InputError(where, "object", f"'{where}' must be an object with the fields {names}, "
                                              f"not {type(element).__name__}")
        for key in element:
            if record.field(key) is None:
                close = difflib.get_close_matches(str(key), [f.name for f in fields], n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f"; its fields are {names}"
                raise InputError(f"{where}.{key}", "a known field", f"'{where}.{key}' is not a field of {record.name}{hint}")
        values = {}
        for f in fields:
            value = element.get(f.name)
            if value is None and f.optional:
                values[f.name] = None
                continue
            members = enum_members.get(f.type.enum, ()) if f.type.kind == "enum" else ()
            values[f.name] = coerce_value(f"{where}.{f.name}", f.type, value, members)
        out.append(values)
    return tuple(out)


# ---------------------------------------------------------------- explanations


@attrs.frozen(slots=True)
class TraceStep:
    """One rule that took part in deciding a value."""

    kind: str  # 'rule' (the expression, case or row that decided) | 'param' | 'no_rule'
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


@attrs.frozen
class Result:
    values: dict[str, Any]
    trace: dict[str, tuple[TraceStep, ...]]
    # the requirements this case breaks on the day it is evaluated for (the values are still given)
    violations: tuple[Violation, ...] = ()


# ---------------------------------------------------------------- the interpreter


class Interpreter:
    def __init__(self, policy: ResolvedPolicy, externals: Optional[Mapping[str, ResolvedPolicy]] = None):
        self.policy = policy
        self.enum_members = {name: e.member_names for name, e in policy.enums.items()}
        # The working days it counts on: the years of its window (workdays.policy_years), the same
        # years its compiled module embeds.
        self.calendar = getattr(policy, "workdays", None)
        self._versions: dict[int, Interpreter] = {}

    def version(self, day: Optional[_dt.date]) -> "Interpreter":
        """The interpreter of the version of the policy that applies on `day`: itself, unless an
        amending notice (`amends`) in force by then changed it (see ResolvedPolicy.version_on)."""
        if not self.policy.versions:
            return self
        chosen = self.policy.version_on(as_of_date(day))
        if chosen is self.policy:
            return self
        interp = self._versions.get(id(chosen))
        if interp is None:
            interp = self._versions[id(chosen)] = Interpreter(chosen)
        return interp

    # -- inputs
    def accepted_inputs(self) -> dict[str, Type]:
        """Inputs the caller may give: declared inputs, plus blanks no level filled."""
        names = {name: i.type for name, i in self.policy.inputs.items()}
        for p in self.policy.blanks:
            names[p.name] = p.type
        for start, _version in self.policy.versions:  # an amended policy: what any of its versions accepts
            for name, t in self.version(start).accepted_inputs().items():
                names.setdefault(name, t)
        return names

    def coerce_inputs(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise InputError("", "object", "the inputs must be an object mapping input names to values")
        accepted = self.accepted_inputs()
        out = {}
        for key, value in raw.items():
            if key not in accepted:
                key = str(key)
                close = difflib.get_close_matches(key, list(accepted), n=1) if len(key) <= 100 else ()
                hint = f"; did you mean '{close[0]}'?" if close else ""
                shown = key if len(key) <= 40 else key[:37] + "..."
                raise InputError(key, "a known input", f"'{shown}' is not an input of {self.policy.policy_id}{hint}")
            t = accepted[key]
            if value is None and key in self.policy.inputs and self.policy.inputs[key].optional:
                continue
            if t.kind == "list":
                records = {**{n: r for _, v in self.policy.versions for n, r in v.records.items()}, **self.policy.records}
                out[key] = coerce_records(key, value, records[t.record], self.enum_members)
                continue
            item = self._declaring(key)
            out[key] = coerce_value(key, t, value, self.enum_members.get(t.enum, ()),
                                    getattr(item, "percent_limit", None))
        return out

    def _declaring(self, key: str):
        item = self.policy.inputs.get(key) or self.policy.params.get(key)
        for _, version in self.policy.versions:
            item = item or version.inputs.get(key) or version.params.get(key)
        return item

    # -- evaluation
    def evaluate(self, inputs: Mapping[str, Any], as_of: Optional[_dt.date] = None,
                 decisions: Optional[list[str]] = None, explain: bool = False) -> Result:
        as_of = as_of_date(as_of)
        self.check_in_force(as_of)
        return self.evaluate_validated(self.coerce_inputs(inputs), as_of, decisions, explain)

    def check_in_force(self, day: _dt.date) -> None:
        """Raise NotInForce when the policy is not in force on `day` (before its effective date, after
        its end date), naming the policy of its tree in force in its region that day. An amended
        policy is judged by the version that applies that day (its dates as amended)."""
        version = self.version(day)
        p = version.policy
        if (p.effective is None or day >= p.effective) and (p.ends is None or day <= p.ends):
            return
        other = in_force_on(p.windows, day)
        raise NotInForce(p.amends or p.policy_id, day, p.effective, p.ends, other[0] if other else None,
                         other[1] if other else None)

    def evaluate_validated(self, values: dict[str, Any], as_of: Optional[_dt.date] = None,
                           decisions: Optional[list[str]] = None, explain: bool = False) -> Result:
        """evaluate() on inputs already checked and converted by coerce_inputs(), with the version of
        the policy that applies on as_of."""
        version = self.version(as_of)
        if version is not self:
            accepted = version.accepted_inputs()
            return version.evaluate_validated({k: v for k, v in values.items() if k in accepted}, as_of,
                                              decisions, explain)
        run = _Run(self, values, as_of_date(as_of), explain)
        names = decisions if decisions is not None else list(self.policy.decision_order)
        values = {}
        for name in names:
            if name not in self.policy.decisions:
                close = difflib.get_close_matches(name, list(self.policy.decisions), n=1)
                raise EvaluationError(f"'{name}' is not a decision of {self.policy.policy_id}"
                                      + (f"; did you mean '{close[0]}'?" if close else ""), field=name)
            values[name] = run.decision(name)
        trace = {name: tuple(run.traces.get(name, ())) for name in names} if explain else {}
        return Result(values, trace, run.violations())

    def param_value(self, name: str, as_of: Optional[_dt.date] = None, inputs: Optional[Mapping] = None):
        """A parameter's value at as_of (schedules applied). Raises BlankNotFilled for an unfilled blank."""
        run = _Run(self, dict(inputs or {}), as_of or self.policy.effective or _dt.date.today(), False)
        return run.param(name)

    def constant(self, expr: RExpr, as_of: Optional[_dt.date] = None):
        """Evaluate an expression that reads no inputs (a parameter value, a bound, a date)."""
        return self.expression_value(expr, {}, as_of)

    def expression_value(self, expr: RExpr, values: Optional[Mapping[str, Any]] = None,
                         as_of: Optional[_dt.date] = None):
        """The value of one expression of this policy on validated values (inputs and blanks, as
        coerce_inputs() gives them) at as_of (default: the policy's effective date, else today).
        Raises EvaluationError (and the decimal module's errors of the arithmetic) as evaluation would."""
        run = _Run(self, dict(values or {}), as_of or self.policy.effective or _dt.date.today(), False)
        return run.expr(expr)

    def deciding_part(self, decision: str, values: Mapping[str, Any],
                      as_of: Optional[_dt.date] = None) -> Optional[tuple[str, int]]:
        """Which case or row of a decision decides on these validated values: ("case", index) for the
        first case whose condition holds, ("row", index) for the first table row that matches (its
        otherwise row included); None when the otherwise branch, or nothing, decides."""
        run = _Run(self, dict(values), as_of or self.policy.effective or _dt.date.today(), False)
        d = self.policy.decisions[decision]
        if d.form == "cases":
            for index, case in enumerate(d.cases):
                if truthy(run.expr(case.cond)):
                    return ("case", index)
            return None
        if d.form != "table":
            return None
        columns = [run.expr(c) for c in d.table.columns]
        for index, row in enumerate(d.table.rows):
            if row.is_otherwise or all(run._cell(cell, v) for cell, v in zip(row.cells, columns)):
                return ("row", index)
        return None

    def part_value(self, decision: str, part: tuple[str, int], values: Mapping[str, Any],
                   as_of: Optional[_dt.date] = None):
        """The value one case ("case", index) or row ("row", index) of a decision gives on these
        validated values, as the decision would leave it (money at the fen, counts whole)."""
        d = self.policy.decisions[decision]
        what, index = part
        expr = d.cases[index].value if what == "case" else d.table.rows[index].output
        return finish(self.expression_value(expr, values, as_of), d.type)


class _Run:
    def __init__(self, interp: Interpreter, inputs: dict, as_of: _dt.date, explain: bool):
        self.i = interp
        self.p = interp.policy
        self.inputs = inputs
        self.as_of = as_of
        self.explain = explain
        self.memo: dict[str, Any] = {}
        self.param_memo: dict[str, Any] = {}
        self.traces: dict[str, list[TraceStep]] = {}
        self.current: list[str] = []
        self.elements: list[dict] = []  # the element each aggregate being evaluated is at

    def violations(self) -> tuple[Violation, ...]:
        """The requirements broken on this day: each whose deadline has come (or that has none) and
        whose condition is false on these inputs. A condition that cannot be computed (it needs a blank
        or an input not given, or none makes it not applicable) breaks nothing."""
        out = []
        for name, r in self.p.requirements.items():
            if r.deadline is not None and (r.deadline_date is None or self.as_of < r.deadline_date):
                continue
            try:
                held = self.expr(r.cond)
            except (EvaluationError, ArithmeticError):
                continue
            if held is False:
                o = r.origin
                out.append(Violation(name, r.label, r.article, o.policy_id, o.level, o.path, o.span.line,
                                     r.deadline_date, violation_message(name, r.label, r.article, r.deadline_date,
                                                                        self.as_of)))
        return tuple(out)

    def _step(self, kind, name, detail, origin_or_span, article, label, value=None, origin=None):
        if not self.explain or not self.current:
            return
        o = origin
        line = origin_or_span.line if origin_or_span is not None else (o.span.line if o else 0)
        self.traces.setdefault(self.current[-1], []).append(TraceStep(
            kind, name, detail, o.policy_id, o.level, o.path, line, article, label, value))

    def decision(self, name: str):
        if name in self.memo:
            return self.memo[name]
        d: RDecision = self.p.decisions[name]
        if name in self.current:
            raise EvaluationError(f"the decision '{name}' depends on itself", decision=name)
        self.current.append(name)
        try:
            value = finish(self._decide(d), d.type)
        except EvaluationError as exc:
            if exc.decision is None:
                exc.decision = name
            raise
        except decimal.DivisionByZero:
            raise EvaluationError("division by zero", decision=name) from None
        except (decimal.InvalidOperation, decimal.Overflow) as exc:
            if is_zero_by_zero(exc):
                raise EvaluationError(ZERO_BY_ZERO, decision=name) from None
            raise EvaluationError(f"the arithmetic failed: {exc.__class__.__name__}", decision=name) from None
        finally:
            self.current.pop()
        self.memo[name] = value
        return value

    def _decide(self, d: RDecision):
        o = d.origin
        if d.form == "expr":
            value = self.expr(d.expr)
            self._step("rule", d.name, "formula", o.span, d.article, d.label, value, origin=o)
            return value
        if d.form == "cases":
            for index, case in enumerate(d.cases, 1):
                if truthy(self.expr(case.cond)):
                    value = self.expr(case.value)
                    self._step("rule", d.name, f"case {index}", case.span, case.meta.article or d.article,
                               case.meta.label or d.label, value, origin=o)
                    return value
            if d.otherwise is not None:
                value = self.expr(d.otherwise.value)
                self._step("rule", d.name, "otherwise", d.otherwise.span, d.otherwise.meta.article or d.article,
                           d.otherwise.meta.label or d.label, value, origin=o)
                return value
            self._step("no_rule", d.name, "no case applies", o.span, d.article, d.label, None, origin=o)
            return None
        table = d.table
        column_values = [self.expr(c) for c in table.columns]
        for index, row in enumerate(table.rows, 1):
            if row.is_otherwise or all(self._cell(cell, v) for cell, v in zip(row.cells, column_values)):
                value = self.expr(row.output)
                self._step("rule", d.name, "otherwise row" if row.is_otherwise else f"row {index}", row.span,
                           row.meta.article or d.article, row.meta.label or d.label, value, origin=o)
                return value
        self._step("no_rule", d.name, "no row of the table covers this case", o.span, d.article, d.label, None,
                   origin=o)
        return None

    def _cell(self, cell, value) -> bool:
        if cell.kind == "any":
            return True
        if cell.kind == "eq":
            return value == self.expr(cell.values[0])
        if cell.kind == "cmp":
            return truthy(OPERATORS[cell.op](value, self.expr(cell.values[0])))
        members = [self.expr(v) for v in cell.values]
        return (value in members) if cell.kind == "in" else (value not in members)

    def param(self, name: str):
        if name in self.param_memo:
            return self.param_memo[name]
        p: RParam = self.p.params[name]
        value, detail, span = None, p.statement, p.origin.span
        entry = None
        if p.schedule is not None:
            for e in p.schedule.entries:
                if e.start <= self.as_of:
                    entry = e
        if entry is not None:
            value = self.expr(entry.value)
            detail, span = f"schedule from {entry.start.isoformat()}", entry.span
            origin = p.schedule.origin
        elif p.value is not None:
            value = self.expr(p.value)
            origin = p.origin
        elif name in self.inputs:
            value = self.inputs[name]
            detail = "supplied by the caller (a blank no level filled)"
            origin = p.origin
        else:
            by = p.delegated_by or p.origin
            raise BlankNotFilled(name, p.to_level or next_level(by.level), by.policy_id)
        self._step("param", name, detail, span, p.article, p.label, value, origin=origin)
        self.param_memo[name] = value
        return value

    def expr(self, e: RExpr):
        if isinstance(e, RLit):
            return e.value
        if isinstance(e, RRef):
            return self.ref(e)
        if isinstance(e, RBinary):
            op = OPERATORS[e.op]
            return op.evaluate(self, e, op)
        if isinstance(e, RUnary):
            op = unary(e.op)
            return op.evaluate(self, e, op)
        if isinstance(e, RIf):
            return self.expr(e.then) if truthy(self.expr(e.cond)) else self.expr(e.otherwise)
        if isinstance(e, RIn):
            op = membership(e.negated)
            return op.evaluate(self, e, op)
        if isinstance(e, RCall):
            return self.call(e)
        if isinstance(e, RAggregate):
            return self.aggregate(e)
        raise EvaluationError(f"cannot evaluate {e!r}")  # pragma: no cover

    def aggregate(self, e: RAggregate):
        elements = self.ref(e.source)
        if elements is None:
            return None  # an optional list not given
        values = self._element_values(e, elements)
        try:
            return AGGREGATES[e.func].reduce(values, e)
        finally:
            values.close()  # all/any may stop early: leave no element entered

    def _element_values(self, e: RAggregate, elements):
        """The value expression at each element the filter keeps, in order (None for count)."""
        for element in elements:
            self.elements.append(element)
            try:
                if e.where is not None and not truthy(self.expr(e.where)):
                    continue
                yield self.expr(e.value) if e.value is not None else None
            finally:
                self.elements.pop()

    def ref(self, e: RRef):
        kind = e.kind
        if kind == "field":
            return self.elements[-1][e.name]
        if kind == "input":
            if e.name in self.inputs:
                return self.inputs[e.name]
            inp = self.p.inputs.get(e.name)
            if inp is not None and inp.optional:
                return None
            t = inp.type if inp else e.type
            members = self.i.enum_members.get(t.enum, ()) if t.kind == "enum" else ()
            needed_by = f", needed by '{self.current[-1]}'" if self.current else ""
            raise InputError(e.name, t.kind, f"the input '{e.name}' is missing{needed_by}; expected {expected_words(t, members)}")
        if kind == "param":
            return self.param(e.name)
        if kind == "decision":
            return self.decision(e.name)
        if kind == "builtin":
            if e.name == "as_of":
                return self.as_of
            if e.name == "effective_date":
                return self.p.effective
            return self.p.ends
        if kind == "external":
            # alias.name in the version of the used policy bound for this policy's region
            other: Optional[RParam] = self.p.externals.get((e.alias, e.name))
            if other is None:
                raise EvaluationError(f"'{e.alias}.{e.name}' is not read by {self.p.policy_id}")
            value = self.p.external_values.get((e.alias, e.name), NOT_FILLED)
            if value is NOT_FILLED:
                by = other.delegated_by or other.origin
                raise BlankNotFilled(f"{e.alias}.{e.name}", other.to_level or next_level(by.level), by.policy_id)
            return value
        raise EvaluationError(f"unknown reference {e.name}")  # pragma: no cover

    def call(self, e: RCall):
        builtin = BUILTINS.get(e.func)
        if builtin is None:
            raise EvaluationError(f"unknown function {e.func}")  # pragma: no cover
        args = []
        for a in e.args:  # left to right; none stops the rest
            value = self.expr(a)
            if value is None:
                return None
            args.append(value)
        return builtin.evaluate(args, e)
