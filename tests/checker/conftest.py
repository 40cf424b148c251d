"""Helpers for the checker tests: write a small policy tree from strings and check it."""

from __future__ import annotations

import os
import textwrap

import pytest

from policylang.pipeline import check

NATIONAL_HEADER = """\
policy "国家测试政策"
level national
region "全国"
effective 2021-01-01
"""

PROVINCIAL_HEADER = """\
policy "省级测试政策"
level provincial
region "某省"
effective 2021-02-01
extends cn/base
"""

MUNICIPAL_HEADER = """\
policy "市级测试政策"
level municipal
region "某市"
effective 2021-03-01
extends cn/p/base
"""


@pytest.fixture(autouse=True)
def _debug(monkeypatch):
    # A check that fails internally must fail the test, not be skipped silently.
    monkeypatch.setenv("POLICYLANG_DEBUG", "1")


def write_tree(root, files: dict[str, str]) -> str:
    """Write {policy id: text} under root/policies and return that folder."""
    policies = os.path.join(str(root), "policies")
    for pid, text in files.items():
        path = os.path.join(policies, pid + ".policy")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(textwrap.dedent(text))
    return policies


@pytest.fixture
def run(tmp_path):
    """run({id: text}) -> the diagnostics of checking that tree."""

    def _run(files: dict[str, str], extra: dict[str, str] | None = None):
        folder = write_tree(tmp_path, files)
        for name, text in (extra or {}).items():
            with open(os.path.join(str(tmp_path), name), "w", encoding="utf-8") as fh:
                fh.write(textwrap.dedent(text))
        return check([folder]).diagnostics

    return _run


def codes(diags, severities=("error", "warning")) -> set[str]:
    return {d.code for d in diags if d.severity in severities}


def only(diags, code):
    found = [d for d in diags if d.code == code]
    assert found, f"expected {code}, got {[(d.code, d.message) for d in diags]}"
    return found
