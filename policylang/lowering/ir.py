"""The lowered form: typed expressions and statements, each node with declared children.

Expressions carry the facts a backend needs (`Info`: type, can it be none, number class, money
at the fen), so no backend analyses the resolved policy again. Nothing in this form belongs to
a target language: how none is propagated, which helper computes what, how a constant is
spelled is each backend's choice (the Python generator writes conditional expressions and
runtime helpers; a SQL generator would write CASE WHEN and its own functions).

Nodes keep a reference to the resolved item they come from (`source`) only for what is
written beside the code: labels, articles, file lines.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from ..semantics.types import Type


class Info:
    """The facts of one expression: type, can the value be none (not applicable) at run time, number
    class ('D' always a Decimal, 'I' always an int, '?' either or not a number), money always
    quantized to the fen (or none). Each is computed by the facts pass (facts.py) when first asked."""

    __slots__ = ("type", "_facts", "_expr", "_nullable", "_cls", "_at_fen")

    def __init__(self, facts, expr):
        self.type = expr.type
        self._facts, self._expr = facts, expr
        self._nullable = self._cls = self._at_fen = None

    @property
    def nullable(self) -> bool:
        if self._nullable is None:
            self._nullable = self._facts.nullable(self._expr)
        return self._nullable

    @property
    def cls(self) -> str:
        if self._cls is None:
            self._cls = self._facts.runtime_class(self._expr)
        return self._cls

    @property
    def at_fen(self) -> bool:
        if self._at_fen is None:
            self._at_fen = self._facts.at_fen(self._expr)
        return self._at_fen

    def __repr__(self) -> str:
        return f"Info({self.type}, nullable={self.nullable}, cls={self.cls!r}, at_fen={self.at_fen})"


class Node:
    """A node of the lowered form; CHILDREN names the fields that hold nodes (or tuples of them)."""

    __slots__ = ()
    CHILDREN: tuple = ()

    def children(self):
        for name in self.CHILDREN:
            value = getattr(self, name)
            if isinstance(value, tuple):
                yield from (v for v in value if isinstance(v, Node))
            elif isinstance(value, Node):
                yield value

    def walk(self):
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(list(node.children())))


class Expr(Node):
    __slots__ = ()

    @property
    def type(self) -> Type:
        return self.info.type


# ---------------------------------------------------------------- expressions


@attrs.frozen(slots=True)
class Lit(Expr):
    """A literal value: Decimal, int, bool, str (text, enum member), date, Duration or None."""

    value: Any
    text: str
    info: Info


@attrs.frozen(slots=True)
class Folded(Expr):
    """A constant expression and its value, computed when the policy was lowered (by the reference
    interpreter, so exactly). A backend may use either: the value, or the expression."""

    CHILDREN = ("expr",)
    value: Any
    expr: Expr
    info: Info


@attrs.frozen(slots=True)
class Ref(Expr):
    """A name: kind input (required: never absent once validated), param (blank: a blank no level
    filled, the caller's input), decision, builtin (as_of, effective_date, end_date: value for the
    last two) or external (alias.name read through `uses`: value, or UNFILLED)."""

    kind: str
    name: str
    info: Info
    alias: Optional[str] = None
    required: bool = False
    blank: bool = False
    value: Any = None


@attrs.frozen(slots=True)
class Unary(Expr):
    CHILDREN = ("operand",)
    op: str  # not | -
    operand: Expr
    info: Info

    @property
    def operator_key(self) -> str:  # its entry in semantics/operators.py
        return "neg" if self.op == "-" else self.op


@attrs.frozen(slots=True)
class Binary(Expr):
    CHILDREN = ("left", "right")
    op: str  # and or == != < <= > >= + - * /
    left: Expr
    right: Expr
    info: Info

    @property
    def operator_key(self) -> str:  # its entry in semantics/operators.py
        return self.op


@attrs.frozen(slots=True)
class If(Expr):
    CHILDREN = ("cond", "then", "otherwise")
    cond: Expr
    then: Expr
    otherwise: Expr
    info: Info


@attrs.frozen(slots=True)
class In(Expr):
    CHILDREN = ("operand", "items")
    operand: Expr
    items: tuple
    negated: bool
    info: Info

    @property
    def operator_key(self) -> str:  # its entry in semantics/operators.py
        return "not_in" if self.negated else "in"


@attrs.frozen(slots=True)
class Call(Expr):
    """A builtin (policylang/semantics/builtins.py) applied to its arguments."""

    CHILDREN = ("args",)
    func: str
    args: tuple
    options: tuple
    info: Info


@attrs.frozen(slots=True)
class Aggregate(Expr):
    """An aggregate (AGGREGATES in semantics/builtins.py) over the list input `source`: at each element
    the filter keeps (`where`, or every element), `value` is evaluated (None for count); their field
    references are Ref('field', …), the element's field (required: never none)."""

    CHILDREN = ("source", "where", "value")
    func: str
    source: Expr
    where: Optional[Expr]
    value: Optional[Expr]
    info: Info


# ---------------------------------------------------------------- statements


@attrs.frozen(slots=True)
class Branch(Node):
    """One way a decision gets its value: a formula, a case (cond), the otherwise line; rule is its
    index among the decision's rules (for explanations)."""

    CHILDREN = ("cond", "value")
    what: str  # formula | case N | otherwise
    cond: Optional[Expr]
    value: Expr
    rule: int
    source: Any  # the resolved case (line, label, article), or None for a formula


@attrs.frozen(slots=True)
class Test(Node):
    """One cell of a table row: column `column` compared with the cell's values."""

    CHILDREN = ("values",)
    kind: str  # eq | cmp | in | not_in
    op: Optional[str]
    column: int
    values: tuple
    nullable: bool  # the column or the value may be none


@attrs.frozen(slots=True)
class Row(Node):
    CHILDREN = ("tests", "value")
    what: str  # row N | otherwise row
    tests: tuple  # of Test; empty: the row matches everything
    value: Expr
    rule: int
    otherwise: bool
    source: Any


@attrs.frozen(slots=True)
class Column(Node):
    CHILDREN = ("expr",)
    name: str
    expr: Expr


@attrs.frozen(slots=True)
class Decision(Node):
    """A decision: form formula (branches: the formula), cases (the cases, then otherwise, if any)
    or table (columns and rows); none_rule is the rule index of 'no case/row applies', or None when
    some branch always applies. finish says how the value leaves the decision: '' as it is,
    'to_money' / 'quantize' (money at the fen, half up; the first for values that may be none),
    'to_count', 'to_decimal'."""

    CHILDREN = ("branches", "columns", "rows")
    name: str
    form: str
    branches: tuple
    columns: tuple
    rows: tuple
    none_rule: Optional[int]
    finish: str
    nullable: bool
    constant_formula: bool  # a formula that reads only fixed values (folded when lowered)
    source: Any  # the resolved decision


@attrs.frozen(slots=True)
class Entry(Node):
    CHILDREN = ("value",)
    index: int  # 1.. in the schedule
    start: Any  # the date it applies from
    value: Expr
    source: Any


@attrs.frozen(slots=True)
class Param(Node):
    """A parameter: its own value (None for a blank, which the caller supplies) and its schedule's
    entries; literal: a literal value without a schedule."""

    CHILDREN = ("value", "entries")
    name: str
    value: Optional[Expr]
    entries: tuple
    literal: bool
    blank: bool  # a blank no level filled, without a schedule
    expected_level: Optional[str]  # for a blank: the level expected to fill it
    delegated_by: Optional[str]
    source: Any  # the resolved parameter
