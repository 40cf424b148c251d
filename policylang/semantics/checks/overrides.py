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
from ...messages import Bi, M, N, P
from ...syntax.compare import ast_equal
from ..evaluate import BlankNotFilled
from ..judgment import LOOSENED, RESTATED, UNDECIDED, judge, order
from ..model import Duration, Origin, RParam, ResolvedPolicy
from .common import (
    CheckContext,
    diag,
    expr_zh,
    format_value,
    keyword_words,
    head_span,
    item_words,
    item_words_zh,
    level_zh,
    related,
    related_note,
    rule_intro,
    rule_ref_zh,
    safe_constant,
    say,
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


def _problem(key: str, against: Optional[Origin], against_key: str, /, severity: str = "", **params) -> Problem:
    """A Problem with the catalogue's texts: the message `key`, and `against_key` for what the upper
    definition says."""
    m = M(key, **params)
    what, what_zh = P(against_key, **params)
    return Problem(m["code"], m["message"], m["hint"], against, what, severity=severity, message_zh=m["message_zh"],
                   hint_zh=m["hint_zh"], against_what_zh=what_zh)


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
        text = Bi(text.strip() or bound.op.replace("_", " "),
                  f"{LIMIT_WORDS_ZH[bound.op]} {expr_zh(ctx.policies.get(origin.policy_id), bound.expr)}")
        bounds.append(BoundInForce(bound.op, value, blank, origin, text))
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
            now = Bi(f"{statement} {shown}", f"{keyword_words(statement).zh} {shown.zh}") if value is not None \
                else keyword_words(statement)
            problems.append(_problem("PL306.fixed_changed", prev_origin, "note.PL306.fixed_at", words=words,
                                     words_zh=words_zh, prev=prev_shown, upper=prev_origin.policy_id, now=now,
                                     level=prev_origin.level, level_zh=level_zh(prev_origin.level)))
            return rule, problems
        return rule, problems
    # floor or ceiling
    floor = kind == "floor"
    allowed_kinds = (kind, "fixed")
    if statement not in allowed_kinds:
        problems.append(_problem("PL309.floor_kind_changed" if floor else "PL309.ceiling_kind_changed", prev_origin,
                                 "note.PL309.limit", words=words, words_zh=words_zh, kind=keyword_words(kind),
                                 kind_words=STATEMENT_WORDS[kind], kind_zh=STATEMENT_WORDS_ZH[kind],
                                 upper=prev_origin.policy_id, prev=prev_shown,
                                 statement=STATEMENT_WORDS.get(statement, statement),
                                 statement_zh=STATEMENT_WORDS_ZH.get(statement, statement),
                                 noun_zh=LIMIT_NOUN_ZH[kind]))
        return rule, problems
    verdict = judge(kind, prev, value)
    if isinstance(value, Duration) and isinstance(prev, Duration) and order(value, prev) is None:
        verdict = UNDECIDED  # periods in other units: binding.py compares them with a start date to show
    if verdict == UNDECIDED:
        # Not comparable value by value (a blank, periods in other units): checks/binding.py proves it.
        return RuleInForce(statement, value, origin, bounds), problems
    if verdict == LOOSENED:
        problems.append(_problem("PL304.floor_lowered" if floor else "PL305.ceiling_raised", prev_origin,
                                 "note.PL309.limit", words=words, words_zh=words_zh, kind=keyword_words(kind), prev=prev_shown,
                                 upper=prev_origin.policy_id, now=shown, noun_zh=LIMIT_NOUN_ZH[kind]))
        return rule, problems
    if verdict == RESTATED and statement == kind:
        return RuleInForce(kind, prev, prev_origin, bounds), problems  # restated: the upper rule still binds
    return RuleInForce(statement, value, origin, bounds), problems


def _bound_problems(bound: BoundInForce, value, words: str, t, words_zh: str) -> list[Problem]:
    if bound.value is None:
        if bound.blank:
            return [_problem("PL316.bound_blank", bound.origin, "note.PL313.must_be", words=words, words_zh=words_zh,
                             text=bound.text, blank=bound.blank)]
        return []
    if judge("floor" if bound.op == "at_least" else "ceiling", bound.value, value) == LOOSENED:
        return [_problem("PL313.outside_bound", bound.origin, "note.PL313.must_be_value", words=words,
                         words_zh=words_zh, value=format_value(value, t), upper=bound.origin.policy_id,
                         limit_words="at least" if bound.op == "at_least" else "at most",
                         limit_words_zh=LIMIT_WORDS_ZH[bound.op],
                         limit=format_value(bound.value, t), text=bound.text)]
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
    m = M("PL322.departure", finding=problem.message, finding_zh=problem.message_zh, reason=reason)
    return attrs.evolve(problem, severity="warning", **m)


def _judge_schedule(ctx: CheckContext, policy: ResolvedPolicy, param: RParam) -> list[Diagnostic]:
    """Each scheduled value must respect the rule in force on the parameter (its floor, ceiling, bounds).

    A level that defines the parameter and schedules it states its own values over time: the
    schedule is held to the levels above (and to the bounds this level declares), not to this
    level's own `fixed`/`floor`/`ceiling`, which bind the levels below. A level that schedules a
    parameter an upper level defined is held to that level's rule in full."""
    if param.origin.policy_id == policy.policy_id:
        upper = rule_before(ctx, param, len(param.history) - 1)
        rule = attrs.evolve(upper, bounds=upper.bounds + _bounds_of(ctx, param.origin, param.name))
    else:
        rule = rule_before(ctx, param, len(param.history))  # the rule after the last definition
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
            message, message_zh = P("phrase.PL3xx.scheduled", start=entry.start.isoformat(),
                                    message=p.message[0].lower() + p.message[1:], message_zh=p.message_zh)
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
                return [say("PL306.decision_fixed", head_span(decision.origin), policy.policy_id,
                            related_=(related_note(upper, "note.PL306.fixed_here", words=words, words_zh=words_zh),),
                            words=words, words_zh=words_zh, upper=upper.policy_id, level=upper.level,
                            level_zh=level_zh(upper.level))]
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
            label = fixed_case.meta.label or P("phrase.PL306.case_n", case=last_fixed + 1)[0]
            label_zh = fixed_case.meta.label or P("phrase.PL306.case_n", case=last_fixed + 1)[1]
            return [say("PL306.case_fixed", span, policy.policy_id,
                        related_=(Related(fixed_case.span, **N("note.PL306.fixed_case", intro=rule_intro(upper),
                                                                where=where(upper), ref_zh=rule_ref_zh(upper),
                                                                label=label, label_zh=label_zh)),),
                        case=index + 1, words=words, words_zh=words_zh, upper=upper.policy_id, level=upper.level,
                        level_zh=level_zh(upper.level), label=label, label_zh=label_zh, count=last_fixed + 1)]
    return []

