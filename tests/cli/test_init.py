"""`policylang init`: a new regional policy scaffolded under its parent, ready to fill."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from click.testing import CliRunner

from helpers import assert_golden

from policylang.cli import cli
from policylang.syntax.ast import POLICY_ID_RE

HERE = os.path.dirname(__file__)
SEEDS = os.path.join(HERE, "..", "..", "policies")
GOLDEN = os.path.join(HERE, "golden", "init")


@pytest.fixture()
def tree(tmp_path, monkeypatch):
    shutil.copytree(SEEDS, tmp_path / "policies")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_scaffold_lists_each_blank_by_the_level_expected_to_fill_it(tree, lang):
    code, out = run("init", "cn/gd/shantou/stent-2020", "--extends", "cn/gd/stent-2020",
                    "--region", "广东省汕头市", "--document", "汕医保〔2021〕3号", "--lang", lang)
    assert code == 0, out
    path = os.path.join("policies", "cn", "gd", "shantou", "stent-2020.policy")
    assert out.strip() == path
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    assert_golden(os.path.join(GOLDEN, f"shantou-stent-2020.{lang}.policy"), text)
    # The province left the non-selected cap to the cities: it is listed first, ready to fill; a reader
    # of Chinese gets the file in Chinese keywords.
    if lang == "en":
        assert "# override param nonselected_payment_cap: money fixed ______ yuan" in text
        assert "extends cn/gd/stent-2020" in text and "level municipal" in text
    else:
        assert "# 覆盖 参数 nonselected_payment_cap：金额 固定 ______元" in text
        assert "继承 cn/gd/stent-2020" in text and "层级 市" in text


def test_the_chinese_scaffold_checks_and_filling_a_blank_clears_its_finding(tree):
    run("init", "cn/gd/shantou/stent-2020", "--extends", "cn/gd/stent-2020", "--region", "广东省汕头市",
        "--effective", "2021-02-01", "--lang", "zh")
    path = tree / "policies" / "cn" / "gd" / "shantou" / "stent-2020.policy"
    code, out = run("check", str(path.parent), "--format", "json")
    assert code == 1 and '"code": "PL325"' in out, out
    text = path.read_text(encoding="utf-8")
    filled = text.replace("# 覆盖 参数 nonselected_payment_cap：金额 固定 ______元",
                          "覆盖 参数 nonselected_payment_cap：金额 固定 798元")
    assert filled != text
    path.write_text(filled.replace('条款 "三"\n', '条款 "三" 理由 "本市规定"\n', 1), encoding="utf-8")
    code, out = run("check", str(path.parent), "--format", "json")
    assert '"code": "PL325"' not in out and '"code": "PL1' not in out, out


def test_the_scaffold_checks_as_written_and_filling_a_blank_clears_its_finding(tree):
    run("init", "cn/gd/shantou/stent-2020", "--extends", "cn/gd/stent-2020", "--region", "广东省汕头市",
        "--effective", "2021-02-01")
    path = tree / "policies" / "cn" / "gd" / "shantou" / "stent-2020.policy"
    code, out = run("check", str(path.parent), "--format", "json")
    # Guangdong requires its cities to set the cap: an error until it is filled.
    assert code == 1, out
    assert '"code": "PL325"' in out and "(nonselected_payment_cap) must be filled" in out
    text = path.read_text(encoding="utf-8")
    filled = text.replace("# override param nonselected_payment_cap: money fixed ______ yuan",
                          "override param nonselected_payment_cap: money fixed 798 yuan")
    assert filled != text
    path.write_text(filled, encoding="utf-8")
    code, out = run("check", str(path.parent), "--format", "json")
    assert code == 0, out
    assert "nonselected_payment_cap" not in out and "PL312" in out
    # The filled file is an ordinary policy file: a value its parent forbids is an error.
    path.write_text(filled.replace("fixed 798 yuan", "fixed 798 yuan\noverride param prepayment_ratio: percent fixed 10%"),
                    encoding="utf-8")
    code, out = run("check", str(path.parent))
    assert code == 1 and "PL30" in out


def test_the_level_below_the_parents_is_the_default_and_can_be_chosen(tree):
    run("init", "cn/zj/stent-2020", "--extends", "cn/stent-2020", "--region", "浙江省")
    text = (tree / "policies" / "cn" / "zj" / "stent-2020.policy").read_text(encoding="utf-8")
    assert "level provincial" in text
    # The national notice leaves its blanks to the provinces: all of them are this level's (the
    # highest selected price is a figure of the national result, not a blank).
    assert "nonselected_payment_cap" in text and "retention_ratio" in text
    assert "highest_selected_price" not in text
    assert re.search(r"effective unknown", text)


@pytest.mark.parametrize("args, message", [
    (["cn/gd/Bad Id", "--extends", "cn/gd/stent-2020"], "is not a policy id"),
    (["cn/gd/x/stent-2020", "--extends", "cn/gd/nothing"], "no policy 'cn/gd/nothing'"),
    (["cn/gd/x/stent-2020", "--extends", "cn/gd/stent-2020", "--effective", "2021-02-30"], "is not a date"),
    (["cn/gd/chaozhou/stent-2020", "--extends", "cn/gd/stent-2020"], "exists already"),
])
def test_refusals_are_usage_errors_that_write_nothing(tree, args, message):
    before = sorted(str(p) for p in (tree / "policies").rglob("*"))
    chaozhou = (tree / "policies" / "cn" / "gd" / "chaozhou" / "stent-2020.policy").read_bytes()
    code, out = run("init", *args)
    assert code == 2, out
    assert message in out and "Traceback" not in out
    assert sorted(str(p) for p in (tree / "policies").rglob("*")) == before
    assert (tree / "policies" / "cn" / "gd" / "chaozhou" / "stent-2020.policy").read_bytes() == chaozhou


def test_a_refusal_in_chinese(tree):
    code, out = run("init", "cn/gd/chaozhou/stent-2020", "--extends", "cn/gd/stent-2020", "--lang", "zh")
    assert code == 2 and "已经存在" in out


def test_the_id_rule_is_the_grammars():
    with open(os.path.join(HERE, "..", "..", "policylang", "syntax", "grammar.lark"), encoding="utf-8") as fh:
        grammar = fh.read()
    pattern = re.search(r"^POLICY_ID: /(.*)/$", grammar, re.M).group(1)
    assert pattern.replace("\\/", "/") == POLICY_ID_RE.pattern
