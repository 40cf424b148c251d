"""Bad input never raises: every problem is a located diagnostic."""

from __future__ import annotations

from policylang.syntax.parser import MAX_EXPR_DEPTH, parse_file, parse_source
from policylang.syntax.compare import ast_equal

VALID_DECISION = "decision payment_standard: money \"支付标准\" = min(selected_price, 1500 yuan)\n"


def codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


def test_empty_file():
    result = parse_source("", "empty.policy")
    assert result.file is None
    assert codes(result) == ["PL003"]
    assert result.diagnostics[0].span.line == 1


def test_whitespace_and_comments_only():
    result = parse_source("\n   \n# 只有注释\n    # 还是注释\n", "comments.policy")
    assert result.file is None
    assert codes(result) == ["PL003"]


def test_binary_bytes_in_text():
    result = parse_source("policy \"x\"\nlevel national\n\x00\x01\x02\xff", "binary.policy")
    assert result.file is None
    assert codes(result) == ["PL002"]
    assert result.diagnostics[0].span.line == 3


def test_binary_file_on_disk(tmp_path):
    path = tmp_path / "image.policy"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    result = parse_file(str(path), str(tmp_path))
    assert result.file is None
    assert codes(result) == ["PL002"]


def test_invalid_utf8_file_points_at_the_bad_byte(tmp_path):
    path = tmp_path / "gbk.policy"
    path.write_bytes('policy "ok"\nregion "'.encode("utf-8") + "广东省".encode("gbk") + b'"\n')
    result = parse_file(str(path), str(tmp_path))
    assert result.file is None
    [diag] = result.diagnostics
    assert diag.code == "PL002"
    assert (diag.span.line, diag.span.column) == (2, 9)
    assert "GBK" in diag.hint


def _deep(prefix: str, atom: str, suffix: str, depth: int = 10_000) -> str:
    return f"decision deep: decimal = {prefix * depth}{atom}{suffix * depth}\n"


def test_ten_thousand_nested_parentheses():
    result = parse_source(_deep("(", "1", ")"), "deep.policy")
    assert codes(result) == ["PL104"]
    assert str(MAX_EXPR_DEPTH) in result.diagnostics[0].message


def test_ten_thousand_unary_minus():
    assert codes(parse_source(_deep("-", "1", ""), "deep.policy")) == ["PL104"]


def test_ten_thousand_nots():
    assert codes(parse_source(_deep("not ", "true", ""), "deep.policy")) == ["PL104"]


def test_ten_thousand_term_plus_chain():
    text = "decision long_sum: decimal = " + " + ".join(["1"] * 10_000) + "\n"
    assert codes(parse_source(text, "deep.policy")) == ["PL104"]


def test_deep_expression_costs_only_its_own_declaration():
    text = "input selected: bool\n" + _deep("(", "1", ")") + VALID_DECISION
    result = parse_source(text, "deep.policy")
    assert codes(result) == ["PL104"]
    assert [d.name for d in result.file.decls] == ["selected", "payment_standard"]


def test_nesting_just_inside_the_limit_parses():
    result = parse_source(_deep("(", "1", ")", depth=MAX_EXPR_DEPTH // 2), "ok.policy")
    assert result.diagnostics == ()


def test_truncated_file_reports_the_unfinished_declaration():
    text = "input selected: bool\n" + VALID_DECISION + "decision listing_price: money {\n    when selected then"
    result = parse_source(text, "truncated.policy")
    assert codes(result) == ["PL102"]
    assert result.diagnostics[0].span.line == 4
    assert [d.name for d in result.file.decls] == ["selected", "payment_standard"]


def test_stray_garbage_line_between_two_declarations_keeps_both():
    text = "input selected: bool \"是否中选\"\n这一行 不是 policy 语言 !!\n" + VALID_DECISION
    result = parse_source(text, "stray.policy")
    assert [d.name for d in result.file.decls] == ["selected", "payment_standard"]
    assert [d.span.line for d in result.diagnostics] == [2]
    assert codes(result) in (["PL101"], ["PL110"])


def test_stray_garbage_after_the_header_keeps_the_header():
    text = 'policy "标题"\nlevel provincial\n@@@ ??? \ninput selected: bool\n'
    result = parse_source(text, "stray.policy")
    assert result.file.title == "标题" and result.file.level == "provincial"
    assert [d.name for d in result.file.decls] == ["selected"]
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("PL110", 3)]


def test_full_width_colon_comma_parentheses_and_quotes_are_accepted():
    full = parse_source("decision x：money “某值” = min（a，b）\n", "fullwidth.policy")
    half = parse_source('decision x: money "某值" = min(a, b)\n', "halfwidth.policy")
    assert not full.diagnostics and ast_equal(full.file, half.file)


def test_full_width_percent_gets_the_ascii_hint():
    result = parse_source("param p: percent floor 30％\n", "fullwidth.policy")
    [diag] = result.diagnostics
    assert diag.code == "PL110"
    assert "％" in diag.message
    assert "'%'" in diag.hint
    assert (diag.span.line, diag.span.column) == (1, 26)


def test_full_width_digits_get_the_ascii_hint():
    [diag] = parse_source("param p: money ceiling ７０００ yuan\n", "fullwidth.policy").diagnostics
    assert diag.code == "PL110" and "'7'" in diag.hint


def test_multi_megabyte_file_parses():
    # Long notes, as real policies have, make it big; the declarations make it work.
    note = "按不低于年度约定采购金额的30%预付，" * 16
    block = (
        "input selected_{i}: bool \"是否中选产品{i}\" article \"二(一)\"\n"
        "    note \"" + note + "\"\n"
        "param cap_{i}: money ceiling {i} yuan \"挂网价上限\"\n"
        "decision price_{i}: money \"挂网价格\" {{\n"
        "    when selected_{i} then min(cap_{i}, 1500 yuan) \"中选产品\"\n"
        "    otherwise none\n"
        "}}\n"
    )
    text = "".join(block.format(i=i) for i in range(3_000))
    assert len(text.encode("utf-8")) > 2_000_000
    result = parse_source(text, "big.policy")
    assert result.diagnostics == ()
    assert len(result.file.decls) == 9_000
    assert result.file.decls[-1].name == "price_2999"
