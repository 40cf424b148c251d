"""Scale machinery: the tree generator, the on-disk cache, incremental checking, progress.

Trees here are small (1 + 3 + 9 + 27 policies): the point is that cold, warm
and incremental runs agree exactly, not how fast they are (see benchmarks/).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys

import pytest

from policylang.cache import DiskCache, repath
from policylang.pipeline import check
from policylang.progress import Progress

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(REPO, "benchmarks", "gen_tree.py")
CONFLICT_CODES = {"PL304", "PL305", "PL306", "PL317"}
SMALL = ["--provinces", "3", "--cities", "9", "--counties", "27"]


def generate(out, *extra):
    subprocess.run([sys.executable, GEN, str(out), *SMALL, *extra], check=True, capture_output=True)
    return out


def tree_digest(folder) -> dict[str, str]:
    digests = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as fh:
                digests[os.path.relpath(path, folder)] = hashlib.sha256(fh.read()).hexdigest()
    return digests


def planted(tree) -> list[tuple[str, str]]:
    with open(os.path.join(tree, "planted.json"), encoding="utf-8") as fh:
        return sorted((e["policy"], e["code"]) for e in json.load(fh))


def conflicts(run) -> list[tuple[str, str]]:
    return sorted((d.policy_id, d.code) for d in run.diagnostics if d.code in CONFLICT_CODES)


def comparable(run, root) -> list[tuple]:
    """Diagnostics with paths relative to the root, so runs of moved trees compare."""
    def rel(path):
        return os.path.relpath(path, root) if path else path
    return sorted((d.code, d.policy_id, rel(d.span.file) if d.span else None, d.span.line if d.span else 0,
                   d.message) for d in run.diagnostics)


def a_city(tree, province: str):
    """The policy file of the first city of a province (which cities exist depends on the seed)."""
    folder = tree / "cn" / province
    city = sorted(d for d in os.listdir(folder) if d.startswith("c"))[0]
    return folder / city / "stent-2020.policy", f"cn/{province}/{city}/stent-2020"


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(folder))
    monkeypatch.delenv("POLICYLANG_NO_CACHE", raising=False)
    return folder


@pytest.fixture(scope="module")
def source_tree(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("gen") / "policies", "--seed", "7", "--conflicts", "5")


@pytest.fixture()
def tree(source_tree, tmp_path):
    copy = tmp_path / "policies"
    shutil.copytree(source_tree, copy)
    return copy


# ---------------------------------------------------------------- the generator


def test_same_seed_gives_identical_bytes(tmp_path):
    a = generate(tmp_path / "a", "--seed", "11", "--conflicts", "4")
    b = generate(tmp_path / "b", "--seed", "11", "--conflicts", "4")
    assert tree_digest(a) == tree_digest(b)
    assert len([p for p in tree_digest(a) if p.endswith(".policy")]) == 1 + 3 + 9 + 27


def test_another_seed_gives_another_tree(tmp_path):
    a = generate(tmp_path / "a", "--seed", "1")
    b = generate(tmp_path / "b", "--seed", "2")
    assert tree_digest(a) != tree_digest(b)


def test_generated_tree_has_region_ids_and_several_topics(tmp_path):
    out = generate(tmp_path / "t", "--topics", "2")
    files = sorted(tree_digest(out))
    assert "cn/stent-2020.policy" in files and "cn/spine-2023.policy" in files
    assert any(f.startswith("cn/p01/c001/k0001/") for f in files)
    assert len([f for f in files if f.endswith(".policy")]) == 2 * 40


def test_planted_conflicts_are_found_exactly(tree, cache_dir):
    expected = planted(tree)
    assert len(expected) == 5
    run = check([str(tree)], cache=False)
    assert conflicts(run) == expected
    assert not [d for d in run.diagnostics if d.severity == "error" and d.code not in CONFLICT_CODES]


# ---------------------------------------------------------------- cold, warm, incremental


def test_cold_warm_and_incremental_runs_agree(tree, cache_dir):
    cold = check([str(tree)])
    assert cold.stats["mode"] == "full" and cold.stats["parsed"] == 40
    warm = check([str(tree)])
    assert warm.stats["mode"] == "warm"
    assert warm.diagnostics == cold.diagnostics
    assert conflicts(warm) == planted(tree)

    city, _ = a_city(tree, "p02")
    city.write_text(city.read_text(encoding="utf-8") + "\n# 本市补充说明\n", encoding="utf-8")
    incremental = check([str(tree)])
    assert incremental.stats["mode"] == "incremental"
    assert incremental.stats["parsed"] == 1
    assert incremental.stats["examined"] < 40
    uncached = check([str(tree)], cache=False)
    assert sorted(incremental.diagnostics, key=repr) == sorted(uncached.diagnostics, key=repr)
    assert conflicts(incremental) == planted(tree)


def test_incremental_run_sees_a_new_conflict_and_its_repair(tree, cache_dir):
    check([str(tree)])
    city, city_id = a_city(tree, "p03")
    original = city.read_text(encoding="utf-8")
    city.write_text(original + 'override param settlement_lag_months: count ceiling 3 because "放宽结算期限"\n',
                    encoding="utf-8")
    broken = check([str(tree)])
    assert broken.stats["mode"] == "incremental"
    assert (city_id, "PL305") in conflicts(broken)
    assert comparable(broken, tree) == comparable(check([str(tree)], cache=False), tree)
    city.write_text(original, encoding="utf-8")
    repaired = check([str(tree)])
    assert conflicts(repaired) == planted(tree)


def test_warm_run_builds_workspace_and_resolution_on_demand(tree, cache_dir):
    cold = check([str(tree)])
    warm = check([str(tree)])
    assert warm.stats["mode"] == "warm"
    assert set(warm.workspace.files) == set(cold.workspace.files)
    assert warm.workspace.targets == cold.workspace.targets
    assert set(warm.resolution.policies) == set(cold.resolution.policies)
    assert [p.policy_id for p in warm.target_policies()] == [p.policy_id for p in cold.target_policies()]


def test_structural_change_rechecks_everything(tree, cache_dir):
    check([str(tree)])
    (tree / "cn" / "p01" / "c001" / "k0001" / "stent-2020.policy").unlink()
    run = check([str(tree)])
    assert run.stats["mode"] == "full"
    assert comparable(run, tree) == comparable(check([str(tree)], cache=False), tree)


# ---------------------------------------------------------------- the cache itself


def test_cache_is_invalidated_by_content_changes(tree, cache_dir):
    first = check([str(tree)])
    national = tree / "cn" / "stent-2020.policy"
    text = national.read_text(encoding="utf-8")
    national.write_text(text.replace("floor 30%", "floor 40%"), encoding="utf-8")
    changed = check([str(tree)])
    assert changed.stats["mode"] != "warm"
    assert changed.diagnostics != first.diagnostics  # provinces raising 30% -> 35% now lower the floor
    assert comparable(changed, tree) == comparable(check([str(tree)], cache=False), tree)


def test_corrupted_cache_entries_are_ignored(tree, cache_dir):
    cold = check([str(tree)])
    entries = [os.path.join(d, f) for d, _, fs in os.walk(cache_dir) for f in fs]
    assert entries
    for i, path in enumerate(entries):
        with open(path, "wb") as fh:
            fh.write(b"" if i % 3 == 0 else b"\x80\x05garbage" if i % 3 == 1 else os.urandom(64))
    again = check([str(tree)])
    assert again.stats["mode"] == "full"
    assert again.diagnostics == cold.diagnostics
    assert check([str(tree)]).stats["mode"] == "warm"  # the damaged entries were replaced


def test_cache_can_be_deleted_at_any_time(tree, cache_dir):
    cold = check([str(tree)])
    shutil.rmtree(cache_dir)
    assert check([str(tree)]).diagnostics == cold.diagnostics
    shutil.rmtree(cache_dir / "parse")
    assert check([str(tree)]).diagnostics == cold.diagnostics


def test_moved_tree_reuses_the_cache_with_its_new_paths(tree, cache_dir, tmp_path):
    before = check([str(tree)])
    moved = tmp_path / "elsewhere" / "policies"
    shutil.copytree(tree, moved)
    after = check([str(moved)])
    assert after.stats["mode"] == "warm"  # same contents, same ids: the run itself is reused
    for d in after.diagnostics:
        assert d.span is None or d.span.file.startswith(str(moved))
    for pf in after.workspace.files.values():
        assert pf.path.startswith(str(moved))
    assert comparable(after, moved) == comparable(before, tree)
    shutil.rmtree(cache_dir / "runs")
    reparsed = check([str(moved)])
    assert reparsed.stats["from_cache"] == 40 and reparsed.stats["parsed"] == 0  # parses found by content
    assert comparable(reparsed, moved) == comparable(before, tree)


def test_disk_cache_round_trip_and_repath(tmp_path):
    store = DiskCache(str(tmp_path / "c"))
    assert store.get("ns", "ab" * 32) is None
    value = {"path": "/old/root/cn/a.policy", "other": "/elsewhere/x"}
    assert store.put("ns", "ab" * 32, value, root="/old/root")
    assert store.get("ns", "ab" * 32, root="/old/root") == value
    assert store.get("ns", "ab" * 32, root="/new/place") == {"path": "/new/place/cn/a.policy",
                                                            "other": "/elsewhere/x"}
    assert repath(["/a/b/c"], "/a", "/z") == ["/z/b/c"]


def test_unwritable_cache_folder_is_not_an_error(tree, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(blocker / "cache"))
    run = check([str(tree)])
    assert conflicts(run) == planted(tree)


# ---------------------------------------------------------------- progress


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_draws_one_updating_line_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    stream = FakeTTY()
    bar = Progress("parsing policy files", total=4, stream=stream)
    for _ in range(4):
        bar.advance()
    bar.close()
    out = stream.getvalue()
    assert "parsing policy files: 4/4 (100%)" in out
    assert "\n" not in out and out.endswith("\r")


def test_progress_is_silent_in_ci_and_when_piped(monkeypatch):
    stream = FakeTTY()
    monkeypatch.setenv("CI", "true")
    Progress("x", total=2, stream=stream).advance(2)
    assert stream.getvalue() == ""
    monkeypatch.delenv("CI")
    piped = io.StringIO()
    bar = Progress("x", total=2, stream=piped)
    bar.advance(2)
    bar.close()
    assert piped.getvalue() == ""
