"""Pruning the cache: entries not used for a while are removed, only policylang's own files, never
through a symbolic link; `policylang cache clean`; the check prunes at most once a day."""

from __future__ import annotations

import os
import time

import pytest
from click.testing import CliRunner

from helpers import header, write_tree
from policylang import cache
from policylang.cli import cli
from policylang.pipeline import check

NATIONAL = header("national") + """
input price: money
param cap: money ceiling 100 yuan
decision pay: money = price
"""
CITY = header("provincial", extends="cn/x") + "param cap: money ceiling 200 yuan\n"
DAY = 86400


def findings(run):
    return [(d.code, d.policy_id, d.span.line if d.span else 0, d.message) for d in run.diagnostics]


@pytest.fixture()
def home(tmp_path, monkeypatch):
    """policylang's folder of a user cache directory of the test's own, and a tree cached in it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("POLICYLANG_CACHE_DIR", raising=False)
    monkeypatch.delenv("POLICYLANG_NO_CACHE", raising=False)
    tree = write_tree(tmp_path, {"cn/x": NATIONAL, "cn/gd/x": CITY})
    first = check([tree])
    assert first.stats["mode"] == "full"
    return cache.policylang_cache_home(), tree, findings(first)


def entries(folder):
    found = []
    for dirpath, _dirs, files in os.walk(folder):
        found.extend(os.path.join(dirpath, f) for f in files
                     if f.endswith(".json") and "grammar" not in f and not os.path.islink(os.path.join(dirpath, f)))
    return sorted(found)


def age(paths, days):
    old = time.time() - days * DAY
    for p in paths:
        os.utime(p, (old, old), follow_symlinks=False)


def test_entries_not_used_for_the_age_are_removed_and_used_ones_kept(home):
    folder, tree, before = home
    written = entries(folder)
    assert written and all(os.path.dirname(os.path.dirname(os.path.dirname(p))) != folder for p in written)
    old, recent = written[: len(written) // 2], written[len(written) // 2:]
    age(old, 40)
    done = cache.prune(30 * DAY)
    assert done.files == len(old) and done.bytes > 0
    assert entries(folder) == recent
    # The cache still works: what was removed is computed again, with the same findings.
    again = check([tree])
    assert findings(again) == before == findings(check([tree], cache=False))


def test_reading_an_entry_marks_it_used(home):
    folder, tree, _ = home
    written = entries(folder)
    age(written, 40)
    assert check([tree]).stats["mode"] == "warm"  # reads the run's snapshot
    kept = [p for p in entries(folder) if time.time() - os.stat(p).st_mtime < DAY]
    assert kept, "the entry a warm check read was not marked as used"
    cache.prune(30 * DAY)
    assert set(kept) <= set(entries(folder))
    assert check([tree]).stats["mode"] == "warm"


def test_pruning_follows_no_link_and_removes_only_policylangs_files(home, tmp_path):
    folder, _, _ = home
    tree_folder = next(os.path.join(folder, d) for d in os.listdir(folder) if len(d) == 24)
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / ("a" * 64 + ".json")
    victim.write_text("{}")
    shard = os.path.join(tree_folder, "parse", "zz")
    os.makedirs(shard)
    os.symlink(victim, os.path.join(shard, "b" * 64 + ".json"))  # a link named like an entry
    os.symlink(outside, os.path.join(tree_folder, "parse", "yy"))  # a link to a folder, as a shard
    os.symlink(outside, os.path.join(folder, "c" * 24))  # a link to a folder, as a tree's folder
    notes = os.path.join(tree_folder, "parse", "zz", "notes.txt")  # not a name policylang gives
    with open(notes, "w") as fh:
        fh.write("mine")
    age([victim, notes, os.path.join(shard, "b" * 64 + ".json"), *entries(folder)], 400)
    cache.prune(0)
    assert victim.exists() and os.path.exists(notes)
    assert os.path.islink(os.path.join(shard, "b" * 64 + ".json"))
    assert entries(folder) == []


def test_a_folder_others_may_write_is_not_pruned(home):
    folder, _, _ = home
    os.chmod(folder, 0o777)
    try:
        assert cache.prune(0).files == 0
        assert entries(folder)
    finally:
        os.chmod(folder, 0o700)


def test_the_check_prunes_at_most_once_a_day(home):
    folder, tree, before = home
    marker = os.path.join(folder, "last-pruned")
    assert os.path.isfile(marker)  # the first check pruned (nothing was old)
    written = entries(folder)
    age(written, 40)
    check([tree])  # pruned less than a day ago: nothing removed
    assert set(written) <= set(entries(folder)) | {p for p in written if not os.path.exists(p)}
    assert len(entries(folder)) >= len(written)
    age(entries(folder), 40)
    age([marker], 2)
    run = check([tree])  # due: the old entries go (after this run read and wrote its own)
    assert findings(run) == before
    assert time.time() - os.stat(marker).st_mtime < DAY
    assert len(entries(folder)) < len(written)


def test_cache_clean_removes_every_entry_and_says_so(home):
    folder, tree, before = home
    assert entries(folder)
    result = CliRunner().invoke(cli, ["cache", "clean"])
    assert result.exit_code == 0, result.output
    assert "removed" in result.output and folder in result.output
    assert entries(folder) == []
    assert findings(check([tree])) == before


def test_cache_clean_older_than_keeps_recent_entries_and_speaks_chinese(home):
    folder, _, _ = home
    written = entries(folder)
    age(written[:1], 10)
    result = CliRunner().invoke(cli, ["--lang", "zh", "cache", "clean", "--older-than", "7"])
    assert result.exit_code == 0, result.output
    assert "已从" in result.output and "删除 1 个文件" in result.output
    assert entries(folder) == written[1:]


def test_cache_clean_cleans_the_configured_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.delenv("POLICYLANG_NO_CACHE", raising=False)
    tree = write_tree(tmp_path, {"cn/x": NATIONAL, "cn/gd/x": CITY})
    check([tree])
    assert entries(tmp_path / "mine")
    result = CliRunner().invoke(cli, ["cache", "clean"])
    assert result.exit_code == 0, result.output
    assert entries(tmp_path / "mine") == []
