"""What the checks share: the check context, value formatting and rule descriptions.

Messages are written for policy authors who are not programmers: they name the
item by its Chinese label and its identifier, say which level set the rule
being broken, and show values with their units ("7000 yuan", "30%").
"""

from __future__ import annotations

import datetime as _dt
import os
from decimal import Decimal
from typing import Optional

import attrs

from ...messages import Bi, M, N, P
from ...wording import keyword_words, type_words, value_zh  # noqa: F401 (keyword_words, type_words: for the checks)
from ...diagnostics import Diagnostic, Related
from ...syntax.ast import NO_SPAN, Span
from ..evaluate import EvaluationError, Interpreter
from ..loader import Workspace
from ..judgment import order
from ..model import Duration, Item, Origin, RExpr, ResolvedPolicy, references
from ..types import Type

LEVEL_WORD = {"national": "national", "provincial": "provincial", "municipal": "municipal", "county": "county"}
LEVEL_WORD_ZH = {"national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级"}


class CheckContext:
    """The workspace, the resolution and a cache of interpreters, one per policy.

    While a check examines a policy (the one `checkable()` last gave, `judged`), the
    definitions of the levels above it are evaluated with that policy's cross-references:
    `drug.retention_ratio` in a national bound means, for a Guangdong city, Guangdong's
    drug-VBP ratio (see resolve.bind_cross_references). Inherited bounds that read a
    cross-reference rebound this way are judged by checks/crossrefs.py, which can say
    where the value came from; with `defer_rebound_bounds` (the checker's default) they
    are not evaluable for the other checks.
    """

    def __init__(self, ws: Workspace, resolution, used=None, defer_rebound_bounds: bool = True,
                 views: Optional[list] = None):
        self.ws = ws
        self.resolution = resolution
        self.policies: dict[str, ResolvedPolicy] = resolution.policies
        # Only these policies, in place of the tree's (a version of a policy below an amended
        # notice, with the versions of the levels above it in force from that day): see checker.py.
        self.views = views
        if views:
            self.policies = {**resolution.policies, **{v.policy_id: v for v in views}}
        # Every (declaring policy id, name) that some policy of the tree reads, when the caller
        # already knows it; None: computed from the resolved policies (see checks/unused.py).
        self.used = used
        self._interpreters: dict[str, Interpreter] = {}
        # What is being examined, for the report of a check that fails (see guard and
        # internal_error): the check's name (set by checker.run_checks) and the policy
        # checkable() handed out last.
        self.check_name: Optional[str] = None
        self.current_policy: Optional[ResolvedPolicy] = None
        self.judged: Optional[ResolvedPolicy] = None
        self.defer_rebound_bounds = defer_rebound_bounds
        self._rebound: dict[tuple, Interpreter] = {}
        self._bound_exprs: Optional[set[int]] = None

    def interpreter(self, policy_id: str) -> Interpreter:
        interp = self._interpreters.get(policy_id)
        if interp is None:
            interp = self._interpreters[policy_id] = Interpreter(self.policies[policy_id])
        return interp

    def checkable(self):
        """Policies whose own definitions the checks examine: resolved, in dependency order.

        A policy whose chain has resolution errors (unknown names, type errors) is
        skipped: its expressions may be meaningless, and the resolver has already
        told the author what to fix first.
        """
        try:
            if self.views:
                if not self.views[0].has_errors:
                    self.judged = self.current_policy = self.views[0]
                    yield self.views[0]
                return
            for pid in self.resolution.order:
                policy = self.policies.get(pid)
                if policy is not None and not policy.has_errors:
                    policy = written_view(self.policies, policy)
                    if policy is None:
                        continue
                    self.judged = self.current_policy = policy
                    yield policy
            self.current_policy = None  # kept when a check fails mid-policy: its report names the policy
        finally:
            self.judged = None

    def rebound_aliases(self, upper_id: str, policy: Optional[ResolvedPolicy] = None) -> set[str]:
        """The aliases that `policy` (default: the judged one) binds to another version than the
        policy `upper_id` above it does."""
        policy = policy or self.judged
        upper = self.policies.get(upper_id)
        if policy is None or upper is None or upper is policy or not policy.bindings:
            return set()
        if all(link.policy_id != upper_id for link in policy.chain):
            return set()
        return {alias for alias, b in policy.bindings.items()
                if alias in upper.bindings and upper.bindings[alias].bound != b.bound}

    def interpreter_for(self, policy_id: str, policy: Optional[ResolvedPolicy] = None) -> Interpreter:
        """An interpreter of `policy_id`'s definitions that reads cross-references as `policy`
        (default: the judged one) binds them."""
        rebound = self.rebound_aliases(policy_id, policy)
        if not rebound:
            return self.interpreter(policy_id)
        policy = policy or self.judged
        key = (policy_id, tuple(sorted((a, policy.bindings[a].bound) for a in rebound)))
        interp = self._rebound.get(key)
        if interp is None:
            upper = self.policies[policy_id]
            externals = dict(upper.externals)
            values = dict(upper.external_values)
            for (alias, name), param in policy.externals.items():
                if alias in rebound:
                    externals[(alias, name)] = param
                    values[(alias, name)] = policy.external_values.get((alias, name))
            interp = self._rebound[key] = Interpreter(attrs.evolve(upper, externals=externals,
                                                                   external_values=values))
        return interp

    def is_rebound_bound(self, policy_id: str, expr: RExpr) -> bool:
        """Whether expr is an `at least` / `at most` bound written above the judged policy that
        reads a cross-reference the judged policy rebinds (checks/crossrefs.py judges those)."""
        rebound = self.rebound_aliases(policy_id)
        if not rebound:
            return False
        if self._bound_exprs is None:
            self._bound_exprs = {id(b.expr) for p in self.policies.values() for param in p.params.values()
                                 for b in param.bounds}
        return id(expr) in self._bound_exprs and any(
            r.kind == "external" and r.alias in rebound for r in references(expr))

    def guard(self, check, *args, policy: Optional[ResolvedPolicy] = None, item=None) -> list[Diagnostic]:
        """Run one check of one item. When it fails (a bug in policylang, not in the policy),
        the result is an internal-error finding (PL990) naming the check, the policy and the
        item, located at the item; the other items and checks still run. POLICYLANG_DEBUG=1
        re-raises instead. policy and item default to those found among args (an item also by
        its name), or, for a lambda, among the variables it closes over."""
        try:
            return list(check(*args))
        except Exception as exc:  # noqa: BLE001 - one unforeseen construct must not hide every other finding
            if debug():
                raise
            found_policy, found_item = _subjects(check, args)
            return [internal_error(self, exc, policy or found_policy or self.current_policy, item or found_item)]

    def constant(self, policy_id: str, expr: RExpr, as_of: Optional[_dt.date] = None):
        """The value of a constant expression in a policy, or raise EvaluationError. An upper level's
        expression is read with the judged policy's cross-references (see the class)."""
        if self.defer_rebound_bounds and self.is_rebound_bound(policy_id, expr):
            raise EvaluationError("a bound on a cross-reference rebound in this region: see checks/crossrefs.py")
        return self.interpreter_for(policy_id).constant(expr, as_of)


def clipped(policy: ResolvedPolicy, start: Optional[_dt.date], stop: Optional[_dt.date]) -> Optional[ResolvedPolicy]:
    """The policy as the checks see it over the days from `start` to `stop` (None: unbounded) only:
    its window cut to them; None when no day of its window is among them."""
    effective, ends = policy.effective, policy.ends
    if start is not None and (effective is None or effective < start):
        effective = start
    if stop is not None and (ends is None or ends > stop):
        ends = stop
    if effective is not None and ends is not None and ends < effective:
        return None
    if (effective, ends) == (policy.effective, policy.ends):
        return policy
    return attrs.evolve(policy, effective=effective, ends=ends)


def _day_before(day: _dt.date) -> _dt.date:
    return day - _dt.timedelta(days=1)


def written_view(policies: dict, policy: ResolvedPolicy) -> Optional[ResolvedPolicy]:
    """What the checks examine of a policy as written: an amended notice (or a policy below one) over
    the days before the first amendment applies, an amending notice over the days its version
    applies (until the next amendment, its own or one above); None when the policy as written never
    applies (a policy below an amended notice that takes effect after the amendment, or an amending
    notice that takes effect after one above: its versions are checked instead, version_views).
    An amended notice amended before it takes effect is still checked as written, over its whole
    window: its text is what it is."""
    if policy.amends:
        root = policies.get(policy.amends)
        versions = root.versions if root is not None else ()
        if any(start == policy.amendment_effective and version.amended_by for start, version in versions):
            # It takes effect when a notice above is amended already: as written (over the levels
            # above as written) it never applies; its version over the amended ones is checked
            # instead (version_views of the notice it amends).
            return None
        starts = [start for start, _ in versions]
        later = [d for d in starts if policy.amendment_effective is not None and d > policy.amendment_effective]
        return clipped(policy, policy.amendment_effective, _day_before(min(later)) if later else None) or policy
    if not policy.versions:
        return policy
    view = clipped(policy, None, _day_before(policy.versions[0][0]))
    if view is None and policy.versions[0][1].amended_by is None:
        return policy  # an amended notice: checked as written
    return view


def version_views(policies: dict, policy: ResolvedPolicy) -> list[tuple]:
    """A policy below an amended notice: for each version of it (from an amendment's date on, over
    the amended version above), (the day it applies from, the amending notice, the version as the
    checks see it over the days it applies, the versions of the levels above it in force from that
    day); only the versions that apply on some day of its window."""
    out = []
    versions = list(policy.versions)
    for index, (start, version) in enumerate(versions):
        if version.amended_by is None:
            continue  # an amending notice: checked as a policy of its own
        stop = _day_before(versions[index + 1][0]) if index + 1 < len(versions) else None
        view = clipped(version, start, stop)
        if view is None:
            continue
        uppers = []
        cur = policies.get(policy.parent) if policy.parent else None
        while cur is not None:
            upper = cur.version_on(start)
            if upper is not cur:
                uppers.append(attrs.evolve(upper, policy_id=cur.policy_id, versions=()))
            cur = policies.get(cur.parent) if cur.parent else None
        out.append((start, version.amended_by, view, uppers))
    return out


def debug() -> bool:
    """Re-raise internal errors of a check instead of reporting them as PL990 (tests, developers)."""
    return bool(os.environ.get("POLICYLANG_DEBUG"))


def _subjects(check, args) -> tuple[Optional[ResolvedPolicy], Optional[Item]]:
    """The policy and the item a guarded call examines: among its arguments, else among the
    variables a lambda closes over."""
    values = list(args)
    for cell in getattr(check, "__closure__", None) or ():
        try:
            values.append(cell.cell_contents)
        except ValueError:  # an empty cell
            continue
    policy = next((v for v in values if isinstance(v, ResolvedPolicy)), None)
    item = next((v for v in values if isinstance(v, Item)), None)
    if item is None and policy is not None:  # an item passed by name
        for name in (v for v in values if isinstance(v, str)):
            for table in (policy.decisions, policy.params, policy.provisions, policy.requirements):
                if name in table:
                    return policy, table[name]
    return policy, item


def internal_error(ctx: Optional["CheckContext"], exc: BaseException, policy: Optional[ResolvedPolicy] = None,
                   item: Optional[Item] = None, check_name: Optional[str] = None,
                   stopped: bool = False) -> Diagnostic:
    """PL990: a check raised. Names the check, what it was examining and the exception; located
    at the item when known, else at the policy's header, else nowhere. stopped: the whole check
    ended there (not only its examination of one item)."""
    name = check_name or (ctx.check_name if ctx is not None else None) or "?"
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:299] + "…"
    error = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    subject = subject_zh = ""
    span = None
    policy_id = policy.policy_id if policy is not None else None
    if policy is not None:
        key = "phrase.PL990.on_item" if item is not None else "phrase.PL990.on_policy"
        subject, subject_zh = P(key, policy=policy.policy_id, item=item.name if item is not None else "")
    elif item is not None:
        subject, subject_zh = P("phrase.PL990.on_name", item=item.name)
    if item is not None:
        span = head_span(item.origin)
    elif policy is not None:
        span = header_span(policy, ctx.ws) if ctx is not None else Span(policy.path, 1, 1, 1, 1)
    if stopped:
        missing, missing_zh = P("phrase.PL990.stopped", name=name)
    else:
        what = "phrase.PL990.item" if item is not None else "phrase.PL990.policy" if policy is not None \
            else "phrase.PL990.tree"
        what, what_zh = P(what)
        missing, missing_zh = P("phrase.PL990.missing", name=name, what=what, what_zh=what_zh)
    return Diagnostic(**M("PL990.check_failed", name=name, subject=subject, subject_zh=subject_zh, error=error,
                          missing=missing, missing_zh=missing_zh), span=span, policy_id=policy_id)


# ---------------------------------------------------------------- values


def format_value(value, t: Optional[Type] = None, enum_label=None) -> Bi:
    """A value as a policy author writes it, in both languages (a Bi: the English is the str,
    `.zh` the Chinese): 7000 yuan / 7000元, 30%, 2023-04-26, true / 是, 3 years / 3年, none / 不适用.
    `enum_label(member)` gives an enumeration member's label for the Chinese."""
    return Bi(_format_en(value, t), _format_zh(value, t, enum_label))


def _format_en(value, t: Optional[Type] = None) -> str:
    kind = t.kind if t is not None else None
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, Decimal):
        if kind == "percent":
            return _plain(value.scaleb(2)) + "%"  # exact, whatever the number of digits
        if kind == "money":
            return _plain(value) + " yuan"
        return _plain(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and kind == "text":
        return f'"{value}"'
    if isinstance(value, (tuple, list)):  # a list input: its elements, each field by name
        return "[" + ", ".join("{" + ", ".join(f"{k}: {_format_en(v, _value_type(v))}" for k, v in e.items()) + "}"
                               for e in value) + "]"
    return str(value)


def _format_zh(value, t: Optional[Type] = None, enum_label=None) -> str:
    kind = t.kind if t is not None else None
    if isinstance(value, Decimal) and kind == "percent":
        return _plain(value.scaleb(2)) + "%"
    if isinstance(value, Decimal) and kind == "money":
        return _plain(value) + "元"
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, str) and kind not in ("text", None) and enum_label is not None:
        return enum_label(value) or value
    if isinstance(value, (tuple, list)):
        return "［" + "；".join("｛" + "，".join(f"{k}：{_format_zh(v, _value_type(v))}" for k, v in e.items()) + "｝"
                                for e in value) + "］"
    return value_zh(value, kind)


def _value_type(value) -> Optional[Type]:
    """A field's type as far as its value shows it (texts are quoted; amounts show as numbers)."""
    return Type("text") if isinstance(value, str) else None


def _plain(d: Decimal) -> str:
    """A decimal without exponent or needless trailing zeros (7000, 0.3, 469.5)."""
    text = format(d, "f")  # exact: no rounding to the context's precision, no exponent
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def compare_values(a, b) -> Optional[int]:
    """-1, 0, 1 when the two values are comparable, else None: judgment.order, the one definition
    (periods of time compare by the dates they give)."""
    return order(a, b)


# ---------------------------------------------------------------- naming items and rules


def item_words(name: str, label: Optional[str]) -> str:
    """'医保基金预付比例 (prepayment_ratio)', or the name alone."""
    return P("phrase.item.labelled", label=label, name=name)[0] if label else P("phrase.item.name", name=name)[0]


def item_words_zh(name: str, label: Optional[str]) -> str:
    """'“医保基金预付比例”（prepayment_ratio）', or the name alone: item_words() for Chinese messages."""
    return P("phrase.item.labelled", label=label, name=name)[1] if label else P("phrase.item.name", name=name)[1]


def where(origin: Origin) -> str:
    """'cn/stent-2020 (national), article 二(二)'."""
    article = P("phrase.where.article", article=origin.meta.article)[0] if origin.meta.article else ""
    return P("phrase.where", policy=origin.policy_id, level=origin.level, level_zh=level_zh(origin.level),
             article=article, article_zh="")[0]


def level_zh(level: str) -> str:
    return LEVEL_WORD_ZH.get(level, level)


def rule_intro(origin: Origin) -> str:
    """The start of a related message: 'the national rule', 'the provincial rule'."""
    return P("phrase.rule", level=LEVEL_WORD.get(origin.level, origin.level), level_zh=level_zh(origin.level))[0]


def rule_intro_zh(origin: Origin) -> str:
    """'国家级规定', '省级规定'."""
    return P("phrase.rule", level=LEVEL_WORD.get(origin.level, origin.level), level_zh=level_zh(origin.level))[1]


def rule_ref_zh(origin: Origin) -> str:
    """'国家级规定（cn/stent-2020，条款 二(二)）': the start of a Chinese related note."""
    article = P("phrase.where.article", article=origin.meta.article)[1] if origin.meta.article else ""
    return P("phrase.rule_ref", intro=rule_intro(origin), where=where(origin), intro_zh=rule_intro_zh(origin),
             policy=origin.policy_id, article_zh=article)[1]


def head_span(origin: Origin) -> Span:
    """The line a finding about a declaration points at: its name, else the whole declaration."""
    decl = origin.decl
    for attr in ("name_span", "span"):
        span = getattr(decl, attr, None)
        if span is not None and span != NO_SPAN:
            return span
    return origin.span


def statement_span(origin: Origin) -> Span:
    """For a parameter: where 'floor 30%' is written; else the declaration's name."""
    span = getattr(origin.decl, "statement_span", None)
    if span is not None and span != NO_SPAN and span.line > 0:
        return span
    return head_span(origin)


def header_span(policy: ResolvedPolicy, ws: Workspace) -> Span:
    """The `policy "…"` header line of a policy's file, else its first line."""
    pf = ws.files.get(policy.policy_id)
    if pf is not None:
        for key in ("title", "extends", "level"):
            item = pf.header_item(key)
            if item is not None:
                return item.span
    return Span(policy.path, 1, 1, 1, 1)


def related(origin: Origin, what: str, what_zh: Optional[str] = None) -> Related:
    """The rule of another level a finding refers to ('the national rule (…): what')."""
    texts = N("note.related", intro=rule_intro(origin), where=where(origin), what=what, ref_zh=rule_ref_zh(origin),
              what_zh=what_zh)
    return Related(head_span(origin), texts["message"], texts["message_zh"] if what_zh else None)


def say(key: str, span: Span, policy_id: str, /, related_: tuple = (), severity: str = "", **params) -> Diagnostic:
    """The finding of the catalogue's entry `key` (policylang/catalogue.py), with its parameters."""
    m = M(key, **params)
    return diag(m["code"], m["message"], span, policy_id, hint=m["hint"], related_=related_, severity=severity,
                message_zh=m["message_zh"], hint_zh=m["hint_zh"])


def related_note(origin: Origin, key: str, /, **params) -> Related:
    """related() with the catalogue's phrase `key` as what the other level's rule says."""
    what, what_zh = P(key, **params)
    return related(origin, what, what_zh)


def diag(code: str, message: str, span: Span, policy_id: str, hint: Optional[str] = None,
         related_: tuple = (), severity: str = "", message_zh: Optional[str] = None,
         hint_zh: Optional[str] = None) -> Diagnostic:
    """A finding; message_zh and hint_zh are the same in Chinese (shown with --lang zh)."""
    return Diagnostic(code, message, span, severity=severity, hint=hint, related=tuple(related_),
                      policy_id=policy_id, message_zh=message_zh, hint_zh=hint_zh)


def safe_constant(ctx: CheckContext, policy_id: str, expr: Optional[RExpr], as_of=None):
    """(value, error): the value of a constant expression, or the EvaluationError that stopped it."""
    if expr is None:
        return None, None
    try:
        return ctx.constant(policy_id, expr, as_of), None
    except EvaluationError as exc:
        return None, exc


# ---------------------------------------------------------------- values of named inputs, by their labels


def label_of(policy: Optional[ResolvedPolicy], name: str) -> str:
    """The label a reader knows an item by (「是否使用了本系统的钉棒（板）部件」), else its name;
    `alias.name` by the other policy's parameter's label."""
    if policy is None:
        return name
    if "." in name:
        alias, _, attr = name.partition(".")
        other = policy.externals.get((alias, attr))
        if other is not None and other.label:
            return other.label
        item = policy.item(name)  # a keyed param's key, cap.KEY
        return item.label if item is not None and item.label else name
    item = policy.item(name)
    return item.label if item is not None and item.label else name


def member_label(policy: Optional[ResolvedPolicy], t: Optional[Type], member) -> Optional[str]:
    """The label of an enumeration member (「本企业（与所用钉棒（板）系统同一中选企业）」)."""
    if policy is None or t is None or t.kind != "enum" or not isinstance(member, str):
        return None
    enum = policy.enums.get(t.enum or "")
    if enum is None:
        return None
    return dict(enum.members).get(member)


def shown_value(policy: Optional[ResolvedPolicy], value, t: Optional[Type]) -> Bi:
    """format_value, with enumeration members by their labels in Chinese, and the elements of a list
    with each field by its label (「［｛产品名称：“”，是否中选：否，数量：0｝］」)."""
    shown = format_value(value, t, lambda m: member_label(policy, t, m))
    if policy is not None and t is not None and t.kind == "list" and isinstance(value, (tuple, list)):
        record = policy.records.get(t.record or "")

        def field(name: str):
            f = record.field(name) if record is not None else None
            return (f.label or name, f.type) if f is not None else (name, _value_type(None))

        elements, elements_en = [], []
        for element in value:
            parts, parts_en = [], []
            for k, v in element.items():
                label, ft = field(k)
                parts.append(f"{label}：{format_value(v, ft).zh}")
                parts_en.append(f"{k}: {format_value(v, ft)}")  # each field with its unit (1 yuan)
            elements.append("｛" + "，".join(parts) + "｝")
            elements_en.append("{" + ", ".join(parts_en) + "}")
        shown = Bi("[" + ", ".join(elements_en) + "]", "［" + "；".join(elements) + "］")
    return shown


def assignment(policy: Optional[ResolvedPolicy], name: str, value, t: Optional[Type], zh_suffix: str = "",
               en_suffix: str = "") -> Bi:
    """`rod_plate_used = true` in English, 「是否使用了本系统的钉棒（板）部件 = 是」 in Chinese."""
    shown = shown_value(policy, value, t)
    return Bi(f"{name}{en_suffix} = {shown}", f"{label_of(policy, name)}{zh_suffix} = {shown.zh}")


def assignments(policy: Optional[ResolvedPolicy], pairs, sep: str = ", ", sep_zh: str = "，") -> Bi:
    """Several `name = value` (pairs of (name, value, type)), joined in each language."""
    return Bi.join(sep, sep_zh, [assignment(policy, n, v, t) for n, v, t in pairs])


# ---------------------------------------------------------------- expressions in words

def _zh_strength(expr) -> int:
    """Binding strength (semantics/operators.py)."""
    from ..model import RIf
    from ..operators import STRENGTH, key_of

    op = key_of(expr)
    if op is not None:
        return op.strength
    return STRENGTH["if"] if isinstance(expr, RIf) else STRENGTH["atom"]


def expr_zh(policy: Optional[ResolvedPolicy], expr) -> str:
    """A resolved expression in Chinese words: names by their labels, values with their units,
    functions by their Chinese names (「非中选产品医保支付标准高限 ≤ 最高中选价」, 「取整（金额 × 比例，分，向上）」)."""
    from ...syntax import keywords as K
    from ..builtins import AGGREGATES, BUILTINS
    from ..model import RAggregate, RBinary, RCall, RIf, RIn, RLit, RRef, RUnary
    from ..operators import STRENGTH, key_of

    def child(e, slot: int, tight: bool = False) -> str:
        text = expr_zh(policy, e)
        strength = _zh_strength(e)
        return f"（{text}）" if strength < slot or (tight and strength == slot < STRENGTH["atom"]) else text

    if expr is None:
        return ""
    if isinstance(expr, RLit):
        return shown_value(policy, expr.value, expr.type).zh
    if isinstance(expr, RRef):
        if expr.kind == "builtin":
            return K.BUILTINS.get(expr.name, (expr.name,))[0]
        if expr.kind == "external":
            return label_of(policy, f"{expr.alias}.{expr.name}")
        if expr.kind == "field" and policy is not None:
            record = policy.records.get(expr.alias or "")
            for f in getattr(record, "fields", ()) or ():
                if f.name == expr.name and f.label:
                    return f.label
            return expr.name
        return label_of(policy, expr.name)
    if isinstance(expr, RUnary):
        op = key_of(expr)
        return op.docs["zh"] + child(expr.operand, op.strength, True)
    if isinstance(expr, RBinary):
        op = key_of(expr)
        if op.zh_after_period and isinstance(expr.right, RLit) and isinstance(expr.right.value, Duration):
            return f"{child(expr.left, op.strength)}{op.zh_after_period}{expr_zh(policy, expr.right)}"  # 本政策生效日期后2年
        symbol = op.docs["zh"] if op.words else f" {op.docs['zh']} "  # 且, 或 without spaces
        return f"{child(expr.left, op.strength)}{symbol}{child(expr.right, op.strength, op.tight_right)}"
    if isinstance(expr, RIn):
        op = key_of(expr)
        items = "、".join(expr_zh(policy, i) for i in expr.items)
        return f"{child(expr.operand, op.strength, True)}{op.docs['zh']}｛{items}｝"
    if isinstance(expr, RIf):
        return (f"如果{expr_zh(policy, expr.cond)}，则{expr_zh(policy, expr.then)}，"
                f"否则{expr_zh(policy, expr.otherwise)}")
    if isinstance(expr, RCall):
        builtin = BUILTINS.get(expr.func)
        name = builtin.docs.get("zh", expr.func) if builtin is not None else expr.func
        args = [expr_zh(policy, a) for a in expr.args]
        if builtin is not None and builtin.docs_options is not None:
            args += list(builtin.docs_options(expr, "zh"))
        return f"{name}（{'，'.join(args)}）"
    if isinstance(expr, RAggregate):
        agg = AGGREGATES[expr.func]
        parts = [expr_zh(policy, expr.source)]
        if expr.where is not None:
            parts[0] += "其中" + expr_zh(policy, expr.where)
        if expr.value is not None:
            parts.append(expr_zh(policy, expr.value))
        return f"{agg.docs.get('zh', expr.func)}（{'，'.join(parts)}）"
    return "？"


def expr_words(ctx: "CheckContext", policy: Optional[ResolvedPolicy], expr) -> Bi:
    """An expression as the author wrote it (English) and in Chinese words (expr_zh)."""
    from .encode import source_text

    return Bi(source_text(ctx, expr), expr_zh(policy, expr))

