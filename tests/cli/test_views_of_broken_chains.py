"""`explain` and `diff` of a policy under a level with errors: the view is printed, then a note on
standard error names the level with errors, and the exit status is 1 (a CI job must not read a
child's "no changes" as a clean review when its parent does not resolve)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def policylang(*args, cwd, lang=None):
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1", POLICYLANG_NO_CACHE="1")
    env.pop("POLICYLANG_LANG", None)
    if lang:
        env["POLICYLANG_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "policylang", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def _seeds_with_a_broken_province(tmp_path):
    shutil.copytree(os.path.join(REPO, "policies"), tmp_path / "policies")
    province = tmp_path / "policies" / "cn" / "gd" / "stent-2020.policy"
    text = province.read_text(encoding="utf-8")
    assert "ceiling 7000 yuan" in text
    province.write_text(text.replace("ceiling 7000 yuan", "ceiling 7000 yuan + ", 1), encoding="utf-8")
    return tmp_path


def test_diff_of_a_city_under_a_broken_province_says_so_and_exits_1(tmp_path):
    tree = _seeds_with_a_broken_province(tmp_path)
    proc = policylang("diff", "cn/gd/chaozhou/stent-2020", cwd=tree)
    assert proc.returncode == 1, proc.stderr
    assert "cn/gd/chaozhou/stent-2020 (parent cn/gd/stent-2020" in proc.stdout  # the view is still shown
    assert "a level above cn/gd/chaozhou/stent-2020 has 1 error (cn/gd/stent-2020)" in proc.stderr
    assert "policylang check" in proc.stderr
    zh = policylang("diff", "cn/gd/chaozhou/stent-2020", cwd=tree, lang="zh")
    assert zh.returncode == 1
    assert "cn/gd/chaozhou/stent-2020 的上级政策有 1 个错误（cn/gd/stent-2020）" in zh.stderr


def test_a_policy_with_errors_of_its_own_and_a_clean_chain_exit_0(tmp_path):
    # its own errors are what `check` reports (and `diff` lists them); no level above it has any
    tree = _seeds_with_a_broken_province(tmp_path)
    own = policylang("explain", "cn/gd/stent-2020", "listing_price", cwd=tree)
    assert own.returncode == 0 and own.stderr == "", own.stderr
    national = policylang("explain", "cn/stent-2020", "listing_price", cwd=tree)
    assert national.returncode == 0, national.stderr
    assert national.stderr == ""
    other_chain = policylang("diff", "cn/nm/spine-2023", cwd=tree)
    assert other_chain.returncode == 0, other_chain.stderr
