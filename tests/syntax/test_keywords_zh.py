"""Chinese keywords: every file reads the same in both keyword languages (fmt --keywords zh|en)."""

from __future__ import annotations

import glob
import os

import pytest

from policylang.syntax import keywords as K
from policylang.syntax.compare import ast_equal
from policylang.syntax.formatter import format_source
from policylang.syntax.parser import grammar_parser, keyword_language, parse_source

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FILES = sorted(
    os.path.relpath(p, ROOT)
    for pattern in ("policies/**/*.policy", "tests/fixtures/**/*.policy", "tests/docs/data/**/*.policy",
                    "tests/syntax/data/**/*.policy")
    for p in glob.glob(os.path.join(ROOT, pattern), recursive=True)
)


def _clean_parse(text: str, path: str):
    result = parse_source(text, path)
    assert not result.diagnostics, [(d.code, d.message, d.span) for d in result.diagnostics]
    return result.file


@pytest.mark.parametrize("rel", FILES)
def test_every_seed_and_fixture_round_trips_through_chinese_keywords(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as fh:
        text = fh.read()
    original = parse_source(text, rel)
    if original.diagnostics:
        pytest.skip("a file with findings of its own (a syntax test's input)")
    chinese, diags = format_source(text, rel, keywords="zh")
    assert chinese is not None, diags
    assert keyword_language(chinese) == "zh"
    assert ast_equal(original.file, _clean_parse(chinese, rel))
    english, diags = format_source(chinese, rel, keywords="en")
    assert english is not None, diags
    assert ast_equal(original.file, _clean_parse(english, rel))
    # Both directions are the canonical layout: formatting again changes nothing.
    assert english == format_source(text, rel, keywords="en")[0]
    assert format_source(chinese, rel)[0] == chinese
    # The comments survive both ways.
    assert [c.text for c in parse_source(chinese, rel).file.comments] == [c.text for c in original.file.comments]


def test_both_keyword_languages_mixed_in_one_file_give_the_same_tree():
    english = (
        'policy "示例"\nlevel municipal\neffective 2021-01-15\nextends cn/gd/stent-2020\n'
        'override param prepayment_ratio: percent floor 40% because "本市提高预付比例"\n'
        'input selected: bool optional "是否中选" article "二(一)"\n'
        'decision x: money ceiling "某值" {\n    when selected and not selected then min(1 yuan, 2 yuan) fixed\n'
        '    otherwise round(3 yuan * 10%, fen, up)\n}\n'
        'provision p: 医疗机构 must not "线下采购"\n'
        'require r: 1 yuan <= 2 yuan by effective_date + 2 years\n'
    )
    mixed = (
        '政策 “示例”\n层级 市\neffective 2021-01-15\n继承 cn/gd/stent-2020\n'
        '覆盖 param prepayment_ratio：百分比 下限 40% because “本市提高预付比例”\n'
        '输入 selected: bool 可选 "是否中选" 条款 “二(一)”\n'
        '决策 x：money ceiling “某值” {\n    当 selected and 非 selected 则 较小值（1元，2 yuan） 固定\n'
        '    否则 取整(3元 * 10%, 分, 向上)\n}\n'
        '规定 p：医疗机构 不得 “线下采购”\n'
        '要求 r：1元 <= 2元 截至 本政策生效日期 + 2年\n'
    )
    assert ast_equal(_clean_parse(english, "a.policy"), _clean_parse(mixed, "b.policy"))


@pytest.mark.parametrize("english,chinese", [
    ("must", "应当"), ("must", "必须"), ("must_not", "不得"), ("should", "原则上应"), ("should_not", "原则上不得"),
    ("may", "可以"),
])
def test_each_modality_has_the_notices_words(english, chinese):
    file = _clean_parse(f'provision p: 医疗机构 {chinese} "采购中选产品"\n', "p.policy")
    assert file.decls[0].modality == english


def test_synonyms_are_read_and_written_back_in_the_canonical_form():
    text = '决定 x：数值 = 最大值(1, 2)\n规定 p：医疗机构 必须 “采购中选产品”\n'
    formatted, _ = format_source(text, "s.policy")
    assert formatted == '决策 x：小数 = 较大值(1, 2)\n\n规定 p：医疗机构 应当 “采购中选产品”\n'


def test_region_words_for_levels_are_read():
    for word, level in (("盟市", "municipal"), ("旗", "county"), ("自治区", "provincial"), ("国家", "national")):
        assert _clean_parse(f"层级 {word}\n", "l.policy").level == level


def test_every_chinese_form_is_a_terminal_of_the_grammar():
    names = {t.name for t in grammar_parser().terminals}
    for _, forms in K.KEYWORDS:
        for form in forms:
            assert K.terminal_name(form) in names, form


def test_a_chinese_text_holding_a_closing_quotation_mark_keeps_ascii_quotes():
    formatted, _ = format_source('input x: bool "按“每月监测”的要求"\n', "q.policy", keywords="zh")
    assert formatted == '输入 x：是否 "按“每月监测”的要求"\n'
    assert _clean_parse(formatted, "q.policy").decls[0].meta.label == "按“每月监测”的要求"


def test_in_principle_unknown_and_status_have_chinese_forms():
    english = ('policy "示例"\nlevel provincial\neffective unknown\nstatus reconstructed\n'
               'param r: percent in principle floor 90% "比例"\n'
               'decision d: money in principle ceiling = 1 yuan\n')
    chinese = ('政策 “示例”\n层级 省\n生效日期 不详\n状态 重构\n'
               '参数 r：百分比 原则上 下限 90% “比例”\n'
               '决策 d：金额 原则上 上限 = 1元\n')
    a, b = _clean_parse(english, "a.policy"), _clean_parse(chinese, "b.policy")
    assert ast_equal(a, b) and a.decls[0].in_principle
    assert format_source(english, "a.policy", keywords="zh")[0].startswith("政策 “示例”\n层级 省\n生效日期 不详\n")
