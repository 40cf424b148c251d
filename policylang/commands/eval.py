"""`policylang eval`: evaluate a policy's decisions on cases read from JSON, JSON Lines or CSV.

Cases run through the policy's generated Python module, compiled in memory: the generated
code is the product that users embed, so `eval` shows exactly what it computes. (The reference
interpreter in semantics/evaluate.py defines the semantics; the differential tests keep the
generated code equal to it.)
"""

from __future__ import annotations

import collections
import json
import sys

import click

from ..backends.stream import DEFAULT_BATCH, DEFAULT_EXPLAIN_BATCH
from ..diagnostics import printable
from ..wording import INPUT_KINDS_ZH, os_error_zh
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


def _shown_value(value) -> str:
    """A case's value as a message quotes it: short, and never walked (it may be nested deeply)."""
    if isinstance(value, (list, dict)):
        return "一个列表" if isinstance(value, list) else "一个对象"
    text = json.dumps(value if not isinstance(value, str) else value[:41], ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


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
    if code == "not_in_force":
        effective, ends = resolved.effective, resolved.ends
        day = exc.day
        why = (f"其生效日期为 {effective.isoformat()}" if effective is not None and day < effective
               else f"已于 {ends.isoformat()} 失效")
        then = (f"当日施行的是 {exc.in_force}" if exc.in_force else "当日本地区没有同一政策体系的政策施行")
        return f"{exc.policy_id} 在 {day.isoformat()} 不在施行期内：{why}；{then}"
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
        what = ("下列之一：" + "、".join(m for m, _ in enum.members)) if enum is not None else INPUT_KINDS_ZH.get(kind, kind)
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
@click.option("--format", "-f", "results_format", type=click.Choice(["json", "jsonl", "csv"]), default="json",
              show_default=True,
              help="Results as a JSON list (one case per line), JSON Lines (one object per line) or CSV "
                   "(kept columns, one column per decision, then _error, _error_field, _error_message).")
@click.option("--output", "-o", "output_file", default="-", metavar="PATH",
              help="Write the results to PATH (default: standard output).")
@click.option("--keep", "keep", multiple=True, metavar="COLUMNS",
              help="Input columns (comma-separated, repeatable) copied to each result and not read as inputs, "
                   "e.g. --keep claim_id,hospital.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes for inputs longer than one batch (default: one per CPU).")
@click.option("--batch-size", "batch_size", type=click.IntRange(min=1), default=None, metavar="N",
              help=f"Cases read, evaluated and written together (default: {DEFAULT_BATCH}, "
                   f"{DEFAULT_EXPLAIN_BATCH} with --explain): memory is bounded by it.")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="The policy tree's root, where ids are looked up (default: ./policies).")
def eval_command(policy, input_file, as_of, decisions, explain, results_format, output_file, keep, jobs,
                 batch_size, root):
    """Evaluate POLICY (an id such as cn/gd/stent-2020, or a path) on each case of the input.

    Prints a JSON list, one object per case and one case per line: each decision's value (money
    as an exact decimal string such as "469.00", dates YYYY-MM-DD, null = not applicable);
    --format jsonl or csv for other layouts. CSV and JSON Lines are streamed: results are written
    as they are computed, a batch at a time. A case that cannot be evaluated is reported on
    standard error and gets {"_error": {...}} (the others go on); the number of failed cases is
    printed at the end and the exit status is then 1.
    """
    from ..backends.pycodegen import CodegenError, compile_module
    from ..backends.runner import CaseFileError, parse_date, policy_path_for, read_cases
    from ..backends import stream

    zh = chosen_language(root) == "zh"
    try:
        global_as_of = parse_date(as_of) if as_of else None
    except ValueError:
        click.echo(f"policylang eval：--as-of 必须是形如 2021-01-15 的日期（年-月-日），不能是“{as_of}”" if zh else
                   f"policylang eval: --as-of must be a date written YYYY-MM-DD, not {as_of!r}", err=True)
        raise SystemExit(EXIT_USAGE)
    path = policy_path_for(policy, root)
    import os

    if not os.path.isfile(path):
        click.echo(f"policylang eval：没有政策“{policy}”（查找的是 {path}）" if zh else
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
            click.echo(f"policylang eval：{why_stopped(diags, 'zh')}" if zh else f"policylang eval: {why_stopped(diags)}",
                       err=True)
            raise SystemExit(status)
        click.echo(f"policylang eval：{policy} 有错误，请先改正" if zh else
                   f"policylang eval: {policy} has errors; fix them first", err=True)
        raise SystemExit(EXIT_FINDINGS)
    resolved = targets[0]
    try:
        module = compile_module(resolved)
    except CodegenError as exc:
        click.echo(f"policylang eval：{exc.zh}" if zh else f"policylang eval: {exc}", err=True)
        raise SystemExit(EXIT_FINDINGS)
    unknown = [d for d in decisions if d not in module.DECISIONS]
    if unknown:
        click.echo(f"policylang eval：{'、'.join(unknown)} 不是 {resolved.policy_id} 的决策项；"
                   f"决策项有：{'、'.join(module.DECISIONS)}" if zh else
                   f"policylang eval: {', '.join(unknown)} is not a decision of {resolved.policy_id}; "
                   f"decisions: {', '.join(module.DECISIONS)}", err=True)
        raise SystemExit(EXIT_USAGE)
    kept = tuple(dict.fromkeys(name.strip() for spec in keep for name in spec.split(",") if name.strip()))
    clash = [name for name in kept if name in module.INPUTS]
    if clash:
        click.echo(f"policylang eval：--keep 的 {'、'.join(clash)} 是政策的输入项，不能只复制不计算" if zh else
                   f"policylang eval: --keep {', '.join(clash)}: an input of the policy cannot be only copied", err=True)
        raise SystemExit(EXIT_USAGE)

    def describe(exc, case):
        if isinstance(exc, stream._AsOfError):
            return f"评估日期“as_of”必须是形如 2021-01-15 的日期（年-月-日），不能是“{exc.raw}”" if zh \
                else f"as_of: {exc.message}"
        if isinstance(exc, stream._RowError):
            return exc.zh if zh else exc.message
        if zh:
            return error_zh(exc, case, resolved)
        where = f"{exc.field}: " if exc.field else ""
        needed = f" (decision {exc.decision})" if getattr(exc, "decision", None) else ""
        return f"{where}{exc.message}{needed}"

    # The evaluation date: one for the whole run (today's, when not given), as each case would get.
    opts = stream.Options(global_as_of or _today(), list(decisions) or None, explain, kept, results_format,
                          describe, zh)
    size = batch_size or (stream.DEFAULT_EXPLAIN_BATCH if explain else stream.DEFAULT_BATCH)
    try:
        source = _open_input(input_file)
    except OSError as exc:
        _cannot_read(input_file, exc, zh)
    out = None
    plan = None
    try:
        kind, lines, first_line = _sniff(source, input_file)
        if kind == "json":  # one JSON document: read whole, evaluated a batch at a time
            cases = read_cases("".join(lines), input_file)
            batcher = stream.Batcher(module, opts, "jsonl")
            blocks = ((cases[i:i + size], i) for i in range(0, len(cases), size))
            runner, jobs = batcher.cases_batch, 1
        elif kind == "csv":
            # A CSV row is one flat record: a list of records has no column to go in. An optional list
            # is read as not given (as in a JSON case without it); a required one cannot be given.
            lists = [n for n, i in resolved.inputs.items() if i.type.kind == "list" and not i.optional]
            if lists:
                click.echo(f"policylang eval：{resolved.policy_id} 的输入项 {'、'.join(lists)} 是列表，CSV 文件无法给出列表；"
                           f"请改用 JSON 或 JSON Lines（.jsonl），列表写成对象数组" if zh else
                           f"policylang eval: {', '.join(lists)} of {resolved.policy_id} is a list input, which a CSV "
                           f"file cannot give; use JSON or JSON Lines (.jsonl), with the list as an array of objects",
                           err=True)
                raise SystemExit(EXIT_FINDINGS)  # as a case file that cannot be read
            # A file is read by ranges of bytes, each worker its own, cut between records; standard
            # input (and a file with lines ended by a lone carriage return) line by line.
            plan = None
            if input_file != "-" and os.path.isfile(input_file) and not stream.lone_carriage_return(input_file):
                plan = stream.plan_csv_file(input_file)
                header, _taken = stream.csv_header(iter(plan.header_text.splitlines(keepends=True)))
            else:
                header, taken = stream.csv_header(lines)
                blocks = stream.batches(lines, size, True, first_line + taken)
            absent = [name for name in kept if name not in header]
            if absent:
                click.echo(f"policylang eval：--keep 的 {'、'.join(absent)} 不是输入文件中的列；"
                           f"文件的列有：{'、'.join(header)}" if zh else
                           f"policylang eval: --keep {', '.join(absent)}: no such column in {input_file}; "
                           f"its columns: {', '.join(header)}", err=True)
                raise SystemExit(EXIT_USAGE)
            batcher = stream.Batcher(module, opts, "csv", header)
            runner = None
        else:
            batcher = stream.Batcher(module, opts, "jsonl")
            blocks = stream.batches(lines, size, False, first_line)
            runner = None
        out = sys.stdout if output_file == "-" else open(output_file, "w", encoding="utf-8", newline="")
        totals = _Totals(out, batcher.writer, results_format, zh)
        if runner is not None:
            for block in blocks:
                totals.emit(runner(*block))
        elif plan is not None:
            parts = os.path.dirname(os.path.abspath(output_file)) if output_file != "-" else None
            stream.run_csv_file(batcher, input_file, plan, size, jobs or stream.default_jobs(), totals.emit, parts)
        else:
            stream.run(batcher, blocks, jobs or stream.default_jobs(), totals.emit)
        totals.close()
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(EXIT_OK)
    except OSError as exc:
        _cannot_read(input_file if out is not None or output_file == "-" else output_file, exc, zh)
    except UnicodeDecodeError:
        click.echo(f"policylang eval：{input_file} 不是 UTF-8 文本" if zh else
                   f"policylang eval: {input_file} is not UTF-8 text", err=True)
        raise SystemExit(EXIT_USAGE)
    except CaseFileError as exc:
        click.echo(printable(f"policylang eval：{exc.zh}" if zh else f"policylang eval: {exc}"), err=True)
        raise SystemExit(EXIT_FINDINGS)
    finally:
        if out is not None and out is not sys.stdout:
            out.close()
        if source is not sys.stdin:
            source.close()
    raise SystemExit(EXIT_FINDINGS if totals.failed else EXIT_OK)


MAX_MESSAGES = 1000  # failed cases described one by one on stderr; the rest are counted


class _Totals:
    """Writes each batch's results in order, its failures on stderr, and the summary at the end."""

    def __init__(self, out, writer, results_format: str, zh: bool):
        self.out, self.writer, self.fmt, self.zh = out, writer, results_format, zh
        self.cases = self.failed = 0
        self.reasons = collections.Counter()
        self.started = False
        if results_format == "csv":
            out.write(writer.header())

    def emit(self, outcome) -> None:
        if outcome.text or outcome.size:
            if self.fmt == "json":
                self.out.write(",\n" if self.started else "[\n")
            if outcome.path is not None:  # a worker's part file: copied as it is
                _copy_part(outcome.path, self.out)
            else:
                self.out.write(outcome.text)
            self.started = True
        for index, message in outcome.messages:
            self.failed += 1
            if self.failed <= MAX_MESSAGES:
                number = self.cases + index
                click.echo(printable(f"第 {number} 个案例：{message}" if self.zh else f"case {number}: {message}"),
                           err=True)
        self.reasons.update(outcome.failures)
        self.cases += outcome.cases

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self.started else "[]\n")
        self.out.flush()
        if not self.failed:
            return
        if self.failed > MAX_MESSAGES:
            rest = self.failed - MAX_MESSAGES
            click.echo(f"……另有 {rest:,} 个案例无法计算，原因见结果中各案例的 _error" if self.zh else
                       f"... and {rest:,} more cases failed; each has its _error in the results", err=True)
        reasons = sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))
        if self.zh:
            why = "；".join(f"{_ERROR_ZH.get(code, code)}“{field}”：{count:,} 个" if field else
                           f"{_ERROR_ZH.get(code, code)}：{count:,} 个" for (code, field), count in reasons)
        else:
            why = ", ".join(f"{code} {field}: {count:,}".replace(" :", ":") for (code, field), count in reasons)
        click.echo(printable(f"policylang eval：{self.cases:,} 个案例中 {self.failed:,} 个无法计算（{why}）" if self.zh else
                             f"policylang eval: {self.failed:,} of {self.cases:,} cases failed ({why})"), err=True)


def _copy_part(path: str, out) -> None:
    """A part file's text written to out: its bytes straight to the stream's buffer when it has one."""
    buffer = getattr(out, "buffer", None)
    with open(path, "rb") as part:
        if buffer is not None:
            out.flush()
            import shutil

            shutil.copyfileobj(part, buffer, 1 << 20)
            buffer.flush()
        else:
            out.write(part.read().decode("utf-8"))


# The kinds of error a case may have (its _error), in words for the summary in Chinese.
_ERROR_ZH = {"invalid_input": "输入有误", "evaluation": "计算出错", "blank_not_filled": "授权事项未填写",
             "not_in_force": "不在有效期内", "violation": "不符合约束要求"}


def _today():
    import datetime

    return datetime.date.today()


def _open_input(input_file: str):
    if input_file == "-":
        return sys.stdin
    return open(input_file, encoding="utf-8-sig", newline="")


def _cannot_read(input_file: str, exc: OSError, zh: bool):
    click.echo(f"policylang eval：无法读取 {input_file}：{os_error_zh(exc)}" if zh else
               f"policylang eval: cannot read {input_file}: {exc.strerror or exc}", err=True)
    raise SystemExit(EXIT_USAGE)


def _sniff(source, name: str):
    """("csv" | "jsonl" | "json", an iterator of the input's lines, the number of the first line):
    by the file's suffix, else by its first line that is not blank."""
    import itertools

    lower = name.lower()
    lines = iter(source)
    if lower.endswith(".csv"):
        return "csv", lines, 1
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl", lines, 1
    skipped = []
    for line in lines:
        skipped.append(line)
        if line.strip():
            break
    head = "".join(skipped).lstrip("\ufeff")
    rest = itertools.chain(skipped, lines)
    first = head.strip()
    if not first:
        return "json", rest, 1  # empty: read_cases says so
    if first.startswith("["):
        return "json", rest, 1
    if first.startswith("{"):
        try:
            parsed = json.loads(first)
        except json.JSONDecodeError:
            return "json", rest, 1  # an object over several lines (or not JSON: read_cases says why)
        return ("jsonl" if isinstance(parsed, dict) else "json"), rest, 1
    return "csv", rest, 1
