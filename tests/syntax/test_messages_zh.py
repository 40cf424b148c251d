"""Chinese text (message_zh, hint_zh) of the findings made while reading files (PL0xx), parsing them
(PL1xx) and applying configuration and suppressions (PL9xx): present, Chinese, and carrying the same
names, values and lines as the English."""

from __future__ import annotations

import glob
import os
import re

import pytest

from policylang.config import load_config
from policylang.pipeline import check
from policylang.syntax.parser import MAX_EXPR_DEPTH, TOP_KEYWORDS, parse_file, parse_source

from helpers import header, write_tree

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Every code that policylang/syntax/parser.py and policylang/config.py can emit.
OWN_CODES = {
    "PL001", "PL002", "PL003", "PL004",
    "PL101", "PL102", "PL103", "PL104", "PL105", "PL110", "PL111",
    "PL901", "PL902", "PL903",
}

CJK = re.compile(r"[\u4e00-\u9fff]")
HEAD = header("national")


def chinese(text) -> bool:
    return bool(text) and bool(CJK.search(text))


def assert_both_languages(diag):
    """message_zh is Chinese; a hint has a Chinese hint; related notes have Chinese text."""
    assert chinese(diag.message_zh), (diag.code, diag.message, diag.message_zh)
    if diag.hint is not None:
        assert chinese(diag.hint_zh), (diag.code, diag.hint, diag.hint_zh)
    else:
        assert diag.hint_zh is None
    for rel in diag.related:
        assert chinese(rel.message_zh), (diag.code, rel.message)
    assert not diag.message_zh.endswith("。")


def only(source: str, code: str):
    diags = [d for d in parse_source(source, "x.policy").diagnostics if d.code == code]
    assert len(diags) == 1, [(d.code, d.message) for d in parse_source(source, "x.policy").diagnostics]
    assert_both_languages(diags[0])
    return diags[0]


# ---------------------------------------------------------------- syntax (PL1xx)


def test_full_width_punctuation_names_the_character_and_its_ascii_form():
    d = only(HEAD + "param p: percent floor 30％\n", "PL110")
    assert "％" in d.message_zh and "全角" in d.message_zh
    assert "“%”" in d.hint_zh and "半角" in d.hint_zh
    d = only(HEAD + "decision x: money ＝ min(a, b)\n", "PL110")
    assert "“＝”" in d.message_zh and "“=”" in d.hint_zh


def test_a_single_quotation_mark_is_quoted_readably():
    d = only(HEAD + "input selected: bool ‘是否中选’\n", "PL110")
    assert "“‘”" in d.message_zh and "‘\"’" in d.hint_zh


def test_a_character_not_allowed_lists_what_was_expected_in_chinese():
    d = only(HEAD + "@@@ ???\ninput selected: bool\n", "PL110")
    assert "“@”" in d.message_zh and "U+0040" in d.message_zh
    assert d.hint.startswith("expected ") and d.hint_zh.startswith("这里应为")
    # The same tokens, in the same order, as the English list.
    english = re.findall(r"'([^']+)'", d.hint)
    assert re.findall(r"“([^”]+)”", d.hint_zh) == english
    assert d.hint_zh.endswith("或“" + english[-1] + "”")


def test_unexpected_token_mirrors_the_english_expected_list():
    d = only(HEAD + "decision x: money = 1 + + 2\n", "PL101")
    assert d.message == "unexpected '+' here" and d.message_zh == "这里不应出现“+”"
    assert d.hint == "expected '(', '-', a date (YYYY-MM-DD), a name, a number or a quoted text (\"…\")"
    assert d.hint_zh == "这里应为“(”、“-”、日期（年-月-日，如 2021-01-15）、名称、数字或带引号的文字（\"…\"）"


def test_a_long_expected_list_is_cut_at_eight_in_both_languages():
    d = only(HEAD + "input selected: bool\n这一行 不是 policy 语言 !!\n", "PL101")
    assert "这一行" in d.message and "“这一行”" in d.message_zh
    assert d.hint.endswith(" …") and d.hint_zh.endswith("等")
    english = re.findall(r"'([^']+)'", d.hint)
    assert len(english) == 8 and re.findall(r"“([^”]+)”", d.hint_zh) == english


def test_did_you_mean_a_keyword():
    d = only(HEAD + "param cap: money ceilng 7000 yuan\n", "PL101")
    assert "“ceilng”" in d.message_zh
    assert d.hint == "did you mean 'ceiling'?" and d.hint_zh == "是不是想写“ceiling”？"


def test_unknown_keyword_at_the_start_of_a_declaration():
    d = only(HEAD + "inptu selected: bool\n", "PL103")
    assert d.message_zh == "“inptu”不是政策语言的关键字" and "“input”" in d.hint_zh
    d = only("zzzz selected: bool\n" + HEAD, "PL103")
    assert "“zzzz”" in d.message_zh
    assert d.hint_zh == "每条声明都以下列关键字之一开头：" + "、".join(TOP_KEYWORDS)


def test_unfinished_declaration_says_how_it_could_continue():
    d = only(HEAD + "decision x: money = if a then b\n", "PL102")
    assert d.hint == "it could continue with 'else'" and d.hint_zh == "后面可以接着写“else”"
    d = only(HEAD + "decision x: money = (1 + \n", "PL102")
    assert "名称" in d.hint_zh and "数字" in d.hint_zh and "日期（年-月-日，如 2021-01-15）" in d.hint_zh
    assert d.span.line == 4


def test_unclosed_text():
    d = only(HEAD + 'input s: bool "abc\n', "PL101")
    assert "'\"'" in d.message and "‘\"’" in d.message_zh and "\\n" in d.hint_zh


def test_too_deep_expression_gives_the_limit():
    depth = MAX_EXPR_DEPTH + 20
    d = only(HEAD + "decision x: money = " + "(" * depth + "1" + ")" * depth + "\n", "PL104")
    assert str(MAX_EXPR_DEPTH) in d.message and str(MAX_EXPR_DEPTH) in d.message_zh
    assert "决策项" in d.hint_zh


@pytest.mark.parametrize("source, english, chinese_text", [
    ("param d: duration fixed 1.5 years\n", "whole number of years, not 1.5", "期间必须是整数年，不能是 1.5"),
    ("param d: duration fixed 2.5 months\n", "whole number of months, not 2.5", "期间必须是整数个月，不能是 2.5"),
    ("issued 2021-02-30\n", "2021-02-30 is not a date: 2021-02 has 28 days", "2021-02-30 不是有效日期：2021 年 2 月只有 28 天"),
    ('input s: bool "a\\q"\n', "unknown escape '\\q' in a text", "“\\q”"),
])
def test_invalid_literals(source, english, chinese_text):
    d = only(HEAD + source, "PL105")
    assert english in d.message and chinese_text in d.message_zh


@pytest.mark.parametrize("extra, what", [
    ('"上限" "又一个"', "中文名称"),
    ('article "一" article "二"', "“article”（条款）"),
    ('note "一" note "二"', "“note”（说明）"),
    ('because "一" because "二"', "“because”（理由）"),
])
def test_meta_given_twice_names_which(extra, what):
    d = only(HEAD + f"param cap: money ceiling 7000 yuan {extra}\n", "PL111")
    assert what in d.message_zh and d.hint_zh == "请把两段文字合并成一段"


# ---------------------------------------------------------------- files (PL0xx)


def test_empty_and_binary_text():
    d = only("# 只有注释\n", "PL003")
    assert 'policy "<标题>"' in d.hint_zh
    d = only('policy "x"\nlevel national\n\x00\x01', "PL002")
    assert ".policy" in d.hint_zh and "UTF-8" in d.hint_zh


def test_undecodable_file_gives_the_byte_and_offset(tmp_path):
    path = tmp_path / "gbk.policy"
    path.write_bytes('policy "ok"\nregion "'.encode("utf-8") + "广东省".encode("gbk") + b'"\n')
    [d] = parse_file(str(path), str(tmp_path)).diagnostics
    assert d.code == "PL002"
    assert_both_languages(d)
    byte, offset = re.search(r"byte (0x[0-9A-F]{2}) at offset (\d+)", d.message).groups()
    assert byte in d.message_zh and f"偏移 {offset} " in d.message_zh
    assert "GBK" in d.hint_zh and "iconv -f GBK -t UTF-8" in d.hint_zh


def test_unreadable_file(tmp_path):
    folder = tmp_path / "folder.policy"
    folder.mkdir()
    [d] = parse_file(str(folder), str(tmp_path)).diagnostics
    assert d.code == "PL001" and d.message.startswith("cannot read the file: ")
    assert_both_languages(d)
    assert d.message_zh == "无法读取文件：这是一个文件夹，不是文件"


def test_bad_policy_id(tmp_path):
    path = tmp_path / "Bad" / "Upper.policy"
    path.parent.mkdir()
    path.write_text(HEAD, encoding="utf-8")
    [d] = [d for d in parse_file(str(path), str(tmp_path)).diagnostics if d.code == "PL004"]
    assert_both_languages(d)
    assert "“Bad/Upper”" in d.message_zh and "policies/cn/gd/stent-2020.policy" in d.hint_zh


# ---------------------------------------------------------------- configuration (PL903)


def _config(tmp_path, text: str):
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    diags = load_config(str(tmp_path)).diagnostics
    for d in diags:
        assert d.code == "PL903"
        assert_both_languages(d)
    return diags


def test_configuration_problems_in_chinese(tmp_path):
    diags = _config(tmp_path, '[tool.policylang]\ncolour = true\nlang = "fr"\n'
                              'severity = { PL207 = "fatal", PL2077 = "off", XX1 = "off" }\n')
    by_text = {d.message: d for d in diags}
    colour = by_text["unknown setting 'colour' in [tool.policylang]"]
    assert "“colour”" in colour.message_zh and colour.hint_zh == "可以使用的设置项有：severity、lang、help_url"
    lang = by_text["lang is 'fr'; it must be one of: en, zh"]
    assert lang.message_zh == "lang 的值是 'fr'，只能是下列之一：en、zh"
    near = by_text["'PL2077' in [tool.policylang] severity is not a policylang code"]
    assert "“PL2077”" in near.message_zh and "PL201、PL202" in near.hint_zh
    assert by_text["'XX1' in [tool.policylang] severity is not a policylang code"].hint_zh == "代码的写法如 PL207"
    fatal = by_text["the severity of PL207 is 'fatal'; it must be one of: error, warning, info, off"]
    assert fatal.message_zh == "PL207 的严重程度设为 'fatal'，只能是下列之一：error、warning、info、off"
    assert fatal.hint is None and fatal.hint_zh is None


@pytest.mark.parametrize("text, needle", [
    ("[tool.policylang\nx=", "TOML"),
    ("[tool]\npolicylang = 3\n", "[tool.policylang]"),
    ("[tool.policylang]\nseverity = 3\n", "{ PL207 = \"off\" }"),
])
def test_malformed_configuration(tmp_path, text, needle):
    [d] = _config(tmp_path, text)
    assert needle in d.message_zh


# ---------------------------------------------------------------- suppressions (PL901–PL903)


def test_suppression_findings_in_chinese(tmp_path):
    root = write_tree(tmp_path, {
        "cn/a": HEAD + "input s: bool\n# policylang: ignore[PL207]\n",
        "cn/b": HEAD + '# policylang: ignore[PL999,PL402] because "说明"\ninput t: bool\n',
    })
    diags = [d for d in check([root], cache=False).diagnostics if d.code in OWN_CODES]
    by_code = {d.code: d for d in diags}
    assert set(by_code) == {"PL901", "PL902", "PL903"}
    for d in diags:
        assert_both_languages(d)
    assert "ignore[PL207]" in by_code["PL901"].hint_zh and '理由 "…"' in by_code["PL901"].hint_zh
    unused = by_code["PL902"]
    assert unused.message == "this suppression of PL999, PL402 matches no finding on line 5"
    assert unused.message_zh == "这条针对 PL999、PL402 的忽略指令在第 5 行没有对应的问题"
    assert "PL999" in by_code["PL903"].message_zh


# ---------------------------------------------------------------- nothing left in English


def _trees():
    yield os.path.join(REPO, "policies")
    yield from sorted(glob.glob(os.path.join(REPO, "tests", "fixtures", "*", "*", "policies")))


def test_every_finding_of_these_files_on_the_fixtures_has_chinese():
    trees = list(_trees())
    assert len(trees) > 1
    for tree in trees:
        for d in check([tree], cache=False).diagnostics:
            if d.code in OWN_CODES:
                assert_both_languages(d)


BROKEN = {
    "cn/a1": HEAD + "input selected：bool\n",
    "cn/a2": HEAD + "decision x: money {\n    when selected then\n",
    "cn/a3": HEAD + "input selected: bool\n这一行 不是 policy 语言 !!\n",
    "cn/a4": HEAD + "@@@ ???\ninput s2: bool\n",
    "cn/a5": HEAD + "inptu selected: bool\n",
    "cn/a6": HEAD + 'param cap: money ceiling 7000 yuan "上限" "又一个"\n',
    "cn/a7": HEAD + "param d: duration fixed 1.5 years\n",
    "cn/a8": HEAD + 'input s: bool "abc\n',
    "cn/a9": HEAD + "decision y: money = " + "(" * 120 + "1" + ")" * 120 + "\n",
    "cn/b1": "# 只有注释\n",
    "cn/b2": HEAD + "input s3: bool\n# policylang: ignore[PL207]\n",
    "cn/b3": HEAD + '# policylang: ignore[PL999] because "说明"\ninput s4: bool\n',
    "cn/b4": HEAD + "issued 2021-02-30\n",
    "cn/b5": HEAD + 'input s5: bool "a\\q"\n',
}


def test_every_finding_of_these_files_on_broken_trees_has_chinese(tmp_path):
    root = write_tree(tmp_path, BROKEN)
    (tmp_path / "policies" / "cn" / "b6.policy").write_bytes(b"\xff\xfe bad")
    (tmp_path / "policies" / "Bad").mkdir()
    (tmp_path / "policies" / "Bad" / "Upper.policy").write_text(HEAD, encoding="utf-8")
    seen = set()
    for d in check([root], cache=False).diagnostics:
        if d.code in OWN_CODES:
            assert_both_languages(d)
            seen.add(d.code)
    assert seen >= OWN_CODES - {"PL001"}
