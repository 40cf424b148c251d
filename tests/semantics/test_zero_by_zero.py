"""0 / 0 (the share of an empty total) is a readable error naming the decision, in the interpreter
and in the compiled module alike; decimal's own word for it ("InvalidOperation") is not shown."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import header, write_tree
from policylang.backends.pycodegen import compile_module
from policylang.pipeline import check
from policylang.semantics.evaluate import EvaluationError, Interpreter

POLICY = header("national") + """\
input selected_amount: money "中选产品采购金额"
input total_amount: money "全部采购金额"
decision selected_share: decimal "中选产品采购金额占比" = selected_amount / total_amount
"""


@pytest.mark.parametrize("selected, message", [
    ("0", "0 divided by 0 has no value"),
    ("5", "division by zero"),
])
def test_division_by_zero_names_the_decision_in_both_backends(tmp_path, selected, message):
    root = write_tree(tmp_path, {"cn/x": POLICY})
    policy = check([root], cache=False).resolution.policies["cn/x"]
    inputs = {"selected_amount": selected, "total_amount": "0"}
    with pytest.raises(EvaluationError) as mine:
        Interpreter(policy).evaluate(inputs, dt.date(2021, 6, 1))
    module = compile_module(policy)
    with pytest.raises(module.EvaluationError) as theirs:
        module.evaluate(inputs, as_of=dt.date(2021, 6, 1))
    for exc in (mine.value, theirs.value):
        assert exc.message.startswith(message) and "InvalidOperation" not in exc.message
        assert exc.decision == "selected_share"
    assert mine.value.message == theirs.value.message
