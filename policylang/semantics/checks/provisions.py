"""Provisions: obligations nothing computes, held to the levels above them (PL311, PL319).

A provision names an actor, a modality (must, must not, should, should not,
may) and the duty in words. A lower level that overrides one:

- may make the modality stricter, never weaker: a `must` that becomes `may`,
  or a `must` that becomes `must not`, is PL311 (an error), judged against
  every level above, so a city is held to the national `must` even when its
  province restated it;
- may change the wording or the actor only with a reason: an override whose
  text or actor differs from the definition it replaces and that gives no
  `because "…"` is PL319 (a warning), showing the old text (with its level and
  location) and the new one. With a reason the change is accepted: a local
  notice often words an inherited duty in its own way.

Only the policy that writes a definition is judged for it, so each finding is
reported once, on the file that has to change.
"""

from __future__ import annotations

from typing import Optional

from ...diagnostics import Diagnostic
from ..model import Origin, RProvision, ResolvedPolicy
from ...messages import Bi, P
from ...wording import provision_sentence
from .common import CheckContext, head_span, item_words, item_words_zh, level_zh, related_note, say

MODALITY_WORDS = {
    "must": "must", "must_not": "must not", "may": "may", "should": "should", "should_not": "should not",
}
# What each modality means, shown beside the keyword in Chinese messages: “must”（必须）.
MODALITY_WORDS_ZH = {
    "must": "必须", "must_not": "不得", "may": "可以", "should": "原则上应", "should_not": "原则上不",
}
# What a lower level may turn each modality into: the same, or something stricter.
STRICTER_OR_EQUAL = {
    "must": {"must"},
    "must_not": {"must_not"},
    "should": {"should", "must"},
    "should_not": {"should_not", "must_not"},
    "may": {"may", "should", "must", "should_not", "must_not"},
}


def check(ctx: CheckContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for policy in ctx.checkable():
        pid = policy.policy_id
        for provision in policy.provisions.values():
            if provision.origin.policy_id == pid and len(provision.history) >= 2:
                out.extend(ctx.guard(judge_modality, policy, provision))
                out.extend(ctx.guard(judge_wording, policy, provision))
    return out


def _words(provision: RProvision) -> tuple[str, str]:
    label = provision.label or provision.text[:30]
    return item_words(provision.name, label), item_words_zh(provision.name, label)


# ---------------------------------------------------------------- modality


def judge_modality(policy: ResolvedPolicy, provision: RProvision) -> list[Diagnostic]:
    """PL311: the modality is weaker than (or the reverse of) an upper level's."""
    child = provision.origin
    new = provision.modality
    for upper in provision.history[:-1]:
        old = getattr(upper.decl, "modality", None)
        if old is None or new in STRICTER_OR_EQUAL.get(old, {new}):
            continue
        words, words_zh = _words(provision)
        reverse = {old, new} in ({"must", "must_not"}, {"should", "should_not"})
        what, what_zh = P("phrase.PL311.reverses") if reverse else P("phrase.PL311.weakens")
        actor, text = upper.decl.actor, upper.decl.text
        return [say("PL311.weakened", head_span(child), policy.policy_id,
                    related_=(related_note(upper, "note.PL311.upper", actor=actor, old=MODALITY_WORDS[old],
                                           old_zh=MODALITY_WORDS_ZH[old],
                                           text=Bi(text, provision_sentence(actor, old, text))),),
                    words=words, words_zh=words_zh, level=upper.level, level_zh=level_zh(upper.level), actor=actor,
                    old=MODALITY_WORDS[old], old_zh=MODALITY_WORDS_ZH[old], new=MODALITY_WORDS[new],
                    new_zh=MODALITY_WORDS_ZH[new], what=what, what_zh=what_zh)]
    return []


# ---------------------------------------------------------------- wording and actor


def _normal(text: Optional[str]) -> str:
    """Text compared as a reader sees it: the same words, whatever the spacing."""
    return " ".join((text or "").split())


def _has_reason(origin: Origin) -> bool:
    return bool(_normal(origin.meta.reason))


def _quoted(decl) -> str:
    return f"{decl.actor} {MODALITY_WORDS.get(decl.modality, decl.modality)} “{decl.text}”"


def _quoted_zh(decl) -> str:
    """The provision as the notices word it: 「“医疗机构原则上应优先使用中选产品”」."""
    return f"“{provision_sentence(decl.actor, decl.modality, decl.text)}”"


def judge_wording(policy: ResolvedPolicy, provision: RProvision) -> list[Diagnostic]:
    """PL319: the text or the actor differs from the definition this override replaces, and no
    reason is given."""
    child = provision.origin
    upper = provision.history[-2]
    old, new = upper.decl, child.decl
    if getattr(old, "kind", None) != "provision" or _has_reason(child):
        return []
    text_changed = _normal(old.text) != _normal(new.text)
    actor_changed = _normal(old.actor) != _normal(new.actor)
    if not (text_changed or actor_changed):
        return []
    what, what_zh = P({
        (True, False): "phrase.PL319.text",
        (False, True): "phrase.PL319.actor",
        (True, True): "phrase.PL319.text_and_actor",
    }[(text_changed, actor_changed)])
    # Named by its label or its name: its text is what changed, and both texts follow.
    words, words_zh = item_words(provision.name, provision.label), item_words_zh(provision.name, provision.label)
    return [say("PL319.changed", head_span(child), policy.policy_id,
                related_=(related_note(upper, "note.PL319.replaced", old=_quoted(old), old_zh=_quoted_zh(old)),),
                words=words, words_zh=words_zh, what=what, what_zh=what_zh, level=upper.level,
                level_zh=level_zh(upper.level), upper=upper.policy_id, old=_quoted(old), old_zh=_quoted_zh(old),
                new=_quoted(new), new_zh=_quoted_zh(new))]
