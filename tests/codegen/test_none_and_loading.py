"""None (not applicable) stops evaluation before a blank is needed; modules load by path as-is."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from decimal import Decimal

import pytest

from helpers import header, write_tree
from policylang.backends.pycodegen import generate_module, write_modules
from policylang.pipeline import check
from policylang.semantics.evaluate import BlankNotFilled, Interpreter

POLICY = header("national") + """
input savings: money optional
input price: money
param ratio: percent delegated "结余留用比例"
decision kept: money = round(savings * ratio, fen, down)
decision kept_max: money = max(savings, price * ratio)
decision priced: money = price
"""


def _checked(tmp_path_factory, folder: str, policy_id: str, text: str):
    """The resolved policy of a one-file tree, which must check without errors."""
    root = write_tree(tmp_path_factory.mktemp(folder), {policy_id: text})
    run = check([root])
    assert not [d for d in run.diagnostics if d.severity == "error"]
    return run.policies[policy_id]


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    return _checked(tmp_path_factory, "none", "cn/x", POLICY)


def load(policy, tmp_path):
    path = tmp_path / "x.py"
    path.write_text(generate_module(policy), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("x_by_path", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # deliberately not registered in sys.modules
    return module


@pytest.mark.parametrize("engine", ["interpreter", "module"])
def test_none_operand_means_the_blank_is_not_needed(policy, tmp_path, engine):
    if engine == "interpreter":
        evaluate = Interpreter(policy).evaluate
    else:
        evaluate = load(policy, tmp_path).evaluate
    result = evaluate({"price": "100"}, decisions=["kept", "priced"]) if engine == "interpreter" \
        else evaluate({"price": "100"})
    values = result.values if engine == "interpreter" else {"kept": result.kept, "priced": result.priced}
    assert values["kept"] is None and values["priced"] == Decimal("100.00")


@pytest.mark.parametrize("engine", ["interpreter", "module"])
def test_the_blank_is_needed_once_the_left_operand_has_a_value(policy, tmp_path, engine):
    inputs = {"price": "100", "savings": "50"}
    with pytest.raises(Exception) as err:
        if engine == "interpreter":
            Interpreter(policy).evaluate(inputs)
        else:
            load(policy, tmp_path).evaluate(inputs)
    assert type(err.value).__name__ == BlankNotFilled.__name__
    assert err.value.blank == "ratio"


def test_supplied_blank_computes(policy, tmp_path):
    module = load(policy, tmp_path)
    result = module.evaluate({"price": "100", "savings": "50.55", "ratio": "50%"})
    assert result.kept == Decimal("25.27") and result.kept_max == Decimal("50.55")


def test_modules_import_by_path_in_a_fresh_interpreter(policy, tmp_path):
    write_modules([policy], str(tmp_path / "out"))
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('m', {str(tmp_path / 'out' / 'cn' / 'x.py')!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "print(m.evaluate({'price': '7'}).priced)\n"
    )
    out = subprocess.run([sys.executable, "-S", "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "7.00"


GUARDED = header("national") + """
input a: money
input b: money optional
input r: percent
decision smaller: money = min(a, b)
decision larger_first: money = max(b, a)
decision difference: money = a - b
decision share: money = round(min(a, b) * r, fen, half_up)
"""


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    return _checked(tmp_path_factory, "guarded", "cn/g", GUARDED)


@pytest.mark.parametrize("inputs", [
    {}, {"b": "3"}, {"a": "5"}, {"a": "5", "r": "50%"}, {"a": "5", "b": "3", "r": "50%"},
    {"a": "3", "b": "5.00", "r": "10%"}, {"a": "5.00", "b": "5", "r": "33%"}, {"b": "4", "r": "50%"},
])
def test_operands_that_may_be_none_are_read_in_order_without_lambdas(guarded, tmp_path, inputs):
    """min/max and arithmetic with an operand that may be none: the module gives what the
    interpreter gives, value for value, and the same error first (a missing `a` is reported even
    when `b` is none), with conditional expressions instead of _opt_lazy's lambdas or _arith."""
    from support import outcome_interpreter, outcome_module

    source = generate_module(guarded)
    fast = source[source.index("def _decide_fast"):source.index("_DECISION_METHODS = {")]
    assert "_opt_lazy(" not in fast and "_arith(" not in fast and "lambda" not in fast
    module = load(guarded, tmp_path)
    as_of = __import__("datetime").date(2021, 6, 1)
    assert outcome_module(module, inputs, as_of) == outcome_interpreter(Interpreter(guarded), inputs, as_of)
