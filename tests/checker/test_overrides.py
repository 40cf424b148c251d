"""Overrides: floors, ceilings, fixed values, statement kinds, bounds and provisions."""

from __future__ import annotations

import pytest

from .conftest import MUNICIPAL_HEADER, NATIONAL_HEADER, PROVINCIAL_HEADER, codes, only

NATIONAL = NATIONAL_HEADER + """
input amount: money "年度约定采购金额"
input late: bool "是否逾期"
param prepayment_ratio: percent floor 30% "医保基金预付比例" article "二(二)"
param listing_cap: money ceiling 7000 yuan "挂网价格上限" article "二"
param share: percent fixed 100% "支付标准比例" article "二(三)"
param lag: count default 1 "结清期限"
param retention_ratio: percent delegated at most 50% "结余留用比例"
decision prepayment_min: money "预付下限" = round(amount * prepayment_ratio, fen, up)
decision capped: money "上限内金额" = min(amount, listing_cap) * share
decision settle_months: count "结清月数" = lag
decision retained: money "结余留用" = round(amount * retention_ratio, fen, down)
decision penalty: bool "是否扣减" = late
provision pay_on_time: 医疗机构 must "及时结清货款"
provision prefer_selected: 医疗机构 should "优先使用中选产品"
"""


def province(body: str) -> dict:
    return {"cn/base": NATIONAL, "cn/p/base": PROVINCIAL_HEADER + body}


@pytest.mark.parametrize("body, code", [
    ('override param prepayment_ratio: percent floor 20% because "本省降低"', "PL304"),
    ('override param listing_cap: money ceiling 8000 yuan because "本省提高"', "PL305"),
    ('override param share: percent fixed 90% because "本省调整"', "PL306"),
    ('override param share: percent floor 100% because "写成下限"', "PL306"),
    ('override param prepayment_ratio: percent default 40% because "改为默认值"', "PL309"),
    ('override param listing_cap: money floor 100 yuan because "改为下限"', "PL309"),
    ('override param retention_ratio: percent fixed 60% because "本省比例"', "PL313"),
    ('override provision pay_on_time: 医疗机构 may "及时结清货款"', "PL311"),
    ('override provision pay_on_time: 医疗机构 must not "及时结清货款"', "PL311"),
    ('override provision prefer_selected: 医疗机构 may "优先使用中选产品"', "PL311"),
])
def test_violation_is_reported_with_both_locations(run, body, code):
    diags = run(province(body))
    found = only(diags, code)
    assert len(found) == 1
    d = found[0]
    assert d.severity == "error"
    assert d.span.file.endswith("p/base.policy") and d.policy_id == "cn/p/base"
    assert d.related and d.related[0].span.file.endswith("cn/base.policy")
    assert d.related[0].message.startswith("the national rule")
    assert d.hint
    assert codes(diags) - {"PL312"} == {code}  # the national retention blank is left unfilled (PL312)


@pytest.mark.parametrize("body", [
    'override param prepayment_ratio: percent floor 40% because "本省提高"',
    'override param prepayment_ratio: percent floor 30% because "重申"',
    'override param prepayment_ratio: percent fixed 35% because "固定为35%"',
    'override param listing_cap: money ceiling 5000 yuan because "本省降低"',
    'override param listing_cap: money fixed 7000 yuan because "固定"',
    'override param share: percent fixed 100% because "重申"',
    'override param lag: count ceiling 2 because "默认值可以替换为任何规则"',
    'override param retention_ratio: percent fixed 50% because "恰为上限"',
    'override param retention_ratio: percent delegated to municipal because "交给各市"',
    'override provision pay_on_time: 医疗机构 must "及时结清货款（本省重申）"',
    'override provision prefer_selected: 医疗机构 must "优先使用中选产品"',
])
def test_allowed_override_is_clean(run, body):
    diags = run(province(body))
    assert not codes(diags, ("error",)), [(d.code, d.message) for d in diags]
    assert not {"PL304", "PL305", "PL306", "PL309", "PL311", "PL313"} & codes(diags)


def test_floor_exactly_equal_is_a_restatement_and_a_lower_level_is_judged_against_it(run):
    files = province('override param prepayment_ratio: percent floor 40% because "本省提高"')
    files["cn/p/c/base"] = MUNICIPAL_HEADER + 'override param prepayment_ratio: percent floor 35% because "本市"\n'
    diags = run(files)
    found = only(diags, "PL304")
    assert len(found) == 1
    assert found[0].policy_id == "cn/p/c/base"
    assert "40%" in found[0].message
    assert found[0].related[0].message.startswith("the provincial rule")


def test_problem_is_reported_once_not_for_every_descendant(run):
    files = province('override param listing_cap: money ceiling 9000 yuan because "本省提高"')
    files["cn/p/c/base"] = MUNICIPAL_HEADER + 'summary "照转"\n'
    diags = run(files)
    assert [d.policy_id for d in diags if d.code == "PL305"] == ["cn/p/base"]


def test_value_outside_a_bound_that_reads_another_policy(run):
    files = {
        "cn/drug": NATIONAL_HEADER + 'param retention_ratio: percent fixed 50% "药品结余留用比例"\n',
        "cn/base": NATIONAL_HEADER + """
uses cn/drug as drug
input savings: money "节约额"
param retention_ratio: percent delegated at most drug.retention_ratio "结余留用比例"
decision retained: money "结余留用" = round(savings * retention_ratio, fen, down)
""",
        "cn/p/base": PROVINCIAL_HEADER + 'override param retention_ratio: percent fixed 60% because "本省"\n',
    }
    found = only(run(files), "PL313")
    assert "50%" in found[0].message and "60%" in found[0].message
    files["cn/p/base"] = PROVINCIAL_HEADER + 'override param retention_ratio: percent fixed 40% because "本省"\n'
    assert "PL313" not in codes(run(files))


def test_a_bound_that_reads_an_unfilled_blank_is_an_info_not_an_error(run):
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
    diags = run(files)
    info = only(diags, "PL316")
    assert info[0].severity == "info" and "retention_ratio" in info[0].message
    assert "PL313" not in codes(diags)
    # Near miss: no bound at all, nothing to skip.
    files["cn/base"] = files["cn/base"].replace(" at most drug.retention_ratio", "")
    assert "PL316" not in codes(run(files), ("info",))


def test_schedule_values_must_respect_the_ceiling(run):
    body = """
override param lag: count ceiling 3 because "本省"
schedule listing_cap "逐步调整" {
    from 2021-06-01: 7500 yuan
}
"""
    found = only(run(province(body)), "PL305")
    assert len(found) == 1  # at the schedule entry; the day-by-day proof does not report it again
    assert "2021-06-01" in found[0].message
    assert "PL305" not in codes(run(province(body.replace("7500", "6500"))))


def test_a_level_schedules_the_value_it_fixes_for_the_levels_below(run):
    # The province fixes the cap for its cities and lowers it over time: its own steps are its
    # values (held to the national ceiling), not changes of its own fixed rule.
    body = """
override param listing_cap: money fixed 6000 yuan because "本省统一"
schedule listing_cap "逐步调整" {
    from 2021-06-01: 5000 yuan
}
"""
    diags = run(province(body))
    assert not codes(diags, ("error",)), [d.message for d in diags]
    above = only(run(province(body.replace("5000 yuan", "7500 yuan"))), "PL305")
    assert len(above) == 1 and "2021-06-01" in above[0].message
    # A city below it may not schedule other values of the fixed cap.
    city = MUNICIPAL_HEADER + """
override schedule listing_cap "本市调整" because "本市降低" {
    from 2021-09-01: 4000 yuan
}
"""
    files = province(body)
    files["cn/p/c/base"] = city
    assert "PL306" in codes(run(files))
