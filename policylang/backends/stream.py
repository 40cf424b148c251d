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
import itertools
import json
import operator
import os
from decimal import Decimal
from typing import Callable, Iterator, Optional

from ..diagnostics import escape_surrogates
from ..processes import fork_context, worker_pool
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

    __slots__ = ("text", "cases", "messages", "failures", "path", "size")

    def __init__(self):
        self.text = ""
        self.path = None  # the results are in this file instead (size: its length in characters)
        self.size = 0
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
        # in the order --keep names them, as the results' header does (eval refuses a CSV file
        # that lacks one of them)
        self.keep_columns = [(self.header.index(name), name) for name in opts.keep if name in self.header]
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
        # the specialised row functions (None: the general row code below): for records split from
        # a block without quotes, and for records csv.reader read
        self.row_plain = self.row_quoted = None
        if fmt == "csv":
            self.row_plain = build_row_function(self, True)
            self.row_quoted = build_row_function(self, False)

    # -- CSV

    def csv_batch(self, text: str, first_line: int, strict: bool = False) -> Outcome:
        """The results of a block of whole CSV records. strict: the text was decoded from UTF-8 here
        (it holds no lone surrogate, so the results need no escaping)."""
        out = Outcome()
        width = len(self.header)
        # A block without quotes is split at commas and line ends (what csv.reader would give it);
        # with quotes, a NUL or a lone carriage return, csv.reader reads it.
        plain = '"' not in text and "\x00" not in text and text.count("\r") == text.count("\r\n")
        if plain:
            if "\r" in text:
                text = text.replace("\r\n", "\n")
            records = text.split("\n")
            reader = None
            rows = map(str.split, records, itertools.repeat(","))
            fast = self.row_plain
        else:
            reader = csv.reader(io.StringIO(text))
            rows = reader
            fast = self.row_quoted
        as_text = fast is not None and self.opts.out_format == "csv"
        if fast is None and not self.opts.explain:
            fast = self._fast
        slots = []
        append = slots.append
        batch = self.writer.batch
        number = first_line - 1
        for row in rows:
            number += 1
            first = row[0] if row else ""
            if (not first or first.isspace()) and not any(cell.strip() for cell in row):
                continue  # a blank record (the first cell says most records are not, at no cost)
            index = out.cases
            out.cases += 1
            if len(row) > width:
                line = number if reader is None else first_line + reader.line_num - 1
                exc = _RowError(f"CSV line {line} has {len(row)} cells but the header has {width}",
                                f"CSV 第 {line} 行有 {len(row)} 个单元格，但表头只有 {width} 个")
                self._failed(out, index, exc, {})
                slot = ({}, {"_error": exc.to_dict()})
                append(batch([slot]) if as_text else slot)
                continue
            done = fast(row) if fast is not None else None
            if done is not None:
                append(done)
                continue
            case = {key: cell for key, cell in zip(self.header, row) if cell.strip() != ""}
            slot, exc, _kept = evaluate_one(self.module, case, self.opts)
            if exc is not None:
                self._failed(out, index, exc, case)
            slot = (self.kept_cells(row + [""] * (width - len(row))) if self.keep_columns else (), slot)
            append(batch([slot]) if as_text else slot)
        if as_text:
            out.text = "".join(slots) if strict else escape_surrogates("".join(slots))
        else:
            out.text = batch(slots)
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


# ---------------------------------------------------------------- the specialised row function


class _Holder:
    """What a requirement that reads only the case's inputs needs of an evaluation: v and as_of."""

    __slots__ = ("v", "as_of")


def _reads_only_inputs(method, run_class) -> bool:
    """Whether a requirement's condition reads nothing of the evaluation but its inputs (self.v)
    and day (self.as_of): no decision, parameter or blank of the lazy evaluator."""
    members = set(dir(run_class)) - {"v", "as_of"}
    codes = [getattr(method, "__code__", None)]
    while codes:
        code = codes.pop()
        if code is None:
            return False
        if members.intersection(code.co_names):
            return False
        codes += [c for c in code.co_consts if hasattr(c, "co_names")]
    return True


def _plain_api(module):
    """(decide_fast, in_force) of a module whose evaluate() is the runtime's own (not an amended
    policy's, which chooses a version by date), else None."""
    evaluate = getattr(module, "evaluate", None)
    code = getattr(evaluate, "__code__", None)
    if code is None or not evaluate.__closure__:
        return None
    cells = dict(zip(code.co_freevars, (c.cell_contents for c in evaluate.__closure__)))
    if "decide_fast" not in cells or "in_force" not in cells:
        return None
    if not hasattr(module, "_REQUIREMENTS") or not hasattr(module, "_Run"):
        return None
    return cells["decide_fast"], cells["in_force"]


_QUOTED = (",", '"', "\n")  # what makes the csv module quote a cell (QUOTE_MINIMAL, "\n" lines)


def _csv_text(text: str) -> str:
    """A cell as csv.writer writes it (QUOTE_MINIMAL, lines ended by "\\n")."""
    if "," in text or '"' in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _any_cell(value) -> str:
    """A decision's value of any kind in a CSV cell, as Writer writes it."""
    c = value.__class__
    if c is Decimal:
        text = str(value)
        return text if "E" not in text else format(value, "f")
    if c is _date:
        return value.isoformat()
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if c is int:
        return str(value)
    return _csv_text(value if c is str else _cell(to_json(value)))


def build_row_function(batcher, safe_cells: bool):
    """A function of one CSV record's cells (a list) giving its results' CSV line (or, for JSON
    output, (kept cells, the decisions' values)), or None when the case must take the general
    way. Generated once per run for this policy, header and options: the column memos and their
    validation inline, the decisions' straight-line evaluation called once, the requirements that
    read only inputs checked on the computed values. safe_cells: the cells cannot hold a comma, a
    quote or a line break (they were split from a record without quotes), so kept cells are
    written as they are. None when the module's evaluation cannot be specialised."""
    module, opts = batcher.module, batcher.opts
    api = _plain_api(module)
    if api is None or opts.explain or batcher.as_of_column is not None:
        return None
    decide_fast, in_force = api
    as_of = opts.as_of
    try:
        in_force(as_of)
    except Exception:  # not in force on the day: every case reports it, the general way
        return None
    run_class = module._Run
    env = {"_ABSENT": _ABSENT, "_Invalid": _Invalid, "_decide": decide_fast, "_AS_OF": as_of, "_Decimal": Decimal,
           "_date": _date, "_any": _any_cell, "_q": _csv_text, "_Holder": _Holder, "_Run": run_class,
           "_FAIL": (KeyError, module.EvaluationError, ArithmeticError)}
    lines = ["def _row(c):", f"    if len(c) != {batcher.width}:", "        return None"]
    for index in batcher.others:
        lines += [f"    if c[{index}].strip():", "        return None  # an unknown input"]
    # Each column's cell through its memo (an invalid cell raises _Invalid: the general way says why).
    # A blank cell of an optional input is None in the inputs (the module reads an optional input
    # with .get(): None and not given are the same to it); of a required one, not given.
    absent = []
    reads = []
    specs = module._INPUT_SPECS
    for k, (index, name, coerce, members, _memo) in enumerate(batcher.inputs):
        optional = bool(specs[name][1])
        env[f"_m{k}"] = _Memo(name, coerce, members, module.EvaluationError, None if optional else _ABSENT)
        reads.append(f"        x{k} = _m{k}[c[{index}]]")
        if not optional:
            absent += [f"    if x{k} is _ABSENT:", f"        del v[{name!r}]"]
    if reads:
        lines += ["    try:", *reads, "    except _Invalid:", "        return None"]
    lines.append("    v = {" + ", ".join(f"{name!r}: x{k}" for k, (_i, name, *_rest) in enumerate(batcher.inputs)) + "}")
    lines += absent
    lines += ["    try:", "        r = _decide(v, _AS_OF)", "    except _FAIL:", "        return None"]
    # the requirements in force on the day
    lazy = False
    for k, (_info, deadline, method) in enumerate(module._REQUIREMENTS):
        if deadline is not None and as_of < deadline:
            continue
        env[f"_r{k}"] = method
        if _reads_only_inputs(method, run_class):
            target = "h"
            if "h" not in env:
                env["h"] = True
                lines += ["    h = _Holder()", "    h.v = v", "    h.as_of = _AS_OF"]
        else:
            target = "run"
            if not lazy:
                lazy = True
                lines.append("    run = _Run(v, _AS_OF, None)")
        lines += ["    try:", f"        if _r{k}({target}) is False:",
                  "            return None  # a requirement broken: the general way reports it with the values",
                  "    except _FAIL:", "        pass"]
    env.pop("h", None)
    fields = dict(module.Result._FIELDS)
    hints = getattr(module.Result, "__annotations__", {})
    names = batcher.names
    if len(names) > 1:  # the decisions' values in one call
        env["_pick"] = operator.itemgetter(*[fields[name] for name in names])
        lines.append("    " + ", ".join(f"d{k}" for k in range(len(names))) + " = _pick(r.__dict__)")
    elif names:
        lines.append(f"    d0 = r.__dict__[{fields[names[0]]!r}]")
    values = []
    for k, name in enumerate(names):
        attribute = fields[name]
        hint = str(hints.get(attribute, ""))
        if opts.out_format != "csv":
            values.append(f"d{k}")
        elif "Decimal" in hint:
            values.append(f"((s if 'E' not in (s := str(d{k})) else _any(d{k})) if d{k}.__class__ is _Decimal "
                          f"else _any(d{k}))")
        elif "date" in hint:
            values.append(f"(d{k}.isoformat() if d{k}.__class__ is _date else _any(d{k}))")
        elif "bool" in hint:
            values.append(f"('true' if d{k} is True else 'false' if d{k} is False else _any(d{k}))")
        else:
            values.append(f"_any(d{k})")
    kept = [index for index, _ in batcher.keep_columns]
    if opts.out_format != "csv":
        kept_expr = "(" + "".join(f"c[{i}], " for i in kept) + ")"
        got = f"({values[0]},)" if len(values) == 1 else "(" + ", ".join(values) + ")"
        lines.append(f"    return {kept_expr}, {got}")
    else:
        cells = [f"c[{i}]" if safe_cells else f"_q(c[{i}])" for i in kept] + values
        if cells:
            lines.append("    return ','.join((" + ", ".join(cells) + ", ',,,\\n'))")
        else:
            lines.append("    return ',,,\\n'")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<policylang eval row function of {module.POLICY_ID}>", "exec"), env)
    row = env["_row"]
    row.source = source
    return row


class _Memo(dict):
    """The validated values of one input column's cells, up to MEMO_LIMIT of them: a blank cell
    `blank` (_ABSENT, or None for an optional input); one that is not valid raises _Invalid (it
    is not remembered: the general way says why)."""

    __slots__ = ("name", "coerce", "members", "error", "blank")

    def __init__(self, name, coerce, members, error, blank):
        super().__init__({"": blank})
        self.blank = blank
        self.name, self.coerce, self.members, self.error = name, coerce, members, error

    def __missing__(self, cell):
        if cell.isspace():
            value = self.blank
        else:
            try:
                value = self.coerce(self.name, cell, self.members)
            except self.error:
                raise _Invalid from None
        if len(self) < MEMO_LIMIT:
            self[cell] = value
        return value


class _Invalid(Exception):
    """A cell that is not valid for its column (the general way says why)."""


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


def _forking(batcher: Batcher):
    """The fork context the workers are made in, with `batcher` as what they inherit; None where
    this process cannot fork safely (no fork on this platform, or other threads running: see
    processes), and the caller then works in one process."""
    global _WORKER
    context = fork_context()
    if context is not None:
        _WORKER = batcher
    return context


def run(batcher: Batcher, blocks: Iterator[tuple[str, int]], jobs: int, emit: Callable[[Outcome], None]) -> None:
    """Evaluate each block and hand its outcome to emit(), in input order. With jobs > 1, blocks
    after the first go to that many forked worker processes, at most 2 × jobs blocks at a time (so
    memory stays bounded whatever the input's size)."""
    first = next(blocks, None)
    if first is None:
        return
    emit(batcher.run(*first))
    context = _forking(batcher) if jobs > 1 else None
    if context is None:
        for block in blocks:
            emit(batcher.run(*block))
        return
    pending: collections.deque = collections.deque()
    with worker_pool(jobs, context) as pool:
        for block in blocks:
            pending.append(pool.submit(_work, block))
            while len(pending) >= 2 * jobs:
                emit(pending.popleft().result())
        while pending:
            emit(pending.popleft().result())


# ---------------------------------------------------------------- a CSV file read by ranges of bytes

_SCAN = 8 << 20  # bytes read at a time when the file is cut into ranges


class FilePlan:
    """How a CSV file is read by ranges: its header record's text, where the records after it
    start (byte offset) and the number of the line they start on."""

    def __init__(self, header_text: str, data_start: int, first_line: int, size: int):
        self.header_text = header_text
        self.data_start = data_start
        self.first_line = first_line
        self.size = size


def plan_csv_file(path: str) -> FilePlan:
    """Where a CSV file's header record ends (at its first line end outside quotes)."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        fh.seek(0)
        head = b""
        end = None
        pos = 0
        while end is None:  # the header record: up to the first line end outside quotes
            more = fh.read(1 << 16)
            head += more
            while True:
                nl = head.find(b"\n", pos)
                if nl < 0:
                    break
                pos = nl + 1
                if head.count(b'"', 0, nl) % 2 == 0:
                    end = nl + 1
                    break
            if not more and end is None:
                end = len(head)
    raw = head[:end]
    text = raw.decode("utf-8-sig")
    return FilePlan(text, end, 1 + raw.count(b"\n"), size)


def lone_carriage_return(path: str) -> bool:
    """Whether a line of the file ends with a lone carriage return (reading by lines cuts there
    too, so such a file is read by lines, not by ranges of bytes)."""
    with open(path, "rb") as fh:
        last = b""
        while True:
            more = fh.read(_SCAN)
            if b"\r" in more or last == b"\r":
                joined = last + more
                ends = joined[-1:] == b"\r" and bool(more)
                if joined.count(b"\r") - ends != joined.count(b"\r\n"):
                    return True
            if not more:
                return last == b"\r"
            last = more[-1:]


def csv_ranges(path: str, plan: FilePlan, target: int) -> Iterator[tuple[int, int, int]]:
    """(start, end, first line) of each range of about `target` bytes of records after the
    header, each cut after a line end outside quotes (quotes counted from the data's start, as
    reading by lines does)."""
    start, line = plan.data_start, plan.first_line
    with open(path, "rb") as fh:
        fh.seek(start)
        block = b""
        base = 0  # block[base:] is what is left of the range that starts at `start`
        while True:
            more = fh.read(_SCAN)
            if base:
                block = block[base:]
                base = 0
            block += more
            while True:
                pos = base + target
                cut = None
                while pos < len(block):
                    nl = block.find(b"\n", pos)
                    if nl < 0:
                        break
                    pos = nl + 1
                    if block.find(b'"', base, nl) < 0 or block.count(b'"', base, nl) % 2 == 0:
                        cut = nl + 1
                        break
                if cut is None:
                    break
                yield start, start + cut - base, line
                line += block.count(b"\n", base, cut)
                start += cut - base
                base = cut
            if not more:
                if base < len(block):
                    yield start, start + len(block) - base, line
                return


_FD: dict = {}


def _read_range(path: str, start: int, end: int) -> str:
    fd = _FD.get(path)
    if fd is None:
        fd = _FD[path] = os.open(path, os.O_RDONLY)
    parts = []
    while start < end:
        data = os.pread(fd, end - start, start)
        if not data:
            break
        parts.append(data)
        start += len(data)
    return b"".join(parts).decode("utf-8")


def _work_range(item):
    path, start, end, first_line, part = item
    outcome = _WORKER.csv_batch(_read_range(path, start, end), first_line, strict=True)
    with open(part, "w", encoding="utf-8", newline="") as fh:
        fh.write(outcome.text)
    outcome.size = len(outcome.text)
    outcome.text = None
    outcome.path = part
    return outcome


def run_csv_file(batcher: Batcher, path: str, plan: FilePlan, size: int, jobs: int,
                 emit: Callable[[Outcome], None], parts_dir: Optional[str] = None) -> None:
    """Evaluate a CSV file by ranges of about `size` records: each worker reads its own ranges
    from the file and writes its results to a part file (in parts_dir), which emit() copies to
    the output in input order (Outcome.path), so no text goes through pipes. One process when
    jobs is 1 or the file is one range."""
    with open(path, "rb") as fh:
        fh.seek(plan.data_start)
        sample = fh.read(1 << 20)
    lines = sample.count(b"\n") or 1
    target = max(4096, int(len(sample) / lines * size))
    ranges = csv_ranges(path, plan, target)
    context = _forking(batcher) if jobs > 1 and plan.size - plan.data_start > target else None
    if context is None:
        for start, end, first_line in ranges:
            emit(batcher.csv_batch(_read_range(path, start, end), first_line, strict=True))
        return
    import tempfile

    folder = tempfile.mkdtemp(prefix=".policylang-eval-", dir=parts_dir)
    pending: collections.deque = collections.deque()
    try:
        with worker_pool(jobs, context) as pool:
            for number, (start, end, first_line) in enumerate(ranges):
                part = os.path.join(folder, f"part-{number}")
                pending.append(pool.submit(_work_range, (path, start, end, first_line, part)))
                while len(pending) >= 2 * jobs:
                    _emit_part(pending.popleft().result(), emit)
            while pending:
                _emit_part(pending.popleft().result(), emit)
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def _emit_part(outcome: Outcome, emit) -> None:
    try:
        emit(outcome)
    finally:
        os.remove(outcome.path)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
