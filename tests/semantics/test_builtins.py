"""The registry of builtins (policylang/semantics/builtins.py): every function has each part every pass
needs, and adding one is one entry: resolver, interpreter, generated code, z3 and docs all find it."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import attrs
import pytest

from helpers import header, write_tree
from policylang.pipeline import check
from policylang.semantics import builtins as B
from policylang.semantics import types as T
from policylang.semantics.evaluate import Interpreter

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "codegen"))


@pytest.mark.parametrize("name", sorted(B.BUILTINS))
def test_every_builtin_is_complete(name):
    b = B.BUILTINS[name]
    assert b.name == name and b.min_args >= 1 and (b.max_args is None or b.max_args >= b.min_args)
    assert b.signature.startswith(name + "(")
    assert callable(b.evaluate) and callable(b.python) and callable(b.z3_exact)
    assert b.type_rule is not None or name == "round"
    assert set(b.docs) == {"en", "zh"} and all(b.docs.values())
    assert b.sql is None or callable(b.sql)
    assert f"`{name}(" in (REPO / "docs" / "language.md").read_text(encoding="utf-8") or name in ("min", "max")


USES = {
    "min": ("decision r: money = min(a, 10 yuan)", {"a": "12.5"}, "10.00"),
    "max": ("decision r: money = max(a, 10 yuan)", {"a": "12.5"}, "12.50"),
    "round": ("decision r: money = round(a * 33%, jiao, up)", {"a": "12.5"}, "4.20"),
    "ceil": ("decision r: count = ceil(n * 1.5)", {"n": 3}, "5"),
    "floor": ("decision r: count = floor(n * 1.5)", {"n": 3}, "4"),
    "abs": ("decision r: decimal = abs(q)", {"q": "-2.5"}, "2.5"),
    "add_days": ("decision r: date = add_days(d, n)", {"d": "2021-01-31", "n": 3}, "2021-02-03"),
    "add_months": ("decision r: date = add_months(d, n)", {"d": "2021-01-31", "n": 1}, "2021-02-28"),
    "add_years": ("decision r: date = add_years(d, n)", {"d": "2020-02-29", "n": 1}, "2021-02-28"),
    "end_of_month": ("decision r: date = end_of_month(d)", {"d": "2024-02-03"}, "2024-02-29"),
    "days_between": ("decision r: count = days_between(d, as_of)", {"d": "2021-02-20"}, "9"),
    "year": ("decision r: count = year(d)", {"d": "2024-02-03"}, "2024"),
    "month": ("decision r: count = month(d)", {"d": "2024-02-03"}, "2"),
    "day": ("decision r: count = day(d)", {"d": "2024-02-03"}, "3"),
}
INPUTS = "input a: money\ninput n: count\ninput q: decimal\ninput d: date\n"


def _policy(tmp_path, line: str):
    root = write_tree(tmp_path, {"cn/f": header("national") + INPUTS + line + "\n"})
    run = check([root], root, cache=False)
    return run, run.resolution.policies["cn/f"]


def test_each_builtin_is_used_somewhere():
    assert set(USES) == set(B.BUILTINS)


@pytest.mark.parametrize("name", sorted(USES))
def test_interpreter_and_generated_code_agree_on_each_builtin(tmp_path, name):
    from support import compile_module

    line, inputs, expected = USES[name]
    run, policy = _policy(tmp_path, line)
    assert not policy.has_errors, [d.message for d in run.diagnostics]
    day = dt.date(2021, 3, 1)
    value = Interpreter(policy).evaluate(inputs, day, decisions=["r"]).values["r"]
    assert str(value) == expected
    module = compile_module(policy)
    assert str(module.r(inputs, as_of=day)) == expected


def test_adding_a_builtin_is_one_entry(tmp_path, monkeypatch):
    """A new function, registered once, is typed, evaluated, compiled, encoded and documented."""
    from policylang.backends.docs.formula import FormulaPrinter
    from policylang.backends.docs.i18n import Words
    from policylang.semantics.checks.symbolic import Inexact  # noqa: F401 (loads the exact encoder)
    from support import compile_module

    def type_twice(r, func, args, span):
        r.numeric_arg(func, args[0])
        return args[0].type

    twice = B.Builtin(
        "twice", 1, 1, "twice(x)", type_twice, lambda args, e: 2 * args[0],
        lambda g, e: f"(2 * {g.expr(e.args[0])})",
        lambda enc, S, e, args, defined: S.Term(2 * args[0].value, defined, args[0].kind),
        z3_approx=lambda enc, e: 2 * enc.term(e.args[0]), number_class=lambda g, e: g.runtime_class(e.args[0]),
        docs={"en": "twice", "zh": "两倍"})
    monkeypatch.setitem(B.BUILTINS, "twice", twice)
    run, policy = _policy(tmp_path, "decision r: count = twice(n)")
    assert not policy.has_errors, [d.message for d in run.diagnostics]
    assert Interpreter(policy).evaluate({"n": 21}, dt.date(2021, 3, 1)).values["r"] == 42
    assert compile_module(policy).r({"n": 21}, as_of=dt.date(2021, 3, 1)) == 42
    expr = policy.decisions["r"].expr
    for lang, word in (("zh", "两倍"), ("en", "twice")):
        shown = str(FormulaPrinter(Words(lang), lambda ref: None, lambda t, m: None)(expr))
        assert shown.startswith(word + "("), shown
    run, policy = _policy(tmp_path / "x", "decision r: count = twice(d)")
    assert any(d.code == "PL203" for d in run.diagnostics)


def test_unknown_function_lists_the_registry(tmp_path):
    run, _ = _policy(tmp_path, "decision r: count = twice(n)")
    found = [d for d in run.diagnostics if d.code == "PL208"]
    assert found and all(name in found[0].hint for name in B.BUILTINS)


def test_types_has_no_second_list_of_functions():
    assert not hasattr(T, "FUNCTIONS")
    assert attrs.has(B.Builtin)
