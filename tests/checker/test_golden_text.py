"""The exact text an author sees for each conflict fixture: review diffs of these files like code.

UPDATE_GOLDEN=1 regenerates them.
"""

from __future__ import annotations

import os

import pytest

from policylang.diagnostics import render_text
from policylang.pipeline import check

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures", "conflicts")
GOLDEN = os.path.join(HERE, "golden")
CASES = sorted(d for d in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, d, "policies")))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("case", CASES)
def test_diagnostic_text_matches_golden(case, lang, monkeypatch):
    """golden/<case>.txt in English, golden/zh/<case>.txt as `--lang zh` prints it for authors."""
    folder = os.path.join(FIXTURES, case)
    monkeypatch.chdir(folder)  # paths in the text are relative to the fixture
    run = check(["policies"])
    text = render_text(run.diagnostics, run.workspace.sources, colour=False, lang=lang)
    assert text.strip(), f"{case}: no findings"
    folder = GOLDEN if lang == "en" else os.path.join(GOLDEN, lang)
    path = os.path.join(folder, f"{case}.txt")
    if os.environ.get("UPDATE_GOLDEN") or not os.path.exists(path):
        os.makedirs(folder, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    with open(path, encoding="utf-8") as fh:
        assert text == fh.read()


def test_every_conflict_code_has_golden_text():
    covered = set()
    for case in CASES:
        with open(os.path.join(GOLDEN, f"{case}.txt"), encoding="utf-8") as fh:
            covered.update(line.split("]")[0].split("[")[1] for line in fh if line.startswith(("error[", "warning[")))
    assert {"PL301", "PL302", "PL304", "PL305", "PL306", "PL307", "PL311", "PL312", "PL401", "PL402", "PL404",
            "PL501", "PL601"} <= covered
