"""The functions of the policy language, each in one entry: what it takes and gives, how the
resolver types it, what it computes (the reference interpreter runs this), how the Python
generator writes it, how the checks encode it for z3 (over-approximately in checks/encode.py,
exactly in checks/symbolic.py), how the docs show it in English and Chinese, and how the SQL generator writes it.

Adding a function is adding one entry here (and its tests): every pass looks it up by name.

Each hook takes the pass that asks as its first argument and uses that pass's own helpers, so
this module imports none of the passes (nor z3): the resolver passes itself (its reporting and
argument checks), the generator passes itself (expression code, nullability, number classes),
the encoders pass themselves and their module (z3 helpers).
"""

from __future__ import annotations

from typing import Callable, Optional

import attrs

from . import types as T
from .model import Duration
from .values import CONTEXT, EvaluationError, add_duration, add_months, end_of_month, no_value_message, round_value


@attrs.frozen
class Builtin:
    name: str
    min_args: int
    max_args: Optional[int]  # None: any number from min_args
    signature: str  # as the author writes it, for messages
    # resolver: (resolver, call name, typed args, span) -> the result Type (reporting type errors
    # through the resolver); None for round, whose options the resolver reads itself
    type_rule: Optional[Callable]
    # the reference implementation: (arguments, none of them none, the RCall) -> value
    evaluate: Callable
    # Python: (generator, RCall) -> code
    python: Callable
    # z3, exactly: (symbolic encoder, its module, RCall, argument Terms, defined) -> Term
    z3_exact: Callable
    # z3, over-approximately: (encoder, RCall) -> formula; None: not encoded (a free variable)
    z3_approx: Optional[Callable] = None
    # the generator's number class of the result ('D' Decimal, 'I' int, '?'): (generator, RCall)
    number_class: Optional[Callable] = None
    # is a money result always at the fen: (generator, RCall) -> bool
    at_fen: Optional[Callable] = None
    # the docs' name of the function, {language: name}
    docs: dict = attrs.Factory(dict)
    # the docs' words for its options (round's unit and mode): (call, language) -> [words]
    docs_options: Optional[Callable] = None
    # SQL: (SQL generator, lowered call) -> the generator's Sql (a sqlglot value, the first error
    # computing it, the DECIMAL scale), built with the generator's primitives
    # (backends/sql/compiler.py); None: no SQL form (compiling a policy that uses it is an error)
    sql: Optional[Callable] = None
    # f(x) is x itself (min and max of one value): backends may emit the argument alone
    identity_of_one: bool = False

    def arity_ok(self, count: int) -> bool:
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)


# ---------------------------------------------------------------- typing rules


def _type_min_max(r, func, args, span):
    t = args[0].type
    for a in args[1:]:
        u = T.unify(t, a.type)
        if u is None:
            r.report_call_kinds(func, t, a)
            u = T.UNKNOWN
        t = u
    return t


def _type_ceil_floor(r, func, args, span):
    t = args[0].type
    if t.kind == "money":
        return T.MONEY
    r.numeric_arg(func, args[0])
    return T.COUNT if t.kind != "unknown" else T.UNKNOWN


def _type_abs(r, func, args, span):
    r.numeric_arg(func, args[0])
    return args[0].type


def _type_add(r, func, args, span):
    r.date_arg(func, args[0])
    r.count_arg(func, args[1])
    return T.DATE


def _type_date_to_date(r, func, args, span):
    r.date_arg(func, args[0])
    return T.DATE


def _type_days_between(r, func, args, span):
    r.date_arg(func, args[0])
    r.date_arg(func, args[1])
    return T.COUNT


def _type_date_part(r, func, args, span):
    r.date_arg(func, args[0])
    return T.COUNT


# ---------------------------------------------------------------- reference implementations


def _eval_ceil_floor(args, e):
    money = e.type.kind == "money"
    return round_value(args[0], "unit" if not money else "yuan", "up" if e.func == "ceil" else "down", money)


def _eval_abs(args, e):
    return abs(args[0]) if isinstance(args[0], int) else CONTEXT.abs(args[0])


# ---------------------------------------------------------------- Python


def _py_round(g, e):
    unit, mode = e.options
    return g.rounded(e.args[0], g.expr(e.args[0]), unit, mode, e.type.kind == "money")


def _py_ceil_floor(g, e):
    money = e.type.kind == "money"
    return g.rounded(e.args[0], g.expr(e.args[0]), "yuan" if money else "unit", "up" if e.func == "ceil" else "down",
                     money)


def _py_min_max(g, e):
    f = e.func
    args = [g.expr(a) for a in e.args]
    if len(args) == 1:
        return args[0]
    nullables = [g.nullable(a) for a in e.args]
    if any(nullables):
        # None if an argument is none (read left to right, the first none stops), else the
        # smaller/larger: of two names a comparison (the first of equal values, as min()/max())
        names, test = g.none_test(args, nullables)
        if len(names) == 2 and all(getattr(n, "is_name", False) for n in names):
            a, b = names
            body = g.wrapped(f"{a} if {a} {'<=' if f == 'min' else '>='} {b} else {b}")
        else:
            body = f"{f}({', '.join(names)})"
        return g.wrapped(f"None if {test} else {body}", (test, body))
    if len(args) == 2 and all(g.is_plain_read(a) for a in e.args):
        # what min()/max() return (the first of equal values), without the call
        a, b = args
        return g.wrapped(f"{a} if {a} {'<=' if f == 'min' else '>='} {b} else {b}")
    return f"{f}({', '.join(args)})"


def _py_helper(helper: str, fast: Optional[Callable] = None):
    """A call of the runtime's helper, or of _opt() when an argument may be none; fast(g, e, args)
    gives cheaper code for arguments that are never none (None: the helper itself)."""

    def emit(g, e):
        args = [g.expr(a) for a in e.args]
        nullables = [g.nullable(a) for a in e.args]
        if any(nullables):
            return g.optional_call(helper, args, nullables)
        code = fast(g, e, args) if fast is not None else None
        return code if code is not None else f"{helper}({', '.join(args)})"

    return emit


def _py_abs_fast(g, e, args):
    return f"abs({args[0]})" if g.runtime_class(e.args[0]) == "I" else None


def _py_add_months(g, e, args):
    return f"_add_months({args[0]}, {g.whole(e.args[1], args[1])})"


def _py_end_of_month(g, e, args):
    inner = e.args[0]
    if getattr(inner, "func", None) in ("add_months", "add_years") \
            and not any(g.nullable(a) for a in inner.args):
        months = g.whole(inner.args[1], g.expr(inner.args[1]))
        if inner.func == "add_years":
            months = f"12 * {months}"
        return f"_month_end_after({g.expr(inner.args[0])}, {months})"
    return None


def _py_days_between(g, e, args):
    return f"({args[1]} - {args[0]}).days"


def _py_date_part(g, e, args):
    return f"{args[0]}.{e.func}"


def _class_of_args(g, e):
    classes = {g.runtime_class(a) for a in e.args}
    return classes.pop() if len(classes) == 1 else "?"


def _class_of_first(g, e):
    return g.runtime_class(e.args[0])


# ---------------------------------------------------------------- SQL


def _sql_round(g, e):
    unit, mode = e.options
    return g.call_round(e, unit, mode)


def _sql_ceil_floor(g, e):
    money = e.type.kind == "money"
    return g.call_round(e, "yuan" if money else "unit", "up" if e.func == "ceil" else "down")


def _sql_add(unit: str):
    return lambda g, e: g.call_add(e, unit)


def _sql_date_part(g, e):
    return g.call_date_part(e, e.func)


# ---------------------------------------------------------------- z3, over-approximately


def _approx_min_max(enc, e):
    if not e.args:
        return None
    args = [enc.term(a) for a in e.args]
    result = args[0]
    z3 = enc.z3
    for a in args[1:]:
        result = z3.If(a < result, a, result) if e.func == "min" else z3.If(a > result, a, result)
    return result


def _approx_abs(enc, e):
    x = enc.term(e.args[0])
    return enc.z3.If(x < 0, -x, x)


def _approx_days_between(enc, e):
    return enc.term(e.args[1]) - enc.term(e.args[0])


def _approx_add_days(enc, e):
    return enc.term(e.args[0]) + enc.term(e.args[1])


# ---------------------------------------------------------------- z3, exactly


def _exact_round(enc, S, e, args, defined):
    from fractions import Fraction

    z3 = S.z3
    unit, mode = e.options
    quantum = {"fen": Fraction(1, 100), "jiao": Fraction(1, 10), "yuan": Fraction(1), "unit": Fraction(1)}[unit]
    value = S._round(S._real(args[0].value), quantum, mode)
    if e.type.kind != "money":  # the interpreter gives a whole number: int() of the rounded value
        return S.Term(z3.If(value >= 0, z3.ToInt(value), -z3.ToInt(-value)), defined, "count")
    return S.Term(value, defined, "money")


def _exact_ceil_floor(enc, S, e, args, defined):
    z3 = S.z3
    x = S._real(args[0].value)
    value = -z3.ToInt(-x) if e.func == "ceil" else z3.ToInt(x)
    if e.type.kind == "money":
        return S.Term(z3.ToReal(value), defined, "money")
    return S.Term(value, defined, "count")


def _exact_min_max(enc, S, e, args, defined):
    z3 = S.z3
    f = e.func
    values = [S._comparable(a) if a.kind != "date" else a.value for a in args]
    if any(a.kind == "date" for a in args):
        result = args[0].value
        for v in [a.value for a in args[1:]]:
            result = z3.If(v < result, v, result) if f == "min" else z3.If(v > result, v, result)
        return S.Term(result, defined, "date")
    mixed = len({a.kind for a in args}) > 1
    result = S._real(values[0]) if mixed else values[0]
    for v in values[1:]:
        v = S._real(v) if mixed else v
        result = z3.If(v < result, v, result) if f == "min" else z3.If(v > result, v, result)
    return S.Term(result, defined, e.type.kind)


def _exact_abs(enc, S, e, args, defined):
    x = args[0].value
    return S.Term(S.z3.If(x < 0, -x, x), defined, args[0].kind)


def _exact_add_days(enc, S, e, args, defined):
    return S.Term(args[0].value + S._int(args[1].value), defined, "date")


def _exact_add_months(enc, S, e, args, defined):
    n = S._int(args[1].value)
    return enc._add_months(args[0], n if e.func == "add_months" else 12 * n, defined)


def _exact_end_of_month(enc, S, e, args, defined):
    year, month, _day = enc.vars.triple(args[0])
    last = S._days_in_month(year, month)
    return S.Term(S._ordinal(year, month, last), defined, "date", (year, month, last))


def _exact_days_between(enc, S, e, args, defined):
    return S.Term(args[1].value - args[0].value, defined, "count")


def _exact_date_part(enc, S, e, args, defined):
    year, month, day = enc.vars.triple(args[0])
    return S.Term({"year": year, "month": month, "day": day}[e.func], defined, "count")


# ---------------------------------------------------------------- docs


_ROUND_UNITS = {
    "fen": {"zh": "分", "en": "fen"},
    "jiao": {"zh": "角", "en": "jiao"},
    "yuan": {"zh": "元", "en": "yuan"},
    "unit": {"zh": "个", "en": "unit"},
}
_ROUND_MODES = {
    "half_up": {"zh": "四舍五入", "en": "half up"},
    "half_even": {"zh": "四舍六入五成双", "en": "half even"},
    "up": {"zh": "向上", "en": "up"},
    "down": {"zh": "向下", "en": "down"},
}


def _docs_round_options(e, lang):
    out = []
    for i, option in enumerate(e.options):
        table = _ROUND_UNITS if i == 0 else _ROUND_MODES
        out.append(table.get(option, {}).get(lang, option))
    return out


def _words(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


# ---------------------------------------------------------------- the registry


_ENTRIES = [
    Builtin("min", 1, None, "min(a, b, …)", _type_min_max, lambda args, e: min(args), _py_min_max, _exact_min_max,
            z3_approx=_approx_min_max, number_class=_class_of_args,
            at_fen=lambda g, e: all(g.at_fen(a) for a in e.args), docs=_words("较小值", "min"), identity_of_one=True,
            sql=lambda g, e: g.call_extremum(e, "min")),
    Builtin("max", 1, None, "max(a, b, …)", _type_min_max, lambda args, e: max(args), _py_min_max, _exact_min_max,
            z3_approx=_approx_min_max, number_class=_class_of_args,
            at_fen=lambda g, e: all(g.at_fen(a) for a in e.args), docs=_words("较大值", "max"), identity_of_one=True,
            sql=lambda g, e: g.call_extremum(e, "max")),
    Builtin("round", 1, 3, "round(x, fen|jiao|yuan|unit, half_up|half_even|up|down)", None,
            lambda args, e: round_value(args[0], e.options[0], e.options[1], e.type.kind == "money"),
            _py_round, _exact_round, at_fen=lambda g, e: e.options[0] == "fen",
            docs=_words("取整", "round"), docs_options=_docs_round_options, sql=_sql_round),
    Builtin("ceil", 1, 1, "ceil(x)", _type_ceil_floor, _eval_ceil_floor, _py_ceil_floor, _exact_ceil_floor,
            docs=_words("向上取整", "ceil"), sql=_sql_ceil_floor),
    Builtin("floor", 1, 1, "floor(x)", _type_ceil_floor, _eval_ceil_floor, _py_ceil_floor, _exact_ceil_floor,
            docs=_words("向下取整", "floor"), sql=_sql_ceil_floor),
    Builtin("abs", 1, 1, "abs(x)", _type_abs, _eval_abs, _py_helper("_abs", _py_abs_fast), _exact_abs,
            z3_approx=_approx_abs, number_class=_class_of_first, docs=_words("绝对值", "abs"),
            sql=lambda g, e: g.call_abs(e)),
    Builtin("add_days", 2, 2, "add_days(date, count)", _type_add,
            lambda args, e: add_duration(args[0], Duration(int(args[1]), "days")),
            _py_helper("_add_days"), _exact_add_days, z3_approx=_approx_add_days, docs=_words("加天数", "add_days"),
            sql=_sql_add("days")),
    Builtin("add_months", 2, 2, "add_months(date, count)", _type_add,
            lambda args, e: add_months(args[0], int(args[1])),
            _py_helper("_add_months_n", _py_add_months), _exact_add_months, docs=_words("加月数", "add_months"),
            sql=_sql_add("months")),
    Builtin("add_years", 2, 2, "add_years(date, count)", _type_add,
            lambda args, e: add_months(args[0], 12 * int(args[1])),
            _py_helper("_add_years"), _exact_add_months, docs=_words("加年数", "add_years"),
            sql=_sql_add("years")),
    Builtin("end_of_month", 1, 1, "end_of_month(date)", _type_date_to_date, lambda args, e: end_of_month(args[0]),
            _py_helper("_end_of_month", _py_end_of_month), _exact_end_of_month, docs=_words("月末", "end_of_month"),
            sql=lambda g, e: g.call_end_of_month(e)),
    Builtin("days_between", 2, 2, "days_between(date, date)", _type_days_between,
            lambda args, e: (args[1] - args[0]).days, _py_helper("_days_between", _py_days_between),
            _exact_days_between, z3_approx=_approx_days_between, docs=_words("相隔天数", "days_between"),
            sql=lambda g, e: g.call_days_between(e)),
    Builtin("year", 1, 1, "year(date)", _type_date_part, lambda args, e: args[0].year,
            _py_helper("_year", _py_date_part), _exact_date_part, docs=_words("年份", "year"), sql=_sql_date_part),
    Builtin("month", 1, 1, "month(date)", _type_date_part, lambda args, e: args[0].month,
            _py_helper("_month", _py_date_part), _exact_date_part, docs=_words("月份", "month"), sql=_sql_date_part),
    Builtin("day", 1, 1, "day(date)", _type_date_part, lambda args, e: args[0].day,
            _py_helper("_day", _py_date_part), _exact_date_part, docs=_words("日", "day"), sql=_sql_date_part),
]

BUILTINS: dict[str, Builtin] = {b.name: b for b in _ENTRIES}

# The options of round, in the order the author writes them.
ROUND_UNITS = tuple(_ROUND_UNITS)
ROUND_UNIT_WORDS = _ROUND_UNITS
ROUND_MODE_WORDS = _ROUND_MODES


# ---------------------------------------------------------------- aggregates over a list input


def _agg_type_sum(r, e_value):
    t = e_value.type
    if t.kind in ("money", "decimal", "count", "unknown", "none"):
        return t if t.kind != "none" else T.UNKNOWN
    r.aggregate_value_error("sum", e_value, "money, count or decimal", "金额、数量或数值")
    return T.UNKNOWN


def _agg_type_min_max(func):
    def rule(r, e_value):
        t = e_value.type
        if t.is_numeric or t.kind in ("date", "unknown"):
            return t
        r.aggregate_value_error(func, e_value, "a number, an amount of money or a date", "数字、金额或日期")
        return T.UNKNOWN
    return rule


def _agg_type_condition(func):
    def rule(r, e_value):
        if e_value.type.kind not in ("bool", "unknown", "none"):
            r.aggregate_value_error(func, e_value, "a yes/no (bool) condition", "是/否条件")
        return T.BOOL
    return rule


def _sum_values(values, e):
    """The total of the values that are not none; 0 of the value's type for none at all."""
    total = 0 if e.type.kind == "count" else CONTEXT.add(0, 0)
    for v in values:
        if v is None:
            continue
        total = total + v if isinstance(total, int) and isinstance(v, int) else CONTEXT.add(total, v)
    return total


def _extreme(func):
    def reduce(values, e):
        best = None
        for v in values:
            if v is None:
                continue
            if best is None or (v < best if func == "min" else v > best):
                best = v
        if best is None:
            raise EvaluationError(no_value_message(func, e.source.name, e.where is not None))
        return best
    return reduce


def _all(values, e):
    for v in values:
        if v is not True:
            return False
    return True


def _any(values, e):
    for v in values:
        if v is True:
            return True
    return False


@attrs.frozen
class Aggregate:
    """A function over the elements of a list input: `sum(purchases where selected, amount)`.

    The elements the filter keeps (all of them without `where`) are visited in order; at each, the
    value expression is evaluated (none for count), and reduce() takes those values, none included,
    in that order (all/any may stop early; every backend stops where the interpreter stops)."""

    name: str
    takes_value: bool  # count takes none: `count(purchases where selected)`
    signature: str
    # resolver: (resolver, the resolved value expression) -> the result Type; None: count
    type_rule: Optional[Callable]
    reduce: Callable  # (the values, the RAggregate) -> the result
    runtime: str  # the helper of the generated modules' runtime that computes it
    docs: dict = attrs.Factory(dict)


AGGREGATES: dict[str, Aggregate] = {a.name: a for a in (
    Aggregate("sum", True, "sum(LIST [where COND], VALUE)", _agg_type_sum, _sum_values, "_agg_sum",
              _words("合计", "sum")),
    Aggregate("count", False, "count(LIST [where COND])", None, lambda values, e: sum(1 for _ in values),
              "_agg_count", _words("计数", "count")),
    Aggregate("min", True, "min(LIST [where COND], VALUE)", _agg_type_min_max("min"), _extreme("min"), "_agg_min",
              _words("最小值", "min")),
    Aggregate("max", True, "max(LIST [where COND], VALUE)", _agg_type_min_max("max"), _extreme("max"), "_agg_max",
              _words("最大值", "max")),
    Aggregate("all", True, "all(LIST [where COND], COND)", _agg_type_condition("all"), _all, "_agg_all",
              _words("全部满足", "all")),
    Aggregate("any", True, "any(LIST [where COND], COND)", _agg_type_condition("any"), _any, "_agg_any",
              _words("任一满足", "any")),
)}
