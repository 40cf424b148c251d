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
from .common import CheckContext, diag, head_span, item_words, item_words_zh, level_zh, related

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
        what = "reverses" if reverse else "weakens"
        what_zh = "改成了相反的" if reverse else "放宽为"
        message_zh = (f"条款义务{words_zh}在{level_zh(upper.level)}政策中为“{upper.decl.actor} {MODALITY_WORDS[old]} …”"
                      f"（{MODALITY_WORDS_ZH[old]}），本政策却把它{what_zh}“{MODALITY_WORDS[new]}”"
                      f"（{MODALITY_WORDS_ZH[new]}）；下级只能让义务更严格，不能放宽")
        message = (f"the provision {words} says '{upper.decl.actor} {MODALITY_WORDS[old]} …' at the "
                   f"{upper.level} level; this policy {what} it to '{MODALITY_WORDS[new]}'. A lower level may make an "
                   f"obligation stricter, not weaker.")
        return [diag("PL311", message, head_span(child), policy.policy_id,
                     hint=f"keep '{MODALITY_WORDS[old]}' (or remove this override so the upper rule applies)",
                     related_=(related(upper, f"{upper.decl.actor} {MODALITY_WORDS[old]} "
                                              f"“{upper.decl.text}”",
                                       f"{upper.decl.actor} {MODALITY_WORDS[old]}（{MODALITY_WORDS_ZH[old]}）"
                                       f"“{upper.decl.text}”"),),
                     message_zh=message_zh,
                     hint_zh=f"保留“{MODALITY_WORDS[old]}”；或删除这处覆盖（override），让上级规定直接适用")]
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
    modality = MODALITY_WORDS.get(decl.modality, decl.modality)
    return f"{decl.actor} {modality}（{MODALITY_WORDS_ZH.get(decl.modality, decl.modality)}）“{decl.text}”"


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
    what, what_zh = {
        (True, False): ("its text", "文字"),
        (False, True): ("its actor", "主体"),
        (True, True): ("its text and its actor", "文字和主体"),
    }[(text_changed, actor_changed)]
    # Named by its label or its name: its text is what changed, and both texts follow.
    words, words_zh = item_words(provision.name, provision.label), item_words_zh(provision.name, provision.label)
    message = (f"the provision {words} changes {what} without a reason: the {upper.level} text "
               f"({upper.policy_id}) is {_quoted(old)}; this policy writes {_quoted(new)}")
    message_zh = (f"条款义务{words_zh}改动了上级条款的{what_zh}，但没有说明理由：{level_zh(upper.level)}政策"
                  f"（{upper.policy_id}）的原文是 {_quoted_zh(old)}；本政策写为 {_quoted_zh(new)}")
    return [diag("PL319", message, head_span(child), policy.policy_id,
                 hint="say why with because \"…\" (for example, that it is the local notice's own wording), "
                      "or remove this override so that the upper text applies",
                 related_=(related(upper, f"the text this override replaces: {_quoted(old)}",
                                   f"被覆盖的原文：{_quoted_zh(old)}"),),
                 message_zh=message_zh,
                 hint_zh="请用 because \"…\" 说明改动的理由（例如这是本地文件的原文表述）；"
                         "或删除这处覆盖（override），让上级条款原样适用")]
