"""Suppressed binding findings on the documentation pages: a policy's page and its override report
list each one with its reason, in the page's language; pages without any are unchanged."""

from __future__ import annotations

import os
import shutil

import pytest

from helpers import write_tree
from policylang.backends.docs import render_site
from policylang.pipeline import check

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FLOOR = os.path.join(REPO, "tests", "fixtures", "conflicts", "prepayment_floor_lowered")
CITY = os.path.join("policies", "cn", "gd", "shantou", "stent-2020.policy")
REASON = "经省医保局书面同意，本市2021年度预付比例暂按20%执行"


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """The lowered-floor fixture, with the city's PL304 suppressed in place."""
    folder = tmp_path / "tree"
    shutil.copytree(FLOOR, folder)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("POLICYLANG_NO_CACHE", "1")
    path = folder / CITY
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("override param prepayment_ratio",
                                 f'# policylang: ignore[PL304] because "{REASON}"\noverride param prepayment_ratio'),
                    encoding="utf-8")
    return folder


def test_docs_list_the_suppression_on_the_policy_page_and_the_override_report(tree, tmp_path):
    out = tmp_path / "docs"
    render_site(check(["policies"]), str(out))
    for ext in ("md", "html"):
        page = (out / "policies" / "cn" / "gd" / "shantou" / f"stent-2020.{ext}").read_text(encoding="utf-8")
        report = (out / "overrides" / "cn" / "gd" / "shantou" / f"stent-2020.{ext}").read_text(encoding="utf-8")
        for text in (page, report):
            assert "已忽略的约束类问题" in text and REASON in text and "PL304" in text
            assert "shantou/stent-2020.policy:11" in text  # where the suppression is written
        assert "放宽（与上级冲突）" in report  # still shown as a loosening
    md = (out / "policies" / "cn" / "gd" / "shantou" / "stent-2020.md").read_text(encoding="utf-8")
    assert "[已忽略的约束类问题 1](#suppressed)" in md
    # Pages of policies without suppressions are unchanged (no empty section).
    national = (out / "policies" / "cn" / "stent-2020.md").read_text(encoding="utf-8")
    assert "已忽略" not in national


ENGLISH = {
    "cn/base": """\
        policy "National test policy"
        level national
        effective 2021-01-01

        param ratio: percent floor 30% "Prepayment ratio"
        """,
    "cn/p/base": """\
        policy "Provincial test policy"
        level provincial
        effective 2021-02-01
        extends cn/base

        # policylang: ignore[PL304] because "agreed with the national administration for 2021"
        override param ratio: percent floor 20% "Prepayment ratio" because "budget"
        """,
}


def test_english_pages_list_it_in_english(tmp_path):
    folder = write_tree(tmp_path, ENGLISH)
    run = check([folder], cache=False)
    assert [s.code for s in run.suppressed] == ["PL304"]
    out = tmp_path / "docs"
    render_site(run, str(out), formats=("md",))
    page = (out / "policies" / "cn" / "p" / "base.md").read_text(encoding="utf-8")
    assert "## Suppressed binding findings" in page
    assert "- **suppressed** `PL304` floor lowered: " in page
    assert "Reason given: agreed with the national administration for 2021" in page
    assert "[binding findings suppressed 1](#suppressed)" in page
