"""`policylang eval`: evaluate a policy's decisions on cases read from JSON, JSON Lines or CSV.

Cases run through the policy's generated Python module, compiled in memory: the generated
code is the product that users embed, so `eval` shows exactly what it computes. (The reference
interpreter in semantics/evaluate.py defines the semantics; the differential tests keep the
generated code equal to it.)
"""

from __future__ import annotations

import json
import sys

import click

from ..diagnostics import escape_surrogates, printable
from ..pipeline import check as run_pipeline
from ..semantics.examples import EXAMPLE_FAILED
from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    chosen_language,
    exit_status,
    lang_option,
    report,
    why_stopped,
)

# What an input of each kind must be, in Chinese (the runtime's InputError names the kind).
_KIND_ZH = {
    "money": "金额（元），例如 469 或 \"469.50\"，不为负数，最多两位小数", "percent": "0% 到 100% 之间的百分比，例如 \"30%\" 或 0.3",
    "count": "不小于 0 的整数", "decimal": "数值", "bool": "true 或 false（是或否）", "date": "日期，写作 YYYY-MM-DD",
    "text": "文字", "duration": "时长，例如 \"2 years\"、\"6 months\" 或 \"30 days\"",
    "object": "一个 JSON 对象（输入项名称: 取值）",
}


def _shown_value(value) -> str:
    """A case's value as a message quotes it: short, and never walked (it may be nested deeply)."""
    if isinstance(value, (list, dict)):
        return "一个列表" if isinstance(value, list) else "一个对象"
    text = json.dumps(value if not isinstance(value, str) else value[:41], ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def json_text(value) -> str:
    """JSON as UTF-8 can carry it: a lone surrogate (a case key "\\ud800") is written as its
    escape, which JSON reads back as the same string."""
    return escape_surrogates(json.dumps(value, ensure_ascii=False, indent=2))


def _label(resolved, name: str) -> str:
    for table in (resolved.inputs, resolved.params, resolved.decisions):
        item = table.get(name)
        if item is not None and item.label:
            return f"“{item.label}”（{name}）"
    return f"“{name}”"


def error_zh(exc, case: dict, resolved) -> str:
    """An evaluation error in Chinese, from its structured fields (the runtime's words are English)."""
    code = getattr(exc, "code", "evaluation")
    field = getattr(exc, "field", None) or ""
    needed = f"（决策项{_label(resolved, exc.decision)}需要它）" if getattr(exc, "decision", None) else ""
    if code == "blank_not_filled":
        level = {"national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级"}.get(
            exc.expected_level, exc.expected_level)
        return (f"{_label(resolved, exc.blank)}是 {exc.delegated_by} 留给{level}填写的空白，各级都没有填写："
                f"请在案例中作为输入提供{needed}")
    if code == "invalid_input":
        kind = getattr(exc, "expected", "")
        if kind == "a known input":
            return f"“{field}”不是政策 {resolved.policy_id} 的输入项"
        if kind == "object":
            return "案例必须是一个 JSON 对象（输入项名称: 取值）"
        if field not in case:
            return f"缺少输入项{_label(resolved, field)}{needed}"
        enum = resolved.enums.get(resolved.inputs[field].type.enum) if field in resolved.inputs and \
            getattr(resolved.inputs[field].type, "enum", None) else None
        what = ("下列之一：" + "、".join(m for m, _ in enum.members)) if enum is not None else _KIND_ZH.get(kind, kind)
        return f"输入项{_label(resolved, field)}应为{what}，不能是 {_shown_value(case[field])}{needed}"
    return f"无法计算{needed}：{exc.message}"


@click.command("eval")
@lang_option
@click.argument("policy")
@click.option("--input", "-i", "input_file", required=True,
              help="Cases: a JSON object or list of objects, JSON Lines (.jsonl) or CSV (.csv); '-' reads standard input.")
@click.option("--as-of", "as_of", default=None, metavar="DATE",
              help="The evaluation date, YYYY-MM-DD (default: today). A case may carry its own \"as_of\" field.")
@click.option("--decision", "-d", "decisions", multiple=True, metavar="NAME",
              help="Only this decision (and what it needs); repeatable. Default: every decision.")
@click.option("--explain", is_flag=True, help="Add \"_explain\": the rules that decided each value, with file:line and article.")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="The policy tree's root, where ids are looked up (default: ./policies).")
def eval_command(policy, input_file, as_of, decisions, explain, root):
    """Evaluate POLICY (an id such as cn/gd/stent-2020, or a path) on each case of the input.

    Prints a JSON list, one object per case: each decision's value (money as an exact
    decimal string such as "469.00", dates YYYY-MM-DD, null = not applicable). A case that
    cannot be evaluated is reported on standard error and gets {"_error": {...}}; the exit
    status is then 1.
    """
    from ..backends.pycodegen import CodegenError, compile_module
    from ..backends.runner import CaseFileError, evaluate_case, parse_date, policy_path_for, read_cases

    zh = chosen_language(root) == "zh"
    try:
        global_as_of = parse_date(as_of) if as_of else None
    except ValueError:
        click.echo(f"policylang eval：--as-of 必须是 YYYY-MM-DD 格式的日期，不能是 {as_of!r}" if zh else
                   f"policylang eval: --as-of must be a date written YYYY-MM-DD, not {as_of!r}", err=True)
        raise SystemExit(EXIT_USAGE)
    path = policy_path_for(policy, root)
    import os

    if not os.path.isfile(path):
        click.echo(f"policylang eval：没有政策 {policy!r}（查找的是 {path}）" if zh else
                   f"policylang eval: no policy {policy!r} (looked for {path})", err=True)
        raise SystemExit(EXIT_USAGE)
    run = run_pipeline([path], root)
    # A failed example (PL601) does not stop evaluation: evaluating is how one finds out why it failed.
    diags = [d for d in run.diagnostics_for_targets() if d.severity == "error" and d.code != EXAMPLE_FAILED]
    targets = run.target_policies()
    status = exit_status(diags)
    if status != EXIT_OK or not targets or targets[0].has_errors:
        report(diags, run.workspace.sources, "text", root=run.workspace.root)
        if status != EXIT_OK and status != EXIT_FINDINGS:
            click.echo(f"policylang eval: {why_stopped(diags)}", err=True)
            raise SystemExit(status)
        click.echo(f"policylang eval：{policy} 有错误，请先改正" if zh else
                   f"policylang eval: {policy} has errors; fix them first", err=True)
        raise SystemExit(EXIT_FINDINGS)
    resolved = targets[0]
    try:
        module = compile_module(resolved)
    except CodegenError as exc:
        click.echo(f"policylang eval: {exc}", err=True)
        raise SystemExit(EXIT_FINDINGS)
    unknown = [d for d in decisions if d not in module.DECISIONS]
    if unknown:
        click.echo(f"policylang eval：{'、'.join(unknown)} 不是 {resolved.policy_id} 的决策项；"
                   f"决策项有：{'、'.join(module.DECISIONS)}" if zh else
                   f"policylang eval: {', '.join(unknown)} is not a decision of {resolved.policy_id}; "
                   f"decisions: {', '.join(module.DECISIONS)}", err=True)
        raise SystemExit(EXIT_USAGE)
    try:
        if input_file == "-":
            text, name = sys.stdin.read(), "-"
        else:
            with open(input_file, encoding="utf-8-sig") as fh:
                text, name = fh.read(), input_file
        cases = read_cases(text, name)
    except OSError as exc:
        click.echo(f"policylang eval：无法读取 {input_file}：{exc.strerror or exc}" if zh else
                   f"policylang eval: cannot read {input_file}: {exc.strerror or exc}", err=True)
        raise SystemExit(EXIT_USAGE)
    except UnicodeDecodeError:
        click.echo(f"policylang eval：{input_file} 不是 UTF-8 文本" if zh else
                   f"policylang eval: {input_file} is not UTF-8 text", err=True)
        raise SystemExit(EXIT_USAGE)
    except CaseFileError as exc:
        click.echo(printable(f"policylang eval: {exc}"), err=True)
        raise SystemExit(EXIT_FINDINGS)
    results = []
    failed = 0
    for index, case in enumerate(cases):
        case = dict(case)
        case_as_of = global_as_of
        if "as_of" in case and "as_of" not in module.INPUTS:
            raw = case.pop("as_of")
            try:
                case_as_of = parse_date(raw if isinstance(raw, str) else "")
            except ValueError:
                failed += 1
                err = {"error": "invalid_input", "field": "as_of", "expected": "date",
                       "message": f"'as_of' must be a date written YYYY-MM-DD, not {_shown_value(raw)}"}
                click.echo(printable(f"第 {index} 个案例：评估日期（as_of）必须是 YYYY-MM-DD 格式的日期，不能是 "
                                     f"{_shown_value(raw)}" if zh else f"case {index}: as_of: {err['message']}"),
                           err=True)
                results.append({"_error": err})
                continue
        slot, exc = evaluate_case(module, case, case_as_of, list(decisions) or None, explain)
        results.append(slot)
        if exc is not None:
            failed += 1
            where = f"{exc.field}: " if exc.field else ""
            needed = f" (decision {exc.decision})" if getattr(exc, "decision", None) else ""
            click.echo(printable(f"第 {index} 个案例：{error_zh(exc, case, resolved)}" if zh else
                                 f"case {index}: {where}{exc.message}{needed}"), err=True)
    click.echo(json_text(results))
    raise SystemExit(EXIT_FINDINGS if failed else EXIT_OK)
