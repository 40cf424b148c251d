"""The generator's per-process memos (each expression's references, each inherited item's trace
table, each item's code) give the modules it gives without them: every module of a generated
tree, written in one process with the memos warm from the policies before it, is byte for byte the
module generated with the memos emptied first; and so are the seed policies and the checker's
fixtures, generated after that tree. An item reused across modules is reused only where what it
is written from is the same: a parameter a lower level overrides changes the inherited decisions
that read it, in that level's module and below."""

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
    pycodegen._EMISSIONS.clear()
    facts._REFS.clear()


def _modules_warm_and_cold(paths: list[str]) -> tuple[dict, dict, int, tuple[int, int]]:
    run = check(paths)
    policies = [p for p in run.target_policies() if not p.has_errors]
    layout = package_layout(p.policy_id for p in policies)
    warm = {p.policy_id: generate_module(p, layout[p.policy_id].count("/")) for p in policies}
    reused = len(pycodegen._TRACE_LINES)
    # the item memo's entries after the warm pass, and how many items' code was written in it
    items = (len(pycodegen._EMISSIONS), sum(2 * (len(p.params) + len(p.decisions)) + len(p.requirements)
                                            for p in policies))
    cold = {}
    for p in policies:
        _forget()
        cold[p.policy_id] = generate_module(p, layout[p.policy_id].count("/"))
    return warm, cold, reused, items


def test_modules_with_the_memos_warm_are_the_modules_generated_afresh(tmp_path):
    _forget()
    warm, cold, tables, (items_written, items_emitted) = _modules_warm_and_cold([_generated_tree(tmp_path)])
    assert len(warm) == 19
    assert tables > 0  # the memo was used
    # and the item memo: of the items' code written for the 19 modules (each parameter and decision
    # twice, as a method and in _decide_fast), most was written once and reused
    assert 0 < items_written < items_emitted / 2
    for pid in warm:
        assert warm[pid] == cold[pid], pid


def test_the_seed_policies_after_another_tree_are_generated_as_afresh(tmp_path):
    # The memo of one tree stays in the process: the next tree's modules must not take from it.
    _forget()
    check([_generated_tree(tmp_path)])
    first_warm, *_ = _modules_warm_and_cold([_generated_tree(tmp_path / "again")])
    seeds_warm, seeds_cold, *_ = _modules_warm_and_cold([os.path.join(REPO, "policies")])
    assert seeds_warm
    for pid in seeds_warm:
        assert seeds_warm[pid] == seeds_cold[pid], pid
    assert first_warm


def test_the_checker_fixtures_after_the_seeds_are_generated_as_afresh():
    _forget()
    _modules_warm_and_cold([os.path.join(REPO, "policies")])
    fixtures = os.path.join(REPO, "tests", "fixtures", "clean")
    for case in sorted(os.listdir(fixtures)):
        warm, cold, *_ = _modules_warm_and_cold([os.path.join(fixtures, case, "policies")])
        for pid in warm:
            assert warm[pid] == cold[pid], (case, pid)


_NATIONAL = """policy "全国文件"
level national
region "全国"
issuer "国家医疗保障局"
document "医保发〔2020〕1号"
issued 2020-12-15
effective 2020-12-15

input amount: money "金额"

param ratio: percent floor 30% "比例"

decision base: money "基数" = round(1000 yuan * ratio, fen)

decision share: money "分担" = round(amount * ratio, fen) + base
"""

_CHILD = """policy "{title}"
level {level}
region "{region}"
issuer "{region}医疗保障局"
document "{document}"
issued 2021-01-01
effective 2021-01-01
extends {parent}
{override}
"""


def test_an_inherited_decision_is_rewritten_where_a_parameter_it_reads_is_overridden(tmp_path):
    root = tmp_path / "policies"
    (root / "cn" / "fj" / "fz").mkdir(parents=True)
    (root / "cn" / "stent-2020.policy").write_text(_NATIONAL, encoding="utf-8")
    (root / "cn" / "fj" / "stent-2020.policy").write_text(_CHILD.format(
        title="省文件", level="provincial", region="福建省", document="闽医保〔2021〕1号", parent="cn/stent-2020",
        override='override param ratio: percent floor 40% "比例" because "提高比例"'), encoding="utf-8")
    (root / "cn" / "fj" / "fz" / "stent-2020.policy").write_text(_CHILD.format(
        title="市文件", level="municipal", region="福州市", document="榕医保〔2021〕1号", parent="cn/fj/stent-2020",
        override=""), encoding="utf-8")
    _forget()
    warm, cold, *_ = _modules_warm_and_cold([str(root)])
    assert set(warm) == {"cn/stent-2020", "cn/fj/stent-2020", "cn/fj/fz/stent-2020"}
    for pid in warm:
        assert warm[pid] == cold[pid], pid
    # base is folded when generated: 300 yuan nationally, 400 where the province raised the ratio
    assert "_D_300_00" in warm["cn/stent-2020"] and "_D_400_00" not in warm["cn/stent-2020"]
    for pid in ("cn/fj/stent-2020", "cn/fj/fz/stent-2020"):
        assert "_D_400_00" in warm[pid] and "_D_300_00" not in warm[pid], pid
