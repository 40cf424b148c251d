"""The catalogue of mistakes officials make (syntax/mistakes.py): each gives one finding that
names the fix, in the file's keyword language, and nothing follows from it."""

from __future__ import annotations

import os
import shutil

import pytest

from helpers import write_tree
from policylang.pipeline import check
from policylang.syntax import mistakes as M
from policylang.syntax.parser import parse_source

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def one(source: str):
    diags = parse_source(source, "m.policy").diagnostics
    assert len(diags) == 1, [(d.code, d.message) for d in diags]
    return diags[0]


@pytest.mark.parametrize("mistake,example", [(m, e) for m in M.PARSER_STATE for e in m.examples])
def test_each_catalogued_example_is_recognised(mistake, example):
    d = one(example)
    assert (d.code, d.message, d.message_zh) == ("PL101", mistake.message, mistake.message_zh)


# One case of each mistake beside its examples: written differently, recognised all the same.
CASES = {
    "missing_colon": "input fund_savings money optional\n",
    "formula_without_equals": "决策 x：金额 较小值(a, b)\n",
    "single_equals": "decision d: money {\n    when institution_type = public then 1 yuan\n}\n",
    "missing_then": "decision d: money {\n    when a and b 1 yuan\n}\n",
    "missing_arrow": "table t: bool {\n    columns a, b\n    row true, - false\n}\n",
    "param_without_binding": "param nonselected_payment_cap: money 1500 yuan \"非中选产品最高医保支付标准\"\n",
}


def test_every_catalogued_mistake_has_a_case():
    assert set(CASES) == {m.label for m in M.PARSER_STATE}


@pytest.mark.parametrize("label", sorted(CASES))
def test_each_catalogued_mistake_in_a_new_case(label):
    assert one(CASES[label]).message == M.BY_LABEL[label].message


@pytest.mark.parametrize("source", [
    "param p: money ceiling 7,000 yuan\n",
    "param p: money ceiling 7，000元\n",
    "decision d: money = min(price, 7,000 yuan)\n",  # would otherwise be a call with three arguments
])
def test_a_thousands_separator_is_one_finding_naming_the_number_meant(source):
    d = one(source)
    assert d.code == "PL105" and "thousands separator" in d.message and d.hint == "write 7000"
    assert "千位分隔符" in d.message_zh and d.hint_zh == "请写成 7000"


def test_a_comma_in_a_text_or_a_comment_is_not_a_separator():
    assert not parse_source('input x: money "7,000元"  # 7,000\n', "m.policy").diagnostics


@pytest.mark.parametrize("date,english,chinese", [
    ("2020-13-01", "there is no month 13", "没有 13 月"),
    ("2021-02-29", "2021-02 has 28 days", "2021 年 2 月只有 28 天"),
])
def test_an_impossible_date_says_what_is_impossible(date, english, chinese):
    d = one(f"effective {date}\n")
    assert d.code == "PL105" and english in d.message and chinese in d.message_zh


def test_a_swapped_month_and_day_is_suggested():
    assert "2020-01-13" in one("effective 2020-13-01\n").hint


@pytest.mark.parametrize("source,suggested", [
    ("parm p: percent floor 30%\n", "param"),
    ("decison d: money = 1 yuan\n", "decision"),
    ("参术 p：百分比 下限 30%\n", "参数"),
    ("覆术 参数 p：百分比 下限 30%\n", "覆盖"),
])
def test_a_misspelt_keyword_at_a_line_start_suggests_the_nearest_keyword_of_its_language(source, suggested):
    d = one(source)
    assert d.code == "PL103" and d.hint == f"did you mean '{suggested}'?" and d.hint_zh == f"是不是想写“{suggested}”？"


def test_a_misspelt_keyword_after_a_declaration_costs_only_its_own_line():
    text = "参数 p：百分比 下限 30%\n参术 q：百分比 下限 30%\n参数 r：百分比 下限 30%\n"
    result = parse_source(text, "m.policy")
    assert [d.name for d in result.file.decls] == ["p", "r"]
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("PL103", 2)]


def test_a_param_value_without_its_binding_says_which_words_bind():
    # the official's first try at a city's cap: the value straight after the type
    d = one("政策 “示例”\n层级 市\n参数 cap：金额 900元 “支付标准上限”\n")
    assert d.message_zh == "参数的取值前要写明它对下级的约束：固定、下限、上限或默认"
    assert "“参数 cap：金额 上限 900元”" in d.hint_zh and d.span.line == 3
    # the same line with its binding is no mistake; another error on a param line is not this one
    assert not parse_source("参数 cap：金额 上限 900元 “支付标准上限”\n", "m.policy").diagnostics
    assert one("param p percent floor 30%\n").message == M.BY_LABEL["missing_colon"].message


def test_expected_words_are_listed_in_the_files_keyword_language():
    d = one("政策 “示例”\n层级 市\n输入 x：是否 “标签” 条款\n")
    assert "“条款”" not in d.hint_zh and "article" not in d.hint_zh
    d = one("政策 “示例”\n层级 市\n参数 p：百分比 “比例” 30%\n")
    assert "“下限”" in d.hint_zh and "“上限”" in d.hint_zh and "floor" not in d.hint_zh
    assert "'下限'" in d.hint  # the English message names the words the author writes


@pytest.mark.parametrize("source,word,keyword", [
    ("决策 x：金额 {\n    当 已中选且 b 则 1元\n}\n", "已中选且", "且"),
    ("决策 x：金额 {\n    当 已中选则 1元\n}\n", "已中选则", "则"),
])
def test_a_keyword_written_together_with_a_name_is_pointed_out(source, word, keyword):
    d = one(source)
    assert f"“{word}”被读成了一个名称" in d.message_zh and f"“{keyword}”" in d.message_zh
    assert f"'{keyword}'" in d.message


def test_a_keyword_written_together_with_a_name_where_no_name_can_stand_is_read_as_the_keyword():
    assert not parse_source("决策 x：金额 {\n    当已中选 则 1元\n}\n参数 p：百分比 下限30%\n", "m.policy").diagnostics


def test_mismatched_quotation_marks_are_named():
    d = one('input x: bool “是否中选"\n')
    assert "“" in d.message and "”" in d.message and "成对" in d.hint_zh


# ---------------------------------------------------------------- nothing follows from a mistake

CITY = """\
政策 “佛山市医疗保障局关于冠脉支架集中带量采购配套措施的通知”
层级 市
地区 “广东省佛山市”
生效日期 {effective}
继承 cn/gd/stent-2020

覆盖 参数 nonselected_payment_cap：金额 {fill} 1500元 “非中选产品医保支付标准高限” 条款 “三”
{input_kw} extra：金额 “其他费用”
决策 total：金额 “合计” = extra + {number}元
示例 “合计” {{
    已知 extra = 1元
    应得 total = 7001元
}}
"""


def _tree(tmp_path, **changes):
    fields = dict(effective="2021-01-15", fill="固定", input_kw="输入", number="7000")
    fields.update(changes)
    root = tmp_path / "tree"
    shutil.copytree(os.path.join(REPO, "policies"), root / "policies")
    write_tree(root, {"cn/gd/foshan/stent-2020": CITY.format(**fields)})
    return str(root / "policies"), "cn/gd/foshan/stent-2020"


def _findings(tmp_path, **changes):
    root, pid = _tree(tmp_path, **changes)
    run = check([os.path.join(root, "cn/gd/foshan")], root, cache=False)
    return [(d.code, d.span.line if d.span else None) for d in run.diagnostics if d.policy_id in (pid, None)
            and d.severity == "error" or (d.span and "foshan" in d.span.file)]


def test_the_correct_city_has_no_error(tmp_path):
    assert all(code[0] not in ("PL101", "PL103", "PL105", "PL201") for code in _findings(tmp_path))


@pytest.mark.parametrize("changes,finding", [
    ({"number": "7,000"}, ("PL105", 9)),
    ({"effective": "2021-13-15"}, ("PL105", 4)),
    ({"input_kw": "输人"}, ("PL103", 8)),  # no 'extra' unknown, no example giving an unknown input
    ({"fill": "固顶"}, ("PL101", 7)),  # no blank left unfilled (PL312), no parent's date before it
])
def test_one_mistake_gives_one_finding(tmp_path, changes, finding):
    found = [f for f in _findings(tmp_path, **changes) if f[0] not in ("PL316",)]
    errors_and_warnings = [f for f in found if f[0] not in ("PL402",)]
    assert errors_and_warnings == [finding]
