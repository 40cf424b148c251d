"""The cache never runs code, never trusts a folder someone else could have written, and lives
outside the checked tree (issue 16, item 1)."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys

import pytest

from helpers import header, write_tree
from policylang import cache
from policylang.cache import DiskCache, cache_dir_for, decode_entry, encode_entry
from policylang.pipeline import check

NATIONAL = header("national") + """
input price: money
param cap: money ceiling 7000 yuan
param spare: money fixed 10 yuan
decision pay: money = min(price, cap)
"""
CITY = header("municipal", extends="cn/gd/x") + """
override param cap: money ceiling 8000 yuan because "提高上限"
decision d: money = price + no_such_name
"""


def findings(run):
    return sorted((d.code, d.policy_id, d.span.file if d.span else None, d.span.line if d.span else 0, d.message)
                  for d in run.diagnostics)


@pytest.fixture()
def tree(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("POLICYLANG_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "_warned", set())
    return write_tree(tmp_path, {"cn/x": NATIONAL, "cn/gd/x": header("provincial", extends="cn/x"),
                                 "cn/gd/a/x": CITY, "cn/gd/b/x": header("municipal", extends="cn/gd/x")})


def entries(folder) -> list[str]:
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(folder) for f in fs if f.endswith(".json"))


class Boom:
    """A pickle that, loaded, makes a folder: the sign that the cache ran code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


# ---------------------------------------------------------------- planted entries


def test_a_planted_pickle_is_never_loaded(tree, tmp_path):
    expected = findings(check([tree], cache=False))
    check([tree])
    marker = tmp_path / "the-cache-ran-code"
    payload = pickle.dumps(Boom(marker))
    planted = entries(tmp_path / "cache")
    assert planted
    for path in planted:  # every entry, and a .pkl beside it as the old format named them
        for name in (path, path[: -len(".json")] + ".pkl"):
            with open(name, "wb") as fh:
                fh.write(payload)
    run = check([tree])
    assert not marker.exists()
    assert findings(run) == expected
    assert run.stats["mode"] == "full"  # nothing usable was found
    assert not marker.exists()
    assert check([tree]).stats["mode"] == "warm"  # and the damaged entries were replaced


def test_an_entry_naming_a_class_outside_the_registry_is_a_miss(tree, tmp_path, monkeypatch):
    expected = findings(check([tree], cache=False))
    check([tree])
    # A module that, imported, leaves a mark; entries name it and other callables.
    marker = tmp_path / "imported"
    (tmp_path / "planted_module.py").write_text(f"import os\nos.mkdir({str(marker)!r})\nclass Evil: pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for path in entries(tmp_path / "cache"):
        with open(path, "rb") as fh:
            data = fh.read()
        for name in (b'"ParseEntry"', b'"Snapshot"', b'"Findings"'):
            data = data.replace(name, b'"planted_module.Evil"', 1)
        data = data.replace(b'{"A":["', b'{"A":["os.system","', 1)
        with open(path, "wb") as fh:
            fh.write(data)
    run = check([tree])
    assert findings(run) == expected
    assert run.stats["mode"] == "full"
    assert not marker.exists() and "planted_module" not in sys.modules


@pytest.mark.parametrize("damage", [
    lambda d: d.replace(b'"Span"', b'"Spam"'),  # a class no entry may hold
    lambda d: d.replace(b'{"A":["', b'{"A":["__import__","', 1),
    lambda d: d.replace(b'{"T":', b'{"X":', 1),  # an unknown tag
    lambda d: d.replace(b'{"T":', b'{"T":[],"S":', 1),  # two tags in one object
    lambda d: d.replace(b"[0,", b"[0.5,", 1),  # a float
    lambda d: d.replace(b"[0,", b"[NaN,", 1),
    lambda d: d.replace(b"[0,", b"[" + b"9" * 5000 + b",", 1),  # an integer too long to read
    lambda d: d.replace(b'"policylang-cache"', b'"other"', 1),
    lambda d: d[: len(d) // 2],  # truncated
    lambda d: d.split(b"\n", 1)[0] + b"\n" + b"[" * 100000 + b"]" * 100000,  # nested past any stack
    lambda d: d.replace(b'"ParseEntry",', b'"ParseEntry",1,', 1),  # a field too many
    lambda d: d.replace(b'"ParseEntry",{"A":["PolicyFile"', b'"ParseEntry",{"A":["Meta"', 1),  # a wrong field
])
def test_damaged_or_foreign_entries_are_misses(tree, tmp_path, damage):
    expected = findings(check([tree], cache=False))
    check([tree])
    for path in entries(tmp_path / "cache"):
        with open(path, "rb") as fh:
            data = fh.read()
        with open(path, "wb") as fh:
            fh.write(damage(data))
    run = check([tree])
    assert findings(run) == expected
    assert findings(check([tree])) == expected


@pytest.mark.parametrize("damage", [
    lambda d: d.replace(b'"PolicyFile"', b'"planted_module.Evil"'),  # a class no entry may hold
    lambda d: d.replace(b'"HeaderItem"', b'"Spam"', 1),
    lambda d: d.replace(b'{"A":["', b'{"A":["__import__","', 1),
    lambda d: d.replace(b'"cn/', b'"../../cn/', 1),  # a record naming another file's path
    lambda d: d[: len(d) // 2],  # truncated
    lambda d: b"\n".join(d.split(b"\n")[:1] + d.split(b"\n")[1:][::-1]),  # records and lines swapped
])
def test_a_damaged_outline_bundle_is_a_miss(tree, tmp_path, damage):
    """The outlines of a tree's files are read from one bundle (cache.Bundle): a damaged bundle or
    record is a miss, and the files' own entries (or the files) are read instead."""
    check([tree])
    bundles = entries(tmp_path / "cache" / "outlines")
    assert len(bundles) == 1
    with open(os.path.join(tree, "cn", "gd", "b", "x.policy"), "a", encoding="utf-8") as fh:
        fh.write("\n# changed\n")
    expected = findings(check([tree], cache=False))
    with open(bundles[0], "rb") as fh:
        data = fh.read()
    with open(bundles[0], "wb") as fh:
        fh.write(damage(data))
    run = check([tree])
    assert findings(run) == expected
    assert run.stats["mode"] != "warm"
    assert findings(check([tree])) == expected


def test_outlines_come_from_the_bundle_after_a_small_change(tree, tmp_path, monkeypatch):
    write_tree(tmp_path, {f"cn/gd/{c}/x": header("municipal", extends="cn/gd/x") for c in "cdefghij"})
    check([tree])
    with open(os.path.join(tree, "cn", "gd", "b", "x.policy"), "a", encoding="utf-8") as fh:
        fh.write("\n# changed\n")
    expected = findings(check([tree], cache=False))
    read: list[str] = []
    original = DiskCache.entry
    monkeypatch.setattr(DiskCache, "entry", lambda self, ns, key, root=None: read.append(ns) or original(self, ns, key, root))
    run = check([tree])
    assert findings(run) == expected and run.stats["mode"] == "incremental"
    # only the declarations of the chain of the changed file (b/x, gd/x, x) are read file by file
    assert read.count("parse") <= 3


def test_an_entry_another_user_could_write_is_not_read(tree, tmp_path):
    check([tree])
    for path in entries(tmp_path / "cache"):
        os.chmod(path, 0o666)
    assert check([tree]).stats["mode"] == "full"


def test_an_entry_that_is_not_a_regular_file_is_not_read(tree, tmp_path):
    check([tree])
    for path in entries(tmp_path / "cache"):
        os.unlink(path)
        os.symlink("/dev/zero", path)
    run = check([tree])
    assert run.stats["mode"] == "full"
    assert findings(run) == findings(check([tree], cache=False))


# ---------------------------------------------------------------- the format


def test_every_node_of_the_seed_policies_round_trips(tmp_path):
    seeds = os.path.join(os.path.dirname(__file__), "..", "..", "policies")
    run = check([seeds], cache=False)
    files = dict(run.workspace.files)
    assert files
    for pid, pf in files.items():
        data = encode_entry("k", [pf, run.diagnostics], run.workspace.root)
        again, diags = decode_entry(data, "k", run.workspace.root)
        assert again == pf
        assert diags == run.diagnostics
        moved, _ = decode_entry(data, "k", str(tmp_path / "moved"))
        assert moved.path == os.path.join(str(tmp_path / "moved"), os.path.relpath(pf.path, run.workspace.root))


def test_plain_values_round_trip():
    import datetime
    from decimal import Decimal

    value = {"a": (1, "x", None, True), ("t", 2): frozenset({("p", "q")}), "s": {3, 4},
             "d": Decimal("-1.50E+3"), "e": Decimal("1e999999999"), "day": datetime.date(2021, 2, 28),
             "text": "a lone surrogate \udc80 and 中文", "list": [[], {}, ()]}
    [again] = decode_entry(encode_entry("k", [value], None), "k", None)
    assert again == value
    assert type(again["a"]) is tuple and type(again[("t", 2)]) is frozenset


def test_values_that_are_not_data_are_not_cached(tmp_path):
    store = DiskCache(str(tmp_path / "c"))
    assert not store.put("ns", "ab" * 32, 1.5)
    assert not store.put("ns", "ab" * 32, object())
    assert not store.put("ns", "ab" * 32, print)
    assert store.get("ns", "ab" * 32) is None


def test_the_root_mentioned_inside_a_text_moves_with_the_tree():
    text = "a parent id is the path of its file under /old/policies, without .policy"
    moved = decode_entry(encode_entry("k", [text, "/old/policies2/x", "/old/policies/cn/x.policy"], "/old/policies"),
                         "k", "/new/policies")
    assert moved == ["a parent id is the path of its file under /new/policies, without .policy",
                     "/old/policies2/x", "/new/policies/cn/x.policy"]


# ---------------------------------------------------------------- where the cache lives


def test_the_default_cache_is_outside_the_tree(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYLANG_CACHE_DIR", raising=False)
    monkeypatch.delenv("POLICYLANG_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = write_tree(tmp_path / "repo", {"cn/x": NATIONAL})
    run = check([root])
    folder = run.stats["cache"]
    assert folder == cache_dir_for(root)
    assert folder.startswith(str(tmp_path / "xdg" / "policylang") + os.sep)
    assert entries(folder)
    assert sorted(os.listdir(tmp_path / "repo")) == ["policies"]  # nothing beside the tree
    assert check([root]).stats["mode"] == "warm"
    other = write_tree(tmp_path / "other", {"cn/x": NATIONAL})
    assert cache_dir_for(other) != folder  # one folder per tree root
    assert oct(os.stat(folder).st_mode & 0o777) == oct(0o700)


def test_without_a_home_there_is_no_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYLANG_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/not/allowed")
    monkeypatch.setattr(os.path, "expanduser", lambda p: p)
    root = write_tree(tmp_path, {"cn/x": NATIONAL})
    assert cache_dir_for(root) is None
    assert check([root]).stats["cache"] is None


def test_no_cache_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("POLICYLANG_NO_CACHE", "1")
    root = write_tree(tmp_path, {"cn/x": NATIONAL})
    assert check([root]).stats["cache"] is None
    assert not (tmp_path / "cache").exists()


# ---------------------------------------------------------------- folders not to trust


def test_a_world_writable_cache_folder_is_ignored_with_a_warning(tree, tmp_path, capsys):
    folder = tmp_path / "cache"
    folder.mkdir()
    os.chmod(folder, 0o777)
    run = check([tree])
    assert run.stats["cache"] is None
    assert os.listdir(folder) == []  # nothing read, nothing written
    err = capsys.readouterr().err
    assert "policylang: warning: not using the cache folder" in err and "everyone may write in it" in err
    assert findings(run) == findings(check([tree], cache=False))


def test_a_cache_folder_of_another_user_is_ignored(tree, tmp_path, capsys, monkeypatch):
    (tmp_path / "cache").mkdir()
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(tmp_path / "cache").st_uid + 1)
    assert check([tree]).stats["cache"] is None
    assert "belongs to another user" in capsys.readouterr().err


def _git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
                            GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org"))


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_a_cache_folder_tracked_by_git_is_ignored(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cache, "_warned", set())
    monkeypatch.delenv("POLICYLANG_NO_CACHE", raising=False)
    repo = tmp_path / "repo"
    root = write_tree(repo, {"cn/x": NATIONAL})
    committed = repo / ".policylang-cache"
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(committed))
    check([root])  # a cache written here, then committed by someone
    _git("init", "-q", cwd=repo)
    _git("add", "-f", ".", cwd=repo)
    _git("commit", "-q", "-m", "policies and a cache", cwd=repo)
    capsys.readouterr()
    run = check([root])
    assert run.stats["cache"] is None and run.stats["mode"] == "full"
    assert "tracked by git" in capsys.readouterr().err


@needs_git
def test_a_committed_cache_beside_the_tree_is_never_read_and_is_reported(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cache, "_warned", set())
    monkeypatch.delenv("POLICYLANG_CACHE_DIR", raising=False)
    monkeypatch.delenv("POLICYLANG_NO_CACHE", raising=False)
    repo = tmp_path / "repo"
    root = write_tree(repo, {"cn/x": NATIONAL})
    legacy = repo / ".policylang-cache" / "runs" / "ab"
    legacy.mkdir(parents=True)
    (legacy / ("ab" * 32 + ".pkl")).write_bytes(pickle.dumps(Boom(tmp_path / "ran")))
    _git("init", "-q", cwd=repo)
    _git("add", "-f", ".", cwd=repo)
    _git("commit", "-q", "-m", "a pull request with a cache", cwd=repo)
    run = check([root])
    assert not (tmp_path / "ran").exists()
    assert run.stats["cache"] == cache_dir_for(root)  # the user's own cache is used
    err = capsys.readouterr().err
    assert "ignoring" in err and ".policylang-cache" in err and "tracked by git" in err


def test_check_json_output_stays_json_when_the_cache_is_refused(tmp_path):
    root = write_tree(tmp_path, {"cn/x": NATIONAL})
    folder = tmp_path / "cache"
    folder.mkdir()
    os.chmod(folder, 0o777)
    env = dict(os.environ, POLICYLANG_CACHE_DIR=str(folder))
    env.pop("POLICYLANG_NO_CACHE", None)
    out = subprocess.run([sys.executable, "-m", "policylang", "check", root, "--format", "json"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode in (0, 1), out.stderr
    assert json.loads(out.stdout)["diagnostics"] is not None
    assert "not using the cache folder" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("damage", [
    lambda d: d.replace(b'["O","', b'["O","../', 1),  # a record naming another file's path
    lambda d: d.replace(b'["O","', b'["O","../'),
    lambda d: d.replace(b'["O",', b'["O",1.5,'),  # a float
    lambda d: d.replace(b'["O",', b'["O",{"A":["Spam"]},'),
    lambda d: d.replace(b'"effective",{"d":"', b'"effective",{"d":"x'),  # not a date
])
def test_a_damaged_compact_outline_is_a_miss_when_it_is_first_read(tmp_path, monkeypatch, damage):
    """Most outlines are kept in the bundle in a compact form and decoded only when a check needs
    them (pipeline.OutlineFiles): one found damaged then makes the bundle a miss, and the check is
    made again without it."""
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("POLICYLANG_NO_CACHE", raising=False)
    cities = {f"cn/gd/c{i}/x": header("municipal", extends="cn/gd/x") for i in range(6)}
    tree = write_tree(tmp_path, {"cn/x": NATIONAL, "cn/gd/x": header("provincial", extends="cn/x"), **cities})
    check([tree])
    bundles = entries(tmp_path / "cache" / "outlines")
    with open(bundles[0], "rb") as fh:
        data = fh.read()
    assert data.count(b'["O",') == 8
    with open(os.path.join(tree, "cn", "gd", "c0", "x.policy"), "a", encoding="utf-8") as fh:
        fh.write("\n# changed\n")
    expected = findings(check([tree], cache=False))
    with open(bundles[0], "wb") as fh:
        fh.write(damage(data))
    run = check([tree])
    assert findings(run) == expected and run.stats["mode"] != "warm"
    assert sorted(run.workspace.files) == sorted(check([tree], cache=False).workspace.files)
    with open(os.path.join(tree, "cn", "gd", "c1", "x.policy"), "a", encoding="utf-8") as fh:
        fh.write("\n# changed\n")
    assert findings(check([tree])) == findings(check([tree], cache=False))
