"""The operator table (policylang/semantics/operators.py) in every backend: one conformance table of
sample operands, on which the table's reference implementation, the interpreter, the compiled
Python module, the DuckDB query and the z3 encodings (exact and over-approximate) all agree. Every
operator of the table must have its samples here; the generated modules' runtime helpers (the
standard-library copy of the same meaning) must agree with the table too."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import z3

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "codegen"))

from helpers import write_tree  # noqa: E402
from policylang.backends.pycodegen import compile_module  # noqa: E402
from policylang.backends.python import runtime  # noqa: E402
from policylang.batch import evaluate_rows  # noqa: E402
from policylang.semantics import operators as OPS  # noqa: E402
from policylang.semantics.checks import symbolic as S  # noqa: E402
from policylang.semantics.evaluate import EvaluationError, Interpreter, finish  # noqa: E402
from policylang.semantics.model import Duration  # noqa: E402
from policylang.semantics.types import Type  # noqa: E402
from support import resolve_tree  # noqa: E402

AS_OF = dt.date(2024, 6, 1)
INPUTS = {"m1": "money", "m2": "money", "p": "percent", "c1": "count", "c2": "count", "x": "decimal",
          "b1": "bool", "b2": "bool", "d1": "date", "d2": "date"}

# (decision, its type, the operator's key, its operands: an input's name or (as written, value)).
CASES = [
    ("plus_money", "money", "+", ["m1", "m2"]),
    ("plus_count", "count", "+", ["c1", "c2"]),
    ("plus_decimal", "decimal", "+", ["x", "c1"]),
    ("plus_days", "date", "+", ["d1", ("30 days", Duration(30, "days"))]),
    ("minus_money", "money", "-", ["m1", "m2"]),
    ("minus_month", "date", "-", ["d1", ("1 month", Duration(1, "months"))]),
    ("percent_of", "money", "*", ["m1", "p"]),
    ("times_count", "count", "*", ["c1", "c2"]),
    ("divide", "decimal", "/", ["m1", "m2"]),
    ("negative", "decimal", "neg", ["x"]),
    ("negative_count", "count", "neg", ["c1"]),
    ("equal", "bool", "==", ["m1", "m2"]),
    ("not_equal", "bool", "!=", ["c1", "c2"]),
    ("less", "bool", "<", ["d1", "d2"]),
    ("at_most", "bool", "<=", ["m1", "m2"]),
    ("more", "bool", ">", ["c1", "c2"]),
    ("at_least", "bool", ">=", ["x", ("0", 0)]),
    ("both", "bool", "and", ["b1", "b2"]),
    ("either", "bool", "or", ["b1", "b2"]),
    ("negated", "bool", "not", ["b1"]),
    ("member", "bool", "in", ["c1", ("1", 1), ("2", 2), ("5", 5)]),
    ("not_member", "bool", "not_in", ["c2", ("0", 0), ("5", 5)]),
]

# Sample operands, as a claims file holds them (text); a name left out is not given (none).
ROWS = [
    {"m1": "469.00", "m2": "2.50", "p": "80%", "c1": "2", "c2": "5", "x": "-2.25", "b1": "true", "b2": "false",
     "d1": "2021-01-31", "d2": "2021-03-01"},
    {"m1": "0", "m2": "0.5", "p": "12.5%", "c1": "5", "c2": "5", "x": "0", "b1": "false", "b2": "true",
     "d1": "2024-02-29", "d2": "2024-02-29"},
    {"m2": "2", "c1": "3", "x": "7", "b2": "true", "d2": "2020-01-01"},
    {"m1": "7000.01", "c2": "0", "b1": "true", "d1": "2021-03-31"},
    {"m1": "100", "m2": "100", "p": "0%", "c1": "0", "c2": "1", "b1": "false", "b2": "false", "d1": "2023-12-31",
     "d2": "2023-12-30"},
    {},
]


def _operand_text(operand) -> str:
    return operand if isinstance(operand, str) else operand[0]


def _expression(key: str, operands) -> str:
    op = OPS.OPERATORS[key]
    texts = [_operand_text(o) for o in operands]
    if op.form == "unary":
        return f"{op.written} {texts[0]}"
    if op.form == "membership":
        return f"{texts[0]} {op.written} {{{', '.join(texts[1:])}}}"
    return f"{texts[0]} {op.written} {texts[1]}"


POLICY = "\n".join(
    ['policy "运算符一致性"', "level national", "effective 2021-01-01"]
    + [f"input {name}: {kind} optional" for name, kind in INPUTS.items()]
    + [f"decision {name}: {kind} = {_expression(key, operands)}" for name, kind, key, operands in CASES]) + "\n"


@pytest.fixture(scope="module")
def policy():
    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(Path(tmp), {"cn/ops": POLICY})
        resolved = resolve_tree(root)["cn/ops"]
    assert not resolved.has_errors
    return resolved


@pytest.fixture(scope="module")
def reference(policy):
    """The interpreter's values, row by row."""
    interp = Interpreter(policy)
    return [interp.evaluate(row, AS_OF).values for row in ROWS]


def test_every_operator_of_the_table_has_samples():
    assert {key for _, _, key, _ in CASES} == set(OPS.OPERATORS)
    for key, op in OPS.OPERATORS.items():
        assert op.key == key and op.docs.keys() == {"en", "zh"}
        for hook in (op.type_rule, op.apply, op.evaluate, op.python, op.sql, op.z3_approx, op.z3_exact,
                     op.number_class):
            assert callable(hook), (key, hook)


def test_the_interpreter_computes_the_tables_reference_implementation(policy, reference):
    interp = Interpreter(policy)
    for row, values in zip(ROWS, reference):
        coerced = interp.coerce_inputs(row)
        for name, kind, key, operands in CASES:
            args = [coerced.get(o) if isinstance(o, str) else o[1] for o in operands]
            want = finish(OPS.OPERATORS[key](*args), Type(kind))
            assert values[name] == want, (name, row)


def test_the_compiled_module_agrees(policy, reference):
    module = compile_module(policy)
    for row, values in zip(ROWS, reference):
        assert module.evaluate(row, as_of=AS_OF).as_dict() == values, row


def test_duckdb_agrees(policy, reference):
    got = evaluate_rows(policy, ROWS, as_of=AS_OF, columns=list(INPUTS))
    for row, g, want in zip(ROWS, got, reference):
        assert g["_error"] is None, (row, g)
        for name, kind, _, _ in CASES:
            w = want[name]
            if w is None or g[name] is None:
                assert g[name] is None and w is None, (name, row, g[name], w)
            elif kind in ("money", "decimal", "percent"):
                assert Decimal(g[name]) == w, (name, row, g[name], w)
            elif kind == "count":
                assert int(g[name]) == w, (name, row)
            else:
                assert g[name] == w, (name, row, g[name], w)


def _fix_inputs(variables, policy, row):
    """Constraints tying each input variable the encoding made to the row's value (or to none)."""
    coerced = Interpreter(policy).coerce_inputs(row)
    ties = []
    for name, (term, t, optional) in variables.inputs.items():
        value = coerced.get(name)
        if value is None:
            ties.append(z3.Not(term.defined))
            continue
        ties.append(term.defined)
        ties.append(S._equal(term, variables.constant(value, t)))
    return ties


def _proved(*facts) -> bool:
    solver = z3.Solver()
    solver.add(*facts)
    return solver.check() == z3.unsat


def test_the_exact_z3_encoding_agrees(policy, reference):
    for row, values in zip(ROWS, reference):
        variables = S.Variables((None, None), {})
        encoder = S.SymbolicPolicy(policy, variables)
        terms = {name: encoder.decision(name) for name, _, _, _ in CASES}
        ties = _fix_inputs(variables, policy, row)
        for name, kind, _, _ in CASES:
            want = values[name]
            expected = encoder.none(Type(kind)) if want is None else variables.constant(want, Type(kind))
            assert _proved(*variables.domain, *ties, z3.Not(S._equal(terms[name], expected))), (name, row, want)


def test_the_approximate_z3_encoding_agrees_where_every_operand_is_given(policy, reference):
    """checks/encode.py reads none as no value at all (its conditions are over given inputs): on rows
    where a decision's inputs are all given, its formula has the interpreter's value."""
    from types import SimpleNamespace

    from policylang.semantics.checks.encode import Encoder, Unsupported

    interp = Interpreter(policy)
    ctx = SimpleNamespace(interpreter=lambda policy_id: interp)  # what the encoder asks of a check
    for row, values in zip(ROWS, reference):
        coerced = interp.coerce_inputs(row)
        for name, kind, key, operands in CASES:
            inputs = [o for o in operands if isinstance(o, str)]
            if any(coerced.get(o) is None for o in inputs) or values[name] is None:
                continue
            encoder = Encoder(ctx, policy)
            try:
                formula = encoder.term(policy.decisions[name].expr)
            except Unsupported:  # calendar months have no linear encoding: a free value where it is read
                assert name == "minus_month"
                continue
            ties = [encoder.variable(o, Type(INPUTS[o])) == encoder.literal(coerced[o], Type(INPUTS[o]))
                    for o in inputs]
            want = values[name]
            if kind == "money":  # the decision quantizes at the fen; the formula is the exact value
                exact = finish(OPS.OPERATORS[key](*[coerced[o] if isinstance(o, str) else o[1]
                                                    for o in operands]), Type("decimal"))
                want = exact if exact is not None else want
            assert _proved(*ties, formula != encoder.literal(want, Type(kind))), (name, row)


# ---------------------------------------------------------------- the runtime's copy


def _runtime_value(v):
    return runtime.Duration(v.amount, v.unit) if isinstance(v, Duration) else v


def _same(a, b):
    if isinstance(b, runtime.Duration):
        return isinstance(a, Duration) and (a.amount, a.unit) == (b.amount, b.unit)
    return type(a) is type(b) and a == b


NUMBERS = [None, 0, 3, -2, Decimal("0"), Decimal("2.5"), Decimal("-0.01"), Decimal("7000.01")]
_NUMBER_PAIRS = [(a, b) for a in NUMBERS for b in NUMBERS]
_DATES = [dt.date(2021, 1, 31), dt.date(2024, 2, 29), dt.date(2021, 3, 1)]
_PERIODS = [Duration(1, "months"), Duration(1, "years"), Duration(30, "days"), Duration(-2, "days")]
# The operand pairs the resolver accepts for each arithmetic operator (docs/language.md), none included.
WELL_TYPED = {
    "+": _NUMBER_PAIRS + [(d, p) for d in _DATES for p in _PERIODS] + [(p, d) for d in _DATES for p in _PERIODS]
    + [(Duration(2, "months"), Duration(3, "months")), (Duration(2, "days"), Duration(3, "months")),
       (None, Duration(1, "days")), (dt.date(2021, 3, 1), None)],
    "-": _NUMBER_PAIRS + [(d, p) for d in _DATES for p in _PERIODS]
    + [(Duration(2, "months"), Duration(3, "months")), (Duration(2, "days"), Duration(3, "months"))],
    "*": _NUMBER_PAIRS + [(Duration(2, "months"), 3), (4, Duration(1, "years")), (None, Duration(1, "days"))],
    "/": _NUMBER_PAIRS,
}


def _outcome(function, *args):
    try:
        return ("value", function(*args))
    except (EvaluationError, runtime.EvaluationError) as exc:
        return ("error", str(exc))
    except ArithmeticError:  # the generated module words it where it catches it (_Run's error())
        return ("error", None)


@pytest.mark.parametrize("key", sorted(WELL_TYPED))
def test_the_runtimes_arithmetic_is_the_tables(key):
    op = OPS.OPERATORS[key]
    for a, b in WELL_TYPED[key]:
        want = _outcome(op, a, b)
        got = _outcome(runtime._arith, key, _runtime_value(a), _runtime_value(b))
        assert want[0] == got[0] and (got[1] in (None, want[1]) if want[0] == "error" else _same(want[1], got[1])), \
            (key, a, b, want, got)


@pytest.mark.parametrize("key,helper", [(k, op.py_helper) for k, op in OPS.OPERATORS.items()
                                        if op.relation is not None and op.py_helper])
def test_the_runtimes_comparisons_are_the_tables(key, helper):
    op = OPS.OPERATORS[key]
    for a, b in [(a, b) for a in NUMBERS for b in NUMBERS] + [(dt.date(2021, 1, 1), dt.date(2021, 1, 2)),
                                                              (None, dt.date(2021, 1, 1))]:
        assert getattr(runtime, helper)(a, b) == op(a, b), (key, a, b)


def test_the_runtimes_negation_is_the_tables():
    op = OPS.OPERATORS["neg"]
    for v in NUMBERS + [Duration(3, "days")]:
        assert _same(op(v), runtime._neg(_runtime_value(v))) or (v is None and runtime._neg(v) is None), v


def test_the_docs_symbols_come_from_the_table():
    from policylang.backends.docs import i18n

    for key, op in OPS.OPERATORS.items():
        if op.words:
            assert i18n.OPERATORS[key] == op.docs
        elif op.form == "binary":
            assert i18n.SYMBOLS[key] == op.docs["zh"] == op.docs["en"]


def _parsed_expr(source: str):
    from policylang.syntax.parser import parse_source

    result = parse_source(f"decision x: decimal = {source}\n", "e.policy")
    assert result.diagnostics == (), (source, result.diagnostics)
    return result.file.decls[0].expr


def _written(key: str, operand: str) -> str:
    """`operand` under the operator `key` as an author writes it (a unary operator, or a binary one
    with `operand` on both sides; a membership test of `operand`)."""
    op = OPS.OPERATORS[key]
    if op.form == "unary":
        return f"{op.written} {operand}" if op.written == "not" else f"{op.written}{operand}"
    if op.form == "membership":
        return f"{operand} {op.written} {{u, v}}"
    return f"{operand} {key} {operand}"


def test_the_formatter_binds_as_the_table_says():
    """The formatter's precedence is the table's: every operator's node is as strong as its entry."""
    from policylang.syntax import formatter, precedence

    assert OPS.STRENGTH is precedence.STRENGTH
    for key, op in OPS.OPERATORS.items():
        node = _parsed_expr(_written(key, "a"))
        assert formatter._precedence(node) == op.strength == precedence.strength(key), key


@pytest.mark.parametrize("outer", sorted(OPS.OPERATORS))
def test_the_formatters_parentheses_read_back_as_written(outer):
    """Each operator with every operator inside it, parenthesised as written: the formatter keeps
    exactly the parentheses the grammar needs (the printed text parses back to the same tree), and
    drops them where the table says the inner one binds tighter."""
    from policylang.syntax import formatter
    from policylang.syntax.compare import ast_equal

    for inner in sorted(OPS.OPERATORS):
        if OPS.OPERATORS[outer].form == "unary" and OPS.OPERATORS[inner].form == "unary":
            sources = [_written(outer, f"({_written(inner, 'a')})")]
        elif OPS.OPERATORS[outer].form == "unary":
            sources = [_written(outer, f"({_written(inner, 'a')})")]
        elif OPS.OPERATORS[outer].form == "membership":
            sources = [f"({_written(inner, 'a')}) {OPS.OPERATORS[outer].written} {{u, v}}"]
        else:
            sources = [f"({_written(inner, 'a')}) {outer} b", f"b {outer} ({_written(inner, 'a')})"]
        for source in sources:
            tree = _parsed_expr(source)
            printed = formatter.format_expr(tree)
            assert ast_equal(_parsed_expr(printed), tree), (source, printed)
            # An operand binding tighter than its operator, on the left or alone, needs none.
            if OPS.OPERATORS[inner].strength > OPS.OPERATORS[outer].strength and source.startswith(("(", "not", "-")):
                assert "(" not in printed, (source, printed)
