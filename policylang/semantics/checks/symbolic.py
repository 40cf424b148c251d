"""The language's meaning as z3 formulas, exactly: for proving that a lower level stays within a bound.

`checks/encode.py` over-approximates (an unsupported condition becomes a free
boolean), which is right for finding gaps and overlaps in one policy. Proving
that a city's value never exceeds its province's on any input and any day needs
the values themselves, with the interpreter's semantics to the letter:

- `none` (not applicable) is tracked beside every value: each term is a pair
  (value, defined). It passes through arithmetic, comparisons other than `==`
  and `!=`, and functions; in a condition it counts as false; `none == none`.
- money inputs are whole numbers of fen (the declared domain: at most two
  decimals, not negative); percents lie in 0–1; counts are whole and not
  negative; a money decision's result is rounded to the fen, half up, as the
  interpreter's `finish` does; `round`, `ceil` and `floor` are exact (z3 ToInt).
- dates are day numbers (date.toordinal) with, where calendar arithmetic needs
  it, a (year, month, day) triple tied to the day number. Years range over
  1900-2299: a whole 400-year cycle of the Gregorian calendar, so every pattern
  of month lengths and leap years is covered, and the solver stays decidable in
  practice.
- parameters with a schedule take, on each day, the value of the entry in force
  (an if-chain on the evaluation day); blanks no level filled are variables.

Anything without an exact encoding raises Inexact; the caller then reports
that the bound could not be proved, with the reason, never a silent "holds".
"""

from __future__ import annotations

import datetime as _dt
import sys
from decimal import Decimal
from fractions import Fraction
from typing import Optional

import attrs
from .lazyz3 import lazy_z3

z3 = lazy_z3(__name__)

from ..evaluate import NOT_FILLED, Interpreter
from ..model import Duration, RAggregate, RCall, RDecision, RExpr, RIf, RLit, RRef, ResolvedPolicy
from ..builtins import BUILTINS
from ..operators import OPERATORS, exact_compare, key_of
from ..types import Type

FIRST_YEAR = 1900
LAST_YEAR = 2299
# Counterexamples are shown in this century when one exists there (readable dates).
PREFERRED_YEARS = (2000, 2099)
_CUMULATIVE_DAYS = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


# Each proof builds its formulas in a z3 context of its own: the solver's answers (which
# counterexample it finds) then depend only on the proof, not on what was solved before in the
# process, so a finding's text is the same in every run.
_context: list = [None]


class fresh_context:
    """`with fresh_context() as ctx:` every formula built inside belongs to a new z3 context."""

    def __enter__(self):
        self.saved = _context[0]
        _context[0] = z3.Context()
        return _context[0]

    def __exit__(self, *exc):
        _context[0] = self.saved
        return False


_SHARED: list = [None, 0]  # the shared context and how many proofs have used it
SHARED_CONTEXT_USES = 32


class shared_context(fresh_context):
    """`with shared_context():` formulas go to a z3 context reused for a few proofs (a context costs
    about 10 ms to make; one kept too long makes the solver slower). Answers sat/unsat are the same
    as in a fresh context; only models may differ, so findings redo their proof in a fresh one."""

    def __enter__(self):
        self.saved = _context[0]
        if _SHARED[0] is None or _SHARED[1] >= SHARED_CONTEXT_USES:
            _SHARED[0], _SHARED[1] = z3.Context(), 0
        _SHARED[1] += 1
        _context[0] = _SHARED[0]
        return _context[0]


def current_context():
    return _context[0]


def mkInt(name):
    return z3.Int(name, _context[0])


def mkBool(name):
    return z3.Bool(name, _context[0])


def mkReal(name):
    return z3.Real(name, _context[0])


def mkString(name):
    return z3.String(name, _context[0])


def mkIntVal(value):
    return z3.IntVal(value, _context[0])


def mkBoolVal(value):
    return z3.BoolVal(value, _context[0])


def mkRealVal(value):
    return z3.RealVal(value, _context[0])


def mkStringVal(value):
    return z3.StringVal(value, _context[0])


# A list input is encoded with at most this many elements (checks/binding.py tries longer ones).
LIST_BOUND = 8


class Inexact(Exception):
    """This expression has no exact encoding; the message says why, for the author."""


@attrs.define
class Term:
    """A value and whether it is defined (not none). For dates, `value` is the day number."""

    value: object
    defined: z3.BoolRef
    kind: str
    triple: Optional[tuple] = None  # dates: (year, month, day), once calendar arithmetic needed it


def _true():
    return mkBoolVal(True)


def _leap(year):
    return z3.And(year % 4 == 0, z3.Or(year % 100 != 0, year % 400 == 0))


def _days_in_month(year, month):
    return z3.If(month == 2, z3.If(_leap(year), 29, 28),
                 z3.If(z3.Or(month == 4, month == 6, month == 9, month == 11), 30, 31))


def _days_before_month(month):
    result = mkIntVal(_CUMULATIVE_DAYS[11])
    for index in range(10, -1, -1):
        result = z3.If(month == index + 1, _CUMULATIVE_DAYS[index], result)
    return result


_RUNS: dict = {}


def _working_runs(calendar, n: int) -> tuple:
    """(first, last, offset) in day numbers: the runs of start dates on which `+ n working days`
    moves a date by the same number of days, over every start date whose count the calendar can
    make."""
    key = (calendar, n)
    if key in _RUNS:
        return _RUNS[key]
    from ..values import EvaluationError

    runs: list = []
    first, last = calendar.first_day(), calendar.last_day()
    day = first
    one = _dt.timedelta(days=1)
    while first is not None and day <= last:
        if day.year in calendar.covered:
            try:
                offset = (calendar.add(day, n) - day).days
            except EvaluationError:
                offset = None
            if offset is not None:
                o = day.toordinal()
                if runs and runs[-1][2] == offset and runs[-1][1] == o - 1:
                    runs[-1][1] = o
                else:
                    runs.append([o, o, offset])
        day += one
    # Starts between runs (a gap year inside the covered ones) have no deadline; the table is read
    # only inside [first run, last run], and the interpreter refuses those starts the same way.
    _RUNS[key] = tuple(tuple(r) for r in runs)
    return _RUNS[key]


def _offset_tree(d, runs, lo: int, hi: int):
    """The offset of the run holding d, as a balanced tree of ifs over runs[lo:hi]."""
    if hi - lo == 1:
        return mkIntVal(runs[lo][2])
    mid = (lo + hi) // 2
    return z3.If(d < runs[mid][0], _offset_tree(d, runs, lo, mid), _offset_tree(d, runs, mid, hi))


def _ordinal(year, month, day):
    """date(year, month, day).toordinal() as a formula."""
    before = year - 1
    return (before * 365 + before / 4 - before / 100 + before / 400 + _days_before_month(month)
            + z3.If(z3.And(month > 2, _leap(year)), 1, 0) + day)


class SymbolicPolicy:
    """Encodes one policy's decisions and parameters over variables shared with other encoders.

    Several SymbolicPolicy objects (a city and its province) share one Variables
    object, so that `price` means the same unknown in both.
    """

    def __init__(self, policy: ResolvedPolicy, variables: "Variables", interpreter: Optional[Interpreter] = None):
        self.policy = policy
        self.vars = variables
        self.interp = interpreter or Interpreter(policy)
        self._decisions: dict[str, Term] = {}
        self._params: dict[str, Term] = {}
        self._inlining: list[str] = []
        self._elements: list[dict] = []  # the element (field -> Term) each aggregate being encoded is at

    # ------------------------------------------------------------ items
    def decision(self, name: str) -> Term:
        if name in self._decisions:
            return self._decisions[name]
        d: RDecision = self.policy.decisions[name]
        if name in self._inlining:
            raise Inexact(f"the decision '{name}' depends on itself")
        self._inlining.append(name)
        try:
            term = self._finish(self._decide(d), d.type)
        finally:
            self._inlining.pop()
        self._decisions[name] = term
        return term

    def part_applies(self, name: str, part: tuple[str, int]) -> z3.BoolRef:
        """Whether ('case', i) or ('row', i) (0-based) is the part of a decision that decides."""
        d = self.policy.decisions[name]
        what, index = part
        if what == "case":
            conditions = [self.truthy(self.expr(c.cond)) for c in d.cases[:index + 1]]
        else:
            columns = [self.expr(c) for c in d.table.columns]
            conditions = []
            for row in d.table.rows[:index + 1]:
                matches = [self._cell(cell, column) for cell, column in zip(row.cells, columns)]
                conditions.append(_true() if row.is_otherwise else (z3.And(*matches) if matches else _true()))
        *earlier, here = conditions
        return z3.And(here, *[z3.Not(e) for e in earlier]) if earlier else here

    def part_value(self, name: str, part: tuple[str, int]) -> Term:
        """The value the case or row gives, as it leaves the decision."""
        d = self.policy.decisions[name]
        what, index = part
        expr = d.cases[index].value if what == "case" else d.table.rows[index].output
        return self._finish(self.expr(expr), d.type)

    def param(self, name: str) -> Term:
        if name in self._params:
            return self._params[name]
        p = self.policy.params[name]
        if p.value is None and p.schedule is None:
            term = self.vars.blank(name, p.type)
        else:
            term = self.expr(p.value) if p.value is not None else None
            if p.schedule is not None:
                as_of = self.vars.as_of()
                for entry in p.schedule.entries:  # sorted by start: later entries win
                    value = self.expr(entry.value)
                    active = as_of.value >= entry.start.toordinal()
                    # Before the first entry the parameter's own value applies (a blank if it has none).
                    term = _choose(active, value, term if term is not None else self.vars.blank(name, p.type))
        self._params[name] = term
        return term

    def _decide(self, d: RDecision) -> Term:
        if d.form == "expr":
            return self.expr(d.expr)
        if d.form == "cases":
            result = self.expr(d.otherwise.value) if d.otherwise is not None else self.none(d.type)
            for case in reversed(d.cases):
                result = _choose(self.truthy(self.expr(case.cond)), self.expr(case.value), result)
            return result
        table = d.table
        columns = [self.expr(c) for c in table.columns]
        result = self.none(d.type)
        for row in reversed(table.rows):
            output = self.expr(row.output)
            if row.is_otherwise:
                result = output
                continue
            matches = [self._cell(cell, column) for cell, column in zip(row.cells, columns)]
            result = _choose(z3.And(*matches) if matches else _true(), output, result)
        return result

    def _cell(self, cell, column: Term) -> z3.BoolRef:
        if cell.kind == "any":
            return _true()
        values = [self.expr(v) for v in cell.values]
        if cell.kind == "eq":
            return _equal(column, values[0])
        if cell.kind == "cmp":
            return self.truthy(exact_compare(_this_module, OPERATORS[cell.op], column, values[0]))
        hit = z3.Or(*[_equal(column, v) for v in values]) if values else mkBoolVal(False)
        return hit if cell.kind == "in" else z3.Not(hit)

    def _finish(self, term: Term, t: Type) -> Term:
        """As the interpreter's finish(): money at the fen, half up; counts whole."""
        if t.kind == "money" and term.kind in ("money", "decimal", "percent", "count"):
            return Term(_round(_real(term.value), Fraction(1, 100), "half_up"), term.defined, "money")
        if t.kind == "count" and term.kind != "count":
            if term.kind in ("money", "decimal", "percent"):
                x = _real(term.value)
                return Term(z3.If(x >= 0, z3.ToInt(x), -z3.ToInt(-x)), term.defined, "count")
        return term

    # ------------------------------------------------------------ expressions
    def none(self, t: Type) -> Term:
        return Term(self.vars.dummy(t), mkBoolVal(False), t.kind)

    def truthy(self, term: Term) -> z3.BoolRef:
        if term.kind != "bool":
            raise Inexact("a condition that is not true or false")
        return z3.And(term.defined, term.value)

    def expr(self, e: RExpr) -> Term:
        if isinstance(e, RLit):
            if e.value is None:
                return self.none(e.type)
            return self.vars.constant(e.value, e.type)
        if isinstance(e, RRef):
            return self.ref(e)
        op = key_of(e)
        if op is not None:
            return op.z3_exact(self, _this_module, e, op)
        if isinstance(e, RIf):
            return _choose(self.truthy(self.expr(e.cond)), self.expr(e.then), self.expr(e.otherwise))
        if isinstance(e, RCall):
            return self.call(e)
        if isinstance(e, RAggregate):
            return self.aggregate(e)
        raise Inexact(f"no encoding for {type(e).__name__}")

    def aggregate(self, e: RAggregate) -> Term:
        """An aggregate over a list of at most LIST_BOUND elements: element i is there when i < the
        list's length; a sum or count adds what the kept elements give, all/any join their conditions,
        min/max choose among the kept values (none when there are none: the interpreter's error)."""
        source = self.ref(e.source)
        length, elements = source.value
        kept, values = [], []
        for index, element in enumerate(elements):
            self._elements.append(element)
            try:
                keep = index < length
                if e.where is not None:
                    keep = z3.And(keep, self.truthy(self.expr(e.where)))
                kept.append(keep)
                values.append(self.expr(e.value) if e.value is not None else None)
            finally:
                self._elements.pop()
        if e.func == "count":
            total = z3.Sum(*[z3.If(k, 1, 0) for k in kept]) if kept else mkIntVal(0)
            return Term(total, source.defined, "count")
        if e.func in ("all", "any"):
            holds = [z3.And(k, v.defined, self.truthy(v)) for k, v in zip(kept, values)]
            if e.func == "all":
                result = z3.And(*[z3.Implies(k, h) for k, h in zip(kept, holds)]) if kept else mkBoolVal(True)
            else:
                result = z3.Or(*holds) if holds else mkBoolVal(False)
            return Term(result, source.defined, "bool")
        kind = e.type.kind
        if kind == "date" or any(v.kind == "date" for v in values):
            numbers = [v.value for v in values]
        else:
            numbers = [_real(v.value) if kind != "count" else v.value for v in values]
        if e.func == "sum":
            zero = mkIntVal(0) if kind == "count" else mkRealVal(0)
            total = zero
            for k, v, n in zip(kept, values, numbers):
                total = total + z3.If(z3.And(k, v.defined), n, zero)
            return Term(total, source.defined, kind)
        best, found = None, mkBoolVal(False)
        for k, v, n in zip(kept, values, numbers):
            has = z3.And(k, v.defined)
            if best is None:
                best = n
            else:
                better = n < best if e.func == "min" else n > best
                best = z3.If(z3.And(has, z3.Or(z3.Not(found), better)), n, best)
            found = z3.Or(found, has)
        if best is None:
            return self.none(e.type)
        return Term(best, z3.And(source.defined, found), kind)

    def ref(self, e: RRef) -> Term:
        if e.kind == "field":
            return self._elements[-1][e.name]
        if e.kind == "input":
            inp = self.policy.inputs.get(e.name)
            t = inp.type if inp is not None else e.type
            if t.kind == "list":
                return self.vars.list_input(e.name, t, self.policy.records[t.record],
                                            bool(inp is not None and inp.optional))
            return self.vars.input(e.name, t, bool(inp is not None and inp.optional))
        if e.kind == "param":
            return self.param(e.name)
        if e.kind == "decision":
            return self.decision(e.name)
        if e.kind == "builtin":
            if e.name == "as_of":
                return self.vars.as_of()
            value = self.policy.effective if e.name == "effective_date" else self.policy.ends
            if value is None:
                return self.none(e.type)
            return self.vars.constant(value, e.type)
        if e.kind == "external":
            value = self.policy.external_values.get((e.alias, e.name), NOT_FILLED)
            if value is NOT_FILLED:
                return self.vars.blank(f"{e.alias}.{e.name}", e.type)
            return self.vars.constant(value, e.type)
        raise Inexact(f"a reference of kind {e.kind}")

    def _shift(self, date: Term, duration: Duration, sign: int, defined) -> Term:
        if not isinstance(duration, Duration):
            raise Inexact("a period of time that is not a fixed value")
        n = duration.amount * sign
        if duration.unit == "days":
            return Term(date.value + n, defined, "date")
        if duration.unit == "working_days":
            return self._shift_working(date, n, defined)
        months = n if duration.unit == "months" else 12 * n
        return self._add_months(date, mkIntVal(months), defined)

    def _shift_working(self, date: Term, n: int, defined) -> Term:
        """date + n working days, exactly, on the policy's calendar (workdays.py): the calendar is
        finite, so the result is the start plus an offset read from a table of the start dates whose
        count stays inside the calendar's years, those dates being the only ones with a deadline
        (counting from any other is an evaluation error): the start is constrained to them."""
        calendar = self.interp.calendar
        runs = _working_runs(calendar, n) if calendar is not None else ()
        if not runs:
            raise Inexact("working days counted on a calendar that covers no year")
        d = date.value
        self.vars.domain.append(z3.Implies(defined, z3.And(d >= runs[0][0], d <= runs[-1][1])))
        return Term(d + _offset_tree(d, runs, 0, len(runs)), defined, "date")

    def _add_months(self, date: Term, months, defined) -> Term:
        year, month, day = self.vars.triple(date)
        index = year * 12 + (month - 1) + months
        new_year, new_month = index / 12, index % 12 + 1
        last = _days_in_month(new_year, new_month)
        new_day = z3.If(day < last, day, last)
        self.vars.require_calendar(new_year, defined)
        return Term(_ordinal(new_year, new_month, new_day), defined, "date", (new_year, new_month, new_day))

    def call(self, e: RCall) -> Term:
        args = [self.expr(a) for a in e.args]
        defined = z3.And(*[a.defined for a in args]) if args else _true()
        builtin = BUILTINS.get(e.func)
        if builtin is None:
            raise Inexact(f"the function {e.func}")
        return builtin.z3_exact(self, _this_module, e, args, defined)


def percent_limits(policy) -> dict:
    """{input or param name: its `percent up to` limit} of a policy (the others range over 0–100%)."""
    return {name: item.percent_limit for table in (policy.inputs, policy.params)
            for name, item in table.items() if getattr(item, "percent_limit", None) is not None}


class Variables:
    """The unknowns shared by the encoders of one proof: inputs, blanks and the evaluation day."""

    def __init__(self, window: tuple[Optional[_dt.date], Optional[_dt.date]], enums: dict,
                 percent_limits: Optional[dict] = None):
        self.window = window  # (first day, last day) the evaluation day ranges over
        self.enums = enums  # enum name -> member names
        # input or blank name -> the highest percent it may take (`percent up to N%`); others: 100%
        self.percent_limits = percent_limits or {}
        self.domain: list[z3.BoolRef] = []  # what every variable's declared domain says
        # Readable values for counterexamples, tried strongest first: `preferred` (dates near the
        # policy's own, amounts below a billion…) together with `rounder` (whole yuan, whole percents).
        self.preferred: list[z3.BoolRef] = []
        self.rounder: list[z3.BoolRef] = []
        # A list input's counterexample is read best short: (at most one element, at most three), per list.
        self.short: list[tuple] = []
        self.inputs: dict[str, tuple[Term, Type, bool]] = {}
        self.records: dict[str, object] = {}  # list input -> its record type
        self.blanks: dict[str, tuple[Term, Type]] = {}
        self._as_of: Optional[Term] = None
        self._triples = 0
        self.inexact: list[str] = []  # why a "holds" answer would not be a proof

    def note_inexact(self, reason: str) -> None:
        if reason not in self.inexact:
            self.inexact.append(reason)

    def _fresh(self, name: str, t: Type, count_as_money_fen: bool = True) -> Term:
        kind = t.kind
        if kind == "bool":
            return Term(mkBool(name), _true(), "bool")
        if kind == "money":
            fen = mkInt(f"{name}__fen")
            self.domain.append(fen >= 0)
            self.preferred.append(fen <= 10 ** 9)
            self.rounder.append(fen % 100 == 0)
            return Term(z3.ToReal(fen) / 100, _true(), "money")
        if kind == "percent":
            v = mkReal(name)
            limit = self.percent_limits.get(name[len("blank__"):] if name.startswith("blank__") else name)
            self.domain.extend([v >= 0, v <= (mkRealVal(str(limit)) if limit is not None else 1)])
            basis = mkInt(f"{name}__bp")  # readable percents: whole hundredths of a percent
            self.preferred.append(v == z3.ToReal(basis) / 10000)
            self.rounder.append(basis % 100 == 0)
            return Term(v, _true(), "percent")
        if kind == "decimal":
            v = mkReal(name)
            basis = mkInt(f"{name}__hundredths")
            self.preferred.append(v == z3.ToReal(basis) / 100)
            return Term(v, _true(), "decimal")
        if kind == "count":
            v = mkInt(name)
            self.domain.append(v >= 0)
            self.preferred.append(v <= 10 ** 6)
            return Term(v, _true(), "count")
        if kind == "date":
            year, month, day = mkInt(f"{name}__y"), mkInt(f"{name}__m"), mkInt(f"{name}__d")
            self._date_domain(year, month, day)
            first = self.window[0]
            low = first.year if first is not None else PREFERRED_YEARS[0]
            self.preferred.extend([year >= max(low, PREFERRED_YEARS[0]), year <= max(low, PREFERRED_YEARS[0]) + 10])
            return Term(_ordinal(year, month, day), _true(), "date", (year, month, day))
        if kind == "enum":
            v = mkInt(name)
            members = self.enums.get(t.enum, ())
            self.domain.extend([v >= 0, v < max(len(members), 1)])
            return Term(v, _true(), "enum")
        if kind == "text":
            return Term(mkString(name), _true(), "text")
        raise Inexact(f"an unknown {kind}")

    def _date_domain(self, year, month, day) -> None:
        self.domain.extend([year >= FIRST_YEAR, year <= LAST_YEAR, month >= 1, month <= 12,
                            day >= 1, day <= _days_in_month(year, month)])

    def input(self, name: str, t: Type, optional: bool) -> Term:
        if name not in self.inputs:
            term = self._fresh(name, t)
            if optional:
                term = Term(term.value, mkBool(f"{name}__given"), term.kind, term.triple)
            self.inputs[name] = (term, t, optional)
        return self.inputs[name][0]

    def list_input(self, name: str, t: Type, record, optional: bool) -> Term:
        """A list input of at most LIST_BOUND elements: its length and each element's fields. A
        "holds" answer covers only such lists, so it is not a proof (the checker then also tries
        longer lists through the interpreter, and says so)."""
        if name not in self.inputs:
            length = mkInt(f"{name}__length")
            self.domain.extend([length >= 0, length <= LIST_BOUND])
            self.preferred.append(length >= 1)
            self.short.append((length <= 1, length <= 3))
            elements = []
            for index in range(LIST_BOUND):
                element = {}
                for f in record.fields:
                    term = self._fresh(f"{name}__{index}__{f.name}", f.type)
                    if f.optional:
                        term = Term(term.value, mkBool(f"{name}__{index}__{f.name}__given"), term.kind, term.triple)
                    element[f.name] = term
                elements.append(element)
            defined = mkBool(f"{name}__given") if optional else _true()
            self.inputs[name] = (Term((length, elements), defined, "list"), t, optional)
            self.records[name] = record
            self.note_inexact(f"lists of more than {LIST_BOUND} elements (the solver checks '{name}' with "
                              f"up to {LIST_BOUND})")
        return self.inputs[name][0]

    def blank(self, name: str, t: Type) -> Term:
        if name not in self.blanks:
            self.blanks[name] = (self._fresh(f"blank__{name}", t), t)
        return self.blanks[name][0]

    def as_of(self) -> Term:
        if self._as_of is None:
            term = self._fresh("as_of", Type("date"))
            first, last = self.window
            if first is not None:
                self.domain.append(term.value >= first.toordinal())
            if last is not None:
                self.domain.append(term.value <= last.toordinal())
            self._as_of = term
        return self._as_of

    def triple(self, date: Term) -> tuple:
        if date.triple is not None:
            return date.triple
        self._triples += 1
        year, month, day = (mkInt(f"t{self._triples}__y"), mkInt(f"t{self._triples}__m"),
                            mkInt(f"t{self._triples}__d"))
        # Only where the date exists: an undefined (none) date has no calendar day to tie to.
        tie = z3.And(year >= 1, year <= 9999, month >= 1, month <= 12, day >= 1,
                     day <= _days_in_month(year, month), _ordinal(year, month, day) == date.value)
        self.domain.append(z3.Implies(date.defined, tie))
        date.triple = (year, month, day)
        return date.triple

    def require_calendar(self, year, defined) -> None:
        """Dates past year 9999 are an evaluation error, not a value: leave them out of counterexamples."""
        self.domain.append(z3.Implies(defined, z3.And(year >= 1, year <= 9999)))

    def dummy(self, t: Type):
        kind = t.kind
        if kind == "bool":
            return mkBoolVal(False)
        if kind in ("count", "date", "enum"):
            return mkIntVal(0)
        if kind == "text":
            return mkStringVal("")
        if kind == "duration":
            return Duration(0, "days")
        return mkRealVal(0)

    def constant(self, value, t: Type) -> Term:
        kind = t.kind
        if isinstance(value, bool):
            return Term(mkBoolVal(value), _true(), "bool")
        if isinstance(value, _dt.date):
            ordinal = value.toordinal()
            return Term(mkIntVal(ordinal), _true(), "date",
                        (mkIntVal(value.year), mkIntVal(value.month), mkIntVal(value.day)))
        if isinstance(value, Duration):
            return Term(value, _true(), "duration")
        if isinstance(value, int):
            return Term(mkIntVal(value), _true(), "count" if kind in ("count", "none", "unknown") else kind)
        if isinstance(value, Decimal):
            if kind == "count" and value == value.to_integral_value():
                return Term(mkIntVal(int(value)), _true(), "count")
            return Term(mkRealVal(str(value)), _true(), kind if kind in ("money", "percent", "decimal") else "decimal")
        if isinstance(value, str):
            if kind == "enum":
                members = self.enums.get(t.enum, ())
                if value not in members:
                    raise Inexact(f"the member {value} is not in {t.enum}")
                return Term(mkIntVal(members.index(value)), _true(), "enum")
            return Term(mkStringVal(value), _true(), "text")
        raise Inexact(f"a value of type {type(value).__name__}")

    # ------------------------------------------------------------ models back to values
    def value_of(self, model: z3.ModelRef, term: Term, t: Type, name: str = ""):
        kind = t.kind
        if kind == "list":  # the elements below the model's length, as the interpreter takes them
            length, elements = term.value
            record = self.records[name]
            out = []
            for element in elements[:model.eval(length, model_completion=True).as_long()]:
                values = {}
                for f in record.fields:
                    field = element[f.name]
                    given = z3.is_true(model.eval(field.defined, model_completion=True))
                    values[f.name] = self.value_of(model, field, f.type) if given else None
                out.append(values)
            return tuple(out)
        if kind == "bool":
            return z3.is_true(model.eval(term.value, model_completion=True))
        raw = model.eval(term.value, model_completion=True)
        if kind == "date":
            return _dt.date.fromordinal(raw.as_long())
        if kind in ("count",):
            return raw.as_long()
        if kind == "enum":
            members = self.enums.get(t.enum, ())
            index = raw.as_long()
            return members[index] if 0 <= index < len(members) else None
        if kind == "text":
            return raw.as_string()
        frac = raw.as_fraction() if z3.is_rational_value(raw) else Fraction(raw.as_decimal(30).rstrip("?"))
        value = Decimal(frac.numerator) / Decimal(frac.denominator)
        if kind == "money":
            return value.quantize(Decimal("0.01"))
        return value.normalize() if value != value.to_integral_value() else value.quantize(Decimal(1))

    def assignment(self, model: z3.ModelRef) -> tuple[dict, dict, Optional[_dt.date]]:
        """(inputs, blanks, day) of a model, as the interpreter takes them."""
        inputs = {}
        for name, (term, t, optional) in self.inputs.items():
            if optional and not z3.is_true(model.eval(term.defined, model_completion=True)):
                continue
            inputs[name] = self.value_of(model, term, t, name)
        blanks = {name: self.value_of(model, term, t) for name, (term, t) in self.blanks.items()}
        day = self.value_of(model, self._as_of, Type("date")) if self._as_of is not None else None
        return inputs, blanks, day


# ---------------------------------------------------------------- helpers


def _choose(condition, then: Term, otherwise: Term) -> Term:
    if then.kind == "duration" or otherwise.kind == "duration":
        raise Inexact("a choice between periods of time")
    a, b = then.value, otherwise.value
    if then.kind != otherwise.kind and "date" not in (then.kind, otherwise.kind):
        if z3.is_bool(a) or z3.is_bool(b):
            pass
        elif z3.is_int(a) != z3.is_int(b):
            a, b = _real(a), _real(b)
    triple = None
    if then.triple is not None and otherwise.triple is not None:
        triple = tuple(z3.If(condition, x, y) for x, y in zip(then.triple, otherwise.triple))
    kind = then.kind if then.kind == otherwise.kind else (otherwise.kind if then.kind == "none" else then.kind)
    return Term(z3.If(condition, a, b), z3.If(condition, then.defined, otherwise.defined), kind, triple)


def _equal(left: Term, right: Term) -> z3.BoolRef:
    """Python's ==, none included: none == none, none != anything else."""
    if left.kind == "duration" or right.kind == "duration":
        if left.kind == right.kind == "duration":
            return mkBoolVal(left.value == right.value)
        raise Inexact("a comparison with a period of time")
    a, b = left.value, right.value
    if z3.is_bool(a) != z3.is_bool(b):
        both = mkBoolVal(False)
    else:
        if not z3.is_bool(a) and z3.is_int(a) != z3.is_int(b):
            a, b = _real(a), _real(b)
        both = a == b
    return z3.If(z3.And(left.defined, right.defined), both, z3.And(z3.Not(left.defined), z3.Not(right.defined)))


def _comparable(term: Term):
    if term.kind == "bool":
        return z3.If(term.value, 1, 0)
    if term.kind in ("duration", "text"):
        raise Inexact(f"an order on {term.kind} values")
    return term.value


def _real(x):
    if isinstance(x, (int, Fraction)):
        return mkRealVal(x)
    if z3.is_int(x):
        return z3.ToReal(x)
    return x


def _int(x):
    if z3.is_int(x):
        return x
    raise Inexact("a number of days or months that is not whole")


def _round(x, quantum: Fraction, mode: str):
    """x rounded to a multiple of quantum: half_up (half away from zero), half_even, up (ceiling), down (floor)."""
    scaled = x / mkRealVal(quantum) if quantum != 1 else x
    if mode == "down":
        whole = z3.ToInt(scaled)
    elif mode == "up":
        whole = -z3.ToInt(-scaled)
    elif mode == "half_up":
        half = mkRealVal(Fraction(1, 2))
        whole = z3.If(scaled >= 0, z3.ToInt(scaled + half), -z3.ToInt(-scaled + half))
    else:  # half_even
        low = z3.ToInt(scaled)
        rest = scaled - z3.ToReal(low)
        half = mkRealVal(Fraction(1, 2))
        whole = z3.If(rest > half, low + 1, z3.If(rest < half, low, z3.If(low % 2 == 0, low, low + 1)))
    result = z3.ToReal(whole)
    return result * mkRealVal(quantum) if quantum != 1 else result


_this_module = sys.modules[__name__]  # the helpers the builtins' exact encodings use
