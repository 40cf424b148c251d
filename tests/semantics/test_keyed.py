"""Keyed params (分类参数): one value per member of an enum input, each key with its own kind and
bound, inherited, overridden, filled and scheduled key by key; the binding checker holds each key
to the parent's same key; the interpreter and the compiled module read the key of the input."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest

from helpers import header, write_tree
from policylang.backends.pycodegen import compile_module
from policylang.pipeline import check
from policylang.semantics import judgment as J
from policylang.semantics.checks import binding
from policylang.semantics.checks.common import CheckContext
from policylang.semantics.evaluate import BlankNotFilled, Interpreter
from policylang.semantics.explain import explain_item, render_explain_text
from policylang.syntax.formatter import format_source

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(REPO, "tests", "fixtures", "binding")

NATIONAL = header("national", "2021-01-01") + """\
enum Material "支架材质" { stainless "不锈钢", other "其他材质" }
enum Rating "考核等级" { excellent "优秀", passing "合格", failing "不合格" }
input material: Material "支架材质"
input rating: Rating "考核等级"
input price: money "实际价格"
input savings: money "节约额"
param payment_cap: money by material "非中选产品支付标准高限" article "三" {
    stainless: ceiling 798 yuan "不锈钢支架"
    other: ceiling 5000 yuan "其他材质支架"
}
param retention: percent by rating "结余留用比例" article "四" {
    excellent: delegated at most 50% "考核优秀"
    passing: delegated at most 40% "考核合格"
    failing: fixed 0%
}
decision payment_standard: money ceiling "支付标准" = min(price, payment_cap)
decision retained: money "结余留用金额" = round(savings * retention, fen, down)
decision stainless_cap_plus: money = payment_cap.stainless + 2 yuan
"""

PROVINCE = header("provincial", "2021-03-01", "cn/x") + """\
override param retention: percent by rating because "本省按考核等级确定留用比例" {
    excellent: fixed 50%
    passing: fixed 40%
}
schedule payment_cap.other "逐步调整" {
    from 2022-01-01: 3000 yuan
}
"""


def _tree(tmp_path, files):
    root = write_tree(tmp_path, files)
    run = check([root], cache=False)
    return run, run.resolution.policies


def test_each_key_is_read_by_the_enum_input_and_by_name(tmp_path):
    run, policies = _tree(tmp_path, {"cn/x": NATIONAL, "cn/gd/x": PROVINCE})
    assert not [d for d in run.diagnostics if d.severity == "error"], [d.message for d in run.diagnostics]
    gd = policies["cn/gd/x"]
    assert set(gd.keyed) == {"payment_cap", "retention"}
    assert gd.keyed["payment_cap"].keys == ("stainless", "other")
    interp = Interpreter(gd)
    base = {"price": "6000", "savings": "1000", "rating": "excellent"}

    def run_on(as_of, **extra):
        return interp.evaluate({**base, **extra}, dt.date.fromisoformat(as_of)).values

    assert run_on("2021-06-01", material="stainless")["payment_standard"] == Decimal("798.00")
    assert run_on("2021-06-01", material="other")["payment_standard"] == Decimal("5000.00")
    assert run_on("2022-06-01", material="other")["payment_standard"] == Decimal("3000.00")  # the key's schedule
    assert run_on("2022-06-01", material="stainless")["payment_standard"] == Decimal("798.00")
    assert run_on("2021-06-01", material="other")["retained"] == Decimal("500.00")
    assert run_on("2021-06-01", material="other", rating="passing")["retained"] == Decimal("400.00")
    assert run_on("2021-06-01", material="other", rating="failing")["retained"] == Decimal("0.00")
    assert run_on("2021-06-01", material="other")["stainless_cap_plus"] == Decimal("800.00")


def test_a_key_left_unfilled_is_a_blank_named_by_its_key(tmp_path):
    _, policies = _tree(tmp_path, {"cn/x": NATIONAL})
    national = policies["cn/x"]
    assert {p.name for p in national.blanks} == {"retention.excellent", "retention.passing"}
    interp = Interpreter(national)
    inputs = {"price": "100", "savings": "1000", "material": "other", "rating": "passing"}
    with pytest.raises(BlankNotFilled) as info:
        interp.evaluate(inputs, dt.date(2021, 6, 1), ["retained"])
    assert "retention.passing" in str(info.value)
    # the failing key is fixed, so no blank is needed for it
    values = interp.evaluate({**inputs, "rating": "failing"}, dt.date(2021, 6, 1), ["retained"]).values
    assert values["retained"] == Decimal("0.00")
    # a caller supplies the blank under the key's name
    values = interp.evaluate({**inputs, "retention.passing": "30%"}, dt.date(2021, 6, 1), ["retained"]).values
    assert values["retained"] == Decimal("300.00")


def test_compiled_module_equals_interpreter_on_every_key(tmp_path):
    _, policies = _tree(tmp_path, {"cn/x": NATIONAL, "cn/gd/x": PROVINCE})
    gd = policies["cn/gd/x"]
    module = compile_module(gd)
    source = module.__policylang_source__ if hasattr(module, "__policylang_source__") else ""
    interp = Interpreter(gd)
    for material in ("stainless", "other"):
        for rating in ("excellent", "passing", "failing"):
            for day in (dt.date(2021, 6, 1), dt.date(2022, 6, 1)):
                inputs = {"price": "6000", "savings": "999.99", "material": material, "rating": rating}
                mine = module.evaluate(inputs, as_of=day).as_dict()
                assert mine == interp.evaluate(inputs, day).values
    assert source == "" or "payment_cap__stainless" in source


def test_loosening_one_key_is_reported_with_a_counterexample_and_tightening_is_proved(tmp_path):
    # A city reads the other-material cap for every material: for a stainless-steel stent it pays
    # above the province's 798 yuan key (PL317, with the input that shows it).
    loose = check([os.path.join(FIXTURES, "keyed_cap_loosened", "policies")], cache=False)
    errors = [d for d in loose.diagnostics if d.severity == "error"]
    assert [d.code for d in errors] == ["PL317"]
    d = errors[0]
    assert "material = stainless" in d.message and "798 yuan" in d.message and "例如" in d.message_zh
    assert d.span.file.replace(os.sep, "/").endswith("cn/gd/shenzhen/stent-2020.policy")

    # A key raised directly is PL305 at that key, the province's key as the related location.
    city = header("municipal", "2021-03-01", "cn/gd/x") + (
        'override param payment_cap: money by material because "本市提高其他材质支架高限" {\n'
        '    other: ceiling 6000 yuan\n}\n')
    run, _ = _tree(tmp_path, {"cn/x": NATIONAL, "cn/gd/x": PROVINCE, "cn/gd/sz/x": city})
    errors = [d for d in run.diagnostics if d.severity == "error"]
    # above the province's key, and above the step of the province's schedule of that key
    assert {d.code for d in errors} == {"PL305"}
    for d in errors:
        assert "payment_cap.other" in d.message and "6000 yuan" in d.message
        assert d.span.line == 6 and d.related and d.related[0].span.file != d.span.file

    tight = check([os.path.join(FIXTURES, "keyed_cap_tightened", "policies")], cache=False)
    assert not [d for d in tight.diagnostics if d.severity == "error"]
    ctx = CheckContext(tight.workspace, tight.resolution)
    binding.check(ctx)
    proofs = [p for p in ctx.proofs.values() if p.policy_id == "cn/gd/shenzhen/stent-2020"]
    assert proofs and {p.verdict for p in proofs} <= {J.TIGHTENED, J.RESTATED}


def test_explain_shows_each_key():
    run = check([os.path.join(FIXTURES, "keyed_cap_tightened", "policies")], cache=False)
    data = explain_item(run.resolution, "cn/gd/shenzhen/stent-2020", "material_payment_cap")
    assert data["kind"] == "keyed" and data["key_input"] == "material"
    assert [k["item"] for k in data["keys"]] == ["material_payment_cap.stainless", "material_payment_cap.other"]
    text = render_explain_text(data)
    assert "by material" in text and "ceiling 798 yuan" in text and "ceiling 3000 yuan" in text
    assert "按 material 分别取值" in render_explain_text(data, "zh")


@pytest.mark.parametrize("source, key", [
    ("param cap: money by material { stainless: fixed 1 yuan, steel: fixed 2 yuan }", "PL230"),
    ("param cap: money by material { stainless: fixed 1 yuan }", "PL230"),
    ("param cap: money by price { stainless: fixed 1 yuan, other: fixed 2 yuan }", "PL230"),
    ("param cap: money by material { stainless: fixed 1 yuan, other: fixed 2 yuan }\n"
     "param twice: money fixed cap * 2", "PL230"),
    ("param cap: money by material { stainless: fixed 1 yuan, other: fixed 2 yuan }\n"
     "param third: money fixed cap.plastic", "PL230"),
    ("param cap: money by material { stainless: fixed 1 yuan, other: fixed 2 yuan }\n"
     "param ok: money fixed cap.other * 2", None),
])
def test_keyed_mistakes_are_pl230_in_both_languages(tmp_path, source, key):
    text = header("national") + ('enum Material { stainless, other }\ninput material: Material\n'
                                 'input price: money\n' + source + "\n")
    run, _ = _tree(tmp_path, {"cn/x": text})
    found = [d for d in run.diagnostics if d.code.startswith("PL2") and d.severity == "error"]
    if key is None:
        assert not found, [d.message for d in found]
    else:
        assert {d.code for d in found} == {key}, [d.message for d in found]
        assert found[0].message_zh and found[0].message_zh != found[0].message


def test_a_child_may_not_unkey_or_rekey(tmp_path):
    child = header("provincial", "2021-03-01", "cn/x") + (
        'override param payment_cap: money ceiling 700 yuan because "x"\n')
    run, _ = _tree(tmp_path, {"cn/x": NATIONAL, "cn/gd/x": child})
    assert "PL230" in {d.code for d in run.diagnostics}
    rekey = header("provincial", "2021-03-01", "cn/x") + (
        'override param payment_cap: money by rating because "x" { excellent: ceiling 700 yuan }\n')
    run, _ = _tree(tmp_path / "b", {"cn/x": NATIONAL, "cn/gd/x": rekey})
    assert "PL230" in {d.code for d in run.diagnostics}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_keyed_params_round_trip_through_the_formatter(lang):
    for source in (NATIONAL, PROVINCE):
        once, diags = format_source(source, keywords=lang)
        assert once is not None, [d.message for d in diags]
        assert format_source(once, keywords=lang)[0] == once
        assert format_source(once, keywords="en")[0] == format_source(source, keywords="en")[0]
    national_zh = format_source(NATIONAL, keywords="zh")[0]
    assert "按 material" in national_zh and "stainless：上限 798元" in national_zh
    assert "schedule payment_cap.other" in format_source(PROVINCE, keywords="en")[0]
