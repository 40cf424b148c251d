"""`policylang check --changed-since REF` and `--changed FILE…`, in real git repositories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from policylang.pipeline import affected_policies, affected_with_reasons

from test_cli import assert_no_traceback, policylang

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

NATIONAL = """\
policy "国家"
level national
effective 2021-01-01
input amount: money "金额"
param ratio: percent floor 30% "预付比例"
decision pre: money "预付" = round(amount * ratio, fen, up)
"""
PROVINCE = """\
policy "省"
level provincial
effective 2021-01-01
extends cn/n
"""
CITY = """\
policy "市"
level municipal
effective 2021-01-01
extends cn/gd/p
override param ratio: percent floor 35% because "本市提高"
"""
OTHER = """\
policy "其他"
level national
effective 2021-01-01
input x: money "金额"
"""


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    files = {"cn/n": NATIONAL, "cn/gd/p": PROVINCE, "cn/gd/sz/c": CITY, "cn/other": OTHER}
    for pid, text in files.items():
        path = root / "policies" / (pid + ".policy")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "ci@example.org")
    git(root, "config", "user.name", "CI")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "policies")
    return root


def checked(stdout: str) -> dict[str, str]:
    """policy id -> reason, from the list that heads the output."""
    out = {}
    lines = stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if "checked in full:" in line or "均完整检查" in line), None)
    for line in lines[start + 1:] if start is not None else ():
        if not line.startswith("  ") or line.strip().startswith(("deleted:", "已删除")):
            break
        pid, reason = line.strip().split(None, 1)
        out[pid] = reason.strip()
    return out


def raise_national_floor(repo):
    path = repo / "policies" / "cn" / "n.policy"
    path.write_text(NATIONAL.replace("floor 30%", "floor 40%"), encoding="utf-8")


def test_a_national_change_checks_the_cities_below_it(repo):
    raise_national_floor(repo)
    # Checking the changed file alone says nothing about the city below it.
    alone = policylang("check", "policies/cn/n.policy", cwd=repo)
    assert alone.returncode == 0, alone.stdout + alone.stderr
    proc = policylang("check", "--changed-since", "main", cwd=repo)
    assert_no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert checked(proc.stdout) == {"cn/n": "changed", "cn/gd/p": "extends cn/n", "cn/gd/sz/c": "extends cn/gd/p"}
    assert "3 policies touched by the changes since main" in proc.stdout
    assert "PL304" in proc.stdout and "policies/cn/gd/sz/c.policy:5" in proc.stdout
    assert "failed: 3 policies checked, 1 error" in proc.stdout


def test_committed_staged_and_untracked_changes_count_from_where_the_branch_left(repo):
    git(repo, "checkout", "-q", "-b", "topic")
    raise_national_floor(repo)
    git(repo, "commit", "-q", "-am", "raise the floor")
    (repo / "policies" / "cn" / "new.policy").write_text(OTHER, encoding="utf-8")  # untracked
    git(repo, "checkout", "-q", "main")
    (repo / "README").write_text("main moves on\n")
    git(repo, "add", "README")
    git(repo, "commit", "-q", "-m", "main moves on")
    git(repo, "checkout", "-q", "topic")
    proc = policylang("check", "--changed-since", "main", cwd=repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert set(checked(proc.stdout)) == {"cn/n", "cn/gd/p", "cn/gd/sz/c", "cn/new"}


def test_nothing_changed(repo):
    proc = policylang("check", "--changed-since", "HEAD", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no policy is touched by the changes since HEAD" in proc.stdout
    assert "0 policies checked" in proc.stdout


def test_a_change_below_checks_what_it_builds_on(repo):
    city = repo / "policies" / "cn" / "gd" / "sz" / "c.policy"
    city.write_text(CITY.replace("floor 35%", "floor 25%"), encoding="utf-8")
    proc = policylang("check", "--changed-since", "HEAD", cwd=repo)
    assert proc.returncode == 1
    assert checked(proc.stdout) == {"cn/n": "cn/gd/p extends it", "cn/gd/p": "cn/gd/sz/c extends it",
                                    "cn/gd/sz/c": "changed"}


def test_deleting_a_parent_checks_its_children(repo):
    git(repo, "rm", "-q", "policies/cn/gd/p.policy")
    git(repo, "commit", "-q", "-m", "drop the province")
    proc = policylang("check", "--changed-since", "HEAD~1", cwd=repo)
    assert_no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert checked(proc.stdout)["cn/gd/sz/c"] == "extends cn/gd/p, which was deleted"
    assert "deleted: cn/gd/p (still extended or used by cn/gd/sz/c)" in proc.stdout
    assert "cn/gd/sz/c.policy" in proc.stdout  # the broken `extends` is reported


def test_renaming_a_parent_checks_the_children_of_the_old_name(repo):
    git(repo, "mv", "policies/cn/gd/p.policy", "policies/cn/gd/province.policy")
    proc = policylang("check", "--changed-since", "HEAD", cwd=repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    reasons = checked(proc.stdout)
    assert reasons["cn/gd/province"] == "renamed from cn/gd/p"
    assert reasons["cn/gd/sz/c"] == "extends cn/gd/p, which was deleted"
    assert "cn/other" not in reasons


def test_changed_files_as_pre_commit_passes_them(repo):
    raise_national_floor(repo)
    proc = policylang("check", "--changed", "policies/cn/n.policy", "README.md", cwd=repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert set(checked(proc.stdout)) == {"cn/n", "cn/gd/p", "cn/gd/sz/c"}
    (repo / "policies" / "cn" / "gd" / "p.policy").unlink()
    proc = policylang("check", "--changed", "policies/cn/gd/p.policy", cwd=repo)
    assert proc.returncode == 1
    assert "deleted: cn/gd/p" in proc.stdout


def test_a_configuration_change_checks_everything(repo):
    (repo / "pyproject.toml").write_text("[tool.policylang]\nlang = \"en\"\n")
    proc = policylang("check", "--changed-since", "HEAD", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(checked(proc.stdout)) == 4
    assert "configuration" in proc.stdout


def test_machine_formats_keep_stdout_clean_and_chinese(repo):
    raise_national_floor(repo)
    proc = policylang("--lang", "zh", "check", "--changed-since", "main", "--format", "json", cwd=repo)
    assert proc.returncode == 1
    payload = json.loads(proc.stdout)
    assert payload["summary"]["error"] == 1
    assert "自 main 以来的改动涉及 3 项政策" in proc.stderr and "继承 cn/n" in proc.stderr


@pytest.mark.parametrize("args", [
    ("--changed-since", "no-such-branch"),
    ("--changed-since", "--bogus"),
    ("--changed",),
    ("--changed-since", "HEAD", "--changed", "policies/cn/n.policy"),
])
def test_bad_input_is_a_usage_error(repo, args):
    proc = policylang("check", *args, cwd=repo)
    assert_no_traceback(proc)
    assert proc.returncode == 2, proc.stdout + proc.stderr


def test_outside_a_git_repository(tmp_path):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "n.policy").write_text(NATIONAL, encoding="utf-8")
    env_ceiling = dict(GIT_CEILING_DIRECTORIES=str(tmp_path))
    proc = subprocess.run(["git", "rev-parse"], cwd=tmp_path, capture_output=True, env={**os.environ, **env_ceiling})
    if proc.returncode == 0:
        pytest.skip("the temporary folder is inside a git repository")
    proc = policylang("check", "--changed-since", "HEAD", cwd=tmp_path)
    assert_no_traceback(proc)
    assert proc.returncode == 2 and "not in a git repository" in proc.stderr


def test_reasons_cover_exactly_the_affected_policies():
    structure = {"a": (None, (), True), "b": ("a", (), True), "c": ("b", ("u",), True), "u": (None, (), True),
                 "x": (None, (), True), "orphan": ("gone", (), True)}
    for changed in ({"a"}, {"c"}, {"u"}, {"gone"}, {"x", "b"}, set()):
        reasons = affected_with_reasons(changed, structure)
        assert set(reasons) == affected_policies(changed, structure)
    reasons = affected_with_reasons({"c"}, structure)
    assert reasons["c"].kind == "changed"
    assert (reasons["u"].kind, reasons["u"].via, reasons["u"].relation) == ("base", "c", "uses")
    assert (reasons["a"].kind, reasons["a"].via) == ("base", "b")
    assert affected_with_reasons({"gone"}, structure)["orphan"].kind == "extends"
