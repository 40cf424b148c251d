"""Delegated blanks a leaf policy leaves unfilled (PL312, PL325).

A blank (`param … delegated`) is a value an upper level left for a lower level
to set. When no level down to a leaf sets it, every decision that reads it
(directly or through other decisions) cannot be computed in that region. The
finding is reported on the leaf, because that is the last file that could fill
it, with the delegating declaration as the related location.

Where the notice only permits the level below to set the value (各地可…), an
unfilled blank is a warning (PL312). Where it instructs it to (对…设定: the blank
is `delegated … required`), a leaf at or below that level that leaves it unfilled
breaks the notice: an error (PL325). A leaf above that level (no policy extends it
yet) is still only told, as for any blank.
"""

from __future__ import annotations

from ...diagnostics import Diagnostic
from ...syntax.ast import LEVELS
from ..model import next_level
from ..model import ResolvedPolicy, references
from ...messages import P
from .common import CheckContext, header_span, item_words, item_words_zh, level_zh, related_note, say, type_words


def dependents(policy: ResolvedPolicy, name: str) -> list[str]:
    """Decisions that read `name`, directly or through other decisions, in evaluation order."""
    affected: set[str] = set()
    for decision_name in policy.decision_order:
        decision = policy.decisions.get(decision_name)
        if decision is None:
            continue
        if name in decision.depends_on or affected.intersection(decision.depends_on):
            affected.add(decision_name)
    return [d for d in policy.decision_order if d in affected]


def _reading(policy: ResolvedPolicy, key: tuple[str, str]) -> list[str]:
    """Decisions that read the `uses` value key = (alias, name), directly or through parameters and
    other decisions, in evaluation order."""
    from ..resolve import _policy_expressions

    def reads(exprs) -> bool:
        return any(r.kind == "external" and (r.alias, r.name) == key for e in exprs for r in references(e))

    # A parameter computed from it (its bounds are checked where it is filled, not computed with).
    seeds = {name for name, p in policy.params.items() if p.value is not None and reads([p.value])}
    seeds |= {name for name, sched in policy.schedules.items() if reads([e.value for e in sched.entries])}
    affected: set[str] = set()
    for decision_name in policy.decision_order:
        decision = policy.decisions.get(decision_name)
        if decision is None:
            continue
        if reads(_policy_expressions({decision_name: decision}, {}, {}, {}, ())) \
                or seeds.intersection(decision.depends_on) or affected.intersection(decision.depends_on):
            affected.add(decision_name)
    return [d for d in policy.decision_order if d in affected]


def _unfilled_used(ctx: CheckContext, policy: ResolvedPolicy) -> list[Diagnostic]:
    """A leaf's decisions that read a blank of a `uses` policy, unfilled in the version bound here
    (they cannot be computed without it as an input): PL312 on the leaf, with the blank and the
    `uses` line as the related places."""
    from ..evaluate import NOT_FILLED

    out = []
    for (alias, name), value in sorted(policy.external_values.items()):
        if value is not NOT_FILLED:
            continue
        binding = policy.bindings.get(alias)
        param = policy.externals.get((alias, name))
        needing = _reading(policy, (alias, name))
        if binding is None or param is None or not needing:
            continue
        listed = ", ".join(item_words(d, policy.decisions[d].label) for d in needing)
        listed_zh = "、".join(item_words_zh(d, policy.decisions[d].label) for d in needing)
        consequence, consequence_zh = P("phrase.PL312.needing", listed=listed, listed_zh=listed_zh)
        by = param.delegated_by or param.origin
        expected = param.to_level or next_level(by.level)
        words, words_zh = item_words(name, param.label), item_words_zh(name, param.label)
        notes = (related_note(by, "note.PL312.left_blank", words=words, words_zh=words_zh, expected=expected,
                              to_zh=level_zh(expected)),)
        out.append(say("PL312.unfilled_used", header_span(policy, ctx.ws), policy.policy_id, related_=notes,
                       alias=alias, name=name, bound=binding.bound, declared=binding.declared,
                       consequence=consequence, consequence_zh=consequence_zh))
    return out


def check(ctx: CheckContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for policy in ctx.checkable():
        if not policy.is_leaf:
            continue
        amended = ctx.policies.get(policy.amends) if policy.amends else None
        if amended is None:
            out.extend(_unfilled_used(ctx, policy))
        for blank in policy.blanks:
            if amended is not None and blank.name in amended.params and amended.params[blank.name].is_blank:
                continue  # reported on the amended notice; an amendment answers only for what it changes
            by = blank.delegated_by or blank.origin
            expected = blank.to_level or next_level(by.level)
            words = item_words(blank.name, blank.label)
            words_zh = item_words_zh(blank.name, blank.label)
            needing = dependents(policy, blank.name)
            readers = [r.name for r in policy.requirements.values()
                       if any(ref.name == blank.name for ref in references(r.cond))]
            consequences = []
            if needing:
                consequences.append(P("phrase.PL312.needing",
                                      listed=", ".join(item_words(d, policy.decisions[d].label) for d in needing),
                                      listed_zh="、".join(item_words_zh(d, policy.decisions[d].label) for d in needing)))
            if readers:
                consequences.append(P("phrase.PL312.requirements", names=", ".join(readers),
                                      names_zh="、".join(item_words_zh(r, policy.requirements[r].label) for r in readers)))
            consequence, consequence_zh = ("; ".join(c[0] for c in consequences), "；".join(c[1] for c in consequences)) \
                if consequences else P("phrase.PL312.nothing")
            to_zh = level_zh(expected)
            if by.policy_id == policy.policy_id:
                situation, situation_zh = P("phrase.PL312.left_here", expected=expected, to_zh=to_zh)
            else:
                situation, situation_zh = P("phrase.PL312.left_above", by=by.policy_id, expected=expected, to_zh=to_zh,
                                            level=policy.level, level_zh=level_zh(policy.level))
            required_by = _required_by(blank)
            if required_by is not None and _at_or_below(policy.level, expected):
                out.append(say("PL325.unfilled", header_span(policy, ctx.ws), policy.policy_id,
                               related_=(related_note(required_by, "note.PL325.required", words=words, words_zh=words_zh,
                                                      expected=expected, to_zh=to_zh),),
                               words=words, words_zh=words_zh, by=required_by.policy_id, expected=expected, to_zh=to_zh,
                               level=policy.level, level_zh=level_zh(policy.level),
                               consequence=consequence, consequence_zh=consequence_zh, name=blank.name, type=type_words(blank.type)))
                continue
            out.append(say("PL312.unfilled", header_span(policy, ctx.ws), policy.policy_id,
                           related_=(related_note(by, "note.PL312.left_blank", words=words, words_zh=words_zh,
                                                  expected=expected, to_zh=to_zh),),
                           words=words, words_zh=words_zh, situation=situation, situation_zh=situation_zh,
                           consequence=consequence, consequence_zh=consequence_zh, name=blank.name, type=type_words(blank.type)))
    return out


def _required_by(blank):
    """The definition that made the blank compulsory (`delegated … required`), if one did: the
    lowest delegating level decides, since a lower level may pass a blank on with or without it."""
    for origin in reversed(blank.history):
        if getattr(origin.decl, "statement", None) == "delegated":
            return origin if getattr(origin.decl, "required", False) else None
    return None


def _at_or_below(level: str, expected: str) -> bool:
    if level not in LEVELS or expected not in LEVELS:
        return True
    return LEVELS.index(level) >= LEVELS.index(expected)
