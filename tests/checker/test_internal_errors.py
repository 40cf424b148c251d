"""A check that fails is an internal error (PL990), never a silent `ok`: exit status 2, the other
checks' findings still reported, and the failure named in both languages."""

from __future__ import annotations

import json
import os

import pytest

from policylang import cli
from policylang.pipeline import check
from policylang.semantics import checker
from policylang.semantics.checks import overrides

HERE = os.path.dirname(os.path.abspath(__file__))
FLOOR = os.path.join(os.path.dirname(HERE), "fixtures", "conflicts", "prepayment_floor_lowered")
CITY = os.path.join("policies", "cn", "gd", "shantou", "stent-2020.policy")


@pytest.fixture(autouse=True)
def _release(monkeypatch):
    # These tests are about what users see when a check fails: no re-raising, no cached run.
    monkeypatch.delenv("POLICYLANG_DEBUG", raising=False)
    monkeypatch.setenv("POLICYLANG_NO_CACHE", "1")
    monkeypatch.delenv("POLICYLANG_LANG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(FLOOR)


def _raise_in(monkeypatch, name: str, exc: Exception) -> None:
    """Replace one check of checker.CHECKS by one that raises after looking at a policy."""

    def broken(ctx):
        for _policy in ctx.checkable():
            raise exc
        return []

    monkeypatch.setattr(checker, "CHECKS", tuple((n, broken if n == name else f) for n, f in checker.CHECKS))


def _cli(capsys, *args):
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_a_failing_check_is_reported_and_the_others_still_run(monkeypatch):
    _raise_in(monkeypatch, "blanks", KeyError("x"))
    diags = check(["policies"]).diagnostics
    assert {d.code for d in diags if d.severity == "error"} == {"PL304", "PL990"}
    failure = next(d for d in diags if d.code == "PL990")
    assert failure.severity == "error"
    assert failure.message.startswith("the 'blanks' check failed on cn/stent-2020: KeyError: 'x'")
    assert "bug in policylang, not in the policy" in failure.message
    assert failure.message_zh.startswith("“blanks”检查在处理 cn/stent-2020 时出错：KeyError: 'x'")
    assert "POLICYLANG_DEBUG=1" in failure.hint and "POLICYLANG_DEBUG=1" in failure.hint_zh
    assert failure.span is not None and failure.span.file.endswith(os.path.join("cn", "stent-2020.policy"))


def test_an_item_that_breaks_a_check_is_named_and_located(monkeypatch):
    def boom(*args):
        raise KeyError("x")

    monkeypatch.setattr(overrides, "_judge_param", boom)
    diags = check(["policies"]).diagnostics
    failure = [d for d in diags if d.code == "PL990"]
    assert len(failure) == 1
    d = failure[0]
    assert d.message == ("the 'overrides' check failed on cn/gd/shantou/stent-2020 (prepayment_ratio): KeyError: 'x'"
                         " — this is a bug in policylang, not in the policy; please report it")
    assert d.message_zh.startswith("“overrides”检查在处理 cn/gd/shantou/stent-2020（prepayment_ratio）时出错")
    assert d.policy_id == "cn/gd/shantou/stent-2020"
    assert d.span.file.endswith(CITY) and d.span.line == 11  # the override of prepayment_ratio


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_check_exits_2_and_never_says_ok(monkeypatch, capsys, fmt):
    _raise_in(monkeypatch, "overrides", KeyError("x"))
    status, out, err = _cli(capsys, "check", "policies", "--format", fmt)
    assert status == 2
    assert "PL990" in out
    if fmt == "text":
        assert "error[PL990]" in out
        summary = out.strip().splitlines()[-1]
        assert summary.startswith("internal error: ") and "ok" not in summary.split(":")[0]
        assert "1 check failed inside policylang" in summary
    elif fmt == "json":
        data = json.loads(out)
        found = [d for d in data["diagnostics"] if d["code"] == "PL990"]
        assert found and found[0]["severity"] == "error" and found[0]["message_zh"]
    elif fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        assert any(r["ruleId"] == "PL990" and r["level"] == "error" for r in results)
    else:
        assert "::error " in out and "PL990" in out


def test_check_exit_2_with_the_other_checks_findings(monkeypatch, capsys):
    _raise_in(monkeypatch, "unused", RuntimeError("boom"))
    status, out, _ = _cli(capsys, "check", "policies")
    assert status == 2
    assert "error[PL304]" in out and "error[PL990]" in out
    assert "the 'unused' check failed" in out
    assert out.strip().splitlines()[-1].startswith("internal error: 3 policies checked, 2 errors")


def test_check_in_chinese(monkeypatch, capsys):
    _raise_in(monkeypatch, "unused", RuntimeError("boom"))
    status, out, _ = _cli(capsys, "check", "policies", "--lang", "zh")
    assert status == 2
    assert "错误[PL990] 检查程序内部错误：“unused”检查在处理" in out
    assert out.strip().splitlines()[-1].startswith("内部错误：检查了 3 项政策")


def test_a_failure_outside_the_targets_is_still_reported(monkeypatch, capsys):
    _raise_in(monkeypatch, "blanks", KeyError("x"))  # fails on the national policy
    status, out, _ = _cli(capsys, "check", os.path.join("policies", "cn", "gd", "shantou"))
    assert status == 2 and "PL990" in out


@pytest.mark.parametrize("command", [
    ["build", "-o", "{out}"],
    ["compile", "-o", "{out}"],
    ["docs", "-o", "{out}"],
    ["test"],
    ["explain", "cn/gd/shantou/stent-2020", "prepayment_ratio"],
    ["diff", "cn/gd/shantou/stent-2020"],
])
def test_every_command_that_checks_exits_2(monkeypatch, capsys, tmp_path, command):
    _raise_in(monkeypatch, "unused", RuntimeError("boom"))
    args = [a.replace("{out}", str(tmp_path / "out")) for a in command]
    status, out, err = _cli(capsys, *args)
    assert status == 2, out + err
    assert "internal error" in out + err
    assert "ok:" not in out + err


def test_build_writes_nothing(monkeypatch, capsys, tmp_path):
    _raise_in(monkeypatch, "unused", RuntimeError("boom"))
    status, _, err = _cli(capsys, "build", "-o", str(tmp_path / "out"))
    assert status == 2 and "build stopped: internal error" in err
    assert not (tmp_path / "out").exists()


def test_debug_re_raises(monkeypatch):
    _raise_in(monkeypatch, "overrides", KeyError("x"))
    monkeypatch.setenv("POLICYLANG_DEBUG", "1")
    with pytest.raises(KeyError):
        check(["policies"])


def test_a_crash_of_the_command_is_an_internal_error_with_status_2(monkeypatch, capsys):
    import policylang.commands.check as check_command

    def crash(*args, **kwargs):
        raise ZeroDivisionError("bad")

    monkeypatch.setattr(check_command, "run_pipeline", crash)
    status, out, err = _cli(capsys, "check", "policies")
    assert status == 2
    assert "policylang: internal error: ZeroDivisionError: bad" in err and "Traceback" not in err


def test_a_run_with_an_internal_error_is_not_cached(monkeypatch, tmp_path):
    monkeypatch.delenv("POLICYLANG_NO_CACHE")
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))
    with monkeypatch.context() as m:
        _raise_in(m, "overrides", KeyError("x"))
        assert "PL990" in {d.code for d in check(["policies"]).diagnostics}
    # The check works again: the next run must run it, not replay the failed run.
    assert {d.code for d in check(["policies"]).diagnostics if d.severity == "error"} == {"PL304"}


GOLDEN = os.path.join(HERE, "golden", "codes")


def compare_golden(text: str, name: str) -> None:
    """tests/checker/golden/codes/<name>: the exact text an author sees (UPDATE_GOLDEN=1 rewrites it)."""
    path = os.path.join(GOLDEN, name)
    if os.environ.get("UPDATE_GOLDEN") or not os.path.exists(path):
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    with open(path, encoding="utf-8") as fh:
        assert text == fh.read()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_golden_text(monkeypatch, lang):
    from policylang.diagnostics import render_text

    def boom(*args):
        raise KeyError("x")

    monkeypatch.setattr(overrides, "_judge_param", boom)
    run = check(["policies"])
    text = render_text([d for d in run.diagnostics if d.code == "PL990"], run.workspace.sources, lang=lang)
    compare_golden(text, f"PL990.{lang}.txt")


def test_an_incremental_run_reports_the_failure(monkeypatch, tmp_path):
    from helpers import header, write_tree

    files = {"cn/base": header("national") + 'param ratio: percent floor 30% "比例"\n'}
    for p in ("a", "b", "c", "d"):
        files[f"cn/{p}/base"] = header("provincial", "2021-02-01", "cn/base") + \
            'override param ratio: percent floor 40% "比例" because "提高"\n'
    folder = write_tree(tmp_path, files)
    monkeypatch.delenv("POLICYLANG_NO_CACHE")
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))
    assert not [d for d in check([folder]).diagnostics if d.severity == "error"]
    with open(os.path.join(folder, "cn", "a", "base.policy"), "a", encoding="utf-8") as fh:
        fh.write("# 修改\n")
    _raise_in(monkeypatch, "overrides", KeyError("x"))
    run = check([folder])
    assert run.stats["mode"] == "incremental"
    assert [d.code for d in run.diagnostics if d.severity == "error"] == ["PL990"]


def test_guard_finds_the_item_passed_by_name():
    from policylang.semantics.checks.common import CheckContext

    run = check(["policies"])
    policy = run.resolution.policies["cn/gd/shantou/stent-2020"]
    parent = run.resolution.policies["cn/gd/stent-2020"]
    ctx = CheckContext(run.workspace, run.resolution)
    ctx.check_name = "binding"

    def boom(ctx, policy, parent, name):
        raise ValueError("no")

    (d,) = ctx.guard(boom, ctx, policy, parent, "prepayment_ratio")
    assert d.message.startswith("the 'binding' check failed on cn/gd/shantou/stent-2020 (prepayment_ratio): ValueError: no")
    assert d.span.file.endswith(CITY) and d.span.line == 11
