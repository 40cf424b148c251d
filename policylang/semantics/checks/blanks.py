"""Delegated blanks a leaf policy leaves unfilled (PL312).

A blank (`param … delegated`) is a value an upper level left for a lower level
to set. When no level down to a leaf sets it, every decision that reads it
(directly or through other decisions) cannot be computed in that region. The
finding is reported on the leaf, because that is the last file that could fill
it, with the delegating declaration as the related location.
"""

from __future__ import annotations

from ...diagnostics import Diagnostic
from ..model import next_level
from ..model import ResolvedPolicy, references
from .common import CheckContext, diag, header_span, item_words, item_words_zh, level_zh, related


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
            expected = blank.to_level or next_level(by.level)
            words = item_words(blank.name, blank.label)
            words_zh = item_words_zh(blank.name, blank.label)
            needing = dependents(policy, blank.name)
            readers = [r.name for r in policy.requirements.values()
                       if any(ref.name == blank.name for ref in references(r.cond))]
            consequences, consequences_zh = [], []
            if needing:
                listed = ", ".join(item_words(d, policy.decisions[d].label) for d in needing)
                consequences.append(f"these decisions cannot be computed here when they need it: {listed}")
                listed_zh = "、".join(item_words_zh(d, policy.decisions[d].label) for d in needing)
                consequences_zh.append(f"以下决策项用到它时，在本政策中无法计算：{listed_zh}")
            if readers:
                consequences.append("the requirement " + ", ".join(readers) + " cannot be checked")
                consequences_zh.append("约束要求 " + "、".join(readers) + " 无法检查")
            consequence = "; ".join(consequences) if consequences else \
                "nothing computes with it yet, but the notice leaves it to be set"
            consequence_zh = "；".join(consequences_zh) if consequences_zh else \
                "目前还没有计算用到它，但通知把它留待下级填写"
            to_zh = level_zh(expected)
            if by.policy_id == policy.policy_id:
                situation = f"this policy leaves it for the {expected} level, but no policy extends this one yet"
                situation_zh = f"本政策把它留给{to_zh}填写，但目前还没有下级政策继承本政策"
            else:
                situation = (f"{by.policy_id} left it for the {expected} level, and no level down to this "
                             f"{policy.level} policy sets it")
                situation_zh = (f"{by.policy_id} 把它留给{to_zh}填写，但直到本{level_zh(policy.level)}政策，"
                                f"各层都没有填写")
            message = f"the blank {words} is not filled: {situation}; {consequence}."
            message_zh = f"授权事项{words_zh}尚未填写：{situation_zh}；{consequence_zh}"
            hint = (f"if this region has set the value, add it to this file, e.g. "
                    f"'override param {blank.name}: {blank.type} fixed …' with because \"…\"; until then "
                    f"callers must supply '{blank.name}' as an input")
            hint_zh = (f"如果本地已经规定了这个值，请写进本文件，例如 "
                       f"`override param {blank.name}: {blank.type} fixed …`，并用 `because \"…\"` 说明依据；"
                       f"在此之前，按本政策计算时必须把“{blank.name}”作为输入项提供")
            out.append(diag("PL312", message, header_span(policy, ctx.ws), policy.policy_id, hint=hint,
                            related_=(related(by, f"{words} is left blank for the {expected} level to fill",
                                              f"{words_zh}留给{to_zh}填写"),),
                            message_zh=message_zh, hint_zh=hint_zh))
    return out
