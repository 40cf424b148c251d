"""Evaluating on a day the policy is not in force is an error naming the policy in force then; a
result carries the requirements it breaks on its day (result.violations), in the interpreter, the
compiled module and `policylang eval`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "codegen"))

from helpers import header, write_tree  # noqa: E402
from policylang.cli import _register_commands, cli  # noqa: E402
from policylang.semantics.evaluate import Interpreter, NotInForce  # noqa: E402
from support import POLICIES, compile_module, resolve_tree  # noqa: E402

SEEDS = resolve_tree(POLICIES)
CHAOZHOU = "cn/gd/chaozhou/stent-2020"
NONSELECTED = dict(selected=False, selected_price=469, price=1600, in_fund_scope=True, reimbursement_ratio="80%", agreed_amount=0,
                   acceptance_date="2023-01-05", payment_date="2023-01-30", lowest_purchase_price=1600,
                   nonselected_payment_cap=1500)  # the highest selected price is the national 798 yuan
# the line of the national two-year requirement, as locations print it
TWO_YEARS = "policies/cn/stent-2020.policy:%d" % next(
    n for n, line in enumerate((POLICIES / "cn" / "stent-2020.policy").read_text(encoding="utf-8").splitlines(), 1)
    if line.startswith("require cap_within_highest_selected:"))


@pytest.fixture(scope="module")
def chaozhou():
    policy = SEEDS[CHAOZHOU]
    return Interpreter(policy), compile_module(policy)


def test_two_year_requirement_is_a_violation_after_the_deadline(chaozhou):
    interp, module = chaozhou
    day = dt.date(2023, 1, 10)
    result = interp.evaluate(NONSELECTED, day)
    assert result.values["payment_standard"] == 1500  # the value is still given
    (v,) = result.violations
    assert (v.requirement, v.article, v.policy_id, v.deadline) == (
        "cap_within_highest_selected", "二(三)", "cn/stent-2020", dt.date(2022, 12, 15))
    assert "not met on 2023-01-10, due by 2022-12-15, article 二(三)" in v.message
    compiled = module.evaluate(NONSELECTED, as_of=day)
    assert str(compiled.payment_standard) == "1500.00"
    (c,) = compiled.violations
    assert c.to_dict()["location"] == TWO_YEARS
    assert (c.requirement, c.article, c.message) == (v.requirement, v.article, v.message)
    assert "violation: the requirement" in compiled.explain()
    assert module.violations(NONSELECTED, as_of=day) == compiled.violations


def test_no_violation_before_the_deadline_or_when_the_requirement_holds_or_cannot_be_judged(chaozhou):
    interp, module = chaozhou
    before = dt.date(2022, 12, 14)
    assert interp.evaluate(NONSELECTED, before).violations == ()
    assert module.evaluate(NONSELECTED, as_of=before).violations == ()
    met = dict(NONSELECTED, nonselected_payment_cap=798)
    assert interp.evaluate(met, dt.date(2023, 6, 1)).violations == ()
    assert module.evaluate(met, as_of=dt.date(2023, 6, 1)).violations == ()
    # Without the city's cap (a blank Chaozhou leaves) the requirement cannot be judged: no violation.
    unknown = {k: v for k, v in NONSELECTED.items() if k != "nonselected_payment_cap"}
    assert module.violations(unknown, as_of=dt.date(2023, 6, 1)) == ()


def test_before_its_effective_date_the_error_names_the_level_in_force(chaozhou):
    interp, module = chaozhou
    for evaluate in (lambda day: interp.evaluate(NONSELECTED, day),
                     lambda day: module.evaluate(NONSELECTED, as_of=day),
                     lambda day: module.payment_standard(NONSELECTED, as_of=day),
                     lambda day: module.decide_each(NONSELECTED, as_of=day)):
        with pytest.raises(Exception) as info:
            evaluate(dt.date(2020, 12, 26))
        assert type(info.value).__name__ == "NotInForce"
        assert info.value.in_force == "cn/gd/stent-2020" and info.value.field == "as_of"
        assert str(info.value) == ("cn/gd/chaozhou/stent-2020 is not in force on 2020-12-26: it takes effect on "
                                   "2020-12-28; on 2020-12-26 the policy in force is cn/gd/stent-2020 (provincial)")
        with pytest.raises(Exception) as info:
            evaluate(dt.date(2020, 12, 1))
        assert info.value.in_force is None
        assert "no policy of its tree is in force in its region on 2020-12-01" in str(info.value)


TREE = {
    "cn/a": header("national", "2021-01-01") + "input price: money\nparam cap: money ceiling 100 yuan\n"
                                                "decision pay: money = min(price, cap)\n",
    "cn/gd/a": header("provincial", "2021-02-01", extends="cn/a") + "ends 2021-12-31\n"
               "override param cap: money ceiling 90 yuan because \"本省\"\n",
    "cn/gd/a-2022": header("provincial", "2022-01-01", extends="cn/a") +
                    "override param cap: money ceiling 80 yuan because \"新通知\"\n",
    "cn/gd/sz/a": header("municipal", "2021-03-01", extends="cn/gd/a"),
}


def test_after_its_end_date_the_error_names_its_successor(tmp_path):
    policies = resolve_tree(write_tree(tmp_path, TREE))
    for pid, day, expected in [("cn/gd/a", dt.date(2022, 3, 1), "cn/gd/a-2022"),
                               ("cn/gd/a", dt.date(2021, 1, 15), "cn/a"),
                               ("cn/gd/sz/a", dt.date(2021, 2, 15), "cn/gd/a")]:
        policy = policies[pid]
        with pytest.raises(NotInForce) as want:
            Interpreter(policy).evaluate({"price": 50}, day)
        assert want.value.in_force == expected
        module = compile_module(policy)
        with pytest.raises(module.NotInForce) as have:
            module.evaluate({"price": 50}, as_of=day)
        assert (have.value.message, have.value.in_force) == (want.value.message, expected)
    assert "it ended on 2021-12-31; on 2022-03-01 the policy in force is cn/gd/a-2022 (provincial)" in \
        str(NotInForce("cn/gd/a", dt.date(2022, 3, 1), dt.date(2021, 2, 1), dt.date(2021, 12, 31),
                       "cn/gd/a-2022", "provincial"))
    assert Interpreter(policies["cn/gd/a"]).evaluate({"price": 95}, dt.date(2021, 12, 31)).values["pay"] == 90


def test_eval_command_prints_violations_and_the_error(tmp_path):
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(NONSELECTED), encoding="utf-8")
    _register_commands()
    runner = CliRunner()
    result = runner.invoke(cli, ["eval", CHAOZHOU, "-i", str(cases), "--as-of", "2023-01-10", "--explain",
                                  "--root", str(POLICIES)])
    assert result.exit_code == 0, result.output
    (out,) = json.loads(result.stdout)
    assert out["payment_standard"] == "1500.00" and "_explain" in out
    (v,) = out["_violations"]
    assert v["requirement"] == "cap_within_highest_selected" and v["article"] == "二(三)"
    assert v["location"] == TWO_YEARS and v["deadline"] == "2022-12-15"
    result = runner.invoke(cli, ["--lang", "zh", "eval", CHAOZHOU, "-i", str(cases), "--as-of", "2020-12-26",
                                  "--root", str(POLICIES)])
    assert result.exit_code == 1
    assert json.loads(result.stdout)[0]["_error"]["error"] == "not_in_force"
    assert "不在施行期内" in result.stderr and "当日施行的是 cn/gd/stent-2020" in result.stderr
