"""policy_windows (the policies that may stand in for each policy in its region, with their dates in
force) gives what its definition says — every policy of the tree in the policy's region folder or
above, not below it — on trees with successors in the same region, and on a generated tree, where
it must not look through the whole tree for each policy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from policylang.semantics import resolve as R
from policylang.semantics.loader import load_workspace

REPO = os.path.join(os.path.dirname(__file__), "..", "..")


def _by_definition(files: dict) -> dict[str, tuple]:
    """The windows straight from the definition: for each policy the whole tree, filtered."""
    def chain_of(pid):
        chain, cur = [], pid
        while cur in files and cur not in chain:
            chain.append(cur)
            cur = files[cur].extends
        return chain

    def window(pid):
        pf = files[pid]
        folder = R.region_folder(pid)
        return (pid, pf.level, len(folder.split("/")) if folder else 0, pf.effective, pf.ends, len(chain_of(pid)))

    out = {}
    for pid in files:
        root = chain_of(pid)[-1]
        folders = set(R._folders_up(R.region_folder(pid)))
        tree = [c for c in files if chain_of(c)[-1] == root]
        below = {c for c in tree if c != pid and pid in chain_of(c)}
        out[pid] = tuple(window(c) for c in sorted(tree) if c not in below and R.region_folder(c) in folders)
    return out


def _files(root: str) -> dict:
    ws = load_workspace([root], root)
    return {pid: pf for pid, pf in ws.files.items() if pf is not None}


def test_windows_with_successors_in_one_region(tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(os.path.join(REPO, "policies"), root)
    gd = (root / "cn" / "gd" / "stent-2020.policy").read_text(encoding="utf-8")
    successor = gd.replace("effective 2020-12-25", "effective 2023-01-01", 1)
    assert successor != gd
    (root / "cn" / "gd" / "stent-2023.policy").write_text(successor, encoding="utf-8")
    files = _files(str(root))
    windows = R.policy_windows(files)
    assert windows == _by_definition(files)
    ids = {w[0] for w in windows["cn/gd/chaozhou/stent-2020"]}
    assert {"cn/gd/stent-2023", "cn/gd/stent-2020", "cn/stent-2020"} <= ids


def test_windows_of_a_generated_tree(tmp_path):
    out = tmp_path / "tree"
    subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "gen_tree.py"), str(out), "--provinces", "4",
                    "--cities", "16", "--counties", "60", "--topics", "2"], check=True, capture_output=True)
    files = _files(str(out))
    assert len(files) == 2 * (1 + 4 + 16 + 60)
    assert R.policy_windows(files) == _by_definition(files)
