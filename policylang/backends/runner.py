"""Running compiled evaluators: reading cases (JSON, JSON Lines, CSV), writing results as JSON,
and running the `example` blocks of policies (for `policylang test` and the pytest plugin).

Cases and examples are evaluated with the generated module, compiled in memory: the generated
code is what users embed, so that is what `eval` and `test` exercise. The reference interpreter
stays the semantic reference; the differential tests hold the two together. Running an example
is semantics/examples.py's, shared with `check` (which runs them with the interpreter); this
module gives it the compiled module as evaluator and writes the report.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
import re
from decimal import Decimal
from typing import Any, Iterable, Optional

import attrs

from ..semantics import examples
from ..semantics.evaluate import Interpreter
from ..semantics.loader import policy_path_for  # noqa: F401 - where the commands have long found it
from ..semantics.model import Duration, ResolvedPolicy


class CaseFileError(Exception):
    """The case file cannot be read (not JSON, not CSV, not objects…). `zh`: the message in Chinese."""

    def __init__(self, message: str = "", zh: str = None):
        super().__init__(message)
        self.zh = zh or message


# ---------------------------------------------------------------- reading cases


# A case file is data, not code. JSON nested deeper than the parser goes is reported with the case
# and the field where it happens, counted against MAX_JSON_DEPTH (cases need three levels: the
# list, a case, a value; deeper values are refused by the input's own type). A JSON integer of
# more digits than _LONG_INT is read as a Decimal, so that the input's bound names the field
# instead of the parser failing on 4,301 digits.
MAX_JSON_DEPTH = 32
_LONG_INT = 40


def _json_int(text: str):
    return int(text) if len(text) <= _LONG_INT else Decimal(text)


def loads_case_json(text: str):
    """One JSON document of cases: decimals exact, long integers as Decimal (see _LONG_INT)."""
    return json.loads(text, parse_float=Decimal, parse_int=_json_int)


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:]')


def _check_depth(text: str, where: str) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH (one linear pass over its brackets, before any
    parsing), naming the case and the field where it happens."""
    depth = 0
    case = -1
    key = None
    last_string = None
    listed = text.startswith("[")
    key_depth = 2 if listed else 1
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"':
            last_string = token
        elif first == ":":
            if depth == key_depth:
                key = last_string
        elif first in "[{":
            depth += 1
            if depth == 2 and listed:
                case += 1
            if depth > MAX_JSON_DEPTH:
                try:
                    field = f", field {json.loads(key)!r}" if key is not None else ""
                except ValueError:
                    field = ""
                number = f"case {max(case, 0)}{field}" if depth > 2 else "the top level"
                line = text.count("\n", 0, match.start()) + 1
                raise CaseFileError(f"{where}: {number} is nested more than {MAX_JSON_DEPTH} levels deep "
                                    f"(line {line}); a case holds input values, not nested lists")
        else:
            depth -= 1


def read_cases(text: str, name: str = "-") -> list[dict]:
    """Cases from a JSON object or list of objects, JSON Lines (.jsonl, or detected), or CSV (.csv).
    Numbers in JSON are read as Decimal, so 0.1 stays 0.1. In CSV an empty cell is an absent input.
    Every failure to read is a CaseFileError (never a crash), whatever the text."""
    lower = name.lower()
    if lower.endswith(".csv"):
        return _read_csv(text)
    if lower.endswith((".jsonl", ".ndjson")):
        return _read_json_lines(text)
    stripped = text.strip()
    if not stripped:
        raise CaseFileError(f"{name} is empty: expected a JSON object, a list of objects, JSON Lines or CSV",
                            f"{name} 是空的：应为一个 JSON 对象、对象列表、JSON Lines 或 CSV")
    try:
        data = loads_case_json(stripped)
    except RecursionError:  # nested deeper than the parser goes: say where
        _check_depth(stripped, name)
        raise CaseFileError(f"{name} is nested too deeply", f"{name} 嵌套的层数太多") from None
    except json.JSONDecodeError as exc:
        if stripped.startswith("{") and "\n" in stripped:
            return _read_json_lines(text)
        if not stripped.startswith(("{", "[")):
            return _read_csv(text)
        raise CaseFileError(f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                            f"{name} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 个字符处有误") from None
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        for index, item in enumerate(data):
            if not isinstance(item, dict):
                raise CaseFileError(f"{name}: case {index} is not an object mapping input names to values",
                                    f"{name}：第 {index} 个案例不是“输入项名称: 值”形式的对象")
        return data
    raise CaseFileError(f"{name} must hold an object or a list of objects", f"{name} 应为一个对象或对象列表")


def _read_json_lines(text: str) -> list[dict]:
    cases = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = loads_case_json(line)
        except RecursionError:  # nested deeper than the parser goes: say where
            _check_depth(line.strip(), f"line {number}")
            raise CaseFileError(f"line {number} is nested too deeply", f"第 {number} 行嵌套的层数太多") from None
        except json.JSONDecodeError as exc:
            raise CaseFileError(f"line {number} is not valid JSON: {exc.msg}",
                                f"第 {number} 行不是有效的 JSON（第 {exc.colno} 个字符处有误）") from None
        if not isinstance(item, dict):
            raise CaseFileError(f"line {number} is not an object mapping input names to values",
                                f"第 {number} 行不是“输入项名称: 值”形式的对象")
        cases.append(item)
    return cases


def _read_csv(text: str) -> list[dict]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        rows = [row for row in reader]
    except csv.Error as exc:  # a carriage return alone inside a cell, a NUL…
        raise CaseFileError(f"not valid CSV: {exc} (line {reader.line_num})",
                            f"不是有效的 CSV（第 {reader.line_num} 行）") from None
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    cases = []
    for number, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise CaseFileError(f"CSV line {number} has {len(row)} cells but the header has {len(header)}")
        cases.append({key: cell for key, cell in zip(header, row) if cell.strip() != ""})
    return cases


def parse_date(text: str) -> _dt.date:
    return _dt.date.fromisoformat(text.strip())


# ---------------------------------------------------------------- writing results


def to_json(value: Any) -> Any:
    """A decision's value as JSON: money and decimals as exact strings, dates ISO, none as null."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Duration) or hasattr(value, "unit"):
        return str(value)
    if isinstance(value, (list, tuple)):  # a list input's elements (an example's given list)
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return str(value)


def error_dict(exc: Exception) -> dict:
    out = exc.to_dict() if hasattr(exc, "to_dict") else {"error": "evaluation", "message": str(exc)}
    return out


def evaluate_case(module, case: dict, as_of: Optional[_dt.date], decisions: Optional[list[str]],
                  explain: bool) -> tuple[dict, Optional[Exception]]:
    """One case through the compiled module: (the JSON object for the case, the error or None).

    Invalid inputs and missing inputs make the whole case an error: {"_error": {...}}. When the
    only failures are blanks no level filled, the decisions that could be computed are kept next
    to "_error" (which names the first blank met, in evaluation order)."""
    names = list(decisions) if decisions else list(module.DECISIONS)
    if not explain:
        # The usual case: every decision computes, and evaluate() is the module's fast path (half
        # the cost of decide_each's lazy one). Any error: decide_each below says what it is.
        try:
            result = module.evaluate(case, as_of=as_of)
        except module.EvaluationError:
            pass
        else:
            values = result.as_dict()
            out = {name: to_json(values[name]) for name in names}
            # The requirements the case breaks on its day, each with its article (the values still stand).
            broken = result.violations
            if broken:
                out["_violations"] = [v.to_dict() for v in broken]
            return out, None
    try:
        values, errors, trace = module.decide_each(case, names, as_of=as_of, explain=explain)
    except module.EvaluationError as exc:
        return {"_error": error_dict(exc)}, exc
    first = next((errors[name] for name in names if name in errors), None)
    if first is not None and not all(isinstance(e, module.BlankNotFilled) for e in errors.values()):
        first = next(errors[name] for name in names if name in errors
                     and not isinstance(errors[name], module.BlankNotFilled))
        return {"_error": error_dict(first)}, first
    out = {}
    if first is not None:
        out["_error"] = error_dict(first)
    out.update({name: to_json(values[name]) for name in names if name in values})
    if explain:
        out["_explain"] = {name: [dict(step.to_dict(), value=to_json(step.value)) for step in trace.get(name, ())]
                           for name in names if name in values}
    # The requirements the case breaks on its day, each with its article (the values above still stand).
    broken = module.violations(case, as_of=as_of)
    if broken:
        out["_violations"] = [v.to_dict() for v in broken]
    return out, first


# ---------------------------------------------------------------- examples


@attrs.frozen
class Failure:
    decision: str
    location: str  # file:line of the expectation
    expected: str
    actual: str


@attrs.frozen
class ExampleOutcome:
    policy_id: str
    path: str  # the policy file, relative
    title: str
    location: str  # file:line of the example
    failures: tuple[Failure, ...]
    checked: int  # expectations checked

    @property
    def passed(self) -> bool:
        return not self.failures


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def module_evaluator(module) -> examples.Evaluator:
    """Evaluate examples with a policy's compiled module (see semantics/examples.py)."""

    def evaluate(inputs: dict, name: str, as_of: Optional[_dt.date]) -> examples.Outcome:
        given = {key: _for_module(value, module) for key, value in inputs.items()}
        try:
            got = module.decide(given, [name], as_of=as_of)[0][name]
        except module.BlankNotFilled as exc:
            return examples.Outcome(blank=exc.blank, error=exc.message)
        except module.EvaluationError as exc:
            return examples.Outcome(error=exc.message)
        return examples.Outcome(got)

    return evaluate


def _failure(m: examples.Mismatch, where: str) -> Failure:
    """One mismatch as the report of `policylang test` shows it."""
    if m.kind == examples.INPUTS:
        return Failure("", where, "inputs that can be evaluated", f"{m.problem_type}: {m.problem}")
    if m.kind == examples.EXPECTED:
        return Failure(m.decision, where, "a value that can be evaluated", f"{m.problem_type}: {m.problem}")
    expected = f"needs {m.needs}" if m.needs is not None else _show(m.expected)
    got = m.outcome
    if m.kind == examples.WRONG_BLANK:
        return Failure(m.decision, where, expected, f"needs {got.blank} ({got.error})")
    if m.kind == examples.ERROR:
        return Failure(m.decision, where, expected, f"error: {got.error}")
    return Failure(m.decision, where, expected, _show(got.value))


def run_examples(policy: ResolvedPolicy, module=None, only: Optional[int] = None) -> list[ExampleOutcome]:
    """Run the policy's own examples (or only the one at index `only`) through its compiled module."""
    # the code generator is imported here, not with the module: `run` reads CSV headers through
    # stream.py, which needs this module's readers and none of the generator (about 60 ms to import)
    from .pycodegen import compile_module, display_path

    module = module or compile_module(policy)
    path = display_path(policy.path, policy.policy_id)
    outcomes = []
    for result in examples.run_examples(policy, module_evaluator(module), only, Interpreter(policy)):
        example = result.example
        title = example.title or f"example {result.index + 1}"
        location = f"{path}:{example.origin.span.line}"
        failures = tuple(_failure(m, location if m.kind == examples.INPUTS else f"{path}:{m.span.line}")
                         for m in result.mismatches)
        outcomes.append(ExampleOutcome(policy.policy_id, path, title, location, failures, result.checked))
    return outcomes


def _for_module(value: Any, module) -> Any:
    """The interpreter's Duration as the module's own Duration; everything else as is."""
    if isinstance(value, Duration):
        return module.Duration(value.amount, value.unit)
    return value


_WORDS_ZH = {"none": "不适用", "true": "是", "false": "否", "inputs that can be evaluated": "可以计算的输入",
             "a value that can be evaluated": "可以计算的值"}


def _shown_zh(text: str) -> str:
    """A value or outcome of the report in Chinese words (values stay as the policy writes them)."""
    if text in _WORDS_ZH:
        return _WORDS_ZH[text]
    if text.startswith("needs "):
        blank, _, rest = text[len("needs "):].partition(" (")
        return f"缺少 {blank}（未填写的空白）" if rest else f"缺少 {blank}"
    if text.startswith("error: "):
        return "无法计算：" + text[len("error: "):]
    return text


def format_report(outcomes_by_policy: Iterable[tuple[str, list[ExampleOutcome]]],
                  lang: str = "en") -> tuple[str, int, int]:
    """A pytest-like report: a line per policy file with . or F per example, then each failure.
    lang "zh" writes the report's own words in Chinese (values and names stay as written)."""
    zh = lang == "zh"
    lines = []
    failed_items = []
    passed = failed = 0
    for path, outcomes in outcomes_by_policy:
        marks = "".join("." if o.passed else "F" for o in outcomes)
        lines.append(f"{path} {marks}".rstrip())
        for o in outcomes:
            if o.passed:
                passed += 1
            else:
                failed += 1
                failed_items.append(o)
    if failed_items:
        lines.append("")
        lines.append((" 未通过的示例 " if zh else " FAILURES ").center(70, "="))
        for o in failed_items:
            lines.append(f" {o.policy_id}: {o.title} ".center(70, "_"))
            lines.append(f"示例位置 {o.location}" if zh else f"example at {o.location}")
            for f in o.failures:
                if zh:
                    lines.append(f"{f.location}：应得 {f.decision}")
                    lines.append(f"    期望：{_shown_zh(f.expected)}")
                    lines.append(f"    实际：{_shown_zh(f.actual)}")
                    continue
                lines.append(f"{f.location}: expect {f.decision}")
                lines.append(f"    expected: {f.expected}")
                lines.append(f"    actual:   {f.actual}")
            lines.append("")
    if zh:
        summary = f"{passed} 个通过，{failed} 个未通过" if failed else f"{passed} 个通过"
    else:
        summary = f"{passed} passed, {failed} failed" if failed else f"{passed} passed"
    lines.append(f" {summary} ".center(70, "="))
    return "\n".join(lines) + "\n", passed, failed
