"""Cross-references: `uses POLICY as ALIAS` read in each region's own version (PL313, PL316, PL320).

A `uses` line is inherited down the `extends` chain, and every policy reads the
version of POLICY in force in its own region (resolve.bind_cross_references):
a national stent notice's `at most drug.retention_ratio` means, for a
Guangdong city, the ratio of Guangdong's own drug-VBP notice when there is one.

- A value that breaks an upper level's `at least` / `at most` bound once that
  bound's cross-reference is read in this region's version is PL313, reported
  on the file that sets the value, with the version that binds and the bound
  as related locations. When the bound reads the same version as the level
  that wrote it, checks/overrides.py judges it as any other bound; the other
  checks leave the rebound ones to this module (CheckContext).
- A rebound bound that reads a blank of that version cannot be checked: PL316.
- A `uses` line whose alias no expression reads — in the policy that writes it
  or in any policy extending it — is PL320, on the `uses` line.
"""

from __future__ import annotations

from ...diagnostics import Diagnostic
from ..evaluate import BlankNotFilled, EvaluationError
from ..model import RBound, RParam, ResolvedPolicy, references
from .common import (
    CheckContext,
    compare_values,
    expr_zh,
    format_value,
    header_span,
    item_words,
    item_words_zh,
    related_note,
    say,
    statement_span,
)
from ...messages import Bi, P
from .unused import used_declarations, uses_key

LIMIT_WORDS = {"at_least": "at least", "at_most": "at most"}
LIMIT_WORDS_ZH = {"at_least": "不低于", "at_most": "不高于"}


def check(ctx: CheckContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    used = None
    for policy in ctx.checkable():
        if not policy.bindings:
            continue
        if any(b.declared_in == policy.policy_id for b in policy.bindings.values()):
            if used is None:
                used = used_declarations(ctx)
            out.extend(ctx.guard(_unused_uses, policy, used))
        for param in policy.params.values():
            if param.value is not None or param.schedule is not None:
                out.extend(ctx.guard(_judge_rebound_bounds, ctx, policy, param))
    return out


# ---------------------------------------------------------------- unused `uses`


def _unused_uses(policy: ResolvedPolicy, used: set) -> list[Diagnostic]:
    pid = policy.policy_id
    out = []
    for alias, binding in sorted(policy.bindings.items()):
        if binding.declared_in != pid or (pid, uses_key(alias)) in used:
            continue
        out.append(say("PL320.never_read", binding.span, pid, declared=binding.declared, alias=alias))
    return out


# ---------------------------------------------------------------- bounds on a rebound cross-reference


def _judge_rebound_bounds(ctx: CheckContext, policy: ResolvedPolicy, param: RParam) -> list[Diagnostic]:
    """The value of `param` in force in `policy` against every bound written above the level that set
    it, where that bound reads a cross-reference `policy` binds to another version than the bound's
    own level does."""
    pid = policy.policy_id
    writer = (param.schedule.origin if param.schedule is not None and param.schedule.origin.policy_id == pid
              else param.origin)
    here = writer.policy_id == pid
    index = next((i for i, o in enumerate(param.history) if o is param.origin), len(param.history) - 1)
    values = _values_in_force(ctx, policy, param)
    if not values:
        return []
    out: list[Diagnostic] = []
    for origin in param.history[:index]:
        rebound = ctx.rebound_aliases(origin.policy_id, policy)
        if not rebound:
            continue
        if not here:
            # Inherited: the level that set the value was judged with its own cross-references;
            # this policy is judged only for those it reads in another version.
            rebound &= ctx.rebound_aliases(param.origin.policy_id, policy)
            if not rebound:
                continue
        upper = ctx.policies.get(origin.policy_id)
        definition = upper.params.get(param.name) if upper is not None else None
        if definition is None:
            continue
        for bound in definition.bounds:
            reads = [r for r in references(bound.expr) if r.kind == "external" and r.alias in rebound]
            if not reads:
                continue
            out.extend(_judge_bound(ctx, policy, param, origin, bound, reads, values, here))
    return out


def _values_in_force(ctx: CheckContext, policy: ResolvedPolicy, param: RParam) -> list[tuple[object, object]]:
    """[(value, the span that sets it)]: the parameter's own value and each scheduled value this
    policy writes."""
    out = []
    pid = policy.policy_id
    if param.value is not None:
        try:
            out.append((ctx.interpreter(pid).constant(param.value), statement_span(param.origin)))
        except EvaluationError:
            pass
    if param.schedule is not None and param.schedule.origin.policy_id == pid:
        for entry in param.schedule.entries:
            try:
                out.append((ctx.interpreter(pid).constant(entry.value, entry.start), entry.span))
            except EvaluationError:
                continue
    return [(v, span) for v, span in out if v is not None]


def _bound_text(ctx: CheckContext, bound: RBound) -> str:
    span = bound.span
    line = ctx.ws.sources.line(span.file, span.line) or ""
    text = line[span.column - 1: span.end_column - 1] if span.end_line == span.line else ""
    return text.strip() or LIMIT_WORDS[bound.op]


def _judge_bound(ctx: CheckContext, policy: ResolvedPolicy, param: RParam, origin, bound: RBound, reads,
                 values, here: bool) -> list[Diagnostic]:
    pid = policy.policy_id
    words = item_words(param.name, param.label)
    words_zh = item_words_zh(param.name, param.label)
    text = Bi(_bound_text(ctx, bound), f"{LIMIT_WORDS_ZH[bound.op]} {expr_zh(policy, bound.expr)}")
    t = param.type
    sources, sources_zh, rel = [], [], []
    for ref in _unique(reads):
        key = (ref.alias, ref.name)
        other = policy.externals.get(key)
        binding = policy.bindings[ref.alias]
        if other is None:
            return []
        value = policy.external_values.get(key)
        shown = format_value(value, other.type) if value is not None and not _is_blank(value) else None
        if shown is not None:
            shown = Bi(str(shown), f"{shown.zh}（{other.label}）" if other.label else shown.zh)
        if shown is None:
            continue
        source = {"alias": ref.alias, "name": ref.name, "value": shown, "bound": binding.bound,
                  "declared": binding.declared}
        en, zh = P("phrase.PL313.source", **source)
        sources.append(en)
        sources_zh.append(zh)
        rel.append(related_note(other.origin, "note.PL313.version", **source))
    try:
        limit = ctx.interpreter_for(origin.policy_id, policy).constant(bound.expr)
    except BlankNotFilled as exc:
        if not here:
            return []
        return [_blank_info(policy, param, origin, bound, text, exc.blank, reads, values[0][1])]
    except EvaluationError:
        return []
    if limit is None:
        return []
    rel.append(related_note(origin, "note.PL313.must_be", words=words, words_zh=words_zh, text=text))
    limit_shown = format_value(limit, t)
    out = []
    for value, span in values:
        order = compare_values(value, limit)
        if order is None or not ((bound.op == "at_least" and order < 0) or (bound.op == "at_most" and order > 0)):
            continue
        shown = format_value(value, t)
        if here:
            at, at_zh = P("phrase.PL313.here", value=shown)
        else:
            at, at_zh = P("phrase.PL313.inherited", value=shown, setter=param.origin.policy_id)
            span = header_span(policy, ctx.ws)
        out.append(say("PL313.outside_here" if here else "PL313.outside_inherited", span, pid, related_=tuple(rel),
                       words=words, words_zh=words_zh, at=at, at_zh=at_zh, upper=origin.policy_id,
                       limit_words=LIMIT_WORDS[bound.op], limit_words_zh=LIMIT_WORDS_ZH[bound.op], limit=limit_shown,
                       text=text, where="; ".join(sources), where_zh="；".join(sources_zh), name=param.name))
    return out


def _blank_info(policy: ResolvedPolicy, param: RParam, origin, bound: RBound, text: str, blank: str, reads,
                span) -> Diagnostic:
    words = item_words(param.name, param.label)
    words_zh = item_words_zh(param.name, param.label)
    binding = policy.bindings[reads[0].alias]
    return say("PL316.rebound_blank", span, policy.policy_id,
               related_=(related_note(origin, "note.PL313.must_be", words=words, words_zh=words_zh, text=text),),
               text=text, words=words, words_zh=words_zh, blank=blank, bound=binding.bound, declared=binding.declared)


def _unique(refs):
    seen = set()
    for r in refs:
        if (r.alias, r.name) not in seen:
            seen.add((r.alias, r.name))
            yield r


def _is_blank(value) -> bool:
    from ..evaluate import NOT_FILLED

    return value is NOT_FILLED

