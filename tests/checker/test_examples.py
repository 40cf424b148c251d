"""`policylang check` runs each policy's examples (PL601), with the same code `policylang test` uses."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from policylang.backends import runner
from policylang.commands.build import build_command
from policylang.commands.test import test_command as examples_command
from policylang.pipeline import check
from policylang.semantics import examples
from policylang.semantics.evaluate import Interpreter

from .conftest import NATIONAL_HEADER, only

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(REPO, "tests", "fixtures", "conflicts", "example_expectation_fails", "policies")

POLICY = NATIONAL_HEADER + """
input price: money "价格"
input selected: bool "是否中选"
input count: count "数量"
param cap: money delegated "支付标准高限"
decision payment_standard: money "支付标准" {{
    when selected then price
    otherwise min(price, cap)
}}
decision fund_pays: money "医保基金支付金额" = round(price * 80%, fen)
decision unit_price: money "单价" = price / count

example "中选产品" {{
    given selected = true
          price = 469 yuan
          count = 2
    expect {expect}
}}
"""


def policy(expect: str) -> dict:
    return {"cn/base": POLICY.format(expect=expect)}


def failures(run, expect: str):
    return [d for d in run(policy(expect)) if d.code == "PL601"]


def test_examples_that_hold_report_nothing(run):
    assert not failures(run, "fund_pays = 375.20 yuan\n           unit_price = 234.50 yuan")


def test_a_wrong_value_names_expected_and_actual(run):
    found = failures(run, "fund_pays = 375.21 yuan")
    assert len(found) == 1
    d = found[0]
    assert d.severity == "error"
    assert d.message == 'example "中选产品": expected fund_pays = 375.21 yuan, got 375.20 yuan'
    assert d.message_zh == "示例“中选产品”：期望“医保基金支付金额”（fund_pays）为 375.21元，实际算得 375.20元"
    assert d.hint and d.hint_zh
    assert d.span.line == POLICY.format(expect="X").splitlines().index("    expect X") + 1
    assert d.span.column == 12  # at the expectation, not the example
    # The rule that decided the value is the related location.
    assert d.related and "was decided by the formula of the national rule (cn/base)" in d.related[0].message
    assert "由国家级规定（cn/base）的计算公式得出" in d.related[0].message_zh


def test_the_case_that_decided_is_named(run):
    d = only(failures(run, "payment_standard = 470 yuan"), "PL601")[0]
    assert d.message.endswith("expected payment_standard = 470.00 yuan, got 469.00 yuan")
    assert "decided by case 1 of the national rule" in d.related[0].message
    assert "的第 1 种情形得出" in d.related[0].message_zh


def test_expected_to_need_a_blank_but_computed(run):
    d = only(failures(run, "payment_standard needs cap"), "PL601")[0]
    assert d.message == ('example "中选产品": expected payment_standard to need the blank cap, '
                         "got a value: 469.00 yuan")
    assert "因授权事项 cap 尚未填写而无法计算，实际却算出了结果：469.00元" in d.message_zh
    assert "expect payment_standard = 469.00 yuan" in d.hint


def test_expected_a_value_but_it_needs_a_blank(run):
    files = policy("payment_standard = 469 yuan")
    files["cn/base"] = files["cn/base"].replace("given selected = true", "given selected = false")
    d = only([x for x in run(files) if x.code == "PL601"], "PL601")[0]
    assert d.message == ('example "中选产品": expected payment_standard = 469.00 yuan, got no value: it needs '
                         "the blank cap, which no level of the chain has filled")
    assert "它需要授权事项 cap" in d.message_zh
    assert "expect payment_standard needs cap" in d.hint and "given cap = …" in d.hint


def test_an_evaluation_error_is_named(run):
    files = policy("unit_price = 1 yuan")
    files["cn/base"] = files["cn/base"].replace("count = 2", "count = 0")
    d = only([x for x in run(files) if x.code == "PL601"], "PL601")[0]
    assert d.message == 'example "中选产品": expected unit_price = 1.00 yuan, got an evaluation error: division by zero'
    assert "计算时却出错：division by zero" in d.message_zh


def test_a_blank_given_in_the_example_is_used(run):
    files = policy("payment_standard = 300 yuan")
    files["cn/base"] = files["cn/base"].replace("given selected = true", "given selected = false\n          cap = 300 yuan")
    assert not [x for x in run(files) if x.code == "PL601"]


def test_every_failing_expectation_is_reported(run):
    found = failures(run, "fund_pays = 1 yuan\n           unit_price = 2 yuan\n           payment_standard = 469 yuan")
    assert sorted(d.message.split("expected ")[1].split(" =")[0] for d in found) == ["fund_pays", "unit_price"]


def test_the_fixture_reports_the_example_that_kept_the_national_figure():
    run = check([FIXTURE])
    d = only(run.diagnostics, "PL601")[0]
    assert d.policy_id == "cn/gd/shantou/stent-2020"
    assert d.message.endswith("expected prepayment_min = 30000.00 yuan, got 40000.00 yuan")
    assert "prepayment_ratio = 40% (cn/gd/shantou/stent-2020)" in d.related[0].message


def test_check_and_test_run_one_implementation():
    """The interpreter (check) and the compiled module (test) give the same mismatches, through the same code."""
    run = check([FIXTURE])
    policy = run.resolution.policies["cn/gd/shantou/stent-2020"]
    interp = Interpreter(policy)
    by_interpreter = examples.run_examples(policy, examples.interpreter_evaluator(interp))
    module_outcomes = runner.run_examples(policy)
    assert [r.passed for r in by_interpreter] == [o.passed for o in module_outcomes] == [False, True]
    (m,), (f,) = by_interpreter[0].mismatches, module_outcomes[0].failures
    assert (m.kind, m.decision, m.span.line) == (examples.VALUE, "prepayment_min", int(f.location.split(":")[-1]))
    assert (f.expected, f.actual) == ("30000", "40000.00")


@pytest.mark.parametrize("seed", ["cn/stent-2020", "cn/gd/stent-2020", "cn/gd/chaozhou/stent-2020",
                                  "cn/hvc-2021", "cn/nm/spine-2023"])
def test_seed_examples_pass_with_both_evaluators(seed):
    run = check([os.path.join(REPO, "policies")])
    policy = run.resolution.policies[seed]
    results = examples.run_examples(policy, examples.interpreter_evaluator(Interpreter(policy)))
    assert all(r.passed for r in results), [r.mismatches for r in results if not r.passed]
    assert all(o.passed for o in runner.run_examples(policy))


def test_test_command_still_runs_a_failing_example():
    result = CliRunner().invoke(examples_command, [FIXTURE])
    assert result.exit_code == 1
    assert "examples not run" not in result.output
    assert "expect prepayment_min" in result.stdout and "1 passed, 1 failed" in result.stdout


def test_build_stops_on_a_failing_example(tmp_path):
    result = CliRunner().invoke(build_command, [FIXTURE, "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "PL601" in result.stdout
    assert not (tmp_path / "out").exists()
