"""Streaming evaluation: cases read, evaluated and written in batches, so memory is bounded by the
batch size, not by the input (`policylang eval` on CSV and JSON Lines).

A batch is a block of input lines (whole CSV records: a quoted cell may hold a line break), turned
into results text by `run_batch`, in this process or in forked worker processes (`jobs`); results
are written in input order as each batch completes. Every case is evaluated by the policy's
generated module exactly as `runner.evaluate_case` does it; a case that has a problem (a bad or
missing input, a blank, a CSV record with too many cells, a JSON line that is not an object) gets
its own `_error` and the batch goes on.

The usual case takes a shorter way to the same values: the cells of a CSV record are validated by
the module's own input checks (`_INPUT_SPECS`), remembered per column for the values that repeat
(claims repeat prices, ratios, caps and dates), and the validated inputs go to `module.evaluate`.
Any failure there sends the case down the general path (`evaluate_case`), which reports it as the
module and the reference interpreter do, so the fast way changes no output.
"""

from __future__ import annotations

import collections
import csv
import datetime as _dt
import io
import json
import operator
import os
from decimal import Decimal
from typing import Callable, Iterator, Optional

from ..diagnostics import escape_surrogates
from .runner import evaluate_case, loads_case_json, parse_date, to_json

OUTPUT_FORMATS = ("json", "jsonl", "csv")
DEFAULT_BATCH = 5000
DEFAULT_EXPLAIN_BATCH = 500
# Distinct cells remembered per input column (their validated values); beyond that a column's new
# values are validated each time.
MEMO_LIMIT = 4096

_date = _dt.date


class Options:
    """What one `eval` run asks for (picklable: workers get it when forked)."""

    def __init__(self, as_of: _dt.date, decisions: Optional[list], explain: bool, keep: tuple,
                 out_format: str, describe: Callable, zh: bool = False):
        self.as_of = as_of
        self.decisions = decisions
        self.explain = explain
        self.keep = keep
        self.out_format = out_format
        self.describe = describe  # (exc, case) -> the stderr line's text after "case N: "
        self.zh = zh


class Outcome:
    """What a batch gave: the results text, the cases in it, and its failures:
    (index within the batch, message) for stderr, and a count per (error, field)."""

    __slots__ = ("text", "cases", "messages", "failures")

    def __init__(self):
        self.text = ""
        self.cases = 0
        self.messages: list = []
        self.failures: collections.Counter = collections.Counter()


# ---------------------------------------------------------------- one case, the general way


def as_of_error(raw) -> dict:
    return {"error": "invalid_input", "field": "as_of", "expected": "date",
            "message": f"'as_of' must be a date written YYYY-MM-DD, not {raw!r}"}


def evaluate_one(module, case: dict, opts: Options):
    """(the case's JSON object, the error or None, the kept cells): runner.evaluate_case, after
    the case's own `as_of` and the kept columns are taken out."""
    case = dict(case)
    kept = {name: case.pop(name) for name in opts.keep if name in case} if opts.keep else {}
    case_as_of = opts.as_of
    if "as_of" in case and "as_of" not in module.INPUTS:
        raw = case.pop("as_of")
        try:
            case_as_of = parse_date(str(raw))
        except ValueError:
            err = as_of_error(raw)
            return {"_error": err}, _AsOfError(raw, err), kept
    slot, exc = evaluate_case(module, case, case_as_of, opts.decisions, opts.explain)
    return slot, exc, kept


class _AsOfError(Exception):
    code = "invalid_input"
    field = "as_of"
    decision = None

    def __init__(self, raw, err):
        super().__init__(err["message"])
        self.raw = raw
        self.message = err["message"]


class _RowError(Exception):
    """A record that is not a case (a CSV record with too many cells, a JSON line that is not an object)."""

    code = "invalid_row"
    field = None
    decision = None

    def __init__(self, message: str, zh: str):
        super().__init__(message)
        self.message = message
        self.zh = zh

    def to_dict(self) -> dict:
        return {"error": self.code, "message": self.message, "field": None, "decision": None}


# ---------------------------------------------------------------- writing results


def _cell(value) -> str:
    """A result value in a CSV cell: as in JSON, with none empty and booleans true/false."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


class Writer:
    """Results of one batch as text in the chosen format. A case is (its kept cells, a tuple of
    the decisions' values) when everything was computed (written here without building a dict:
    the keys are known, money and dates need no escaping), or (kept cells, its JSON object)."""

    def __init__(self, module, opts: Options):
        self.names = list(opts.decisions) if opts.decisions else list(module.DECISIONS)
        self.opts = opts
        self.encode = json.JSONEncoder(ensure_ascii=False).encode
        quote = self.encode
        self.prefixes = [quote(name) + ": " for name in list(opts.keep) + self.names]
        # _violations: the requirements the case breaks on its day, by name ("a;b"), as in JSON's list.
        self.columns = list(opts.keep) + self.names + ["_error", "_error_field", "_error_message", "_violations"] \
            + (["_explain"] if opts.explain else [])

    def header(self) -> str:
        if self.opts.out_format != "csv":
            return ""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(self.columns)
        return buffer.getvalue()

    def batch(self, slots: list) -> str:
        """slots: (kept cells, the case's JSON object) per case. A lone surrogate (a case key
        "\\ud800") is written as its escape: the text stays UTF-8, and JSON reads the same string."""
        return escape_surrogates(self._batch(slots))

    def _batch(self, slots: list) -> str:
        fmt = self.opts.out_format
        if fmt == "csv":
            buffer = io.StringIO()
            write = csv.writer(buffer, lineterminator="\n").writerow
            names = self.names
            keep = self.opts.keep
            for kept, slot in slots:
                if slot.__class__ is tuple:  # the decisions' values, nothing failed
                    write([*kept, *[
                        (text if "E" not in (text := str(v)) else format(v, "f")) if (c := v.__class__) is Decimal
                        else v.isoformat() if c is _date
                        else "" if v is None else "true" if v is True else "false" if v is False
                        else v if c is str or c is int else _cell(to_json(v)) for v in slot], "", "", "", ""])
                    continue
                kept = dict(zip(keep, kept))
                error = slot.get("_error")
                row = [kept.get(k, "") for k in keep] + [_cell(slot.get(n)) for n in names]
                if error:
                    row += [error.get("error") or "", error.get("field") or "", error.get("message") or ""]
                else:
                    row += ["", "", ""]
                row.append(";".join(v.get("requirement", "") for v in slot.get("_violations") or ()))
                if self.opts.explain:
                    explained = slot.get("_explain")
                    row.append(self.encode(explained) if explained is not None else "")
                write(row)
            return buffer.getvalue()
        encode = self.encode
        lines = []
        keep = self.opts.keep
        prefixes = self.prefixes
        add = str.__add__
        for kept, slot in slots:
            if slot.__class__ is tuple:
                texts = [encode(cell) for cell in kept] if kept else []
                texts += [
                    ('"' + (text if "E" not in (text := str(v)) else format(v, "f")) + '"') if (c := v.__class__) is Decimal
                    else '"' + v.isoformat() + '"' if c is _date
                    else "null" if v is None else "true" if v is True else "false" if v is False
                    else str(v) if c is int else encode(to_json(v)) for v in slot]
                lines.append("{" + ", ".join(map(add, prefixes, texts)) + "}")
                continue
            lines.append(encode({**dict(zip(keep, kept)), **slot} if kept else slot))
        if fmt == "jsonl":
            return "".join(line + "\n" for line in lines)
        return ",\n".join(lines)


# ---------------------------------------------------------------- a batch


class Batcher:
    """Evaluates batches of input text. Built once per run (in the parent, before workers fork)."""

    def __init__(self, module, opts: Options, fmt: str, header: Optional[list] = None):
        self.module = module
        self.opts = opts
        self.fmt = fmt
        self.header = header or []
        self.writer = Writer(module, opts)
        names = self.writer.names
        fields = dict(module.Result._FIELDS)
        # a policy that decides nothing (a notice of provisions only) has no result columns
        self.getter = operator.attrgetter(*[fields[n] for n in names]) if names else (lambda result: ())
        self.single = len(names) == 1
        self.names = names
        specs = module._INPUT_SPECS
        keep = set(opts.keep)
        self.inputs = []  # (column index, input name, coerce, members, memo)
        self.others = []  # columns that are neither inputs nor kept: an unknown input when given
        self.keep_columns = [(i, h) for i, h in enumerate(self.header) if h in keep]
        self.width = len(self.header)
        if self.keep_columns:
            pick = operator.itemgetter(*[i for i, _ in self.keep_columns])
            self.kept_cells = (lambda row: (pick(row),)) if len(self.keep_columns) == 1 else pick
        self.as_of_column = None
        for index, name in enumerate(self.header):
            if name in keep:
                continue
            if name == "as_of" and "as_of" not in module.INPUTS:
                self.as_of_column = index
            elif name in specs and self.header.index(name) == index:
                coerce, _optional, members = specs[name]
                self.inputs.append((index, name, coerce, members, {"": _ABSENT}))
            else:
                self.others.append(index)
        self.dates: dict = {}

    # -- CSV

    def csv_batch(self, text: str, first_line: int) -> Outcome:
        out = Outcome()
        reader = csv.reader(io.StringIO(text))
        width = len(self.header)
        slots = []
        append = slots.append
        fast = self._fast
        for row in reader:
            first = row[0] if row else ""
            if (not first or first.isspace()) and not any(cell.strip() for cell in row):
                continue  # a blank record (the first cell says most records are not, at no cost)
            index = out.cases
            out.cases += 1
            if len(row) > width:
                line = first_line + reader.line_num - 1
                exc = _RowError(f"CSV line {line} has {len(row)} cells but the header has {width}",
                                f"CSV 第 {line} 行有 {len(row)} 个单元格，但表头只有 {width} 个")
                self._failed(out, index, exc, {})
                append(({}, {"_error": exc.to_dict()}))
                continue
            done = fast(row) if not self.opts.explain else None
            if done is not None:
                append(done)
                continue
            case = {key: cell for key, cell in zip(self.header, row) if cell.strip() != ""}
            slot, exc, _kept = evaluate_one(self.module, case, self.opts)
            if exc is not None:
                self._failed(out, index, exc, case)
            append((self.kept_cells(row + [""] * (width - len(row))) if self.keep_columns else (), slot))
        out.text = self.writer.batch(slots)
        return out

    def _fast(self, row: list):
        """(kept cells, the decisions' values as JSON gives them) by the short way, or None to take
        the general one."""
        for index in self.others:
            if index < len(row) and row[index].strip():
                return None  # an unknown input: the general way reports it
        if len(row) < self.width:
            return None
        values = {}
        for index, name, coerce, members, memo in self.inputs:
            cell = row[index]
            try:
                value = memo[cell]
            except KeyError:
                if cell.isspace():
                    value = _ABSENT
                else:
                    try:
                        value = coerce(name, cell, members)
                    except self.module.EvaluationError:
                        return None
                if len(memo) < MEMO_LIMIT:
                    memo[cell] = value
            if value is not _ABSENT:
                values[name] = value
        as_of = self.opts.as_of
        if self.as_of_column is not None:
            cell = row[self.as_of_column]
            if cell.strip():
                as_of = self.dates.get(cell)
                if as_of is None:
                    try:
                        as_of = parse_date(cell)
                    except ValueError:
                        return None
                    if len(self.dates) < MEMO_LIMIT:
                        self.dates[cell] = as_of
        module = self.module
        try:
            result = module.evaluate(module.Validated(values), as_of=as_of)
        except module.EvaluationError:
            return None
        if result.violations:
            return None  # a case that breaks a requirement: the general way reports it with its values
        got = self.getter(result)
        return (self.kept_cells(row) if self.keep_columns else ()), ((got,) if self.single else got)

    # -- JSON Lines

    def jsonl_batch(self, text: str, first_line: int) -> Outcome:
        out = Outcome()
        slots = []
        module = self.module
        opts = self.opts
        for number, line in enumerate(text.splitlines(), first_line):
            if not line.strip():
                continue
            index = out.cases
            out.cases += 1
            try:
                case = loads_case_json(line)
            except json.JSONDecodeError as exc:
                case = None
                problem = (f"line {number} is not valid JSON: {exc.msg}", f"第 {number} 行不是有效的 JSON（第 {exc.colno} 个字符处有误）")
            except RecursionError:  # nested deeper than the parser goes
                case = None
                problem = (f"line {number} is nested too deeply: a case holds input values, not nested lists",
                           f"第 {number} 行嵌套过深：案例只包含输入值，不应是多层嵌套的列表")
            else:
                problem = None if isinstance(case, dict) else \
                    (f"line {number} is not an object mapping input names to values",
                     f"第 {number} 行不是一个对象（输入项名称: 取值）")
            if problem is not None:
                error = _RowError(*problem)
                self._failed(out, index, error, {})
                slots.append(({}, {"_error": error.to_dict()}))
                continue
            slot, exc, kept = evaluate_one(module, case, opts)
            if exc is not None:
                self._failed(out, index, exc, case)
            slots.append((kept, slot))
        out.text = self.writer.batch(slots)
        return out

    # -- cases already read (one JSON document)

    def cases_batch(self, cases: list, first_index: int) -> Outcome:
        out = Outcome()
        slots = []
        for case in cases:
            index = out.cases
            out.cases += 1
            slot, exc, kept = evaluate_one(self.module, case, self.opts)
            if exc is not None:
                self._failed(out, index, exc, case)
            slots.append((kept, slot))
        out.text = self.writer.batch(slots)
        return out

    def _failed(self, out: Outcome, index: int, exc, case: dict) -> None:
        out.failures[(getattr(exc, "code", "evaluation"), getattr(exc, "field", None) or "")] += 1
        out.messages.append((index, self.opts.describe(exc, case)))

    def run(self, text: str, first_line: int) -> Outcome:
        return self.csv_batch(text, first_line) if self.fmt == "csv" else self.jsonl_batch(text, first_line)


_ABSENT = object()  # an empty cell: the input is not given


# ---------------------------------------------------------------- reading batches


def csv_header(lines: Iterator[str]) -> tuple[list, int]:
    """The header record of a CSV stream (it may span lines) and the number of lines it took."""
    record, taken = [], 0
    for line in lines:
        taken += 1
        record.append(line)
        if "".join(record).count('"') % 2 == 0:
            break
    text = "".join(record).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[0]] if rows else []
    return header, taken


def batches(lines: Iterator[str], size: int, csv_records: bool, first_line: int) -> Iterator[tuple[str, int]]:
    """(block of text, its first line's number): about `size` records each, cut between records
    (for CSV, never inside a quoted cell)."""
    block: list = []
    start = first_line
    number = first_line
    quoted = False
    for line in lines:
        number += 1
        block.append(line)
        if csv_records and line.count('"') % 2:
            quoted = not quoted
        if len(block) >= size and not quoted:
            yield "".join(block), start
            block = []
            start = number
    if block:
        yield "".join(block), start


# ---------------------------------------------------------------- running them

_WORKER: Optional[Batcher] = None


def _work(item):
    text, first_line = item
    return _WORKER.run(text, first_line)


def run(batcher: Batcher, blocks: Iterator[tuple[str, int]], jobs: int, emit: Callable[[Outcome], None]) -> None:
    """Evaluate each block and hand its outcome to emit(), in input order. With jobs > 1, blocks
    after the first go to that many forked worker processes, at most 2 × jobs blocks at a time (so
    memory stays bounded whatever the input's size)."""
    first = next(blocks, None)
    if first is None:
        return
    emit(batcher.run(*first))
    if jobs <= 1:
        for block in blocks:
            emit(batcher.run(*block))
        return
    import multiprocessing

    global _WORKER
    _WORKER = batcher
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: one process
        for block in blocks:
            emit(batcher.run(*block))
        return
    pending: collections.deque = collections.deque()
    with context.Pool(jobs) as pool:
        for block in blocks:
            pending.append(pool.apply_async(_work, (block,)))
            while len(pending) >= 2 * jobs:
                emit(pending.popleft().get())
        while pending:
            emit(pending.popleft().get())


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
