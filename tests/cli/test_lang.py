"""Findings in Chinese: --lang, POLICYLANG_LANG and `lang` in [tool.policylang]; text, JSON, SARIF."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from policylang.diagnostics import Diagnostic, Related, SourceCache, render_github, render_json, render_text
from policylang.syntax.ast import Span

from helpers import header, write_tree

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def policylang(*args, cwd=None, env=None):
    full = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1", **(env or {}))
    full.pop("POLICYLANG_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "policylang", *args], cwd=cwd, capture_output=True,
                          text=True, env=full, timeout=120)


def _finding(tmp_path, zh=True):
    path = tmp_path / "x.policy"
    path.write_text("param cap: money ceiling 7000 yuan\n", encoding="utf-8")
    span = Span(str(path), 1, 7, 1, 10)
    return Diagnostic(
        "PL302", "the ceiling 7000 yuan is raised to 8000 yuan", span, hint="lower it again",
        related=(Related(span, "the national rule: ceiling 7000 yuan",
                         "国家级规定：上限 7000 yuan" if zh else None),),
        message_zh="上限 7000 yuan 被提高到 8000 yuan" if zh else None, hint_zh="请改回不高于上限的值" if zh else None)


def test_text_in_chinese_uses_the_chinese_message_hint_and_notes(tmp_path):
    text = render_text([_finding(tmp_path)], SourceCache(), lang="zh")
    first = text.splitlines()[0]
    assert first.startswith("错误[PL302]") and first.endswith("：上限 7000 yuan 被提高到 8000 yuan")
    assert "  说明：国家级规定：上限 7000 yuan" in text and "  建议：请改回不高于上限的值" in text
    assert "param cap" in text and "^^^" in text  # the source line and caret as in English
    english = render_text([_finding(tmp_path)], SourceCache())
    assert "error[PL302]" in english and "the ceiling 7000 yuan is raised" in english and "上限 7000" not in english


def test_a_finding_without_chinese_text_falls_back_to_english(tmp_path):
    text = render_text([_finding(tmp_path, zh=False)], SourceCache(), lang="zh")
    assert "错误[PL302]" in text and "the ceiling 7000 yuan is raised to 8000 yuan" in text
    assert "  建议：lower it again" in text
    github = render_github([_finding(tmp_path, zh=False)], "zh")
    assert "title=PL302 " in github and "the ceiling 7000 yuan is raised" in github
    assert "上限 7000 yuan 被提高" in render_github([_finding(tmp_path)], "zh")


def test_json_and_sarif_carry_both_languages(tmp_path):
    data = json.loads(render_json([_finding(tmp_path)]))["diagnostics"][0]
    assert data["message"].startswith("the ceiling") and data["message_zh"].startswith("上限")
    assert data["hint_zh"] == "请改回不高于上限的值" and data["related"][0]["message_zh"].startswith("国家级规定")
    from policylang.sarif import render_sarif

    result = json.loads(render_sarif([_finding(tmp_path)], "0"))["runs"][0]["results"][0]
    assert result["message"]["text"].startswith("the ceiling")
    assert result["properties"]["message_zh"].startswith("上限")


def _tree(tmp_path):
    return write_tree(tmp_path, {"cn/x": header("national") + "decision d: money = missing_name\n"})


def test_the_language_is_chosen_by_option_environment_or_configuration(tmp_path):
    root = _tree(tmp_path)
    english = policylang("check", root)
    assert english.returncode == 1 and "failed: 1 policy checked, 1 error" in english.stdout
    for args, env in (((root, "--lang", "zh"), None), (("--lang", "zh", "check", root), None),
                      ((root,), {"POLICYLANG_LANG": "zh"})):
        full = args if args[0] == "--lang" else ("check", *args)
        proc = policylang(*full, env=env)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert "未通过：检查了 1 项政策，1 个错误，0 个警告" in proc.stdout, proc.stdout
        assert "错误[PL201]" in proc.stdout
    (tmp_path / "pyproject.toml").write_text('[tool.policylang]\nlang = "zh"\n', encoding="utf-8")
    proc = policylang("check", root, cwd=str(tmp_path))
    assert "未通过：检查了 1 项政策" in proc.stdout, proc.stdout + proc.stderr
    # the option wins over the configuration
    assert "failed: 1 policy checked" in policylang("check", root, "--lang", "en", cwd=str(tmp_path)).stdout


def test_an_unknown_language_in_the_configuration_is_reported(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + "param p: money fixed 1 yuan\n"})
    (tmp_path / "pyproject.toml").write_text('[tool.policylang]\nlang = "fr"\n', encoding="utf-8")
    proc = policylang("check", root, cwd=str(tmp_path))
    assert proc.returncode == 1 and "PL903" in proc.stdout and "'fr'" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_explain_and_diff_speak_chinese_too():
    proc = policylang("explain", "--lang", "zh", "cn/gd/chaozhou/stent-2020", "nonselected_listing_cap", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "参数 非中选冠脉支架挂网价格上限（金额）（nonselected_listing_cap，cn/gd/chaozhou/stent-2020）"
    assert "  省级       cn/gd/stent-2020" in lines and "             设定：不高于（上限），7000元" in lines
    assert "             继承，未改：不高于（上限），7000元" in lines
    # No English word and no code: names by their labels, formulas in words.
    proc = policylang("explain", "--lang", "zh", "cn/gd/chaozhou/stent-2020", "cap_within_highest_selected", cwd=REPO)
    assert "非中选产品医保支付标准高限 ≤ 最高中选价，期限：本政策生效日期后2年" in proc.stdout
    assert not re.search(r"[A-Za-z]{3,}", re.sub(r"[a-z0-9_/.-]*(stent|policies|policy|cap_within)[a-z0-9_/.:-]*", "",
                                                    proc.stdout)), proc.stdout
    proc = policylang("diff", "cn/gd/stent-2020", cwd=REPO, env={"POLICYLANG_LANG": "zh"})
    assert proc.returncode == 0, proc.stderr
    assert "替换 2 项，授权下级 1 项，新增 10 项" in proc.stdout
    assert "  替换          决策项“是否可以挂网”（listing_allowed）" in proc.stdout
    english = policylang("diff", "cn/gd/stent-2020", cwd=REPO).stdout
    assert "2 replaced, 1 delegated, 10 added" in english and "替换" not in english
    data = policylang("diff", "--lang", "zh", "--format", "json", "cn/gd/stent-2020", cwd=REPO).stdout
    assert '"change": "replaced"' in data  # JSON keeps its English keys and values


def test_eval_input_errors_in_chinese(tmp_path):
    cases = tmp_path / "cases.json"
    cases.write_text('[{"selected": true, "selected_price": 469, "price": -3}, {"selected": true}, {"foo": 1}]',
                     encoding="utf-8")
    proc = policylang("eval", "--lang", "zh", "cn/gd/chaozhou/stent-2020", "-i", str(cases), cwd=REPO)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("第 0 个案例：输入项“患者使用的产品价格”（price）应为金额（元）") and "不能是 -3" in lines[0]
    assert lines[1].startswith("第 1 个案例：缺少输入项“中选价格”（selected_price）（决策项“挂网价格”（listing_price）需要它）")
    assert lines[2] == "第 2 个案例：“foo”不是政策 cn/gd/chaozhou/stent-2020 的输入项"


def test_the_default_language_follows_the_users_locale(monkeypatch, tmp_path):
    from policylang.config import output_language

    monkeypatch.delenv("POLICYLANG_LANG", raising=False)
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert output_language(str(tmp_path)) == "zh"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")  # LC_ALL comes first, as for every program
    assert output_language(str(tmp_path)) == "en"
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL")
    assert output_language(str(tmp_path)) == "en"
    assert output_language(str(tmp_path), "zh") == "zh"
