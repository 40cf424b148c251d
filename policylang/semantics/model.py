"""The resolved model: one policy with its whole `extends` chain merged.

Every item records where it came from (its Origin) and each definition it
passed through on the way down the chain (its history, national first).
Expressions are resolved: names are bound to what they denote and every node
carries its type. This is what the checker, the interpreter, the code
generator and the docs generator read; none of them goes back to the AST
except through Origin.decl.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Optional, Union

import attrs

from ..syntax.ast import Meta, Span
from .types import Type


# ---------------------------------------------------------------- values


@attrs.frozen(slots=True)
class Duration:
    amount: int
    unit: str  # 'days' | 'months' | 'years' | 'working_days' (on the official calendar: workdays.py)

    def __str__(self) -> str:
        unit = self.unit[:-1] if abs(self.amount) == 1 else self.unit  # "1 month", "2 months"
        return f"{self.amount} {unit.replace('_', ' ')}"  # "15 working days"


Value = Union[Decimal, int, bool, str, _dt.date, Duration, None]


# ---------------------------------------------------------------- expressions


@attrs.frozen(slots=True)
class RLit:
    value: Value  # Decimal for money/percent/decimal, int for count, str for text and enum members
    type: Type
    span: Span
    text: str = ""  # as written, for display ("7000 yuan", "30%")


REF_KINDS = ("input", "param", "decision", "builtin", "external", "field")


@attrs.frozen(slots=True)
class RRef:
    """A name bound to an input, a parameter, a decision, a builtin (as_of…) or
    another policy's parameter (external: alias.name through `uses`).

    An external reference is shared by every policy that inherits the expression, and
    each of them may read a different version of the used policy (the one in force in
    its own region): which one is ResolvedPolicy.bindings[alias].bound, and the
    parameter itself ResolvedPolicy.externals[(alias, name)]."""

    kind: str  # REF_KINDS; 'field': a field of the element an aggregate is at (`amount` in sum(purchases, amount))
    name: str
    type: Type
    span: Span
    alias: Optional[str] = None  # external: the `uses` alias; field: the record type
    policy_id: Optional[str] = None  # for external references: the policy named on the `uses` line


@attrs.frozen(slots=True)
class RUnary:
    op: str  # '-' | 'not'
    operand: "RExpr"
    type: Type
    span: Span

    @property
    def operator_key(self) -> str:  # its entry in semantics/operators.py
        return "neg" if self.op == "-" else self.op


@attrs.frozen(slots=True)
class RBinary:
    op: str  # + - * / == != < <= > >= and or
    left: "RExpr"
    right: "RExpr"
    type: Type
    span: Span

    @property
    def operator_key(self) -> str:  # its entry in semantics/operators.py
        return self.op


@attrs.frozen(slots=True)
class RIn:
    operand: "RExpr"
    items: tuple["RExpr", ...]
    negated: bool
    type: Type
    span: Span

    @property
    def operator_key(self) -> str:  # its entry in semantics/operators.py
        return "not_in" if self.negated else "in"


@attrs.frozen(slots=True)
class RIf:
    cond: "RExpr"
    then: "RExpr"
    otherwise: "RExpr"
    type: Type
    span: Span


@attrs.frozen(slots=True)
class RCall:
    """A builtin function. For round: options = (unit, mode), e.g. ('fen', 'up')."""

    func: str
    args: tuple["RExpr", ...]
    type: Type
    span: Span
    options: tuple[str, ...] = ()


@attrs.frozen(slots=True)
class RAggregate:
    """An aggregate over a list input: sum, count, min, max, all or any (semantics/builtins.py,
    AGGREGATES). where (a condition) and value (sum/min/max: a number or date; all/any: a condition;
    None for count) are evaluated at each element, whose fields they read as RRef('field', …)."""

    func: str
    source: "RRef"  # the list input
    where: Optional["RExpr"]
    value: Optional["RExpr"]
    record: str  # the record type of the elements
    type: Type
    span: Span


RExpr = Union[RLit, RRef, RUnary, RBinary, RIn, RIf, RCall, RAggregate]


def rchildren(expr: RExpr) -> tuple[RExpr, ...]:
    if isinstance(expr, RUnary):
        return (expr.operand,)
    if isinstance(expr, RBinary):
        return (expr.left, expr.right)
    if isinstance(expr, RIn):
        return (expr.operand, *expr.items)
    if isinstance(expr, RIf):
        return (expr.cond, expr.then, expr.otherwise)
    if isinstance(expr, RCall):
        return expr.args
    if isinstance(expr, RAggregate):
        return tuple(x for x in (expr.source, expr.where, expr.value) if x is not None)
    return ()


def rwalk(expr: RExpr):
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(rchildren(node)))


def references(expr: Optional[RExpr]) -> list[RRef]:
    if expr is None:
        return []
    return [n for n in rwalk(expr) if isinstance(n, RRef)]


# ---------------------------------------------------------------- provenance


@attrs.frozen(slots=True)
class Origin:
    """One definition of an item, at one level of the chain."""

    policy_id: str
    level: str
    path: str
    span: Span
    meta: Meta
    decl: object  # the AST declaration
    override: bool = False
    # What this level did to the item: 'set' (first definition), 'filled' (a blank
    # given a value), 'tightened' (floor raised / ceiling lowered / bound narrowed),
    # 'restated' (same value again), 'replaced' (default or decision replaced),
    # 'delegated' (blank passed down), 'changed' (an override the checker must judge).
    action: str = "set"
    # In an amending notice (`amends ID`): the definition of the same level this one replaced,
    # from the amendment's effective date on (the amended notice's own, or an earlier amendment's).
    amended: Optional["Origin"] = None

    @property
    def article(self) -> Optional[str]:
        return self.meta.article

    @property
    def location(self) -> str:
        return f"{self.path}:{self.span.line}"


# ---------------------------------------------------------------- items


@attrs.frozen(slots=True)
class Item:
    """Common fields of every resolved item."""

    name: str
    origin: Origin  # the definition in force (the lowest level that defined it)
    history: tuple[Origin, ...]  # every definition, national first; history[-1] is origin

    @property
    def label(self) -> Optional[str]:
        for o in reversed(self.history):
            if o.meta.label:
                return o.meta.label
        return None

    @property
    def article(self) -> Optional[str]:
        return self.origin.meta.article or next(
            (o.meta.article for o in reversed(self.history) if o.meta.article), None
        )

    @property
    def note(self) -> Optional[str]:
        return self.origin.meta.note


@attrs.frozen(slots=True)
class REnum(Item):
    members: tuple[tuple[str, Optional[str]], ...] = ()  # (name, label)

    @property
    def member_names(self) -> tuple[str, ...]:
        return tuple(m for m, _ in self.members)


@attrs.frozen(slots=True)
class RField:
    name: str
    type: Type
    optional: bool
    label: Optional[str]
    span: Span


@attrs.frozen(slots=True)
class RListValue:
    """A list input's value given in an example: per element, (field, its resolved expression) in
    the order written. Not an expression: only an example's `given` holds one."""

    elements: tuple[tuple[tuple[str, "RExpr"], ...], ...]
    span: Span


@attrs.frozen(slots=True)
class RRecord(Item):
    """A record type: the fields of one element of a list input."""

    fields: tuple[RField, ...] = ()

    def field(self, name: str) -> Optional[RField]:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


@attrs.frozen(slots=True)
class RInput(Item):
    type: Type = None
    optional: bool = False
    percent_limit: Optional[Decimal] = None  # `percent up to 200%`: the highest value (2); None: 100%


@attrs.frozen(slots=True)
class RBound:
    op: str  # 'at_least' | 'at_most'
    expr: RExpr
    span: Span


@attrs.frozen(slots=True)
class RScheduleEntry:
    start: _dt.date
    value: RExpr
    meta: Meta
    span: Span


@attrs.frozen(slots=True)
class RSchedule(Item):
    entries: tuple[RScheduleEntry, ...] = ()  # sorted by start


@attrs.frozen(slots=True)
class RParam(Item):
    type: Type = None
    statement: str = "fixed"  # fixed | floor | ceiling | default | delegated
    value: Optional[RExpr] = None  # None: a blank no level has filled
    to_level: Optional[str] = None
    bounds: tuple[RBound, ...] = ()
    schedule: Optional[RSchedule] = None
    percent_limit: Optional[Decimal] = None  # `percent up to 200%`: the highest value (2); None: 100%

    @property
    def is_blank(self) -> bool:
        return self.value is None

    @property
    def delegated_by(self) -> Optional[Origin]:
        """The definition that left this parameter blank (for messages: who expects it filled)."""
        for o in reversed(self.history):
            if getattr(o.decl, "statement", None) == "delegated":
                return o
        return None


@attrs.frozen(slots=True)
class RKeyed(Item):
    """A keyed param (`param cap: money by material { stainless: …, other: … }`): one param per key,
    each named `cap.KEY` in ResolvedPolicy.params, with its own kind, bounds, schedule and history.
    Reading `cap` reads the key of the enum input `key_input`'s value (none when it has none)."""

    type: Type = None
    key_input: str = ""
    keys: tuple[str, ...] = ()  # the members of the input's enum, in order: cap.KEY for each is a param

    def key_param(self, key: str) -> str:
        return f"{self.name}.{key}"


@attrs.frozen(slots=True)
class RCase:
    cond: RExpr
    value: RExpr
    meta: Meta
    span: Span
    fixed: bool = False
    bound: Optional[str] = None  # 'ceiling' | 'floor': where this case decides, lower levels stay below / above it
    in_principle: bool = False  # the bound holds 原则上 (a departure with a reason is a warning)


@attrs.frozen(slots=True)
class RCell:
    kind: str  # any | eq | cmp | in | not_in
    op: Optional[str]
    values: tuple[RExpr, ...]
    span: Span


@attrs.frozen(slots=True)
class RRow:
    cells: tuple[RCell, ...]
    output: RExpr
    is_otherwise: bool
    meta: Meta
    span: Span
    direction: Optional[str] = None  # 'fixed' | 'ceiling' | 'floor' where this row decides
    in_principle: bool = False


@attrs.frozen(slots=True)
class RTable:
    columns: tuple[RRef, ...]  # each column is a reference to an input/param/decision
    rows: tuple[RRow, ...]


@attrs.frozen(slots=True)
class RDecision(Item):
    type: Type = None
    form: str = "expr"  # 'expr' | 'cases' | 'table'
    expr: Optional[RExpr] = None
    cases: tuple[RCase, ...] = ()
    otherwise: Optional[RCase] = None  # cond is a literal true
    table: Optional[RTable] = None
    depends_on: tuple[str, ...] = ()  # names of inputs/params/decisions it reads, sorted
    fixed: bool = False  # the whole decision is fixed: no lower level may change it
    # 'ceiling' | 'floor': the direction in force for the levels below (declared here or above):
    # their value may never be higher / lower than this level's, on any input and any day.
    bound: Optional[str] = None
    bound_origin: Optional[Origin] = None  # the definition that declared it


@attrs.frozen(slots=True)
class RRequirement(Item):
    cond: RExpr = None
    deadline: Optional[RExpr] = None
    # The deadline as a date, reckoned from the declaring policy's own dates: a city
    # inheriting "within two years" does not move the national deadline.
    deadline_date: Optional[_dt.date] = None


@attrs.frozen(slots=True)
class RProvision(Item):
    actor: str = ""  # every actor, joined for display
    actors: tuple[str, ...] = ()  # each actor the provision binds
    modality: str = "must"
    text: str = ""


@attrs.frozen(slots=True)
class RExample(Item):
    title: Optional[str] = None
    as_of: Optional[RExpr] = None
    given: tuple[tuple[str, RExpr, Span], ...] = ()  # a list input's value: an RListValue
    expect: tuple[tuple[str, Optional[RExpr], Optional[str], Span], ...] = ()  # (decision, value, needs, span)


# ---------------------------------------------------------------- the policy


@attrs.frozen(slots=True)
class Binding:
    """What a `uses POLICY as ALIAS` means for one policy.

    `declared` is POLICY as written; `bound` is the version of it in force in this
    policy's region: among POLICY and the policies extending it, the one whose folder
    is the deepest ancestor-or-self of this policy's folder, in force on this policy's
    effective date (see resolve.bind_cross_references). A `uses` line is inherited
    down the `extends` chain, and each level rebinds it for its own region."""

    alias: str
    declared: str
    bound: str
    declared_in: str  # the policy whose file has the `uses` line
    span: Span  # that line

    @property
    def rebound(self) -> bool:
        return self.bound != self.declared


@attrs.frozen(slots=True)
class ChainLink:
    policy_id: str
    level: str
    path: str
    title: Optional[str]
    document: Optional[str]
    effective: Optional[_dt.date]


@attrs.frozen
class ResolvedPolicy:
    policy_id: str
    path: str
    title: Optional[str]
    level: str
    region: Optional[str]
    issuer: Optional[str]
    document: Optional[str]
    issued: Optional[_dt.date]
    effective: Optional[_dt.date]
    ends: Optional[_dt.date]
    summary: Optional[str]
    parent: Optional[str]
    chain: tuple[ChainLink, ...]  # national first; chain[-1] is this policy
    uses: tuple[tuple[str, str], ...]  # (alias, policy id) of this file's own `uses` lines, as written
    enums: dict[str, REnum]
    inputs: dict[str, RInput]
    params: dict[str, RParam]
    decisions: dict[str, RDecision]
    schedules: dict[str, RSchedule]
    requirements: dict[str, RRequirement]
    provisions: dict[str, RProvision]
    examples: tuple[RExample, ...]  # this file's own examples
    decision_order: tuple[str, ...]  # dependencies first
    # (alias, name) -> the other policy's parameter, for every alias.name that an expression
    # of this policy reads (its own and the inherited ones), in the version bound here.
    externals: dict[tuple[str, str], RParam]
    # (alias, name) -> that parameter's value, evaluated in its own policy on its effective
    # date; evaluate.NOT_FILLED when it is a blank there.
    external_values: dict[tuple[str, str], object] = attrs.Factory(dict)
    # name -> a keyed param; its keys are params of their own, `name.KEY`, in `params`.
    keyed: dict[str, RKeyed] = attrs.Factory(dict)
    # name -> a record type (the elements of list inputs)
    records: dict[str, RRecord] = attrs.Factory(dict)
    # alias -> what it means here: every `uses` of the chain (inherited ones included), rebound
    # to the version in force in this policy's region.
    bindings: dict[str, Binding] = attrs.Factory(dict)
    children: tuple[str, ...] = ()  # ids of policies that extend this one
    has_errors: bool = False  # resolution found errors: evaluation and codegen must not be trusted
    # `status reconstructed`: the notice's text is not in hand (rebuilt from what other notices quote);
    # effective is None when the file says `effective unknown`.
    status: Optional[str] = None
    # Which policy of the same tree is in force in this policy's region on a given day (for the
    # error when it is evaluated on a day it is not in force itself): (policy id, level, region
    # folder depth, effective, ends, chain depth) of this policy, its chain and the other policies
    # of its tree in its folder or the folders above (a successor in its own folder included).
    windows: tuple = ()
    # The working-day calendar it counts `N working days` on (workdays.WorkCalendar): the shipped
    # years, replaced or added by the `calendar` declarations of its chain, cut to the years of its
    # window (workdays.policy_years); calendars: year -> the history of its chain's declarations of
    # it; counts_working_days: some expression of it counts working days.
    workdays: object = None
    calendars: dict = attrs.Factory(dict)
    counts_working_days: bool = False
    # An amending notice (`amends ID`): the id of the notice it amends (the first of the chain of
    # amendments), and the day the amended version applies from (the amending notice's own
    # `effective`; `effective` and `ends` above are the amended notice's dates as amended).
    amends: Optional[str] = None
    amendment_effective: Optional[_dt.date] = None
    # The amended notice's versions after its amendments, in order: (the day each applies from,
    # the policy as amended up to that amendment). evaluate() uses the version in force on as_of.
    versions: tuple = ()
    # A version of a policy below an amended notice (one of its `versions`, not an amending notice
    # itself): the amending notice whose version of the notice above this version extends.
    amended_by: Optional[str] = None

    def applies_by(self, start: _dt.date) -> str:
        """The amending notice this version (one of a policy's `versions`, applying from `start`)
        applies by: its own amending notice when that takes effect on the day, else the one above it
        whose amendment does (an amended policy below an amended notice has versions of both)."""
        if self.amends and self.amendment_effective == start:
            return self.policy_id
        return self.amended_by or self.policy_id

    def version_on(self, day: Optional[_dt.date]) -> "ResolvedPolicy":
        """The version of this policy that applies on `day`: the last amendment whose effective
        date is on or before it, else the policy as written."""
        chosen = self
        if day is not None:
            for start, version in self.versions:
                if start is not None and start <= day:
                    chosen = version
        return chosen

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def blanks(self) -> list[RParam]:
        """Delegated parameters no level of the chain has filled."""
        return [p for p in self.params.values() if p.is_blank]

    def item(self, name: str) -> Optional[Item]:
        for table in (self.decisions, self.params, self.keyed, self.inputs, self.enums, self.records, self.schedules,
                      self.requirements, self.provisions):
            if name in table:
                return table[name]
        return None


def next_level(level: str) -> str:
    """The level below `level` (the one a blank left there is expected to be filled at, unless the
    blank names another); the lowest level for the lowest."""
    from ..syntax.ast import LEVELS

    index = LEVELS.index(level) if level in LEVELS else 0
    return LEVELS[min(index + 1, len(LEVELS) - 1)]
