"""The policy AST: immutable attrs nodes, each carrying the span it was parsed from.

The tree mirrors the surface language one to one (the formatter prints it back);
names are not resolved here: that is the semantic pass's job.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from typing import Optional, Union

import attrs


from ..span import NO_SPAN, Span  # noqa: E402,F401 (re-exported: the nodes carry spans)


# ---------------------------------------------------------------- expressions


@attrs.frozen(slots=True)
class Number:
    """A numeric literal. unit is None (a plain number), 'yuan', 'percent',
    'days', 'months' or 'years'. For percent, value is the fraction (30% -> 0.30)
    and text keeps the written digits."""

    value: Decimal
    unit: Optional[str]
    text: str
    span: Span


@attrs.frozen(slots=True)
class DateLit:
    value: _dt.date
    span: Span


@attrs.frozen(slots=True)
class Text:
    value: str
    span: Span


@attrs.frozen(slots=True)
class BoolLit:
    value: bool
    span: Span


@attrs.frozen(slots=True)
class NoneLit:
    span: Span


@attrs.frozen(slots=True)
class Name:
    name: str
    span: Span


@attrs.frozen(slots=True)
class Attribute:
    """``base.attr``: a value of a policy named by ``uses … as base``, or ``Enum.member``."""

    base: "Expr"
    attr: str
    span: Span


@attrs.frozen(slots=True)
class Unary:
    op: str  # '-' or 'not'
    operand: "Expr"
    span: Span


@attrs.frozen(slots=True)
class Binary:
    op: str  # + - * / == != < <= > >= and or
    left: "Expr"
    right: "Expr"
    span: Span


@attrs.frozen(slots=True)
class InSet:
    operand: "Expr"
    items: tuple["Expr", ...]
    negated: bool
    span: Span


@attrs.frozen(slots=True)
class IfElse:
    cond: "Expr"
    then: "Expr"
    otherwise: "Expr"
    span: Span


@attrs.frozen(slots=True)
class Call:
    func: str
    args: tuple["Expr", ...]
    span: Span
    func_span: Span = NO_SPAN


@attrs.frozen(slots=True)
class Where:
    """``LIST where COND``: the elements of a list input for which COND holds; only an aggregate's
    first argument (``sum(purchases where selected, amount)``)."""

    source: "Expr"
    cond: "Expr"
    span: Span


Expr = Union[Number, DateLit, Text, BoolLit, NoneLit, Name, Attribute, Unary, Binary, InSet, IfElse, Call, Where]

EXPR_TYPES = (Number, DateLit, Text, BoolLit, NoneLit, Name, Attribute, Unary, Binary, InSet, IfElse, Call, Where)


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of an expression, in source order."""
    if isinstance(expr, Attribute):
        return (expr.base,)
    if isinstance(expr, Unary):
        return (expr.operand,)
    if isinstance(expr, Binary):
        return (expr.left, expr.right)
    if isinstance(expr, InSet):
        return (expr.operand, *expr.items)
    if isinstance(expr, IfElse):
        return (expr.cond, expr.then, expr.otherwise)
    if isinstance(expr, Call):
        return expr.args
    if isinstance(expr, Where):
        return (expr.source, expr.cond)
    return ()


def walk(expr: Expr):
    """Every node of an expression, pre-order, without recursion (expressions may be deep)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


# ---------------------------------------------------------------- declarations


@attrs.frozen(slots=True)
class Meta:
    """What an author says about a declaration: its Chinese label, the article it
    cites, a free note, and (for overrides) the reason."""

    label: Optional[str] = None
    article: Optional[str] = None
    note: Optional[str] = None
    reason: Optional[str] = None


EMPTY_META = Meta()


@attrs.frozen(slots=True)
class TypeRef:
    name: str
    span: Span
    # `percent up to 200%`: the highest percent allowed, as a fraction (2 for 200%); None: 100%
    up_to: Optional[Decimal] = None
    up_to_text: Optional[str] = None  # as written ("200")
    is_list: bool = False  # `list of NAME`: a list of records of the record type NAME


@attrs.frozen(slots=True)
class RecordField:
    name: str
    type: TypeRef
    optional: bool
    label: Optional[str]
    span: Span


@attrs.frozen(slots=True)
class RecordDecl:
    """The fields of one element of a list input (a hospital's purchase line: product, amount, …)."""

    name: str
    fields: tuple[RecordField, ...]
    meta: Meta
    override: bool
    name_span: Span
    span: Span
    kind = "record"


@attrs.frozen(slots=True)
class EnumMember:
    name: str
    label: Optional[str]
    span: Span


@attrs.frozen(slots=True)
class EnumDecl:
    name: str
    members: tuple[EnumMember, ...]
    meta: Meta
    override: bool
    name_span: Span
    span: Span
    kind = "enum"


@attrs.frozen(slots=True)
class InputDecl:
    name: str
    type: TypeRef
    optional: bool
    meta: Meta
    override: bool
    name_span: Span
    span: Span
    kind = "input"


@attrs.frozen(slots=True)
class Bound:
    op: str  # 'at_least' | 'at_most'
    expr: Expr
    span: Span


STATEMENT_KINDS = ("fixed", "floor", "ceiling", "default", "delegated")

# The name of one key of a keyed param: `cap.stainless`, as a schedule, a blank and a message name it.
KEY_SEPARATOR = "."


def key_name(param: str, key: str) -> str:
    return f"{param}{KEY_SEPARATOR}{key}"


@attrs.frozen(slots=True)
class ParamDecl:
    name: str
    type: TypeRef
    statement: str  # one of STATEMENT_KINDS
    value: Optional[Expr]  # None only for 'delegated'
    to_level: Optional[str]  # delegated to which level (optional)
    bounds: tuple[Bound, ...]
    meta: Meta
    override: bool
    name_span: Span
    span: Span
    statement_span: Span = NO_SPAN
    in_principle: bool = False  # `in principle floor …`: 原则上; a departure with a reason is a warning
    required: bool = False  # `delegated … required`: the level below must fill it (PL325 when a leaf does not)
    # A keyed param (`by material { stainless: …, other: … }`): statement is 'keyed', value None, and
    # keys holds one ParamDecl per key written (its name the enum member, its type this param's type).
    key_input: Optional[str] = None
    keys: tuple["ParamDecl", ...] = ()
    key_input_span: Span = NO_SPAN
    kind = "param"

    @property
    def is_keyed(self) -> bool:
        return self.key_input is not None


@attrs.frozen(slots=True)
class Case:
    cond: Expr
    value: Expr
    meta: Meta
    span: Span
    fixed: bool = False  # no lower level may change this case or any case before it
    bound: Optional[str] = None  # 'ceiling' | 'floor': where this case applies, lower levels stay below / above it
    in_principle: bool = False  # the bound holds 原则上: a lower level may depart from it with a reason


@attrs.frozen(slots=True)
class Otherwise:
    value: Expr
    meta: Meta
    span: Span


@attrs.frozen(slots=True)
class DecisionDecl:
    """A named computed output: either ``= expr`` or a list of cases."""

    name: str
    type: TypeRef
    expr: Optional[Expr]
    cases: tuple[Case, ...]
    otherwise: Optional[Otherwise]
    meta: Meta
    override: bool
    name_span: Span
    span: Span
    fixed: bool = False  # no lower level may change this decision
    bound: Optional[str] = None  # 'ceiling' | 'floor': lower levels' values never above / below this one's
    in_principle: bool = False  # the bound holds 原则上: a lower level may depart from it with a reason
    kind = "decision"


@attrs.frozen(slots=True)
class Cell:
    """One condition cell of a table row: '-' (any), a value, a comparison, or a set."""

    kind: str  # 'any' | 'eq' | 'cmp' | 'in' | 'not_in'
    op: Optional[str]  # comparison operator for 'cmp'
    values: tuple[Expr, ...]
    span: Span


@attrs.frozen(slots=True)
class Row:
    cells: tuple[Cell, ...]  # empty for the 'otherwise' row
    output: Expr
    is_otherwise: bool
    meta: Meta
    span: Span
    # 'fixed' | 'ceiling' | 'floor': where this row decides, lower levels give the same value / never
    # a higher one / never a lower one (proved on every input the row covers).
    direction: Optional[str] = None
    in_principle: bool = False


@attrs.frozen(slots=True)
class Column:
    name: str
    span: Span


@attrs.frozen(slots=True)
class TableDecl:
    name: str
    type: TypeRef
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    meta: Meta
    override: bool
    name_span: Span
    span: Span
    fixed: bool = False  # no lower level may change this table
    bound: Optional[str] = None  # 'ceiling' | 'floor', as for a decision
    in_principle: bool = False
    kind = "table"


@attrs.frozen(slots=True)
class ScheduleEntry:
    start: Expr  # a date expression
    value: Expr
    meta: Meta
    span: Span


@attrs.frozen(slots=True)
class ScheduleDecl:
    """Dated values of a parameter: from each start date on, the parameter takes that value."""

    name: str  # the parameter it schedules
    entries: tuple[ScheduleEntry, ...]
    meta: Meta
    override: bool
    name_span: Span
    span: Span
    kind = "schedule"


@attrs.frozen(slots=True)
class RequireDecl:
    name: str
    cond: Expr
    deadline: Optional[Expr]
    meta: Meta
    override: bool
    name_span: Span
    span: Span
    kind = "require"


@attrs.frozen(slots=True)
class Binding:
    name: str
    value: "Expr | ListValue"  # a ListValue only for a list input in an example's `given`
    span: Span


@attrs.frozen(slots=True)
class RecordValue:
    """``{product = "A", amount = 900 yuan}``: one element of a list given in an example."""

    fields: tuple["Binding", ...]
    span: Span


@attrs.frozen(slots=True)
class ListValue:
    """``[{…}, {…}]``: a list input's value in an example's ``given`` (only there)."""

    elements: tuple[RecordValue, ...]
    span: Span


@attrs.frozen(slots=True)
class Expectation:
    """``name = value``, or ``name needs blank`` (evaluation stops at an unfilled blank)."""

    name: str
    value: Optional[Expr]
    needs: Optional[str]
    span: Span


@attrs.frozen(slots=True)
class ExampleDecl:
    name: Optional[str]
    as_of: Optional[Expr]
    given: tuple[Binding, ...]
    expect: tuple[Expectation, ...]
    meta: Meta
    override: bool
    name_span: Span
    span: Span
    kind = "example"


MODALITIES = ("must", "must_not", "may", "should", "should_not")


@attrs.frozen(slots=True)
class ProvisionDecl:
    """What the notice obliges, permits or forbids, but nothing computes."""

    name: str
    actor: str  # every actor, joined for display: 中选企业、配送企业
    modality: str  # one of MODALITIES
    text: str
    meta: Meta
    override: bool
    name_span: Span
    span: Span
    actors: tuple[str, ...] = ()  # each actor the provision binds, as written (more than one: all of them)
    kind = "provision"


@attrs.frozen(slots=True)
class CalendarDay:
    """A span of days off (`holiday FIRST to LAST "元旦"`) or a weekend day worked (`workday DAY`)."""

    first: _dt.date
    last: _dt.date  # the same as first for one day
    label: Optional[str]
    span: Span


@attrs.frozen(slots=True)
class CalendarDecl:
    """A year of the working-day calendar: the notice that arranges it, its days off and days worked.
    name is the year as written ("2027"), so that the year is inherited and overridden like any item."""

    name: str
    year: int
    document: Optional[str]
    issued: Optional[_dt.date]
    holidays: tuple[CalendarDay, ...]
    workdays: tuple[CalendarDay, ...]
    meta: Meta  # the label is the notice's title
    override: bool
    name_span: Span
    span: Span
    document_span: Optional[Span] = None
    issued_span: Optional[Span] = None
    kind = "calendar"


Decl = Union[
    CalendarDecl,
    EnumDecl,
    RecordDecl,
    InputDecl,
    ParamDecl,
    DecisionDecl,
    TableDecl,
    ScheduleDecl,
    RequireDecl,
    ExampleDecl,
    ProvisionDecl,
]


# ---------------------------------------------------------------- the file


@attrs.frozen(slots=True)
class HeaderItem:
    """One header line. key: title, level, region, issuer, document, issued,
    effective, ends, extends, summary; in an amending notice amends (the id of the notice it
    changes), amended_effective and amended_ends (that notice's dates as amended, written
    `override effective DATE`). value: str or datetime.date."""

    key: str
    value: object
    span: Span


@attrs.frozen(slots=True)
class Uses:
    policy_id: str
    alias: str
    span: Span


@attrs.frozen(slots=True)
class Comment:
    text: str  # including the leading '#'
    line: int
    column: int


LEVELS = ("national", "provincial", "municipal", "county")
# A policy id, as the grammar's POLICY_ID terminal reads it (tests/syntax check the two agree).
POLICY_ID_RE = re.compile(r"[a-z0-9_][a-z0-9_\-]*(/[a-z0-9_][a-z0-9_\-]*)*")


@attrs.frozen(slots=True)
class PolicyFile:
    path: str
    policy_id: str
    header: tuple[HeaderItem, ...]
    uses: tuple[Uses, ...]
    decls: tuple[Decl, ...]
    comments: tuple[Comment, ...] = ()
    # The names written in declarations (and the header keys) the parser could not read: a
    # syntax error or an impossible date. Reported once, where it is; later passes do not
    # report what follows from it (a name it declares is unknown, a blank it fills is empty).
    unreadable: frozenset = frozenset()

    def header_item(self, key: str) -> Optional[HeaderItem]:
        for item in self.header:
            if item.key == key:
                return item
        return None

    def header_value(self, key: str, default=None):
        item = self.header_item(key)
        return default if item is None else item.value

    @property
    def title(self) -> Optional[str]:
        return self.header_value("title")

    @property
    def level(self) -> Optional[str]:
        return self.header_value("level")

    @property
    def extends(self) -> Optional[str]:
        return self.header_value("extends")

    @property
    def amends(self) -> Optional[str]:
        """The notice this one amends (`amends ID`), or None."""
        return self.header_value("amends")

    @property
    def effective(self) -> Optional[_dt.date]:
        return self.header_value("effective")

    @property
    def ends(self) -> Optional[_dt.date]:
        return self.header_value("ends")
