"""Hostile input for policylang: mutated policy files and hostile cases, and what must hold for each.

Used by the fuzz tests of the suite (test_fuzz_hostile.py, at a size CI affords) and by the long
run (run_fuzz.py, which reports inputs tried and failures). One rule for every input: policylang
answers with findings or a named input error — never a traceback, an internal error (PL990), text
that UTF-8 cannot carry, or a hang.

A mutated policy is checked as a two-file tree (a national policy and a provincial one extending
it; one of them mutated), every finding is rendered in every output format, and each policy that
checks without errors is compiled and evaluated on hostile cases by its generated module and by
the reference interpreter, which must agree.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import tempfile
import time
from decimal import Decimal
from typing import Optional

NATIONAL = '''policy "国家示例政策"
level national
region "全国"
document "医保发〔2020〕1号"
effective 2021-01-01
summary "用于变异测试的示例政策"

enum Institution "医疗机构类型" {
    public "公立医疗机构",
    private "社会办医疗机构",
}

input selected: bool "是否中选" article "一"
input price: money "价格" article "一"
input ratio: percent "支付比例"
input accepted: date "验收日期"
input kind: Institution "机构类型"
input volume: count optional "采购量"

param share: percent fixed 100% "支付标准比例" article "二"
param prepay: percent floor 30% "预付比例" article "二(一)"
param lag: count ceiling 1 "结清期限" article "二(二)"
param cap: money delegated "支付标准高限" article "三"
param cycle: duration fixed 2 years "采购周期"
param label: text default "说明" "说明文字"

decision standard: money ceiling "支付标准" article "二" {
    when selected then round(price * share, fen) fixed "中选产品按中选价"
    otherwise min(price, cap)
}

decision fund: money floor "基金支付" = round(min(price, standard) * ratio, fen, down)

decision deadline: date ceiling "结清期限" = end_of_month(add_months(accepted, lag))

table counted: bool "是否计入" {
    columns selected, kind
    row true, public => true
    row true, private => true
    row false, - => false
}

schedule prepay "预付比例过渡" {
    from 2022-01-01: 40%
}

require prepay_ok: prepay >= 30% "预付比例不低于30%"

provision report: 医疗机构 must "按月报送采购数据" article "四"

example "中选产品" {
    as_of 2021-06-01
    given selected = true
          price = 469 yuan
          ratio = 80%
          accepted = 2021-01-15
          kind = public
          cap = 1000 yuan
    expect standard = 469 yuan
           fund = 375.20 yuan
           deadline = 2021-02-28
}
'''

PROVINCIAL = '''policy "省示例政策"
level provincial
region "某省"
effective 2021-02-01
extends cn/base

override param prepay: percent floor 40% "预付比例" because "本省提高"
override param cap: money fixed 1500 yuan "支付标准高限" because "本省规定"
override param lag: count ceiling 1 "结清期限" because "不变"

input local_price: money "本省最低价"

decision listing: money "挂网价" {
    when local_price <= cap then local_price "不高于高限的按最低价挂网"
    otherwise none
}
'''

# What a hostile or careless author writes: every token the issues found a crash with, and more.
HOSTILE_TOKENS = (
    "1" * 40, "9" * 29 + "%", "12345678901234567890123456789", "0." + "0" * 40 + "1", "-5", "-0", "-0%", "- 5 yuan",
    "1e999999", "7,000", "７０００", "１２３", "٣", "３０％", "\\ud800", "\\uD83D\\uDE00", "\\u001b]0;x\\u0007",
    "\u202e", "\u2066", "\u200b", "\x1b[2J", "\x07", "\x00", "\f", "\x85", "\u2028", "\x1c", "\r", "\t",
    "ﬁnal", "ｐｒｉｃｅ", "рrice", "pοlicy", "__init__", "__import__", "decide_each", "evaluate", "class", "None",
    "True", "self", "lambda", "match", "_", "os", "Decimal", "as_of", "result", "inputs",
    "(" * 150 + "1" + ")" * 150, "((((((((((", "))))", "not not not not", "a" * 300, "长" * 200,
    "：", "，", "（", "）", "“", "”", '"', '\\"', "\\", "#", "{", "}", "=>", "=", "==", "<=", "%",
    "when", "then", "otherwise", "override", "delegated", "fixed", "floor", "ceiling", "in principle",
    "extends cn/base", "extends cn/base/prov", "extends cn/nope", "uses cn/base as class", "uses cn/base as b",
    "level county", "level national", "effective unknown", "effective 2021-02-30", "ends 2020-01-01",
    "status reconstructed", "# policylang: ignore[PL207]", "# policylang: ignore[PL304] because \"x\"",
    "参数", "决策", "覆盖", "当", "则", "否则", "金额", "百分比", "下限", "上限", "固定", "授权",
    "9999-12-31", "0001-01-01", "99999999 days", "3660001 days", "add_months(accepted, 99999999)",
    "add_days(accepted, " + "9" * 30 + ")", "round(price, fen, up)", "price / 0 yuan", "1 / 0",
    "cap.cap", "b.cap", "class.cap", "drug.retention_ratio",
)

_TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


def _declarations(text: str) -> tuple[str, list[str]]:
    """(header, declarations) of a seed: a declaration starts at column 1 after a blank line."""
    blocks = [b for b in text.split("\n\n") if b.strip()]
    return blocks[0] + "\n", [b.strip("\n") + "\n" for b in blocks[1:]]


def small_seed(rng: random.Random) -> dict[str, str]:
    """A small tree to mutate: the national seed's header with a few of its declarations, alone or
    with the provincial seed (small files keep a long run affordable: parsing is most of the cost)."""
    header, decls = _declarations(NATIONAL)
    chosen = sorted(rng.sample(range(len(decls)), rng.randint(1, min(6, len(decls)))))
    files = {"cn/base": header + "\n" + "\n".join(decls[i] for i in chosen)}
    if rng.random() < 0.3:
        files["cn/base/prov"] = PROVINCIAL
    return files


def mutate(text: str, rng: random.Random, operations: Optional[int] = None) -> str:
    """A few random edits of text: deleting, duplicating, moving or replacing a piece, inserting
    a hostile token, truncating. The result stays small (under about 40,000 characters)."""
    for _ in range(operations or rng.randint(1, 4)):
        op = rng.randrange(9)
        n = len(text)
        at = rng.randrange(n + 1) if n else 0
        if op == 0 and n:  # delete a span
            text = text[:at] + text[at + rng.randint(1, 40):]
        elif op == 1:  # insert a hostile token
            text = text[:at] + rng.choice(HOSTILE_TOKENS) + text[at:]
        elif op == 2:  # replace a token by a hostile one or another token of the text
            tokens = _TOKEN.findall(text)
            if tokens:
                i = rng.randrange(len(tokens))
                tokens[i] = rng.choice(HOSTILE_TOKENS) if rng.random() < 0.6 else rng.choice(tokens)
                text = "".join(tokens)
        elif op == 3:  # duplicate a line
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif op == 4:  # swap two lines
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == 5:  # change a line's indentation
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines[i] = rng.choice(("", "    ", "\t", "  ", "\u3000")) + lines[i].lstrip()
            text = "\n".join(lines)
        elif op == 6:  # replace a digit run by another number
            text = re.sub(r"\d+", lambda m: rng.choice(("0", "1", "99", "1" * 30, "-1")) if rng.random() < 0.2
                          else m.group(), text, count=3)
        elif op == 7 and n:  # truncate
            text = text[:at]
        elif op == 8:  # a random character
            text = text[:at] + chr(rng.choice((rng.randrange(32, 127), rng.randrange(0x80, 0x3000),
                                               rng.randrange(0xFF00, 0xFFEF), rng.randrange(0, 32)))) + text[at:]
        if len(text) > 40_000:
            text = text[:40_000]
    return text


# ---------------------------------------------------------------- hostile case values

def hostile_values(rng: random.Random) -> list:
    deep: list = []
    for _ in range(rng.choice((3, 40, 200))):
        deep = [deep]
    return [
        None, True, False, 0, -1, 10 ** 60, -(10 ** 4301), 1.5, float("inf"), float("nan"), 1e308,
        Decimal("1e999999"), Decimal("-0"), Decimal("NaN"), Decimal("0.001"), Decimal("469.00"),
        "469", "469.5", "469.555", " 12 ", "+5", "1e3", "1e999999", "1e999999999%", "1" * 5000, "１２３", "٣",
        "-0", "-0%", "30%", "３０％", "130%", "0.3", "NaN", "Infinity", "", " ", "\ud800", "\u202e1", "true",
        "是", "否", "yes", "2021-01-15", "2021-02-30", "9999-12-31", "0001-01-01", " 2021-01-15 ", "20210115",
        "2 years", "3660001 days", "99999999999 days", "２ years", "public", "private", "Public", "x" * 100_000,
        dt.date(2021, 1, 15), dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.datetime(2021, 1, 15, 12, 0),
        [], {}, {"a": 1}, deep, object(), b"469",
    ]


def hostile_case(rng: random.Random, inputs: list[str]) -> dict:
    """A case: some inputs (valid-looking or hostile values), sometimes an unknown or hostile key."""
    values = hostile_values(rng)
    case = {}
    for name in inputs:
        if rng.random() < 0.8:
            case[name] = rng.choice(values)
    if rng.random() < 0.2:
        case[rng.choice(("\ud800", "price ", "PRICE", "x" * 10_000, "ｐｒｉｃｅ", "", "__class__"))] = 1
    return case


def hostile_as_of(rng: random.Random):
    return rng.choice((None, dt.date(2021, 6, 1), dt.date(2023, 1, 1), dt.date(9999, 12, 31), dt.date(1, 1, 1),
                       dt.datetime(2021, 6, 1), 20210601, "2021-06-01"))


def hostile_case_file(rng: random.Random, inputs: list[str]) -> str:
    """A case file's text, as eval reads it: JSON with hostile numbers, nesting and keys."""
    kind = rng.randrange(6)
    if kind == 0:
        return "[" * rng.choice((50, 5_000, 100_000)) + "]" * rng.choice((0, 50, 100_000))
    if kind == 1:
        name = rng.choice(inputs or ["x"])
        return '[{"%s": %s}]' % (name, rng.choice(("1" * 4301, "1e999999999", "-1e999999999", "1" * 50, "0.1",
                                                  "1E-999999", "NaN", "Infinity", '"\\ud800"')))
    if kind == 2:
        return '[{"\\ud800": 1}, {"\\udfff\\ud800": "x"}, {}]'
    if kind == 3:
        name = rng.choice(inputs or ["x"])
        return '{"%s": %s}' % (name, "[" * 40 + "]" * 40)
    if kind == 4:
        return rng.choice(("", "   ", "\ufeff[]", "{", "[1, 2]", "a,b\n1,2,3\n", "\x00", "[{}]" * 3))
    return mutate('[{"price": "469", "selected": true, "ratio": "80%"}]', rng)


# ---------------------------------------------------------------- what must hold

class Outcome:
    """What one input did: tried, and the failures it found (empty when all held)."""

    def __init__(self):
        self.failures: list[tuple[str, str]] = []  # (kind, detail)
        self.cases = 0

    def fail(self, kind: str, detail: str) -> None:
        self.failures.append((kind, detail[:2000]))


def _strict_utf8(text: str, what: str, outcome: Outcome) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        outcome.fail("not UTF-8", f"{what}: {exc}")


def check_tree(files: dict[str, str], rng: random.Random, cases_per_policy: int = 3,
               folder: Optional[str] = None, formats=("text", "json", "sarif", "github", "junit"),
               languages=("en", "zh")) -> Outcome:
    """Check the tree of `files` (policy id -> text) in a fresh folder, render the findings in every
    format, compile and evaluate every policy without errors on hostile cases (module against
    interpreter). Every exception is a failure."""
    from policylang.backends.pycodegen import CodegenError, compile_module, package_layout
    from policylang.commands.common import render
    from policylang.diagnostics import INTERNAL_ERROR_CODE
    from policylang.pipeline import check
    from policylang.semantics.evaluate import EvaluationError, Interpreter

    outcome = Outcome()
    own = folder is None
    folder = folder or tempfile.mkdtemp(prefix="policylang-fuzz-")
    root = os.path.join(folder, "policies")
    try:
        shutil.rmtree(root, ignore_errors=True)
        for pid, text in files.items():
            path = os.path.join(root, *pid.split("/")) + ".policy"
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", errors="surrogatepass") as fh:
                fh.write(text)
        try:
            run = check([root], root, cache=False, jobs=1, progress=False)
        except Exception as exc:  # noqa: BLE001 - the point: nothing may escape
            outcome.fail("traceback", f"check: {type(exc).__name__}: {exc}")
            return outcome
        diags = run.diagnostics
        for d in diags:
            if d.code == INTERNAL_ERROR_CODE:
                outcome.fail("internal error", d.message)
        for fmt in formats:
            for lang in languages:
                try:
                    out = render(list(diags), run.workspace.sources, fmt, lang=lang, root=folder)
                except Exception as exc:  # noqa: BLE001
                    outcome.fail("traceback", f"render {fmt}/{lang}: {type(exc).__name__}: {exc}")
                    continue
                _strict_utf8(out, f"render {fmt}/{lang}", outcome)
                if fmt in ("json", "sarif"):
                    try:
                        json.loads(out)
                    except ValueError as exc:
                        outcome.fail("bad output", f"{fmt} is not JSON: {exc}")
        policies = [p for p in run.resolution.policies.values() if not p.has_errors]
        try:
            package_layout(p.policy_id for p in policies)
        except CodegenError:
            pass
        except Exception as exc:  # noqa: BLE001
            outcome.fail("traceback", f"package_layout: {type(exc).__name__}: {exc}")
        for policy in policies:
            try:
                module = compile_module(policy)
            except CodegenError:
                continue
            except Exception as exc:  # noqa: BLE001
                outcome.fail("traceback", f"compile {policy.policy_id}: {type(exc).__name__}: {exc}")
                continue
            interp = Interpreter(policy, run.resolution.policies)
            names = list(module.INPUTS)
            for _ in range(cases_per_policy):
                case, as_of = hostile_case(rng, names), hostile_as_of(rng)
                outcome.cases += 1
                evaluate_both(module, interp, case, as_of, outcome, EvaluationError)
        return outcome
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)


def _result(call, errors):
    try:
        result = call()
    except errors as exc:
        return ("error", type(exc).__name__, exc.field, exc.message)
    values = result.as_dict() if hasattr(result, "as_dict") else result.values
    return ("ok", {k: (type(v).__name__, str(v)) for k, v in values.items()})


def evaluate_both(module, interp, case: dict, as_of, outcome: Outcome, interp_error) -> None:
    """Evaluate one case with the module and the interpreter: each gives values or a named error,
    and they agree."""
    started = time.perf_counter()
    try:
        got = _result(lambda: module.evaluate(case, as_of=as_of), module.EvaluationError)
    except Exception as exc:  # noqa: BLE001
        outcome.fail("traceback", f"module {module.POLICY_ID}: {type(exc).__name__}: {exc} on {_short(case)}")
        return
    try:
        want = _result(lambda: interp.evaluate(case, as_of), interp_error)
    except Exception as exc:  # noqa: BLE001
        outcome.fail("traceback", f"interpreter {module.POLICY_ID}: {type(exc).__name__}: {exc} on {_short(case)}")
        return
    if got != want:
        outcome.fail("mismatch", f"{module.POLICY_ID} on {_short(case)} as_of {as_of!r}: module {got!r:.300}, "
                                 f"interpreter {want!r:.300}")
    if time.perf_counter() - started > 10:
        outcome.fail("hang", f"{module.POLICY_ID}: a case took over 10 s: {_short(case)}")


def check_case_file(text: str, outcome: Outcome) -> None:
    """read_cases on hostile text: cases or a CaseFileError, nothing else."""
    from policylang.backends.runner import CaseFileError, read_cases

    started = time.perf_counter()
    try:
        read_cases(text, "cases.json")
    except CaseFileError:
        pass
    except Exception as exc:  # noqa: BLE001
        outcome.fail("traceback", f"read_cases: {type(exc).__name__}: {exc} on {text[:80]!r}")
    if time.perf_counter() - started > 10:
        outcome.fail("hang", f"read_cases took over 10 s on {text[:80]!r}")


def _short(case) -> str:
    def value(v):
        if isinstance(v, str):
            return v[:20]
        if isinstance(v, (list, dict)):
            return f"<{type(v).__name__}>"
        if isinstance(v, int) and abs(v) > 10 ** 60:
            return "<huge int>"
        return v
    return repr({k[:20] if isinstance(k, str) else k: value(v) for k, v in case.items()})[:300]
