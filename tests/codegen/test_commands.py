"""`policylang compile`, `eval` and `test`, and the pytest plugin, on the seed policies."""

from __future__ import annotations

import json
import shutil

import pytest

from click.testing import CliRunner

from helpers import header, write_tree
from policylang.commands.compile import compile_command
from policylang.commands.eval import eval_command
from policylang.commands.test import test_command as examples_command
from support import POLICIES

CASE = {"selected": True, "selected_price": 469, "price": "469", "in_fund_scope": True, "reimbursement_ratio": "80%",
        "agreed_amount": 100.01, "acceptance_date": "2021-01-31", "payment_date": "2021-02-28",
        "lowest_purchase_price": "469", "retention_ratio": "0.5"}
ROOT = ["--root", str(POLICIES)]


def _eval(args, stdin=None):
    return CliRunner().invoke(eval_command, args, input=stdin)


def test_eval_json_list_with_exact_values(tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([CASE, {**CASE, "acceptance_date": "2024-01-31"}]), encoding="utf-8")
    result = _eval(["cn/gd/stent-2020", "--input", str(path), "--as-of", "2021-03-01", *ROOT])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out[0]["fund_pays"] == "375.20" and out[0]["prepayment_min"] == "30.01"
    assert out[0]["listing_allowed"] is True and out[0]["retained_surplus_max"] is None
    assert out[1]["settlement_deadline"] == "2024-02-29"


def test_eval_jsonl_csv_and_stdin(tmp_path):
    lines = tmp_path / "cases.jsonl"
    lines.write_text(json.dumps(CASE) + "\n" + json.dumps({**CASE, "selected": False}) + "\n", encoding="utf-8")
    result = _eval(["cn/gd/stent-2020", "-i", str(lines), "--decision", "listing_price", *ROOT])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"listing_price": "469.00"}, {"listing_price": "469.00"}]
    table = tmp_path / "cases.csv"
    table.write_text("selected,lowest_purchase_price,selected_price\nfalse,7000.01,\ntrue,,590.5\n", encoding="utf-8")
    result = _eval([str(POLICIES / "cn/gd/stent-2020.policy"), "-i", str(table), "-d", "listing_price"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"listing_price": None}, {"listing_price": "590.50"}]
    result = _eval(["cn/nm/spine-2023", "-i", "-", "-d", "in_scope", "-d", "renewal_min_total_volume", *ROOT],
                   stdin=json.dumps({"institution_type": "public", "last_year_actual_use": 101,
                                     "last_year_agreed_volume": 80}))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"in_scope": True, "renewal_min_total_volume": 91}]


def test_eval_bad_case_and_blank_exit_1(tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([{**CASE, "price": "-3"}, {**CASE, "selected": False, "price": "6800"}]),
                    encoding="utf-8")
    result = _eval(["cn/gd/chaozhou/stent-2020", "-i", str(path), "--as-of", "2021-03-01", *ROOT])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out[0] == {"_error": out[0]["_error"]} and out[0]["_error"]["field"] == "price"
    assert out[1]["_error"]["blank"] == "nonselected_payment_cap"
    assert out[1]["_error"]["expected_level"] == "municipal" and out[1]["listing_price"] == "469.00"
    assert "case 0: price:" in result.stderr and "case 1: nonselected_payment_cap:" in result.stderr


def test_eval_explain_adds_traces(tmp_path):
    result = _eval(["cn/gd/stent-2020", "-i", "-", "-d", "listing_price", "--explain", *ROOT],
                   stdin=json.dumps({"selected": False, "lowest_purchase_price": "100"}))
    assert result.exit_code == 0, result.stderr
    steps = json.loads(result.stdout)[0]["_explain"]["listing_price"]
    assert steps[-1]["location"] == "policies/cn/gd/stent-2020.policy:40" and steps[-1]["article"] == "二"
    assert steps[-1]["level"] == "provincial"


def test_eval_usage_errors():
    assert _eval(["cn/nowhere", "-i", "-", *ROOT], stdin="{}").exit_code == 2
    assert _eval(["cn/gd/stent-2020", "-i", "-", "--as-of", "2021-13-01", *ROOT], stdin="{}").exit_code == 2
    assert _eval(["cn/gd/stent-2020", "-i", "-", *ROOT], stdin="[1, 2]").exit_code == 1


def test_compile_writes_modules(tmp_path):
    result = CliRunner().invoke(compile_command, [str(POLICIES), "-o", str(tmp_path / "py")])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "py" / "cn" / "gd" / "chaozhou" / "stent_2020.py").exists()


def test_compile_refuses_errors(tmp_path):
    root = write_tree(tmp_path, {"cn/bad": header("national") + "decision x: money = nothing_here\n"})
    result = CliRunner().invoke(compile_command, [root, "-o", str(tmp_path / "py")])
    assert result.exit_code == 1 and not (tmp_path / "py").exists()


FAILING = header("national", "2021-01-01") + """\
input price: money
decision half: money = price * 50%
example "对的" {
    given price = 3 yuan
    expect half = 1.50 yuan
}
example "错的" {
    given price = 3 yuan
    expect half = 1.49 yuan
}
"""


def test_test_command_reports_like_pytest(tmp_path):
    result = CliRunner().invoke(examples_command, [str(POLICIES)])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "policies/cn/gd/stent-2020.policy ...." in result.stdout and "passed" in result.stdout
    root = write_tree(tmp_path, {"cn/x": FAILING})
    result = CliRunner().invoke(examples_command, [root])
    assert result.exit_code == 1
    assert "policies/cn/x.policy .F" in result.stdout
    assert "policies/cn/x.policy:12: expect half" in result.stdout
    assert "expected: 1.49" in result.stdout and "actual:   1.50" in result.stdout
    assert "1 passed, 1 failed" in result.stdout
    result = CliRunner().invoke(examples_command, [root, "--lang", "zh"])
    assert result.exit_code == 1 and "policies/cn/x.policy:12：应得 half" in result.stdout
    assert "期望：1.49" in result.stdout and "实际：1.50" in result.stdout and "expect" not in result.stdout
    assert "1 个通过，1 个未通过" in result.stdout and "未通过的示例" in result.stdout


def test_pytest_plugin_collects_policy_examples(pytester):
    write_tree(pytester.path, {"cn/x": FAILING})
    shutil.copytree(POLICIES, pytester.path / "seeds" / "policies")
    result = pytester.runpytest("policies", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*expected: 1.49*"])
    result = pytester.runpytest("seeds/policies", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=20)  # the seeds' examples (cn/hvc-2021 states no rule, so has none)
    # A plain run over a folder that is not a policy tree leaves the .policy files alone.
    (pytester.path / "tests").mkdir()
    shutil.copytree(pytester.path / "policies", pytester.path / "tests" / "fixture" / "policies")
    pytester.makepyfile(test_plain="def test_ok():\n    assert True\n")
    result = pytester.runpytest("tests", "test_plain.py", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_pytest_collects_the_project_policy_tree_by_default(pytester):
    """A plain `pytest` in a project with policies/ runs the examples (as the README says)."""
    write_tree(pytester.path, {"cn/x": FAILING})
    (pytester.path / "tests" / "fixture").mkdir(parents=True)
    shutil.copytree(pytester.path / "policies", pytester.path / "tests" / "fixture" / "policies")
    pytester.makepyfile(test_plain="def test_ok():\n    assert True\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    # policies/cn/x.policy: 1 passed, 1 failed; test_plain: 1 passed; the fixture copy is left alone.
    result.assert_outcomes(passed=2, failed=1)
    # Named on the command line, the tree is collected once, not twice.
    result = pytester.runpytest("policies", "policies/cn", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    # A project whose testpaths leave policies/ out keeps to them.
    pytester.makeini("[pytest]\ntestpaths = tests test_plain.py\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("value, outcomes", [("false", {"passed": 1}), ("off", {"passed": 1}),
                                             ("auto", {"passed": 2, "failed": 1}),
                                             ("true", {"passed": 3, "failed": 2})])
def test_pytest_collection_switch(pytester, value, outcomes):
    write_tree(pytester.path, {"cn/x": FAILING})
    (pytester.path / "fixture").mkdir()
    shutil.copytree(pytester.path / "policies", pytester.path / "fixture" / "policies")
    pytester.makepyfile(test_plain="def test_ok():\n    assert True\n")
    pytester.makeini(f"[pytest]\npolicylang_examples = {value}\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(**outcomes)
    # Whatever the switch, a tree named on the command line is collected.
    result = pytester.runpytest("policies", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)


def test_pytest_policylang_table_marks_the_project(pytester):
    """The rootdir may be a subfolder (its own ini file); [tool.policylang] above it marks the project."""
    write_tree(pytester.path, {"cn/x": FAILING})
    (pytester.path / "pyproject.toml").write_text('[tool.policylang]\nlang = "en"\n')
    sub = pytester.path / "checks"
    sub.mkdir()
    (sub / "pytest.ini").write_text("[pytest]\n")
    result = pytester.runpytest("--rootdir", str(sub), str(pytester.path), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)


def test_pytest_collection_switch_rejects_nonsense(pytester):
    write_tree(pytester.path, {"cn/x": FAILING})
    pytester.makeini("[pytest]\npolicylang_examples = maybe\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret != 0
    assert "policylang_examples" in "\n".join(result.outlines + result.errlines)
