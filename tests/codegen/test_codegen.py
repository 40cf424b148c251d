"""The generated evaluator modules: golden output, determinism, standalone import, validation,
blanks, explanations, hostile names and strings, refusal of policies with errors."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import assert_golden, header, write_tree
from policylang.backends.pycodegen import (
    CodegenError,
    comment_text,
    generate_module,
    module_relpath,
    python_names,
    write_modules,
)
from support import POLICIES, compile_module, resolve_tree

GOLDEN = Path(__file__).parent / "golden" / "cn_gd_stent_2020.py.txt"
STENT = {
    "selected": True, "selected_price": "469", "price": "469", "in_fund_scope": True, "reimbursement_ratio": "80%",
    "agreed_amount": "100.01", "acceptance_date": "2021-01-31", "payment_date": "2021-02-28",
    "lowest_purchase_price": "469", "retention_ratio": "50%", "fund_savings": "1000.05",
    "assessment_passed": True,
}


@pytest.fixture(scope="module")
def seeds():
    return resolve_tree(POLICIES)


@pytest.fixture(scope="module")
def gd(seeds):
    return compile_module(seeds["cn/gd/stent-2020"])


def test_golden_module(seeds):
    source = generate_module(seeds["cn/gd/stent-2020"])
    assert_golden(GOLDEN, source)


def test_generation_is_deterministic(seeds):
    for policy in seeds.values():
        if not policy.has_errors:
            assert generate_module(policy) == generate_module(policy)
    again = resolve_tree(POLICIES)
    assert generate_module(again["cn/nm/spine-2023"]) == generate_module(seeds["cn/nm/spine-2023"])


def test_readable_layout(seeds):
    source = generate_module(seeds["cn/gd/stent-2020"])
    assert "policies/cn/gd/stent-2020.policy:39" in source  # file:line comments, relative paths
    assert "/work/" not in source and "\t" not in source
    assert "# case 1, policies/cn/gd/stent-2020.policy:39: 中选品种按中选价格挂网" in source
    assert "cn/stent-2020" in source.split('"""')[1]  # the docstring names the chain
    assert "粤医保发〔2020〕42号" in source.split('"""')[1]
    assert "\nimport policylang" not in source and "\nfrom policylang" not in source


def test_write_modules_makes_an_importable_package(seeds, tmp_path):
    policies = [p for p in seeds.values() if not p.has_errors]
    written = write_modules(policies, str(tmp_path / "out"))
    assert str(tmp_path / "out" / "cn" / "gd" / "stent_2020.py") in written
    assert (tmp_path / "out" / "cn" / "gd" / "__init__.py").exists()
    assert module_relpath("cn/gd/stent-2020") == "cn/gd/stent_2020.py"
    script = (
        "import sys, datetime\n"
        "assert not any('policylang' in p for p in sys.path)\n"
        "import out.cn.gd.stent_2020 as m\n"
        "r = m.evaluate({'selected': True, 'selected_price': '469', 'price': '469',"
        " 'in_fund_scope': True, 'reimbursement_ratio': '80%', 'agreed_amount': '100.01', 'acceptance_date': '2021-01-31',"
        " 'payment_date': '2021-02-28', 'lowest_purchase_price': '469', 'retention_ratio': '0.5'},"
        " as_of=datetime.date(2021, 3, 1))\n"
        "print(r.fund_pays, r.prepayment_min, r.settlement_deadline, r.retained_surplus_max)\n"
        "print(m.listing_price({'selected': False, 'lowest_purchase_price': '7000'}))\n"
        "print(sorted(k for k in sys.modules if k.split('.')[0] in ('policylang', 'attrs', 'lark')))\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-S", "-c", script], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["375.20 30.01 2021-02-28 None", "7000.00", "[]"]


def test_values_and_money_rounding(gd):
    r = gd.evaluate(STENT, as_of=dt.date(2021, 3, 1))
    assert r.fund_pays == Decimal("375.20") and str(r.patient_pays) == "93.80"
    assert str(r.prepayment_min) == "30.01"  # 100.01 x 30% = 30.003, rounded up to the fen
    assert str(r.retained_surplus_max) == "500.02"  # 1000.05 x 50% = 500.025, rounded down
    assert r.settlement_deadline == dt.date(2021, 2, 28) and r.settlement_on_time is True
    assert gd.settlement_deadline({**STENT, "acceptance_date": "2024-01-31"}) == dt.date(2024, 2, 29)
    assert gd.listing_price({"selected": False, "lowest_purchase_price": "7000.01"}) is None


@pytest.mark.parametrize("field,value,expected", [
    ("price", "-1", "negative"),
    ("price", "1.001", "fractions of a fen"),
    ("price", "NaN", "must be an amount"),
    ("price", float("inf"), "finite"),
    ("price", "abc", "amount in yuan"),
    ("reimbursement_ratio", "120%", "outside 0%"),
    ("selected", "maybe", "true or false"),
    ("acceptance_date", "2021-02-30", "YYYY-MM-DD"),
    ("acceptance_date", "2021/01/31", "YYYY-MM-DD"),
    ("prise", "1", "not an input"),
    ("price", None, "has no value"),
])
def test_input_errors_name_the_field(gd, field, value, expected):
    case = {**STENT, field: value}
    with pytest.raises(gd.InputError) as caught:
        gd.evaluate(case, as_of=dt.date(2021, 3, 1))
    assert caught.value.field == field and expected in caught.value.message
    assert caught.value.to_dict()["error"] == "invalid_input"


def test_unknown_enum_member(seeds):
    spine = compile_module(seeds["cn/nm/spine-2023"])
    with pytest.raises(spine.InputError) as caught:
        spine.in_scope({"institution_type": "publik"})
    assert caught.value.field == "institution_type" and "did you mean 'public'" in caught.value.message
    assert spine.in_scope({"institution_type": "private_other"}) is False


def test_missing_input_only_when_read(gd):
    assert gd.listing_price({"selected": True, "selected_price": "469"}) == Decimal("469.00")
    with pytest.raises(gd.InputError) as caught:
        gd.listing_price({"selected": False})
    assert caught.value.field == "lowest_purchase_price" and caught.value.decision == "listing_price"
    assert "needed by 'listing_price'" in caught.value.message


def test_blank_not_filled_names_the_blank_and_level(seeds):
    chaozhou = compile_module(seeds["cn/gd/chaozhou/stent-2020"])
    case = {**STENT, "selected": False, "price": "6800"}
    with pytest.raises(chaozhou.BlankNotFilled) as caught:
        chaozhou.patient_pays(case)
    exc = caught.value
    assert (exc.blank, exc.expected_level, exc.delegated_by) == ("nonselected_payment_cap", "municipal",
                                                                 "cn/gd/stent-2020")
    supplied = chaozhou.patient_pays({**case, "nonselected_payment_cap": "3000.01", "reimbursement_ratio": "67%"})
    assert supplied == Decimal("4789.99")  # 6800 - round(3000.01 x 67%) = 6800 - 2010.01
    assert chaozhou.BLANKS["nonselected_payment_cap"] == "municipal"


def test_explanations_give_rule_level_location_and_article(gd):
    case = {**STENT, "selected": False, "lowest_purchase_price": "7000", "nonselected_payment_cap": "5000"}
    r = gd.evaluate(case, as_of=dt.date(2021, 3, 1))
    steps = r.trace["listing_price"]
    rule = steps[-1]
    assert (rule.kind, rule.detail, rule.level, rule.policy_id) == ("rule", "case 2", "provincial", "cn/gd/stent-2020")
    assert (rule.path, rule.line, rule.article) == ("policies/cn/gd/stent-2020.policy", 40, "二")
    assert any(s.kind == "param" and s.name == "nonselected_listing_cap" for s in r.trace["listing_allowed"])
    text = r.explain()
    assert "listing_price = 7000.00" in text and "policies/cn/gd/stent-2020.policy:40" in text
    eager = gd.evaluate(case, as_of=dt.date(2021, 3, 1), explain=True)
    assert eager.trace == r.trace and eager == r


HOSTILE = header("national", "2021-01-01", title='危险 \\"\\"\\" \\\\ 标题') + '''\
summary "line one\\nline two \\u2028 \\u2029 end \\"\\"\\" \\\\"
enum Kind "种类 \\"\\"\\"" { class "类 \\u2028", def "x\\ny" }
input __import__: money "双下划线 \\" ) ; import os"
input class_: Kind
input print: bool "内置名"
input 名称: count "中文名"
input ﬁle_count: count "NFKC 合字：读作 file_count（PL114）"
input file: count
input aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: count
param evaluate: money fixed 3 yuan "与模块函数同名"
decision Result: money "\\"\\"\\" \\u2028 # not a comment" article "一\\n二" =
    __import__ + evaluate
decision self: text "自身" {
    when class_ == class then "有引号 ' \\" 和 \\\\ 反斜杠 \\u2028"
    otherwise "x"
}
decision 结果: count = 名称 + ﬁle_count + file + aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
decision v: bool = print
'''


def test_hostile_names_and_strings_compile_import_and_behave(tmp_path):
    root = write_tree(tmp_path, {"cn/evil-1": HOSTILE})
    policies = resolve_tree(root)
    policy = policies["cn/evil-1"]
    assert not policy.has_errors
    source = generate_module(policy)
    for line in source.splitlines():
        assert "\u2028" not in line and "\u2029" not in line
    written = write_modules([policy], str(tmp_path / "out"))
    module = compile_module(policy)
    assert "file_count" in policy.inputs and "ﬁle_count" not in policy.inputs  # read in NFKC form
    case = {"__import__": "1.50", "class_": "class", "print": True, "名称": 1, "file_count": 2, "file": 3,
            "a" * 110: 4}
    result = module.evaluate(case, as_of=dt.date(2021, 1, 1))
    values = result.as_dict()
    assert values["Result"] == Decimal("4.50")
    assert values["self"] == "有引号 ' \" 和 \\ 反斜杠 \u2028"
    assert values["结果"] == 10 and values["v"] is True
    assert module.TITLE == '危险 """ \\ 标题'
    assert callable(module.evaluate)  # the parameter named 'evaluate' did not replace the function
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-S", "-c", "import out.cn.evil_1 as m; print(m.DECISIONS)"],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert any(p.endswith("evil_1.py") for p in written)


def test_safe_names_and_comments():
    names = python_names(["price", "class", "__import__", "名称", "ﬁle", "file", "evaluate", "x" * 200, "n_1"])
    assert names["price"] == "price" and names["名称"] == "名称" and names["file"] == "file"
    assert len(set(names.values())) == len(names)
    for original in ("class", "__import__", "ﬁle", "evaluate", "x" * 200):
        assert names[original].startswith("n_") and names[original].isidentifier()
    assert python_names(["class", "a"]) == python_names(["a", "class"])
    assert "\n" not in comment_text("a\nb\u2028c\rd") and "\u2028" not in comment_text("\u2028")


def test_refuses_a_policy_with_errors(tmp_path):
    root = write_tree(tmp_path, {"cn/bad": header("national") + "decision x: money = nothing_here\n"})
    policy = resolve_tree(root)["cn/bad"]
    assert policy.has_errors
    with pytest.raises(CodegenError):
        generate_module(policy)


def test_evaluate_takes_the_one_pass_path_for_usual_cases(gd):
    """The usual case is validated by _validate_fast() and decided by _decide_fast() (no fallback);
    both agree with the lazy path (_read_inputs(), then _Run)."""
    as_of = dt.date(2021, 3, 1)
    values = gd._validate_fast(dict(STENT))
    assert values == gd._read_inputs(STENT, gd._INPUT_SPECS, gd.POLICY_ID)
    fast = gd._decide_fast(values, as_of)
    lazy = gd._evaluate(values, as_of, False)[0]
    assert fast == lazy and fast.as_dict() == lazy.as_dict()
    assert fast.trace == gd.evaluate(STENT, as_of=as_of, explain=True).trace  # explained on demand
    typed = {**STENT, "price": Decimal("469"), "acceptance_date": dt.date(2021, 1, 31), "selected_price": 469}
    assert gd._decide_fast(gd._validate_fast(typed), as_of).as_dict() == fast.as_dict()


def test_one_pass_path_leaves_errors_and_missing_inputs_to_the_lazy_evaluator(gd):
    as_of = dt.date(2021, 3, 1)
    partial = {"selected": True, "selected_price": "469"}  # enough for the listing decisions only
    with pytest.raises(KeyError):
        gd._decide_fast(gd._validate_fast(partial), as_of)
    with pytest.raises(gd.InputError):
        gd._validate_fast({**STENT, "price": "-1"})
    with pytest.raises(Exception):
        gd._validate_fast({**STENT, "unknown": 1})
    with pytest.raises(gd.InputError) as caught:
        gd.evaluate(partial, as_of=as_of)
    assert caught.value.field == "price" and caught.value.decision == "fund_pays"
    # two bad inputs: the first in the caller's order is reported, as the interpreter does
    with pytest.raises(gd.InputError) as caught:
        gd.evaluate({**STENT, "price": "-1", "selected_price": "x"}, as_of=as_of)
    assert caught.value.field == "selected_price"
    with pytest.raises(gd.InputError) as caught:
        others = {k: v for k, v in STENT.items() if k not in ("price", "selected_price")}
        gd.evaluate({"price": "-1", **others, "selected_price": "x"}, as_of=as_of)
    assert caught.value.field == "price"
    # a non-selected product without the blank the province left open
    with pytest.raises(gd.BlankNotFilled) as caught:
        gd.evaluate({**STENT, "selected": False}, as_of=as_of)
    assert caught.value.blank == "nonselected_payment_cap" and caught.value.decision == "payment_standard"


def test_validated_inputs_are_evaluated_without_being_checked_again(gd):
    values = gd.validate(STENT)
    assert isinstance(values, gd.Validated)
    assert values["price"] == Decimal("469.00") and values["acceptance_date"] == dt.date(2021, 1, 31)
    assert gd.validate(values) is values
    with pytest.raises(TypeError):
        values["price"] = Decimal("1.00")  # results keep their inputs: they cannot change under them
    import copy

    assert copy.deepcopy(values) == values and type(copy.copy(values)) is gd.Validated
    changed = gd.validate({**values.copy(), "price": Decimal("500")})
    assert changed["price"] == Decimal("500.00") and values["price"] == Decimal("469.00")
    for as_of in (dt.date(2021, 3, 1), dt.date(2024, 2, 29)):
        assert gd.evaluate(values, as_of=as_of) == gd.evaluate(STENT, as_of=as_of)
        assert gd.evaluate(values, as_of=as_of, explain=True).trace == gd.evaluate(STENT, as_of=as_of).trace
    assert gd.fund_pays(values, as_of=dt.date(2021, 3, 1)) == gd.evaluate(STENT, as_of=dt.date(2021, 3, 1)).fund_pays
    assert gd.decide(values, ["patient_pays"], as_of=dt.date(2021, 3, 1))[0] == {"patient_pays": Decimal("93.80")}
    with pytest.raises(gd.InputError) as caught:
        gd.validate({**STENT, "price": "12.345"})
    assert caught.value.field == "price"
    with pytest.raises(gd.InputError) as caught:
        gd.validate({**STENT, "prices": "1"})
    assert caught.value.field == "prices"
    # a decision that needs an input the validated values lack still says which one
    partial = gd.validate({"selected": True, "selected_price": "469"})
    with pytest.raises(gd.InputError) as caught:
        gd.evaluate(partial, as_of=dt.date(2021, 3, 1))
    assert caught.value.field == "price" and caught.value.decision == "fund_pays"


def test_constant_formulas_are_computed_when_generated(tmp_path):
    root = write_tree(tmp_path, {"cn/c": header("national") + (
        "param start: date fixed 2023-04-26\n"
        "param cycle: duration fixed 3 years\n"
        "decision cycle_end: date = start + cycle - 1 days\n"
        "decision in_force: bool = start <= as_of and as_of <= cycle_end\n"
        "decision overflow: date = start + 9000 years\n")})
    policy = resolve_tree(root)["cn/c"]
    source = generate_module(policy)
    fast = source[source.index("def _decide_fast"):source.index("_DECISION_METHODS = {")]
    assert "cycle_end = _DATE_2026_04_25" in fast and "computed once" in fast
    assert "overflow = _DATE" not in fast  # a formula that fails is left to fail at run time
    module = compile_module(policy)
    with pytest.raises(module.EvaluationError) as caught:
        module.evaluate({}, as_of=dt.date(2024, 1, 1))
    assert caught.value.decision == "overflow" and "outside the calendar" in caught.value.message
    assert module.cycle_end({}, as_of=dt.date(2024, 1, 1)) == dt.date(2026, 4, 25)
    assert module.decide({}, ["in_force"], as_of=dt.date(2026, 4, 26))[0] == {"in_force": False}


@pytest.mark.parametrize("day, months, expected", [
    (dt.date(2021, 1, 31), 1, dt.date(2021, 2, 28)),
    (dt.date(2024, 1, 15), 1, dt.date(2024, 2, 29)),
    (dt.date(2100, 1, 1), 1, dt.date(2100, 2, 28)),
    (dt.date(2000, 1, 1), 1, dt.date(2000, 2, 29)),
    (dt.date(2021, 11, 30), 2, dt.date(2022, 1, 31)),
    (dt.date(2021, 3, 31), -1, dt.date(2021, 2, 28)),
    (dt.date(2021, 12, 1), 0, dt.date(2021, 12, 31)),
])
def test_end_of_the_month_after_is_the_interpreters(gd, day, months, expected):
    from policylang.semantics.evaluate import add_months, end_of_month

    assert gd._month_end_after(day, months) == end_of_month(add_months(day, months)) == expected
