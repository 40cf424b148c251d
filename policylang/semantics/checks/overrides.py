"""Overrides: does each level stay within the limits of the levels above it?

For every parameter a policy redefines, the definitions above it (its history,
national first) are replayed to find the rule in force just before this level:
a floor (lower levels may only raise it), a ceiling (may only lower it), a fixed
value (may not change it), a default or a blank (may be set freely), plus every
`at least` / `at most` bound a delegating level attached to its blank. The
policy's own definition is then judged against that rule. Only the policy that
writes a definition is judged for it, so a problem is reported once, on the file
that has to change.

Provisions are judged the same way on their modality: a `must` cannot become a
`may`.
"""

from __future__ import annotations

from typing import Optional

import attrs

from ...diagnostics import Diagnostic, Related
from ...syntax.compare import ast_equal
from ..evaluate import BlankNotFilled
from ..model import Origin, RParam, ResolvedPolicy
from .common import (
    CheckContext,
    compare_values,
    diag,
    format_value,
    head_span,
    item_words,
    related,
    rule_intro,
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


def check(ctx: CheckContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for policy in ctx.checkable():
        pid = policy.policy_id
        for param in policy.params.values():
            if param.origin.policy_id == pid and len(param.history) >= 2:
                out.extend(ctx.guard(_judge_param, ctx, policy, param))
            if param.schedule is not None and param.schedule.origin.policy_id == pid:
                out.extend(ctx.guard(_judge_schedule, ctx, policy, param))
        for provision in policy.provisions.values():
            if provision.origin.policy_id == pid and len(provision.history) >= 2:
                out.extend(ctx.guard(_judge_provision, policy, provision))
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
    t = param.type
    shown = format_value(value, t)
    if value is not None:
        for bound in rule.bounds:
            problems.extend(_bound_problems(bound, value, words, t))
    kind = rule.statement
    prev = rule.value
    prev_shown = format_value(prev, t)
    prev_origin = rule.origin
    bounds = rule.bounds + tuple(new_bounds)
    if kind in (None, "default", "delegated"):
        return RuleInForce(statement, value, origin, bounds), problems
    if kind == "fixed":
        same = statement == "fixed" and (value is None or prev is None or compare_values(value, prev) == 0)
        if not same:
            now = f"{statement} {shown}" if value is not None else statement
            problems.append(Problem(
                "PL306",
                f"{words} is fixed at {prev_shown} by {prev_origin.policy_id}; this policy changes it to {now}. "
                f"A fixed rule applies unchanged at every lower level.",
                f"remove this override so that the {prev_origin.level} rule applies, or restate it as "
                f"'fixed {prev_shown}'",
                prev_origin, f"{words} is fixed at {prev_shown}"))
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
            prev_origin, f"{words} is {kind} {prev_shown}"))
        return rule, problems
    order = compare_values(value, prev)
    if order is None:
        return RuleInForce(statement, value, origin, bounds), problems  # cannot compare (unknown value)
    if (floor and order < 0) or (not floor and order > 0):
        code = "PL304" if floor else "PL305"
        verb = "lowers" if floor else "raises"
        limit = "at least" if floor else "at most"
        problems.append(Problem(
            code,
            f"{words} must be {limit} {prev_shown} ({kind} set by {prev_origin.policy_id}); this policy "
            f"{verb} it to {shown}.",
            f"use a value {limit} {prev_shown}: a lower level may only make this rule "
            f"{'stricter (higher)' if floor else 'stricter (lower)'}",
            prev_origin, f"{words} is {kind} {prev_shown}"))
        return rule, problems
    if order == 0 and statement == kind:
        return RuleInForce(kind, prev, prev_origin, bounds), problems  # restated: the upper rule still binds
    return RuleInForce(statement, value, origin, bounds), problems


def _bound_problems(bound: BoundInForce, value, words: str, t) -> list[Problem]:
    if bound.value is None:
        if bound.blank:
            return [Problem(
                "PL316",
                f"the bound '{bound.text}' on {words} cannot be checked yet: it reads '{bound.blank}', "
                f"a blank no level has filled",
                f"the check runs once '{bound.blank}' is filled",
                bound.origin, f"{words} must be {bound.text}")]
        return []
    order = compare_values(value, bound.value)
    if order is None:
        return []
    if (bound.op == "at_least" and order < 0) or (bound.op == "at_most" and order > 0):
        limit = "at least" if bound.op == "at_least" else "at most"
        return [Problem(
            "PL313",
            f"{words} is {format_value(value, t)} here, but {bound.origin.policy_id} allows only values "
            f"{limit} {format_value(bound.value, t)} ('{bound.text}').",
            f"choose a value {limit} {format_value(bound.value, t)}",
            bound.origin, f"{words} must be {bound.text} = {format_value(bound.value, t)}")]
    return []


def _emit(problems, span, policy_id) -> list[Diagnostic]:
    out = []
    for p in problems:
        rel = (related(p.against, p.against_what),) if p.against is not None else ()
        out.append(diag(p.code, p.message, span, policy_id, hint=p.hint, related_=rel, severity=p.severity))
    return out


def _judge_param(ctx: CheckContext, policy: ResolvedPolicy, param: RParam) -> list[Diagnostic]:
    origin = param.origin
    rule = rule_before(ctx, param, len(param.history) - 1)
    value, _ = safe_constant(ctx, policy.policy_id, param.value) if param.value is not None else (None, None)
    _, problems = step(rule, origin, origin.decl.statement, value, (), param)
    return _emit(problems, statement_span(origin), policy.policy_id)


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
            out.extend(_emit([attrs.evolve(p, message=message)], entry.span, policy.policy_id))
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
                             related_=(related(upper, f"{words} is fixed here"),))]
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
            return [diag("PL306",
                         f"case {index + 1} of {words} must stay as {upper.policy_id} ({upper.level}) wrote it: "
                         f"“{label}” is a fixed rule, and the cases up to it decide in order",
                         span, policy.policy_id,
                         hint=f"start this decision with the {last_fixed + 1} inherited case(s) unchanged, then add "
                              f"or replace only the cases after them",
                         related_=(Related(fixed_case.span, f"{rule_intro(upper)} ({where(upper)}): the fixed case "
                                                            f"“{label}”"),))]
    return []


# ---------------------------------------------------------------- provisions

MODALITY_WORDS = {
    "must": "must", "must_not": "must not", "may": "may", "should": "should", "should_not": "should not",
}
# What a lower level may turn each modality into: the same, or something stricter.
STRICTER_OR_EQUAL = {
    "must": {"must"},
    "must_not": {"must_not"},
    "should": {"should", "must"},
    "should_not": {"should_not", "must_not"},
    "may": {"may", "should", "must", "should_not", "must_not"},
}


def _judge_provision(policy: ResolvedPolicy, provision) -> list[Diagnostic]:
    child = provision.origin
    new = provision.modality
    for upper in provision.history[:-1]:
        old = getattr(upper.decl, "modality", None)
        if old is None or new in STRICTER_OR_EQUAL.get(old, {new}):
            continue
        words = item_words(provision.name, provision.label or provision.text[:30])
        reverse = {old, new} in ({"must", "must_not"}, {"should", "should_not"})
        what = "reverses" if reverse else "weakens"
        message = (f"the provision {words} says '{upper.decl.actor} {MODALITY_WORDS[old]} …' at the "
                   f"{upper.level} level; this policy {what} it to '{MODALITY_WORDS[new]}'. A lower level may make an "
                   f"obligation stricter, not weaker.")
        return [diag("PL311", message, head_span(child), policy.policy_id,
                     hint=f"keep '{MODALITY_WORDS[old]}' (or remove this override so the upper rule applies)",
                     related_=(related(upper, f"{upper.decl.actor} {MODALITY_WORDS[old]} "
                                              f"“{upper.decl.text}”"),))]
    return []
