"""Mutated seed policies (lines dropped, repeated, swapped, names changed) never crash the pipeline:
every problem is a located diagnostic."""

from __future__ import annotations

import os
import shutil
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylang.pipeline import check

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(REPO, "policies")
FILES = sorted(
    os.path.relpath(os.path.join(d, f), SEEDS)
    for d, _, names in os.walk(SEEDS) for f in names if f.endswith(".policy")
)
NAMES = ["selected", "price", "prepayment_ratio", "cycle_end", "nonselected_payment_cap", "public", "other",
         "cn/stent-2020", "cn/gd/stent-2020", "cn/hvc-2021", "fixed", "floor", "override", "none", "true"]


@st.composite
def mutation(draw):
    target = draw(st.sampled_from(FILES))
    with open(os.path.join(SEEDS, target), encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        kind = draw(st.sampled_from(["drop", "repeat", "swap", "rename", "override"]))
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "drop":
            del lines[i]
        elif kind == "repeat":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "rename":
            old, new = draw(st.sampled_from(NAMES)), draw(st.sampled_from(NAMES))
            lines[i] = lines[i].replace(old, new)
        else:
            lines[i] = "override " + lines[i]
    return target, "\n".join(lines) + "\n"


@given(mutation())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_seeds_only_ever_give_diagnostics(case):
    target, text = case
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "policies")
        shutil.copytree(SEEDS, root)
        with open(os.path.join(root, target), "w", encoding="utf-8") as fh:
            fh.write(text)
        run = check([root], cache=False)
        for d in run.diagnostics:
            assert d.code.startswith("PL")
            assert d.span is None or d.span.line >= 1
            assert "internal error" not in d.message.lower(), d.message  # (a name may contain "internal")
