"""Every example in the language reference (docs/language.md) parses, and is already in fmt's layout."""

from __future__ import annotations

import os
import re

import pytest

from policylang.syntax.formatter import format_source
from policylang.syntax.parser import parse_source

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REFERENCE = os.path.join(ROOT, "docs", "language.md")


def examples() -> list[str]:
    with open(REFERENCE, encoding="utf-8") as fh:
        return re.findall(r"```\n(.*?)```", fh.read(), flags=re.DOTALL)


@pytest.mark.parametrize("block", examples(), ids=lambda b: b.splitlines()[0][:40])
def test_reference_example_parses_and_is_formatted(block):
    result = parse_source(block, "language.md")
    if result.file is None:  # a block of comments only
        assert [d.code for d in result.diagnostics] == ["PL003"]
        return
    assert result.diagnostics == ()
    formatted, _ = format_source(block, "language.md")
    assert formatted.rstrip("\n") == block.rstrip("\n")


def test_reference_has_examples():
    assert len(examples()) >= 15


# ---------------------------------------------------------------- the Chinese reference (docs/language.zh.md)

REFERENCE_ZH = os.path.join(ROOT, "docs", "language.zh.md")


def examples_zh() -> list[str]:
    with open(REFERENCE_ZH, encoding="utf-8") as fh:
        return re.findall(r"```\n(.*?)```", fh.read(), flags=re.DOTALL)


@pytest.mark.parametrize("block", examples_zh(), ids=lambda b: b.splitlines()[0][:40])
def test_chinese_reference_example_parses_and_is_formatted(block):
    result = parse_source(block, "language.zh.md")
    assert result.diagnostics == (), [(d.code, d.message) for d in result.diagnostics]
    formatted, _ = format_source(block, "language.zh.md")  # in the block's own keyword language
    assert formatted.rstrip("\n") == block.rstrip("\n")


def test_chinese_reference_lists_every_keyword():
    """Regenerate with: python -m policylang.syntax.keywords docs/language.zh.md"""
    from policylang.syntax.keywords import keyword_table_md

    with open(REFERENCE_ZH, encoding="utf-8") as fh:
        assert keyword_table_md() in fh.read()
