"""`explain` and `diff`: the chain of one item, and what a policy changes."""

from __future__ import annotations

import json
import os

from click.testing import CliRunner

from policylang.commands.explain import diff, explain
from policylang.pipeline import check
from policylang.semantics.explain import diff_policy, explain_item

from .conftest import MUNICIPAL_HEADER, NATIONAL_HEADER, PROVINCIAL_HEADER, write_tree

NATIONAL = NATIONAL_HEADER + """
input amount: money "金额"
param prepayment_ratio: percent floor 30% "医保基金预付比例" article "二(二)"
param cap: money delegated to municipal "支付标准高限" article "二(三)"
param lag: count ceiling 2 "结清期限"
decision prepayment_min: money "预付下限" = round(amount * prepayment_ratio, fen, up)
decision capped: money "封顶" = min(amount, cap)
decision due: count "期限" = lag
provision pay: 医疗机构 must "及时结清货款"
"""
PROVINCE = PROVINCIAL_HEADER + """
override param prepayment_ratio: percent floor 40% "医保基金预付比例" article "二" because "本省提高"
"""
CITY = MUNICIPAL_HEADER + """
override param cap: money ceiling 3000 yuan because "本市设定"
override param lag: count ceiling 3 because "本市放宽"
provision publish: 医保局 must "每月通报"
"""


def _tree(tmp_path):
    return write_tree(tmp_path, {"cn/base": NATIONAL, "cn/p/base": PROVINCE, "cn/p/c/base": CITY})


def test_explain_shows_every_level_and_what_it_did(tmp_path):
    resolution = check([_tree(tmp_path)]).resolution
    data = explain_item(resolution, "cn/p/c/base", "prepayment_ratio")
    assert [(e["level"], e["action"], e["statement"], e["value"]) for e in data["chain"]] == [
        ("national", "set", "floor", "30%"),
        ("provincial", "tightened", "floor", "40%"),
        ("municipal", "inherited", "floor", "40%"),
    ]
    assert data["chain"][0]["article"] == "二(二)" and data["chain"][1]["because"] == "本省提高"
    assert data["chain"][1]["location"].endswith("p/base.policy:7")
    cap = explain_item(resolution, "cn/p/c/base", "cap")
    assert [e["action"] for e in cap["chain"]] == ["set", "inherited", "filled"]


def test_diff_lists_changes_against_parent_and_root(tmp_path):
    resolution = check([_tree(tmp_path)]).resolution
    data = diff_policy(resolution, "cn/p/c/base")
    by_item = {c["item"]: c for c in data["changes"]}
    assert by_item["cap"]["change"] == "filled"
    assert by_item["lag"]["change"] == "loosened" and by_item["lag"]["error"]
    assert by_item["publish"]["change"] == "added"
    assert data["errors"] == 1
    province = diff_policy(resolution, "cn/p/base")
    assert [(c["item"], c["change"]) for c in province["changes"]] == [("prepayment_ratio", "tightened")]
    assert province["changes"][0]["parent"].startswith("floor 30%")


def test_commands_print_text_and_json_and_reject_unknown_names(tmp_path):
    root = _tree(tmp_path)
    runner = CliRunner()
    result = runner.invoke(explain, ["cn/p/c/base", "prepayment_ratio", "--root", root])
    assert result.exit_code == 0, result.output
    assert "tightened: floor 40%" in result.output and "inherited unchanged" in result.output
    result = runner.invoke(diff, ["cn/p/c/base", "--root", root, "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["policy"] == "cn/p/c/base"
    result = runner.invoke(explain, ["cn/p/c/base", "prepaymnt_ratio", "--root", root])
    assert result.exit_code == 2 and "did you mean 'prepayment_ratio'" in result.output
    result = runner.invoke(diff, ["cn/p/x/base", "--root", root])
    assert result.exit_code == 2 and "no policy 'cn/p/x/base'" in result.output
    result = runner.invoke(diff, ["cn/p/base", "--root", os.path.join(str(tmp_path), "missing")])
    assert result.exit_code == 2
