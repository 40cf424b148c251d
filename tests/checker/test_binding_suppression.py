"""Binding findings cannot be silenced quietly: configuration cannot lower them (PL904), and an
in-line `ignore` with its reason is kept as a suppressed record that every output lists."""

from __future__ import annotations

import json
import os
import shutil
import textwrap

import jsonschema
import pytest

from policylang import cli
from policylang.config import load_config
from policylang.diagnostics import BINDING_CODES, CODES
from policylang.pipeline import check

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FLOOR = os.path.join(REPO, "tests", "fixtures", "conflicts", "prepayment_floor_lowered")
CITY = os.path.join("policies", "cn", "gd", "shantou", "stent-2020.policy")
REASON = "经省医保局书面同意，本市2021年度预付比例暂按20%执行"
SCHEMA = os.path.join(REPO, "tests", "syntax", "data", "sarif-schema-2.1.0.json")


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A copy of the lowered-floor fixture (PL304 on the city's line 11), checked from its folder."""
    folder = tmp_path / "tree"
    shutil.copytree(FLOOR, folder)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("POLICYLANG_NO_CACHE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("POLICYLANG_LANG", raising=False)
    return folder


def configure(folder, severity: str) -> None:
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.policylang]\n# PL304 is the floor check\n'
        f"severity = {{ {severity} }}\n", encoding="utf-8")


def suppress(folder, comment: str = f'# policylang: ignore[PL304] because "{REASON}"') -> None:
    path = folder / CITY
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("override param prepayment_ratio", comment + "\noverride param prepayment_ratio"),
                    encoding="utf-8")


def cli_run(capsys, *args):
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


# ---------------------------------------------------------------- configuration


def test_configuration_cannot_turn_off_the_floor_check(tree):
    configure(tree, 'PL304 = "off", PL402 = "error"')
    diags = check(["policies"]).diagnostics
    floor = [d for d in diags if d.code == "PL304"]
    assert len(floor) == 1 and floor[0].severity == "error"
    d = next(d for d in diags if d.code == "PL904")
    assert d.span.file.endswith("pyproject.toml")
    assert (d.span.line, d.span.column, d.span.end_column) == (6, 14, 19)  # at the key, not at the comment
    assert "'PL304 = \"off\"' is ignored and PL304 stays an error" in d.message
    assert "# policylang: ignore[PL304] because" in d.hint
    assert d.message_zh.startswith("PL304（下限被降低）表示下级违反了上级的约束性规定，不能通过配置对整个政策目录一律关闭")
    assert "# policylang: ignore[PL304] 理由" in d.hint_zh


def test_configuration_cannot_make_a_binding_finding_a_warning(tree):
    configure(tree, 'PL304 = "warning"')
    diags = check(["policies"]).diagnostics
    assert next(d for d in diags if d.code == "PL304").severity == "error"
    assert "降为警告" in next(d for d in diags if d.code == "PL904").message_zh


def test_configuration_may_keep_a_binding_finding_an_error(tree):
    configure(tree, 'PL304 = "error"')
    assert "PL904" not in {d.code for d in check(["policies"]).diagnostics}


@pytest.mark.parametrize("value", ["off", "warning", "info"])
def test_no_binding_code_can_be_lowered(tmp_path, value):
    """Every code in BINDING_CODES (the registry is the source of truth) is refused."""
    codes = sorted(BINDING_CODES)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.policylang]\nseverity = { " + ", ".join(f'{c} = "{value}"' for c in codes) + ", PL207 = \"off\" }\n",
        encoding="utf-8")
    config = load_config(str(tmp_path))
    assert config.severity == {"PL207": "off"}
    refused = sorted(d.message.split(" ")[0] for d in config.diagnostics if d.code == "PL904")
    assert refused == codes
    assert all(d.message_zh and d.hint and d.hint_zh for d in config.diagnostics)


def test_the_internal_error_code_cannot_be_configured(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.policylang]\nseverity = { PL990 = "off" }\n', encoding="utf-8")
    config = load_config(str(tmp_path))
    assert "PL990" not in config.severity
    assert [d.code for d in config.diagnostics] == ["PL903"]


def test_build_refuses_the_loosened_rule_despite_the_configuration(tree, capsys, tmp_path):
    configure(tree, 'PL304 = "off"')
    status, out, err = cli_run(capsys, "build", "-o", str(tmp_path / "out"))
    assert status == 1 and "error[PL304]" in out and "warning PL904 " in out  # warnings are counted by code
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- in-line suppressions


def test_an_inline_suppression_keeps_a_record(tree):
    suppress(tree)
    run = check(["policies"])
    assert "PL304" not in {d.code for d in run.diagnostics}
    (record,) = run.suppressed
    assert record.binding and record.code == "PL304" and record.reason == REASON
    assert record.policy_id == "cn/gd/shantou/stent-2020"
    assert record.span.file.endswith(CITY) and record.span.line == 11  # the comment
    assert record.diagnostic.span.line == 12  # the finding it suppressed
    assert run.suppressed_for_targets() == [record]


def test_a_suppression_gives_its_reason_with_the_chinese_keyword_too(tree):
    suppress(tree, f'# policylang: ignore[PL304] 理由 “{REASON}”')
    run = check(["policies"])
    assert "PL304" not in {d.code for d in run.diagnostics}
    (record,) = run.suppressed
    assert record.code == "PL304" and record.reason == REASON


def test_check_lists_suppressed_binding_findings_after_the_findings(tree, capsys):
    suppress(tree)
    status, out, _ = cli_run(capsys, "check", "policies")
    assert status == 0
    lines = out.strip().splitlines()
    assert lines[-1] == "ok: 3 policies checked, 0 errors, 0 warnings, 1 binding finding suppressed"
    assert lines[-4:-1] == ["suppressed binding findings (1):", f"  {CITY}:12 PL304 下限被降低 — {REASON}", ""]
    status, out, _ = cli_run(capsys, "check", "policies", "--lang", "zh")
    lines = out.strip().splitlines()
    assert lines[-4:-1] == ["已忽略的约束类问题（1 项）：", f"  {CITY}:12 PL304 下限被降低——理由：{REASON}", ""]
    assert lines[-1].endswith("已忽略 1 个约束类问题")
    # -q drops the summary line, not the list.
    status, out, _ = cli_run(capsys, "check", "policies", "-q")
    assert "suppressed binding findings (1):" in out and "ok:" not in out


def test_json_has_a_suppressed_array(tree, capsys):
    suppress(tree)
    _, out, _ = cli_run(capsys, "check", "policies", "--format", "json")
    data = json.loads(out)
    assert data["summary"]["suppressed"] == data["summary"]["suppressed_binding"] == 1
    (entry,) = data["suppressed"]
    assert entry["code"] == "PL304" and entry["binding"] is True and entry["reason"] == REASON
    assert entry["location"]["line"] == 12 and entry["suppression"]["line"] == 11
    assert entry["message_zh"] and entry["severity"] == "error"


def test_sarif_marks_the_result_suppressed_with_its_justification(tree, capsys):
    suppress(tree)
    _, out, _ = cli_run(capsys, "check", "policies", "--format", "sarif")
    log = json.loads(out)
    with open(SCHEMA, encoding="utf-8") as fh:
        jsonschema.Draft4Validator(json.load(fh)).validate(log)
    run = log["runs"][0]
    (result,) = [r for r in run["results"] if r["ruleId"] == "PL304"]
    (suppression,) = result["suppressions"]
    assert suppression["kind"] == "inSource" and suppression["status"] == "accepted"
    assert suppression["justification"] == REASON
    assert suppression["location"]["physicalLocation"]["region"]["startLine"] == 11
    assert result["level"] == "error" and result["properties"]["binding"] is True
    assert "PL304" in [rule["id"] for rule in run["tool"]["driver"]["rules"]]


def test_github_annotations_show_a_notice(tree, capsys):
    suppress(tree)
    _, out, _ = cli_run(capsys, "check", "policies", "--format", "github")
    (line,) = [l for l in out.splitlines() if "PL304" in l]
    assert line.startswith("::notice file=") and "(suppressed)" in line and "reason: " in line


def test_a_non_binding_suppression_is_recorded_but_not_listed(tmp_path, monkeypatch, capsys):
    from .test_config import GAP

    policies = tmp_path / "policies" / "cn"
    policies.mkdir(parents=True)
    (policies / "base.policy").write_text(textwrap.dedent(GAP.format(
        comment='# policylang: ignore[PL402] because "本通知未规定该情形"')), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POLICYLANG_NO_CACHE", "1")
    run = check(["policies"])
    assert [(s.code, s.binding) for s in run.suppressed] == [("PL402", False)]
    status, out, _ = cli_run(capsys, "check", "policies")
    assert status == 0 and "suppressed binding" not in out and "suppressed" not in out.splitlines()[-1]
    _, out, _ = cli_run(capsys, "check", "policies", "--format", "json")
    assert [s["binding"] for s in json.loads(out)["suppressed"]] == [False]


def test_an_internal_error_cannot_be_suppressed(tree, monkeypatch):
    from policylang.semantics.checks import overrides

    def boom(*args):
        raise KeyError("x")

    monkeypatch.setattr(overrides, "_judge_param", boom)
    monkeypatch.delenv("POLICYLANG_DEBUG", raising=False)
    suppress(tree, '# policylang: ignore[PL990] because "不想看到"')
    diags = check(["policies"]).diagnostics
    assert "PL990" in {d.code for d in diags}
    assert "PL902" in {d.code for d in diags}  # the suppression matched nothing it may suppress


def test_the_warm_cache_keeps_the_suppressed_records(tree, monkeypatch, tmp_path):
    suppress(tree)
    monkeypatch.delenv("POLICYLANG_NO_CACHE")
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))
    first = check(["policies"])
    second = check(["policies"])
    assert second.stats["mode"] == "warm"
    assert [(s.code, s.reason) for s in second.suppressed] == [(s.code, s.reason) for s in first.suppressed] \
        == [("PL304", REASON)]


def test_every_binding_code_is_registered():
    assert BINDING_CODES <= set(CODES)
    assert all(CODES[c].severity == "error" for c in BINDING_CODES)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_golden_text(tree, lang):
    from policylang.diagnostics import render_suppressed, render_text

    from .test_internal_errors import compare_golden

    configure(tree, 'PL304 = "off"')
    run = check(["policies"])
    compare_golden(render_text([d for d in run.diagnostics if d.code == "PL904"], run.workspace.sources, lang=lang),
                   f"PL904.{lang}.txt")
    suppress(tree)
    run = check(["policies"])
    compare_golden(render_suppressed(run.suppressed, lang), f"suppressed.{lang}.txt")
