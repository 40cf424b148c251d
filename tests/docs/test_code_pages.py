"""Every diagnostic code has a page in both languages (docs/codes), and every finding links to it."""

from __future__ import annotations

import json
import os

from policylang.codes_help import HELP, help_url, pages
from policylang.diagnostics import CODES, Diagnostic, SourceCache, render_json, render_text
from policylang.sarif import render_sarif
from policylang.syntax.ast import Span

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FOLDER = os.path.join(REPO, "docs", "codes")


def test_every_code_is_explained_in_both_languages():
    assert set(HELP) == set(CODES)
    for code, h in HELP.items():
        assert h.zh and h.fix_zh and h.en and h.fix_en, code


def test_the_pages_in_the_repository_are_up_to_date():
    """Regenerate with: python -m policylang.codes_help docs/codes"""
    for name, text in pages().items():
        with open(os.path.join(FOLDER, name), encoding="utf-8") as fh:
            assert fh.read() == text, name


def test_findings_link_to_their_page(monkeypatch):
    monkeypatch.delenv("POLICYLANG_HELP_URL", raising=False)
    d = Diagnostic("PL304", "lowered", Span("a.policy", 1, 1, 1, 2), hint="raise it", message_zh="被降低",
                   hint_zh="请提高")
    assert help_url("PL304") == "docs/codes/PL304.md"
    assert "  建议：请提高（详见 docs/codes/PL304.md）" in render_text([d], SourceCache(), lang="zh")
    assert "  help: raise it (see docs/codes/PL304.md)" in render_text([d], SourceCache(), lang="en")
    assert json.loads(render_json([d]))["diagnostics"][0]["url"] == "docs/codes/PL304.md"
    sarif = json.loads(render_sarif([d], "0", lang="zh"))["runs"][0]
    assert sarif["tool"]["driver"]["rules"][0]["helpUri"] == "docs/codes/PL304.md"
    assert sarif["tool"]["driver"]["rules"][0]["shortDescription"]["text"] == "下限被降低"
    assert sarif["results"][0]["message"]["text"] == "被降低\n建议：请提高"
    monkeypatch.setenv("POLICYLANG_HELP_URL", "https://example.org/policylang/codes")
    assert help_url("PL304") == "https://example.org/policylang/codes/PL304.md"
