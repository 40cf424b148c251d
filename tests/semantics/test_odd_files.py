"""Odd things named like policy files: each is skipped with a PL001 finding, and `check` returns
promptly (issue 16, item 9)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from helpers import header, write_tree
from policylang.pipeline import check
from policylang.syntax.files import MAX_POLICY_FILE_BYTES, SkippedFile, read_policy_bytes

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symbolic links")

NATIONAL = header("national") + "input price: money\ndecision pay: money = price\n"
TIMEOUT = 60


@pytest.fixture()
def tree(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("POLICYLANG_NO_CACHE", raising=False)
    root = write_tree(tmp_path, {"cn/x": NATIONAL, "cn/gd/x": header("provincial", extends="cn/x")})
    odd = os.path.join(root, "cn", "odd")
    os.makedirs(odd)
    os.mkfifo(os.path.join(odd, "fifo.policy"))
    os.symlink("/dev/zero", os.path.join(odd, "zero.policy"))
    with open(os.path.join(odd, "huge.policy"), "wb") as fh:
        fh.truncate(MAX_POLICY_FILE_BYTES + 1)  # sparse: large without taking the space
    os.mkdir(os.path.join(odd, "folder.policy"))
    os.symlink("loop-b.policy", os.path.join(odd, "loop-a.policy"))
    os.symlink("loop-a.policy", os.path.join(odd, "loop-b.policy"))
    os.symlink(os.path.join(root, "cn", "x.policy"), os.path.join(odd, "link.policy"))  # to a regular file: read
    return root


EXPECTED = {
    "cn/odd/fifo": "named pipe (FIFO)",
    "cn/odd/zero": "symbolic link to /dev/zero, which is a device",
    "cn/odd/huge": "larger than the 16.0 MiB a policy file may be",
    "cn/odd/folder": "it is a folder",
    "cn/odd/loop-a": "lead round in a circle",
    "cn/odd/loop-b": "lead round in a circle",
}


def within(seconds, fn):
    """fn() run with a watchdog: a hang fails the test instead of blocking it."""
    out = {}
    worker = threading.Thread(target=lambda: out.setdefault("value", fn()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    return out["value"]


@pytest.mark.parametrize("cached", [False, True])
def test_each_odd_file_is_a_finding_and_the_check_returns(tree, cached):
    run = within(TIMEOUT, lambda: check([tree], cache=cached))
    skipped = {d.policy_id: d for d in run.diagnostics if d.code == "PL001"}
    assert set(skipped) == set(EXPECTED)
    for pid, words in EXPECTED.items():
        d = skipped[pid]
        assert d.message.startswith("cannot read the file: ") and words in d.message
        assert d.message_zh.startswith("无法读取文件：") and d.hint and d.hint_zh
        assert d.severity == "error"
        assert d.span.file == os.path.join(tree, *pid.split("/")) + ".policy" and d.span.line == 1
    # The link to a regular file is read like any policy; the others are checked as usual.
    assert "cn/odd/link" in run.workspace.files
    assert {"cn/x", "cn/gd/x"} <= set(run.workspace.files)
    again = within(TIMEOUT, lambda: check([tree], cache=cached))
    assert again.diagnostics == run.diagnostics


@pytest.mark.parametrize("output", ["text", "json", "sarif"])
def test_the_command_returns_promptly_and_reports_them(tree, output):
    env = dict(os.environ, CI="1")
    out = subprocess.run([sys.executable, "-m", "policylang", "check", tree, "--format", output],
                         capture_output=True, text=True, timeout=TIMEOUT, env=env)
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    if output == "json":
        found = {d["policy"] for d in json.loads(out.stdout)["diagnostics"] if d["code"] == "PL001"}
        assert found == set(EXPECTED)
    elif output == "text":
        assert out.stdout.count("PL001") >= len(EXPECTED)


def test_a_fifo_asked_for_by_name(tree):
    fifo = os.path.join(tree, "cn", "odd", "fifo.policy")
    run = within(TIMEOUT, lambda: check([fifo], root=tree, cache=False))
    assert [d.code for d in run.diagnostics_for_targets()] == ["PL001"]


def test_the_size_limit_and_a_file_that_grows(tmp_path):
    path = tmp_path / "a.policy"
    path.write_bytes(b"x" * 11)
    assert read_policy_bytes(str(path), limit=11) == b"x" * 11
    with pytest.raises(SkippedFile, match="larger than"):
        read_policy_bytes(str(path), limit=10)


def test_a_file_that_cannot_be_opened_is_still_an_ordinary_pl001(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_policy_bytes(str(tmp_path / "missing.policy"))
