"""Examples: does each policy compute what its own `example` blocks say (PL601)?

Every example of a policy is run with the reference interpreter (semantics/examples.py,
the same code `policylang test` runs with the compiled module). Each expectation that
does not hold is reported at its line with what was expected and what the policy
computes ("expected fund_pays = 375.20 yuan, got 375.21 yuan"), and, for a wrong value,
the rule that decided it as the related location. An example is checked where it is
written: a policy's examples are its own, not inherited.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Optional

from ...diagnostics import Diagnostic, Related
from ...syntax.ast import Span
from .. import examples as ex
from ..model import Duration, ResolvedPolicy
from ...messages import Bi, N, P, zh_of
from ...wording import value_zh
from .common import CheckContext, format_value, item_words_zh, label_of, level_zh, say

FEN = Decimal("0.01")
MAX_PARAMS_SHOWN = 4  # parameters named in the note on the rule that decided a wrong value


def check(ctx: CheckContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for policy in ctx.checkable():
        if not policy.examples:
            continue
        interpreter = ctx.interpreter(policy.policy_id)
        evaluate = ex.interpreter_evaluator(interpreter)
        for index, example in enumerate(policy.examples):
            out.extend(ctx.guard(_check_example, ctx, policy, index, evaluate, item=example))
    return out


def _check_example(ctx: CheckContext, policy: ResolvedPolicy, index: int, evaluate) -> list[Diagnostic]:
    interpreter = ctx.interpreter(policy.policy_id)
    result = ex.run_example(policy, index, evaluate, interpreter)
    return [_diagnostic(ctx, policy, result, m) for m in result.mismatches]


# ---------------------------------------------------------------- words


def show(value, t=None) -> Bi:
    """A value as the policy writes it, in both languages; money at the fen (375.20 yuan / 375.20元),
    as decisions compute it."""
    if t is not None and t.kind == "money" and isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        text = format(Decimal(value).quantize(FEN), "f")
        return Bi(text + " yuan", text + "元")
    if value is not None and hasattr(value, "unit") and hasattr(value, "amount"):
        return Bi(str(value), value_zh(Duration(value.amount, value.unit)))  # a duration, the interpreter's or a module's
    return format_value(value, t)


_DETAIL = (
    (re.compile(r"^formula$"), "the formula"),
    (re.compile(r"^otherwise row$"), "the otherwise row"),
    (re.compile(r"^otherwise$"), "the otherwise case"),
)
_DETAIL_ZH = (
    (re.compile(r"^formula$"), "计算公式"),
    (re.compile(r"^case (\d+)$"), r"第 \1 种情形"),
    (re.compile(r"^row (\d+)$"), r"第 \1 行"),
    (re.compile(r"^otherwise row$"), "“其他情形”一行"),
    (re.compile(r"^otherwise$"), "“其他情形”"),
)


def _detail(detail: str, table=_DETAIL) -> str:
    """'case 2', 'row 3', 'the formula': the words for the rule that decided (TraceStep.detail)."""
    for pattern, words in table:
        if pattern.match(detail):
            return pattern.sub(words, detail)
    return detail


def _line_span(ctx: CheckContext, path: str, line: int) -> Span:
    text = ctx.ws.sources.line(path, line) or ""
    start = len(text) - len(text.lstrip()) + 1
    return Span(path, line, start, line, max(len(text.rstrip()) + 1, start + 1))


def _decided_by(ctx: CheckContext, policy: ResolvedPolicy, result: ex.ExampleResult, name: str,
                value_text: str) -> Optional[Related]:
    """The rule that decided the value (the case, row or formula), from an explained evaluation."""
    try:
        trace = ctx.interpreter(policy.policy_id).evaluate(result.inputs, result.as_of, [name],
                                                           explain=True).trace.get(name, ())
    except Exception:  # noqa: BLE001 - it computed a moment ago; without a trace, say nothing more
        return None
    step = next((s for s in trace if s.kind == "rule" and s.name == name), None)
    if step is None or not step.line:
        return None
    # The parameters that rule read, with the level each value comes from: often the reason.
    read = []
    for s in trace:
        if s.kind == "param" and s.name not in {r[0] for r in read}:
            param = policy.params.get(s.name)
            read.append((s.name, show(s.value, param.type if param is not None else None), s.policy_id))
    shown = read[:MAX_PARAMS_SHOWN]
    more, more_zh = P("phrase.PL601.more", count=len(read) - len(shown), total=len(read)) \
        if len(read) > len(shown) else ("", "")
    reading, reading_zh = P("phrase.PL601.reading", params=", ".join(f"{n} = {v} ({p})" for n, v, p in shown),
                            params_zh="、".join(f"{label_of(policy, n)} = {zh_of(v)}（{p}）" for n, v, p in shown),
                            more=more, more_zh=more_zh) \
        if shown else ("", "")
    return Related(_line_span(ctx, step.path, step.line),
                   **N("note.PL601.decided_by", name=Bi(name, label_of(policy, name)), value=value_text, detail=_detail(step.detail),
                       detail_zh=_detail(step.detail, _DETAIL_ZH), level=step.level, level_zh=level_zh(step.level),
                       policy=step.policy_id, reading=reading, reading_zh=reading_zh))


def _diagnostic(ctx: CheckContext, policy: ResolvedPolicy, result: ex.ExampleResult, m: ex.Mismatch) -> Diagnostic:
    example = result.example
    title = example.title or f"example {result.index + 1}"
    pid = policy.policy_id
    decision = policy.decisions.get(m.decision)
    t = decision.type if decision is not None else None
    name = m.decision
    words_zh = item_words_zh(name, decision.label if decision is not None else None)
    got = m.outcome
    common = {"title": title, "name": name, "words_zh": words_zh, "pid": pid}

    if m.kind == ex.INPUTS:
        return say("PL601.inputs", m.span, pid, problem=m.problem, **common)
    if m.kind == ex.EXPECTED:
        return say("PL601.expected", m.span, pid, problem=m.problem, **common)

    if m.needs is not None:
        expected, expected_zh = P("phrase.PL601.expected_needs", needs=m.needs, **common)
    else:
        expected, expected_zh = P("phrase.PL601.expected_value", value=show(m.expected, t), **common)
    common.update(expected=expected, expected_zh=expected_zh)

    if m.kind == ex.VALUE:
        value_text = show(got.value, t)
        decided = _decided_by(ctx, policy, result, name, value_text)
        related = (decided,) if decided is not None else ()
        see, see_zh = P("phrase.PL601.see_note") if related else ("", "")
        return say("PL601.value", m.span, pid, related_=related, value=value_text, see=see, see_zh=see_zh, **common)
    if m.kind == ex.NEEDS_GOT_VALUE:
        return say("PL601.needs_got_value", m.span, pid, value=show(got.value, t), needs=m.needs, **common)
    if m.kind == ex.WRONG_BLANK:
        return say("PL601.wrong_blank", m.span, pid, blank=got.blank, **common)
    return say("PL601.error", m.span, pid, error=got.error, **common)  # ex.ERROR
