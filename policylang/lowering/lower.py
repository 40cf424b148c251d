"""Lowering: a resolved policy to the lowered form (ir.py), with the facts (facts.py) attached."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Callable, Iterable, Optional

import attrs

from ..semantics.evaluate import NOT_FILLED
from ..semantics.model import (
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
    next_level,
)
from . import ir
from .facts import DECIMAL, INT, Facts

UNFILLED = NOT_FILLED  # the value of an external blank no level filled


class Lowerer:
    def __init__(self, policy: ResolvedPolicy, facts: Optional[Facts] = None):
        self.p = policy
        self.facts = facts or Facts(policy)

    # ------------------------------------------------------------ expressions
    def info(self, e: RExpr) -> ir.Info:
        return ir.Info(self.facts, e)

    def expr(self, e: RExpr, fold: bool = True) -> ir.Expr:
        """e lowered; with fold, each outermost constant expression (not a literal or a name) is a
        Folded node holding its value (its parts then are not folded again)."""
        if fold and not isinstance(e, (RLit, RRef)) and self.facts.is_constant(e):
            value = self.facts.folded(e)
            if value is not NOT_FILLED:
                return ir.Folded(value, self._expr(e, False), self.info(e))
        return self._expr(e, fold)

    def _expr(self, e: RExpr, fold: bool) -> ir.Expr:
        info = self.info(e)
        if isinstance(e, RLit):
            return ir.Lit(e.value, e.text, info)
        if isinstance(e, RRef):
            return self.ref(e, info)
        if isinstance(e, RBinary):
            return ir.Binary(e.op, self.expr(e.left, fold), self.expr(e.right, fold), info)
        if isinstance(e, RUnary):
            return ir.Unary(e.op, self.expr(e.operand, fold), info)
        if isinstance(e, RIf):
            return ir.If(self.expr(e.cond, fold), self.expr(e.then, fold), self.expr(e.otherwise, fold), info)
        if isinstance(e, RIn):
            return ir.In(self.expr(e.operand, fold), tuple(self.expr(i, fold) for i in e.items), e.negated, info)
        if isinstance(e, RCall):
            return ir.Call(e.func, tuple(self.expr(a, fold) for a in e.args), tuple(e.options or ()), info)
        if isinstance(e, RAggregate):
            return ir.Aggregate(e.func, self.expr(e.source, fold), self.expr(e.where, fold) if e.where else None,
                                self.expr(e.value, fold) if e.value else None, info)
        raise TypeError(f"cannot lower the expression {e!r}")

    def ref(self, e: RRef, info: ir.Info) -> ir.Ref:
        if e.kind == "input":
            inp = self.p.inputs.get(e.name)
            return ir.Ref("input", e.name, info, required=inp is not None and not inp.optional)
        if e.kind == "param":
            prm = self.p.params.get(e.name)
            return ir.Ref("param", e.name, info, blank=prm is not None and self.facts.is_blank(prm))
        if e.kind == "builtin":
            value = None
            if e.name != "as_of":
                value = self.p.effective if e.name == "effective_date" else self.p.ends
            return ir.Ref("builtin", e.name, info, value=value)
        if e.kind == "external":
            return ir.Ref("external", e.name, info, alias=e.alias, value=self.facts.external_value(e))
        if e.kind == "field":
            return ir.Ref("field", e.name, info, required=not info.nullable)
        return ir.Ref(e.kind, e.name, info)

    # ------------------------------------------------------------ statements
    def decision(self, d: RDecision) -> ir.Decision:
        branches: list = []
        columns: list = []
        rows: list = []
        none_rule = None
        constant_formula = False
        if d.form == "expr":
            branches.append(ir.Branch("formula", None, self.expr(d.expr), 0, None))
            constant_formula = not isinstance(d.expr, (RLit, RRef)) and self.facts.is_constant(d.expr)
        elif d.form == "cases":
            for index, case in enumerate(d.cases):
                branches.append(ir.Branch(f"case {index + 1}", self.expr(case.cond), self.expr(case.value), index, case))
            if d.otherwise is not None:
                branches.append(ir.Branch("otherwise", None, self.expr(d.otherwise.value), len(d.cases), d.otherwise))
            else:
                none_rule = len(d.cases)
        else:
            table = d.table
            columns = [ir.Column(col.name, self.expr(col)) for col in table.columns]
            terminal = False
            for index, row in enumerate(table.rows):
                tests = []
                if not row.is_otherwise:
                    for position, (cell, col) in enumerate(zip(row.cells, table.columns)):
                        if cell.kind == "any":
                            continue
                        values = tuple(self.expr(v) for v in (cell.values or ()))
                        nullable = cell.kind == "cmp" and (self.facts.nullable(col) or self.facts.nullable(cell.values[0]))
                        tests.append(ir.Test(cell.kind, cell.op, position, values, nullable))
                what = "otherwise row" if row.is_otherwise else f"row {index + 1}"
                rows.append(ir.Row(what, tuple(tests), self.expr(row.output), index, row.is_otherwise, row))
                if row.is_otherwise or not tests:
                    terminal = True
                    break  # later rows can never apply
            if not terminal:
                none_rule = len(table.rows)
        return ir.Decision(d.name, d.form, tuple(branches), tuple(columns), tuple(rows), none_rule, self.finish(d),
                           self.facts.decision_nullable(d.name), constant_formula, d)

    def finish(self, d: RDecision) -> str:
        """How the value leaves the decision, as the interpreter's finish(): money at the fen (half
        up), counts as int, decimals as Decimal; nothing when every value it can take already is so
        (an input, a decision, round(…, fen)): quantizing them again would change nothing."""
        f = self.facts
        kind = d.type.kind
        values = [v for v in f.decision_values(d) if not (isinstance(v, RLit) and v.value is None)]
        if kind == "money":
            if all(f.at_fen(v) for v in values):
                return ""
            return "to_money" if f.decision_nullable(d.name) else "quantize"
        if kind == "count":
            return "" if all(f.runtime_class(v) == INT for v in values) else "to_count"
        if kind in ("decimal", "percent"):
            return "" if all(f.runtime_class(v) == DECIMAL for v in values) else "to_decimal"
        return ""

    def param(self, prm: RParam) -> ir.Param:
        entries = ()
        if prm.schedule is not None:
            entries = tuple(ir.Entry(index, entry.start, self.expr(entry.value), entry)
                            for index, entry in enumerate(prm.schedule.entries, 1))
        level = by = None
        if prm.value is None:
            origin = prm.delegated_by or prm.origin
            level, by = prm.to_level or next_level(origin.level), origin.policy_id
        literal = self.facts.is_literal(prm)
        value = self.expr(prm.value) if prm.value is not None else None
        return ir.Param(prm.name, value, entries, literal, self.facts.is_blank(prm), level, by, prm)


class LazyItems(Mapping):
    """name -> lowered item, in the policy's order, each lowered when first read and kept.

    A backend that already wrote an item's code for another policy (the Python generator's
    emission memo) never reads it here, so lowering costs only what is emitted anew."""

    __slots__ = ("_names", "_known", "_lower", "_done")

    def __init__(self, names: Iterable[str], lower: Callable[[str], object]):
        self._names = tuple(names)
        self._known = frozenset(self._names)
        self._lower = lower
        self._done: dict = {}

    def __getitem__(self, name: str):
        done = self._done
        if name in done:
            return done[name]
        if name not in self._known:
            raise KeyError(name)
        item = done[name] = self._lower(name)
        return item

    def __contains__(self, name: object) -> bool:
        return name in self._known

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@attrs.frozen
class LoweredPolicy:
    """A policy in the lowered form: its parameters (declaration order), the parameters the decisions
    need (in the order they need them), and its decisions (dependency order). Items are lowered
    when first read (LazyItems)."""

    policy: ResolvedPolicy
    params: Mapping  # name -> ir.Param
    param_order: tuple  # names
    decisions: Mapping  # name -> ir.Decision, in evaluation order
    facts: Facts
    requirements: Mapping = attrs.Factory(dict)  # name -> the requirement's condition (ir.Expr)


def lower_policy(policy: ResolvedPolicy) -> LoweredPolicy:
    lowerer = Lowerer(policy)
    params = LazyItems(policy.params, lambda name: lowerer.param(policy.params[name]))
    decisions = LazyItems(policy.decision_order, lambda name: lowerer.decision(policy.decisions[name]))
    order = tuple(prm.name for prm in lowerer.facts.param_order())
    requirements = LazyItems((name for name, r in policy.requirements.items() if r.cond is not None),
                             lambda name: lowerer.expr(policy.requirements[name].cond))
    return LoweredPolicy(policy, params, order, decisions, lowerer.facts, requirements)
