"""What the pages show, computed from a CheckRun: plain objects the templates lay out.

Everything a reader needs is decided here — labels, values in force, what each
level did to each item, which findings belong to which item — so that the
templates (which users may replace) only arrange it. A page is built for one
output format (`ext` = "md" or "html"), because links between pages differ.
"""

from __future__ import annotations

import datetime as _dt
import os
from decimal import Decimal
from typing import Iterable, Optional

import attrs

from ... import wording
from ...diagnostics import BINDING_CODES, Diagnostic
from ...semantics.evaluate import NOT_FILLED
from ...semantics.judgment import LOOSENED, UNDECIDED, judge
from ...semantics.model import (
    Item,
    RListValue,
    Origin,
    RDecision,
    RExpr,
    RLit,
    RParam,
    RProvision,
    RRef,
    RSchedule,
    ResolvedPolicy,
)
from ... import wording
from . import i18n
from .formula import FormulaPrinter, RefInfo, Rich, Seg, format_value, plain
from .i18n import Words
from .svg import step_chart

# ---------------------------------------------------------------- paths

# The extension a view's links carry when one view serves every format (site._PageRenderer):
# the finished page has it replaced by its format's. Links are the only thing in a view that
# differs between formats; NUL, which no policy text holds (the parser refuses it), keeps the
# token from meeting anything else, and neither HTML nor Markdown escaping changes it.
ANY_FORMAT = "\x00\ufdd2ext\ufdd3\x00"


def policy_page(policy_id: str, ext: str) -> str:
    return f"policies/{policy_id}.{ext}"


def impact_page(policy_id: str) -> str:
    """Where a policy's impact report sits in the docs output (`policylang docs --impact`)."""
    return f"impact/{policy_id}/index.html"


def override_page(policy_id: str, ext: str) -> str:
    return f"overrides/{policy_id}.{ext}"


def index_page(ext: str) -> str:
    return f"index.{ext}"


def relative(target: str, current: str) -> str:
    """The link from page `current` to `target` (both relative to the site root).

    Site paths are plain 'a/b/c.ext' (or '.' for the root), never '..', so the link is
    counted from the two paths' folders: the same answer as posixpath.relpath without its
    abspath and getcwd calls (a large site asks for hundreds of thousands of links).
    """
    here = current.split("/")[:-1]
    there = [part for part in target.split("/") if part and part != "."]
    common = 0
    limit = min(len(here), len(there))
    while common < limit and here[common] == there[common]:
        common += 1
    parts = [".."] * (len(here) - common) + there[common:]
    return "/".join(parts) if parts else "."


def anchor(name: str) -> str:
    return f"item-{name}"


# ---------------------------------------------------------------- view objects


@attrs.define
class FindingView:
    code: str
    severity: str
    severity_word: str
    title: str
    message: str
    location: str
    hint: Optional[str]
    related: list[tuple[str, str]]  # (message, location)
    item: Optional[str] = None  # the name of the item it concerns, when one matches
    item_label: Optional[str] = None


@attrs.define
class SuppressedView:
    """A binding finding the policy file suppresses in place, with its reason (config.Suppressed)."""

    code: str
    title: str
    message: str
    location: str  # the finding's
    reason: str
    suppression_location: str  # the `# policylang: ignore[…]` comment's
    item: Optional[str] = None
    item_label: Optional[str] = None


@attrs.define
class Step:
    """One definition of an item on the way down the chain."""

    level_word: str
    policy_id: str
    action: str
    action_word: str
    location: str
    href: Optional[str]
    reason: Optional[str]


@attrs.define
class ItemView:
    name: str
    kind: str  # enum | input | param | decision | table | schedule | requirement | provision | example
    label: str  # the label, or the name when the author gave none
    has_label: bool
    anchor: str
    action: str  # what this page's level did to it (see item_action)
    action_word: str
    level: str  # the level of the definition in force
    level_word: str
    policy_id: str  # the policy of the definition in force
    defined_here: bool
    location: str  # file:line relative to the tree root
    article: Optional[str]
    note: Optional[str]
    reason: Optional[str]
    history: list[Step]
    findings: list[FindingView] = attrs.Factory(list)
    # An item an amending notice (`amends`) changed: "set by X, amended by Y from DATE", as explain says.
    amended: Optional[str] = None
    # kind-specific fields, filled by the builders below
    fields: dict = attrs.Factory(dict)
    suppressed: list[SuppressedView] = attrs.Factory(list)  # binding findings suppressed in place

    def __getattr__(self, key):
        # Lets templates write item.value instead of item.fields.value.
        try:
            return object.__getattribute__(self, "fields")[key]
        except (KeyError, AttributeError):
            raise AttributeError(key) from None


@attrs.define
class ChainEntry:
    policy_id: str
    title: str
    document: Optional[str]
    level_word: str
    href: Optional[str]
    is_self: bool


@attrs.define
class BlankView:
    name: str
    label: str
    anchor: str
    href: Optional[str]
    delegated_by: str  # "国家级 cn/stent-2020"
    expected_level: Optional[str]
    expected_word: str
    expected_here: bool
    needed_by: list[str]  # labels of decisions that cannot be computed without it


@attrs.define
class ProvisionGroup:
    actor: str
    items: list[ItemView]


@attrs.define
class PolicyView:
    policy_id: str
    lang: str
    words: Words
    page: str  # this page's path relative to the site root
    root: str  # the link to the site root from this page ("../../")
    title: str
    level_word: str
    region: Optional[str]
    issuer: Optional[str]
    document: Optional[str]
    issued: Optional[str]
    effective: Optional[str]
    ends: Optional[str]
    summary: Optional[str]
    source: str
    has_errors: bool
    reconstructed: bool  # `status reconstructed`: the notice's text is not in hand
    chain: list[ChainEntry]
    # (alias, policy id, href): every `uses` in force here, inherited ones included, each with the
    # version of the used policy bound in this policy's region
    uses: list[tuple[str, str, Optional[str]]]
    children: list[tuple[str, Optional[str]]]  # (policy id, href)
    override_href: Optional[str]
    enums: list[ItemView]
    inputs: list[ItemView]
    params: list[ItemView]
    decisions: list[ItemView]
    tables: list[ItemView]
    schedules: list[ItemView]
    requirements: list[ItemView]
    examples: list[ItemView]
    provisions: list[ProvisionGroup]
    findings: list[FindingView]
    blanks: list[BlankView]
    changed_here: list[ItemView]
    counts: dict
    by_level: list = attrs.Factory(list)  # (level word, policy id, number of items in force set there)
    suppressed: list[SuppressedView] = attrs.Factory(list)  # binding findings suppressed in place
    uses_declared: dict = attrs.Factory(dict)  # alias -> the policy its `uses` line names, where another binds
    # The working-day calendar, when the policy counts working days: (year, notice title, document,
    # issued, the notices that changed it, where it is declared or None for the shipped year)
    workdays: list = attrs.Factory(list)
    workdays_years: Optional[str] = None
    # the impact report of this policy in the docs output (impact/<policy id>/index.html), if any
    impact_href: Optional[str] = None

    @property
    def sections(self) -> list[tuple[str, list[ItemView]]]:
        return [(key, getattr(self, key)) for key in
                ("params", "decisions", "tables", "schedules", "requirements", "inputs", "enums", "examples")]

    def all_items(self) -> list[ItemView]:
        items = [i for _, group in self.sections for i in group]
        items += [i for g in self.provisions for i in g.items]
        return items


@attrs.define
class ChangeView:
    name: str
    label: str
    kind_word: str
    change: str
    change_word: str
    before: list[Rich]
    after: list[Rich]
    level_word: str  # the level that made the change (vs root: the lowest level that changed it)
    trail: list[Step]
    reason: Optional[str]
    article: Optional[str]
    location: str
    href: Optional[str]
    findings: list[FindingView]
    suppressed: list[SuppressedView] = attrs.Factory(list)


@attrs.define
class OverrideView:
    policy_id: str
    lang: str
    words: Words
    page: str
    root: str
    title: str
    level_word: str
    region: Optional[str]
    document: Optional[str]
    policy_href: str
    parent_id: Optional[str]
    parent_title: Optional[str]
    parent_href: Optional[str]
    root_id: Optional[str]
    root_title: Optional[str]
    root_href: Optional[str]
    parent_is_root: bool
    vs_parent: list[ChangeView]
    vs_root: list[ChangeView]
    blanks: list[BlankView]
    findings: list[FindingView]
    suppressed: list[SuppressedView] = attrs.Factory(list)


@attrs.define
class TreeNode:
    policy_id: str
    title: str
    level_word: str
    region: Optional[str]
    document: Optional[str]
    href: Optional[str]
    override_href: Optional[str]
    status: str  # clean | warnings | errors
    status_word: str
    errors: int
    warnings: int
    blanks: list[tuple[str, str]]  # (label, name)
    children: list["TreeNode"]


@attrs.define
class IndexView:
    lang: str
    words: Words
    page: str
    root: str
    roots: list[TreeNode]
    orphans: list[tuple[str, int]]  # ids that could not be resolved (with their error count)


# Fields of the resolved model not walked for the names an item reads: where it was defined (the
# AST declarations), spans and types.
_NOT_WALKED = frozenset({"origin", "history", "bound_origin", "span", "type", "meta", "decl"})
_WALKED: dict[type, tuple[str, ...]] = {}


def _walked_fields(t: type) -> tuple[str, ...]:
    found = _WALKED.get(t)
    if found is None:
        found = _WALKED[t] = tuple(a.name for a in attrs.fields(t) if a.name not in _NOT_WALKED)
    return found


# ---------------------------------------------------------------- actions


def _param_value_key(decl) -> Optional[Decimal]:
    """The number a param declaration states (for comparing a floor or ceiling), when it is a plain literal."""
    value = getattr(decl, "value", None)
    number = getattr(value, "value", None)
    if isinstance(number, (Decimal, int)) and not isinstance(number, bool):
        return Decimal(number)
    if isinstance(number, _dt.date):
        return Decimal(number.toordinal())
    return None


def describe_change(previous: Origin, current: Origin) -> str:
    """What a definition did to the one above it: tightened, loosened, filled, replaced, restated…

    The resolver records a first guess in Origin.action ('changed' where only a
    comparison of values can tell); this settles floors, ceilings and fixed values
    by comparing the stated numbers.
    """
    action = current.action
    before, after = previous.decl, current.decl
    if getattr(after, "kind", None) != "param" or action not in ("changed", "restated"):
        return action
    old, new = _param_value_key(before), _param_value_key(after)
    if old is None or new is None:
        return action
    verdict = judge(before.statement, old, new)
    if before.statement == "fixed" and (after.statement != "fixed" or verdict == LOOSENED):
        return "changed"
    return verdict if verdict != UNDECIDED else action


def item_action(item: Item, policy_id: str, judged: Optional[dict] = None) -> str:
    """What the level of `policy_id` did to the item: set, tightened, filled, replaced, inherited…

    `judged` maps item names to the checker's own verdicts (explain.diff_policy); they win
    over the comparison of stated numbers here, which cannot judge expressions or bounds.
    """
    origin = item.origin
    if origin.policy_id != policy_id:
        return "inherited"
    if len(item.history) < 2:
        return "set"
    verdict = (judged or {}).get(item.name)
    if verdict is not None:
        return verdict
    return describe_change(item.history[-2], origin)


# The checker's words for a change (policylang.semantics.explain.diff_policy) in the docs' vocabulary.
_CHECKER_VERDICTS = {
    "tightened": "tightened", "loosened": "loosened", "filled": "filled", "replaced": "replaced",
    "restated": "restated", "delegated": "delegated", "changed kind": "loosened", "outside bound": "loosened",
}


def checker_verdicts(resolution, policy_id: str) -> dict[str, str]:
    """Per item name, how the checker judges this policy's overrides; empty when it cannot say."""
    from ...semantics.explain import ExplainError, diff_policy

    try:
        data = diff_policy(resolution, policy_id)
    except ExplainError:  # a policy the checker cannot explain (errors): fall back to our own comparison
        return {}
    out = {}
    for change in data.get("changes", ()):
        verdict = _CHECKER_VERDICTS.get(change.get("change"))
        if verdict and change.get("item"):
            out[change["item"]] = verdict
    return out


# ---------------------------------------------------------------- the builder


class SiteModel:
    """The shared facts of one documentation run: which policies get pages, the findings, the tree root."""

    def __init__(self, run, policy_ids: Iterable[str]):
        self.run = run
        self.policies: dict[str, ResolvedPolicy] = run.resolution.policies
        self.rendered = [pid for pid in policy_ids if pid in self.policies]
        self.rendered_set = set(self.rendered)
        self.impact_reports: set = set()  # policy ids with a report under impact/ in the output
        self.root_dir = run.workspace.root
        self.diagnostics: list[Diagnostic] = list(run.diagnostics)
        # Binding findings suppressed in place (with a reason), per policy: every page lists its own.
        self._suppressed: dict[str, list] = {}
        for record in getattr(run, "suppressed", ()):
            if record.binding and record.policy_id is not None:
                self._suppressed.setdefault(record.policy_id, []).append(record)
        # Facts of one policy that every page mentioning it needs: computed once per run.
        self._rel_paths: dict[str, str] = {}
        self._languages: dict[str, str] = {}
        self._findings: Optional[dict[str, list[Diagnostic]]] = None
        self._verdicts: dict[str, dict[str, str]] = {}
        # Steps of item histories (PolicyPageBuilder.step), shared by the pages that show them.
        self._steps: dict[tuple, tuple] = {}
        # Interpreters and constant values per policy (see constant).
        self._interpreters: dict[str, tuple] = {}
        self._constants: dict[tuple, tuple] = {}
        # Views of inherited items shared by the pages that show them alike (PolicyPageBuilder.shared).
        self._item_names: dict[int, tuple] = {}
        self._contexts: dict[str, tuple] = {}
        self._context_numbers: dict[tuple, int] = {}
        self._reads: dict[tuple, tuple] = {}
        self._reads_of: Optional[str] = None  # the policy whose entries _reads holds
        self._reads_numbers: dict[tuple, int] = {}  # each distinct reads_of content, numbered (see reads_of)
        self.shared_views: dict[tuple, tuple] = {}
        self.shared_view_ids: set[int] = set()  # the ids of those views (kept alive by shared_views)

    # -- values
    def interpreter(self, policy: ResolvedPolicy):
        """The interpreter of a policy, made once per run and shared by the pages that show its values."""
        found = self._interpreters.get(policy.policy_id)
        if found is None or found[0] is not policy:
            from ...semantics.evaluate import Interpreter

            found = self._interpreters[policy.policy_id] = (policy, Interpreter(policy))
        return found[1]

    def constant(self, policy: ResolvedPolicy, expr: RExpr) -> tuple[bool, object]:
        """(True, value) of an input-free expression in a policy, or (False, None): computed once per
        policy and expression, whichever page (format, policy page or override report) asks."""
        key = (policy.policy_id, id(expr))
        found = self._constants.get(key)
        if found is not None and found[0] is expr and found[1] is policy:
            return found[2]
        try:
            result = (True, self.interpreter(policy).constant(expr))
        except Exception:  # a blank, an external value not given, an error already reported
            result = (False, None)
        self._constants[key] = (expr, policy, result)
        return result

    # -- views shared by the pages below the level that set an item
    def item_names(self, item) -> tuple[frozenset, bool, tuple, tuple]:
        """The names an item's expressions read (its own name, references, a decision's
        depends_on), whether one is a builtin (as_of, effective_date: the page's own dates), the
        (alias, policy) of its external references and the policies of its definitions (the
        pages its view links to); computed once per item object."""
        found = self._item_names.get(id(item))
        if found is not None and found[0] is item:
            return found[1]
        names: set[str] = {item.name}
        externals: set[tuple] = set()
        builtin = False
        stack = [item]
        while stack:
            node = stack.pop()
            t = type(node)
            if t is tuple or t is list:
                stack.extend(node)
            elif t is dict:
                stack.extend(node.values())
            elif t is RRef:
                if node.kind == "builtin":
                    builtin = True
                elif node.kind == "external":
                    externals.add((node.alias, node.policy_id))
                names.add(node.name)
            elif attrs.has(t):
                for field in _walked_fields(t):
                    stack.append(getattr(node, field))
        names.update(getattr(item, "depends_on", ()))
        result = (frozenset(names), builtin, tuple(sorted(externals, key=repr)),
                  tuple(dict.fromkeys(o.policy_id for o in item.history)))
        self._item_names[id(item)] = (item, result)
        return result

    def policy_context(self, policy: ResolvedPolicy):
        """What of a policy an inherited item's view may read besides the items it names: the
        page's language and its words for the levels (the region's names), its enums and records, the `uses` bindings and external values.
        Equal for two policies exactly when those are the same (a small number, made once per policy)."""
        found = self._contexts.get(policy.policy_id)
        if found is not None and found[0] is policy:
            return found[1]
        # The region only names the levels (盟市级, 旗县级, 区级: Words.level, wording.level_name).
        lang = self.language_of(policy)
        words = Words(lang, policy.region)
        parts = (lang, tuple(words.level(level) for level in i18n.LEVELS),
                 tuple(wording.level_name(level, policy.region) for level in i18n.LEVELS),
                 tuple((k, id(v)) for k, v in policy.enums.items()),
                 tuple((k, id(v)) for k, v in policy.records.items()),
                 tuple((k, b.bound, b.rebound) for k, b in sorted(policy.bindings.items())),
                 tuple((k, id(v)) for k, v in policy.externals.items()),
                 tuple((k, type(v), repr(v)) for k, v in policy.external_values.items()),
                 policy.counts_working_days, id(policy.workdays))
        number = self._context_numbers.setdefault(parts, len(self._context_numbers))
        self._contexts[policy.policy_id] = (policy, number)
        return number

    def reads_of(self, policy: ResolvedPolicy, item) -> Optional[int]:
        """Which definitions a view of the item on this policy's pages can read: every name it
        names, and through the parameters and decisions those are, the names they name (a value
        shown is computed from them), each with the object that policy holds under that name in each
        table; None when it reads the page's own dates (builtins). Made once per policy and item,
        and given as a number, equal for two (policy, item) pairs exactly when what they read is the
        same (the sharing keys hold it: hashing the whole content in every lookup cost more)."""
        if policy.policy_id != self._reads_of:  # pages are made policy by policy: keep one policy's
            self._reads.clear()
            self._reads_of = policy.policy_id
        key = (policy.policy_id, id(item))
        found = self._reads.get(key)
        if found is not None and found[0] is item and found[1] is policy:
            return found[2]
        names, builtin, _, _ = self.item_names(item)
        result: Optional[int] = None
        if not builtin:
            tables = (policy.decisions, policy.params, policy.keyed, policy.inputs, policy.enums, policy.records,
                      policy.schedules, policy.requirements, policy.provisions)
            seen: set[str] = set()
            stack = sorted(names)
            parts = []
            while stack:
                name = stack.pop()
                if name in seen:
                    continue
                seen.add(name)
                held = tuple(table.get(name) for table in tables)
                parts.append((name, *map(id, held)))
                for obj in held:
                    if obj is not None and obj is not item and isinstance(obj, (RParam, RDecision, RSchedule)):
                        more, builtin, _, _ = self.item_names(obj)
                        if builtin:
                            break
                        stack.extend(sorted(more - seen))
                if builtin:
                    break
            if not builtin:
                parts_key = tuple(parts)
                result = self._reads_numbers.setdefault(parts_key, len(self._reads_numbers))
        self._reads[key] = (item, policy, result)
        return result

    # -- locations
    def rel(self, path: Optional[str]) -> str:
        if not path:
            return ""
        cached = self._rel_paths.get(path)
        if cached is None:
            try:
                rel = os.path.relpath(path, self.root_dir)
            except ValueError:  # another drive on Windows
                rel = path
            cached = self._rel_paths[path] = rel.replace(os.sep, "/")
        return cached

    def location(self, origin: Origin) -> str:
        return f"{self.rel(origin.path)}:{origin.span.line}"

    def span_location(self, span) -> str:
        if span is None:
            return ""
        return f"{self.rel(span.file)}:{span.line}"

    # -- findings
    def findings_of(self, policy: ResolvedPolicy) -> list[Diagnostic]:
        """Findings about this policy, or pointing into its file from another policy's finding."""
        if self._findings is None:
            self._findings = self._group_findings()
        return list(self._findings.get(policy.policy_id, ()))

    def _group_findings(self) -> dict[str, list[Diagnostic]]:
        """Every policy's findings in one pass over the diagnostics, each list in diagnostic order."""
        ids_by_path: dict[str, list[str]] = {}
        for pid, policy in self.policies.items():
            ids_by_path.setdefault(policy.path, []).append(pid)
        grouped: dict[str, list[Diagnostic]] = {}
        for d in self.diagnostics:
            concerned = [d.policy_id] if d.policy_id is not None else []
            for r in d.related:
                if r.span is not None:
                    concerned.extend(ids_by_path.get(r.span.file, ()))
            for pid in dict.fromkeys(concerned):  # once per policy, however many places point at it
                grouped.setdefault(pid, []).append(d)
        return grouped

    def suppressed_of(self, policy: ResolvedPolicy) -> list:
        """The binding findings about this policy that its file suppresses in place (config.Suppressed)."""
        return list(self._suppressed.get(policy.policy_id, ()))

    def verdicts(self, policy_id: str) -> dict[str, str]:
        """The checker's verdicts on a policy's overrides (see checker_verdicts), computed once."""
        cached = self._verdicts.get(policy_id)
        if cached is None:
            cached = self._verdicts[policy_id] = checker_verdicts(self.run.resolution, policy_id)
        return cached

    def language_of(self, policy: ResolvedPolicy) -> str:
        cached = self._languages.get(policy.policy_id)
        if cached is None:
            texts = [policy.title, policy.region, policy.issuer, policy.summary]
            for table in (policy.params, policy.decisions, policy.inputs, policy.provisions):
                texts.extend(i.label for i in table.values())
            cached = self._languages[policy.policy_id] = i18n.page_language(texts)
        return cached

    def page_language(self) -> str:
        return i18n.ZH if any(self.language_of(self.policies[p]) == i18n.ZH for p in self.rendered) \
            else i18n.EN


class PolicyPageBuilder:
    """Builds the PolicyView (and the OverrideView) of one policy for one output format."""

    def __init__(self, site: SiteModel, policy: ResolvedPolicy, ext: str, page: Optional[str] = None,
                 own_token: Optional[str] = None):
        self.site = site
        self.policy = policy
        self.ext = ext
        self.page = page or policy_page(policy.policy_id, ext)
        # On another page than the policy's own (its override report): the link to the policy's
        # own page is written as this token, replaced in the finished page (see site.OWN_PAGE),
        # so that rows reading alike on sibling pages are the same views.
        self.own_token = own_token
        self.lang = site.language_of(policy)
        self.words = Words(self.lang, policy.region)
        self.printer = FormulaPrinter(self.words, self._lookup, self._enum_label, field_label=self._field_label)
        self.diags = site.findings_of(policy)
        self.suppressed = site.suppressed_of(policy)
        self._matched: dict[int, str] = {}
        self.judged = site.verdicts(policy.policy_id)
        # Builders of the other policies of the chain, for the override report's "before" column.
        self._others: dict[str, "PolicyPageBuilder"] = {}
        self._links: dict[str, str] = {}
        self._refs: dict[tuple, Optional[RefInfo]] = {}  # see _lookup
        self._spans: Optional[tuple[list, set]] = None  # see _finding_spans
        self._lines_by_file: Optional[dict[str, list[tuple[int, int]]]] = None  # see _findings_for_item

    def _field_label(self, record: str, name: str) -> Optional[str]:
        definition = self.policy.records.get(record)
        found = definition.field(name) if definition is not None else None
        return found.label if found is not None else None

    # -- links
    def link(self, target: str) -> str:
        # A page links to the same few pages (its chain) from every item: count each link once.
        href = self._links.get(target)
        if href is None:
            if self.own_token is not None and target == policy_page(self.policy.policy_id, self.ext):
                href = self._links[target] = self.own_token
            else:
                href = self._links[target] = relative(target, self.page)
        return href

    def uses_views(self) -> list[tuple[str, str, Optional[str]]]:
        """(alias, the version bound here, its href) for every `uses` in force in this policy."""
        return [(alias, b.bound, self.policy_href(b.bound)) for alias, b in sorted(self.policy.bindings.items())]

    def policy_href(self, policy_id: str) -> Optional[str]:
        if policy_id not in self.site.rendered_set:
            return None
        return self.link(policy_page(policy_id, self.ext))

    def item_href(self, name: str) -> str:
        if self.page == policy_page(self.policy.policy_id, self.ext):
            return "#" + anchor(name)
        return self.link(policy_page(self.policy.policy_id, self.ext)) + "#" + anchor(name)

    # -- names and values
    def label_of(self, name: str) -> str:
        item = self.policy.item(name)
        return (item.label if item is not None and item.label else None) or name

    def _enum_label(self, enum_name: Optional[str], member: str) -> Optional[str]:
        enums = self.policy.enums
        candidates = [enums[enum_name]] if enum_name in enums else list(enums.values())
        for enum in candidates:
            for m, label in enum.members:
                if m == member:
                    return label
        return None

    def interpreter(self):
        return self.site.interpreter(self.policy)

    def constant(self, expr: Optional[RExpr]):
        """The value of an input-free expression, or a reason it has none (returns (ok, value))."""
        if expr is None:
            return False, None
        if isinstance(expr, RLit):
            return True, expr.value
        return self.site.constant(self.policy, expr)

    def value_text(self, expr: Optional[RExpr], kind: str) -> Optional[str]:
        ok, value = self.constant(expr)
        if not ok:
            return None
        return format_value(value, kind, self.words, lambda m: self._enum_label(None, m))

    def param_value_rich(self, param: RParam) -> Rich:
        if param.is_blank:
            return Rich((Seg("blank", self.words.delegated_blank(param.to_level)),))
        text = self.value_text(param.value, param.type.kind if param.type else "")
        if text is not None:
            return Rich((Seg("lit", text),))
        return self.printer(param.value)

    def _lookup(self, ref: RRef) -> Optional[RefInfo]:
        # A page names the same few items from many formulas: each name is looked up once per page.
        key = (ref.kind, ref.alias, ref.name, ref.policy_id)
        try:
            return self._refs[key]
        except KeyError:
            info = self._refs[key] = self._lookup_uncached(ref)
            return info

    def _lookup_uncached(self, ref: RRef) -> Optional[RefInfo]:
        if ref.kind == "external":
            # The alias may come from a level above, and means here the version of the used policy in
            # force in this policy's region (ResolvedPolicy.bindings): "50% from cn/gd/drug-vbp-2019".
            binding = self.policy.bindings.get(ref.alias)
            source = binding.bound if binding is not None else ref.policy_id
            param = self.policy.externals.get((ref.alias, ref.name))
            if param is None:
                other = self.site.policies.get(source) if source else None
                param = other.params.get(ref.name) if other is not None else None
            if param is None:
                return None
            href = None
            if source in self.site.rendered_set:
                href = self.link(policy_page(source, self.ext)) + "#" + anchor(ref.name)
            value = None
            known = self.policy.external_values.get((ref.alias, ref.name), NOT_FILLED)
            if known is not NOT_FILLED:
                value = format_value(known, param.type.kind, self.words)
            elif not param.is_blank and isinstance(param.value, RLit):
                value = format_value(param.value.value, param.type.kind, self.words)
            if value is not None and binding is not None and binding.rebound:
                value = f"{value}{self.words.t.comma}{self.words.t.value_from} {source}"
            return RefInfo(param.label or f"{ref.alias}.{ref.name}", href, value,
                           param.is_blank and value is None)
        item = self.policy.item(ref.name)
        if item is None:
            return None
        info = RefInfo(item.label or ref.name, self.item_href(ref.name))
        if isinstance(item, RParam):
            if item.is_blank:
                return attrs.evolve(info, is_blank=True)
            if item.schedule is not None:
                return info  # the value changes over time: see the schedule
            value = self.value_text(item.value, item.type.kind if item.type else "")
            return attrs.evolve(info, value=value)
        return info

    # -- findings
    def finding_view(self, d: Diagnostic, item: Optional[ItemView] = None) -> FindingView:
        title = d.title_zh if self.lang == i18n.ZH and d.title_zh else d.title
        lang = "zh" if self.lang == i18n.ZH else "en"
        return FindingView(
            code=d.code, severity=d.severity, severity_word=self.words.severity(d.severity), title=title,
            message=wording.without_backticks(d.text(lang)), location=self.site.span_location(d.span),
            hint=wording.without_backticks(d.hint_text(lang)),
            related=[(wording.without_backticks(r.text(lang)), self.site.span_location(r.span)) for r in d.related],
            item=item.name if item else None, item_label=item.label if item else None,
        )

    def suppressed_view(self, record, item: Optional[Item] = None) -> SuppressedView:
        d = record.diagnostic
        lang = "zh" if self.lang == i18n.ZH else "en"
        return SuppressedView(
            code=d.code, title=d.title_zh if lang == "zh" and d.title_zh else d.title, message=d.text(lang),
            location=self.site.span_location(d.span), reason=record.reason,
            suppression_location=self.site.span_location(record.span),
            item=item.name if item is not None else None, item_label=(item.label or item.name) if item else None)

    def _suppressed_for_item(self, item: Item) -> list:
        """This policy's suppressed binding findings located inside one of the item's definitions."""
        out = []
        for record in self.suppressed:
            span = record.diagnostic.span
            if span is not None and any(span.file == o.path and o.span.line <= span.line <= max(o.span.end_line, o.span.line)
                                        for o in item.history):
                out.append(record)
        return out

    def _suppressed_views(self) -> list[SuppressedView]:
        """Every suppressed binding finding of this policy, with the item it concerns when one matches."""
        items = self._all_items(self.policy)
        views = []
        for record in self.suppressed:
            item = next((i for i in items if record in self._suppressed_for_item(i)), None)
            views.append(self.suppressed_view(record, item))
        return views

    def _finding_spans(self) -> tuple[list, set]:
        """Per finding of this page, the places it concerns; and the files of all those places."""
        if self._spans is None:
            pairs = []
            for d in self.diags:
                if d.policy_id == self.policy.policy_id:
                    # Our own finding: its location or any place it points to (often the upper
                    # level's rule that this policy breaks or leaves unfilled).
                    spans = [d.span] + [r.span for r in d.related]
                else:
                    # Another policy's finding that points into this file.
                    spans = [r.span for r in d.related if r.span is not None and r.span.file == self.policy.path]
                pairs.append((d, spans))
            self._spans = (pairs, {s.file for _, spans in pairs for s in spans if s is not None})
        return self._spans

    def _findings_for_item(self, item: Item) -> list[Diagnostic]:
        """Findings whose location falls inside one of the item's definitions (any level)."""
        pairs, files = self._finding_spans()
        if not files:
            return []
        for origin in item.history:
            if origin.path in files:
                break
        else:
            return []  # no finding points into a file that defines this item
        if self._lines_by_file is None:
            # Per file, the (line, finding's index) of every place a finding concerns.
            by_file: dict[str, list[tuple[int, int]]] = {}
            for index, (_, spans) in enumerate(pairs):
                for s in spans:
                    if s is not None:
                        by_file.setdefault(s.file, []).append((s.line, index))
            self._lines_by_file = by_file
        matched: set[int] = set()
        for origin in item.history:
            places = self._lines_by_file.get(origin.path)
            if places:
                first, last = origin.span.line, max(origin.span.end_line, origin.span.line)
                matched.update(index for line, index in places if first <= line <= last)
        return [pairs[index][0] for index in sorted(matched)]

    # -- items
    def _definition_links(self, item: Item) -> tuple:
        """The links a view of the item holds: to the pages of its definitions and of the policies
        its external references read (an item's own references link within the page)."""
        _, _, externals, definers = self.site.item_names(item)
        bindings = self.policy.bindings
        links = tuple(self.policy_href(pid) for pid in definers)
        if externals:
            links += tuple(self.policy_href(bindings[alias].bound if alias in bindings else pid)
                           for alias, pid in externals)
        return links

    def shared(self, method: str, item: Item, build):
        """The view of an item, built by build(item), or the same view another page of this run
        built already: an item set above this policy (inherited as it is) is shown alike on every
        page of the same format and folder whose policy holds the same definitions under every name
        the view reads (SiteModel.reads_of) and the same language, level words, enums, records and
        bindings (SiteModel.policy_context). Views of items set here, with findings or suppressed
        findings, or on a policy with amendments, are built for the page alone."""
        policy = self.policy
        if (item.origin.policy_id == policy.policy_id or self.suppressed or policy.versions
                or self._findings_for_item(item)):
            return build(item)
        site = self.site
        reads = site.reads_of(policy, item)
        if reads is None:
            return build(item)
        links = self._definition_links(item)
        own_page = self.page == policy_page(policy.policy_id, self.ext)
        key = (method, id(item), self.ext, own_page, links, site.policy_context(policy), reads)
        found = site.shared_views.get(key)
        if found is not None and found[0] is item:
            return found[1]
        view = build(item)
        site.shared_views[key] = (item, view)
        site.shared_view_ids.add(id(view))
        return view

    def step(self, origin: Origin, previous: Optional[Origin]) -> Step:
        # The same definitions make up the history of an item on every page below it: a step
        # depends only on the two origins, the page's language, its word for the level and the link.
        level_word, href = self.words.level(origin.level), self.policy_href(origin.policy_id)
        key = (id(origin), id(previous), self.lang, level_word, href)
        steps = self.site._steps
        found = steps.get(key)
        if found is not None and found[0] is origin and found[1] is previous:
            return found[2]
        action = "set" if previous is None else describe_change(previous, origin)
        step = Step(level_word, origin.policy_id, action, self.words.action(action, short=True),
                    self.site.location(origin), href, origin.meta.reason)
        steps[key] = (origin, previous, step)
        return step

    def item_view(self, item: Item, kind: str) -> ItemView:
        origin = item.origin
        history = [self.step(o, item.history[i - 1] if i else None) for i, o in enumerate(item.history)]
        action = item_action(item, self.policy.policy_id, self.judged)
        view = ItemView(
            name=item.name, kind=kind, label=item.label or item.name, has_label=bool(item.label),
            anchor=anchor(item.name), action=action, action_word=self.words.action(action),
            level=origin.level, level_word=self.words.level(origin.level), policy_id=origin.policy_id,
            defined_here=origin.policy_id == self.policy.policy_id, location=self.site.location(origin),
            article=item.article, note=item.note or next((o.meta.note for o in reversed(item.history) if o.meta.note), None),
            reason=origin.meta.reason, history=history, amended=self.amended_line(item),
        )
        for d in self._findings_for_item(item):
            self._matched[id(d)] = item.name
            view.findings.append(self.finding_view(d, view))
        if self.suppressed:
            view.suppressed = [self.suppressed_view(r, item) for r in self._suppressed_for_item(item)]
        return view

    def amended_line(self, item: Item) -> Optional[str]:
        """Who set an item and which amending notices changed it, from when: the definitions of its
        level it replaced (on an amending notice's page), then the versions after this one (an
        amended notice's page, or a page below it)."""
        t = self.words.t
        steps, origin = [], item.origin
        while origin.amended is not None:
            steps.insert(0, (origin.policy_id, self._amendment_day(origin.policy_id)))
            origin = origin.amended
        first = origin.policy_id
        listed = set()
        for start, version in self.policy.versions:
            found = version.item(item.name)
            if found is not None and found.history[-1] is not item.history[-1] and found.origin.amended is not None:
                seen = (found.origin.policy_id, found.origin.span)  # once per amending definition
                if seen not in listed:
                    listed.add(seen)
                    steps.append((found.origin.policy_id, start.isoformat()))
        if not steps:
            return None
        return t.amended_sep.join([t.amended_set_by.format(policy=first)] +
                                  [t.amended_by.format(policy=by, day=day or "?") for by, day in steps])

    def _amendment_day(self, policy_id: str) -> Optional[str]:
        amending = self.site.policies.get(policy_id)
        day = amending.amendment_effective if amending is not None else None
        return day.isoformat() if day else None

    def type_word(self, t) -> str:
        if t is None:
            return ""
        if t.kind == "enum":
            enum = self.policy.enums.get(t.enum)
            return (enum.label if enum is not None and enum.label else None) or t.enum or ""
        if t.kind == "list":  # a list of records, by the record's label
            record = self.policy.records.get(t.record)
            named = (record.label if record is not None and record.label else None) or t.record or ""
            return f"由“{named}”组成的列表" if self.lang == "zh" else f"list of {named}"
        return self.words.type(t.kind)

    def param_view(self, p: RParam) -> ItemView:
        v = self.item_view(p, "param")
        v.fields.update(
            type_word=self.type_word(p.type),
            statement=p.statement,
            statement_word=((self.words.t.in_principle + " ") if getattr(p.origin.decl, "in_principle", False)
                            else "") + self.words.statement(p.statement),
            value=self.param_value_rich(p),
            is_blank=p.is_blank,
            to_level=p.to_level,
            to_level_word=self.words.level(p.to_level) if p.to_level else None,
            bounds=[plain(self.words.bound(b.op) + " ") + self.printer(b.expr) for b in p.bounds],
            schedule_anchor=anchor("schedule-" + p.name) if p.schedule is not None else None,
        )
        return v

    def decision_view(self, d: RDecision) -> ItemView:
        kind = "table" if d.form == "table" else "decision"
        v = self.item_view(d, kind)
        # `fixed` binds every level below, so a child restating the decision is shown as fixed too.
        declared = [o.decl for o in d.history if getattr(o.decl, "kind", None) == "decision"]
        fixed_cases = {i for decl in declared for i, case in enumerate(decl.cases) if case.fixed}
        v.fields.update(type_word=self.type_word(d.type), form=d.form,
                        fixed=d.fixed or any(decl.fixed for decl in declared),
                        bound=d.bound,
                        depends_on=[(self.label_of(n), n, self.item_href(n)) for n in d.depends_on
                                    if self.policy.item(n) is not None])
        if d.form == "expr":
            v.fields["formula"] = self.printer(d.expr)
        elif d.form == "cases":
            v.fields["cases"] = [
                {"cond": self.printer(c.cond), "value": self.printer(c.value), "label": c.meta.label,
                 "note": c.meta.note, "fixed": c.fixed or index in fixed_cases, "bound": c.bound}
                for index, c in enumerate(d.cases)
            ]
            other = d.otherwise
            v.fields["otherwise"] = None if other is None else {
                "value": self.printer(other.value), "label": other.meta.label, "note": other.meta.note}
        elif d.table is not None:
            v.fields["columns"] = [{"label": self.label_of(c.name), "name": c.name, "href": self.item_href(c.name)}
                                   for c in d.table.columns]
            v.fields["rows"] = [self.row_view(r) for r in d.table.rows]
            v.fields["has_otherwise_row"] = any(r.is_otherwise for r in d.table.rows)
        return v

    def row_view(self, row) -> dict:
        w = self.words
        cells = []
        for cell in row.cells:
            if cell.kind == "any":
                cells.append(Rich((Seg("text", w.ui("any")),)))
                continue
            values = Rich()
            for i, value in enumerate(cell.values):
                if i:
                    values = values + plain("、" if w.lang == i18n.ZH else ", ")
                values = values + self.printer(value)
            if cell.kind == "cmp":
                cells.append(plain(i18n.SYMBOLS.get(cell.op, cell.op or "") + " ") + values)
            elif cell.kind in ("in", "not_in"):
                cells.append(plain(i18n.OPERATORS[cell.kind][w.lang] + " {") + values + plain("}"))
            else:
                cells.append(values)
        return {"cells": cells, "output": self.printer(row.output), "label": row.meta.label,
                "is_otherwise": row.is_otherwise, "direction": row.direction}

    def schedule_view(self, s) -> ItemView:
        v = self.item_view(s, "schedule")
        param = self.policy.params.get(s.name)
        kind = param.type.kind if param is not None and param.type else ""
        entries, points = [], []
        for e in s.entries:
            ok, value = self.constant(e.value)
            shown = format_value(value, kind, self.words) if ok else str(self.printer(e.value))
            entries.append({"start": e.start.isoformat(), "value": shown if ok else self.printer(e.value),
                            "label": e.meta.label})
            if ok and isinstance(value, (Decimal, int)) and not isinstance(value, bool):
                points.append((e.start, Decimal(value), shown))
        base = None
        base_text = None
        if param is not None and not param.is_blank:
            ok, value = self.constant(param.value)
            if ok:
                base_text = format_value(value, kind, self.words)
                if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
                    base = (Decimal(value), base_text)
        chart = step_chart(points, base, title=v.label) if len(points) == len(entries) else None
        v.fields.update(param=s.name, param_label=self.label_of(s.name), param_href=self.item_href(s.name),
                        entries=entries, base_text=base_text, chart=chart)
        v.anchor = anchor("schedule-" + s.name)
        return v

    def requirement_view(self, r) -> ItemView:
        v = self.item_view(r, "requirement")
        deadline_value = None
        if r.deadline_date is not None:
            # reckoned from the declaring policy's dates, as the checker does: a city inheriting the
            # national "within two years" keeps the national deadline
            deadline_value = r.deadline_date.isoformat()
        elif r.deadline is not None:
            ok, value = self.constant(r.deadline)
            if ok and isinstance(value, _dt.date):
                deadline_value = value.isoformat()
        printer = self.printer
        declarer = r.origin
        if declarer.policy_id != self.policy.policy_id:
            level = (wording.level_name(declarer.level, self.policy.region) if self.lang == i18n.ZH
                     else declarer.level)
            printer = printer.naming(effective_date=i18n.DECLARER_EFFECTIVE_DATE[self.lang].format(
                level=level, policy=declarer.policy_id))
        deadline = printer(r.deadline) if r.deadline is not None else None
        if deadline is not None and isinstance(r.deadline, RLit):
            deadline = None  # a plain date needs no "that is …"
            deadline_value = r.deadline.value.isoformat() if isinstance(r.deadline.value, _dt.date) else deadline_value
        v.fields.update(cond=self.printer(r.cond), deadline=deadline, deadline_value=deadline_value)
        return v

    def given_words(self, name: str, value) -> str:
        """A value an example gives; a list input's elements as `{产品：A，金额：900元}` (each field by its label)."""
        if not isinstance(value, RListValue):
            return self.printer(value)
        t = self.policy.inputs[name].type if name in self.policy.inputs else None
        record = self.policy.records.get(t.record) if t is not None and t.kind == "list" else None
        sep, colon = self.words.t.comma, self.words.t.colon

        def label(field: str) -> str:
            found = record.field(field) if record is not None else None
            return found.label if found is not None and found.label else field

        return "[" + sep.join("{" + sep.join(f"{label(f)}{colon}{self.printer(x)}" for f, x in element) + "}"
                              for element in value.elements) + "]"

    def example_view(self, e) -> ItemView:
        v = self.item_view(e, "example")
        v.label = e.title or e.label or e.name
        v.anchor = anchor(f"example-{self.policy.examples.index(e) + 1}")
        given = [{"label": self.label_of(n), "name": n, "value": self.given_words(n, x)} for n, x, _ in e.given]
        expect = []
        for name, value, needs, _ in e.expect:
            if needs:
                expect.append({"label": self.label_of(name), "name": name, "value": None,
                               "needs": self.label_of(needs), "needs_name": needs})
            else:
                expect.append({"label": self.label_of(name), "name": name, "value": self.printer(value),
                               "needs": None, "needs_name": None})
        v.fields.update(as_of=self.printer(e.as_of) if e.as_of is not None else None, given=given, expect=expect)
        return v

    def provision_groups(self) -> list[ProvisionGroup]:
        groups: dict[str, list[ItemView]] = {}
        for p in self.policy.provisions.values():
            groups.setdefault(p.actor, []).append(self.shared("provision", p, self.provision_view))
        # Actors in the order they first appear: the document's own order.
        return [ProvisionGroup(actor, items) for actor, items in groups.items()]

    def provision_view(self, p) -> ItemView:
        v = self.item_view(p, "provision")
        v.fields.update(actor=p.actor, modality=p.modality, modality_word=self.words.modality(p.modality),
                        text=wording.provision_sentence(p.actor, p.modality, p.text) if self.lang == i18n.ZH
                        else p.text)
        if not p.label:  # a provision is known by what it says
            v.label = self.provision_sentence(p)
        return v

    def provision_sentence(self, p) -> str:
        if self.lang == i18n.ZH:
            return wording.provision_sentence(p.actor, p.modality, p.text)
        return " ".join((p.actor, self.words.modality(p.modality), p.text))

    def enum_view(self, e) -> ItemView:
        v = self.item_view(e, "enum")
        v.fields["members"] = [{"name": m, "label": label or m} for m, label in e.members]
        return v

    def input_view(self, i) -> ItemView:
        v = self.item_view(i, "input")
        v.fields.update(type_word=self.type_word(i.type), optional=i.optional)
        return v

    # -- blanks
    def dependents(self, name: str) -> list[str]:
        """Decisions that read `name` directly or through other decisions, in evaluation order."""
        reached = {name}
        out = []
        for decision_name in self.policy.decision_order:
            decision = self.policy.decisions.get(decision_name)
            if decision is not None and reached.intersection(decision.depends_on):
                reached.add(decision_name)
                out.append(decision_name)
        return out

    def blank_views(self) -> list[BlankView]:
        out = []
        policy = self.policy
        for p in policy.blanks:
            by = p.delegated_by or p.origin
            expected = p.to_level
            here = expected == policy.level or (expected is None and policy.is_leaf)
            if expected:
                expected_word = self.words.level(expected)
            elif here:  # named by this level, so the badge beside it does not say the same words again
                expected_word = self.words.level(policy.level)
            else:
                expected_word = self.words.ui("expected_below")
            needed_by = [self.label_of(name) for name in self.dependents(p.name)]
            out.append(BlankView(p.name, p.label or p.name, anchor(p.name), self.item_href(p.name),
                                 f"{self.words.level(by.level)} {by.policy_id}", expected, expected_word, here,
                                 needed_by))
        return out

    # -- the page
    def build(self) -> PolicyView:
        policy, w = self.policy, self.words
        params = [self.shared("param", p, self.param_view) for p in policy.params.values()]
        decisions, tables = [], []
        for d in policy.decisions.values():
            view = self.shared("decision", d, self.decision_view)
            (tables if view.kind == "table" else decisions).append(view)
        view = PolicyView(
            policy_id=policy.policy_id, lang=self.lang, words=w, page=self.page,
            root=relative(".", self.page) + "/" if "/" in self.page else "",
            title=policy.title or policy.policy_id, level_word=w.level(policy.level), region=policy.region,
            issuer=policy.issuer, document=policy.document,
            issued=policy.issued.isoformat() if policy.issued else None,
            effective=policy.effective.isoformat() if policy.effective else w.t.effective_unknown,
            ends=policy.ends.isoformat() if policy.ends else None,
            summary=policy.summary, source=self.site.rel(policy.path), has_errors=policy.has_errors,
            reconstructed=policy.status == "reconstructed",
            chain=[ChainEntry(c.policy_id, c.title or c.policy_id, c.document, w.level(c.level),
                              self.policy_href(c.policy_id), c.policy_id == policy.policy_id)
                   for c in policy.chain],
            uses=self.uses_views(),
            uses_declared={alias: b.declared for alias, b in policy.bindings.items() if b.rebound},
            children=[(c, self.policy_href(c)) for c in policy.children],
            override_href=self.link(override_page(policy.policy_id, self.ext)) if policy.parent else None,
            impact_href=self.link(impact_page(policy.policy_id)) if policy.policy_id in self.site.impact_reports
            else None,
            enums=[self.shared("enum", e, self.enum_view) for e in policy.enums.values()],
            inputs=[self.shared("input", i, self.input_view) for i in policy.inputs.values()],
            params=params, decisions=decisions, tables=tables,
            schedules=[self.shared("schedule", s, self.schedule_view) for s in policy.schedules.values()],
            requirements=[self.shared("requirement", r, self.requirement_view)
                          for r in policy.requirements.values()],
            examples=[self.example_view(e) for e in policy.examples],
            provisions=self.provision_groups(),
            findings=[], blanks=self.blank_views(), changed_here=[], counts={},
        )
        by_name = {i.name: i for i in view.all_items() if i.kind not in ("example", "schedule")}
        view.findings = [self.finding_view(d, by_name.get(self._matched.get(id(d), ""))) for d in self.diags]
        view.changed_here = [i for i in view.all_items() if i.defined_here and i.kind != "example"]
        view.counts = {
            "errors": sum(1 for d in self.diags if d.severity == "error"),
            "warnings": sum(1 for d in self.diags if d.severity == "warning"),
            "infos": sum(1 for d in self.diags if d.severity == "info"),
            "inherited": sum(1 for i in view.all_items() if not i.defined_here and i.kind != "example"),
            "suppressed": len(self.suppressed),
        }
        view.suppressed = self._suppressed_views()
        if policy.counts_working_days and policy.workdays is not None:
            from ...semantics.workdays import years_text

            view.workdays_years = years_text(policy.workdays.covered)
            for y in policy.workdays.years:
                n = y.notice
                view.workdays.append((y.year, n.title if n else "", n.document if n else None,
                                      n.issued.isoformat() if n and n.issued else None,
                                      [m.title + (f"（{m.document}）" if m.document else "") for m in y.notices[1:]],
                                      None if y.source == "built-in" else y.source))
        # How many of the rules in force each level of the chain set: "国家级 45、省级 13".
        view.by_level = [(w.level(link.level), link.policy_id,
                          sum(1 for i in view.all_items() if i.policy_id == link.policy_id and i.kind != "example"))
                         for link in policy.chain]
        return view

    # -- the override report
    def summary_lines(self, policy: ResolvedPolicy, item: Optional[Item]) -> list[Rich]:
        """One item as defined in `policy`, in a few lines, for before/after columns."""
        if item is None:
            return [plain(self.words.ui("nothing"))]
        builder = self if policy is self.policy else self._builder_for(policy)
        w = builder.words
        if isinstance(item, RParam):
            line = plain(w.statement(item.statement) + " ") + builder.param_value_rich(item)
            lines = [line] + [plain(w.bound(b.op) + " ") + builder.printer(b.expr) for b in item.bounds]
            if item.is_blank and item.to_level and not item.statement == "delegated":
                lines.append(plain(w.level(item.to_level)))
            return lines
        if isinstance(item, RDecision):
            if item.form == "expr":
                return [builder.printer(item.expr)]
            if item.form == "cases":
                lines = []
                for c in item.cases:
                    lines.append(plain(f"{w.ui('when')} ") + builder.printer(c.cond) +
                                 plain(f"{w.ui('then')} → " if w.lang == i18n.ZH else " → ") + builder.printer(c.value))
                if item.otherwise is not None:
                    lines.append(plain(f"{w.ui('otherwise')} → ") + builder.printer(item.otherwise.value))
                return lines
            rows = len(item.table.rows) if item.table else 0
            return [plain(f"{w.ui('tables')}（{rows}）" if w.lang == i18n.ZH else f"decision table ({rows} rows)")]
        kind = type(item).__name__
        if kind == "RProvision":
            if w.lang == i18n.ZH:
                return [plain(wording.provision_sentence(item.actor, item.modality, item.text))]
            return [plain(f"{item.actor} {w.modality(item.modality)} {item.text}")]
        if kind == "RRequirement":
            return [builder.printer(item.cond)]
        if kind == "RSchedule":
            return [plain(f"{e.start.isoformat()}: ") + builder.printer(e.value) for e in item.entries]
        if kind == "RInput":
            return [plain(builder.type_word(item.type))]
        if kind == "REnum":
            return [plain("、".join(label or m for m, label in item.members))]
        return [plain(item.label or item.name)]

    def _builder_for(self, policy: ResolvedPolicy) -> "PolicyPageBuilder":
        """A builder of another policy whose links start from this page (one per policy, reused)."""
        builder = self._others.get(policy.policy_id)
        if builder is None:
            builder = self._others[policy.policy_id] = PolicyPageBuilder(self.site, policy, self.ext, self.page)
        return builder

    def _kind_word(self, item: Item) -> str:
        kind = {"RParam": "params", "RDecision": "decisions", "RInput": "inputs", "REnum": "enums",
                "RSchedule": "schedules", "RRequirement": "requirements", "RProvision": "provisions"}
        key = kind.get(type(item).__name__, "item")
        if isinstance(item, RDecision) and item.form == "table":
            key = "tables"
        return self.words.ui(key)

    def _all_items(self, policy: ResolvedPolicy) -> list[Item]:
        items: list[Item] = []
        for table in (policy.params, policy.decisions, policy.schedules, policy.requirements,
                      policy.inputs, policy.enums, policy.provisions):
            items.extend(table.values())
        return items

    def _same_item(self, policy: ResolvedPolicy, item: Item) -> Optional[Item]:
        """The item of the same kind and name in another policy of the chain."""
        for table in (policy.params, policy.decisions, policy.schedules, policy.requirements,
                      policy.inputs, policy.enums, policy.provisions):
            found = table.get(item.name)
            if found is not None and type(found) is type(item):
                return found
        return None

    def change_view(self, item: Item, change: str, base: Optional[ResolvedPolicy], trail: list[Step],
                    changer: Origin, findings: list[FindingView]) -> ChangeView:
        before = self.summary_lines(base, self._same_item(base, item)) if base is not None else \
            [plain(self.words.ui("nothing"))]
        label = item.label or (self.provision_sentence(item) if isinstance(item, RProvision) else item.name)
        return ChangeView(
            name=item.name, label=label, kind_word=self._kind_word(item), change=change,
            change_word=self.words.action(change), before=before, after=self.summary_lines(self.policy, item),
            level_word=self.words.level(changer.level), trail=trail, reason=changer.meta.reason,
            article=item.article, location=self.site.location(changer),
            href=self.link(policy_page(self.policy.policy_id, self.ext)) + "#" + anchor(item.name)
            if self.policy.policy_id in self.site.rendered_set else None,
            findings=findings,
        )

    def shared_change(self, item: Item, change: str, base: ResolvedPolicy, trail: list[Step],
                      changer: Origin) -> ChangeView:
        """The row of an item without findings, or the same row a sibling's report built already.
        As `shared` for the policy pages: an inherited item reads alike on every report in the
        same folder, of the same format, whose policy holds the same definitions under every name
        the row reads and the same words, enums and bindings; and the row holds the same change,
        base, trail and changer. Only with the own-page token (the row's links to this policy's
        page are then the same text on every report)."""
        policy = self.policy

        def build() -> ChangeView:
            return self.change_view(item, change, base, trail, changer, [])

        if (self.own_token is None or self.page.startswith("policies/")
                or item.origin.policy_id == policy.policy_id or self.suppressed
                or policy.versions or self._findings_for_item(item)):
            return build()
        site = self.site
        reads = site.reads_of(policy, item)
        if reads is None:
            return build()
        links = self._definition_links(item)
        # A row links only to policy pages (its own page's link being the token), and from a page
        # in another top folder (overrides/) such a link is "../" times the page's depth and the
        # target: reports at the same depth link alike, whatever their folder.
        top, depth = self.page.split("/", 1)[0], self.page.count("/")
        key = ("change", id(item), change, id(base), tuple(map(id, trail)), id(changer), self.ext,
               top, depth, links, site.policy_context(policy), reads)
        found = site.shared_views.get(key)
        if found is not None and found[0] is item:
            return found[1]
        view = build()
        site.shared_views[key] = (item, view)
        site.shared_view_ids.add(id(view))
        return view

    def build_overrides(self) -> OverrideView:
        policy, w = self.policy, self.words
        policies = self.site.policies
        parent = policies.get(policy.parent) if policy.parent else None
        root_id = policy.chain[0].policy_id if policy.chain else None
        root = policies.get(root_id) if root_id and root_id != policy.policy_id else None
        vs_parent, vs_root = [], []
        for item in self._all_items(policy):
            set_here = item.origin.policy_id == policy.policy_id
            if not set_here and (root is None or all(o.policy_id == root_id for o in item.history)):
                continue  # in neither table: inherited from the root as the root set it
            diags = self._findings_for_item(item)
            views = [self.finding_view(d) for d in diags]
            steps = [self.step(o, item.history[i - 1] if i else None) for i, o in enumerate(item.history)]
            suppressed = [self.suppressed_view(r, item) for r in self._suppressed_for_item(item)] \
                if self.suppressed else []
            if set_here:
                change = "added" if len(item.history) == 1 else item_action(item, policy.policy_id, self.judged)
                if any(d.code in BINDING_CODES for d in diags) or suppressed:
                    change = "loosened"  # a suppressed binding finding is still a loosening, accepted in place
                vs_parent.append(self.change_view(item, change, parent, steps, item.origin, views))
                vs_parent[-1].suppressed = suppressed
            below_root = [(i, o) for i, o in enumerate(item.history) if o.policy_id != root_id]
            if root is not None and below_root:
                first_index, first = below_root[0]
                if first_index == 0:
                    change = "added"
                else:
                    changes = [s.action for s in steps[1:]]
                    change = "loosened" if "loosened" in changes else next(
                        (c for c in reversed(changes) if c not in ("restated",)), changes[-1])
                if views or suppressed:
                    vs_root.append(self.change_view(item, change, root, steps, item.history[-1], views))
                    vs_root[-1].suppressed = suppressed
                else:
                    vs_root.append(self.shared_change(item, change, root, steps, item.history[-1]))
        return OverrideView(
            policy_id=policy.policy_id, lang=self.lang, words=w, page=self.page,
            root=relative(".", self.page) + "/", title=policy.title or policy.policy_id,
            level_word=w.level(policy.level), region=policy.region, document=policy.document,
            policy_href=self.link(policy_page(policy.policy_id, self.ext)),
            parent_id=policy.parent, parent_title=(parent.title if parent else None) or policy.parent,
            parent_href=self.policy_href(policy.parent) if policy.parent else None,
            root_id=root_id if root is not None else None,
            root_title=(root.title or root_id) if root is not None else None,
            root_href=self.policy_href(root_id) if root is not None else None,
            parent_is_root=root is not None and policy.parent == root_id,
            vs_parent=vs_parent, vs_root=vs_root, blanks=self.blank_views(),
            findings=[self.finding_view(d) for d in self.diags],
            suppressed=self._suppressed_views(),
        )


# ---------------------------------------------------------------- the index


def build_index(site: SiteModel, ext: str) -> IndexView:
    lang = site.page_language()
    words = Words(lang)
    page = index_page(ext)
    policies = site.policies
    shown = set(site.rendered)
    # Show every rendered policy with its ancestors, so the tree always reaches national.
    for pid in list(shown):
        shown.update(c.policy_id for c in policies[pid].chain)

    # Each policy's findings, in the run's order (one pass over them, not one per policy).
    by_policy: dict[Optional[str], list[Diagnostic]] = {}
    for d in site.diagnostics:
        by_policy.setdefault(d.policy_id, []).append(d)

    def node(pid: str) -> TreeNode:
        p = policies[pid]
        diags = by_policy.get(pid, ())
        errors = sum(1 for d in diags if d.severity == "error")
        warnings = sum(1 for d in diags if d.severity == "warning")
        status = "errors" if errors or p.has_errors else "warnings" if warnings else "clean"
        return TreeNode(
            policy_id=pid, title=p.title or pid, level_word=words.level(p.level), region=p.region,
            document=p.document,
            href=relative(policy_page(pid, ext), page) if pid in site.rendered_set else None,
            override_href=relative(override_page(pid, ext), page) if pid in site.rendered_set and p.parent else None,
            status=status, status_word=words.ui(status), errors=errors, warnings=warnings,
            blanks=[(b.label or b.name, b.name) for b in p.blanks],
            children=[node(c) for c in p.children if c in shown],
        )

    roots = [node(pid) for pid in sorted(shown) if not policies[pid].parent or policies[pid].parent not in policies]
    resolved = set(policies)
    orphans = []
    for pid in sorted(set(site.run.workspace.targets) - resolved):
        orphans.append((pid, sum(1 for d in by_policy.get(pid, ()) if d.severity == "error")))
    return IndexView(lang, words, page, "", roots, orphans)
