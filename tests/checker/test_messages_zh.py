"""Chinese messages (message_zh, hint_zh, related notes) of the override, decision-logic and requirement checks.

Every finding of checks/overrides.py, checks/logic.py and checks/requirements.py carries its message, hint
and related notes in Chinese too, with the same facts as the English: the item's label and name, the
values, the rows and cases, the dates and the example inputs.
"""

from __future__ import annotations

import glob
import os
import re

import pytest

from policylang.pipeline import check

from .conftest import NATIONAL_HEADER, PROVINCIAL_HEADER, only
from .test_blanks_requirements import LATE_SCHEDULE, RISES_AFTER_DEADLINE
from .test_blanks_requirements import tree as req_tree  # the requirement chain the English tests use

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The codes these three checks emit.
CODES = {"PL304", "PL305", "PL306", "PL309", "PL311", "PL313", "PL316",
         "PL401", "PL402", "PL404", "PL406", "PL407"}

CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese(d, *facts):
    """Assert d has Chinese text throughout, and that each fact appears in both languages; return message_zh."""
    assert d.message_zh, f"{d.code} has no message_zh: {d.message}"
    assert CJK.search(d.message_zh), d.message_zh
    assert not d.message_zh.endswith("。"), d.message_zh
    if d.hint:
        assert d.hint_zh and CJK.search(d.hint_zh), f"{d.code} has no hint_zh: {d.hint}"
    for r in d.related:
        assert r.message_zh and CJK.search(r.message_zh), f"{d.code} note without message_zh: {r.message}"
    for fact in facts:
        # a fact is the same in both texts (values in their language), or (English, Chinese) when the
        # Chinese names inputs by their labels and writes conditions in words
        en, zh = fact if isinstance(fact, tuple) else (fact, zh_fact(fact))
        assert en in d.message, (en, d.message)
        assert zh in d.message_zh, (zh, d.message_zh)
    return d.message_zh


_ZH_WORDS = {"true": "是", "false": "否", "none": "不适用", "fixed": "固定", "floor": "下限", "ceiling": "上限"}
_ZH_UNITS = {"yuan": "元", "years": "年", "year": "年", "months": "个月", "month": "个月", "days": "天", "day": "天"}


def zh_fact(fact: str) -> str:
    """A fact as the Chinese text writes it: 7000 yuan → 7000元, true → 是, fixed 90% → 固定 90%."""
    fact = re.sub(r"(\d(?:[\d.]*\d)?) (yuan|years?|months?|days?)\b", lambda m: m.group(1) + _ZH_UNITS[m.group(2)], fact)
    return re.sub(r"\b(true|false|none|fixed|floor|ceiling)\b", lambda m: _ZH_WORDS[m.group(1)], fact)


# ---------------------------------------------------------------- overrides

NATIONAL = NATIONAL_HEADER + """
input amount: money "年度约定采购金额"
input late: bool "是否逾期"
param prepayment_ratio: percent floor 30% "医保基金预付比例" article "二(二)"
param listing_cap: money ceiling 7000 yuan "挂网价格上限" article "二"
param share: percent fixed 100% "支付标准比例" article "二(三)"
param retention_ratio: percent delegated at most 50% "结余留用比例"
decision prepayment_min: money "预付下限" = round(amount * prepayment_ratio, fen, up)
decision capped: money "上限内金额" = min(amount, listing_cap) * share
decision retained: money "结余留用" = round(amount * retention_ratio, fen, down)
decision penalty: bool "是否扣减" = late
decision fee: money fixed "结算手续费" = 0 yuan
provision pay_on_time: 医疗机构 must "及时结清货款" article "三"
"""


def province(body: str) -> dict:
    return {"cn/base": NATIONAL, "cn/p/base": PROVINCIAL_HEADER + body}


@pytest.mark.parametrize("body, code, facts, words", [
    ('override param prepayment_ratio: percent floor 20% because "本省降低"', "PL304",
     ("医保基金预付比例", "prepayment_ratio", "30%", "20%", "cn/base"), ("不得低于", "下限")),
    ('override param listing_cap: money ceiling 8000 yuan because "本省提高"', "PL305",
     ("挂网价格上限", "listing_cap", "7000 yuan", "8000 yuan"), ("不得高于", "上限")),
    ('override param share: percent fixed 90% because "本省调整"', "PL306",
     ("支付标准比例", "share", "100%", "fixed 90%"), ("固定",)),
    ('override param prepayment_ratio: percent default 40% because "改为默认值"', "PL309",
     ("prepayment_ratio", "30%"), ("下限", "默认值", "低于")),
    ('override param retention_ratio: percent fixed 60% because "本省比例"', "PL313",
     ("结余留用比例", "retention_ratio", "60%", "50%", "cn/base"), ("不高于",)),
    ('override provision pay_on_time: 医疗机构 may "及时结清货款"', "PL311",
     ("pay_on_time", ("医疗机构 must", "医疗机构必须"), ("may", "可以")), ("必须", "可以", "放宽")),
    ('override provision pay_on_time: 医疗机构 must not "及时结清货款"', "PL311",
     ("pay_on_time", ("must not", "不得")), ("相反", "不得")),
])
def test_override_findings_are_in_chinese(run, body, code, facts, words):
    d = only(run(province(body)), code)[0]
    text = chinese(d, *facts)
    for word in words:
        assert word in text, (word, text)
    # The related note names the national rule in Chinese, like the English "the national rule (…)".
    note = d.related[0]
    assert note.message.startswith("the national rule")
    assert note.message_zh.startswith("国家级规定（cn/base")


def test_floor_hint_and_note_in_chinese(run):
    d = only(run(province('override param prepayment_ratio: percent floor 20% because "本省降低"')), "PL304")[0]
    assert d.message_zh == ("“医保基金预付比例”（prepayment_ratio）不得低于 30%（cn/base 设定的下限），"
                            "本政策却降低为 20%")
    assert "不低于 30%" in d.hint_zh
    assert d.related[0].message_zh.endswith("“医保基金预付比例”（prepayment_ratio）的下限为 30%")


def test_a_schedule_above_the_ceiling_names_its_date_in_chinese(run):
    body = """
schedule listing_cap "逐步调整" {
    from 2021-06-01: 7500 yuan
}
"""
    d = only(run(province(body)), "PL305")[0]
    text = chinese(d, "2021-06-01", "7500 yuan", "7000 yuan", "listing_cap")
    assert text.startswith("按本政策的过渡安排，自 2021-06-01 起：")


def test_a_bound_reading_an_unfilled_blank_is_explained_in_chinese(run):
    files = {
        "cn/drug": NATIONAL_HEADER + 'param retention_ratio: percent delegated "药品结余留用比例"\n',
        "cn/base": NATIONAL_HEADER + """
uses cn/drug as drug
input savings: money "节约额"
param retention_ratio: percent delegated at most drug.retention_ratio "结余留用比例"
decision retained: money "结余留用" = round(savings * retention_ratio, fen, down)
""",
        "cn/p/base": PROVINCIAL_HEADER + 'override param retention_ratio: percent fixed 60% because "本省"\n',
    }
    d = only(run(files), "PL316")[0]
    text = chinese(d, "retention_ratio", ("at most drug.retention_ratio", "“不高于 药品结余留用比例”"), "drug.retention_ratio")
    assert "授权事项" in text


def test_fixed_decision_and_fixed_case_in_chinese(run):
    national = NATIONAL_HEADER + """
input selected: bool "是否中选"
input selected_price: money "中选价"
input price: money "价格"
decision standard: money "支付标准" {
    when selected then selected_price fixed "中选产品以中选价为支付标准"
    otherwise price
}
decision fee: money fixed "结算手续费" = price
"""
    child = PROVINCIAL_HEADER + """
override decision standard: money {
    when selected then selected_price + 10 yuan
    otherwise price
}
override decision fee: money = price + 1 yuan
"""
    diags = run({"cn/base": national, "cn/p/base": child})
    by_name = {("fee" if "(fee)" in d.message else "standard"): d for d in only(diags, "PL306")}
    fee = chinese(by_name["fee"], "结算手续费", "fee", "cn/base")
    assert "决策项" in fee and "国家级" in fee
    case = chinese(by_name["standard"], "支付标准", "standard", "中选产品以中选价为支付标准", "cn/base")
    assert "第 1 个情形" in case
    assert "固定情形“中选产品以中选价为支付标准”" in by_name["standard"].related[0].message_zh
    assert "前 1 个情形" in by_name["standard"].hint_zh


# ---------------------------------------------------------------- decision tables and cases

INPUTS = """
enum Company "企业" { same "本企业", other "其他企业" }
input used: bool "使用"
input complete: bool "齐全"
input company: Company "企业"
input price: money "价格"
"""


def test_overlapping_rows_in_chinese(run):
    body = """
table counts: bool "记入" {
    columns used, complete
    row true, - => true
    row true, false => false
    row false, - => false
}
"""
    d = only(run({"cn/base": NATIONAL_HEADER + INPUTS + body}), "PL401")[0]
    text = chinese(d, "记入", "counts", ("used = true", "使用 = 是"), ("complete = false", "齐全 = 否"))
    assert "第 1 行和第 2 行" in text and "（是 与 否）" in text
    assert d.related[0].message_zh == "第 1 行（结果为 是）也匹配这组输入"
    assert "第 2 行（或第 1 行）" in d.hint_zh


def test_gap_regions_in_chinese(run):
    body = """
table counts: bool "记入" {
    columns used, complete, company
    row true, true, same => true
}
"""
    d = only(run({"cn/base": NATIONAL_HEADER + INPUTS + body}), "PL402")[0]
    text = chinese(d, "记入", "counts", ("complete = false", "齐全 = 否"), ("used = false", "使用 = 否"),
                   ("company = other", "企业 = 其他企业"))
    assert "（1）齐全 = 否（其余 2 列取任意值）" in text
    assert "（3）企业 = 其他企业（其余 2 列取任意值）" in text  # an enumeration's member by its label
    assert "例如：" in text and "没有结果（不适用）" in text
    assert "行 否则 => …" in d.hint_zh and "ignore[PL402] 理由" in d.hint_zh


def test_dead_case_and_case_gap_in_chinese(run):
    body = """
decision rate: percent "报销比例" {
    when price > 100 yuan then 50%
    when price > 200 yuan then 60%
    when price < 0 yuan then 10%
}
"""
    diags = run({"cn/base": NATIONAL_HEADER + INPUTS + body})
    dead = {d.message.split(" ")[1]: d for d in only(diags, "PL401")}
    covered = chinese(dead["2"], "报销比例", "rate", ("when price > 200 yuan", "（当价格 > 200元时）"))
    assert "第 2 个情形" in covered and "第 1 个情形" in covered
    assert dead["2"].related[0].message_zh == "第 1 个情形（当价格 > 100元时）排在前面"
    never = chinese(dead["3"], ("when price < 0 yuan", "当价格 < 0元时"))
    assert "永远不会适用" in never
    gap = only(diags, "PL402")[0]
    text = chinese(gap, "报销比例", "rate", ("price = ", "价格 = "))
    assert "“否则 …”" in gap.hint_zh and "例如当 价格 = " in text


def test_example_inputs_with_a_blank_or_an_unreadable_condition_in_chinese(run):
    body = """
param cap: money delegated "上限"
decision rate: percent "报销比例" {
    when price > cap then 50%
}
decision share: percent "自付比例" {
    when used and round(price * 30%, fen) > 100 yuan then 50%
    when not used then 60%
}
"""
    gaps = {("rate" if "(rate)" in d.message else "share"): d
            for d in only(run({"cn/base": NATIONAL_HEADER + INPUTS + body}), "PL402")}
    blank = chinese(gaps["rate"], ("price = 0 yuan", "价格 = 0元"), "= 0 yuan")
    assert "上限（尚未填写的授权事项）= 0元" in blank and "(a blank)" in gaps["rate"].message
    opaque = chinese(gaps["share"], ("used = true", "使用 = 是"),
                     ("“round(price * 30%, fen) > 100 yuan”", "“取整（价格 × 30%，分，四舍五入） > 100元”"))
    assert "可能没有任何情形适用" in opaque
    assert opaque.endswith("“取整（价格 × 30%，分，四舍五入） > 100元”不成立时")


def test_a_replaced_table_names_the_upper_one_in_chinese(run):
    table = """
table counts: bool "记入" article "四" {
    columns used, complete
    row true, true => true
    row false, - => false
}
"""
    child = PROVINCIAL_HEADER + """
override table counts: bool "记入" {
    columns used, complete
    row true, - => true
    row true, false => false
    row false, - => false
}
"""
    d = only(run({"cn/base": NATIONAL_HEADER + INPUTS + table, "cn/p/base": child}), "PL401")[0]
    chinese(d, "counts")
    parent = d.related[-1]
    assert parent.message.startswith("the national rule")
    assert parent.message_zh == "国家级规定（cn/base，条款 四）：被本政策替换的决策表或决策项“记入”（counts）"


# ---------------------------------------------------------------- requirements

def test_a_schedule_missing_its_deadline_in_chinese(run):
    d = only(run(req_tree(LATE_SCHEDULE)), "PL404")[0]
    text = chinese(d, "两年内不超过最高中选价", "cap_within_highest", "2023-01-01",
                   ("effective_date + 2 years", "本政策生效日期后2年"),
                   ("payment_cap <= highest_selected_price", "支付标准高限 ≤ 最高中选价"), "1200 yuan", "798 yuan",
                   "2022-07-01")
    assert "期限" in text and "过渡安排自 2022-07-01 起的取值" in text and "798元" in text
    assert "自 2023-01-01：…" in d.hint_zh
    note = d.related[0].message_zh
    assert "约束要求“两年内不超过最高中选价”（cap_within_highest）" in note and "自 2023-01-01 起须满足" in note


def test_a_value_rising_after_the_deadline_in_chinese(run):
    d = only(run(req_tree(RISES_AFTER_DEADLINE)), "PL404")[0]
    text = chinese(d, "2023-01-01", "2024-01-01", "900 yuan")
    assert "自 2023-01-01 起始终须满足" in text and "按 2024-01-01 当天有效的取值" in text


def test_a_requirement_reading_a_blank_in_chinese(run):
    d = only(run(req_tree('summary "照转"\n')), "PL316")[0]
    text = chinese(d, "cap_within_highest", ("payment_cap <= highest_selected_price", "支付标准高限 ≤ 最高中选价"))
    assert "填写" in text
    assert "“payment_cap”" in d.hint_zh or "“highest_selected_price”" in d.hint_zh


def test_requirement_counterexample_in_chinese(run):
    files = {"cn/base": NATIONAL_HEADER + """
input price: money "价格"
param cap: money fixed 1000 yuan "上限"
decision over: money "超出" = price - cap
require over_positive: over >= 0 yuan "超出部分不为负"
"""}
    d = only(run(files), "PL406")[0]
    text = chinese(d, "超出部分不为负", "over_positive", ("over >= 0 yuan", "超出 ≥ 0元"))
    example = d.message.split("for example when ")[1]
    assert f"例如当 {zh_fact(example).replace(', ', '，').replace('price', '价格')}时" in text


def test_requirement_confirmed_by_the_interpreter_in_chinese(run):
    files = {"cn/base": NATIONAL_HEADER + """
input amount: money "金额"
param ratio: percent floor 30% "比例"
decision prepay: money "预付" = round(amount * ratio, fen, up)
require prepay_small: prepay <= 100 yuan "不超过100元"
"""}
    d = only(run(files), "PL406")[0]
    text = chinese(d, "prepay_small", ("amount = ", "金额 = "))
    assert "可能不成立" in text


def test_a_requirement_contradicting_the_parent_in_chinese(run):
    base = NATIONAL_HEADER + """
input ratio: percent "比例"
decision r: percent "比例" = ratio
require ratio_high: r >= 30% "不低于30%"
"""
    files = {"cn/base": base,
             "cn/p/base": PROVINCIAL_HEADER + 'override require ratio_high: r < 20% because "本省"\n'}
    d = only(run(files), "PL407")[0]
    text = chinese(d, "ratio_high", ("r < 20%", "比例 < 20%"), ("r >= 30%", "比例 ≥ 30%"))
    assert "不可能同时成立" in text
    assert d.related[0].message_zh.endswith("约束要求“不低于30%”（ratio_high）：比例 ≥ 30%")


# ---------------------------------------------------------------- every fixture and seed


def test_no_finding_of_these_checks_on_the_fixtures_and_seeds_lacks_chinese():
    trees = sorted(glob.glob(os.path.join(REPO, "tests", "fixtures", "*", "*", "policies")))
    trees.append(os.path.join(REPO, "policies"))
    seen = set()
    for tree in trees:
        for d in check([tree], cache=False).diagnostics:
            if d.code not in CODES:
                continue
            seen.add(d.code)
            chinese(d)
    # The fixtures plant findings of each kind of check, so this test is not vacuous.
    assert {"PL304", "PL305", "PL306", "PL311", "PL401", "PL402", "PL404", "PL316"} <= seen, seen
