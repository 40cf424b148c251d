"""The SQL generator: the lowered form (policylang/lowering) as one sqlglot SELECT.

The query reads a table of cases (one row per case; its columns are the policy's inputs and
unfilled blanks, as text or typed; other columns pass through unchanged) and computes, per row:

1. the inputs validated as the Python module's validators do (money at the fen and not negative,
   percents 0..1 (`80%` or `0.8`), whole counts, true/false, dates YYYY-MM-DD that exist, enum
   members), in the order of the table's columns: the first bad one makes the row fail with
   code invalid_input, the field, and a reason;
2. each decision in dependency order, one SELECT layer per level of the dependency graph, as
   two columns: its value and the first error met computing it, in the order the interpreter
   computes (operands left to right, `none` stops the rest; a case's value is computed only when
   its condition holds): a required input the row lacks, a blank nobody filled, a division by
   zero, a date outside the calendar;
3. the outputs: each decision (none as NULL), optionally the rule that decided it, and the error
   columns (_error, _error_reason, _error_field, _error_decision) of a failed row, as
   `policylang eval` reports a case: an invalid or missing input or an evaluation error makes
   every decision NULL; when only blanks were missing, the decisions that did not need them keep
   their values and _error names the first blank.

Numbers are DECIMAL(p, s), s the scale the value needs (money 2, inputs: percent 10, decimal 12;
products add scales; quotients carry 20 decimals on DuckDB and at least 12 on Spark; a scale above
MAX_SCALE is rounded to it) and counts BIGINT. p is s plus a bound on the integer digits where the
generator knows one, else 38 - so money and its products stay in the engine's 64- and 128-bit
decimals. The bound is the tighter of two: the digits counted (a validated money input has at most
16, a sum one more than its widest operand, a product the two operands' added) and those of the
range of values the number can take, followed through the arithmetic from the validation's limits
and the constants (ranges.py: money times a percent of at most 100% stays below 10^16). A value
that would not fit a bound cannot occur, and a CAST that did not fit would fail the query loudly,
never round. Decisions are written as DECIMAL(38, s); see docs/batch.md for the ranges. Every identifier
and literal is a sqlglot node: policy text is quoted by sqlglot, never pasted into SQL.

A construct of the language this generator does not compile is UnsupportedInSql (naming it);
anything the lowered form holds that it does not know is SqlInternalError, an internal error:
never SQL that computes something else.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Callable, Iterable, Mapping, Optional, Sequence

import attrs
from sqlglot import exp

from ...lowering import ir
from . import ranges
from .ranges import Range
from ...lowering.lower import UNFILLED, lower_policy
from ...semantics.builtins import BUILTINS
from ...semantics.operators import OPERATORS, membership, unary
from ...semantics.model import Duration, ResolvedPolicy, next_level

DIALECTS = ("duckdb", "spark")
MAX_SCALE = 24
DIV_SCALE = 20
SEP = "\x1f"  # between the parts of an error value: code, reason, field, decision

# The SQL type of each kind of input, as the validated column holds it.
INPUT_SCALE = {"money": 2, "percent": 10, "decimal": 12, "count": 0}
# The integer digits a validated input can have (below MONEY_LIMIT, DECIMAL_LIMIT, COUNT_LIMIT; a
# percent's come from its limit); a BIGINT of unknown range has at most 19.
INPUT_DIGITS = {"money": 16, "decimal": 18, "count": 18}
BIGINT_DIGITS = 19
MONEY_LIMIT = Decimal(10) ** 16  # money inputs must be below this (DECIMAL(18, 2))
DECIMAL_LIMIT = Decimal(10) ** 18
COUNT_LIMIT = 10 ** 18
# The values a validated input can take: never negative for money and counts, and at most the last
# value below the limit at the input's scale (a percent's: 0 to its limit, see input_limits).
INPUT_LIMITS = {"money": Range(Decimal(0), MONEY_LIMIT - Decimal("0.01")),
                "decimal": Range(-(DECIMAL_LIMIT - Decimal(1).scaleb(-12)), DECIMAL_LIMIT - Decimal(1).scaleb(-12)),
                "count": Range(Decimal(0), Decimal(COUNT_LIMIT - 1))}
SQL_TYPES = {
    "money": "DECIMAL(18, 2)", "percent": "DECIMAL(11, 10)", "decimal": "DECIMAL(30, 12)", "count": "BIGINT",
    "bool": "BOOLEAN", "date": "DATE", "text": "VARCHAR", "enum": "VARCHAR",
}
ERROR_COLUMNS = ("_error", "_error_reason", "_error_field", "_error_decision")

# a number written as text, as the Python module reads it: plain decimal notation, at most 64 characters
NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
MAX_NUMBER_TEXT = 64
FULL_WIDTH, FULL_WIDTH_ASCII = "０１２３４５６７８９．－％", "0123456789.-%"
DATE_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# the characters str.strip() removes (str.isspace(); written out: computing it over every code point
# cost 0.4 s at each import; tests/sql/test_sql_compile.py checks it against the running Python)
PY_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B))
            + "\u2028\u2029\u202f\u205f\u3000")
SPACE_CLASS = "[" + "".join(f"\\x{{{ord(c):X}}}" for c in PY_SPACE) + "]"  # RE2 and Java both read \x{h}
TRUE_WORDS = ("true", "yes", "是", "1")
FALSE_WORDS = ("false", "no", "否", "0")


class SqlCompileError(Exception):
    """A policy that cannot be compiled to SQL (it has errors)."""


class UnsupportedInSql(SqlCompileError):
    """The policy uses a construct of the language the SQL backend does not compile (a period as a
    value, a table cell that can fail, a builtin without a SQL form...): the message names it.
    `policylang run` and `compile --target sql` report it and exit 1; the Python module and
    `policylang eval` still evaluate the policy. The construct is named in English (str) and in
    Chinese (`zh`), from the catalogue's `phrase.sql.unsupported.<what>`."""

    def __init__(self, what: str, **params):
        from ...messages import P

        en, zh = P(f"phrase.sql.unsupported.{what}", **params)
        super().__init__(en)
        self.zh = zh or en


class SqlInternalError(SqlCompileError):
    """The lowered form holds a node this generator does not know (the lowering gained one): an
    internal error (exit 2), never SQL that computes something else."""


def input_sql_type(kind: str) -> str:
    return SQL_TYPES.get(kind, "VARCHAR")


@attrs.frozen
class SqlQuery:
    """A compiled query: the tree, its text, and what its columns are."""

    policy_id: str
    dialect: str
    tree: exp.Expression
    inputs: tuple  # (name, kind) of the inputs and blanks read from the table
    decisions: tuple  # (name, kind, SQL type) of each decision column, in evaluation order
    rule_columns: bool
    passthrough: tuple  # other columns of the table, copied
    # the validated inputs as columns (keep_validated): their names (__pl_in_<input>, __pl_verr) and
    # what they depend on, which a query of another policy compares before it reads them (validated=)
    validated_columns: tuple = ()
    validation: Optional[tuple] = None
    shared_validation: bool = False  # this query read another query's validated inputs

    @property
    def sql(self) -> str:
        return self.tree.sql(dialect=self.dialect, pretty=True)

    def output_columns(self) -> list[str]:
        out = list(self.passthrough) + [name for name, _ in self.inputs]
        for name, _kind, _type in self.decisions:
            out.append(name)
            if self.rule_columns:
                out.append(f"{name}__rule")
        return out + list(ERROR_COLUMNS)


# ---------------------------------------------------------------- helpers of the tree


def _alias(e: exp.Expression, name: str, quoted: bool = True, copy: bool = False) -> exp.Expression:
    return exp.Alias(this=e, alias=exp.to_identifier(name, quoted=True))


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def col(name: str, table: Optional[str] = None) -> exp.Column:
    return exp.Column(this=ident(name), table=ident(table) if table else None)


def lit_str(text: str) -> exp.Expression:
    return exp.Literal.string(text)


def num_lit(value) -> exp.Expression:
    return exp.Literal.number(str(value))


def dec_type(scale: int, precision: int = 38) -> exp.DataType:
    # built as the node sqlglot's parser makes of "DECIMAL(p, s)", at a seventh of parsing it
    return exp.DataType(this=exp.DataType.Type.DECIMAL, nested=False, expressions=[
        exp.DataTypeParam(this=exp.Literal.number(precision)), exp.DataTypeParam(this=exp.Literal.number(scale))])


_TYPES: dict = {}


def data_type(name: str) -> exp.DataType:
    """The type named `name` ("VARCHAR", "DATE", …), parsed once a process (a fresh copy each time:
    a node has one parent)."""
    built = _TYPES.get(name)
    if built is None:
        built = _TYPES[name] = exp.DataType.build(name)
    return built.copy()


def dec(scale: int, digits: Optional[int]) -> exp.DataType:
    """DECIMAL of `scale` with room for `digits` integer digits (None: unknown, DECIMAL(38, scale))."""
    if digits is None or digits + scale > 38:
        return dec_type(scale)
    return dec_type(scale, max(1, digits + scale))


def wider(*digits: Optional[int]) -> Optional[int]:
    """The larger bound on integer digits, None when any is unknown."""
    if any(d is None for d in digits):
        return None
    return max(digits) if digits else None


def _int_digits(value) -> int:
    return len(str(int(abs(value))))


def cast(e: exp.Expression, to) -> exp.Expression:
    return exp.Cast(this=e, to=to if isinstance(to, exp.DataType) else data_type(to))


def try_cast(e: exp.Expression, to) -> exp.Expression:
    return exp.TryCast(this=e, to=to if isinstance(to, exp.DataType) else data_type(to), safe=True)


def paren(e: exp.Expression) -> exp.Expression:
    if isinstance(e, (exp.Column, exp.Literal, exp.Null, exp.Boolean, exp.Paren, exp.Cast, exp.TryCast,
                      exp.Case)) and not isinstance(e, exp.Binary):
        return e
    return exp.Paren(this=e)


def case(whens: Sequence[tuple], default: Optional[exp.Expression] = None) -> exp.Expression:
    ifs = [exp.If(this=cond, true=value) for cond, value in whens]
    return exp.Case(ifs=ifs, default=default)


def folded_case(whens: Sequence[tuple], default: Optional[exp.Expression]) -> exp.Expression:
    """CASE over whens, without the last branches whose value is the default's (the same tree: the
    same value on every row); no branch left, the default itself."""
    whens = list(whens)
    if default is not None:
        while whens and whens[-1][1] == default:
            whens.pop()
    if not whens:
        return default if default is not None else null()
    return case(whens, default)


def coalesce(first: Optional[exp.Expression], then: Optional[exp.Expression]) -> Optional[exp.Expression]:
    """The first error, else the second (None: cannot fail)."""
    if first is None:
        return then
    if then is None:
        return first
    return exp.Coalesce(this=first, expressions=[then])


def choose(cond: exp.Expression, yes: Optional[exp.Expression], no: Optional[exp.Expression]):
    """The error of `yes` when cond holds, else of `no` (None: cannot fail)."""
    if yes is None and no is None:
        return None
    return case([(cond, yes if yes is not None else cast(null(), "VARCHAR"))], no)


def is_null(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=paren(e), expression=exp.Null())


def not_null(e: exp.Expression) -> exp.Expression:
    return exp.Not(this=is_null(e))


def is_true(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=paren(e), expression=exp.true())


def null() -> exp.Expression:
    return exp.Null()


def and_(*parts) -> exp.Expression:
    parts = [p for p in parts if p is not None]
    if len(parts) == 1:
        return parts[0]
    return exp.and_(*[paren(p) for p in parts])


def or_(*parts) -> exp.Expression:
    parts = [p for p in parts if p is not None]
    if len(parts) == 1:
        return parts[0]
    return exp.or_(*[paren(p) for p in parts])


def below_digits(value: exp.Expression, digits: int) -> exp.Expression:
    """-10^digits < value < 10^digits: the row's value has at most `digits` integer digits (a value
    the narrow, 64-bit forms of a DECIMAL hold)."""
    bound = num_lit(10 ** digits)
    return and_(exp.LT(this=value, expression=bound), exp.GT(this=value, expression=exp.Neg(this=bound)))


def error_value(code: str, reason: str, field: str = "", decision: str = "") -> exp.Expression:
    return lit_str(SEP.join((code, reason, field or "", decision or "")))


@attrs.frozen
class Sql:
    """One expression in SQL: its value, the first error computing it (None: it cannot fail) and, for
    numbers, the scale of its DECIMAL (None: a BIGINT)."""

    val: exp.Expression
    err: Optional[exp.Expression] = None
    scale: Optional[int] = None
    digits: Optional[int] = None  # a bound on the integer digits of a number (None: unknown)
    # The values the number can take (ranges.py; None: unknown). They give the digits where
    # they are the tighter bound: a percent of at most 100% times money keeps the money's digits,
    # where counting digits adds one.
    limits: Optional[Range] = None

    def __attrs_post_init__(self):
        if self.limits is not None:
            digits = _int_digits(self.limits.magnitude)
            if self.digits is None or digits < self.digits:
                object.__setattr__(self, "digits", digits)


# ---------------------------------------------------------------- the generator


class SqlGen:
    def __init__(self, policy: ResolvedPolicy, dialect: str, columns: Optional[Sequence[str]] = None,
                 blanks: Optional[Mapping[str, object]] = None, as_of: Optional[_dt.date] = None,
                 rule_columns: bool = True, source: Optional[str] = None, empty_is_absent: bool = True,
                 validated: Optional[tuple] = None, keep_validated: bool = False, decimals_as_text: bool = False):
        if dialect not in DIALECTS:
            raise SqlCompileError(f"unknown SQL dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
        if policy.has_errors:
            raise SqlCompileError(f"{policy.policy_id} has errors; fix them before compiling")
        self.p = policy
        self.dialect = dialect
        self.low = lower_policy(policy)
        self.as_of = as_of
        self.rule_columns = rule_columns
        self.source = source or "cases"
        self.empty_is_absent = empty_is_absent
        self.blank_values = dict(blanks or {})
        accepted = {name: inp.type for name, inp in policy.inputs.items()}
        for blank in policy.blanks:
            accepted[blank.name] = blank.type
        self.accepted = accepted
        for name in self.blank_values:
            if name not in {b.name for b in policy.blanks}:
                raise SqlCompileError(f"'{name}' is not a blank of {policy.policy_id} that no level filled")
        # A table cell cannot hold a list: an optional list input is read as not given (none), as
        # `policylang eval` reads a case without it; a required one cannot be compiled.
        self.absent_lists = {name for name, inp in policy.inputs.items()
                             if inp.type.kind == "list" and inp.optional}
        if columns is None:
            columns = [n for n in accepted if n not in self.blank_values and n not in self.absent_lists]
        self.columns = list(columns)
        self.read = [c for c in self.columns if c in accepted and c not in self.blank_values]
        # other columns, and a column of a blank bound for the whole batch (the bound value wins, as
        # in `policylang eval`), are copied unchanged
        self.passthrough = [c for c in self.columns if c not in accepted or c in self.blank_values]
        self.current: Optional[str] = None  # the decision being compiled
        self.enum_members = {name: e.member_names for name, e in policy.enums.items()}
        self.param_cache: dict = {}
        self.keep_validated = keep_validated
        self.decimals_as_text = decimals_as_text and dialect == "duckdb"
        self.validated = validated

    # ------------------------------------------------------------ names inside the query
    @staticmethod
    def in_col(name: str) -> str:
        return f"__pl_in_{name}"

    @staticmethod
    def ie_col(name: str) -> str:
        return f"__pl_ie_{name}"

    @staticmethod
    def val_col(name: str) -> str:
        return f"__pl_d_{name}"

    @staticmethod
    def err_col(name: str) -> str:
        return f"__pl_e_{name}"

    @staticmethod
    def rule_col(name: str) -> str:
        return f"__pl_r_{name}"

    # ------------------------------------------------------------ literals
    def const(self, value, kind: str) -> Sql:
        if value is None:
            # a NULL has no digits: its type is as narrow as the scale allows, so that a CASE of it
            # and a narrow number stays narrow
            t = {"money": dec(2, 1), "percent": dec(10, 1), "decimal": dec(12, 1), "count": "BIGINT",
                 "bool": "BOOLEAN", "date": "DATE"}.get(kind, "VARCHAR")
            scale = {"money": 2, "percent": 10, "decimal": 12}.get(kind)
            number = kind in ("money", "percent", "decimal", "count")
            return Sql(cast(null(), t), None, scale, 0 if number else None, Range.of(0) if number else None)
        if isinstance(value, bool):
            return Sql(exp.true() if value else exp.false())
        if isinstance(value, int):
            return Sql(cast(num_lit(value), "BIGINT"), None, None, _int_digits(value), Range.of(value))
        if isinstance(value, Decimal):
            if -value.as_tuple().exponent > MAX_SCALE:
                # a quotient folded at 50 digits: at DIV_SCALE decimals, half even, as the query's own
                # quotients are (docs/batch.md: the two agree except where a value needs more digits)
                value = value.quantize(Decimal(1).scaleb(-DIV_SCALE), rounding="ROUND_HALF_EVEN").normalize() \
                    if value != value.to_integral_value() else value
                if -value.as_tuple().exponent < 0:
                    value = value.quantize(Decimal(1))
            text = format(value, "f")
            scale = max(0, -value.as_tuple().exponent)
            digits = len(text.replace("-", "").replace(".", "").lstrip("0")) or 1
            if scale > MAX_SCALE or digits > 38:
                raise UnsupportedInSql("too_many_digits", value=value)
            digits = _int_digits(value)
            return Sql(cast(num_lit(text), dec(scale, digits)), None, scale, digits, Range.of(value))
        if isinstance(value, str):
            return Sql(lit_str(value))
        if isinstance(value, _dt.date):
            return Sql(cast(lit_str(value.isoformat()), "DATE"))
        if isinstance(value, Duration):
            raise UnsupportedInSql("period_value", value=value)
        raise SqlInternalError(f"the constant {value!r}")

    # ------------------------------------------------------------ numbers
    @staticmethod
    def num_digits(s: Sql) -> Optional[int]:
        """A bound on s's integer digits: its own, or a BIGINT's 19; None when unknown."""
        if s.digits is not None:
            return s.digits
        return BIGINT_DIGITS if s.scale is None else None

    def as_decimal(self, s: Sql) -> tuple[exp.Expression, int]:
        if s.scale is None:
            return cast(s.val, dec(0, self.num_digits(s))), 0
        return s.val, s.scale

    def capped(self, e: exp.Expression, scale: int, digits: Optional[int] = None) -> tuple[exp.Expression, int]:
        if scale > MAX_SCALE:
            # rounding may carry into one more integer digit (9.99...95 -> 10)
            return (cast(exp.Round(this=e, decimals=num_lit(MAX_SCALE)),
                         dec(MAX_SCALE, None if digits is None else digits + 1)), MAX_SCALE)
        return cast(e, dec(scale, digits)), scale

    def arith(self, node: str, scale: Optional[Callable], a: Sql, b: Sql,
              kinds: set) -> tuple[exp.Expression, Optional[int], Optional[exp.Expression]]:
        """a node b (the sqlglot operation; scale: the result's DECIMAL scale from the operands', None
        for the exact division): (value, scale, the condition of an error of its own (None: never)."""
        if "date" in kinds or "duration" in kinds:
            raise UnsupportedInSql("period_not_constant")
        if scale is None:
            return self.divide(a, b)
        operation = getattr(exp, node)
        if a.scale is None and b.scale is None:
            return operation(this=paren(a.val), expression=paren(b.val)), None, None
        x, sx = self.as_decimal(a)
        y, sy = self.as_decimal(b)
        dx, dy = self.num_digits(a), self.num_digits(b)
        product = node == "Mul"
        result_scale = scale(sx, sy)
        # a bound on the result's integer digits: a product the operands' added, a sum or difference
        # one more than the wider operand's (another operation: unknown)
        digits = None
        if dx is not None and dy is not None and node in ("Mul", "Add", "Sub"):
            digits = dx + dy if product else max(dx, dy) + 1
        limits = ranges.combined(a.limits, b.limits, node)
        if limits is not None:
            digits = min(digits, _int_digits(limits.magnitude)) if digits is not None else _int_digits(limits.magnitude)
        if digits is not None and digits + result_scale > 38:
            digits = limits = None
        # Both operands at the result's width: DuckDB multiplies and adds two 64-bit decimals in 64
        # bits (an overflow error, not a wider result), so a result wider than 18 digits needs
        # operands that are 128-bit already.
        # (The operands' own widths count too: a magnitude bound can make the result narrower than
        # an operand, as money times 0.)
        width = 38 if digits is None else min(38, max(digits + result_scale, dx + sx, dy + sy, sx + 1, sy + 1))
        x, y = cast(x, dec_type(sx, width)), cast(y, dec_type(sy, width))
        value, capped_scale = self.capped(operation(this=x, expression=y), result_scale, digits)
        self.last_digits = None if digits is None else digits + (capped_scale < result_scale)
        self.last_limits = limits if capped_scale == result_scale else ranges.rounded(limits, capped_scale)
        return value, capped_scale, None

    @staticmethod
    def unscaled(x: exp.Expression, scale: int) -> exp.Expression:
        """x * 10^scale as a HUGEINT (DuckDB). DECIMAL(38, s) * 10^s keeps the scale s, so it overflows
        once the value has more than 38 - 2s integer digits: above 9 decimals the fraction is shifted
        in two halves, each product within 38 digits."""
        big = lambda e: cast(e, "HUGEINT")  # noqa: E731
        x = cast(x, dec_type(scale))
        if scale <= 9:
            return big(exp.Mul(this=x, expression=num_lit(10 ** scale)))
        whole = exp.Anonymous(this="TRUNC", expressions=[x])
        fraction = cast(exp.Sub(this=x, expression=whole), dec_type(scale))  # |f| < 1
        low = scale // 2
        high = scale - low
        shifted = cast(exp.Mul(this=fraction, expression=num_lit(10 ** high)), dec_type(scale))  # |.| < 10^high
        hi = exp.Anonymous(this="TRUNC", expressions=[shifted])
        lo = cast(exp.Mul(this=cast(exp.Sub(this=shifted, expression=hi), dec_type(scale)),
                          expression=num_lit(10 ** low)), dec_type(scale))
        return exp.Add(this=exp.Add(this=exp.Mul(this=big(whole), expression=big(num_lit(10 ** scale))),
                                    expression=exp.Mul(this=big(hi), expression=big(num_lit(10 ** low)))),
                       expression=big(lo))

    @staticmethod
    def integer_quotient(n: exp.Expression, d: exp.Expression, shift: int,
                         divisor_digits: Optional[int]) -> exp.Expression:
        """n * 10^shift / d rounded half even to an integer, for HUGEINTs n and d (d never 0), with no
        product past HUGEINT's 38 digits wherever the divisor's digits are known: a negative shift
        scales the divisor instead, and the shift is taken by long division in steps of as many
        digits as the divisor leaves room for (n * 10^shift alone overflowed for a dividend of a
        million at 12 decimals over a decimal, and 10^shift was 0 when shift < 0)."""
        big = lambda e: cast(e, "HUGEINT")  # noqa: E731
        negative = exp.NEQ(this=paren(exp.LT(this=n, expression=num_lit(0))),
                           expression=paren(exp.LT(this=d, expression=num_lit(0))))
        n, d = exp.Abs(this=n), exp.Abs(this=d)
        if shift < 0:
            d = exp.Mul(this=d, expression=big(num_lit(10 ** -shift)))
            divisor_digits = None if divisor_digits is None else divisor_digits - shift
            shift = 0
        room = 38 - divisor_digits if divisor_digits is not None else 0
        if room < 1:
            # the divisor's size unknown: one product (a dividend beyond 38 digits is an error)
            n, shift, room = exp.Mul(this=n, expression=big(num_lit(10 ** shift))), 0, 1
        quotient = exp.IntDiv(this=n, expression=d)
        remainder = exp.Mod(this=n, expression=d)
        while shift > 0:
            step = min(shift, room)
            shifted = exp.Mul(this=remainder, expression=big(num_lit(10 ** step)))
            quotient = exp.Add(this=exp.Mul(this=quotient, expression=big(num_lit(10 ** step))),
                               expression=exp.IntDiv(this=shifted, expression=d))
            remainder = exp.Mod(this=shifted, expression=d)
            shift -= step
        twice = exp.Mul(this=remainder, expression=num_lit(2))
        odd = exp.NEQ(this=exp.Mod(this=quotient, expression=num_lit(2)), expression=num_lit(0))
        up = or_(exp.GT(this=twice, expression=d), and_(exp.EQ(this=twice, expression=d), odd))
        rounded = exp.Add(this=quotient, expression=case([(up, num_lit(1))], num_lit(0)))
        return case([(negative, exp.Neg(this=rounded))], rounded)

    def divide(self, a: Sql, b: Sql):
        x, sx = self.as_decimal(a)
        y, sy = self.as_decimal(b)
        zero = exp.EQ(this=paren(y), expression=num_lit(0))
        safe_y = case([(zero, cast(num_lit(1), dec_type(sy)))], y)
        if self.dialect == "duckdb":
            # DuckDB divides DECIMALs in floating point: divide the scaled integers instead (HUGEINT,
            # 38 digits) and round the quotient half even at DIV_SCALE decimals, as the exact
            # context rounds its 50 digits.
            dy = self.num_digits(b)
            value = self.integer_quotient(self.unscaled(x, sx), self.unscaled(safe_y, sy), DIV_SCALE + sy - sx,
                                          None if dy is None else dy + sy)
            unit = cast(num_lit(format(Decimal(1).scaleb(-DIV_SCALE), "f")), dec_type(DIV_SCALE))
            return cast(exp.Mul(this=cast(value, dec_type(0)), expression=unit), dec_type(DIV_SCALE)), DIV_SCALE, zero
        # Spark divides DECIMAL(p1, s1) by DECIMAL(p2, s2) to the scale max(6, s1 + p2 + 1), half up,
        # with p1 - s1 + s2 integer digits; when precision loss is not allowed and the two pass 38,
        # the scale gives up (excess / 2 + 1) digits and the integer part the rest. So each operand
        # is cast to the digits its range can have, the divisor to at least DIV_SCALE - 1 - s1 (the
        # scale then starts at DIV_SCALE or more): with 16 and 19 for every operand, a quotient of a
        # dividend at 24 decimals had 8 integer digits and one at 12 decimals 12, and a larger one
        # stopped the query.
        dx, dy = self.num_digits(a), self.num_digits(b)
        p1 = 38 if dx is None else min(38, max(dx + sx, sx + 1))
        p2 = 38 if dy is None else min(38, max(dy + sy, sy + 1, DIV_SCALE - 1 - sx))
        value = exp.Div(this=cast(x, dec_type(sx, p1)), expression=cast(safe_y, dec_type(sy, p2)))
        return cast(value, dec_type(DIV_SCALE)), DIV_SCALE, zero

    def rounded(self, arg: Sql, unit: str, mode: str, money: bool) -> Sql:
        """The interpreter's round_value(): quantized to the unit (fen, jiao, yuan, unit) in the mode;
        money stays a DECIMAL, other numbers become BIGINT (int() of the quantized value)."""
        k = {"fen": 2, "jiao": 1, "yuan": 0, "unit": 0}[unit]
        d = self.num_digits(arg)
        if arg.scale is None:  # an int is already whole
            value = cast(arg.val, dec(k, d)) if money else arg.val
            return Sql(value, None, k if money else None, d, arg.limits)
        x = arg.val
        up = None if d is None else d + 1  # rounding may carry into one more digit (9.995 -> 10.00)
        limits = arg.limits
        if arg.scale <= k:
            r = cast(x, dec(k, d))
            up = d
        else:
            limits = ranges.rounded(limits, k)
            if limits is not None:  # no carry where the range leaves room (x <= 9.99 stays below 10)
                up = _int_digits(limits.magnitude) if up is None else min(up, _int_digits(limits.magnitude))
            r = cast(self.quantized(x, arg.scale, k, up, mode), dec(k, up))
            narrow_digits = 17 - arg.scale  # |x| below 10^that: x and its rounding fit in 64 bits
            if self.dialect == "duckdb" and narrow_digits > 0 and (d is None or d + arg.scale > 18):
                # DuckDB rounds a 128-bit DECIMAL at about ten times the cost of a 64-bit one
                # (ROUND divides a HUGEINT): a row whose value fits 64 bits is rounded in them
                fits = below_digits(x, narrow_digits)
                narrow = self.quantized(cast(x, dec(arg.scale, narrow_digits)), arg.scale, k, narrow_digits + 1,
                                        mode)
                r = case([(fits, cast(narrow, dec(k, up)))], r)
        if money:
            return Sql(r, None, k, up, limits)
        return Sql(cast(r, "BIGINT"), None, None, up, limits)

    @staticmethod
    def quantized(x: exp.Expression, scale: int, k: int, up: Optional[int], mode: str) -> exp.Expression:
        """x (a DECIMAL of `scale` > k) quantized to k decimals in the mode; up: a bound on the
        result's integer digits (None: unknown)."""
        ulp = cast(num_lit(format(Decimal(1).scaleb(-k), "f")), dec(k, 1))
        near = cast(exp.Round(this=x, decimals=num_lit(k)), dec(k, up))  # half away from zero
        if mode == "half_up":
            return near
        # compared at x's own scale: Spark may compare two DECIMALs at the smaller scale
        x = cast(x, dec(scale, up))
        near_wide = cast(near, dec(scale, up))
        if mode == "up":  # toward +infinity (ROUND_CEILING)
            return case([(exp.LT(this=near_wide, expression=x), exp.Add(this=near, expression=ulp))], near)
        if mode == "down":  # toward -infinity (ROUND_FLOOR)
            return case([(exp.GT(this=near_wide, expression=x), exp.Sub(this=near, expression=ulp))], near)
        if mode == "half_even":
            diff = cast(exp.Abs(this=exp.Sub(this=near_wide, expression=x)), dec(scale, up))
            half = cast(num_lit(format(Decimal(5).scaleb(-k - 1), "f")), dec_type(k + 1))
            last_odd = exp.NEQ(
                this=exp.Mod(this=cast(exp.Mul(this=cast(near, dec_type(k)), expression=num_lit(10 ** k)),
                                       dec_type(0)),
                             expression=num_lit(2)),
                expression=num_lit(0))
            tie = and_(exp.EQ(this=diff, expression=cast(half, dec(scale, up))), last_odd)
            back = case([(exp.GT(this=near_wide, expression=x), exp.Sub(this=near, expression=ulp))],
                        exp.Add(this=near, expression=ulp))
            return case([(tie, back)], near)
        raise SqlInternalError(f"the rounding mode {mode!r}")

    # ------------------------------------------------------------ errors
    @staticmethod
    def first_error(steps: Iterable[tuple]) -> Optional[exp.Expression]:
        """steps: (stop, err) in evaluation order; stop: the condition under which evaluation ends
        after this step (None: never). The result: the first error met, else NULL (None: none can be)."""
        acc = None
        for stop, err in reversed(list(steps)):
            if stop is not None and acc is not None:
                acc = case([(stop, cast(null(), "VARCHAR"))], acc)
            acc = coalesce(err, acc)
        return acc

    def own_error(self, cond: exp.Expression, reason: str, code: str = "evaluation") -> exp.Expression:
        return case([(cond, error_value(code, reason, "", self.current or ""))])

    # ------------------------------------------------------------ expressions
    def expr(self, e: ir.Expr) -> Sql:
        if isinstance(e, ir.Lit):
            return self.const(e.value, e.type.kind)
        if isinstance(e, ir.Folded):
            if isinstance(e.value, Duration):
                raise UnsupportedInSql("period_value", value=e.value)
            return self.const(e.value, e.type.kind)
        if isinstance(e, ir.Ref):
            return self.ref(e)
        if isinstance(e, ir.Binary):
            op = OPERATORS[e.op]
            return op.sql(self, e, op)
        if isinstance(e, ir.Unary):
            op = unary(e.op)
            return op.sql(self, e, op)
        if isinstance(e, ir.If):
            c, t, o = self.expr(e.cond), self.expr(e.then), self.expr(e.otherwise)
            scale = self.common_scale(t, o)
            t, o = self.at_scale(t, scale), self.at_scale(o, scale)
            err = coalesce(c.err, choose(is_true(c.val), t.err, o.err))
            return Sql(folded_case([(is_true(c.val), t.val)], o.val), err, scale, self.common_digits(t, o),
                       self.common_limits(t, o))
        if isinstance(e, ir.In):
            op = membership(e.negated)
            return op.sql(self, e, op)
        if isinstance(e, ir.Aggregate):
            source = e.source
            if (isinstance(source, ir.Ref) and source.kind == "input" and source.name in self.absent_lists
                    and source.name not in self.read):
                # an optional list not given: every aggregate over it is none, as in the interpreter
                return self.const(None, e.type.kind)
            raise UnsupportedInSql("aggregate", func=e.func)
        if isinstance(e, ir.Call):
            builtin = BUILTINS.get(e.func)
            if builtin is None:
                raise SqlInternalError(f"the function {e.func} is not in the builtin registry")
            if builtin.sql is None:
                raise UnsupportedInSql("function", func=e.func)
            return builtin.sql(self, e)
        raise SqlInternalError(f"the lowered node {type(e).__name__}")

    def common_scale(self, *parts: Sql) -> Optional[int]:
        scales = [p.scale for p in parts if p.scale is not None]
        if not scales:
            return None
        return max(scales)

    def common_digits(self, *parts: Sql) -> Optional[int]:
        """A bound on the integer digits of any of the parts (numbers), None when one is unknown."""
        return wider(*[self.num_digits(p) for p in parts])

    @staticmethod
    def common_limits(*parts: Sql) -> Optional[Range]:
        """The values any of the parts (numbers) can take, None when one's are unknown."""
        return ranges.union(*[p.limits for p in parts])

    def at_scale(self, s: Sql, scale: Optional[int]) -> Sql:
        if scale is None or s.scale == scale:
            return s
        digits = self.num_digits(s)
        value = cast(s.val, dec(scale, digits))
        return Sql(value, s.err, scale, digits, s.limits)

    def ref(self, e: ir.Ref) -> Sql:
        kind = e.type.kind
        if e.kind == "input":
            if e.name not in self.read:
                if e.required:
                    return Sql(self.const(None, kind).val, self.missing(e.name), self.const(None, kind).scale)
                return self.const(None, kind)
            column = col(self.in_col(e.name))
            err = case([(is_null(column), self.missing(e.name))]) if e.required else None
            return Sql(column, err, INPUT_SCALE.get(kind) if kind in ("money", "percent", "decimal") else None,
                       self.input_digits(e.name, kind), self.input_limits(e.name, kind))
        if e.kind == "param":
            return self.param(e.name)
        if e.kind == "decision":
            d = self.low.decisions[e.name]
            return Sql(col(self.val_col(e.name)), col(self.err_col(e.name)) if self.can_fail[e.name] else None,
                       self.decision_scale[e.name], self.decision_digits[e.name], self.decision_limits[e.name])
        if e.kind == "builtin":
            if e.name == "as_of":
                if self.as_of is not None:
                    return self.const(self.as_of, "date")
                return Sql(exp.CurrentDate())
            return self.const(e.value, "date")
        if e.kind == "external":
            if e.value is UNFILLED:
                other = self.p.externals[(e.alias, e.name)]
                by = other.delegated_by or other.origin
                return Sql(self.const(None, kind).val,
                           error_value("blank_not_filled", "unfilled", f"{e.alias}.{e.name}", self.current or ""),
                           self.const(None, kind).scale)
            return self.const(e.value, kind)
        raise SqlInternalError(f"the reference kind {e.kind!r}")

    def input_digits(self, name: str, kind: str) -> Optional[int]:
        """A bound on the integer digits of a validated input or blank column."""
        if kind == "percent":
            return _int_digits(self.percent_limit(name))
        return INPUT_DIGITS.get(kind)

    def input_limits(self, name: str, kind: str) -> Optional[Range]:
        """The values a validated input or blank column can take (the validation's limits)."""
        if kind == "percent":
            return Range(Decimal(0), self.percent_limit(name))
        return INPUT_LIMITS.get(kind)

    def narrow_input(self, name: str, kind: str, value: exp.Expression) -> exp.Expression:
        """A validated number column at its narrow type (NULL in every row that failed validation, so
        the CAST cannot overflow)."""
        if kind in ("money", "percent", "decimal"):
            return cast(value, dec(INPUT_SCALE[kind], self.input_digits(name, kind)))
        return value

    def missing(self, name: str) -> exp.Expression:
        return error_value("invalid_input", "missing", name, self.current or "")

    def param(self, name: str) -> Sql:
        prm = self.low.params[name]
        kind = prm.source.type.kind
        if prm.blank:
            if name in self.blank_values:
                return self.const(self.blank_values[name], kind)
            unfilled = error_value("blank_not_filled", "unfilled", name, self.current or "")
            if name in self.read:
                column = col(self.in_col(name))
                scale = INPUT_SCALE.get(kind) if kind in ("money", "percent", "decimal") else None
                return Sql(column, case([(is_null(column), unfilled)]), scale, self.input_digits(name, kind),
                           self.input_limits(name, kind))
            return Sql(self.const(None, kind).val, unfilled, self.const(None, kind).scale)
        # a schedule: the last entry whose start is on or before as_of, else the parameter's own value
        own = self.expr(prm.value) if prm.value is not None else None
        if not prm.entries:
            return own
        entries = [(entry.start, self.expr(entry.value)) for entry in prm.entries]
        parts = [s for _, s in entries] + ([own] if own is not None else [])
        scale = self.common_scale(*parts)
        as_of = self.const(self.as_of, "date").val if self.as_of is not None else exp.CurrentDate()
        whens, errs = [], []
        for start, s in reversed(entries):
            cond = exp.GTE(this=as_of, expression=self.const(start, "date").val)
            s = self.at_scale(s, scale)
            whens.append((cond, s.val))
            errs.append((cond, s.err))
        if own is not None:
            own = self.at_scale(own, scale)
            default, default_err = own.val, own.err
        else:
            by = prm.source.delegated_by or prm.source.origin
            default = self.const(None, kind).val
            default_err = error_value("blank_not_filled", "unfilled", name, self.current or "")
        err = None
        if any(x is not None for _, x in errs) or default_err is not None:
            err = case([(c, x if x is not None else cast(null(), "VARCHAR")) for c, x in errs], default_err)
        return Sql(case(whens, default), err, scale, self.common_digits(*parts), self.common_limits(*parts))

    # ------------------------------------------------------------ what the operators' SQL forms use
    # (semantics/operators.py: each operator names its sqlglot node)
    def not_(self, e: ir.Unary) -> Sql:
        s = self.expr(e.operand)
        return Sql(exp.Not(this=paren(exp.Coalesce(this=s.val, expressions=[exp.false()]))), s.err)

    def negation(self, e: ir.Unary) -> Sql:
        s = self.expr(e.operand)
        if e.operand.type.kind == "duration":
            raise UnsupportedInSql("negated_period")
        return Sql(exp.Neg(this=paren(s.val)), s.err, s.scale, s.digits,
                   None if s.limits is None else -s.limits)

    def logic(self, e: ir.Binary, node: str, goes_on_when_true: bool) -> Sql:
        """and / or: none counts as false; the right side is computed only when the left one did not
        decide (goes_on_when_true: and)."""
        a, b = self.expr(e.left), self.expr(e.right)
        left = exp.Coalesce(this=a.val, expressions=[exp.false()])
        right = exp.Coalesce(this=b.val, expressions=[exp.false()])
        value = getattr(exp, node)(this=left, expression=right)
        goes_on = is_true(a.val) if goes_on_when_true else exp.Not(this=is_true(a.val))
        return Sql(value, coalesce(a.err, choose(goes_on, b.err, None)))

    def equality(self, e: ir.Binary, node: str) -> Sql:
        """== / != (none equals none): a null-safe comparison."""
        a, b = self.expr(e.left), self.expr(e.right)
        x, y = self.comparable(a, b)
        return Sql(getattr(exp, node)(this=x, expression=y), self.first_error([(None, a.err), (None, b.err)]))

    def order(self, e: ir.Binary, node: str) -> Sql:
        """< <= > >=: operands left to right; a none on the left stops the rest."""
        a, b = self.expr(e.left), self.expr(e.right)
        left_stops = is_null(a.val) if e.left.info.nullable else None
        x, y = self.comparable(a, b)
        return Sql(getattr(exp, node)(this=x, expression=y), self.first_error([(left_stops, a.err), (None, b.err)]))

    def arithmetic(self, e: ir.Binary, node: str, scale: Optional[Callable]) -> Sql:
        """+ - * /: node the sqlglot operation, scale the DECIMAL scale of the result from the
        operands' (None: the exact division, divide())."""
        if e.right.type.kind == "duration" and e.left.type.kind == "date":
            return self.date_arith(e, self.expr(e.left), None, None)
        a, b = self.expr(e.left), self.expr(e.right)
        left_stops = is_null(a.val) if e.left.info.nullable else None
        kinds = {e.left.type.kind, e.right.type.kind}
        if kinds & {"date", "duration"}:
            return self.date_arith(e, a, b, left_stops)
        self.last_digits = self.last_limits = None
        value, result_scale, fails = self.arith(node, scale, a, b, kinds)
        digits = self.last_digits if scale is not None else None
        limits = self.last_limits if scale is not None else None
        own = None
        if fails is not None:
            own = self.own_error(and_(not_null(a.val), not_null(b.val), fails), "division_by_zero")
        return Sql(value, self.first_error([(left_stops, a.err), (is_null(b.val) if e.right.info.nullable else None,
                                                                 b.err), (None, own)]), result_scale, digits, limits)

    def comparable(self, a: Sql, b: Sql):
        """Both operands of a comparison at one DECIMAL type, the larger scale: Spark compares two
        DECIMAL(38, s) of different scales at the smaller scale (0.00 = 0.001), so never leave the
        engine to choose."""
        x, y = self.aligned([a, b])
        return x, y

    def aligned(self, parts: Sequence[Sql]) -> list:
        """The values at one type: numbers as DECIMAL(38, the largest scale), others as they are."""
        if all(p.scale is None for p in parts):
            return [p.val for p in parts]
        scale = max(p.scale for p in parts if p.scale is not None)
        t = dec(scale, self.common_digits(*parts))
        return [cast(self.as_decimal(p)[0], t) for p in parts]

    def date_arith(self, e: ir.Binary, a: Sql, b: Sql, left_stops) -> Sql:
        """date ± a constant period (days, months, years)."""
        right = e.right
        period = right.value if isinstance(right, (ir.Lit, ir.Folded)) else None
        sign = OPERATORS[e.op].period_sign
        if e.left.type.kind != "date" or not isinstance(period, Duration) or sign is None:
            raise UnsupportedInSql("date_arithmetic", left=e.left.type.kind, op=e.op, right=right.type.kind)
        if period.unit == "working_days":
            # The official calendar (workdays.py) has no SQL form here: a count of working days needs the
            # days off and days worked of each year, which the queries do not carry.
            raise UnsupportedInSql("working_days", period=period)
        n = period.amount * sign
        # the date's own error (a missing input, an earlier decision's failure) comes first
        if period.unit == "days":
            return self.add_days(a, Sql(cast(num_lit(n), "BIGINT")), a.err)
        months = n * (12 if period.unit == "years" else 1)
        return self.add_months(a, Sql(cast(num_lit(months), "BIGINT")), a.err)

    def membership(self, e: ir.In, negated: bool) -> Sql:
        s = self.expr(e.operand)
        items = [self.expr(i) for i in e.items]
        if any(i.val.is_type("null") or isinstance(i.val, exp.Null) for i in items):
            raise UnsupportedInSql("none_in_set")
        operand, *values = self.aligned([s] + items)
        member = exp.In(this=paren(operand), expressions=values)
        if negated:
            value = or_(is_null(operand), exp.Not(this=paren(member)))
        else:
            value = exp.Coalesce(this=member, expressions=[exp.false()])
        return Sql(value, self.first_error([(None, s.err)] + [(None, i.err) for i in items]))

    # ------------------------------------------------------------ what the builtins' SQL forms use
    def args_in_order(self, e: ir.Call) -> tuple[list[Sql], Optional[exp.Expression], Optional[exp.Expression]]:
        """The arguments, (the first error met, left to right, a none stopping the rest), and the
        condition that some argument is none."""
        args = [self.expr(a) for a in e.args]
        steps = []
        nulls = []
        for node, s in zip(e.args, args):
            stop = is_null(s.val) if node.info.nullable else None
            steps.append((stop, s.err))
            if stop is not None:
                nulls.append(stop)
        return args, self.first_error(steps), (or_(*nulls) if nulls else None)

    def none_if(self, any_null, value: exp.Expression) -> exp.Expression:
        if any_null is None:
            return value
        return case([(any_null, null())], value)

    def add_months(self, d: Sql, n: Sql, err=None) -> Sql:
        """d + n calendar months, the day clamped to the month's end; outside years 1..9999 an error."""
        months = cast(n.val, "BIGINT") if n.scale is None else cast(exp.Cast(this=exp.Anonymous(
            this="TRUNC", expressions=[n.val]), to=dec_type(0)), "BIGINT")
        index = exp.Add(this=exp.Add(this=exp.Mul(this=exp.Year(this=d.val), expression=num_lit(12)),
                                     expression=paren(exp.Sub(this=exp.Month(this=d.val), expression=num_lit(1)))),
                        expression=months)
        outside = or_(exp.LT(this=paren(index), expression=num_lit(12)),
                      exp.GTE(this=paren(index), expression=num_lit(12 * 10000)))
        if self.dialect == "duckdb":
            shifted = cast(exp.Add(this=d.val, expression=exp.Interval(this=paren(months), unit=exp.var("MONTH"))),
                           "DATE")
        else:
            shifted = exp.AddMonths(this=d.val, expression=cast(months, "INT"))
        value = case([(outside, cast(null(), "DATE"))], shifted)
        own = self.own_error(and_(not_null(d.val), not_null(n.val), outside), "outside_calendar")
        return Sql(value, self.first_error([(None, err), (None, own)]) if err is not None else own)

    def add_days(self, d: Sql, n: Sql, err=None) -> Sql:
        days = cast(n.val, "BIGINT") if n.scale is None else cast(exp.Cast(this=exp.Anonymous(
            this="TRUNC", expressions=[n.val]), to=dec_type(0)), "BIGINT")
        low = self.days_between_sql(d.val, self.const(_dt.date(1, 1, 1), "date").val)
        high = self.days_between_sql(d.val, self.const(_dt.date(9999, 12, 31), "date").val)
        outside = or_(exp.LT(this=paren(days), expression=low), exp.GT(this=paren(days), expression=high))
        safe = case([(outside, num_lit(0))], days)
        if self.dialect == "duckdb":
            shifted = cast(exp.Add(this=d.val, expression=exp.Interval(this=paren(safe), unit=exp.var("DAY"))), "DATE")
        else:
            shifted = exp.DateAdd(this=d.val, expression=cast(safe, "INT"), unit=exp.var("DAY"))
        value = case([(outside, cast(null(), "DATE"))], shifted)
        own = self.own_error(and_(not_null(d.val), not_null(n.val), outside), "outside_calendar")
        return Sql(value, self.first_error([(None, err), (None, own)]) if err is not None else own)

    def days_between_sql(self, a: exp.Expression, b: exp.Expression) -> exp.Expression:
        if self.dialect == "duckdb":
            return exp.DateDiff(this=b, expression=a, unit=exp.var("DAY"))
        return exp.Anonymous(this="DATEDIFF", expressions=[b, a])

    def end_of_month(self, d: exp.Expression) -> exp.Expression:
        return exp.LastDay(this=d)

    # ------------------------------------------------------------ the builtins' SQL forms (builtins.py names them)
    def call_round(self, e: ir.Call, unit: str, mode: str) -> Sql:
        args, err, any_null = self.args_in_order(e)
        r = self.rounded(args[0], unit, mode, e.type.kind == "money")
        if len(args) == 1:  # the rounded value is NULL exactly when its one argument is
            return Sql(r.val, err, r.scale, r.digits, r.limits)
        return Sql(self.none_if(any_null, r.val), err, r.scale, r.digits, r.limits)

    def call_extremum(self, e: ir.Call, which: str) -> Sql:
        args, err, any_null = self.args_in_order(e)
        if len(args) == 1:
            return Sql(args[0].val, err, args[0].scale, args[0].digits, args[0].limits)
        scale = self.common_scale(*args)
        digits = self.common_digits(*args) if scale is not None else None
        limits = (ranges.least if which == "min" else ranges.greatest)(*[a.limits for a in args])
        if scale is not None:
            values = [self.as_decimal(a)[0] for a in args]
            values = [cast(v, dec(scale, digits)) for v in values]
        else:
            values = [a.val for a in args]
        node = (exp.Least if which == "min" else exp.Greatest)(this=values[0], expressions=values[1:],
                                                                 ignore_nulls=False)
        # LEAST and GREATEST skip NULLs; in the language a none argument makes the result none
        return Sql(case([(any_null, null())], node) if any_null is not None else node, err, scale, digits, limits)

    def call_abs(self, e: ir.Call) -> Sql:
        args, err, any_null = self.args_in_order(e)
        return Sql(exp.Abs(this=args[0].val), err, args[0].scale, args[0].digits,
                   None if args[0].limits is None else args[0].limits.absolute())

    def call_add(self, e: ir.Call, unit: str) -> Sql:
        args, err, any_null = self.args_in_order(e)
        d, n = args
        if unit == "days":
            s = self.add_days(d, n, err)
        else:
            months = n if unit == "months" else Sql(exp.Mul(this=num_lit(12), expression=paren(
                n.val if n.scale is None else cast(exp.Anonymous(this="TRUNC", expressions=[n.val]), "BIGINT"))))
            s = self.add_months(d, months, err)
        return Sql(self.none_if(any_null, s.val), s.err)

    def call_end_of_month(self, e: ir.Call) -> Sql:
        args, err, any_null = self.args_in_order(e)
        return Sql(exp.LastDay(this=args[0].val), err)

    def call_days_between(self, e: ir.Call) -> Sql:
        args, err, any_null = self.args_in_order(e)
        return Sql(cast(self.days_between_sql(args[0].val, args[1].val), "BIGINT"), err)

    def call_date_part(self, e: ir.Call, part: str) -> Sql:
        args, err, any_null = self.args_in_order(e)
        node = {"year": exp.Year, "month": exp.Month, "day": exp.Day}[part](this=args[0].val)
        return Sql(cast(node, "BIGINT"), err)

    # ------------------------------------------------------------ decisions
    def result(self, e: ir.Expr, kind: str) -> Sql:
        """A case's or row's value: a literal none takes the decision's type (a NULL of its SQL type,
        so a CASE does not mix a typed NULL with a text one)."""
        if isinstance(e, ir.Lit) and e.value is None:
            return self.const(None, kind)
        return self.expr(e)

    def decision(self, d: ir.Decision) -> tuple[Sql, Optional[exp.Expression]]:
        """(value and error, the rule that decided (a text) or None)."""
        self.current = d.name
        src = d.source
        kind = src.type.kind
        rules = self.rule_texts(src)
        if d.form == "expr":
            s = self.expr(d.branches[0].value)
            return self.finish(d, s), lit_str(rules[0])
        if d.form == "cases":
            parts = [(b, self.expr(b.cond) if b.cond is not None else None, self.result(b.value, kind))
                     for b in d.branches]
            scale = self.common_scale(*[v for _, _, v in parts])
            whens, errs, rule_whens = [], [], []
            default = default_err = None
            fails = False
            default_rule = lit_str(rules[-1])  # no case applies
            for b, c, v in parts:
                v = self.at_scale(v, scale)
                if c is None:  # otherwise
                    default, default_err = v.val, v.err
                    default_rule = lit_str(rules[b.rule])
                    fails = fails or v.err is not None
                    break
                cond = is_true(c.val)
                fails = fails or c.err is not None
                whens.append((cond, v.val))
                errs.append((c.err, cond, v.err))
                fails = fails or v.err is not None
                rule_whens.append((cond, lit_str(rules[b.rule])))
            if default is None:
                default = self.const(None, kind).val
            value = folded_case(whens, default)
            err = default_err
            for c_err, cond, v_err in reversed(errs):
                err = coalesce(c_err, choose(cond, v_err, err))
            rule = case(rule_whens, default_rule) if rule_whens else default_rule
            digits = self.common_digits(*[v for _, _, v in parts]) if scale is not None else None
            limits = self.common_limits(*[v for _, _, v in parts]) if scale is not None else None
            return self.finish(d, Sql(value, err, scale, digits, limits)), rule
        # a table: the columns, then the first row whose cells all match
        columns = [self.expr(c.expr) for c in d.columns]
        col_err = self.first_error([(None, c.err) for c in columns])
        outputs = [(row, self.result(row.value, kind)) for row in d.rows]
        scale = self.common_scale(*[v for _, v in outputs])
        whens, errs, rule_whens = [], [], []
        default = self.const(None, kind).val
        default_err = None
        default_rule = lit_str(rules[-1])
        fails = False
        for row, v in outputs:
            v = self.at_scale(v, scale)
            fails = fails or v.err is not None
            if row.otherwise or not row.tests:
                default, default_err, default_rule = v.val, v.err, lit_str(rules[row.rule])
                break
            cond = and_(*[self.cell(t, columns[t.column]) for t in row.tests])
            whens.append((cond, v.val))
            errs.append((cond, v.err))
            rule_whens.append((cond, lit_str(rules[row.rule])))
        value = folded_case(whens, default)
        err = default_err
        for cond, v_err in reversed(errs):
            err = choose(cond, v_err, err)
        if col_err is not None:
            err = col_err if err is None else exp.Coalesce(this=col_err, expressions=[err])
        rule = case(rule_whens, default_rule) if rule_whens else default_rule
        digits = self.common_digits(*[v for _, v in outputs]) if scale is not None else None
        limits = self.common_limits(*[v for _, v in outputs]) if scale is not None else None
        return self.finish(d, Sql(value, err, scale, digits, limits)), rule

    def cell(self, t: ir.Test, column: Sql) -> exp.Expression:
        values = [self.expr(v) for v in t.values]
        if any(v.err is not None for v in values):
            raise UnsupportedInSql("failing_cell")
        if t.kind == "eq":
            x, y = self.comparable(column, values[0])
            return exp.NullSafeEQ(this=x, expression=y)
        if t.kind == "cmp":
            x, y = self.comparable(column, values[0])
            return is_true(getattr(exp, OPERATORS[t.op].sql_node)(this=x, expression=y))
        if t.kind in ("in", "not_in"):
            operand, *items = self.aligned([column] + values)
            member = exp.In(this=paren(operand), expressions=items)
            if t.kind == "in":
                return is_true(member)
            return or_(is_null(operand), exp.Not(this=paren(member)))
        raise SqlInternalError(f"the table cell kind {t.kind!r}")

    def finish(self, d: ir.Decision, s: Sql) -> Sql:
        """The interpreter's finish(): money at the fen (half up), counts whole, decimals DECIMAL."""
        kind = d.source.type.kind
        if kind == "money":
            d = self.num_digits(s)
            if s.scale is None or s.scale <= 2:
                return Sql(cast(s.val, dec(2, d)), s.err, 2, d, s.limits)
            r = self.rounded(s, "fen", "half_up", True)
            return Sql(r.val, s.err, 2, r.digits, r.limits)
        if kind == "count":
            if s.scale is None:
                return s
            # int() of a Decimal: toward zero
            return Sql(cast(exp.Anonymous(this="TRUNC", expressions=[s.val]), "BIGINT"), s.err, None, None,
                       ranges.rounded(s.limits, 0))
        if kind in ("decimal", "percent"):
            d = self.num_digits(s)
            if s.scale is None:
                return Sql(cast(s.val, dec(0, d)), s.err, 0, d, s.limits)
            return Sql(cast(s.val, dec(s.scale, d)), s.err, s.scale, d, s.limits)
        if kind in ("duration",):
            raise UnsupportedInSql("period_decision")
        return s

    def rule_texts(self, src) -> list[str]:
        """The text naming each rule of a decision (policy, article, case or row), then 'no rule'."""
        o = src.origin

        def text(detail, article):
            return f"{o.policy_id} {detail}" + (f" (article {article})" if article else "")

        if src.form == "expr":
            return [text("formula", src.article)]
        out = []
        if src.form == "cases":
            for index, c in enumerate(src.cases, 1):
                out.append(text(f"case {index}", c.meta.article or src.article))
            if src.otherwise is not None:
                out.append(text("otherwise", src.otherwise.meta.article or src.article))
            out.append(text("no case applies", src.article))
            return out
        for index, row in enumerate(src.table.rows, 1):
            out.append(text("otherwise row" if row.is_otherwise else f"row {index}", row.meta.article or src.article))
        out.append(text("no row of the table covers this case", src.article))
        return out

    # ------------------------------------------------------------ validation
    def percent_limit(self, name: str) -> Decimal:
        """The highest value of a percent input or blank: 1, or N/100 for `percent up to N%`."""
        item = self.p.inputs.get(name) or self.p.params.get(name)
        limit = getattr(item, "percent_limit", None)
        return Decimal(1) if limit is None else Decimal(limit)

    def stripped(self, raw: exp.Expression) -> exp.Expression:
        """str.strip(): the text without the whitespace Python strips at either end (a TRIM of that
        set costs 15x a regular expression that finds it, so only where there is some)."""
        at_end = exp.RegexpLike(this=raw, expression=lit_str(f"^{SPACE_CLASS}|{SPACE_CLASS}$"))
        return case([(at_end, exp.Trim(this=raw, expression=lit_str(PY_SPACE)))], raw)

    def full_width(self, e: exp.Expression) -> exp.Expression:
        """Full-width digits, point, minus and percent sign as ASCII, as the Python module reads a
        number; only for a text that is not plain ASCII (bytes = characters), the usual case cheap."""
        nbytes = exp.Anonymous(this="STRLEN" if self.dialect == "duckdb" else "OCTET_LENGTH", expressions=[e])
        plain = exp.EQ(this=nbytes, expression=exp.Length(this=e))
        return case([(plain, e)], exp.Anonymous(this="TRANSLATE", expressions=[e, lit_str(FULL_WIDTH),
                                                                                lit_str(FULL_WIDTH_ASCII)]))

    def out_of_force(self) -> Optional[exp.Expression]:
        """The condition that the evaluation date is outside the policy's window (None: never)."""
        p = self.p
        if p.effective is None and p.ends is None:
            return None
        if self.as_of is not None:
            inside = (p.effective is None or self.as_of >= p.effective) and (p.ends is None or self.as_of <= p.ends)
            return None if inside else exp.true()
        day = exp.CurrentDate()
        parts = []
        if p.effective is not None:
            parts.append(exp.LT(this=day, expression=self.const(p.effective, "date").val))
        if p.ends is not None:
            parts.append(exp.GT(this=day, expression=self.const(p.ends, "date").val))
        return or_(*parts)

    # the canonical forms the fast path takes (a text the Python module reads as it stands: no
    # whitespace, no full-width characters, within every bound); anything else takes the full checks
    FAST_NUMBER = {
        "money": r"^[0-9]{1,16}(\.[0-9]{1,2})?\z",
        "count": r"^[0-9]{1,18}\z",
        "decimal": r"^-?[0-9]{1,18}(\.[0-9]{1,12})?\z",
    }
    FAST_PERCENT_SIGN = r"^[0-9]{1,3}(\.[0-9]{1,8})?%\z"
    FAST_FRACTION = r"^[0-9](\.[0-9]{1,10})?\z"

    def fast_layers(self) -> tuple[list, list, dict]:
        """The fast path of the validation: per input, its value when the text is in a canonical form
        (one cast, and a check that costs less than the full ones), and __pl_fast, true when every
        input of the row is canonical or absent. Such a row's inputs are those values and it has no
        input error (what the full checks would find, by construction); every other row takes the
        full checks (validation_layers), which are computed for those rows only.
        On DuckDB money, counts and dates are checked by casting back: the text is the cast value's
        own rendering (498.00, 2021-06-01), else a regular expression; on Spark always the latter.
        Returns the casts layer, the values layer, the layer of __pl_fast, and {input: value column}
        (text inputs have none)."""
        casts, values, oks, fast = [], [], [], {}
        duck = self.dialect == "duckdb"
        for name in self.read:
            t = self.accepted[name]
            kind = t.kind
            raw = cast(col(name), "VARCHAR")
            c, f = col(f"__pl_c_{name}"), f"__pl_f_{name}"
            absent = is_null(raw)
            if self.empty_is_absent:
                absent = or_(absent, exp.EQ(this=raw, expression=lit_str("")))
            extra = None
            if kind in self.FAST_NUMBER:
                pattern = exp.RegexpLike(this=raw, expression=lit_str(self.FAST_NUMBER[kind]))
                target = "BIGINT" if kind == "count" else dec_type(INPUT_SCALE[kind], 18 if kind == "money" else 30)
                if duck and kind in ("money", "count"):
                    casts.append((f"__pl_c_{name}", try_cast(raw, target)))
                    own = and_(exp.EQ(this=cast(c, "VARCHAR"), expression=raw),
                               exp.GTE(this=c, expression=num_lit(0)))
                    if kind == "count":
                        own = and_(own, exp.LT(this=c, expression=num_lit(COUNT_LIMIT)))
                    value = case([(own, c), (pattern, c)])
                else:
                    value = case([(pattern, cast(raw, target))])
            elif kind == "percent":
                sign = exp.RegexpLike(this=raw, expression=lit_str(self.FAST_PERCENT_SIGN))
                fraction = exp.RegexpLike(this=raw, expression=lit_str(self.FAST_FRACTION))
                body = exp.Substring(this=raw, start=num_lit(1), length=exp.Sub(this=exp.Length(this=raw),
                                                                                 expression=num_lit(1)))
                hundredth = cast(num_lit("0.01"), dec_type(2, 3))
                value = case([(sign, cast(exp.Mul(this=cast(body, dec_type(8, 11)), expression=hundredth),
                                          dec_type(INPUT_SCALE["percent"]))),
                              (fraction, cast(raw, dec_type(INPUT_SCALE["percent"])))])
                limit = cast(num_lit(format(self.percent_limit(name), "f")), dec_type(20))
                extra = exp.LTE(this=col(f), expression=limit)
            elif kind == "bool":
                yes = exp.In(this=raw, expressions=[lit_str(w) for w in TRUE_WORDS])
                no = exp.In(this=raw, expressions=[lit_str(w) for w in FALSE_WORDS])
                value = case([(yes, exp.true()), (no, exp.false())])
            elif kind == "date":
                if duck:
                    casts.append((f"__pl_c_{name}", try_cast(raw, "DATE")))
                    own = and_(exp.EQ(this=exp.Length(this=raw), expression=num_lit(10)),
                               exp.EQ(this=cast(c, "VARCHAR"), expression=raw))
                    value = case([(own, c)])
                else:
                    shaped = exp.RegexpLike(this=raw, expression=lit_str(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\z"))
                    value = case([(shaped, try_cast(raw, "DATE"))])
                extra = exp.GTE(this=exp.Year(this=col(f)), expression=num_lit(1))
            elif kind == "enum":
                members = self.enum_members.get(t.enum, ())
                value = case([(exp.In(this=raw, expressions=[lit_str(m) for m in members]), raw)])
            else:  # text (always the full path: its value is the text as given), lists (refused there)
                continue
            values.append((f, value))
            fast[name] = col(f)
            ok = not_null(col(f)) if extra is None else and_(not_null(col(f)), extra)
            oks.append(or_(absent, ok))
        if not oks:
            return [], [], [], {}
        return casts, values, [("__pl_fast", and_(*oks))], fast

    def validation_layers(self) -> list[tuple[list, list]]:
        """The validation as successive SELECT layers over the table (each expression once): per
        layer, the (name, expression) columns it adds; the last adds the validated inputs and
        __pl_verr (the first bad input, in the table's column order, with its reason).
        A row whose inputs are all canonical takes the fast path (fast_layers); the full checks
        below see no text for its inputs (as if absent), so they cost nearly nothing there."""
        casts, fast_values, fast_flag, fast = self.fast_layers()
        is_fast = col("__pl_fast")
        strip, number, flags, wide, reasons, final = [], [], [], [], [], []
        whens = []
        errors_of = {}  # input -> (its error's condition, its error)
        for name in self.read:
            marks = (len(number), len(flags), len(wide))  # where this input's entries start
            t = self.accepted[name]
            kind = t.kind
            raw = cast(col(name), "VARCHAR")
            s = col(f"__pl_s_{name}")
            stripped = self.stripped(raw)
            if name in fast:
                stripped = case([(exp.Not(this=is_fast), stripped)])
            strip.append((f"__pl_s_{name}", stripped))
            present = not_null(s)
            if self.empty_is_absent:
                present = and_(present, exp.NEQ(this=s, expression=lit_str("")))
            checks: list[tuple[exp.Expression, str]] = []
            value: exp.Expression
            if kind in ("money", "percent", "decimal", "count"):
                # as the Python module reads a number written as text (semantics/evaluate.py _number_text):
                # stripped, full-width digits, point, minus and percent sign read as ASCII, at most 64
                # characters, then plain decimal notation only: -?digits[.digits]
                b, w = col(f"__pl_b_{name}"), col(f"__pl_w_{name}")
                text = self.full_width(s)
                has_pct = None
                body: exp.Expression = text
                if kind == "percent":
                    has_pct = exp.EQ(this=exp.Substring(this=text, start=exp.Length(this=text)),
                                     expression=lit_str("%"))
                    body = case([(has_pct, self.stripped(exp.Substring(this=text, start=num_lit(1), length=exp.Sub(
                        this=exp.Length(this=text), expression=num_lit(1)))))], text)
                number.append((f"__pl_b_{name}", body))
                if kind == "percent":
                    number.append((f"__pl_pct_{name}", has_pct))
                    has_pct = col(f"__pl_pct_{name}")
                flags.append((f"__pl_ok_{name}", exp.RegexpLike(this=b, expression=lit_str(NUMBER))))
                # the digits after the point, trailing zeros aside (the value's own decimals)
                point = exp.StrPosition(this=b, substr=lit_str("."))
                trimmed = exp.Trim(this=b, expression=lit_str("0"), position="TRAILING")
                flags.append((f"__pl_fd_{name}", case([(exp.GT(this=point, expression=num_lit(0)), exp.Sub(
                    this=exp.Length(this=trimmed), expression=point))], num_lit(0))))
                ok, decimals = col(f"__pl_ok_{name}"), col(f"__pl_fd_{name}")
                signed = exp.EQ(this=exp.Substring(this=b, start=num_lit(1), length=num_lit(1)), expression=lit_str("-"))
                parsed = case([(and_(ok, exp.LTE(this=decimals, expression=num_lit(18))),
                                try_cast(b, dec_type(18)))])
                if kind == "percent":
                    # at most 10000 (beyond any limit), so that the scale 20 of x% fits
                    hundredth = cast(num_lit("0.01"), dec_type(2, 3))
                    small = case([(exp.GT(this=exp.Abs(this=parsed), expression=num_lit(10000)),
                                   cast(num_lit(10000), dec_type(18)))], parsed)
                    parsed = cast(case([(has_pct, exp.Mul(this=small, expression=hundredth))], small), dec_type(20))
                wide.append((f"__pl_w_{name}", parsed))
                checks.append((exp.GT(this=exp.Length(this=b), expression=num_lit(MAX_NUMBER_TEXT)), "too_long"))
                checks.append((exp.Not(this=ok), "malformed"))
                if kind == "money":
                    checks.append((signed, "negative"))
                    checks.append((exp.GT(this=decimals, expression=num_lit(2)), "fraction_of_fen"))
                    checks.append((or_(is_null(w), exp.GTE(this=w, expression=num_lit(MONEY_LIMIT))), "beyond_range"))
                    value = cast(w, dec_type(2))
                elif kind == "count":
                    checks.append((exp.GT(this=decimals, expression=num_lit(0)), "not_whole"))
                    checks.append((signed, "negative"))
                    checks.append((or_(is_null(w), exp.GTE(this=w, expression=num_lit(COUNT_LIMIT))), "beyond_range"))
                    value = cast(cast(w, dec_type(0)), "BIGINT")
                elif kind == "percent":
                    limit = self.percent_limit(name)
                    places = exp.Add(this=decimals, expression=case([(has_pct, num_lit(2))], num_lit(0)))
                    checks.append((exp.GT(this=decimals, expression=num_lit(18)), "beyond_precision"))
                    checks.append((is_null(w), "beyond_range"))
                    checks.append((or_(signed, exp.GT(this=w, expression=cast(num_lit(format(limit, "f")), dec_type(20)))),
                                   "outside_range"))
                    checks.append((exp.GT(this=places, expression=num_lit(INPUT_SCALE["percent"])), "beyond_precision"))
                    value = cast(w, dec_type(INPUT_SCALE["percent"]))
                else:
                    checks.append((exp.GT(this=decimals, expression=num_lit(INPUT_SCALE["decimal"])), "beyond_precision"))
                    checks.append((or_(is_null(w), exp.GTE(this=exp.Abs(this=w), expression=num_lit(DECIMAL_LIMIT))),
                                   "beyond_range"))
                    value = cast(w, dec_type(INPUT_SCALE["decimal"]))
            elif kind == "bool":
                low = exp.Lower(this=s)
                yes = exp.In(this=low, expressions=[lit_str(w) for w in TRUE_WORDS])
                no = exp.In(this=low, expressions=[lit_str(w) for w in FALSE_WORDS])
                wide.append((f"__pl_w_{name}", case([(yes, exp.true()), (no, exp.false())])))
                checks.append((is_null(col(f"__pl_w_{name}")), "not_bool"))
                value = col(f"__pl_w_{name}")
            elif kind == "date":
                shaped = exp.RegexpLike(this=s, expression=lit_str(DATE_TEXT))
                wide.append((f"__pl_w_{name}", case([(shaped, try_cast(s, "DATE"))])))
                day = col(f"__pl_w_{name}")
                checks.append((or_(is_null(day), exp.LT(this=exp.Year(this=day), expression=num_lit(1))), "not_date"))
                value = day
            elif kind == "text":
                value = raw
            elif kind == "enum":
                members = self.enum_members.get(t.enum, ())
                checks.append((exp.Not(this=exp.In(this=raw, expressions=[lit_str(m) for m in members])),
                               "not_member"))
                value = raw
            elif kind == "list":
                raise UnsupportedInSql("list_input", name=name)
            else:
                raise UnsupportedInSql("input_type", kind=kind)
            if name in fast:
                # the full checks' columns of an input with a fast path, computed on the rows off it
                # only: on the others nothing reads them (their validated value and error are the
                # fast path's), and unguarded each CASE tower ran through every WHEN of its NULLs
                for layer, start in zip((number, flags, wide), marks):
                    layer[start:] = [(n, case([(exp.Not(this=is_fast), e)])) for n, e in layer[start:]]
            reasons.append((f"__pl_present_{name}", present if name not in fast
                            else case([(exp.Not(this=is_fast), present)])))
            if checks:
                tower = case([(c, lit_str(r)) for c, r in checks])
                reasons.append((f"__pl_r_{name}", tower if name not in fast
                                else case([(exp.Not(this=is_fast), tower)])))
                r = col(f"__pl_r_{name}")
                keep = and_(col(f"__pl_present_{name}"), is_null(r))
                whens.append((and_(col(f"__pl_present_{name}"), not_null(r)),
                              exp.Concat(expressions=[lit_str("invalid_input" + SEP), r, lit_str(SEP + name + SEP)])))
                errors_of[name] = whens[-1]
            else:
                keep = col(f"__pl_present_{name}")
            if name in fast:
                slow_type = input_sql_type(kind) if kind not in INPUT_SCALE or kind == "count" \
                    else dec(INPUT_SCALE[kind], self.input_digits(name, kind))
                # each branch at the narrow type (slow_type is narrow_input's): a CASE of a narrow and a
                # DECIMAL(38, s) branch widened every row's fast value to 128 bits and narrowed it back
                final.append((self.in_col(name), case([(is_fast, cast(fast[name], slow_type)),
                                                       (keep, self.narrow_input(name, kind, value))])))
            else:
                final.append((self.in_col(name), self.narrow_input(name, kind, case([(keep, value)]))))
        if self.keep_validated:
            # each input's own error (None when valid or absent): another policy that reads some of
            # these inputs takes the first of its own (see build)
            for name in self.read:
                if name in errors_of:
                    cond, text = errors_of[name]
                    e = case(([(is_fast, cast(null(), "VARCHAR"))] if fast else []) + [(cond, text)])
                else:
                    e = cast(null(), "VARCHAR")
                final.append((self.ie_col(name), e))
        if fast and whens:
            whens.insert(0, (is_fast, cast(null(), "VARCHAR")))
        # a policy is evaluated only while in force (as evaluate() and the Python module check first)
        out_of_force = self.out_of_force()
        if out_of_force is not None:
            whens.insert(0, (out_of_force, error_value("not_in_force", "not_in_force", "as_of")))
        final.append(("__pl_verr", case(whens) if whens else cast(null(), "VARCHAR")))
        return [layer for layer in (casts, fast_values, fast_flag, strip, number, flags, wide, reasons) if layer] \
            + [final]

    def validation_signature(self) -> tuple:
        """What the validated input columns (__pl_in_<input>, and __pl_ie_<input> its error) depend
        on: per input read, its kind, enum members and bound; and the dialect and how an empty text
        is read. A policy whose inputs each have the same entry here validates every row alike, so
        another query's validated columns serve it (an impact's scenarios: one validation for all)."""
        parts = []
        for name in self.read:
            t = self.accepted[name]
            parts.append((name, t.kind, tuple(self.enum_members.get(t.enum, ())) if t.kind == "enum" else (),
                          str(self.percent_limit(name)) if t.kind == "percent" else ""))
        return (self.dialect, self.empty_is_absent, tuple(parts))

    def shares_validation(self) -> bool:
        """True when `validated` (another query's validation_signature) covers every input this one reads."""
        if self.validated is None:
            return False
        dialect, empty, parts = self.validation_signature()
        if (dialect, empty) != self.validated[:2]:
            return False
        given = set(self.validated[2])
        return all(part in given for part in parts)

    @staticmethod
    def decimal_text(value: exp.Expression, scale: int, digits: Optional[int]) -> exp.Expression:
        """A DECIMAL decision as the text DuckDB writes for it as DECIMAL(38, scale) (a CSV file's
        cell: digits, the point and `scale` decimals). DuckDB writes a 128-bit decimal at 2.5 times
        the cost of a 64-bit one with the same text, so a value that fits DECIMAL(18, scale) is
        written as one: where the generator's bound on its digits says it always fits, directly,
        else when it does, row by row."""
        if scale >= 18:
            return cast(cast(value, dec_type(scale)), "VARCHAR")
        narrow = cast(cast(value, dec_type(scale, 18)), "VARCHAR")
        if digits is not None and digits + scale <= 18:
            return narrow
        fits = below_digits(value, 18 - scale)
        return case([(fits, narrow)], cast(cast(value, dec_type(scale)), "VARCHAR"))

    def guarded(self, err: exp.Expression) -> exp.Expression:
        """A decision's error, computed only on the rows where it can be other than NULL.

        Most rows have every input and no error upstream, and a decision's error (COALESCEs and CASEs of
        the errors met in evaluation order) is then NULL however it is written: when each error it can
        give is a required input or blank column that is NULL (`CASE WHEN __pl_in_x IS NULL THEN
        'invalid_input..missing..x..' END`) or an earlier decision's error (`__pl_e_y`), the error is
        `CASE WHEN __pl_in_x IS NULL OR ... OR __pl_e_y IS NOT NULL THEN <the error> END`: the same
        value on every row, and the tower is computed only where one of those holds. An error of its
        own (a division by zero, a date outside the calendar, a blank no level filled) or any other
        form leaves the error as it is."""
        present, upstream = [], []
        for node in err.walk():
            if isinstance(node, exp.Literal) and node.is_string and SEP in node.this:
                parts = node.this.split(SEP)
                parent = node.parent
                test = parent.this if isinstance(parent, exp.If) else None
                if not (parts[:2] in (["invalid_input", "missing"], ["blank_not_filled", "unfilled"])
                        and parts[2] in self.read and parent.args.get("true") is node
                        and isinstance(test, exp.Is) and isinstance(test.expression, exp.Null)
                        and isinstance(test.this, exp.Column) and test.this.name == self.in_col(parts[2])
                        and not test.this.table):
                    return err
                if parts[2] not in present:
                    present.append(parts[2])
            elif isinstance(node, exp.Column) and node.name.startswith("__pl_e_") and node.name not in upstream:
                upstream.append(node.name)
        if not present and not upstream:
            return cast(null(), "VARCHAR")
        return case([(or_(*[is_null(col(self.in_col(n))) for n in present],
                          *[not_null(col(c)) for c in upstream]), err)])

    # ------------------------------------------------------------ the query
    def build(self) -> SqlQuery:
        src = exp.Table(this=ident(self.source))
        # the inputs validated, layer by layer; the first bad one (in the table's column order) fails the row
        ctes = []
        previous = src
        signature = self.validation_signature()
        shared = self.shares_validation()
        layers = [] if shared else self.validation_layers()
        if shared:
            # the first bad input of the row among those this policy reads (in the table's order),
            # after the policy's own window, as validation_layers computes it
            first = exp.Coalesce(this=col(self.ie_col(self.read[0])), expressions=[
                col(self.ie_col(n)) for n in self.read[1:]]) if self.read else cast(null(), "VARCHAR")
            out_of_force = self.out_of_force()
            if out_of_force is not None:
                first = case([(out_of_force, error_value("not_in_force", "not_in_force", "as_of"))], first)
            layers = [[("__pl_verr", first)]]
        for index, layer in enumerate(layers):
            selects = [exp.Star()] + [_alias(e, n) for n, e in layer]
            alias = "__pl_valid" if index == len(layers) - 1 else f"__pl_check{index}"
            ctes.append((alias, exp.select(*selects, copy=False).from_(previous, copy=False)))
            previous = exp.Table(this=ident(alias))
        validated_table = "__pl_valid"
        # the decisions, a layer per level of dependency
        self.can_fail: dict[str, bool] = {}
        self.decision_scale: dict[str, Optional[int]] = {}
        self.decision_digits: dict[str, Optional[int]] = {}
        self.decision_limits: dict[str, Optional[Range]] = {}
        depth: dict[str, int] = {}
        for name, d in self.low.decisions.items():
            deps = [n.name for n in _walk(d) if isinstance(n, ir.Ref) and n.kind == "decision"]
            depth[name] = 1 + max((depth[x] for x in deps), default=0)
        compiled = {}
        for name, d in self.low.decisions.items():
            s, rule = self.decision(d)
            compiled[name] = (s, rule)
            self.can_fail[name] = s.err is not None
            self.decision_scale[name] = s.scale
            self.decision_digits[name] = s.digits
            self.decision_limits[name] = s.limits
        previous = validated_table
        for level in range(1, max(depth.values(), default=0) + 1):
            names = [n for n in self.low.decisions if depth[n] == level]
            cols = [exp.Star()]
            for name in names:
                s, rule = compiled[name]
                cols.append(_alias(s.val, self.val_col(name), quoted=True))
                cols.append(_alias(self.guarded(s.err) if s.err is not None else cast(null(), "VARCHAR"),
                                   self.err_col(name), quoted=True))
                if self.rule_columns:
                    cols.append(_alias(rule, self.rule_col(name), quoted=True))
            layer = f"__pl_level{level}"
            ctes.append((layer, exp.select(*cols, copy=False).from_(exp.Table(this=ident(previous)), copy=False)))
            previous = layer
        # the outputs
        names = list(self.low.decisions)
        hard = [(and_(not_null(col(self.err_col(n))),
                      exp.Not(this=exp.Like(this=col(self.err_col(n)), expression=lit_str("blank_not_filled%")))),
                 col(self.err_col(n))) for n in names if self.can_fail[n]]
        soft = [(not_null(col(self.err_col(n))), col(self.err_col(n))) for n in names if self.can_fail[n]]
        error = case([(not_null(col("__pl_verr")), col("__pl_verr"))] + hard + soft) if (hard or soft) else \
            col("__pl_verr")
        failed = or_(not_null(col("__pl_verr")), *[c for c, _ in hard]) if hard else not_null(col("__pl_verr"))
        if hard or soft:
            # most rows have no error at all: one COALESCE says so before the towers
            clean = is_null(exp.Coalesce(this=col("__pl_verr"), expressions=[
                col(self.err_col(n)) for n in names if self.can_fail[n]]))
            error = case([(clean, cast(null(), "VARCHAR"))], error)
            failed = case([(clean, exp.false())], failed)
        final_cols = [col(c) for c in self.passthrough]
        for name in self.read:
            final_cols.append(_alias(col(name), name, quoted=True))
        out_decisions = []
        for name in names:
            s, _ = compiled[name]
            kind = self.low.decisions[name].source.type.kind
            drop = or_(col("__pl_failed"), not_null(col(self.err_col(name)))) if self.can_fail[name] \
                else col("__pl_failed")
            value = case([(drop, null())], col(self.val_col(name)))
            if kind in ("money", "decimal", "percent"):  # computed narrow, written as DECIMAL(38, s)
                value = (self.decimal_text(value, s.scale or 0, s.digits) if self.decimals_as_text
                         else cast(value, _output_type(kind, s.scale)))
            final_cols.append(_alias(value, name, quoted=True))
            out_decisions.append((name, kind, _output_type(kind, s.scale)))
            if self.rule_columns:
                final_cols.append(_alias(case([(drop, null())], col(self.rule_col(name))), f"{name}__rule",
                                             quoted=True))
        final_cols.append(_alias(col("__pl_error"), "_error", quoted=True))
        kept = ()
        if self.keep_validated:  # passed on as they came when shared
            names_kept = [part[0] for part in self.validated[2]] if shared else self.read
            kept = tuple(c for n in names_kept for c in (self.in_col(n), self.ie_col(n)))
            if shared:
                signature = self.validated
        for index, out in ((2, "_error_reason"), (3, "_error_field"), (4, "_error_decision")):
            part = exp.SplitPart(this=col("__pl_error"), delimiter=lit_str(SEP), part_index=num_lit(index))
            final_cols.append(_alias(case([(is_null(col("__pl_error")), cast(null(), "VARCHAR")),
                                           (exp.EQ(this=part, expression=lit_str("")), null())], part), out,
                                     quoted=True))
        final_cols[-4] = _alias(exp.SplitPart(this=col("__pl_error"), delimiter=lit_str(SEP),
                                                  part_index=num_lit(1)), "_error", quoted=True)
        errors = exp.select(exp.Star(), _alias(error, "__pl_error", quoted=True, copy=False),
                            _alias(failed, "__pl_failed"), copy=False).from_(
            exp.Table(this=ident(previous)), copy=False)
        ctes.append(("__pl_errors", errors))
        final_cols += [_alias(col(c), c, quoted=True) for c in kept]
        final = exp.select(*final_cols, copy=False).from_(exp.Table(this=ident("__pl_errors")), copy=False)
        for alias, q in ctes:
            final = final.with_(ident(alias), as_=q, copy=False)
        final = parenthesized(final)
        inputs = tuple((n, self.accepted[n].kind) for n in self.read)
        return SqlQuery(self.p.policy_id, self.dialect, final, inputs, tuple(out_decisions), self.rule_columns,
                        tuple(self.passthrough), kept, signature, shared)


def _walk(d: ir.Node):
    return d.walk()


# How tightly each operator the generator builds binds in SQL (higher: tighter). sqlglot writes a
# tree as it is built, with no parentheses of its own: Mul(Add(a, b), c) would be written
# `a + b * c`, which the engine reads as something else.
_BINDING = {exp.Or: 1, exp.And: 2, exp.EQ: 4, exp.NEQ: 4, exp.NullSafeEQ: 4, exp.GT: 4, exp.GTE: 4, exp.LT: 4,
            exp.LTE: 4, exp.Is: 4, exp.Like: 4, exp.DPipe: 5, exp.Add: 6, exp.Sub: 6, exp.Mul: 7, exp.Div: 7,
            exp.IntDiv: 7, exp.Mod: 7}
# A sign binds tighter than any operator; NOT more loosely than a comparison (NOT x IS NULL is
# NOT (x IS NULL)), more tightly than AND.
_UNARY = {exp.Neg: 9, exp.Not: 3}


def parenthesized(tree: exp.Expression) -> exp.Expression:
    """The tree with a Paren wherever an operand binds more loosely than its operator (or as
    loosely, on the right of a left-associative one): its text then means what the tree does,
    whichever way each node was built."""
    for node in list(tree.walk()):
        if isinstance(node, exp.Binary):
            outer = _BINDING.get(type(node))
            sides = (("this", False), ("expression", True))
        elif type(node) in _UNARY:
            outer = _UNARY[type(node)]
            sides = (("this", False),)
        else:
            continue
        for key, right in sides:
            child = node.args.get(key)
            if not isinstance(child, exp.Binary) or isinstance(child, exp.Paren):
                continue
            inner = _BINDING.get(type(child))
            if outer is None or inner is None or inner < outer or (inner == outer and right):
                node.set(key, exp.Paren(this=child))
    return tree


def _output_type(kind: str, scale: Optional[int]) -> str:
    if kind == "money":
        return "DECIMAL(38, 2)"
    if kind in ("decimal", "percent"):
        return f"DECIMAL(38, {scale or 0})"
    return SQL_TYPES.get(kind, "VARCHAR")


def compile_sql(policy: ResolvedPolicy, dialect: str = "duckdb", *, columns: Optional[Sequence[str]] = None,
                blanks: Optional[Mapping[str, object]] = None, as_of: Optional[_dt.date] = None,
                rule_columns: bool = True, source: str = "cases", empty_is_absent: bool = True,
                validated: Optional[tuple] = None, keep_validated: bool = False,
                decimals_as_text: bool = False) -> SqlQuery:
    """The policy as one SELECT over the table `source`, in `dialect` (duckdb or spark).

    columns: the table's columns in order (default: the inputs, then the unfilled blanks not
    bound); inputs that are not columns are absent in every row; other columns pass through.
    blanks: values bound for unfilled blanks (validated as inputs by the caller).
    as_of: the evaluation date (default: the engine's CURRENT_DATE when the query runs).
    rule_columns: add <decision>__rule, the rule that decided each value.
    empty_is_absent: an empty (or blank) text is an absent input, as in CSV.
    keep_validated: add the validated inputs as columns (SqlQuery.validated_columns) and say what
    they depend on (SqlQuery.validation).
    decimals_as_text (DuckDB): money, decimal and percent decisions as the text of their
    DECIMAL(38, s) (what a CSV file holds; written faster than the DECIMAL itself).
    validated: the `validation` of the query `source` was made by with keep_validated; when this
    policy's is the same, the query reads those columns instead of validating the inputs again
    (SqlQuery.shared_validation); when it is not, it validates them itself (the source must then
    not hold such columns).
    An amended policy (`amends`) is compiled in the version that applies on as_of; without as_of
    (a query whose date is the engine's) it is refused, since its versions are chosen by date."""
    if policy.versions:
        if as_of is None:
            starts = ", ".join(f"{version.applies_by(start)} from {start.isoformat()}"
                               for start, version in policy.versions)
            raise UnsupportedInSql("amended_without_date", starts=starts)
        chosen = policy.version_on(as_of)
        if chosen is not policy:
            policy = attrs.evolve(chosen, policy_id=policy.policy_id, versions=())
    return SqlGen(policy, dialect, columns, blanks, as_of, rule_columns, source, empty_is_absent, validated,
                  keep_validated, decimals_as_text).build()
