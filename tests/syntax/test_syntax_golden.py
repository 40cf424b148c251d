"""Golden tests for the text of syntax diagnostics, one per code.

The rendered text (render_text, no colour) is compared with tests/syntax/golden/<name>.txt.
Run with UPDATE_GOLDEN=1 to rewrite the files after a deliberate change, then review the diff.
"""

from __future__ import annotations

import os

import pytest

from policylang.diagnostics import SourceCache, render_text
from policylang.syntax.parser import parse_file, parse_source

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")

# name -> (file name shown in the output, source text); each yields exactly one diagnostic.
CASES = {
    "PL002_binary": ("binary.policy", 'policy "冠脉支架"\nlevel national\n\x00\x01\x02'),
    "PL003_empty": ("empty.policy", "# 只有注释，没有政策\n"),
    "PL105_too_many_digits": ("digits.policy", 'param r: percent floor 12345678901234567890123456789% "r"\n'),
    "PL114_compatibility_form": ("ligature.policy", 'input price: money\ndecision ﬁnal: money = price\n'),
    "PL115_mixed_alphabets": ("homoglyph.policy", 'input price: money\ninput \u0440rice: money\n'),
    "PL101_syntax_error": ("syntax.policy", 'input selected bool "是否中选产品"\n'),
    "PL101_unclosed_text": ("unclosed.policy", 'input selected: bool "是否中选产品\n'),
    "PL102_unexpected_end": ("truncated.policy", "decision prepayment_min: money = agreed_amount *\n"),
    "PL103_unknown_keyword": ("keyword.policy", 'polcy "广东省医疗保障局关于贯彻落实冠脉支架集中带量采购的通知"\n'),
    "PL104_too_deep": ("deep.policy", "decision x: decimal = " + "(" * 120 + "1" + ")" * 120 + "\n"),
    "PL105_invalid_date": ("date.policy", "issued 2021-02-30\n"),
    "PL105_fractional_duration": ("duration.policy", 'param cycle_length: duration fixed 2.5 years "采购周期"\n'),
    "PL111_duplicate_label": ("label.policy", 'input selected: bool "是否中选产品" article "二(一)" "中选"\n'),
    "PL110_full_width": ("fullwidth.policy", 'param prepayment_ratio: percent floor 30％ "医保基金预付比例"\n'),
}


def _check(name: str, rendered: str) -> None:
    path = os.path.join(GOLDEN, name + ".txt")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(rendered)
        return
    assert os.path.exists(path), f"no golden file {path}; run with UPDATE_GOLDEN=1 to create it"
    with open(path, encoding="utf-8") as fh:
        assert rendered == fh.read()


@pytest.mark.parametrize("name", sorted(CASES))
def test_syntax_diagnostic_text(name):
    file_name, text = CASES[name]
    result = parse_source(text, file_name)
    assert len(result.diagnostics) == 1, result.diagnostics
    assert result.diagnostics[0].code == name.split("_")[0]
    sources = SourceCache()
    sources.add(file_name, text)
    _check(name, render_text(result.diagnostics, sources, colour=False))


def test_invalid_policy_id_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "Stent 2020.policy"
    path.write_text('policy "冠脉支架"\n', encoding="utf-8")
    result = parse_file(str(path), str(tmp_path))
    assert [d.code for d in result.diagnostics] == ["PL004"]
    _check("PL004_policy_id", render_text(result.diagnostics, SourceCache(), colour=False))


def test_invalid_utf8_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "gbk.policy"
    path.write_bytes('region "'.encode("utf-8") + "广东省".encode("gbk") + b'"\n')
    result = parse_file(str(path), str(tmp_path))
    assert [d.code for d in result.diagnostics] == ["PL002"]
    _check("PL002_invalid_utf8", render_text(result.diagnostics, SourceCache(), colour=False))


def test_every_golden_file_has_a_case():
    names = set(CASES) | {"PL004_policy_id", "PL002_invalid_utf8"}
    on_disk = {f[:-4] for f in os.listdir(GOLDEN) if f.endswith(".txt")}
    assert on_disk <= names, f"stale golden files: {sorted(on_disk - names)}"
