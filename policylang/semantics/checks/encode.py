"""Translating resolved expressions into z3 formulas, for the table, case and requirement checks.

Sorts: money, percent and decimal are Real; count is Int; dates are Int day
numbers (date.toordinal); enums are Int in the range of their members; bools are
Bool; text is String. Inputs become variables with their natural domain (money
and counts not negative, percents within 0–100%). Anything that reads no input,
no decision, no blank and not the evaluation date is folded to a constant by the
reference interpreter first, so date arithmetic, functions and `uses`
references in constants need no z3 encoding.

What cannot be encoded (rounding, calendar months, a decision when decisions
are not inlined…) raises Unsupported inside a term; `boolean()` then replaces the
smallest enclosing condition by a free boolean (an "opaque" condition, the same
variable for the same condition text). That over-approximates what inputs can
do, so an "unsatisfiable" answer is still a proof, while a "satisfiable" answer
that involved an opaque condition is only a possibility ("may").
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from fractions import Fraction
from typing import Optional

from .lazyz3 import lazy_z3

z3 = lazy_z3(__name__)

from ..evaluate import BlankNotFilled, EvaluationError
from ..model import (
    Duration,
    RCall,
    RExpr,
    RIf,
    RLit,
    RRef,
    ResolvedPolicy,
    references,
    rchildren,
)
from ..builtins import BUILTINS
from ..operators import OPERATORS, key_of
from ..types import Type
from ...messages import Bi
from .common import CheckContext, format_value
from .solver_budget import budgeted

SOLVER_CPU_SECONDS = 2.0  # per call, CPU time of the solving thread (see solver_budget)
MAX_DATE = _dt.date.max.toordinal()
# Dates an example should preferably show: this century. Other dates stay possible (so "can never apply" is still
# a proof), but an example dated 0001-01-01 would mean nothing to a reader.
EARLIEST_DATE = _dt.date(2000, 1, 1).toordinal()
LATEST_DATE = _dt.date(2099, 12, 31).toordinal()


class Unsupported(Exception):
    """This expression has no z3 encoding (it becomes an opaque condition where it is a condition)."""


def structural_key(expr: RExpr):
    """A hashable description of an expression without its source positions."""
    if isinstance(expr, RLit):
        return ("lit", repr(expr.value), expr.type.kind)
    if isinstance(expr, RRef):
        return ("ref", expr.kind, expr.alias, expr.name)
    head = (type(expr).__name__, getattr(expr, "op", None), getattr(expr, "func", None),
            getattr(expr, "negated", None), getattr(expr, "options", None))
    return head + tuple(structural_key(c) for c in rchildren(expr))


def solver() -> z3.Solver:
    return budgeted(z3.Solver(), SOLVER_CPU_SECONDS)


class Encoder:
    """Encodes expressions of one policy, evaluated at one date or at any date."""

    def __init__(self, ctx: CheckContext, policy: ResolvedPolicy, as_of: Optional[_dt.date] = None,
                 inline_decisions: bool = False):
        self.ctx = ctx
        self.policy = policy
        self.interp = ctx.interpreter(policy.policy_id)
        self.as_of = as_of  # None: the evaluation date is free (a variable)
        self.inline_decisions = inline_decisions
        self.vars: dict[str, tuple[z3.ExprRef, Type]] = {}  # display name -> (variable, type)
        self.domain: list[z3.BoolRef] = []
        self.preferred: list[z3.BoolRef] = []  # narrower ranges that make examples readable (see example_model)
        self.opaque: dict[object, tuple[z3.BoolRef, RExpr]] = {}
        self.blanks_read: set[str] = set()
        self.approximate = False  # something was replaced by a free value: sat answers mean "may"
        self._inlining: list[str] = []

    # ------------------------------------------------------------ variables and constants
    def variable(self, name: str, t: Type) -> z3.ExprRef:
        if name in self.vars:
            return self.vars[name][0]
        kind = t.kind
        if kind == "bool":
            v = z3.Bool(name)
        elif kind in ("money", "percent", "decimal"):
            v = z3.Real(name)
            if kind in ("money", "percent"):
                self.domain.append(v >= 0)
            if kind == "percent":
                item = self.policy.inputs.get(name) or self.policy.params.get(name)
                limit = getattr(item, "percent_limit", None)
                self.domain.append(v <= (z3.RealVal(str(limit)) if limit is not None else 1))
        elif kind == "count":
            v = z3.Int(name)
            self.domain.append(v >= 0)
        elif kind == "date":
            v = z3.Int(name)
            self.domain.extend([v >= 1, v <= MAX_DATE])
            self.preferred.extend([v >= EARLIEST_DATE, v <= LATEST_DATE])
        elif kind == "enum":
            v = z3.Int(name)
            members = self._members(t)
            self.domain.extend([v >= 0, v < max(len(members), 1)])
        elif kind == "text":
            v = z3.String(name)
        else:
            raise Unsupported(f"no encoding for {kind}")
        self.vars[name] = (v, t)
        return v

    def _members(self, t: Type) -> tuple[str, ...]:
        enum = self.policy.enums.get(t.enum)
        return enum.member_names if enum is not None else ()

    def literal(self, value, t: Type) -> z3.ExprRef:
        if value is None:
            raise Unsupported("none")
        if isinstance(value, bool):
            return z3.BoolVal(value)
        if isinstance(value, _dt.date):
            return z3.IntVal(value.toordinal())
        if isinstance(value, Duration):
            raise Unsupported("duration")
        if isinstance(value, int):
            return z3.IntVal(value)
        if isinstance(value, Decimal):
            if t.kind == "count" and value == value.to_integral_value():
                return z3.IntVal(int(value))
            return z3.RealVal(str(value))
        if isinstance(value, str):
            if t.kind == "enum":
                members = self._members(t)
                if value not in members:
                    raise Unsupported("unknown member")
                return z3.IntVal(members.index(value))
            return z3.StringVal(value)
        raise Unsupported(type(value).__name__)

    def _foldable(self, expr: RExpr) -> bool:
        for ref in references(expr):
            if ref.kind in ("input", "decision"):
                return False
            if ref.kind == "builtin" and ref.name == "as_of" and self.as_of is None:
                return False
            if ref.kind == "param":
                p = self.policy.params.get(ref.name)
                if p is None or p.is_blank or (p.schedule is not None and self.as_of is None):
                    return False
        return True

    def _fold(self, expr: RExpr):
        try:
            return self.interp.constant(expr, self.as_of or self.policy.effective)
        except BlankNotFilled as exc:
            self.blanks_read.add(exc.blank)
            raise Unsupported("blank") from None
        except (EvaluationError, ArithmeticError, TypeError, ValueError, OverflowError):
            raise Unsupported("cannot fold") from None

    # ------------------------------------------------------------ conditions
    def boolean(self, expr: RExpr) -> z3.BoolRef:
        op = key_of(expr)
        if op is not None and op.z3_condition is not None:  # and, or, not: their parts stay conditions
            return op.z3_condition(self, expr, op)
        try:
            value = self.term(expr)
            if not z3.is_bool(value):
                raise Unsupported("not a condition")
            return value
        except Unsupported:
            return self.opaque_condition(expr)

    def opaque_condition(self, expr: RExpr) -> z3.BoolRef:
        key = structural_key(expr)
        if key not in self.opaque:
            self.opaque[key] = (z3.Bool(f"opaque{len(self.opaque)}"), expr)
        self.approximate = True
        return self.opaque[key][0]

    # ------------------------------------------------------------ terms
    def term(self, expr: RExpr) -> z3.ExprRef:
        if isinstance(expr, RLit):
            return self.literal(expr.value, expr.type)
        if not isinstance(expr, RRef) and self._foldable(expr):
            return self.literal(self._fold(expr), expr.type)
        if isinstance(expr, RRef):
            return self.reference(expr)
        op = key_of(expr)
        if op is not None:
            return op.z3_approx(self, expr, op)
        if isinstance(expr, RIf):
            return z3.If(self.boolean(expr.cond), self.term(expr.then), self.term(expr.otherwise))
        if isinstance(expr, RCall):
            return self.call(expr)
        raise Unsupported(type(expr).__name__)

    def reference(self, ref: RRef) -> z3.ExprRef:
        if ref.kind == "input":
            return self.variable(ref.name, ref.type)
        if ref.kind == "builtin":
            if ref.name == "as_of" and self.as_of is None:
                return self.variable("as_of", ref.type)
            return self.literal(self._fold(ref), ref.type)
        if ref.kind == "param":
            p = self.policy.params.get(ref.name)
            if p is not None and p.is_blank:
                self.blanks_read.add(ref.name)
                self.approximate = True
                return self.variable(ref.name, ref.type)
            if p is not None and p.schedule is not None and self.as_of is None:
                self.approximate = True  # its value depends on the date: any of its values
                return self.variable(ref.name, ref.type)
            return self.literal(self._fold(ref), ref.type)
        if ref.kind == "decision":
            if self.inline_decisions:
                return self.decision(ref.name)
            self.approximate = True
            return self.variable(ref.name, ref.type)
        if ref.kind == "external":
            return self.literal(self._fold(ref), ref.type)
        raise Unsupported(ref.kind)

    def decision(self, name: str) -> z3.ExprRef:
        """A decision's value as a formula of the inputs (only decisions that always have a value)."""
        d = self.policy.decisions.get(name)
        if d is None or name in self._inlining:
            raise Unsupported("decision")
        self._inlining.append(name)
        try:
            if d.form == "expr":
                return self.term(d.expr)
            if d.form == "cases":
                if d.otherwise is None:
                    raise Unsupported("a decision without otherwise may be none")
                result = self.term(d.otherwise.value)
                for case in reversed(d.cases):
                    result = z3.If(self.boolean(case.cond), self.term(case.value), result)
                return result
            rows = d.table.rows
            fallback = [r for r in rows if r.is_otherwise]
            if not fallback:
                raise Unsupported("a table without an otherwise row may be none")
            result = self.term(fallback[0].output)
            columns = [self.term(c) for c in d.table.columns]
            for row in reversed([r for r in rows if not r.is_otherwise]):
                result = z3.If(self.row_condition(row, columns, d.table.columns), self.term(row.output), result)
            return result
        finally:
            self._inlining.pop()

    def constant_value(self, expr: RExpr):
        """The value of a constant expression, or None when it reads what varies."""
        return self._fold(expr) if self._foldable(expr) else None

    # the builtins' and operators' encodings (policylang/semantics/builtins.py, operators.py) build
    # formulas with these
    z3 = z3
    Unsupported = Unsupported

    def call(self, expr: RCall) -> z3.ExprRef:
        builtin = BUILTINS.get(expr.func)
        encoded = builtin.z3_approx(self, expr) if builtin is not None and builtin.z3_approx is not None else None
        if encoded is None:
            raise Unsupported(expr.func)
        return encoded

    # ------------------------------------------------------------ table rows
    def row_condition(self, row, columns: list, column_refs) -> z3.BoolRef:
        if row.is_otherwise:
            return z3.BoolVal(True)
        parts = []
        for cell, column, ref in zip(row.cells, columns, column_refs):
            parts.append(self.cell_condition(cell, column, ref))
        return z3.And(*parts) if parts else z3.BoolVal(True)

    def cell_condition(self, cell, column, ref) -> z3.BoolRef:
        if cell.kind == "any":
            return z3.BoolVal(True)
        try:
            values = [self.term(v) for v in cell.values]
            if cell.kind == "eq":
                return column == values[0]
            if cell.kind == "cmp":
                return OPERATORS[cell.op].relation(column, values[0])
            hit = z3.Or(*[column == v for v in values]) if values else z3.BoolVal(False)
            return hit if cell.kind == "in" else z3.Not(hit)
        except (Unsupported, z3.Z3Exception):
            key = ("cell", structural_key(ref), cell.kind, cell.op, tuple(structural_key(v) for v in cell.values))
            if key not in self.opaque:
                self.opaque[key] = (z3.Bool(f"opaque{len(self.opaque)}"), cell)
            self.approximate = True
            return self.opaque[key][0]

    # ------------------------------------------------------------ models
    def value_in(self, model: z3.ModelRef, name: str):
        """A variable's value in a model, as a policy value (Decimal, int, date, member name…)."""
        var, t = self.vars[name]
        raw = model.eval(var, model_completion=True)
        kind = t.kind
        try:
            if kind == "bool":
                return z3.is_true(raw)
            if kind == "enum":
                members = self._members(t)
                index = raw.as_long()
                return members[index] if 0 <= index < len(members) else None
            if kind == "date":
                return _dt.date.fromordinal(min(max(raw.as_long(), 1), MAX_DATE))
            if kind == "count":
                return raw.as_long()
            if kind == "text":
                return raw.as_string()
            frac = raw.as_fraction() if z3.is_rational_value(raw) else Fraction(raw.as_decimal(6).rstrip("?"))
            value = Decimal(frac.numerator) / Decimal(frac.denominator)
            return value.quantize(Decimal("0.01")) if kind == "money" and value == value.quantize(Decimal("0.01")) \
                else value
        except (z3.Z3Exception, ValueError, ArithmeticError):
            return None

    def example_model(self, s: z3.Solver) -> z3.ModelRef:
        """A model of a satisfiable solver, within the preferred (readable) ranges when one exists there."""
        model = s.model()
        if self.preferred:
            s.push()
            s.add(*self.preferred)
            if s.check() == z3.sat:
                model = s.model()
            s.pop()
        return model

    def describe_model(self, model: z3.ModelRef, names: list[str], lang: str = "en") -> str:
        """The inputs of a model as a policy author reads them: 'price = 0 yuan, flag = true'; in
        Chinese by their labels, values in Chinese: 「患者使用的产品价格 = 0元，是否中选 = 是」."""
        from .common import expr_zh, label_of, shown_value

        zh = lang == "zh"
        parts = []
        for name in names:
            if name not in self.vars:
                continue
            value = self.value_in(model, name)
            t = self.vars[name][1]
            shown = shown_value(self.policy, value, t) if value is not None else Bi("?", "？")
            if zh:
                label = label_of(self.policy, name)
                parts.append(f"{label}（尚未填写的授权事项）= {shown.zh}" if name in self.blanks_read
                             else f"{label} = {shown.zh}")
            elif name in self.blanks_read:
                parts.append(f"{name} (a blank) = {shown}")
            else:
                parts.append(f"{name} = {shown}")
        for var, expr in self.opaque.values():
            truth = z3.is_true(model.eval(var, model_completion=True))
            if zh:
                parts.append(f"“{expr_zh(self.policy, expr)}”{'成立' if truth else '不成立'}")
            else:
                parts.append(f"“{source_text(self.ctx, expr)}” is {'true' if truth else 'false'}")
        return ("，" if zh else ", ").join(parts)


def source_text(ctx: CheckContext, node) -> str:
    span = node.span
    line = ctx.ws.sources.line(span.file, span.line) or ""
    if span.end_line == span.line:
        return line[span.column - 1: span.end_column - 1].strip() or line.strip()
    return line[span.column - 1:].strip() + " …"


def input_names(exprs) -> list[str]:
    """Names of the variables an expression reads, in order of appearance (for showing examples)."""
    seen: list[str] = []
    for expr in exprs:
        for ref in references(expr):
            name = "as_of" if ref.kind == "builtin" and ref.name == "as_of" else ref.name
            if ref.kind in ("input", "param", "decision", "builtin") and name not in seen:
                seen.append(name)
    return seen
