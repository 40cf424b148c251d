"""The read overlay: unsaved editor text checked in place of the file on disk, the cache kept right."""

import os
import shutil

from policylang.pipeline import check
from policylang.syntax.files import overlay, read_policy_bytes

SEEDS = os.path.join(os.path.dirname(__file__), "..", "..", "policies")
CHILD = os.path.join("cn", "gd", "chaozhou", "stent-2020.policy")
LOWERED_FLOOR = '\noverride param prepayment_ratio: percent floor 10% "预付比例"\n'


def _tree(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "policies")
    return str(tmp_path / "policies")


def _codes(run):
    return sorted({d.code for d in run.diagnostics if d.severity == "error"})


def test_overlay_replaces_the_file_only_inside_the_block(tmp_path):
    root = _tree(tmp_path)
    path = os.path.join(root, CHILD)
    on_disk = read_policy_bytes(path)
    with overlay({path: "changed"}):
        assert read_policy_bytes(path) == b"changed"
    assert read_policy_bytes(path) == on_disk


def test_unsaved_text_is_checked_and_the_cache_is_not_misled(tmp_path):
    root = _tree(tmp_path)
    path = os.path.join(root, CHILD)
    assert _codes(check([root])) == []
    text = open(path, encoding="utf-8").read() + LOWERED_FLOOR
    with overlay({path: text}):
        edited = check([root])
    assert "PL304" in _codes(edited)
    lowered = next(d for d in edited.diagnostics if d.code == "PL304")
    assert lowered.span.file == path and lowered.related  # the national rule it lowers
    # The file on disk is unchanged: the next check, from the cache, is clean again.
    again = check([root])
    assert _codes(again) == [] and again.stats["mode"] == "warm"


def test_a_new_file_not_yet_saved_is_checked_with_the_tree(tmp_path):
    root = _tree(tmp_path)
    path = os.path.join(root, "cn", "gd", "shantou", "stent-2020.policy")
    text = ('policy "汕头"\nlevel municipal\neffective 2021-01-01\nextends cn/gd/stent-2020\n'
            + LOWERED_FLOOR)
    with overlay({path: text}):
        run = check([root])
    assert "cn/gd/shantou/stent-2020" in run.workspace.paths
    assert any(d.code == "PL304" and d.span.file == path for d in run.diagnostics)
    assert not os.path.exists(path)
    assert "cn/gd/shantou/stent-2020" not in check([root]).workspace.paths
