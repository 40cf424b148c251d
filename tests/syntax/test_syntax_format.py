"""The formatter: canonical layout, comments kept, idempotence and round trip over every policy file."""

from __future__ import annotations

import glob
import os

import pytest

from policylang.syntax import ast as A
from policylang.syntax.compare import ast_equal, strip_spans
from policylang.syntax.formatter import format_expr, format_source, quote
from policylang.syntax.parser import parse_source

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def corpus_files() -> list[str]:
    """Every policy file of the project, globbed when the tests are collected."""
    patterns = [
        os.path.join(ROOT, "policies", "**", "*.policy"),
        os.path.join(ROOT, "tests", "fixtures", "**", "*.policy"),
        os.path.join(DATA, "**", "*.policy"),
    ]
    files = sorted({f for pattern in patterns for f in glob.glob(pattern, recursive=True)})
    return files


def _rel(path: str) -> str:
    return os.path.relpath(path, ROOT)


def _fmt(text: str, path: str = "t.policy") -> str:
    out, diags = format_source(text, path)
    assert out is not None, [(d.code, d.message, str(d.span)) for d in diags]
    return out


@pytest.mark.parametrize("path", corpus_files(), ids=_rel)
def test_corpus_file_round_trips_and_is_idempotent(path):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    original = parse_source(text, path)
    formatted, diags = format_source(text, path)
    if original.file is None or any(d.severity == "error" for d in original.diagnostics):
        # A deliberately broken fixture: the formatter refuses it with the parser's diagnostics.
        assert formatted is None
        assert diags
        return
    assert formatted is not None
    reparsed = parse_source(formatted, path)
    assert reparsed.diagnostics == ()
    assert ast_equal(original.file, reparsed.file)
    assert _fmt(formatted, path) == formatted
    # Every comment survives, once.
    assert sorted(c.text.rstrip() for c in reparsed.file.comments) == \
        sorted(c.text.rstrip() for c in original.file.comments)


def test_corpus_is_not_empty():
    assert any(p.startswith(DATA) for p in corpus_files())


# ---------------------------------------------------------------- layout


def test_header_is_reordered_and_separated_from_declarations():
    text = (
        'summary "概述"\neffective 2021-01-01\nuses cn/drug-vbp-2019 as drug\npolicy "标题"\n'
        "level municipal\nextends cn/gd/stent-2020\ninput selected: bool\n"
    )
    assert _fmt(text) == (
        'policy "标题"\nlevel municipal\neffective 2021-01-01\nextends cn/gd/stent-2020\n'
        'uses cn/drug-vbp-2019 as drug\nsummary "概述"\n\ninput selected: bool\n'
    )


def test_one_line_inputs_and_params_group_and_other_declarations_get_a_blank_line():
    text = (
        "input a: bool\ninput b: money optional\nparam c: percent floor 30%\nparam d: money ceiling 7000 yuan\n"
        "decision e: money = d\ndecision f: money = d\n"
    )
    assert _fmt(text) == (
        "input a: bool\ninput b: money optional\n\nparam c: percent floor 30%\n"
        "param d: money ceiling 7000 yuan\n\ndecision e: money = d\n\ndecision f: money = d\n"
    )


def test_metadata_is_printed_in_canonical_order():
    text = 'param p: percent floor 30% because "理由" note "说明" article "二(二)" "预付比例"\n'
    assert _fmt(text) == 'param p: percent floor 30% "预付比例" article "二(二)" note "说明" because "理由"\n'


def test_blocks_are_indented_one_entry_per_line():
    text = (
        'decision listing_price: money "挂网价格" { when selected then selected_price "中选" '
        "when lowest <= cap then lowest otherwise none }\n"
        "table t: bool { columns a, b row true, - => false row >= 100 yuan, in {x, y} => true "
        "row otherwise => false }\n"
        "schedule cap { from 2021-01-01: 1500 yuan from 2022-06-01: 1000元 }\n"
    )
    assert _fmt(text) == (
        'decision listing_price: money "挂网价格" {\n'
        '    when selected then selected_price "中选"\n'
        "    when lowest <= cap then lowest\n"
        "    otherwise none\n"
        "}\n\n"
        "table t: bool {\n"
        "    columns a, b\n"
        "    row true, - => false\n"
        "    row >= 100 yuan, in {x, y} => true\n"
        "    row otherwise => false\n"
        "}\n\n"
        "schedule cap {\n"
        "    from 2021-01-01: 1500 yuan\n"
        "    from 2022-06-01: 1000 yuan\n"
        "}\n"
    )


def test_example_lists_given_and_expect_one_per_line():
    text = ('example "中选产品" { as_of 2021-03-01 given selected = true, price = 469 yuan '
            "expect listing_price = 469 yuan, patient_pays needs cap }\n")
    assert _fmt(text) == (
        'example "中选产品" {\n'
        "    as_of 2021-03-01\n"
        "    given selected = true\n"
        "          price = 469 yuan\n"
        "    expect listing_price = 469 yuan\n"
        "           patient_pays needs cap\n"
        "}\n"
    )


def test_short_enum_stays_on_one_line_and_long_enum_breaks():
    short = 'enum Modality { must "必须", may }\n'
    assert _fmt(short) == 'enum Modality { must "必须", may }\n'
    long = ('enum Institution "医疗机构类型" { public "公立医疗机构", military "军队医疗机构", '
            'private_designated "医保定点社会办医疗机构", private_other "其他社会办医疗机构" }\n')
    assert _fmt(long) == (
        'enum Institution "医疗机构类型" {\n'
        '    public "公立医疗机构",\n'
        '    military "军队医疗机构",\n'
        '    private_designated "医保定点社会办医疗机构",\n'
        '    private_other "其他社会办医疗机构",\n'
        "}\n"
    )


def test_long_decision_breaks_after_the_equals_sign():
    text = ('decision prepayment_min: money "预付金额下限" article "二(二)" note "向上取整到分，保证不低于下限" = '
            "round(agreed_amount * prepayment_ratio, fen, up)\n")
    assert _fmt(text) == (
        'decision prepayment_min: money "预付金额下限" article "二(二)" note "向上取整到分，保证不低于下限" =\n'
        "    round(agreed_amount * prepayment_ratio, fen, up)\n"
    )
    assert _fmt("decision x: money =\n    a + b\n") == "decision x: money = a + b\n"


def test_long_metadata_moves_to_continuation_lines():
    note = "仅在使用了非本系统主要部件时有意义" * 3
    text = (f'input outside_company: ComponentCompany "非本系统主要部件的生产企业" article "四" note "{note}"\n'
            f'decision in_scope: bool "是否属于实施范围" article "一(一)" note "{note}" = a in {{public, military}}\n'
            f'table t: bool {{ columns a row false => false "{note}" }}\n')
    assert _fmt(text) == (
        'input outside_company: ComponentCompany "非本系统主要部件的生产企业" article "四"\n'
        f'    note "{note}"\n\n'
        'decision in_scope: bool "是否属于实施范围" article "一(一)"\n'
        f'    note "{note}" =\n'
        "    a in {public, military}\n\n"
        "table t: bool {\n"
        "    columns a\n"
        "    row false => false\n"
        f'        "{note}"\n'
        "}\n"
    )


def test_param_statements_bounds_override_and_provision():
    text = (
        "override param retention_ratio: percent delegated to municipal at least 30% at most drug.retention_ratio "
        'because "本市细化"\n'
        'provision no_offline: hospital must not "线下采购" article "三"\n'
        "param cycle: duration fixed 1 years\n"
    )
    assert _fmt(text) == (
        "override param retention_ratio: percent delegated to municipal at least 30% at most drug.retention_ratio\n"
        '    because "本市细化"\n\n'
        'provision no_offline: hospital must not "线下采购" article "三"\n\n'
        "param cycle: duration fixed 1 year\n"
    )


# ---------------------------------------------------------------- expressions


def _expr(source: str) -> A.Expr:
    result = parse_source(f"decision x: decimal = {source}\n", "e.policy")
    assert result.diagnostics == (), result.diagnostics
    return result.file.decls[0].expr


@pytest.mark.parametrize(
    "source, expected",
    [
        ("(a + b) * c", "(a + b) * c"),
        ("a + (b * c)", "a + b * c"),
        ("(a - b) - c", "a - b - c"),
        ("a - (b - c)", "a - (b - c)"),
        ("a / (b * c)", "a / (b * c)"),
        ("(a or b) and c", "(a or b) and c"),
        ("a or (b and c)", "a or b and c"),
        ("not (a and b)", "not (a and b)"),
        ("(not a) and b", "not a and b"),
        ("not (a < b)", "not a < b"),
        ("(a < b) == c", "(a < b) == c"),
        ("-(a + b)", "-(a + b)"),
        ("-(-a)", "- -a"),
        ("(-a) * b", "-a * b"),
        ("(if a then b else c) + 1", "(if a then b else c) + 1"),
        ("if a then (if b then c else d) else (e or f)", "if a then if b then c else d else e or f"),
        ("(a + b) in {1, (c)}", "a + b in {1, c}"),
        ("(a < b) in {true}", "(a < b) in {true}"),
        ("x not in {public, Institution.military}", "x not in {public, Institution.military}"),
        ("(a + b).c", "(a + b).c"),
        ("round((a * b), fen, up)", "round(a * b, fen, up)"),
        ("f()", "f()"),
        ("30%", "30%"),
        ("7000元", "7000 yuan"),
        ("2 年 + 6 个月 + 1 days + 1 month", "2 years + 6 months + 1 day + 1 month"),
        ("0.50 + 1", "0.50 + 1"),
        ("2023-04-26", "2023-04-26"),
    ],
)
def test_expression_printing_uses_minimal_parentheses(source, expected):
    printed = format_expr(_expr(source))
    assert printed == expected
    assert ast_equal(_expr(printed), _expr(source))


@pytest.mark.parametrize(
    "value, literal",
    [
        ('说"明"', r'"说\"明\""'),
        ("a\\b", r'"a\\b"'),
        ("line1\nline2", r'"line1\nline2"'),
        ("tab\there", r'"tab\there"'),
        ("sep\u2028para\u2029", r'"sep\u2028para\u2029"'),
        ("cr\rnul\x00", r'"cr\u000dnul\u0000"'),
        ("# not a comment {}", '"# not a comment {}"'),
    ],
)
def test_strings_are_escaped_and_read_back_exactly(value, literal):
    assert quote(value) == literal
    result = parse_source(f"input x: bool {literal}\n", "s.policy")
    # A control character in a text is read back exactly, and reported as invisible (PL113).
    hidden = any(ord(ch) < 32 and ch not in "\n\t" for ch in value)
    assert [d.code for d in result.diagnostics] == (["PL113"] if hidden else [])
    assert result.file.decls[0].meta.label == value


# ---------------------------------------------------------------- comments


def test_comments_stay_with_the_line_they_lead_or_trail():
    text = (
        "# file comment\n"
        'level provincial   # trailing header\n'
        '# about the title\n'
        'policy "标题"\n'
        "\n"
        "# about the table\n"
        "table t: bool {  # on the head line\n"
        "    # about the columns\n"
        "    columns a\n"
        "    row true => false   # why false\n"
        "    # before the closing brace\n"
        "}  # after the table\n"
        "# at the end\n"
    )
    assert _fmt(text) == (
        "# file comment\n"
        "# about the title\n"
        'policy "标题"\n'
        "level provincial  # trailing header\n"
        "\n"
        "# about the table\n"
        "table t: bool {  # on the head line\n"
        "    # about the columns\n"
        "    columns a\n"
        "    row true => false  # why false\n"
        "    # before the closing brace\n"
        "}  # after the table\n"
        "\n"
        "# at the end\n"
    )


def test_comments_inside_a_broken_expression_and_after_a_lone_brace_are_kept():
    text = (
        "decision x: money =   # why this formula\n"
        "    a +\n"
        "    # the second part\n"
        "    b   # b is the rest\n"
        "decision y: money \"标签\"\n"
        "{  # opening\n"
        "    when a then b\n"
        "}\n"
    )
    once = _fmt(text)
    assert _fmt(once) == once
    assert sorted(c.text for c in parse_source(once).file.comments) == sorted(
        ["# why this formula", "# the second part", "# b is the rest", "# opening"])
    assert once.startswith("# why this formula\n# the second part\ndecision x: money = a + b  # b is the rest\n")


def test_comment_only_between_grouped_inputs_starts_a_new_group():
    text = "input a: bool\n# b comes from the hospital\ninput b: bool\ninput c: bool\n"
    expected = "input a: bool\n\n# b comes from the hospital\ninput b: bool\ninput c: bool\n"
    assert _fmt(text) == expected
    assert _fmt(expected) == expected


def test_crlf_source_formats_to_lf_without_stray_carriage_returns():
    text = "input a: bool   # note\r\ninput b: bool\r\n"
    assert _fmt(text) == "input a: bool  # note\ninput b: bool\n"


def test_unparsable_source_gives_none_and_diagnostics():
    out, diags = format_source("input x bool\n", "bad.policy")
    assert out is None
    assert [d.code for d in diags] == ["PL101"]


def test_strip_spans_removes_every_span():
    tree = parse_source("decision x: money = round(a * 30%, fen)\n", "p.policy").file
    stripped = strip_spans(tree.decls[0])
    assert stripped.span == A.NO_SPAN and stripped.expr.args[0].left.span == A.NO_SPAN
    assert not ast_equal(tree.decls[0], parse_source("decision x: money = round(a * 31%, fen)\n").file.decls[0])
