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
from ..model import ResolvedPolicy
from .common import CheckContext, diag, format_value, item_words_zh, level_zh

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


def show(value, t=None) -> str:
    """A value as the policy writes it; money at the fen (375.20 yuan), as decisions compute it."""
    if t is not None and t.kind == "money" and isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return format(Decimal(value).quantize(FEN), "f") + " yuan"
    if value is not None and hasattr(value, "unit") and hasattr(value, "amount"):
        return str(value)  # a duration, the interpreter's or a module's
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
    more = f", and {len(read) - len(shown)} more" if len(read) > len(shown) else ""
    more_zh = f"等 {len(read)} 项" if len(read) > len(shown) else ""
    reading = f", reading {', '.join(f'{n} = {v} ({p})' for n, v, p in shown)}{more}" if shown else ""
    reading_zh = f"，其中用到 {'、'.join(f'{n} = {v}（{p}）' for n, v, p in shown)}{more_zh}" if shown else ""
    level, level_word = step.level, level_zh(step.level)
    return Related(_line_span(ctx, step.path, step.line),
                   f"{name} = {value_text} was decided by {_detail(step.detail)} of the {level} rule "
                   f"({step.policy_id}){reading}",
                   f"{name} = {value_text} 由{level_word}规定（{step.policy_id}）的{_detail(step.detail, _DETAIL_ZH)}"
                   f"得出{reading_zh}")


def _diagnostic(ctx: CheckContext, policy: ResolvedPolicy, result: ex.ExampleResult, m: ex.Mismatch) -> Diagnostic:
    example = result.example
    title = example.title or f"example {result.index + 1}"
    head, head_zh = f'example "{title}": ', f"示例“{title}”："
    pid = policy.policy_id
    decision = policy.decisions.get(m.decision)
    t = decision.type if decision is not None else None
    name = m.decision
    words_zh = item_words_zh(name, decision.label if decision is not None else None)
    got = m.outcome
    related: tuple = ()

    if m.kind == ex.INPUTS:
        return diag(
            ex.EXAMPLE_FAILED, f"{head}its inputs cannot be evaluated: {m.problem}", m.span, pid,
            hint="each given value must be a literal of the input's type (469 yuan, 80%, 2021-03-01, true)",
            message_zh=f"{head_zh}给出的输入无法求值：{m.problem}",
            hint_zh="给出的每个值都必须是该输入类型的字面值（如 469 yuan、80%、2021-03-01、true）")
    if m.kind == ex.EXPECTED:
        return diag(
            ex.EXAMPLE_FAILED, f"{head}the expected value of {name} cannot be evaluated: {m.problem}", m.span, pid,
            hint="write the expected result as a literal (469 yuan, 80%, 2021-03-01, true, none)",
            message_zh=f"{head_zh}{words_zh}的期望值无法求值：{m.problem}",
            hint_zh="请把期望结果写成字面值（如 469 yuan、80%、2021-03-01、true、none）")

    if m.needs is not None:
        expected = f"expected {name} to need the blank {m.needs}"
        expected_zh = f"期望{words_zh}因授权事项 {m.needs} 尚未填写而无法计算"
    else:
        expected = f"expected {name} = {show(m.expected, t)}"
        expected_zh = f"期望{words_zh}为 {show(m.expected, t)}"

    if m.kind == ex.VALUE:
        value_text = show(got.value, t)
        message = f"{head}{expected}, got {value_text}"
        message_zh = f"{head_zh}{expected_zh}，实际算得 {value_text}"
        decided = _decided_by(ctx, policy, result, name, value_text)
        related = (decided,) if decided is not None else ()
        hint = (f"if the notice's figure is right, the rule that decided it (or a value it reads) is wrong"
                f"{' (see the note)' if related else ''}; `policylang explain {pid} {name}` shows how each "
                "level defines it; if the policy is right, correct the example")
        hint_zh = (f"如果通知中的数字无误，说明计算它的规则（或它用到的取值）有误{'（见说明）' if related else ''}；"
                   f"`policylang explain {pid} {name}` 可查看各级如何规定这一项；如果政策无误，请改正示例")
    elif m.kind == ex.NEEDS_GOT_VALUE:
        value_text = show(got.value, t)
        message = f"{head}{expected}, got a value: {value_text}"
        message_zh = f"{head_zh}{expected_zh}，实际却算出了结果：{value_text}"
        hint = (f"a level of the chain fills {m.needs}, or {name} does not read it: if {value_text} is right, "
                f"write `expect {name} = {value_text}`")
        hint_zh = (f"本链已有一级填写了 {m.needs}，或者 {name} 并不用到它；如果 {value_text} 正确，"
                   f"请改写为 `expect {name} = {value_text}`")
    elif m.kind == ex.WRONG_BLANK:
        message = (f"{head}{expected}, got no value: it needs the blank {got.blank}, which no level of the chain "
                   "has filled")
        message_zh = f"{head_zh}{expected_zh}，实际却无法计算：它需要授权事项 {got.blank}，而本链尚无任何一级填写"
        hint = (f"give {got.blank} in the example (`given {got.blank} = …`), or fill it in the policy; if the "
                f"example shows what cannot be computed yet, write `expect {name} needs {got.blank}`")
        hint_zh = (f"请在示例中给出 {got.blank}（`given {got.blank} = …`），或在政策中填写它；如果示例要说明的"
                   f"正是尚无法计算的情形，请写 `expect {name} needs {got.blank}`")
    else:  # ex.ERROR
        message = f"{head}{expected}, got an evaluation error: {got.error}"
        message_zh = f"{head_zh}{expected_zh}，计算时却出错：{got.error}"
        hint = ("the example's inputs are incomplete or outside what the rules accept: the error names the input "
                "or the step at fault")
        hint_zh = "示例给出的输入不完整，或超出了规则能接受的范围：出错信息指出了有问题的输入或计算步骤"
    return diag(ex.EXAMPLE_FAILED, message, m.span, pid, hint=hint, related_=related,
                message_zh=message_zh, hint_zh=hint_zh)
