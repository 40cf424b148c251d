"""Hostile and careless text in policy files: nothing reaches the terminal raw, nothing crashes,
line numbers match what editors show (issue 16, items 2, 4 and 11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEADER = 'policy "t"\nlevel national\nregion "x"\neffective 2020-01-01\n'


def _tree(tmp_path, body: str):
    folder = tmp_path / "policies" / "cn"
    folder.mkdir(parents=True)
    (folder / "t.policy").write_text(HEADER + body, encoding="utf-8")
    return str(tmp_path / "policies")


def _policylang(*args, cwd=None):
    env = dict(os.environ, POLICYLANG_NO_CACHE="1")
    return subprocess.run([sys.executable, "-m", "policylang", *args], capture_output=True, cwd=cwd, env=env,
                          timeout=120)


def test_terminal_escapes_and_bidi_controls_are_shown_escaped_and_reported(tmp_path):
    root = _tree(tmp_path, 'input a: money "\\u001b]0;pwned\\u0007\\u001b[2J\\u202eabc"\n'
                           'input b: money "raw \u202e here"\n')
    out = _policylang("check", root)
    text = out.stdout.decode("utf-8")
    assert out.returncode in (0, 1) and not out.stderr.decode().count("Traceback")
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in text
    assert "\\u001b" in text and "\\u202e" in text
    hidden = [line for line in text.splitlines() if line.startswith("warning[PL113]")]
    assert len(hidden) == 2  # one for the escaped text, one for the raw character


def test_a_surrogate_pair_is_one_character_and_a_lone_half_is_reported(tmp_path):
    root = _tree(tmp_path, 'input a: money "smile \\uD83D\\uDE00"\ninput b: money "lone \\uD83D"\n')
    for args in (("check", root), ("check", root, "--format", "json"), ("check", root, "--format", "sarif")):
        out = _policylang(*args)
        assert out.returncode == 1, out.stderr.decode()
        assert b"Traceback" not in out.stderr and b"internal error" not in out.stderr
    data = json.loads(_policylang("check", root, "--format", "json").stdout)
    codes = [d["code"] for d in data["diagnostics"]]
    assert "PL105" in codes
    docs = _policylang("docs", root, "-o", str(tmp_path / "site"))
    assert b"Traceback" not in docs.stderr
    page = (tmp_path / "site" / "policies" / "cn" / "t.md")
    if page.exists():
        assert "smile \U0001F600" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("separator", ["\f", "\x85", "\x1c", "\u2028"])
def test_line_numbers_count_line_feeds_only(tmp_path, separator):
    """A form feed, NEL, file separator or line separator inside a text starts no line: the caret of a
    later finding shows the line an editor shows at that number."""
    root = _tree(tmp_path, f'input a: money "one{separator}two"\n\nparam p: percent floor 30%\n'
                           'override param q: money fixed 1 yuan because "x"\n')
    text = _policylang("check", root).stdout.decode("utf-8")
    line = next(line for line in text.splitlines() if line.startswith("8 |"))
    assert "override param q" in line
