"""Overrides: does each level stay within the limits of the levels above it?

For every parameter a policy redefines, the definitions above it (its history,
national first) are replayed to find the rule in force just before this level:
a floor (lower levels may only raise it), a ceiling (may only lower it), a fixed
value (may not change it), a default or a blank (may be set freely), plus every
`at least` / `at most` bound a delegating level attached to its blank. The
policy's own definition is then judged against that rule. Only the policy that
writes a definition is judged for it, so a problem is reported once, on the file
that has to change.
"""

from __future__ import annotations

from typing import Optional

import attrs

from ...diagnostics import Diagnostic, Related
from ...syntax.compare import ast_equal
from ..evaluate import BlankNotFilled
from ..judgment import LOOSENED, RESTATED, UNDECIDED, judge, order
from ..model import Duration, Origin, RParam, ResolvedPolicy
from .common import (
    CheckContext,
    diag,
    format_value,
    head_span,
    item_words,
    item_words_zh,
    level_zh,
    related,
    rule_intro,
    rule_ref_zh,
    safe_constant,
    statement_span,
    where,
)

STATEMENT_WORDS = {
    "floor": "a floor (lower levels may raise it, not lower it)",
    "ceiling": "a ceiling (lower levels may lower it, not raise it)",
    "fixed": "fixed (lower levels may not change it)",
    "default": "a default (lower levels may replace it)",
    "delegated": "a blank left for a lower level to fill",
}
STATEMENT_WORDS_ZH = {
    "floor": "下限（下级只能提高，不能降低）",
    "ceiling": "上限（下级只能降低，不能提高）",
    "fixed": "固定值（下级不得修改）",
    "default": "默认值（下级可以替换）",
    "delegated": "留给下级填写的授权事项",
}
# The kind of a limit, as a noun: "the floor is 30%" (下限为 30%).
LIMIT_NOUN_ZH = {"floor": "下限", "ceiling": "上限"}
# "at least V" / "at most V" before a value: 不低于 30%, 不高于 7000 yuan.
LIMIT_WORDS_ZH = {"at_least": "不低于", "at_most": "不高于"}


@attrs.frozen
class BoundInForce:
    op: str  # at_least | at_most
    value: object  # None when it could not be evaluated
    blank: Optional[str]  # the unfilled blank the bound reads, if that is why it has no value
    origin: Origin
    text: str


@attrs.frozen
class RuleInForce:
    """The constraint on a parameter just before a level defines it."""

    statement: Optional[str] = None  # None before the first definition
    value: object = None
    origin: Optional[Origin] = None  # the definition that set the binding value
    bounds: tuple[BoundInForce, ...] = ()


@attrs.frozen
class Problem:
    code: str
    message: str
    hint: Optional[str]
    against: Optional[Origin]  # the upper-level definition that is violated
    against_what: str  # what that definition says, for the related location
    severity: str = ""
    message_zh: Optional[str] = None  # the same in Chinese
    hint_zh: Optional[str] = None
    against_what_zh: Optional[str] = None


def check(ctx: CheckContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for policy in ctx.checkable():
        pid = policy.policy_id
        for param in policy.params.values():
            if param.origin.policy_id == pid and len(param.history) >= 2:
                out.extend(ctx.guard(_judge_param, ctx, policy, param))
            if param.schedule is not None and param.schedule.origin.policy_id == pid:
                out.extend(ctx.guard(_judge_schedule, ctx, policy, param))
        for decision in policy.decisions.values():
            if decision.origin.policy_id == pid and len(decision.history) >= 2:
                out.extend(ctx.guard(_judge_decision, policy, decision))
    return out


# ---------------------------------------------------------------- parameters


def _definition(ctx: CheckContext, origin: Origin, name: str) -> Optional[RParam]:
    """The resolved parameter as the policy that wrote `origin` sees it (its value and bounds are origin's)."""
    policy = ctx.policies.get(origin.policy_id)
    return policy.params.get(name) if policy is not None else None


def _value_of(ctx: CheckContext, origin: Origin, name: str):
    definition = _definition(ctx, origin, name)
    if definition is None or definition.value is None:
        return None
    value, _ = safe_constant(ctx, origin.policy_id, definition.value)
    return value


def _bounds_of(ctx: CheckContext, origin: Origin, name: str) -> tuple[BoundInForce, ...]:
    definition = _definition(ctx, origin, name)
    if definition is None:
        return ()
    bounds = []
    for bound in definition.bounds:
        value, error = safe_constant(ctx, origin.policy_id, bound.expr)
        blank = error.blank if isinstance(error, BlankNotFilled) else None
        text = ctx.ws.sources.line(bound.span.file, bound.span.line) or ""
        text = text[bound.span.column - 1: bound.span.end_column - 1] if bound.span.end_line == bound.span.line else ""
        bounds.append(BoundInForce(bound.op, value, blank, origin, text.strip() or bound.op.replace("_", " ")))
    return tuple(bounds)


def rule_before(ctx: CheckContext, param: RParam, upto: int) -> RuleInForce:
    """Replay history[:upto] (the definitions above a level) into the rule in force."""
    rule = RuleInForce()
    for origin in param.history[:upto]:
        value = _value_of(ctx, origin, param.name)
        rule, _ = step(rule, origin, origin.decl.statement, value, _bounds_of(ctx, origin, param.name), param)
    return rule


def step(rule: RuleInForce, origin: Origin, statement: str, value, new_bounds, param: RParam):
    """Apply one definition to the rule in force: (the new rule, the problems it has)."""
    problems: list[Problem] = []
    words = item_words(param.name, param.label)
    words_zh = item_words_zh(param.name, param.label)
    t = param.type
    shown = format_value(value, t)
    if value is not None:
        for bound in rule.bounds:
            problems.extend(_bound_problems(bound, value, words, t, words_zh))
    kind = rule.statement
    prev = rule.value
    prev_shown = format_value(prev, t)
    prev_origin = rule.origin
    bounds = rule.bounds + tuple(new_bounds)
    if kind in (None, "default", "delegated"):
        return RuleInForce(statement, value, origin, bounds), problems
    if kind == "fixed":
        same = statement == "fixed" and (value is None or prev is None or order(value, prev) == 0)
        if not same:
            now = f"{statement} {shown}" if value is not None else statement
            problems.append(Problem(
                "PL306",
                f"{words} is fixed at {prev_shown} by {prev_origin.policy_id}; this policy changes it to {now}. "
                f"A fixed rule applies unchanged at every lower level.",
                f"remove this override so that the {prev_origin.level} rule applies, or restate it as "
                f"'fixed {prev_shown}'",
                prev_origin, f"{words} is fixed at {prev_shown}",
                message_zh=f"{words_zh}已由 {prev_origin.policy_id} 固定为 {prev_shown}，本政策却改为 {now}；"
                           f"固定的规定在以下各级都必须原样执行",
                hint_zh=f"删除这处覆盖（override），让{level_zh(prev_origin.level)}规定直接适用；或原样写为“fixed {prev_shown}”",
                against_what_zh=f"{words_zh}固定为 {prev_shown}"))
            return rule, problems
        return rule, problems
    # floor or ceiling
    floor = kind == "floor"
    allowed_kinds = (kind, "fixed")
    if statement not in allowed_kinds:
        limit = "at least" if floor else "at most"
        problems.append(Problem(
            "PL309",
            f"{words} is {STATEMENT_WORDS[kind]} set by {prev_origin.policy_id} at {prev_shown}; this policy turns it "
            f"into {STATEMENT_WORDS.get(statement, statement)}, which would let it go "
            f"{'below' if floor else 'above'} {prev_shown}.",
            f"write '{kind} V' or 'fixed V' with V {limit} {prev_shown}",
            prev_origin, f"{words} is {kind} {prev_shown}",
            message_zh=f"{words_zh}由 {prev_origin.policy_id} 定为{STATEMENT_WORDS_ZH[kind]}，取值 {prev_shown}；"
                       f"本政策却把它改为{STATEMENT_WORDS_ZH.get(statement, statement)}，"
                       f"这样取值就可能{'低于' if floor else '高于'} {prev_shown}",
            hint_zh=f"写成“{kind} V”或“fixed V”，其中 V {'不低于' if floor else '不高于'} {prev_shown}",
            against_what_zh=f"{words_zh}的{LIMIT_NOUN_ZH[kind]}为 {prev_shown}"))
        return rule, problems
    verdict = judge(kind, prev, value)
    if isinstance(value, Duration) and isinstance(prev, Duration) and order(value, prev) is None:
        verdict = UNDECIDED  # periods in other units: binding.py compares them with a start date to show
    if verdict == UNDECIDED:
        # Not comparable value by value (a blank, periods in other units): checks/binding.py proves it.
        return RuleInForce(statement, value, origin, bounds), problems
    if verdict == LOOSENED:
        code = "PL304" if floor else "PL305"
        verb = "lowers" if floor else "raises"
        limit = "at least" if floor else "at most"
        problems.append(Problem(
            code,
            f"{words} must be {limit} {prev_shown} ({kind} set by {prev_origin.policy_id}); this policy "
            f"{verb} it to {shown}.",
            f"use a value {limit} {prev_shown}: a lower level may only make this rule "
            f"{'stricter (higher)' if floor else 'stricter (lower)'}",
            prev_origin, f"{words} is {kind} {prev_shown}",
            message_zh=f"{words_zh}{'不得低于' if floor else '不得高于'} {prev_shown}"
                       f"（{prev_origin.policy_id} 设定的{LIMIT_NOUN_ZH[kind]}），"
                       f"本政策却{'降低' if floor else '提高'}为 {shown}",
            hint_zh=f"请取{'不低于' if floor else '不高于'} {prev_shown} 的值：下级只能把这条规定定得更严"
                    f"{'（更高）' if floor else '（更低）'}",
            against_what_zh=f"{words_zh}的{LIMIT_NOUN_ZH[kind]}为 {prev_shown}"))
        return rule, problems
    if verdict == RESTATED and statement == kind:
        return RuleInForce(kind, prev, prev_origin, bounds), problems  # restated: the upper rule still binds
    return RuleInForce(statement, value, origin, bounds), problems


def _bound_problems(bound: BoundInForce, value, words: str, t, words_zh: str) -> list[Problem]:
    if bound.value is None:
        if bound.blank:
            return [Problem(
                "PL316",
                f"the bound '{bound.text}' on {words} cannot be checked yet: it reads '{bound.blank}', "
                f"a blank no level has filled",
                f"the check runs once '{bound.blank}' is filled",
                bound.origin, f"{words} must be {bound.text}",
                message_zh=f"{words_zh}的限定条件“{bound.text}”暂时无法检查：它用到了“{bound.blank}”，"
                           f"而这项授权事项还没有任何层级填写",
                hint_zh=f"待“{bound.blank}”填写后即会检查",
                against_what_zh=f"{words_zh}须满足“{bound.text}”")]
        return []
    if judge("floor" if bound.op == "at_least" else "ceiling", bound.value, value) == LOOSENED:
        limit = "at least" if bound.op == "at_least" else "at most"
        return [Problem(
            "PL313",
            f"{words} is {format_value(value, t)} here, but {bound.origin.policy_id} allows only values "
            f"{limit} {format_value(bound.value, t)} ('{bound.text}').",
            f"choose a value {limit} {format_value(bound.value, t)}",
            bound.origin, f"{words} must be {bound.text} = {format_value(bound.value, t)}",
            message_zh=f"{words_zh}在这里取值 {format_value(value, t)}，但 {bound.origin.policy_id} 只允许"
                       f"{LIMIT_WORDS_ZH[bound.op]} {format_value(bound.value, t)} 的值（“{bound.text}”）",
            hint_zh=f"请取{LIMIT_WORDS_ZH[bound.op]} {format_value(bound.value, t)} 的值",
            against_what_zh=f"{words_zh}须满足“{bound.text}”，即{LIMIT_WORDS_ZH[bound.op]} "
                            f"{format_value(bound.value, t)}")]
    return []


def _emit(problems, span, policy_id) -> list[Diagnostic]:
    out = []
    for p in problems:
        rel = (related(p.against, p.against_what, p.against_what_zh),) if p.against is not None else ()
        out.append(diag(p.code, p.message, span, policy_id, hint=p.hint, related_=rel, severity=p.severity,
                        message_zh=p.message_zh, hint_zh=p.hint_zh))
    return out


def _judge_param(ctx: CheckContext, policy: ResolvedPolicy, param: RParam) -> list[Diagnostic]:
    origin = param.origin
    rule = rule_before(ctx, param, len(param.history) - 1)
    value, _ = safe_constant(ctx, policy.policy_id, param.value) if param.value is not None else (None, None)
    _, problems = step(rule, origin, origin.decl.statement, value, (), param)
    if rule.origin is not None and getattr(rule.origin.decl, "in_principle", False) and origin.meta.reason:
        problems = [in_principle_departure(p, origin.meta.reason) if p.code in ("PL304", "PL305") else p
                    for p in problems]
    return _emit(problems, statement_span(origin), policy.policy_id)


def in_principle_departure(problem: Problem, reason: str) -> Problem:
    """A floor or ceiling the notice states only 原则上 (in principle), departed from with a reason: a warning
    that keeps the original finding's words and shows the reason."""
    return attrs.evolve(
        problem, code="PL322", severity="warning",
        message=f"{problem.message} The notice states this limit only in principle, and this policy gives its "
                f"reason: “{reason}”.",
        message_zh=(f"{problem.message_zh}。上级规定的是“原则上”的限度，本政策说明了理由：“{reason}”"
                    if problem.message_zh else None),
        hint="keep the reason in the policy text; the docs show this departure",
        hint_zh="请保留理由；文档会显示这一偏离")


def _judge_schedule(ctx: CheckContext, policy: ResolvedPolicy, param: RParam) -> list[Diagnostic]:
    """Each scheduled value must respect the rule in force on the parameter (its floor, ceiling, bounds)."""
    rule = rule_before(ctx, param, len(param.history))  # the rule after this level's own definition
    if rule.statement in (None, "default", "delegated") and not rule.bounds:
        return []
    out = []
    for entry in param.schedule.entries:
        value, _ = safe_constant(ctx, policy.policy_id, entry.value, entry.start)
        if value is None:
            continue
        # A schedule is a sequence of values of the same parameter: the statement kind is the rule's own.
        statement = rule.statement if rule.statement in ("floor", "ceiling", "fixed") else "default"
        _, problems = step(rule, param.origin, statement, value, (), param)
        for p in problems:
            if p.code == "PL309":
                continue
            message = f"from {entry.start.isoformat()} the schedule sets {p.message[0].lower() + p.message[1:]}"
            message_zh = (f"按本政策的过渡安排，自 {entry.start.isoformat()} 起：{p.message_zh}"
                          if p.message_zh else None)
            out.extend(_emit([attrs.evolve(p, message=message, message_zh=message_zh)], entry.span,
                             policy.policy_id))
    return out


# ---------------------------------------------------------------- decisions


def _same(a, b) -> bool:
    return ast_equal(a, b)


def _judge_decision(policy: ResolvedPolicy, decision) -> list[Diagnostic]:
    """A decision marked `fixed` may not change at all; a case marked `fixed` may not change,
    and neither may any case before it (cases are tried in order, so an earlier case could
    take its inputs away)."""
    child = decision.origin.decl
    words = item_words(decision.name, decision.label)
    words_zh = item_words_zh(decision.name, decision.label)
    for upper in decision.history[:-1]:
        parent = upper.decl
        if getattr(parent, "kind", None) != "decision":
            continue
        if parent.fixed:
            unchanged = (child.kind == "decision" and _same(parent.expr, child.expr)
                         and _same(parent.cases, child.cases) and _same(parent.otherwise, child.otherwise))
            if not unchanged:
                return [diag("PL306", f"the decision {words} is fixed by {upper.policy_id} ({upper.level}); "
                             f"this policy changes how it is decided", head_span(decision.origin), policy.policy_id,
                             hint="remove this override: a fixed rule applies unchanged at every level below",
                             related_=(related(upper, f"{words} is fixed here", f"{words_zh}在此固定"),),
                             message_zh=f"决策项{words_zh}已由 {upper.policy_id}（{level_zh(upper.level)}）固定，"
                                        f"本政策却改动了它的判定方式",
                             hint_zh="删除这处覆盖（override）：固定的规定在以下各级都原样适用")]
            continue
        last_fixed = max((i for i, case in enumerate(parent.cases) if case.fixed), default=None)
        if last_fixed is None:
            continue
        kept = parent.cases[:last_fixed + 1]
        mine = child.cases if child.kind == "decision" else ()
        for index, case in enumerate(kept):
            theirs = mine[index] if index < len(mine) else None
            if theirs is not None and _same(case.cond, theirs.cond) and _same(case.value, theirs.value):
                continue
            fixed_case = parent.cases[last_fixed]
            span = theirs.span if theirs is not None else head_span(decision.origin)
            label = fixed_case.meta.label or f"case {last_fixed + 1}"
            label_zh = fixed_case.meta.label or f"第 {last_fixed + 1} 个情形"
            return [diag("PL306",
                         f"case {index + 1} of {words} must stay as {upper.policy_id} ({upper.level}) wrote it: "
                         f"“{label}” is a fixed rule, and the cases up to it decide in order",
                         span, policy.policy_id,
                         hint=f"start this decision with the {last_fixed + 1} inherited case(s) unchanged, then add "
                              f"or replace only the cases after them",
                         related_=(Related(fixed_case.span, f"{rule_intro(upper)} ({where(upper)}): the fixed case "
                                                            f"“{label}”",
                                           f"{rule_ref_zh(upper)}：固定情形“{label_zh}”"),),
                         message_zh=f"{words_zh}的第 {index + 1} 个情形必须与 {upper.policy_id}"
                                    f"（{level_zh(upper.level)}）的写法保持一致：“{label_zh}”是固定规则，"
                                    f"而各情形按先后顺序判定，它和它之前的情形都不能改动",
                         hint_zh=f"本决策项应先原样保留继承来的前 {last_fixed + 1} 个情形，"
                                 f"之后只能新增或替换其后的情形")]
    return []

