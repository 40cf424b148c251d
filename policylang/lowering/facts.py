"""Facts about a resolved policy's expressions, computed once (memoized per expression) and shared
by every backend: can a value be none, is a number always a Decimal or an int, is money already
at the fen, is an expression constant (and its value, computed by the reference interpreter),
which parameters the decisions need and in what order.

Pure: it reads the resolved policy and never changes it.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from ..semantics.builtins import BUILTINS
from ..semantics.operators import key_of
from ..semantics.evaluate import NOT_FILLED, Interpreter
from ..semantics.model import (
    RAggregate,
    Duration,
    RCall,
    RDecision,
    RExpr,
    RIf,
    RLit,
    RParam,
    RRef,
    ResolvedPolicy,
    references,
)

# Number classes: the value is always a Decimal, always an int, or either (or not a number).
DECIMAL, INT, EITHER = "D", "I", "?"

# The references of each expression, walked once per process: an inherited expression is the same
# object in every policy below the level that wrote it (a county's module reads its province's
# decisions), and the resolved form is frozen. Keyed by id, with the expression kept (so its id
# names it alone); emptied when it grows past _REFS_LIMIT.
_REFS: dict[int, tuple[RExpr, tuple[RRef, ...]]] = {}
_REFS_LIMIT = 500_000


def _references(expr) -> tuple[RRef, ...]:
    if expr is None:
        return ()
    found = _REFS.get(id(expr))
    if found is not None and found[0] is expr:
        return found[1]
    refs = tuple(references(expr))
    if len(_REFS) >= _REFS_LIMIT:
        _REFS.clear()
    _REFS[id(expr)] = (expr, refs)
    return refs


class Facts:
    def __init__(self, policy: ResolvedPolicy):
        self.p = policy
        self._nullable: dict[int, bool] = {}
        self._null_decisions: dict[str, bool] = {}
        self._null_params: dict[str, bool] = {}
        self._constant: dict[int, bool] = {}
        self._folded: dict[int, object] = {}
        self._reads: dict[int, tuple] = {}
        self.interpreter = Interpreter(policy)  # folds constant expressions exactly

    # ------------------------------------------------------------ none
    def nullable(self, e: RExpr) -> bool:
        """Can this expression be none (not applicable) at run time?"""
        key = id(e)
        if key not in self._nullable:
            self._nullable[key] = self._compute_nullable(e)
        return self._nullable[key]

    def _compute_nullable(self, e: RExpr) -> bool:
        if isinstance(e, RLit):
            return e.value is None
        if isinstance(e, RRef):
            if e.kind == "input":
                inp = self.p.inputs.get(e.name)
                return inp is None or inp.optional
            if e.kind == "param":
                return self.param_nullable(e.name)
            if e.kind == "decision":
                return self.decision_nullable(e.name)
            if e.kind == "builtin":
                if e.name == "as_of":
                    return False
                return (self.p.effective if e.name == "effective_date" else self.p.ends) is None
            if e.kind == "external":
                return self.external_value(e) is None
            if e.kind == "field":
                return self._field(e).optional
            return True
        op = key_of(e)
        if op is not None:  # none in, none out: the strict operators (semantics/operators.py)
            return op.strict and any(self.nullable(x) for x in op.operands(e))
        if isinstance(e, RIf):
            return self.nullable(e.then) or self.nullable(e.otherwise)
        if isinstance(e, RCall):
            return any(self.nullable(a) for a in e.args)
        if isinstance(e, RAggregate):
            return self.nullable(e.source)  # none only for an optional list not given
        return True

    def _field(self, e: RRef):
        """The record field a field reference reads (its alias names the record type)."""
        return self.p.records[e.alias].field(e.name)

    def param_nullable(self, name: str) -> bool:
        if name not in self._null_params:
            self._null_params[name] = True  # a guard while computing
            p = self.p.params[name]
            values = [p.value] if p.value is not None else []
            if p.schedule is not None:
                values += [entry.value for entry in p.schedule.entries]
            self._null_params[name] = any(self.nullable(v) for v in values)
        return self._null_params[name]

    def decision_nullable(self, name: str) -> bool:
        if name not in self._null_decisions:
            self._null_decisions[name] = True
            d = self.p.decisions[name]
            if d.form == "expr":
                result = self.nullable(d.expr)
            elif d.form == "cases":
                result = d.otherwise is None or self.nullable(d.otherwise.value) \
                    or any(self.nullable(c.value) for c in d.cases)
            else:
                rows = d.table.rows
                result = not any(r.is_otherwise or all(c.kind == "any" for c in r.cells) for r in rows) \
                    or any(self.nullable(r.output) for r in rows)
            self._null_decisions[name] = result
        return self._null_decisions[name]

    # ------------------------------------------------------------ constants
    def is_constant(self, e: RExpr) -> bool:
        """Does e read only literals and fixed values (no input, decision, date of evaluation or
        schedule)? Then its value is the same in every evaluation."""
        key = id(e)
        if key not in self._constant:
            self._constant[key] = False  # a guard while computing (a cycle is not constant)
            self._constant[key] = all(self._constant_ref(ref) for ref in _references(e))
        return self._constant[key]

    def _constant_ref(self, ref: RRef) -> bool:
        if ref.kind == "param":
            prm = self.p.params.get(ref.name)
            return prm is not None and prm.schedule is None and prm.value is not None and self.is_constant(prm.value)
        if ref.kind == "builtin":
            return ref.name != "as_of"
        if ref.kind == "external":
            return self.external_value(ref) is not NOT_FILLED
        return False

    def folded(self, e: RExpr):
        """The value of a constant expression, computed now by the reference interpreter (so exactly
        what every evaluation would compute); NOT_FILLED when it fails, to fail at run time instead."""
        key = id(e)
        if key not in self._folded:
            try:
                value = self.interpreter.constant(e, self.p.effective)
            except Exception:  # noqa: BLE001 - any failure is left to the run time, which reports it
                value = NOT_FILLED
            ok = isinstance(value, (bool, int, str, Decimal, _dt.date, Duration, type(None)))
            self._folded[key] = value if ok else NOT_FILLED
        return self._folded[key]

    def external_value(self, e: RRef):
        """The value of alias.name, folded in its own policy by the resolver (NOT_FILLED for a blank)."""
        return self.p.external_values.get((e.alias, e.name), NOT_FILLED)

    # ------------------------------------------------------------ numbers
    def runtime_class(self, e: RExpr) -> str:
        """DECIMAL when the value is always a Decimal, INT always an int, EITHER either (or not a number)."""
        kind = e.type.kind
        if kind in ("money", "percent"):
            return DECIMAL
        if kind == "count":
            return INT
        if kind != "decimal":
            return EITHER
        if isinstance(e, RLit):
            return INT if isinstance(e.value, int) else DECIMAL
        if isinstance(e, RRef):
            if e.kind in ("input", "decision", "field"):
                return DECIMAL  # inputs are coerced to Decimal; decisions leave through finish()
            if e.kind == "external":
                value = self.external_value(e)
                return INT if isinstance(value, int) and not isinstance(value, bool) else \
                    DECIMAL if isinstance(value, Decimal) else EITHER
            if e.kind == "param":
                p = self.p.params[e.name]
                if p.value is None and p.schedule is None:
                    return DECIMAL
                classes = {self.runtime_class(v) for v in ([p.value] if p.value is not None else [])
                           + [x.value for x in (p.schedule.entries if p.schedule else ())]}
                return classes.pop() if len(classes) == 1 else EITHER
            return EITHER
        op = key_of(e)
        if op is not None:
            return op.number_class(self, e, op)
        if isinstance(e, RIf):
            a, b = self.runtime_class(e.then), self.runtime_class(e.otherwise)
            return a if a == b else EITHER
        if isinstance(e, RCall):
            builtin = BUILTINS.get(e.func)
            if builtin is not None and builtin.number_class is not None:
                return builtin.number_class(self, e)
        if isinstance(e, RAggregate):
            return DECIMAL if e.func == "sum" else self.runtime_class(e.value)  # a decimal sum starts at Decimal 0
        return EITHER

    def at_fen(self, e: RExpr) -> bool:
        """Is this money value always a Decimal quantized to the fen (or none)?"""
        if e.type.kind != "money":
            return False
        if isinstance(e, RLit):
            return e.value is None or (isinstance(e.value, Decimal) and e.value.as_tuple().exponent == -2)
        if isinstance(e, RRef):
            if e.kind in ("input", "decision", "field"):
                return True  # inputs are validated to the fen; decisions leave through finish()
            if e.kind == "param":
                prm = self.p.params[e.name]
                return prm.value is None and prm.schedule is None  # a blank: the caller's validated input
            if e.kind == "external":
                value = self.external_value(e)
                return isinstance(value, Decimal) and value.as_tuple().exponent == -2
            return False
        if isinstance(e, RCall):
            builtin = BUILTINS.get(e.func)
            return builtin is not None and builtin.at_fen is not None and builtin.at_fen(self, e)
        if isinstance(e, RIf):
            return self.at_fen(e.then) and self.at_fen(e.otherwise)
        return False

    # ------------------------------------------------------------ what an item's facts read
    def reads(self, item) -> tuple[tuple, tuple, tuple]:
        """(refs, context, objects): what every fact of one item's expressions (a parameter, a
        decision or a requirement) reads of this policy. refs: for each name the item reads,
        directly or through the parameters and decisions it reads, ((kind, alias, name), what the
        policy holds under it: the object by id, or for a date or a value read through `uses`, the
        value). context: what any expression may read (whether the policy counts working days, and
        on which calendar). objects keeps the objects named by id alive while the key is kept.
        Two policies holding the same item with equal refs and context lower it to the same form,
        which lets a backend write one item's code once for every module of a tree (an inherited
        item is the same object in every policy below the level that wrote it)."""
        found = self._reads.get(id(item))
        if found is not None and found[0] is item:
            return found[1]
        p = self.p
        parts: list = []
        objects: list = []
        seen: set = set()
        stack = list(self.item_exprs(item))
        while stack:
            for ref in _references(stack.pop()):
                kind, name = ref.kind, ref.name
                seen_key = (kind, ref.alias, name)
                if seen_key in seen:
                    continue
                seen.add(seen_key)
                if kind == "builtin":
                    parts.append((seen_key, None if name == "as_of" else
                                  p.effective if name == "effective_date" else p.ends))
                    continue
                if kind == "external":
                    value = self.external_value(ref)
                    held = p.externals.get((ref.alias, name))
                    parts.append((seen_key, id(held), type(value), repr(value)))
                    objects.append(held)
                    continue
                if kind == "param":
                    held = p.params.get(name)
                    if held is not None:
                        stack.extend(self.item_exprs(held))
                elif kind == "decision":
                    held = p.decisions.get(name)
                    if held is not None:
                        stack.extend(self.decision_exprs(held))
                elif kind == "input":
                    held = p.inputs.get(name)
                elif kind == "field":
                    held = p.records.get(ref.alias)
                else:
                    held = None
                parts.append((seen_key, id(held)))
                objects.append(held)
        # The working-day calendar (each policy's own window of it) is read only where some
        # expression of the policy counts working days; the dates only through the builtins above.
        workdays = getattr(p, "workdays", None) if p.counts_working_days else None
        objects.append(workdays)
        result = (tuple(parts), (p.counts_working_days, id(workdays)), tuple(objects))
        self._reads[id(item)] = (item, result)
        return result

    @classmethod
    def item_exprs(cls, item) -> list:
        """The expressions of a parameter (its value and schedule), a decision (decision_exprs) or
        a requirement (its condition)."""
        if isinstance(item, RDecision):
            return cls.decision_exprs(item)
        if isinstance(item, RParam):
            return ([item.value] if item.value is not None else []) + \
                [entry.value for entry in (item.schedule.entries if item.schedule else ())]
        return [item.cond] if getattr(item, "cond", None) is not None else []

    # ------------------------------------------------------------ order and parts
    @staticmethod
    def is_literal(prm: RParam) -> bool:
        """A parameter whose value is one literal, in every evaluation (no schedule)."""
        return prm.schedule is None and isinstance(prm.value, RLit)

    @staticmethod
    def is_blank(prm: RParam) -> bool:
        """A blank no level filled, with no schedule: its value is always the caller's input."""
        return prm.schedule is None and prm.value is None

    @staticmethod
    def decision_values(d: RDecision) -> list[RExpr]:
        """The expressions a decision's value can come from."""
        if d.form == "expr":
            return [d.expr]
        if d.form == "cases":
            return [c.value for c in d.cases] + ([d.otherwise.value] if d.otherwise is not None else [])
        return [row.output for row in d.table.rows]

    @staticmethod
    def decision_exprs(d: RDecision) -> list[RExpr]:
        """Every expression of a decision: conditions, values, table columns and cells."""
        if d.form == "expr":
            return [d.expr]
        if d.form == "cases":
            out = []
            for case in d.cases:
                out += [case.cond, case.value]
            if d.otherwise is not None:
                out.append(d.otherwise.value)
            return out
        out = list(d.table.columns)
        for row in d.table.rows:
            out.append(row.output)
            if not row.is_otherwise:
                for cell in row.cells:
                    out += list(cell.values or ())
        return out

    def param_order(self) -> list[RParam]:
        """The parameters the decisions read (directly or through other parameters), each after the
        parameters its value reads."""
        order: list[RParam] = []
        state: dict[str, str] = {}

        def visit(name: str) -> None:
            if state.get(name) is not None:
                return  # done, or a cycle the resolver reports
            state[name] = "visiting"
            prm = self.p.params[name]
            exprs = [prm.value] + [entry.value for entry in (prm.schedule.entries if prm.schedule else ())]
            for expr in exprs:
                for ref in _references(expr):
                    if ref.kind == "param" and ref.name in self.p.params:
                        visit(ref.name)
            state[name] = "done"
            order.append(prm)

        for name in self.p.decision_order:
            for expr in self.decision_exprs(self.p.decisions[name]):
                for ref in _references(expr):
                    if ref.kind == "param" and ref.name in self.p.params:
                        visit(ref.name)
        return order
