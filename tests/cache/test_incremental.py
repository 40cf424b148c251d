"""The incremental check after an edit gives exactly the findings of a check from scratch,
in the cases that once went wrong (issue 16, item 10)."""

from __future__ import annotations

import os

import pytest

from helpers import header, write_tree
from policylang.pipeline import check

NATIONAL = header("national") + """
input price: money
param spare: money fixed 10 yuan
decision pay: money = price
"""
PROVINCE = header("provincial", extends="cn/x")


def findings(run):
    return sorted((d.code, d.policy_id, d.span.line if d.span else 0, d.message) for d in run.diagnostics)


@pytest.fixture()
def tree(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("POLICYLANG_NO_CACHE", raising=False)
    cities = {f"cn/gd/c{i}/x": header("municipal", extends="cn/gd/x") for i in range(6)}
    return write_tree(tmp_path, {"cn/x": NATIONAL, "cn/gd/x": PROVINCE, **cities})


def rewrite(root, pid, text):
    with open(os.path.join(root, *pid.split("/")) + ".policy", "w", encoding="utf-8") as fh:
        fh.write(text)


def test_a_policy_that_stops_resolving_loses_its_old_findings_and_shows_its_new_ones(tree):
    city = "cn/gd/c0/x"
    rewrite(tree, city, header("municipal", extends="cn/gd/x") + "decision d: money = price + no_such_name\n")
    before = check([tree])
    assert ("PL201", city) in {(c, p) for c, p, _, _ in findings(before)}
    rewrite(tree, city, "extends cn/gd/x\n")  # cut to one line: the same place in the tree, no header
    after = check([tree])
    assert after.stats["mode"] == "incremental"
    assert findings(after) == findings(check([tree], cache=False))
    codes = {c for c, p, _, _ in findings(after) if p == city}
    assert "PL107" in codes and "PL201" not in codes


def test_what_a_broken_policy_read_is_no_longer_counted_as_read(tree):
    city = "cn/gd/c1/x"
    rewrite(tree, city, header("municipal", extends="cn/gd/x") + "decision d: money = price + spare\n")
    before = check([tree])
    assert not any(c == "PL207" and "spare" in m for c, _, _, m in findings(before))
    rewrite(tree, city, "extends cn/gd/x\n")
    after = check([tree])
    assert after.stats["mode"] == "incremental"
    assert findings(after) == findings(check([tree], cache=False))
    assert any(c == "PL207" and "spare" in m for c, _, _, m in findings(after))  # nobody reads it now


def test_a_file_that_stops_parsing_rechecks_the_tree(tree):
    city = "cn/gd/c2/x"
    rewrite(tree, city, header("municipal") + "decision d: money = price\n")  # no parent: a root of its own
    check([tree])
    rewrite(tree, city, "")  # nothing parsed at all: another shape of tree
    after = check([tree])
    assert after.stats["mode"] == "full"
    assert findings(after) == findings(check([tree], cache=False))


# ---------------------------------------------------------------- reading only the affected chains


def test_after_a_small_change_only_the_affected_chains_are_decoded_and_resolved(tree, monkeypatch):
    """The outlines of the files a change cannot affect stay undecoded (pipeline.OutlineFiles) and
    their files are not resolved; the findings are those of a check from scratch."""
    from policylang import pipeline

    for i in range(6, 12):
        os.makedirs(os.path.join(tree, "cn", "gd", f"c{i}"))
        rewrite(tree, f"cn/gd/c{i}/x", header("municipal", extends="cn/gd/x")
                + "# policylang: ignore[PL999] because \"an unknown code, reported\"\n")
    check([tree])
    check([tree])
    with open(os.path.join(tree, "cn", "gd", "c0", "x.policy"), "a", encoding="utf-8") as fh:
        fh.write("\n# changed\n")
    decoded: list[str] = []
    original = pipeline.decode_outline
    monkeypatch.setattr(pipeline, "decode_outline", lambda line, path, pid, root: decoded.append(pid)
                        or original(line, path, pid, root))
    scopes = []
    original_resolve = pipeline.resolve
    monkeypatch.setattr(pipeline, "resolve", lambda ws, only=None, scope=None: scopes.append(scope)
                        or original_resolve(ws, only, scope))
    run = check([tree])
    assert run.stats["mode"] == "incremental"
    assert findings(run) == findings(check([tree], cache=False))
    assert any(c == "PL903" for c, _, _, _ in findings(run))  # the suppressions of every file still count
    assert scopes and scopes[0] is not None and set(scopes[0].ids) == {"cn/x", "cn/gd/x", "cn/gd/c0/x"}
    # the chain of the changed file (its old outline included) and the files that say `ignore`
    assert set(decoded) <= {"cn/x", "cn/gd/x", "cn/gd/c0/x"} | {f"cn/gd/c{i}/x" for i in range(6, 12)}
    assert not {f"cn/gd/c{i}/x" for i in range(1, 6)} & set(decoded)
    assert sorted(run.workspace.files) == sorted(check([tree], cache=False).workspace.files)


def test_a_changed_header_reads_the_whole_tree_again(tree):
    check([tree])
    rewrite(tree, "cn/gd/c1/x", header("municipal", extends="cn/gd/x").replace("effective 2021-01-01",
                                                                               "effective 2021-02-01"))
    run = check([tree])
    assert findings(run) == findings(check([tree], cache=False))
