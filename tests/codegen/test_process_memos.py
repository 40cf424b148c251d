"""The generator's per-process memos (each expression's references, each inherited item's trace
table) give the modules it gives without them: every module of a generated tree, written in one
process with the memos warm from the policies before it, is byte for byte the module generated
with both memos emptied first; and so are the seed policies, generated after that tree."""

from __future__ import annotations

import os
import subprocess
import sys

from policylang.backends import pycodegen
from policylang.backends.pycodegen import generate_module, package_layout
from policylang.lowering import facts
from policylang.pipeline import check

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _generated_tree(tmp_path) -> str:
    tree = str(tmp_path / "tree")
    subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "gen_tree.py"), tree, "--provinces", "2",
                    "--cities", "4", "--counties", "12", "--conflicts", "0"], check=True, capture_output=True)
    return tree


def _forget() -> None:
    pycodegen._TRACE_LINES.clear()
    facts._REFS.clear()


def _modules_warm_and_cold(paths: list[str]) -> tuple[dict, dict, int]:
    run = check(paths)
    policies = [p for p in run.target_policies() if not p.has_errors]
    layout = package_layout(p.policy_id for p in policies)
    warm = {p.policy_id: generate_module(p, layout[p.policy_id].count("/")) for p in policies}
    reused = len(pycodegen._TRACE_LINES)
    cold = {}
    for p in policies:
        _forget()
        cold[p.policy_id] = generate_module(p, layout[p.policy_id].count("/"))
    return warm, cold, reused


def test_modules_with_the_memos_warm_are_the_modules_generated_afresh(tmp_path):
    _forget()
    warm, cold, tables = _modules_warm_and_cold([_generated_tree(tmp_path)])
    assert len(warm) == 19
    assert tables > 0  # the memo was used
    for pid in warm:
        assert warm[pid] == cold[pid], pid


def test_the_seed_policies_after_another_tree_are_generated_as_afresh(tmp_path):
    # The memo of one tree stays in the process: the next tree's modules must not take from it.
    _forget()
    check([_generated_tree(tmp_path)])
    first_warm, _, _ = _modules_warm_and_cold([_generated_tree(tmp_path / "again")])
    seeds_warm, seeds_cold, _ = _modules_warm_and_cold([os.path.join(REPO, "policies")])
    assert seeds_warm
    for pid in seeds_warm:
        assert seeds_warm[pid] == seeds_cold[pid], pid
    assert first_warm
