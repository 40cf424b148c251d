"""The operators of the policy language, each in one entry: + - * / (money times a percent is the
percent of it), unary -, the comparisons == != < <= > >=, and / or / not, `in {…}` / `not in {…}`,
and date ± period (the + and - entries).

An entry says how the resolver types the operator (operand types -> result type, and which
catalogue message an error gets), what it computes (the reference implementation: Decimal-exact
in the 50-digit context, none rules as docs/language.md gives them), in which order its operands
are evaluated, how the Python generator writes it, how the SQL generator writes it (the sqlglot
node), how the checks encode it for z3 (over-approximately in checks/encode.py, exactly in
checks/symbolic.py) and how the docs show it in English and Chinese (symbol or word, binding
strength, which operand is parenthesised at equal strength).

Adding an operator is adding one entry here (and the grammar's rule, and tests): every pass looks
it up by key (`OPERATORS[key]`, the key of a node given by `key_of`). As in builtins.py, each hook
takes the pass that asks as its first argument and uses that pass's own primitives, so this module
imports none of the passes (nor z3, nor sqlglot). The generated modules' runtime
(backends/python/runtime.py) keeps its own helpers (_arith, _lt, _neg…: generated code imports only
the standard library); tests/semantics/test_operators.py checks that they agree with `apply` here.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import operator as _relations
from typing import Callable, Optional

import attrs

from ..syntax import precedence as _precedence
from . import types as T
from .model import Duration
from .values import CONTEXT, ZERO_BY_ZERO, EvaluationError, add_duration, is_zero_by_zero

# Binding strength, loosest first (docs/language.md, "Operators and precedence"): the syntax's own
# table, which the grammar and the formatter follow; a docs renderer parenthesises an operand
# looser than its operator. Each entry below takes its strength from it by key.
STRENGTH = _precedence.STRENGTH


@attrs.frozen
class Operator:
    key: str  # '+', '-', '*', '/', '==', …, 'and', 'or', 'not', 'neg' (unary -), 'in', 'not_in'
    written: str  # as the author writes it: '-' for 'neg', 'not in' for 'not_in'
    form: str  # 'binary' | 'unary' | 'membership' (operand in {items})
    strength: int  # STRENGTH of the docs and the grammar
    # resolver: (resolver, operator, operands (binary: left, right; unary: the operand; membership:
    # the operand then the items), span) -> the result Type, errors reported through the resolver
    # by their catalogue key
    type_rule: Callable
    # the reference implementation on values: (operator, values in operand order, calendar) -> value
    apply: Callable
    # the interpreter: (run, node, operator) -> value; evaluates the operands in the order the
    # language says (left to right; a none on the left of a strict operator stops the rest;
    # and/or evaluate the right side only when the left did not decide)
    evaluate: Callable
    # none in, none out (and a none on the left stops the rest): + - * / < <= > >= and unary -
    strict: bool
    # Python: binary (generator, node, operator, left code, right code, left may be none, right may
    # be none) -> code; unary (generator, node, operator, operand code); membership (generator, node,
    # operator)
    python: Callable
    # SQL: (SQL generator, lowered node, operator) -> the generator's Sql
    sql: Callable
    # z3, over-approximately: (encoder, resolved node, operator) -> z3 term
    z3_approx: Callable
    # z3, exactly: (symbolic encoder, its module, resolved node, operator) -> Term
    z3_exact: Callable
    # the docs: {language: symbol or word}
    docs: dict
    words: bool = False  # docs: a word (且, 属于), not a symbol (×, ≤)
    tight_right: bool = False  # docs: a right operand of equal strength is parenthesised: a − (b − c)
    associative: bool = False  # and, or: the docs' formulas may leave a and (b and c) unparenthesised
    # the generator's number class of the result ('D' Decimal, 'I' int, '?'): (facts, node, operator)
    number_class: Optional[Callable] = None
    # z3, over-approximately, as a condition (and, or, not: their parts stay conditions of their
    # own, each replaced by a free boolean where it has no encoding): (encoder, node, operator)
    z3_condition: Optional[Callable] = None
    # comparisons: the relation on two values of one order (Python values, z3 terms): (a, b) -> bool
    relation: Optional[Callable] = None
    py_symbol: str = ""  # the Python operator: '<', '+', 'and', 'not in'
    py_helper: Optional[str] = None  # the runtime helper that lets none through: '_lt'; '_add' (Decimal)
    sql_node: Optional[str] = None  # the sqlglot expression class: 'LT', 'Add', 'NullSafeEQ', 'And'
    # + and -: which way a date moves by a period (1 later, -1 earlier); None: not a date operator
    period_sign: Optional[int] = None
    # the Chinese words of `date + period`: 本政策生效日期后2年 (None: as any other operands)
    zh_after_period: Optional[str] = None

    def operands(self, node) -> tuple:
        """The operand nodes of a node of this operator (resolved or lowered), in evaluation order."""
        if self.form == "binary":
            return (node.left, node.right)
        if self.form == "unary":
            return (node.operand,)
        return (node.operand, *node.items)

    def __call__(self, *values, calendar=None):
        """The reference implementation on values (the conformance tests' entry point)."""
        return self.apply(self, values, calendar)


# ---------------------------------------------------------------- typing rules


def _type_logic(r, op, operands, span):
    for operand in operands:
        r.want_bool(operand, op.written)
    return T.BOOL


def _type_equality(r, op, operands, span):
    left, right = operands
    if not T.comparable(left.type, right.type):
        r.operator_error("PL204.compare", span, left=left.type, right=right.type)
    return T.BOOL


def _type_order(r, op, operands, span):
    left, right = operands
    if not T.comparable(left.type, right.type):
        r.operator_error("PL204.compare", span, left=left.type, right=right.type)
    elif left.type.kind in ("bool", "text", "enum", "duration"):
        r.operator_error("PL204.no_order", span, op=op.written, type=left.type)
    return T.BOOL


def _type_membership(r, op, operands, span):
    operand, *items = operands
    for item in items:
        if not T.comparable(operand.type, item.type):
            r.operator_error("PL204.in_set", item.span, left=operand.type, right=item.type)
    return T.BOOL


def _type_negation(r, op, operands, span):
    (operand,) = operands
    if not (operand.type.is_numeric or operand.type.kind in ("unknown", "none", "duration")):
        r.operator_error("PL203.minus", operand.span, type=operand.type)
    return operand.type


_PLAIN = frozenset({"count", "decimal"})


def _sum_type(op, ka, kb):
    """+ and -: like units add up; count and decimal give a decimal; date ± period is a date."""
    if ka == kb and ka in ("money", "percent", "count", "decimal", "duration"):
        return T.Type(ka)
    if {ka, kb} == {"count", "decimal"}:
        return T.DECIMAL
    if ka == "date" and kb == "duration":
        return T.DATE
    if op.key == "+" and ka == "duration" and kb == "date":
        return T.DATE
    return None


def _product_type(op, ka, kb):
    """*: money times a percent (the percent of it), a count or a number is money; a period times
    a count is a period."""
    if ka == "money" and kb in ("percent", "count", "decimal"):
        return T.MONEY
    if kb == "money" and ka in ("percent", "count", "decimal"):
        return T.MONEY
    if ka == "percent" and kb == "percent":
        return T.PERCENT
    if "percent" in (ka, kb) and {ka, kb} - {"percent"} <= _PLAIN:
        return T.DECIMAL
    if ka == "count" and kb == "count":
        return T.COUNT
    if {ka, kb} <= _PLAIN:
        return T.DECIMAL
    if ka == "duration" and kb == "count" or kb == "duration" and ka == "count":
        return T.DURATION
    return None


def _quotient_type(op, ka, kb):
    """/: money by money is a ratio; money by a number is money; a percent by a number a percent."""
    if ka == "money" and kb == "money":
        return T.DECIMAL
    if ka == "money" and kb in ("count", "decimal", "percent"):
        return T.MONEY
    if ka == "percent" and kb == "percent":
        return T.DECIMAL
    if ka == "percent" and kb in _PLAIN:
        return T.PERCENT
    if ka in _PLAIN and kb in _PLAIN:
        return T.DECIMAL
    return None


def _type_arithmetic(units: Callable):
    def rule(r, op, operands, span):
        a, b = (x.type for x in operands)
        if T.is_unknown(a, b):
            return T.UNKNOWN
        if a.kind == "none" or b.kind == "none":
            return T.unify(a, b) if op.key in "+-" else (a if b.kind == "none" else b)
        t = units(op, a.kind, b.kind)
        if t is None:
            r.operator_error("PL203.arithmetic", span, op=op.written, left=a, right=b)
            return T.UNKNOWN
        return t
    return rule


# ---------------------------------------------------------------- reference implementations


def truthy(v) -> bool:
    return v is True


def _apply_and(op, values, calendar):
    return truthy(values[0]) and truthy(values[1])


def _apply_or(op, values, calendar):
    return truthy(values[0]) or truthy(values[1])


def _apply_not(op, values, calendar):
    return not truthy(values[0])


def _apply_equality(op, values, calendar):
    a, b = values
    return (a == b) if op.key == "==" else (a != b)


def _apply_order(op, values, calendar):
    a, b = values
    if a is None or b is None:
        return None
    return op.relation(a, b)


def _apply_membership(op, values, calendar):
    v, *members = values
    return (v not in members) if op.key == "not_in" else (v in members)


def _apply_negation(op, values, calendar):
    (v,) = values
    if v is None:
        return None
    if isinstance(v, Duration):
        return Duration(-v.amount, v.unit)
    return -v if isinstance(v, int) else CONTEXT.minus(v)


def _exactly(operation, a, b):
    """A Decimal operation of the 50-digit context (ints are converted exactly); its failures as the
    language words them."""
    try:
        return operation(a, b)
    except decimal.DivisionByZero:
        raise EvaluationError("division by zero") from None
    except (decimal.InvalidOperation, decimal.Overflow) as exc:
        if is_zero_by_zero(exc):
            raise EvaluationError(ZERO_BY_ZERO) from None
        raise EvaluationError(f"the arithmetic failed: {exc.__class__.__name__}") from None


def _periods(a: Duration, b: Duration, sign: int) -> Duration:
    if a.unit != b.unit:
        raise EvaluationError(f"cannot combine {a} and {b}: the units differ")
    return Duration(a.amount + sign * b.amount, a.unit)


def _apply_plus(op, values, calendar):
    """a + b; date + period (or period + date) counts on calendar, the policy's working-day calendar
    (for `date + N working days`)."""
    a, b = values
    if a is None or b is None:
        return None
    if isinstance(a, _dt.date):
        return add_duration(a, b, op.period_sign, calendar)
    if isinstance(b, _dt.date):
        return add_duration(b, a, op.period_sign, calendar)
    if isinstance(a, Duration):
        return _periods(a, b, 1)
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    return _exactly(CONTEXT.add, a, b)


def _apply_minus(op, values, calendar):
    a, b = values
    if a is None or b is None:
        return None
    if isinstance(a, _dt.date):
        return add_duration(a, b, op.period_sign, calendar)
    if isinstance(a, Duration):
        return _periods(a, b, -1)
    if isinstance(a, int) and isinstance(b, int):
        return a - b
    return _exactly(CONTEXT.subtract, a, b)


def _apply_times(op, values, calendar):
    """a * b: money times a percent is the percent of it; a period times a count is a longer period."""
    a, b = values
    if a is None or b is None:
        return None
    if isinstance(a, Duration) or isinstance(b, Duration):
        period, n = (a, b) if isinstance(a, Duration) else (b, a)
        return Duration(period.amount * int(n), period.unit)
    if isinstance(a, int) and isinstance(b, int):
        return a * b
    return _exactly(CONTEXT.multiply, a, b)


def _apply_divide(op, values, calendar):
    """a / b, always a Decimal (to 50 significant digits, half even); by zero an error."""
    a, b = values
    if a is None or b is None:
        return None
    return _exactly(CONTEXT.divide, a, b)


# ---------------------------------------------------------------- the interpreter's order


def _eval_and(run, e, op):
    return truthy(run.expr(e.left)) and truthy(run.expr(e.right))


def _eval_or(run, e, op):
    return truthy(run.expr(e.left)) or truthy(run.expr(e.right))


def _eval_both(run, e, op):
    return op.apply(op, (run.expr(e.left), run.expr(e.right)), None)


def _eval_strict(run, e, op):
    left = run.expr(e.left)
    if left is None:
        return None  # operands go left to right; none stops the rest
    return op.apply(op, (left, run.expr(e.right)), run.i.calendar)


def _eval_unary(run, e, op):
    return op.apply(op, (run.expr(e.operand),), None)


def _eval_membership(run, e, op):
    v = run.expr(e.operand)
    return op.apply(op, (v, *[run.expr(x) for x in e.items]), None)


# ---------------------------------------------------------------- number classes (the generator's facts)


def _class_arithmetic(f, e, op):
    a, b = f.runtime_class(e.left), f.runtime_class(e.right)
    if op.key == "/":
        return "D"
    if "D" in (a, b):
        return "D"
    return "I" if a == b == "I" else "?"


def _class_operand(f, e, op):
    return f.runtime_class(e.operand)


def _class_none(f, e, op):
    return "?"


# ---------------------------------------------------------------- Python


def _py_logic(g, e, op, left, right, left_nullable, right_nullable):
    lc = f"{left} is True" if left_nullable else left
    rc = f"{right} is True" if right_nullable else right
    return g.wrapped(f"{lc} {op.py_symbol} {rc}")


def _py_equality(g, e, op, left, right, left_nullable, right_nullable):
    return g.wrapped(f"{left} {op.py_symbol} {right}")


def _py_order(g, e, op, left, right, left_nullable, right_nullable):
    if left_nullable or right_nullable:
        return f"{op.py_helper}({left}, {right})"
    return g.wrapped(f"{left} {op.py_symbol} {right}")


def _py_arithmetic(g, e, op, left, right, left_nullable, right_nullable):
    kinds = {e.left.type.kind, e.right.type.kind}
    if g.counts_working_days and "date" in kinds and "duration" in kinds:
        return f"_arith({op.key!r}, {left}, {right}, _WORKDAYS)"  # a period may be in working days
    if kinds & {"date", "duration"}:
        return f"_arith({op.key!r}, {left}, {right})"
    if left_nullable or right_nullable:
        # None if an operand is none (read left to right: the first none stops), else the numbers'
        # arithmetic below on the operands' names
        (a, b), test = g.none_test([left, right], [left_nullable, right_nullable])
        body = _py_numbers(g, e, op, a, b)
        return g.wrapped(f"None if {test} else {_unwrapped(body)}", (test, body))
    return _py_numbers(g, e, op, left, right)


def _unwrapped(code: str) -> str:
    inner = getattr(code, "inner", None)
    return inner if inner is not None else code


def _py_numbers(g, e, op, left, right):
    """+ - * / of two numbers that are not none: int arithmetic for two ints, the 50-digit
    context's for a Decimal, else the runtime's _arith (which tells them apart)."""
    if op.key == "/":
        return f"_div({left}, {right})"
    classes = (e.left.info.cls, e.right.info.cls)
    if classes == ("I", "I"):
        return g.wrapped(f"{left} {op.py_symbol} {right}")
    if "D" in classes:
        return f"{op.py_helper}({left}, {right})"
    return f"_arith({op.key!r}, {left}, {right})"


def _py_not(g, e, op, operand):
    return g.wrapped(f"{operand} is not True") if e.operand.info.nullable else g.wrapped(f"not {operand}")


def _py_negation(g, e, op, operand):
    if e.operand.info.nullable or e.operand.type.kind == "duration":
        return f"_neg({operand})"
    cls = e.operand.info.cls
    if cls == "D":
        return f"_minus({operand})"  # in the exact context, like the interpreter
    if cls == "I":
        return g.wrapped(f"-{operand}")
    return f"_neg({operand})"


def _py_membership(g, e, op):
    items = ", ".join(g.expr(i) for i in e.items) + ("," if len(e.items) == 1 else "")
    return g.wrapped(f"{g.expr(e.operand)} {op.py_symbol} ({items})")


# ---------------------------------------------------------------- SQL


def _sql_logic(g, e, op):
    return g.logic(e, op.sql_node, op.key == "and")


def _sql_equality(g, e, op):
    return g.equality(e, op.sql_node)


def _sql_order(g, e, op):
    return g.order(e, op.sql_node)


def _sql_sum(g, e, op):
    return g.arithmetic(e, op.sql_node, max)  # the DECIMAL scale: the larger of the two


def _sql_product(g, e, op):
    return g.arithmetic(e, op.sql_node, lambda sx, sy: sx + sy)


def _sql_quotient(g, e, op):
    return g.arithmetic(e, op.sql_node, None)  # the generator's exact division


def _sql_not(g, e, op):
    return g.not_(e)


def _sql_negation(g, e, op):
    return g.negation(e)


def _sql_membership(g, e, op):
    return g.membership(e, op.key == "not_in")


# ---------------------------------------------------------------- z3, over-approximately


def _approx_condition_and_or(enc, e, op):
    parts = [enc.boolean(e.left), enc.boolean(e.right)]
    return enc.z3.And(*parts) if op.key == "and" else enc.z3.Or(*parts)


def _approx_condition_not(enc, e, op):
    return enc.z3.Not(enc.boolean(e.operand))


def _approx_relation(enc, e, op):
    left, right = enc.term(e.left), enc.term(e.right)
    if op.key not in ("==", "!=") and (enc.z3.is_bool(left) or enc.z3.is_bool(right)):
        raise enc.Unsupported("arithmetic on conditions")
    return op.relation(left, right)


def _approx_arithmetic(enc, e, op):
    z3 = enc.z3
    if op.period_sign is not None and e.left.type.kind == "date" and e.right.type.kind == "duration":
        duration = enc.constant_value(e.right)
        if isinstance(duration, Duration) and duration.unit == "days":
            return enc.term(e.left) + op.period_sign * duration.amount
        raise enc.Unsupported("calendar arithmetic")
    left, right = enc.term(e.left), enc.term(e.right)
    if z3.is_bool(left) or z3.is_bool(right):
        raise enc.Unsupported("arithmetic on conditions")
    if op.key == "/" and z3.is_int(left) and z3.is_int(right):
        left = z3.ToReal(left)
    return _Z3_ARITH[op.key](left, right)


_Z3_ARITH = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b}


def _approx_negation(enc, e, op):
    operand = enc.term(e.operand)
    if enc.z3.is_bool(operand):
        raise enc.Unsupported("negated condition")
    return -operand


def _approx_membership(enc, e, op):
    z3 = enc.z3
    operand = enc.term(e.operand)
    hit = z3.Or(*[operand == enc.term(item) for item in e.items]) if e.items else z3.BoolVal(False)
    return z3.Not(hit) if op.key == "not_in" else hit


# ---------------------------------------------------------------- z3, exactly


def _exact_and_or(enc, S, e, op):
    left, right = enc.truthy(enc.expr(e.left)), enc.truthy(enc.expr(e.right))
    return S.Term(S.z3.And(left, right) if op.key == "and" else S.z3.Or(left, right), S._true(), "bool")


def _exact_not(enc, S, e, op):
    return S.Term(S.z3.Not(enc.truthy(enc.expr(e.operand))), S._true(), "bool")


def _exact_equality(enc, S, e, op):
    same = S._equal(enc.expr(e.left), enc.expr(e.right))
    return S.Term(same if op.key == "==" else S.z3.Not(same), S._true(), "bool")


def _exact_order(enc, S, e, op):
    return exact_compare(S, op, enc.expr(e.left), enc.expr(e.right))


def exact_compare(S, op, left, right):
    """left op right, exactly (none when either is): also a table cell's comparison."""
    a, b = S._comparable(left), S._comparable(right)
    return S.Term(op.relation(a, b), S.z3.And(left.defined, right.defined), "bool")


def _exact_arithmetic(enc, S, e, op):
    z3 = S.z3
    key = op.key
    left, right = enc.expr(e.left), enc.expr(e.right)
    defined = z3.And(left.defined, right.defined)
    if left.kind == "date" and right.kind == "duration":
        return enc._shift(left, right.value, op.period_sign, defined)
    if right.kind == "date" and left.kind == "duration" and key == "+":
        return enc._shift(right, left.value, op.period_sign, defined)
    if "duration" in (left.kind, right.kind) or "date" in (left.kind, right.kind):
        raise S.Inexact("arithmetic on periods of time")
    kind = e.type.kind if e.type.kind in ("money", "percent", "decimal", "count") else "decimal"
    whole = left.kind == "count" and right.kind == "count" and key != "/"
    if whole:
        a, b = left.value, right.value
    else:
        a, b = S._real(left.value), S._real(right.value)
    if key == "/" and not (z3.is_rational_value(b) and b.as_fraction() != 0):
        enc.vars.note_inexact("a division by a value that is not a fixed number")
    return S.Term(_Z3_ARITH[key](a, b), defined, "count" if whole else kind)


def _exact_negation(enc, S, e, op):
    operand = enc.expr(e.operand)
    if operand.kind in ("date", "duration", "bool", "text", "enum"):
        raise S.Inexact(f"the negative of a {operand.kind}")
    return S.Term(-operand.value, operand.defined, operand.kind)


def _exact_membership(enc, S, e, op):
    z3 = S.z3
    operand = enc.expr(e.operand)
    hit = z3.Or(*[S._equal(operand, enc.expr(x)) for x in e.items]) if e.items else S.mkBoolVal(False)
    return S.Term(z3.Not(hit) if op.key == "not_in" else hit, S._true(), "bool")


# ---------------------------------------------------------------- the table


def _words(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


def _symbol(symbol: str) -> dict:
    return {"zh": symbol, "en": symbol}


def _logic(key, zh, apply, evaluate):
    return Operator(key, key, "binary", _precedence.strength(key), _type_logic, apply, evaluate, False, _py_logic, _sql_logic,
                    _approx_condition_and_or, _exact_and_or, _words(zh, key), words=True, tight_right=True,
                    associative=True, number_class=_class_arithmetic, z3_condition=_approx_condition_and_or, py_symbol=key,
                    sql_node=key.capitalize())


def _comparison(key, symbol, relation, py_helper, sql_node):
    equality = key in ("==", "!=")
    return Operator(key, key, "binary", _precedence.strength(key), _type_equality if equality else _type_order,
                    _apply_equality if equality else _apply_order, _eval_both if equality else _eval_strict,
                    not equality, _py_equality if equality else _py_order,
                    _sql_equality if equality else _sql_order, _approx_relation,
                    _exact_equality if equality else _exact_order, _symbol(symbol), tight_right=True,
                    number_class=_class_arithmetic, relation=relation, py_symbol=key, py_helper=py_helper,
                    sql_node=sql_node)


def _arithmetic(key, symbol, units, apply, py_helper, sql_node, sql, **docs_and_dates):
    return Operator(key, key, "binary", _precedence.strength(key), _type_arithmetic(units), apply, _eval_strict, True,
                    _py_arithmetic, sql, _approx_arithmetic, _exact_arithmetic, _symbol(symbol),
                    number_class=_class_arithmetic, py_symbol=key, py_helper=py_helper, sql_node=sql_node,
                    **docs_and_dates)


_ENTRIES = [
    _logic("or", "或", _apply_or, _eval_or),
    _logic("and", "且", _apply_and, _eval_and),
    Operator("not", "not", "unary", _precedence.strength("not"), _type_logic, _apply_not, _eval_unary, False, _py_not, _sql_not,
             _approx_condition_not, _exact_not, _words("非", "not"), words=True, number_class=_class_operand,
             z3_condition=_approx_condition_not, py_symbol="not"),
    _comparison("==", "=", _relations.eq, None, "NullSafeEQ"),
    _comparison("!=", "≠", _relations.ne, None, "NullSafeNEQ"),
    _comparison("<", "<", _relations.lt, "_lt", "LT"),
    _comparison("<=", "≤", _relations.le, "_le", "LTE"),
    _comparison(">", ">", _relations.gt, "_gt", "GT"),
    _comparison(">=", "≥", _relations.ge, "_ge", "GTE"),
    Operator("in", "in", "membership", _precedence.strength("in"), _type_membership, _apply_membership, _eval_membership,
             False, _py_membership, _sql_membership, _approx_membership, _exact_membership,
             _words("属于", "is one of"), words=True, number_class=_class_none, py_symbol="in"),
    Operator("not_in", "not in", "membership", _precedence.strength("not_in"), _type_membership, _apply_membership,
             _eval_membership, False, _py_membership, _sql_membership, _approx_membership, _exact_membership,
             _words("不属于", "is none of"), words=True, number_class=_class_none, py_symbol="not in"),
    _arithmetic("+", "+", _sum_type, _apply_plus, "_add", "Add", _sql_sum, period_sign=1,
                zh_after_period="后"),
    _arithmetic("-", "−", _sum_type, _apply_minus, "_sub", "Sub", _sql_sum, tight_right=True,
                period_sign=-1),
    _arithmetic("*", "×", _product_type, _apply_times, "_mul", "Mul", _sql_product),
    _arithmetic("/", "÷", _quotient_type, _apply_divide, "_div", "Div", _sql_quotient,
                tight_right=True),
    Operator("neg", "-", "unary", _precedence.strength("neg"), _type_negation, _apply_negation, _eval_unary, True,
             _py_negation, _sql_negation, _approx_negation, _exact_negation, _symbol("−"),
             number_class=_class_operand, py_symbol="-"),
]

OPERATORS: dict[str, Operator] = {op.key: op for op in _ENTRIES}

# The key of a unary operator as the parser and the resolved model write it (`-` is 'neg').
UNARY_KEYS = {op.written: op.key for op in _ENTRIES if op.form == "unary"}
# The key of a membership test, by whether it is negated.
MEMBERSHIP_KEYS = {op.key == "not_in": op.key for op in _ENTRIES if op.form == "membership"}


def key_of(node) -> Optional[Operator]:
    """The entry of an operator node (RBinary, RUnary, RIn and their lowered forms name theirs by
    operator_key); None for any other node."""
    key = getattr(node, "operator_key", None)
    return OPERATORS[key] if key is not None else None


def binary(op: str) -> Operator:
    return OPERATORS[op]


def unary(op: str) -> Operator:
    """The entry of a unary operator as written ('not', '-')."""
    return OPERATORS[UNARY_KEYS[op]]


def membership(negated: bool) -> Operator:
    return OPERATORS[MEMBERSHIP_KEYS[negated]]
