"""Delegated blanks a leaf policy leaves unfilled (PL312).

A blank (`param … delegated`) is a value an upper level left for a lower level
to set. When no level down to a leaf sets it, every decision that reads it
(directly or through other decisions) cannot be computed in that region. The
finding is reported on the leaf, because that is the last file that could fill
it, with the delegating declaration as the related location.
"""

from __future__ import annotations

from ...diagnostics import Diagnostic
from ..evaluate import _next_level
from ..model import ResolvedPolicy, references
from .common import CheckContext, diag, header_span, item_words, related


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


def check(ctx: CheckContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for policy in ctx.checkable():
        if not policy.is_leaf:
            continue
        for blank in policy.blanks:
            by = blank.delegated_by or blank.origin
            expected = blank.to_level or _next_level(by.level)
            words = item_words(blank.name, blank.label)
            needing = dependents(policy, blank.name)
            readers = [r.name for r in policy.requirements.values()
                       if any(ref.name == blank.name for ref in references(r.cond))]
            consequences = []
            if needing:
                listed = ", ".join(item_words(d, policy.decisions[d].label) for d in needing)
                consequences.append(f"these decisions cannot be computed here when they need it: {listed}")
            if readers:
                consequences.append("the requirement " + ", ".join(readers) + " cannot be checked")
            consequence = "; ".join(consequences) if consequences else \
                "nothing computes with it yet, but the notice leaves it to be set"
            if by.policy_id == policy.policy_id:
                situation = f"this policy leaves it for the {expected} level, but no policy extends this one yet"
            else:
                situation = (f"{by.policy_id} left it for the {expected} level, and no level down to this "
                             f"{policy.level} policy sets it")
            message = f"the blank {words} is not filled: {situation}; {consequence}."
            hint = (f"if this region has set the value, add it to this file, e.g. "
                    f"'override param {blank.name}: {blank.type} fixed …' with because \"…\"; until then "
                    f"callers must supply '{blank.name}' as an input")
            out.append(diag("PL312", message, header_span(policy, ctx.ws), policy.policy_id, hint=hint,
                            related_=(related(by, f"{words} is left blank for the {expected} level to fill"),)))
    return out
