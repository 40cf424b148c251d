"""Provisions: a weaker modality is an error (PL311); new wording or a new actor needs a reason (PL319)."""

from __future__ import annotations

import pytest

from .conftest import MUNICIPAL_HEADER, NATIONAL_HEADER, PROVINCIAL_HEADER, codes, only

NATIONAL = NATIONAL_HEADER + """
provision no_offline_purchase: 医疗机构 must not "线下采购等不规范采购" article "三"
provision prefer_selected: 医疗机构 should "优先使用中选产品" article "三"
"""


def province(body: str) -> dict:
    return {"cn/base": NATIONAL, "cn/p/base": PROVINCIAL_HEADER + body + "\n"}


def test_new_text_without_a_reason_shows_both_texts(run):
    diags = run(province('override provision no_offline_purchase: 医疗机构 must not "线下采购（急救除外）"'))
    assert codes(diags) == {"PL319"}
    d = only(diags, "PL319")[0]
    assert d.severity == "warning" and d.policy_id == "cn/p/base" and d.span.file.endswith("p/base.policy")
    assert "its text" in d.message
    assert "“线下采购等不规范采购”" in d.message and "“线下采购（急救除外）”" in d.message
    assert d.related[0].span.file.endswith("cn/base.policy") and d.related[0].span.line == 6
    assert d.related[0].message.startswith("the national rule") and "“线下采购等不规范采购”" in d.related[0].message
    assert "国家级" in d.message_zh and "文字" in d.message_zh and d.hint_zh and d.related[0].message_zh


def test_a_new_actor_without_a_reason(run):
    d = only(run(province('override provision no_offline_purchase: 市医保局 must not "线下采购等不规范采购"')),
             "PL319")[0]
    assert "its actor" in d.message and "市医保局" in d.message and "主体" in d.message_zh


@pytest.mark.parametrize("body", [
    'override provision no_offline_purchase: 医疗机构 must not "线下采购（急救除外）" because "本省文件原文"',
    'override provision no_offline_purchase: 市医保局 must not "线下采购等不规范采购" because "本省由市医保局负责"',
    'override provision no_offline_purchase: 医疗机构 must not "线下采购等不规范采购"',  # restated
    'override provision no_offline_purchase: 医疗机构  must not "线下采购等不规范采购"',  # spacing only
    'override provision prefer_selected: 医疗机构 must "优先使用中选产品"',  # stricter, same words
])
def test_accepted(run, body):
    assert not codes(run(province(body)), ("error", "warning")), body


def test_an_empty_reason_is_no_reason(run):
    diags = run(province('override provision no_offline_purchase: 医疗机构 must not "线下采购（急救除外）" because " "'))
    assert codes(diags) == {"PL319"}


def test_a_weaker_modality_stays_an_error_and_a_new_text_is_still_reported(run):
    diags = run(province('override provision prefer_selected: 医疗机构 may "可以优先使用中选产品"'))
    assert codes(diags) == {"PL311", "PL319"}
    assert only(diags, "PL311")[0].severity == "error"
    with_reason = run(province('override provision prefer_selected: 医疗机构 may "可以优先使用中选产品" '
                               'because "本省放宽"'))
    assert codes(with_reason) == {"PL311"}  # a reason never excuses a weaker obligation


def test_wording_is_compared_with_the_definition_the_override_replaces(run):
    files = province('override provision no_offline_purchase: 医疗机构 must not "线下采购（急救除外）" because "本省原文"')
    files["cn/p/c/base"] = MUNICIPAL_HEADER + \
        'override provision no_offline_purchase: 医疗机构 must not "线下采购（急救除外）"\n'
    assert not codes(run(files), ("error", "warning"))  # the city restates the province's words
    files["cn/p/c/base"] = MUNICIPAL_HEADER + \
        'override provision no_offline_purchase: 医疗机构 must not "线下采购等不规范采购"\n'
    d = only(run(files), "PL319")[0]
    assert d.policy_id == "cn/p/c/base" and d.related[0].message.startswith("the provincial rule")


def test_the_modality_is_judged_against_every_level_above(run):
    files = province('override provision prefer_selected: 医疗机构 must "优先使用中选产品" because "本省从严"')
    files["cn/p/c/base"] = MUNICIPAL_HEADER + \
        'override provision prefer_selected: 医疗机构 should "优先使用中选产品" because "本市"\n'
    d = only(run(files), "PL311")[0]
    assert d.policy_id == "cn/p/c/base" and "provincial" in d.message
