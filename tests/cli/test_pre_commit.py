"""The pre-commit hooks (.pre-commit-hooks.yaml), run by pre-commit itself (`pre-commit try-repo`)
in a temporary policy repository: the hook environment is built from this checkout as pre-commit
builds it for a user (`pip install` of the repository)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

HERE = os.path.dirname(__file__)
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SEEDS = os.path.join(REPO, "policies")
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

CITY = """\
policy "汕头市医疗保障局关于冠脉支架集中带量采购配套措施的通知"
level municipal
region "广东省汕头市"
effective 2021-02-01
extends cn/gd/stent-2020

override param prepayment_ratio: percent floor 35% because "本市提高预付比例"
override param nonselected_payment_cap: money fixed 798 yuan "非中选产品最高医保支付标准" article "三"
"""


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})


@pytest.fixture(scope="module")
def hook_home(tmp_path_factory):
    """pre-commit's own cache (the hook environments), shared by the tests of this file."""
    return str(tmp_path_factory.mktemp("pre-commit-home"))


@pytest.fixture()
def policy_repo(tmp_path):
    repo = tmp_path / "policy-repo"
    shutil.copytree(SEEDS, repo / "policies")
    city = repo / "policies" / "cn" / "gd" / "shantou" / "stent-2020.policy"
    city.parent.mkdir()
    city.write_text(CITY, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "seed policies and one city")
    return repo


def try_repo(repo, hook_home, hook, *files):
    env = {**os.environ, "PRE_COMMIT_HOME": hook_home, "PRE_COMMIT_COLOR": "never", "POLICYLANG_LANG": "en"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([*PRE_COMMIT, "try-repo", REPO, hook, "--files", *files], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900)


def test_the_manifest_names_real_commands():
    with open(os.path.join(REPO, ".pre-commit-hooks.yaml"), encoding="utf-8") as fh:
        hooks = {hook["id"]: hook for hook in yaml.safe_load(fh)}
    assert set(hooks) == {"policylang-check", "policylang-fmt"}
    assert hooks["policylang-check"]["entry"] == "policylang check --changed"
    assert hooks["policylang-fmt"]["entry"] == "policylang fmt"
    from policylang.cli import cli

    assert {"check", "fmt"} <= set(cli.commands)
    assert any(p.name == "changed_files" for p in cli.commands["check"].params)


def test_a_national_change_that_breaks_a_city_fails_the_check_hook(policy_repo, hook_home):
    national = policy_repo / "policies" / "cn" / "stent-2020.policy"
    text = national.read_text(encoding="utf-8")
    assert "percent floor 30%" in text
    national.write_text(text.replace("percent floor 30%", "percent floor 40%", 1), encoding="utf-8")
    git(policy_repo, "add", "-A")
    result = try_repo(policy_repo, hook_home, "policylang-check", "policies/cn/stent-2020.policy")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "policylang check (the chains a change touches)" in out and "Failed" in out
    # Only the national file was passed: the city three levels down is checked, and named.
    assert "error[PL304]" in out and "policies/cn/gd/shantou/stent-2020.policy" in out


def test_an_unrelated_clean_change_passes_the_check_hook(policy_repo, hook_home):
    result = try_repo(policy_repo, hook_home, "policylang-check", "policies/cn/gd/shantou/stent-2020.policy")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_the_fmt_hook_formats_and_fails_until_the_formatting_is_committed(policy_repo, hook_home):
    city = policy_repo / "policies" / "cn" / "gd" / "shantou" / "stent-2020.policy"
    city.write_text(CITY.replace("override param prepayment_ratio: percent floor 35%",
                                 "override   param prepayment_ratio :percent   floor 35%"), encoding="utf-8")
    result = try_repo(policy_repo, hook_home, "policylang-fmt", "policies/cn/gd/shantou/stent-2020.policy")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    assert city.read_text(encoding="utf-8") == CITY
    again = try_repo(policy_repo, hook_home, "policylang-fmt", "policies/cn/gd/shantou/stent-2020.policy")
    assert again.returncode == 0, again.stdout + again.stderr
