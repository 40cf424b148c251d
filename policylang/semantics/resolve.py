"""Resolution: merge each `extends` chain into a ResolvedPolicy, binding names and types.

Reports what makes a chain impossible to merge or an expression meaningless:
header problems, unknown parents and cross-references, cycles, levels out of
order, dates before the parent's, redefinitions without `override`,
overrides of nothing, unknown names and types, type and unit errors, circular
decisions. Whether an override is *allowed* (a floor lowered, a fixed rule
changed…) is the checker's question, asked of the histories recorded here.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import heapq
import itertools
import os
from decimal import Decimal
from typing import Optional

import attrs

from ..diagnostics import Diagnostic, Related
from ..messages import M, N, P
from ..wording import keyword_words, type_words
from ..gcpause import gc_paused
from ..syntax import ast as A
from . import judgment as J
from . import types as T
from . import operators as OPS
from .builtins import AGGREGATES, BUILTINS
from .loader import Workspace
from .model import (
    RAggregate,
    RListValue,
    RField,
    RKeyed,
    RRecord,
    Binding,
    ChainLink,
    Duration,
    Origin,
    RBinary,
    RBound,
    RCall,
    RCase,
    RCell,
    RDecision,
    REnum,
    RExample,
    RExpr,
    RIf,
    RIn,
    RInput,
    RLit,
    RParam,
    RProvision,
    RRef,
    RRequirement,
    RRow,
    RSchedule,
    RScheduleEntry,
    RTable,
    RUnary,
    ResolvedPolicy,
    rwalk,
    references,
)

LEVEL_RANK = {level: rank for rank, level in enumerate(A.LEVELS)}
REQUIRED_HEADER = ("title", "level", "effective")
# `status …`: what the file is, when it is not simply the text of a notice in force.
# reconstructed: the notice's text is not in hand; the file is rebuilt from what other notices quote.
STATUSES = ("reconstructed",)
HEADER_WORD = {"title": "policy", "level": "level", "effective": "effective"}

# Which namespace each declaration kind lives in. Values share one namespace:
# a name means one thing.
NAMESPACE = {
    "enum": "value", "input": "value", "param": "value", "decision": "value", "table": "value", "record": "value",
    "schedule": "schedule", "require": "require", "example": "example", "provision": "provision",
    "calendar": "calendar",
}
KIND_WORD = {
    "enum": "an enumeration", "input": "an input", "param": "a parameter", "decision": "a decision",
    "table": "a decision table", "schedule": "a schedule", "require": "a requirement",
    "example": "an example", "provision": "a provision", "record": "a record", "calendar": "a calendar year",
}
# The same in Chinese, for message_zh.
KIND_WORD_ZH = {
    "enum": "枚举", "input": "输入项", "param": "参数", "decision": "决策项",
    "table": "决策表", "schedule": "过渡安排", "require": "约束要求",
    "example": "示例", "provision": "条款义务", "record": "记录", "calendar": "节假日安排",
}
LEVEL_WORD_ZH = {"national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级"}
DIRECTION_ZH = {"ceiling": "上限", "floor": "下限"}
ROUND_UNIT_ZH = {"fen": "分", "jiao": "角", "yuan": "元", "unit": "整数"}
ROUND_MODE_ZH = {"half_up": "四舍五入", "half_even": "四舍六入五成双", "up": "向上取", "down": "向下取"}


_CLOSE_POOL = 64


def _closest(name: str, candidates) -> Optional[str]:
    pool = list(candidates)
    if len(pool) > _CLOSE_POOL:
        # Policy ids of a large tree are alike, so difflib would score thousands of them for each
        # unknown name (a tree checked from the wrong folder names every parent wrongly): first a
        # candidate that differs only by leading folders, else the ones sharing most of both ends.
        moved = sorted(c for c in pool if c.endswith("/" + name) or name.endswith("/" + c))
        if moved:
            return min(moved, key=len)
        pool = heapq.nlargest(_CLOSE_POOL, pool, key=lambda c: (_shared_ends(name, c), c))
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return close[0] if close else None


def _shared_ends(a: str, b: str) -> int:
    head = len(os.path.commonprefix((a, b)))
    tail = len(os.path.commonprefix((a[::-1], b[::-1])))
    return min(head + tail, len(a), len(b))


def W(key: str, /, **params) -> dict:
    """The what and what_zh arguments of Scope.expr(): how a message names the expression checked."""
    what, what_zh = P(key, **params)
    return {"what": what, "what_zh": what_zh}


_THIS = P("phrase.what.this")


def hint_for(name: str, candidates, otherwise: Optional[str] = None, /, **params) -> dict:
    """The hint and hint_zh parameters of a message: 'did you mean …?' when a candidate is close to
    name, else the catalogue's phrase `otherwise` (or no hint)."""
    close = _closest(name, candidates)
    if close:
        en, zh = P("phrase.did_you_mean", close=close)
    elif otherwise is not None:
        en, zh = P(otherwise, **params)
    else:
        en = zh = None
    return {"hint": en, "hint_zh": zh}


def level_zh(level: str) -> str:
    return LEVEL_WORD_ZH.get(level, level)


def levels_zh(levels) -> str:
    """'provincial（省级）、municipal（市级）': level keywords as written, with their Chinese names."""
    return "、".join(f"{lv}（{level_zh(lv)}）" for lv in levels)


def describe_zh(t: T.Type) -> str:
    """T.describe() for Chinese messages: '金额', '枚举类型“Institution”', '列表（记录类型“PurchaseLine”）'."""
    if t.kind == "enum":
        return f"枚举类型“{t.enum}”"
    if t.kind == "list":
        return f"列表（记录类型“{t.record}”）"
    return "是/否值" if t.kind == "bool" else T.ZH.get(t.kind, t.kind)


def _func_zh(func: str) -> str:
    """An aggregate or builtin function by its Chinese name (合计, 计数), as a Chinese keyword file writes it."""
    from ..syntax import keywords as K

    return K.FUNCTIONS.get(func, (func,))[0]


def _names_zh(names) -> str:
    return "、".join(f"“{n}”" for n in names)


@attrs.define
class Resolution:
    policies: dict[str, ResolvedPolicy]
    diagnostics: list[Diagnostic]
    order: list[str]  # ids in dependency order (parents and used policies first)
    unresolved: set[str]  # ids that could not be resolved (cycles, unknown parents, fatal header errors)
    # Resolved only some policies (and what they depend on): their diagnostics are complete,
    # the other policies' resolution diagnostics are not in this Resolution.
    partial: bool = False


class _Raw:
    """A chain merged so far: for each namespace, name -> history of Origins."""

    def __init__(self):
        self.items: dict[str, dict[str, list[Origin]]] = {ns: {} for ns in set(NAMESPACE.values())}

    def copy(self) -> "_Raw":
        new = _Raw()
        for ns, table in self.items.items():
            new.items[ns] = {name: list(hist) for name, hist in table.items()}
        return new


# Resolution leaves out policies further down an extends chain than this (PL323); with the levels
# right a chain has at most 4 policies.
MAX_CHAIN_DEPTH = 16
# The types whose values are never negative: a parameter's value or bound written with a minus
# sign is refused (PL214).
NOT_NEGATIVE = {"count": "a count", "money": "an amount of money", "percent": "a percentage"}


def _decl_kind(decl) -> str:
    return decl.kind


class Resolver:
    def __init__(self, ws: Workspace):
        self.ws = ws
        self.diags: list[Diagnostic] = []
        self.raw: dict[str, _Raw] = {}
        self.resolved: dict[str, ResolvedPolicy] = {}
        self.expr_cache: dict[int, RExpr] = {}
        self.working_days_memo: dict[int, tuple] = {}  # id(item) -> (item, counts working days)
        self.chain_links: dict[str, tuple] = {}  # policy id -> (its file, its ChainLink)
        self.type_cache: dict[int, T.Type] = {}
        self.reported: set[int] = set()
        self.children: dict[str, list[str]] = {}
        self.error_ids: set[str] = set()  # policies whose own files have errors
        self.bindings: dict[str, dict[str, Binding]] = {}  # policy id -> alias -> what its `uses` mean there
        self.windows: dict[str, tuple] = {}  # policy id -> the windows of policy_windows()
        # policy id -> its whole working-day calendar (before it is cut to its window): what a date
        # fixed by its text (a schedule's start, a deadline) counts working days on
        self.full_calendars: dict = {}
        self.external_cache: dict[int, tuple] = {}  # id(expr) -> the (alias, name) it reads through `uses`
        self.external_value_cache: dict[tuple[str, str], object] = {}  # (bound policy, name) -> value
        # Amending notices (`amends ID`): amendment id -> the notice its chain amends (the root), and
        # -> the version it is merged onto (the root, or the amendment before it); root -> its
        # amendments in the order they apply (effective date, then id).
        self.amendment_root: dict[str, str] = {}
        self.amendment_base: dict[str, str] = {}
        self.amendments_of: dict[str, list[str]] = {}
        # (policy id, day) -> the merged chain of its version from that day (a policy below an
        # amended notice: its definitions over the amended version; see _inherit_versions).
        self.version_raw: dict[tuple, _Raw] = {}

    # ------------------------------------------------------------ diagnostics
    def say(self, key, span, policy_id, /, related=(), **params):
        """Report the catalogue's message `key` (policylang/catalogue.py) with its parameters."""
        self.error(**M(key, **params), span=span, related=related, policy_id=policy_id)

    def error(self, code, message, span, hint=None, related=(), policy_id=None, message_zh=None, hint_zh=None):
        diag = Diagnostic(code, message, span, hint=hint, related=tuple(related), policy_id=policy_id,
                          message_zh=message_zh, hint_zh=hint_zh)
        self.diags.append(diag)
        if diag.severity == "error":
            self.error_ids.add(policy_id)

    # ------------------------------------------------------------ driver
    def run(self, only: Optional[set[str]] = None, scope: Optional["Scope"] = None) -> Resolution:
        files = self.ws.files
        valid: dict[str, A.PolicyFile] = {}
        # A scope: only its files are read (see `Scope`); the others are looked at by id only.
        present = files.items() if scope is None else [(pid, files[pid]) for pid in files if pid in scope.ids]
        for pid, pf in present:
            if self._check_header(pid, pf):
                valid[pid] = pf
        self._refuse_deep_chains(valid)
        self._find_amendments(valid)
        for pid, pf in valid.items():
            parent = pf.extends
            if parent:
                self.children.setdefault(parent, []).append(pid)
        if scope is not None:
            for pid, parent in scope.outside_parents.items():
                self.children.setdefault(parent, []).append(pid)
        self.bindings, conflicts = bind_cross_references(valid)
        self.windows = policy_windows(valid)
        for pid, root in self.amendment_root.items():
            # An amendment reads what the notice it amends reads, and stands where it stands.
            self.bindings[pid] = {**self.bindings.get(root, {}), **self.bindings.get(pid, {})}
            self.windows[pid] = self.windows.get(root, ())
        self._report_alias_conflicts(conflicts)
        order, unresolved = self._order(valid)
        in_scope = order
        if scope is not None:
            # The order of the whole tree, as the last run found it (the headers are the same):
            # the scope's policies are resolved in it, exactly as a run over every file would.
            if set(order) != set(scope.order) & scope.ids:
                raise ScopeMismatch("the scope's order is not the tree's")
            order = list(scope.order)
        needed = None if only is None else self._with_dependencies(only, valid, self.bindings, self._amendment_links())
        for pid in order:
            if needed is None or pid in needed:
                self._resolve_policy(pid, valid[pid])
        if self.amendments_of:
            for pid in order:
                if pid in self.resolved:
                    self._inherit_versions(pid, valid[pid])
        skipped = set() if needed is None else set(in_scope) - needed
        unresolved |= set(valid if scope is not None else files) - set(self.resolved) - skipped
        if scope is not None:
            unresolved |= {pid for pid, _pf in present} - set(valid)
        return Resolution(self.resolved, self.diags, order, unresolved, partial=needed is not None)

    def _refuse_deep_chains(self, valid: dict[str, A.PolicyFile]) -> None:
        """Leave out (PL323) every policy more than MAX_CHAIN_DEPTH levels down an extends chain:
        with the levels right a chain has 4, and resolving holds each level's whole chain, so a
        chain of thousands would cost time and memory by its square. Depths are counted in one
        pass over the tree; the policies below the one reported are left out without a word."""
        depth: dict[str, int] = {}
        for start in valid:
            path: list[str] = []
            on_path: set[str] = set()
            cur = start
            while cur in valid and cur not in depth and cur not in on_path:
                path.append(cur)
                on_path.add(cur)
                cur = valid[cur].extends
            base = None if cur in on_path else depth.get(cur, 0)  # None: a cycle, which _order reports
            for pid in reversed(path):
                base = None if base is None else base + 1
                depth[pid] = 0 if base is None else base
        deep = {pid for pid, d in depth.items() if d > MAX_CHAIN_DEPTH}
        for pid in sorted(p for p in deep if depth[p] == MAX_CHAIN_DEPTH + 1):
            root = pid
            while valid[root].extends in valid:
                root = valid[root].extends
            self.say("PL323.too_deep", valid[pid].header_item("extends").span, pid, depth=depth[pid], root=root,
                     most=MAX_CHAIN_DEPTH)
        for pid in deep:
            del valid[pid]

    def _amendment_links(self) -> dict[str, list[str]]:
        """What each policy needs besides its parent and used policies: an amendment its base, an
        amended notice its amendments (its versions are part of it)."""
        links: dict[str, list[str]] = {pid: [base] for pid, base in self.amendment_base.items()}
        for root, amendments in self.amendments_of.items():
            links.setdefault(root, []).extend(amendments)
        return links

    def _find_amendments(self, valid: dict[str, A.PolicyFile]) -> None:
        """Check each `amends` line and order each notice's amendments. An amendment that cannot
        apply (its notice unknown or at another level, with an `extends` line, in a circle of
        amendments, without a date) is reported and left out, as a policy with an unknown parent."""
        drop: set[str] = set()
        for pid, pf in valid.items():
            item = pf.header_item("amends")
            if item is None:
                for key in ("amended_effective", "amended_ends"):
                    moved = pf.header_item(key)
                    if moved is not None:
                        self.say("PL340.dates_without_amends", moved.span, pid, word=key[len("amended_"):])
                continue
            target = item.value
            if pf.header_item("extends") is not None:
                self.say("PL340.with_extends", pf.header_item("extends").span, pid, target=target)
                drop.add(pid)
                continue
            if target not in self.ws.files:
                self.say("PL340.unknown_target", item.span, pid, target=target,
                         **hint_for(target, self.ws.files, "phrase.PL301.ids", root=self.ws.root))
                drop.add(pid)
                continue
            root, seen = target, [pid]
            while root in valid and valid[root].amends and root not in seen:
                seen.append(root)
                root = valid[root].amends
            if root in seen:
                self.say("PL340.cycle", item.span, pid, cycle=" -> ".join(seen + [root]))
                drop.add(pid)
                continue
            if root not in valid:
                drop.add(pid)  # the notice amended is broken or unknown: reported on its own file
                continue
            amended = valid[root]
            if pf.level != amended.level:
                self.say("PL340.other_level", item.span, pid, target=root, level=pf.level,
                         level_zh=level_zh(pf.level), target_level=amended.level,
                         target_level_zh=level_zh(amended.level))
                drop.add(pid)
                continue
            if pf.effective is None:
                self.say("PL340.no_date", pf.header_item("effective").span, pid, target=root)
                drop.add(pid)
                continue
            region, amended_region = pf.header_value("region"), amended.header_value("region")
            if region is not None and amended_region is not None and region != amended_region:
                self.say("PL340.other_region", pf.header_item("region").span, pid, target=root, region=region,
                         target_region=amended_region,
                         related=[Related(amended.header_item("region").span, **N("note.PL340.region", target=root))])
            self.amendment_root[pid] = root
        for pid in drop:
            del valid[pid]
        for pid, root in self.amendment_root.items():
            self.amendments_of.setdefault(root, []).append(pid)
        for root, amendments in self.amendments_of.items():
            amendments.sort(key=lambda a: (valid[a].effective, a))
            for before, after in zip([root] + amendments, amendments):
                self.amendment_base[after] = before

    @staticmethod
    def _with_dependencies(only: set[str], valid: dict[str, A.PolicyFile],
                           bindings: Optional[dict] = None, links: Optional[dict] = None) -> set[str]:
        """The given policies and every policy they extend or use (the versions their `uses`
        are bound to included), an amendment's base and an amended notice's amendments,
        transitively."""
        needed: set[str] = set()
        stack = [p for p in only if p in valid]
        while stack:
            pid = stack.pop()
            if pid in needed:
                continue
            needed.add(pid)
            pf = valid[pid]
            bound = [b.bound for b in (bindings or {}).get(pid, {}).values()]
            for upper in ([pf.extends] if pf.extends else []) + [u.policy_id for u in pf.uses] + bound + \
                    (links or {}).get(pid, []):
                if upper in valid and upper not in needed:
                    stack.append(upper)
        return needed

    def _report_alias_conflicts(self, conflicts) -> None:
        for pid, use, earlier in conflicts:
            where_en, where_zh = P("phrase.PL321.this_file") if earlier.declared_in == pid else \
                P("phrase.PL321.by", policy=earlier.declared_in)
            self.say("PL321.alias_taken", use.span, pid,
                     related=[Related(earlier.span, **N("note.PL321.declared_here", alias=use.alias))],
                     alias=use.alias, declared=earlier.declared, where=where_en, where_zh=where_zh,
                     policy=use.policy_id)

    # ------------------------------------------------------------ headers
    def _check_header(self, pid: str, pf: A.PolicyFile) -> bool:
        seen: dict[str, A.HeaderItem] = {}
        ok = True
        for item in pf.header:
            if item.key in seen:
                word = HEADER_WORD.get(item.key, item.key)
                self.say("PL106.twice", item.span, pid,
                         related=[Related(seen[item.key].span, **N("note.PL106.first"))], word=word)
            else:
                seen[item.key] = item
        first_line = A.Span(pf.path, 1, 1, 1, 1)
        for key in REQUIRED_HEADER:
            if key not in seen and key not in pf.unreadable:  # an unreadable line was reported already
                example = {"title": 'policy "关于…的通知"', "level": "level provincial",
                           "effective": "effective 2021-01-01"}[key]
                self.say("PL107.missing", first_line, pid, word=HEADER_WORD[key], example=example)
                ok = False
        level = seen.get("level")
        if level is not None and level.value not in LEVEL_RANK:
            self.say("PL108.unknown_level", level.span, pid, level=level.value,
                     **hint_for(level.value, A.LEVELS, "phrase.PL108.levels", levels=", ".join(A.LEVELS),
                                levels_zh=levels_zh(A.LEVELS)))
            ok = False
        status = seen.get("status")
        if status is not None and status.value not in STATUSES:
            self.say("PL112.unknown_status", status.span, pid, status=status.value)
        eff, ends = seen.get("effective"), seen.get("ends")
        if eff is not None and ends is not None and eff.value is not None and ends.value < eff.value:
            self.say("PL502.ends_first", ends.span, pid, related=[Related(eff.span, **N("note.PL502.effective"))],
                     ends=ends.value, effective=eff.value)
        # Duplicate declarations within one file.
        firsts: dict[tuple[str, str], A.Decl] = {}
        for decl in pf.decls:
            if decl.kind == "example" and decl.name is None:
                continue
            key = (NAMESPACE[decl.kind], decl.name)
            if key in firsts:
                first = firsts[key]
                self.say("PL109.twice", decl.name_span, pid,
                         related=[Related(first.name_span, **N("note.PL109.first", kind=KIND_WORD[first.kind],
                                                               kind_zh=KIND_WORD_ZH[first.kind]))],
                         name=decl.name)
            else:
                firsts[key] = decl
        return ok

    # ------------------------------------------------------------ graph
    def _order(self, valid: dict[str, A.PolicyFile]) -> tuple[list[str], set[str]]:
        """Parents and used policies first. Reports unknown parents, cycles and level order."""
        deps: dict[str, list[tuple[str, str, A.Span]]] = {}
        all_ids = set(self.ws.files)
        bad: set[str] = set()
        for pid, pf in valid.items():
            edges = []
            ext = pf.header_item("extends")
            if ext is not None:
                if ext.value not in valid:
                    if ext.value in all_ids:
                        pass  # the parent exists but is broken: its own diagnostics explain why
                    else:
                        self.say("PL301.unknown_parent", ext.span, pid, parent=ext.value,
                                 **hint_for(ext.value, all_ids, "phrase.PL301.ids", root=self.ws.root))
                    bad.add(pid)
                else:
                    edges.append((ext.value, "extends", ext.span))
            for use in pf.uses:
                if use.policy_id not in valid:
                    if use.policy_id not in all_ids:
                        self.say("PL314.unknown_used", use.span, pid, policy=use.policy_id,
                                 **hint_for(use.policy_id, all_ids))
                    bad.add(pid)
                else:
                    edges.append((use.policy_id, "uses", use.span))
            for binding in self.bindings.get(pid, {}).values():
                if binding.bound != pid and binding.bound in valid:
                    edges.append((binding.bound, "uses", binding.span))
            if pid in self.amendment_base:
                edges.append((self.amendment_base[pid], "amends", pf.header_item("amends").span))
            deps[pid] = edges
        # Cycles, reported once per circle; order puts parents and used policies first.
        in_cycle: set[str] = set()

        def on_cycle(cycle: list[str], node: str, edge) -> None:
            members = cycle[:-1]
            if not in_cycle & set(members):
                self.say("PL302.cycle", edge[2], node,
                         related=[Related(valid[m].header_item("extends").span
                                          if valid[m].header_item("extends") else A.Span(valid[m].path, 1, 1, 1, 1),
                                          **N("note.PL302.member", policy=m))
                                  for m in members if m != node],
                         cycle=" -> ".join(cycle))
            in_cycle.update(members)

        order = topological_order(sorted(deps), lambda n: deps[n], lambda edge: edge[0], on_cycle)
        # Anything depending on a bad or cyclic policy cannot be resolved either.
        blocked = set(bad) | in_cycle
        changed = True
        while changed:
            changed = False
            for pid, edges in deps.items():
                if pid not in blocked and any(t in blocked for t, _, _ in edges):
                    blocked.add(pid)
                    changed = True
        for pid, pf in valid.items():
            ext = pf.header_item("extends")
            if ext is None or ext.value not in valid:
                continue
            parent = valid[ext.value]
            if LEVEL_RANK[pf.level] <= LEVEL_RANK[parent.level]:
                below = [lv for lv in A.LEVELS if LEVEL_RANK[lv] > LEVEL_RANK[parent.level]]
                hint = P("phrase.PL303.levels", levels=", ".join(below), levels_zh=levels_zh(below)) if below \
                    else P("phrase.PL303.county")
                self.say("PL303.not_below", ext.span, pid,
                         related=[Related(parent.header_item("level").span,
                                          **N("note.PL303.parent_level", parent=ext.value, level=parent.level,
                                              level_zh=level_zh(parent.level)))],
                         level=pf.level, level_zh=level_zh(pf.level), parent_level=parent.level,
                         parent_level_zh=level_zh(parent.level), hint=hint[0], hint_zh=hint[1])
            if pf.effective and parent.effective and pf.effective < parent.effective:
                self.say("PL501.before_parent", pf.header_item("effective").span, pid,
                         related=[Related(parent.header_item("effective").span, **N("note.PL501.parent"))],
                         effective=pf.effective, parent=ext.value, parent_effective=parent.effective)
        return [p for p in order if p not in blocked], blocked

    # ------------------------------------------------------------ merging
    def _merge(self, pid: str, pf: A.PolicyFile, over: Optional[_Raw] = None) -> _Raw:
        base = self.amendment_base.get(pid)
        parent = base or pf.extends
        if over is not None:
            raw = over.copy()  # a version of the parent (an amended notice above): its merged chain
        else:
            raw = self.raw[parent].copy() if parent else _Raw()
        level = pf.level
        seen_here: set[tuple[str, str]] = set()
        # An amendment replaces the definitions of its own level: the amended notice's and those of
        # the amendments before it.
        same_level = frozenset()
        if base is not None:
            root = self.amendment_root[pid]
            same_level = frozenset([root] + self.amendments_of[root][:self.amendments_of[root].index(pid)])
        for decl in pf.decls:
            if decl.kind == "example":
                continue
            if not self._merge_decl(raw, pid, level, pf, decl, seen_here, same_level):
                continue
            if decl.kind == "param" and decl.is_keyed:
                # Each key is a param of its own (`cap.stainless`), inherited, overridden and filled
                # key by key: a key the override does not write stays as the level above left it.
                for key in decl.keys:
                    label = f"{decl.meta.label}（{key.meta.label or key.name}）" if decl.meta.label else key.meta.label
                    meta = attrs.evolve(key.meta, label=label, article=key.meta.article or decl.meta.article,
                                        reason=key.meta.reason or decl.meta.reason)
                    self._merge_decl(raw, pid, level, pf, attrs.evolve(
                        key, name=A.key_name(decl.name, key.name), override=decl.override, type=decl.type,
                        meta=meta), seen_here, same_level)
        return raw

    def _merge_decl(self, raw: _Raw, pid: str, level: str, pf: A.PolicyFile, decl, seen_here: set,
                    same_level: frozenset = frozenset()) -> bool:
        """Add one declaration to the merged chain; False when it was left out (a duplicate, a kind change)."""
        kind = decl.kind
        ns = NAMESPACE[kind]
        key = (ns, decl.name)
        if key in seen_here:
            return False  # a duplicate in one file: already reported (PL109)
        seen_here.add(key)
        history = raw.items[ns].get(decl.name)
        origin = Origin(pid, level, pf.path, decl.span, decl.meta, decl, decl.override, "set")
        if history is None:
            if decl.override and kind == "calendar":
                self.say("PL308.calendar_not_inherited", decl.name_span, pid, name=decl.name)
            elif decl.override:
                candidates = [n for n in raw.items[ns]]
                self.say("PL308.nothing_inherited", decl.name_span, pid, name=decl.name,
                         **hint_for(decl.name, candidates, "phrase.PL308.new"))
            raw.items[ns][decl.name] = [origin]
            return True
        previous = history[-1]
        prev_kind = _decl_kind(previous.decl)
        if prev_kind != kind and not ({prev_kind, kind} <= {"decision", "table"}):
            self.say("PL315.kind_changed", decl.name_span, pid,
                     related=[Related(previous.span, **N("note.PL315.defined", policy=previous.policy_id))],
                     name=decl.name, was=KIND_WORD[prev_kind], was_zh=KIND_WORD_ZH[prev_kind], level=previous.level,
                     level_zh=level_zh(previous.level), now=KIND_WORD[kind], now_zh=KIND_WORD_ZH[kind])
            return False
        if kind == "param" and getattr(previous.decl, "key_input", None) != decl.key_input:
            related = [Related(previous.span, **N("note.PL230.inherited", policy=previous.policy_id))]
            if decl.key_input is None or previous.decl.key_input is None:
                self.say("PL230.keyed_changed", decl.name_span, pid, related=related, name=decl.name,
                         policy=previous.policy_id)
            else:
                self.say("PL230.other_key_input", decl.key_input_span, pid, related=related, name=decl.name,
                         key_input=decl.key_input, upper=previous.decl.key_input, policy=previous.policy_id)
            return False
        if not decl.override:
            self.say("PL307.needs_override", decl.name_span, pid,
                     related=[Related(previous.span, **N("note.PL307.inherited"))], name=decl.name,
                     policy=previous.policy_id, level=previous.level, level_zh=level_zh(previous.level),
                     kind=keyword_words(kind))
        if previous.policy_id in same_level:
            # An amendment: from its date on this definition takes the place of its own level's,
            # and is judged, as that one was, against the levels above.
            if previous.policy_id in self.amendment_root and \
                    self.ws.files[previous.policy_id].effective == pf.effective:
                self.say("PL341.conflict", decl.name_span, pid,
                         related=[Related(previous.span, **N("note.PL341.other", policy=previous.policy_id))],
                         name=decl.name, other=previous.policy_id, target=self.amendment_root[pid],
                         date=pf.effective)
            upper = history[-2] if len(history) > 1 else None
            history[-1] = attrs.evolve(origin, action=_action(upper.decl, decl) if upper is not None else "set",
                                       amended=previous)
            return True
        history.append(attrs.evolve(origin, action=_action(previous.decl, decl)))
        return True

    # ------------------------------------------------------------ one policy
    def _inherit_versions(self, pid: str, pf: A.PolicyFile) -> None:
        """A policy below an amended notice (its parent, or a level further up, has versions from an
        amendment's date on): one version of it per version of its parent, its own definitions merged
        onto the parent's version, which applies from the same day. A policy that is amended itself
        combines both timelines: from each day either changes, its own version in force that day (as
        written, or as its amendments up to then made it) over the parent's version in force then."""
        policy = self.resolved[pid]
        parent = self.resolved.get(pf.extends) if pf.extends else None
        if parent is None or not parent.versions or pid in self.amendment_root:
            return
        own = [(None, policy)] + list(policy.versions)  # the policy as written, then each amendment's version
        uppers = [(None, parent)] + list(parent.versions)
        days = sorted({start for start, _ in policy.versions} | {start for start, _ in parent.versions})
        combined: dict[tuple[int, int], object] = {}
        versions = []
        for day in days:
            k = max(i for i, (start, _) in enumerate(own) if start is None or start <= day)
            j = max(i for i, (start, _) in enumerate(uppers) if start is None or start <= day)
            if j == 0:  # its own amendment, over the parent as written
                versions.append((day, own[k][1]))
                continue
            if (k, j) not in combined:
                version = self._version_over(own[:k + 1], uppers[j])
                if version is None:
                    return
                combined[(k, j)] = version
            version = combined[(k, j)]
            self.version_raw[(version.policy_id, day)] = self.version_raw[(version.policy_id, uppers[j][0])]
            versions.append((day, version))
        self.resolved[pid] = attrs.evolve(policy, versions=tuple(versions))

    def _version_over(self, own: list, upper_version: tuple):
        """The policy as written and its amendments up to one of them (`own`: (day, resolved) each),
        merged in order onto one version of the parent (`upper_version`: (day, resolved)): the last
        of them as it stands over that version, or None when the parent's merged chain is missing.
        What the version finds that the policy as written does not (a kind the amendment changed
        under an override of it) is reported; what both find, once."""
        start, upper = upper_version
        upper_raw = self.version_raw.get((upper.policy_id, start))
        if upper_raw is None and upper.amends:
            upper_raw = self.raw.get(upper.policy_id)
        if upper_raw is None:
            return None
        version = None
        for _, written in own:
            vid = written.policy_id
            mark = len(self.diags)
            version = self._resolve_policy(vid, self.ws.files[vid], over=(start, upper, upper_raw))
            if len(self.diags) > mark:
                known = {(d.code, d.span, d.message) for d in self.diags[:mark] if d.policy_id == vid}
                fresh = [d for d in self.diags[mark:] if (d.code, d.span, d.message) not in known]
                del self.diags[mark:]
                self.diags.extend(fresh)
            upper_raw = self.version_raw[(vid, start)]
        return version

    def _resolve_policy(self, pid: str, pf: A.PolicyFile, over: Optional[tuple] = None):
        """Resolve one policy (stored in self.resolved), or with `over` = (day, the parent's version
        from that day, its merged chain) the version of it that extends that version (returned)."""
        raw = self._merge(pid, pf, over[2] if over is not None else None)
        if over is None:
            self.raw[pid] = raw
        else:
            self.version_raw[(pid, over[0])] = raw
        root = self.amendment_root.get(pid)
        base = self.resolved.get(self.amendment_base[pid]) if root is not None else None
        chain = []
        cur = pid
        links = self.chain_links
        while cur:
            f = self.ws.files[cur]
            link = links.get(cur)
            if link is None or link[0] is not f:
                link = links[cur] = (f, ChainLink(cur, f.level, f.path, f.title, f.header_value("document"),
                                                  f.effective))
            chain.append(link[1])
            cur = f.extends
        chain.reverse()
        if root is not None:
            # The amended notice's chain, with the amendment in its place.
            chain = list(self.resolved[root].chain[:-1]) + chain
        if over is not None:
            # The parent's version's chain (the amending notice in the amended notice's place), then this.
            chain = list(over[1].chain) + chain[-1:]
        scope = _Scope(self, pid, pf, raw)
        parent = base if root is not None else (self.resolved.get(pf.extends) if pf.extends else None)
        if over is not None:
            parent = over[1]
        calendars = {year: tuple(hist) for year, hist in raw.items["calendar"].items()}
        full_calendar = self._workdays(pid, calendars)
        if over is None:
            self.full_calendars[pid] = full_calendar

        def build(table: str, name: str, hist: list, make):
            """The parent's resolved item when this level only inherits it (same definitions), else a new one."""
            if parent is not None:
                previous = getattr(parent, table).get(name)
                # A history only grows at its end down the chain, so the same length and the
                # same last definition mean the same history.
                if previous is not None and len(previous.history) == len(hist) and previous.history[-1] is hist[-1]:
                    return previous
            return make(name, hist)

        enums = {name: build("enums", name, hist, scope.enum)
                 for name, hist in raw.items["value"].items() if hist[-1].decl.kind == "enum"}
        scope.enums = enums
        records = {name: build("records", name, hist, scope.record)
                   for name, hist in raw.items["value"].items() if hist[-1].decl.kind == "record"}
        scope.records = records
        scope.build_index()
        inputs, params, decisions, keyed = {}, {}, {}, {}
        for name, hist in raw.items["value"].items():
            kind = hist[-1].decl.kind
            if kind == "input":
                inputs[name] = build("inputs", name, hist, scope.input)
            elif kind == "param" and hist[-1].decl.is_keyed:
                keyed[name] = build("keyed", name, hist, scope.keyed)
            elif kind == "param":
                params[name] = build("params", name, hist, scope.param)
        for name, hist in raw.items["value"].items():
            if hist[-1].decl.kind in ("decision", "table"):
                decisions[name] = build("decisions", name, hist, scope.decision)
        schedules = {}
        for name, hist in raw.items["schedule"].items():
            sched = build("schedules", name, hist, lambda n, h: scope.schedule(n, h, params))
            if sched is not None:
                schedules[name] = sched
                if params[name].schedule is not sched:
                    params[name] = attrs.evolve(params[name], schedule=sched)
        requirements = {name: build("requirements", name, hist, scope.requirement)
                        for name, hist in raw.items["require"].items()}
        provisions = {
            name: build("provisions", name, hist, lambda n, h: RProvision(
                n, h[-1], tuple(h), actor=h[-1].decl.actor,
                actors=h[-1].decl.actors or (h[-1].decl.actor,), modality=h[-1].decl.modality, text=h[-1].decl.text))
            for name, hist in raw.items["provision"].items()
        }
        examples = tuple(scope.example(decl) for decl in pf.decls if decl.kind == "example")
        counts_working_days = self._counts_working_days(decisions, params, schedules, requirements, examples)
        if parent is not None and decisions.keys() == parent.decisions.keys() and all(
                decisions[n] is parent.decisions[n] for n in decisions):
            order = list(parent.decision_order)
        else:
            order = self._decision_order(pid, decisions)
        has_errors = any(c.policy_id in self.error_ids or c.policy_id in self.ws.syntax_errors for c in chain) or \
            (base is not None and base.has_errors)
        bindings = self.bindings.get(pid, {})
        externals = self._externals(bindings, scope, itertools.chain(
            _policy_expressions(decisions, params, schedules, requirements, examples),
            self._upper_expressions(decisions, params, requirements)) if bindings else ())
        effective, ends, windows = pf.effective, pf.ends, self.windows.get(pid, ())
        if base is not None:
            effective = pf.header_value("amended_effective", base.effective)
            ends = pf.header_value("amended_ends", base.ends)
            if effective is not None and ends is not None and ends < effective:
                moved = pf.header_item("amended_ends") or pf.header_item("amended_effective")
                other = pf.header_item("amended_effective") if moved.key == "amended_ends" else None
                if other is None:
                    other = self.ws.files[root].header_item("effective" if moved.key == "amended_ends" else "ends")
                note = "note.PL502.amended_effective" if moved.key == "amended_ends" else "note.PL502.amended_ends"
                self.say("PL502.amended_ends_first", moved.span, pid,
                         related=[Related(other.span, **N(note, effective=effective, ends=ends))]
                         if other is not None else [],
                         target=root, ends=ends, effective=effective)
            # The notice in force in the region on a day: the amended notice with its dates as amended.
            windows = tuple(w[:3] + (effective, ends) + w[5:] if w[0] == root else w for w in windows)
        # The working days it counts on: the years of its window (as amended, for an amendment).
        from .workdays import policy_years

        workdays = full_calendar.only(policy_years(full_calendar, effective, ends))
        if counts_working_days:
            self._calendar_reach(pid, pf, full_calendar, effective, ends)
        resolved = ResolvedPolicy(
            policy_id=pid,
            path=pf.path,
            title=pf.title,
            level=pf.level,
            region=pf.header_value("region", base.region if base is not None else None),
            issuer=pf.header_value("issuer"),
            document=pf.header_value("document"),
            issued=pf.header_value("issued"),
            effective=effective,
            ends=ends,
            summary=pf.header_value("summary"),
            status=pf.header_value("status"),
            parent=self.ws.files[root].extends if root is not None else pf.extends,
            chain=tuple(chain),
            uses=tuple((u.alias, u.policy_id) for u in pf.uses),
            enums=enums,
            records=records,
            inputs=inputs,
            params=params,
            keyed=keyed,
            decisions=decisions,
            schedules=schedules,
            requirements=requirements,
            provisions=provisions,
            examples=examples,
            decision_order=tuple(order),
            externals=externals,
            external_values=self._external_values(externals, bindings),
            children=tuple(sorted(self.children.get(root or pid, ()))),  # an amendment: the amended notice's
            has_errors=has_errors,
            bindings=bindings,
            windows=windows,
            amends=root,
            amendment_effective=pf.effective if root is not None else None,
            amended_by=(over[1].amended_by or over[1].policy_id) if over is not None else None,
            workdays=workdays,
            calendars=calendars,
            counts_working_days=counts_working_days,
        )
        if over is not None:
            return resolved
        self.resolved[pid] = resolved
        if root is not None:
            amended = self.resolved[root]
            self.resolved[root] = attrs.evolve(amended, versions=amended.versions + ((pf.effective, self.resolved[pid]),))

    def _counts_working_days(self, decisions, params, schedules, requirements, examples) -> bool:
        """Whether any expression of the policy counts working days. Each item is looked at once
        per run: a policy shares most of its items with its parent (walking every expression of
        every policy was a third of resolving a large tree)."""
        memo = self.working_days_memo
        for table, wrap in ((decisions, lambda i: ({0: i}, {}, {}, {}, ())),
                            (params, lambda i: ({}, {0: i}, {}, {}, ())),
                            (schedules, lambda i: ({}, {}, {0: i}, {}, ())),
                            (requirements, lambda i: ({}, {}, {}, {0: i}, ()))):
            for item in table.values():
                known = memo.get(id(item))
                if known is None or known[0] is not item:
                    known = memo[id(item)] = (item, _counts_working_days(_policy_expressions(*wrap(item))))
                if known[1]:
                    return True
        return _counts_working_days(_policy_expressions({}, {}, {}, {}, examples))

    # ------------------------------------------------------------ the working-day calendar
    def _workdays(self, pid: str, calendars: dict):
        """The whole working-day calendar of a policy: the shipped years, replaced or added by its
        chain's `calendar` declarations (each checked where it is written). The policy counts on the
        years of its window (workdays.policy_years)."""
        from .workdays import calendar_with

        declared = []
        for year, hist in calendars.items():
            origin = hist[-1]
            if origin.policy_id == pid:
                self._check_calendar(pid, origin.decl)
            declared.append(_year_calendar(origin))
        return calendar_with(declared)

    def _check_calendar(self, pid: str, decl: A.CalendarDecl) -> None:
        """PL240: a `calendar` declaration that cannot be the notice of its year."""
        year = decl.year
        if not 1900 <= year <= 2299:
            self.say("PL240.year", decl.name_span, pid, year=decl.name)
            return
        missing = [w for w, v in (("its title", decl.meta.label), ("document", decl.document),
                                  ("issued", decl.issued)) if not v]
        if missing:
            self.say("PL240.no_notice", decl.name_span, pid, year=year, missing=", ".join(missing),
                     missing_zh="、".join({"its title": "通知标题", "document": "文号", "issued": "印发日期"}[m]
                                         for m in missing))
        off: dict = {}
        for day in decl.holidays:
            if day.last < day.first:
                self.say("PL240.reversed", day.span, pid, first=day.first, last=day.last)
                continue
            if not _in_arrangement(day.first, year) or not _in_arrangement(day.last, year):
                self.say("PL240.outside_year", day.span, pid, day=day.first if not _in_arrangement(
                    day.first, year) else day.last, year=year, before=year - 1)
                continue
            d = day.first
            while d <= day.last:
                off.setdefault(d, day)
                d += _dt.timedelta(days=1)
        for day in decl.workdays:
            d = day.first
            if not _in_arrangement(d, year):
                self.say("PL240.outside_year", day.span, pid, day=d, year=year, before=year - 1)
            elif d.weekday() < 5:
                self.say("PL240.workday_weekday", day.span, pid, day=d, weekday=_WEEKDAYS[d.weekday()],
                         weekday_zh=_WEEKDAYS_ZH[d.weekday()])
            elif d in off:
                self.say("PL240.both", day.span, pid, related=[Related(off[d].span, **N("note.PL240.off"))], day=d)

    def _calendar_reach(self, pid: str, pf: A.PolicyFile, workdays, effective, ends) -> None:
        """PL503: a policy that counts working days on days its calendar does not cover (its window:
        effective to ends)."""
        if effective is None:
            return
        covered = sorted(workdays.covered)
        span = pf.header_item("effective").span if pf.header_item("effective") is not None else A.NO_SPAN
        from .workdays import years_text

        if not covered or effective.year < covered[0] or (
                ends is not None and ends.year > covered[-1]) or ends is None:
            first_gap = None
            if not covered or effective.year < covered[0]:
                first_gap = effective
            else:
                # the first year of its window the calendar lacks
                y = effective.year
                while y in workdays.covered:
                    y += 1
                if ends is None or y <= ends.year:
                    first_gap = _dt.date(y, 1, 1)
            if first_gap is None:
                return
            self.say("PL503.not_covered", span, pid, policy=pid, day=first_gap, year=first_gap.year,
                     years=years_text(covered))

    def _upper_expressions(self, decisions, params, requirements):
        """The expressions of the upper levels' definitions of this policy's items (as each level
        resolved them): a check may evaluate them for this policy (an inherited bound on a value
        it fills, the parent's requirement or decision under this policy's cross-references)."""
        for attr, table in (("decisions", decisions), ("params", params), ("requirements", requirements)):
            for name, item in table.items():
                for origin in item.history[:-1]:
                    upper = self.resolved.get(origin.policy_id)
                    definition = getattr(upper, attr).get(name) if upper is not None else None
                    if definition is None or definition is item:
                        continue
                    yield from _policy_expressions(*(
                        {name: definition} if attr == kind else {} for kind in ("decisions", "params")),
                        {}, {name: definition} if attr == "requirements" else {}, ())

    def _externals(self, bindings: dict[str, Binding], scope: "_Scope", items) -> dict:
        """(alias, name) -> the parameter of the bound version, for every alias.name that an
        expression of this policy reads: its own (already in scope.externals) and the inherited
        ones, which were resolved once in the policy that wrote them and are rebound here."""
        externals = dict(scope.externals)
        if not bindings:
            return externals
        for expr in items:
            key = id(expr)
            reads = self.external_cache.get(key)
            if reads is None:
                reads = self.external_cache[key] = tuple((r.alias, r.name) for r in external_reads(expr))
            for alias, name in reads:
                if (alias, name) in externals or alias not in bindings:
                    continue
                other = self.resolved.get(bindings[alias].bound)
                param = other.params.get(name) if other is not None else None
                if param is not None:
                    externals[(alias, name)] = param
        return externals

    def _external_values(self, externals, bindings: dict[str, Binding]) -> dict:
        """Each value read through `uses`, evaluated in the bound policy (its own parameters, its own
        dates); the same (policy, name) is evaluated once for every policy that reads it."""
        from .evaluate import NOT_FILLED, BlankNotFilled, EvaluationError, Interpreter

        values = {}
        for (alias, name) in externals:
            binding = bindings.get(alias)
            other = self.resolved.get(binding.bound) if binding is not None else None
            if other is None:
                values[(alias, name)] = NOT_FILLED
                continue
            key = (other.policy_id, name)
            if key not in self.external_value_cache:
                try:
                    value = Interpreter(other).param_value(name, other.effective)
                except (BlankNotFilled, EvaluationError):
                    value = NOT_FILLED
                self.external_value_cache[key] = value
            values[(alias, name)] = self.external_value_cache[key]
        return values

    def _decision_order(self, pid: str, decisions: dict[str, RDecision]) -> list[str]:
        def on_cycle(cycle: list[str], node: str, _edge) -> None:
            d = decisions[node]
            if d.origin.policy_id == pid or id(d.origin.decl) not in self.reported:
                self.reported.add(id(d.origin.decl))
                self.say("PL209.cycle", d.origin.decl.name_span, d.origin.policy_id, cycle=" -> ".join(cycle))

        return topological_order(list(decisions), lambda n: [x for x in decisions[n].depends_on if x in decisions],
                                 lambda dep: dep, on_cycle)


def topological_order(nodes, edges_of, target_of, on_cycle) -> list:
    """Nodes in dependency order (each after what its edges lead to), by an iterative
    depth-first walk, so long chains cannot overflow the stack. on_cycle(path, node, edge)
    is called for each edge that closes a circle; that edge is then ignored."""
    state: dict = {}
    order: list = []
    for start in nodes:
        if state.get(start):
            continue
        state[start] = 1
        path = [start]
        stack = [(start, iter(edges_of(start)))]
        while stack:
            node, it = stack[-1]
            for edge in it:
                target = target_of(edge)
                if state.get(target) == 1:
                    on_cycle(path[path.index(target):] + [target], node, edge)
                    continue
                if not state.get(target):
                    state[target] = 1
                    path.append(target)
                    stack.append((target, iter(edges_of(target))))
                    break
            else:
                stack.pop()
                path.pop()
                state[node] = 2
                order.append(node)
    return order


# ---------------------------------------------------------------- cross-references


def region_folder(policy_id: str) -> str:
    """The region folder of a policy id: 'cn/gd/shantou/stent-2020' -> 'cn/gd/shantou'."""
    return policy_id.rsplit("/", 1)[0] if "/" in policy_id else ""


def _folders_up(folder: str) -> list[str]:
    """A folder and its ancestors, deepest first: 'cn/gd/shantou', 'cn/gd', 'cn', ''."""
    out = [folder]
    while folder:
        folder = region_folder(folder)
        out.append(folder)
    return out


def percent_text(fraction: Decimal) -> str:
    """A fraction as the percent an author writes: 2 -> '200', 1.255 -> '125.5'."""
    text = format(fraction * 100, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _last_result_per_files(copy):
    """Remember a function of a tree's file headers and `uses` lines (all it may read of them) for
    the last files it was given (the same header and `uses` objects, in the same order): a check
    computes the windows and bindings of every policy for deciding what a change affects
    (pipeline.structure_of) and again when resolving, after giving some files their declarations
    (attrs.evolve keeps the header and `uses` objects). `copy` gives each caller its own copy of
    the result's outer containers (the resolver adds to them)."""
    def wrap(fn):
        last: list = [None]

        @functools.wraps(fn)
        def remembered(files: dict):
            key = tuple((pid, id(pf.header), id(pf.uses)) for pid, pf in files.items())
            hit = last[0]
            if hit is None or hit[0] != key:
                hit = (key, list(files.values()), fn(files))  # the files kept alive: the ids stay theirs
                last[0] = hit
            return copy(hit[2])
        return remembered
    return wrap


@_last_result_per_files(dict)
def policy_windows(files: dict) -> dict[str, tuple]:
    """For each policy, the dates in force of the policies that may stand in for it in its region:
    itself, its `extends` chain, and every other policy of its tree (the policies extending the
    same national root) in its region folder or a folder above it, never one below it. Each as
    (policy id, level, folder depth, effective, ends, chain depth); values.in_force_on() picks
    the one in force on a day."""
    # Indexed by (national root, region folder) so each policy looks only at the folders above it:
    # a scan of the whole tree per policy made this quadratic (70 s for 3,209 policies).
    chains: dict[str, tuple[str, ...]] = {}

    def chain_of(pid: str) -> tuple[str, ...]:
        if pid not in chains:
            chain, cur = [], pid
            while cur in files and cur not in chain:
                chain.append(cur)
                cur = files[cur].extends
            chains[pid] = tuple(chain)
        return chains[pid]

    by_place: dict[tuple[str, str], list[str]] = {}
    for pid in files:
        by_place.setdefault((chain_of(pid)[-1], region_folder(pid)), []).append(pid)

    windows: dict[str, tuple] = {}

    def window(pid: str) -> tuple:
        if pid not in windows:
            pf = files[pid]
            folder = region_folder(pid)
            windows[pid] = (pid, pf.level, len(folder.split("/")) if folder else 0, pf.effective, pf.ends,
                            len(chain_of(pid)))
        return windows[pid]

    out: dict[str, tuple] = {}
    for pid in files:
        root = chain_of(pid)[-1]
        # a policy below this one (it extends it, transitively) never stands in for it
        candidates = [c for folder in _folders_up(region_folder(pid)) for c in by_place.get((root, folder), ())
                      if c == pid or pid not in chain_of(c)]
        out[pid] = tuple(window(c) for c in sorted(candidates))
    return out


@_last_result_per_files(lambda result: (dict(result[0]), list(result[1])))
def bind_cross_references(files: dict) -> tuple[dict[str, dict[str, Binding]], list]:
    """What every `uses` means for every policy: ({policy id: {alias: Binding}}, conflicts).

    `files` maps policy ids to parsed files (their headers are all that is read). A `uses` line
    is inherited down the `extends` chain; a lower level may declare the same alias again for the
    same policy, for one that extends it or for one it extends (the lowest declaration is the one
    in force); declaring it for an unrelated policy is a conflict, returned as
    (policy id, the Uses item, the Binding it collides with) and otherwise ignored.

    Each policy then reads the version of the named policy in force in its own region: among the
    named policy and the policies extending it (transitively; never the using policy itself or a
    policy below it), those whose region folder is the deepest ancestor-or-self of the using
    policy's folder, and which are in force on the using policy's effective date (they take
    effect on or before it, and do not end before it). Several there: the latest effective date;
    on the same day, the one further down the `extends` chain (it implements the other); then
    the first by id. None anywhere: the named policy itself.
    """
    children: dict[str, list[str]] = {}
    for pid, pf in files.items():
        if pf.extends in files:
            children.setdefault(pf.extends, []).append(pid)

    def chain_of(pid: str) -> list[str]:
        chain, seen = [], set()
        cur = pid
        while cur in files and cur not in seen:
            seen.add(cur)
            chain.append(cur)
            cur = files[cur].extends
        return chain  # this policy first

    family_memo: dict[str, set[str]] = {}

    def family(pid: str) -> set[str]:
        """pid and every policy extending it, transitively."""
        if pid not in family_memo:
            out, stack = set(), [pid]
            while stack:
                cur = stack.pop()
                if cur not in out:
                    out.add(cur)
                    stack.extend(children.get(cur, ()))
            family_memo[pid] = out
        return family_memo[pid]

    def kin(a: str, b: str) -> bool:
        return a in family(b) or b in family(a)

    def depth(pid: str) -> int:
        return len(chain_of(pid))

    def rebind(declared: str, user: str) -> str:
        pf = files[user]
        day = pf.effective
        below_user = family(user)
        by_folder: dict[str, list[str]] = {}
        for cand in family(declared):
            if cand in below_user:
                continue
            by_folder.setdefault(region_folder(cand), []).append(cand)
        for folder in _folders_up(region_folder(user)):
            in_force = []
            for cand in by_folder.get(folder, ()):
                cf = files[cand]
                if day is not None and cf.effective is not None and cf.effective > day:
                    continue
                if day is not None and cf.ends is not None and cf.ends < day:
                    continue
                in_force.append(cand)
            if in_force:
                return min(in_force, key=lambda c: (-(files[c].effective or _dt.date.min).toordinal(),
                                                    -depth(c), c))
        return declared

    declared_memo: dict[str, dict[str, Binding]] = {}
    conflicts: list = []

    def declared_bindings(pid: str) -> dict[str, Binding]:
        """alias -> Binding with `bound` still the declared policy (rebinding is per user)."""
        if pid in declared_memo:
            return declared_memo[pid]
        declared_memo[pid] = {}  # a cycle of `extends` (reported elsewhere) stops here
        pf = files[pid]
        parent = pf.extends
        out = dict(declared_bindings(parent)) if parent in files else {}
        mine: dict[str, Binding] = {}
        for use in pf.uses:
            if use.policy_id not in files:
                continue  # unknown or broken: reported by the resolver (PL314) or by its own file
            earlier = mine.get(use.alias) or out.get(use.alias)
            if earlier is not None and not kin(earlier.declared, use.policy_id):
                conflicts.append((pid, use, earlier))
                continue
            mine[use.alias] = out[use.alias] = Binding(use.alias, use.policy_id, use.policy_id, pid, use.span)
        declared_memo[pid] = out
        return out

    result: dict[str, dict[str, Binding]] = {}
    for pid in files:
        result[pid] = {alias: attrs.evolve(b, bound=rebind(b.declared, pid))
                       for alias, b in declared_bindings(pid).items()}
    return result, conflicts


def external_reads(expr: Optional[RExpr]) -> list[RRef]:
    return [r for r in references(expr) if r.kind == "external"]


def _counts_working_days(exprs) -> bool:
    return any(isinstance(node, RLit) and isinstance(node.value, Duration) and node.value.unit == "working_days"
               for expr in exprs for node in rwalk(expr))


def _policy_expressions(decisions, params, schedules, requirements, examples):
    """Every resolved expression of one policy (its own and the inherited ones)."""
    for d in decisions.values():
        if d.expr is not None:
            yield d.expr
        for case in d.cases:
            yield case.cond
            yield case.value
        if d.otherwise is not None:
            yield d.otherwise.value
        if d.table is not None:
            for row in d.table.rows:
                yield row.output
                for cell in row.cells:
                    yield from cell.values
    for p in params.values():
        if p.value is not None:
            yield p.value
        for b in p.bounds:
            yield b.expr
    for sched in schedules.values():
        for e in sched.entries:
            yield e.value
    for r in requirements.values():
        yield r.cond
        if r.deadline is not None:
            yield r.deadline
    for ex in examples:
        if ex.as_of is not None:
            yield ex.as_of
        for _name, value, _span in ex.given:
            if isinstance(value, RListValue):  # a list input's elements: each field's expression
                yield from (expr for element in value.elements for _field, expr in element)
            else:
                yield value
        for _name, value, _needs, _span in ex.expect:
            if value is not None:
                yield value


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def _in_arrangement(day: _dt.date, year: int) -> bool:
    """A year's notice arranges the days of its year, and may begin in the December before it
    (元旦 of 2019 from 2018-12-30)."""
    return day.year == year or (day.year == year - 1 and day.month == 12)


def _year_calendar(origin: Origin):
    """The workdays.YearCalendar a `calendar` declaration gives."""
    from .workdays import Notice, YearCalendar

    decl: A.CalendarDecl = origin.decl
    notice = Notice(decl.meta.label or f"{decl.year}", decl.document, decl.issued, decl.meta.note)
    holidays = tuple((d.label or "", d.first, d.last) for d in decl.holidays if d.first <= d.last)
    return YearCalendar(decl.year, (notice,), holidays, tuple(d.first for d in decl.workdays),
                        source=f"{origin.policy_id} ({origin.path}:{decl.span.line})", reason=decl.meta.reason)


def _action(parent_decl, child_decl) -> str:
    """A first description of what an override does (judgment.py's words); the checker judges
    whether a floor, ceiling or fixed value was kept, and proves bound decisions."""
    kind = child_decl.kind
    if kind == "param":
        action = J.param_action(parent_decl.statement, child_decl.statement)
        return "changed" if action == J.UNDECIDED else action
    if kind in ("decision", "table"):
        return J.REPLACED
    return "changed"


class ScopeMismatch(Exception):
    """A `Scope` that does not fit the tree (the caller resolves without it)."""


@attrs.frozen
class Scope:
    """What `resolve(ws, only, scope)` may take as known instead of reading every file, when the
    caller knows (from the last run, with every file's header and `uses` lines unchanged and no
    policy of the tree failing to resolve) that:

    - `ids` holds `only` and everything it depends on (parents, used and bound policies, the
      policies that may stand in for it on a day, amendments), transitively;
    - every policy outside `ids` resolves, and `outside_parents` gives the parent of each that
      has one (they are their parents' children);
    - `order` is the dependency order of the whole tree's policies.

    Only the files of `ids` are read then; what is computed for `only` is what a run over every
    file computes (the bindings, windows and graph findings of a policy depend on its scope only)."""

    ids: frozenset
    outside_parents: dict
    order: tuple


def resolve(ws: Workspace, only: Optional[set[str]] = None, scope: Optional[Scope] = None) -> Resolution:
    """Resolve every policy of the tree, or only `only` and what they depend on (reading only the
    files of `scope`, when given: see `Scope`)."""
    with gc_paused():
        return Resolver(ws).run(only, scope if only is not None else None)


# ---------------------------------------------------------------- names and types


class _Scope:
    """Binds the names of one merged policy and types its expressions."""

    def __init__(self, resolver: Resolver, pid: str, pf: A.PolicyFile, raw: _Raw):
        self.r = resolver
        self.pid = pid
        self.pf = pf
        self.raw = raw
        self.enums: dict[str, REnum] = {}
        self.records: dict[str, RRecord] = {}
        # the record whose fields the names of an aggregate's filter and value mean (`amount` in
        # sum(purchases, amount)); None outside an aggregate
        self.element: Optional[RRecord] = None
        self.members: dict[str, list[str]] = {}
        self.value_types: dict[str, tuple[str, T.Type]] = {}
        # alias -> Binding: this file's `uses` and the inherited ones, bound for this policy's region
        self.aliases = resolver.bindings.get(pid, {})
        self.externals: dict[tuple[str, str], RParam] = {}
        self.current_origin: Optional[Origin] = None
        # while a param's value, bounds or schedule is resolved: (its name, its `percent up to` limit)
        self.percent_limit: Optional[tuple[str, Decimal]] = None

    # -- errors are reported once, by the policy whose file holds them
    def _say(self, key, span, /, related=(), **params):
        """_report() of the catalogue's message `key` with its parameters."""
        self._report(**M(key, **params), span=span, related=related)

    def _say_at(self, origin, key, span, /, related=(), **params):
        """_report_at() of the catalogue's message `key` with its parameters."""
        self._report_at(origin, **M(key, **params), span=span, related=related)

    def _report(self, code, message, span, hint=None, related=(), message_zh=None, hint_zh=None):
        if self.current_origin is not None and self.current_origin.policy_id != self.pid:
            return  # already reported when the defining policy was resolved
        self.r.error(code, message, span, hint=hint, related=related, policy_id=self.pid,
                     message_zh=message_zh, hint_zh=hint_zh)

    def build_index(self):
        for name, enum in self.enums.items():
            for member in enum.member_names:
                self.members.setdefault(member, []).append(name)
        for name, hist in self.raw.items["value"].items():
            decl = hist[-1].decl
            if decl.kind in ("input", "param", "decision", "table"):
                kind = "keyed" if decl.kind == "param" and decl.is_keyed else decl.kind
                self.value_types[name] = (kind if kind != "table" else "decision",
                                          self.type_of(decl.type, hist[-1]))
        # A keyed param: the enum input it is keyed by, and its keys (the members of that enum).
        self.keyed_by: dict[str, tuple[str, tuple[str, ...]]] = {}
        for name, (kind, _) in self.value_types.items():
            if kind != "keyed":
                continue
            key_input = self.raw.items["value"][name][-1].decl.key_input
            input_kind, input_type = self.value_types.get(key_input, (None, T.UNKNOWN))
            members = ()
            if input_kind == "input" and input_type.kind == "enum" and input_type.enum in self.enums:
                members = self.enums[input_type.enum].member_names
            self.keyed_by[name] = (key_input, members)

    def type_of(self, ref: A.TypeRef, origin: Origin) -> T.Type:
        key = id(ref)
        if key in self.r.type_cache:
            return self.r.type_cache[key]
        mine = origin.policy_id == self.pid
        if ref.is_list:
            if ref.name in self.records:
                t = T.list_of(ref.name)
            else:
                if mine:
                    self.r.say("PL231.unknown_record", ref.span, self.pid, name=ref.name,
                               **hint_for(ref.name, list(self.records), "phrase.PL231.declare_record", name=ref.name))
                t = T.UNKNOWN
        elif ref.name in T.BY_NAME:
            t = T.BY_NAME[ref.name]
        elif ref.name in self.enums:
            t = T.Type("enum", ref.name)
        elif ref.name in self.records:
            if mine:
                self.r.say("PL231.record_not_list", ref.span, self.pid, name=ref.name)
            t = T.UNKNOWN
        else:
            if origin.policy_id == self.pid:
                self.r.say("PL202.unknown_type", ref.span, self.pid, name=ref.name,
                           **hint_for(ref.name, list(T.BY_NAME) + list(self.enums), "phrase.PL202.types",
                                      types=", ".join(T.SCALAR_TYPE_NAMES),
                                      types_zh="、".join(f"{n}（{T.ZH[n]}）" for n in T.SCALAR_TYPE_NAMES)))
            t = T.UNKNOWN
        if ref.up_to is not None and origin.policy_id == self.pid:
            if t.kind not in ("percent", "unknown"):
                self.r.say("PL213.not_percent", ref.span, self.pid, limit=ref.up_to_text, type=T.describe(t),
                           type_zh=describe_zh(t))
            elif ref.up_to < 1:
                self.r.say("PL213.below_100", ref.span, self.pid, limit=ref.up_to_text)
        self.r.type_cache[key] = t
        return t

    @staticmethod
    def percent_limit_of(hist) -> Optional[Decimal]:
        """The `percent up to` limit in force for an input or param: the lowest level's that writes one
        (a lower level need not restate it); None: 100%."""
        for origin in reversed(hist):
            ref = getattr(origin.decl, "type", None)
            if isinstance(ref, A.TypeRef) and ref.up_to is not None:
                return ref.up_to if ref.up_to >= 1 else None
        return None

    # -- items
    def record(self, name, hist) -> RRecord:
        origin = hist[-1]
        decl = origin.decl
        fields = []
        seen = set()
        for f in decl.fields:
            if f.name in seen:
                self._say_at(origin, "PL231.duplicate_field", f.span, record=name, field=f.name)
                continue
            seen.add(f.name)
            if f.type.is_list:
                self._say_at(origin, "PL231.list_field", f.type.span, record=name, field=f.name)
                t = T.UNKNOWN
            else:
                t = self.type_of(f.type, origin)
            fields.append(RField(f.name, t, f.optional, f.label, f.span))
        return RRecord(name, origin, tuple(hist), fields=tuple(fields))

    def _only_inputs_are_lists(self, what, t: T.Type, origin, span) -> T.Type:
        """A list type is the type of an input only: a param or decision of a list type is PL231."""
        if t.kind == "list":
            self._say_at(origin, "PL231.list_not_input", span, kind=what, kind_zh=KIND_WORD_ZH[what], type=str(t),
                         type_zh=describe_zh(t))
            return T.UNKNOWN
        return t

    def enum(self, name, hist) -> REnum:
        decl = hist[-1].decl
        return REnum(name, hist[-1], tuple(hist), members=tuple((m.name, m.label) for m in decl.members))

    def input(self, name, hist) -> RInput:
        decl = hist[-1].decl
        self._check_type_change(name, hist)
        t = self.type_of(decl.type, hist[-1])
        return RInput(name, hist[-1], tuple(hist), type=t, optional=decl.optional,
                      percent_limit=self.percent_limit_of(hist) if t.kind == "percent" else None)

    def _check_type_change(self, name, hist):
        if len(hist) < 2:
            return
        last, prev = hist[-1], hist[-2]
        if last.policy_id != self.pid:
            return
        t_new = self.type_of(last.decl.type, last)
        t_old = self.type_of(prev.decl.type, prev)
        if not T.is_unknown(t_new, t_old) and t_new != t_old:
            self.r.say("PL310.type_changed", last.decl.type.span, self.pid,
                       related=[Related(prev.decl.type.span, **N("note.PL310.declared", type=type_words(t_old),
                                                                 policy=prev.policy_id))],
                       name=name, old=T.describe(t_old), old_zh=describe_zh(t_old), level=prev.level,
                       level_zh=level_zh(prev.level), new=T.describe(t_new), new_zh=describe_zh(t_new),
                       type=type_words(t_old))

    def param(self, name, hist) -> RParam:
        origin = hist[-1]
        decl = origin.decl
        self._check_type_change(name, hist)
        ptype = self._only_inputs_are_lists("param", self.type_of(decl.type, origin), origin, decl.type.span)
        limit = self.percent_limit_of(hist) if ptype.kind == "percent" else None
        value = None
        saved, self.percent_limit = self.percent_limit, ((name, limit) if limit is not None else None)
        try:
            if decl.value is not None:
                value = self.expr(decl.value, origin, expected=ptype, constant=True,
                                  **W("phrase.what.value", name=name))
            elif decl.statement == "delegated":
                # A blank keeps the value an upper level gave it? No: delegating again means no value here.
                value = None
            bounds = tuple(
                RBound(b.op, self.expr(b.expr, origin, expected=ptype, constant=True,
                                       **W("phrase.what.bound", name=name)), b.span)
                for b in decl.bounds
            )
        finally:
            self.percent_limit = saved
        if ptype.kind in NOT_NEGATIVE:
            for written in [decl.value] + [b.expr for b in decl.bounds]:
                self._refuse_negative(origin, written, ptype)
        if decl.to_level is not None and decl.to_level not in LEVEL_RANK:
            self._say_at(origin, "PL108.unknown_level", decl.statement_span, level=decl.to_level,
                         **hint_for(decl.to_level, A.LEVELS))
        return RParam(name, origin, tuple(hist), type=ptype, statement=decl.statement, value=value,
                      to_level=decl.to_level, bounds=bounds, percent_limit=limit)

    def keyed(self, name, hist) -> RKeyed:
        """A keyed param: its enum input and keys. Each key is resolved as a param of its own."""
        origin = hist[-1]
        decl = origin.decl
        self._check_type_change(name, hist)
        key_input, members = self.keyed_by.get(name, (decl.key_input, ()))
        input_kind, input_type = self.value_types.get(key_input, (None, T.UNKNOWN))
        if input_kind != "input" or input_type.kind != "enum":
            if not T.is_unknown(input_type):
                inputs = [n for n, (k, t) in self.value_types.items() if k == "input" and t.kind == "enum"]
                self._say_at(origin, "PL230.not_an_enum_input", decl.key_input_span, name=name, key_input=key_input,
                             **hint_for(key_input, inputs))
            return RKeyed(name, origin, tuple(hist), type=self.type_of(decl.type, origin), key_input=key_input)
        for key in decl.keys:
            if key.name not in members:
                self._say_at(origin, "PL230.not_a_member", key.name_span, name=name, key=key.name,
                             enum=input_type.enum, members=", ".join(members), members_zh=_names_zh(members),
                             **hint_for(key.name, members))
        missing = [m for m in members if A.key_name(name, m) not in self.raw.items["value"]]
        if missing:
            self._say_at(origin, "PL230.missing_keys", decl.name_span, name=name, keys=", ".join(missing),
                         keys_zh=_names_zh(missing), enum=input_type.enum)
        return RKeyed(name, origin, tuple(hist), type=self.type_of(decl.type, origin), key_input=key_input,
                      keys=tuple(members))

    def _keyed_read(self, node: A.Name, name: str, t: T.Type) -> RExpr:
        """`cap` of a keyed param: the key of its enum input's value, as
        `if material == stainless then cap.stainless else if … else none`."""
        key_input, members = self.keyed_by.get(name, ("", ()))
        input_type = self.value_types.get(key_input, (None, T.UNKNOWN))[1]
        result: RExpr = RLit(None, T.NONE, node.span, "none")
        for member in reversed(members):
            key = A.key_name(name, member)
            if key not in self.value_types:
                continue
            cond = RBinary("==", RRef("input", key_input, input_type, node.span),
                           RLit(member, input_type, node.span, member), T.BOOL, node.span)
            result = RIf(cond, RRef("param", key, t, node.span), result, t, node.span)
        return result

    def _refuse_negative(self, origin, written, ptype) -> None:
        """A count, an amount of money or a percentage written with a minus sign (PL214): a
        `count ceiling -5` puts a deadline before acceptance, and -0% is no share an official writes."""
        if isinstance(written, A.Unary) and written.op == "-" and isinstance(written.operand, A.Number):
            number = written.operand
            shown = "-" + number.text + {"percent": "%", "yuan": " yuan"}.get(number.unit or "", "")
            self._say_at(origin, "PL214.negative", written.span, written=shown, type=NOT_NEGATIVE[ptype.kind],
                         type_zh=describe_zh(ptype))

    def _report_at(self, origin, code, message, span, hint=None, related=(), message_zh=None, hint_zh=None):
        if origin.policy_id == self.pid:
            self.r.error(code, message, span, hint=hint, related=related, policy_id=self.pid,
                         message_zh=message_zh, hint_zh=hint_zh)

    def decision(self, name, hist) -> RDecision:
        origin = hist[-1]
        decl = origin.decl
        self._check_type_change(name, hist)
        dtype = self._only_inputs_are_lists("decision", self.type_of(decl.type, origin), origin, decl.type.span)
        if decl.type.up_to is not None:
            self._say_at(origin, "PL213.not_here", decl.type.span, limit=decl.type.up_to_text, kind=decl.kind,
                         kind_zh="表格" if decl.kind == "table" else "决策项")
        what, what_zh = P("phrase.what.decision", name=name)
        if decl.kind == "table":
            table = self.table(decl, origin, dtype)
            deps = set()
            for col in table.columns:
                deps.add(col.name)
            for row in table.rows:
                for cell in row.cells:
                    for v in cell.values:
                        deps.update(r.name for r in references(v) if r.kind in ("input", "param", "decision"))
                deps.update(r.name for r in references(row.output) if r.kind in ("input", "param", "decision"))
            return RDecision(name, origin, tuple(hist), type=dtype, form="table", table=table,
                             depends_on=tuple(sorted(deps)), fixed=decl.fixed,
                             **self._direction(name, hist, dtype))
        if decl.expr is not None:
            expr = self.expr(decl.expr, origin, expected=dtype, what=what, what_zh=what_zh)
            deps = {r.name for r in references(expr) if r.kind in ("input", "param", "decision")}
            return RDecision(name, origin, tuple(hist), type=dtype, form="expr", expr=expr,
                             depends_on=tuple(sorted(deps)), fixed=decl.fixed,
                             **self._direction(name, hist, dtype))
        cases = []
        deps = set()
        for case in decl.cases:
            cond = self.expr(case.cond, origin, expected=T.BOOL, **W("phrase.what.when"))
            value = self.expr(case.value, origin, expected=dtype, what=what, what_zh=what_zh)
            if case.bound is not None:
                self._check_ordered(case.bound, dtype, origin, case.span, *P("phrase.what.case", name=name))
            cases.append(RCase(cond, value, case.meta, case.span, case.fixed, case.bound, case.in_principle))
            deps.update(r.name for r in references(cond) + references(value) if r.kind in ("input", "param", "decision"))
        other = None
        if decl.otherwise is not None:
            value = self.expr(decl.otherwise.value, origin, expected=dtype, what=what, what_zh=what_zh)
            other = RCase(RLit(True, T.BOOL, decl.otherwise.span, "otherwise"), value, decl.otherwise.meta,
                          decl.otherwise.span)
            deps.update(r.name for r in references(value) if r.kind in ("input", "param", "decision"))
        return RDecision(name, origin, tuple(hist), type=dtype, form="cases", cases=tuple(cases), otherwise=other,
                         depends_on=tuple(sorted(deps)), fixed=decl.fixed, **self._direction(name, hist, dtype))

    def _direction(self, name, hist, dtype) -> dict:
        """The direction in force on a decision after this level: the first one declared down the chain.

        A lower level may restate it, or make a ceiling or floor `fixed`; turning a ceiling into a
        floor (or the reverse) is PL309, reported at the level that writes it.
        """
        bound, bound_origin = None, None
        for origin in hist:
            decl = origin.decl
            if getattr(decl, "kind", None) not in ("decision", "table"):
                continue
            written = decl.bound
            if written is None:
                continue
            if bound is None:
                self._check_ordered(written, dtype, origin, decl.name_span, *P("phrase.what.decision", name=name))
                bound, bound_origin = written, origin
            elif written != bound:
                self._say_at(
                    origin, "PL309.decision_direction", decl.name_span,
                    related=(Related(bound_origin.decl.name_span,
                                     **N("note.PL309.decision_direction", level=bound_origin.level,
                                         level_zh=LEVEL_WORD_ZH.get(bound_origin.level, bound_origin.level),
                                         name=name, bound=bound, bound_zh=DIRECTION_ZH[bound])),),
                    name=name, bound=bound, bound_zh=DIRECTION_ZH[bound], upper=bound_origin.policy_id,
                    written=written, written_zh=DIRECTION_ZH[written], level=bound_origin.level)
        return {"bound": bound, "bound_origin": bound_origin}

    def _check_ordered(self, direction, dtype, origin, span, what, what_zh) -> None:
        """A ceiling or floor needs values that have an order (money, dates, counts…), not texts or enums."""
        if dtype.kind in ("text", "enum"):
            self._say_at(origin, "PL203.no_order", span, what=what, what_zh=what_zh, type=T.describe(dtype),
                         type_zh=describe_zh(dtype), direction=direction, direction_zh=DIRECTION_ZH[direction])

    def table(self, decl: A.TableDecl, origin: Origin, dtype: T.Type) -> RTable:
        columns = []
        for col in decl.columns:
            # A fresh node, so it must not go through the id()-keyed cache (its id is reused once it is freed).
            saved, self.current_origin = self.current_origin, origin
            ref = self._expr(A.Name(col.name, col.span), False)
            self.current_origin = saved
            if not isinstance(ref, RRef):
                ref = RRef("input", col.name, T.UNKNOWN, col.span)
            columns.append(ref)
        rows = []
        for row in decl.rows:
            if not row.is_otherwise and len(row.cells) != len(columns):
                self._say_at(origin, "PL403.cells", row.span, cells=len(row.cells), columns=len(columns),
                             names=", ".join(c.name for c in columns), names_zh=_names_zh(c.name for c in columns))
            cells = []
            for cell, col in zip(row.cells, columns):
                values = tuple(self.expr(v, origin, expected=None) for v in cell.values)
                for v in values:
                    if not T.comparable(col.type, v.type):
                        self._say_at(origin, "PL204.cell", v.span, column=col.name, type=T.describe(col.type),
                                     type_zh=describe_zh(col.type), cell=T.describe(v.type), cell_zh=describe_zh(v.type),
                                     hint=_unit_hint(col.type, v.type), hint_zh=_unit_hint_zh(col.type, v.type))
                cells.append(RCell(cell.kind, cell.op, values, cell.span))
            output = self.expr(row.output, origin, expected=dtype, **W("phrase.what.output", name=decl.name))
            if row.direction in ("ceiling", "floor"):
                self._check_ordered(row.direction, dtype, origin, row.span, *P("phrase.what.row", name=decl.name))
            rows.append(RRow(tuple(cells), output, row.is_otherwise, row.meta, row.span, row.direction,
                             row.in_principle))
        return RTable(tuple(columns), tuple(rows))

    def schedule(self, name, hist, params) -> Optional[RSchedule]:
        origin = hist[-1]
        decl = origin.decl
        if name not in params:
            self._say_at(origin, "PL408.not_a_param", decl.name_span, name=name, **hint_for(name, params))
            return None
        ptype = params[name].type
        entries = []
        for entry in decl.entries:
            start_expr = self.expr(entry.start, origin, expected=T.DATE, constant=True, **W("phrase.what.schedule_date"))
            start = self.constant_date(start_expr, origin)
            limit = params[name].percent_limit
            saved, self.percent_limit = self.percent_limit, ((name, limit) if limit is not None else None)
            try:
                value = self.expr(entry.value, origin, expected=ptype, constant=True,
                                  **W("phrase.what.scheduled_value", name=name))
            finally:
                self.percent_limit = saved
            if start is None:
                continue
            entries.append(RScheduleEntry(start, value, entry.meta, entry.span))
        for a, b in zip(entries, entries[1:]):
            if b.start <= a.start:
                self._say_at(origin, "PL405.order", b.span, related=[Related(a.span, **N("note.PL405.earlier"))],
                             later=b.start, earlier=a.start)
        entries.sort(key=lambda e: e.start)
        return RSchedule(name, origin, tuple(hist), entries=tuple(entries))

    def requirement(self, name, hist) -> RRequirement:
        origin = hist[-1]
        decl = origin.decl
        cond = self.expr(decl.cond, origin, expected=T.BOOL, **W("phrase.what.requirement", name=name))
        deadline = deadline_date = None
        if decl.deadline is not None:
            deadline = self.expr(decl.deadline, origin, expected=T.DATE, constant=True, **W("phrase.what.deadline"))
            deadline_date = self.constant_date(deadline, origin)
        return RRequirement(name, origin, tuple(hist), cond=cond, deadline=deadline, deadline_date=deadline_date)

    def example_list(self, b: A.Binding, kind, t: T.Type, origin: Origin) -> Optional[RListValue]:
        """A list input's value in an example, `[{field = value, …}, …]`: each field checked against
        the record's (its type, a field not in the record, a required one missing), PL602 otherwise."""
        record = self.records.get(t.record) if kind == "input" and t.kind == "list" else None
        if record is None:
            if kind is not None:
                self.r.say("PL602.list_for_plain" if isinstance(b.value, A.ListValue) else "PL602.plain_for_list",
                           b.value.span, self.pid, name=b.name, type=str(t))
            return None
        if not isinstance(b.value, A.ListValue):
            self.r.say("PL602.plain_for_list", b.value.span, self.pid, name=b.name, type=str(t))
            return None
        elements = []
        for index, element in enumerate(b.value.elements):
            fields = []
            for f in element.fields:
                declared = record.field(f.name)
                if declared is None:
                    self.r.say("PL602.unknown_field", f.span, self.pid, name=b.name, index=index, field=f.name,
                               record=record.name, **hint_for(f.name, list(record.field_names),
                                                              "phrase.PL602.fields",
                                                              fields=", ".join(record.field_names)))
                    continue
                fields.append((f.name, self.expr(f.value, origin, expected=declared.type,
                                                 **W("phrase.what.example_value", name=f"{b.name}[{index}].{f.name}"))))
            given_names = {f.name for f in element.fields}
            for declared in record.fields:
                if not declared.optional and declared.name not in given_names:
                    self.r.say("PL602.missing_field", element.span, self.pid, name=b.name, index=index,
                               field=declared.name, record=record.name)
            elements.append(tuple(fields))
        return RListValue(tuple(elements), b.value.span)

    def example(self, decl: A.ExampleDecl) -> RExample:
        origin = Origin(self.pid, self.pf.level, self.pf.path, decl.span, decl.meta, decl)
        self.current_origin = origin
        as_of = self.expr(decl.as_of, origin, expected=T.DATE, constant=True, **W("phrase.what.example_date")) if decl.as_of is not None else None
        given = []
        for b in decl.given:
            kind, t = self.value_types.get(b.name, (None, T.UNKNOWN))
            blank = kind == "param" and self._is_blank(b.name)
            if kind != "input" and not blank:
                names = [n for n, (k, _) in self.value_types.items() if k == "input"]
                self.r.say("PL602.not_an_input", b.span, self.pid, name=b.name,
                           **hint_for(b.name, names, "phrase.PL602.inputs", names=", ".join(names),
                                      names_zh=_names_zh(names)))
            if isinstance(b.value, A.ListValue) or (kind == "input" and t.kind == "list"):
                value = self.example_list(b, kind, t, origin)
                if value is not None:
                    given.append((b.name, value, b.span))
                continue
            hist = self.raw.items["value"].get(b.name)
            limit = self.percent_limit_of(hist) if hist and t.kind == "percent" else None
            saved, self.percent_limit = self.percent_limit, ((b.name, limit) if limit is not None else None)
            try:
                given.append((b.name, self.expr(b.value, origin, expected=t if kind else None,
                                                **W("phrase.what.example_value", name=b.name)), b.span))
            finally:
                self.percent_limit = saved
        expect = []
        for e in decl.expect:
            kind, t = self.value_types.get(e.name, (None, T.UNKNOWN))
            if kind != "decision":
                names = [n for n, (k, _) in self.value_types.items() if k == "decision"]
                self.r.say("PL602.not_a_decision", e.span, self.pid, name=e.name,
                           **hint_for(e.name, names, "phrase.PL602.decisions", names=", ".join(names),
                                      names_zh=_names_zh(names)))
            # a decision's percent is not limited to 100% (it may multiply shares above it)
            saved, self.percent_limit = self.percent_limit, ((e.name, Decimal("Infinity")) if t.kind == "percent" else None)
            try:
                value = self.expr(e.value, origin, expected=t if kind else None,
                                  **W("phrase.what.expected", name=e.name)) if e.value is not None else None
            finally:
                self.percent_limit = saved
            if e.needs is not None and not (self.value_types.get(e.needs, ("",))[0] == "param"):
                param_names = [n for n, (k, _) in self.value_types.items() if k == "param"]
                self.r.say("PL602.needs_not_a_param", e.span, self.pid, needs=e.needs, name=e.name,
                           **hint_for(e.needs, param_names))
            expect.append((e.name, value, e.needs, e.span))
        name = decl.name or decl.meta.label or f"example at line {decl.span.line}"
        return RExample(name, origin, (origin,), title=decl.meta.label, as_of=as_of, given=tuple(given),
                        expect=tuple(expect))

    def _is_blank(self, name: str) -> bool:
        hist = self.raw.items["value"].get(name)
        return bool(hist) and hist[-1].decl.kind == "param" and hist[-1].decl.value is None

    def constant_date(self, expr: RExpr, origin: Origin) -> Optional[_dt.date]:
        """A date fixed by the policy text. effective_date and end_date here are those of the
        policy that declares the schedule or deadline, not of a lower level inheriting it."""
        from .constants import ConstantError, fold

        declaring = self.r.ws.files[origin.policy_id]
        try:
            value = fold(expr, declaring.effective, declaring.ends, self.r.full_calendars.get(origin.policy_id))
        except ConstantError:
            return None
        return value if isinstance(value, _dt.date) else None

    # -- expressions
    def expr(self, node: A.Expr, origin: Origin, expected: Optional[T.Type] = None, what: str = _THIS[0],
             constant: bool = False, what_zh: str = _THIS[1]) -> RExpr:
        key = id(node)
        cached = self.r.expr_cache.get(key)
        if cached is not None:
            return cached
        saved = self.current_origin
        self.current_origin = origin
        try:
            result = self._expr(node, constant)
            if expected is not None and not T.assignable(expected, result.type):
                self._say("PL203.expected", result.span, what=what, what_zh=what_zh, expected=T.describe(expected),
                          expected_zh=describe_zh(expected), type=T.describe(result.type), type_zh=describe_zh(result.type),
                          hint=_unit_hint(expected, result.type), hint_zh=_unit_hint_zh(expected, result.type))
        finally:
            self.current_origin = saved
        self.r.expr_cache[key] = result
        return result

    def _expr(self, node: A.Expr, constant: bool) -> RExpr:
        if isinstance(node, A.Number):
            return self._number(node)
        if isinstance(node, A.DateLit):
            return RLit(node.value, T.DATE, node.span, node.value.isoformat())
        if isinstance(node, A.Text):
            return RLit(node.value, T.TEXT, node.span)
        if isinstance(node, A.BoolLit):
            return RLit(node.value, T.BOOL, node.span, "true" if node.value else "false")
        if isinstance(node, A.NoneLit):
            return RLit(None, T.NONE, node.span, "none")
        if isinstance(node, A.Name):
            return self._name(node, constant)
        if isinstance(node, A.Attribute):
            return self._attribute(node, constant)
        if isinstance(node, A.Unary):
            operand = self._expr(node.operand, constant)
            op = OPS.unary(node.op)
            return RUnary(node.op, operand, op.type_rule(self, op, (operand,), node.span), node.span)
        if isinstance(node, A.Binary):
            return self._binary(node, constant)
        if isinstance(node, A.InSet):
            operand = self._expr(node.operand, constant)
            items = tuple(self._expr(i, constant) for i in node.items)
            op = OPS.membership(node.negated)
            return RIn(operand, items, node.negated, op.type_rule(self, op, (operand, *items), node.span), node.span)
        if isinstance(node, A.IfElse):
            cond = self._expr(node.cond, constant)
            self._want_bool(cond, "if")
            then = self._expr(node.then, constant)
            other = self._expr(node.otherwise, constant)
            t = T.unify(then.type, other.type)
            if t is None:
                self._say("PL203.branches", node.span, then=T.describe(then.type), then_zh=describe_zh(then.type), other=T.describe(other.type), other_zh=describe_zh(other.type))
                t = T.UNKNOWN
            return RIf(cond, then, other, t, node.span)
        if isinstance(node, A.Call):
            return self._call(node, constant)
        if isinstance(node, A.Where):
            self._say("PL231.where_outside", node.span)
            self._expr(node.source, constant)
            return RLit(None, T.UNKNOWN, node.span)
        raise TypeError(f"unexpected node {node!r}")  # pragma: no cover

    def _number(self, node: A.Number) -> RLit:
        unit = node.unit
        text = node.text
        if unit == "yuan":
            if decimal_places(node.value) > 2:
                self._say("PL206.decimals", node.span, text=text)
            return RLit(node.value, T.MONEY, node.span, f"{text} yuan")
        if unit == "percent":
            limit = self.percent_limit[1] if self.percent_limit is not None else Decimal(1)
            if node.value < 0 or (node.value > 1 and self.percent_limit is None):
                self._say("PL205.outside", node.span, text=text)
            elif node.value > limit:
                self._say("PL205.above_limit", node.span, text=text, limit=percent_text(limit),
                          name=self.percent_limit[0])
            return RLit(node.value, T.PERCENT, node.span, f"{text}%")
        if unit in ("days", "months", "years", "working_days"):
            return RLit(Duration(int(node.value), unit), T.DURATION, node.span, f"{text} {unit.replace('_', ' ')}")
        if node.value == node.value.to_integral_value() and "." not in text:
            return RLit(int(node.value), T.COUNT, node.span, text)
        return RLit(node.value, T.DECIMAL, node.span, text)

    def _want_bool(self, expr: RExpr, keyword: str):
        if expr.type.kind not in ("bool", "unknown", "none"):
            self._say("PL203.want_bool", expr.span, keyword=keyword, bool_zh=describe_zh(T.BOOL), type=T.describe(expr.type), type_zh=describe_zh(expr.type))

    def _name(self, node: A.Name, constant: bool) -> RExpr:
        name = node.name
        if self.element is not None:
            field = self.element.field(name)
            if field is not None:
                return RRef("field", name, field.type, node.span, alias=self.element.name)
        if name in self.value_types:
            kind, t = self.value_types[name]
            if t.kind == "list":
                self._say("PL231.list_outside", node.span, name=name)
                return RLit(None, T.UNKNOWN, node.span, name)
            if kind == "keyed":
                if constant:
                    key_input = self.keyed_by.get(name, ("",))[0]
                    self._say("PL230.keyed_in_constant", node.span, name=name, key_input=key_input,
                              key=(self.keyed_by.get(name, ("", ("KEY",)))[1] or ("KEY",))[0])
                    return RLit(None, T.UNKNOWN, node.span, name)
                return self._keyed_read(node, name, t)
            if constant and kind in ("input", "decision"):
                self._say("PL212.reads_input", node.span, kind=kind, kind_zh=KIND_WORD_ZH[kind], name=name)
            return RRef(kind, name, t, node.span)
        if name in T.BUILTIN_NAMES:
            if constant and name == "as_of":
                self._say("PL212.reads_as_of", node.span)
            return RRef("builtin", name, T.BUILTIN_NAMES[name][0], node.span)
        owners = self.members.get(name)
        if owners:
            if len(owners) > 1:
                self._say("PL210.ambiguous", node.span, name=name, owners=", ".join(owners), owners_zh=_names_zh(owners),
                          first=owners[0])
            return RLit(name, T.Type("enum", owners[0]), node.span, name)
        candidates = list(self.value_types) + list(T.BUILTIN_NAMES) + list(self.members)
        self._say("PL201.undefined", node.span, name=name, **hint_for(name, candidates, "phrase.PL201.declare"))
        return RLit(None, T.UNKNOWN, node.span, name)

    def _attribute(self, node: A.Attribute, constant: bool) -> RExpr:
        base = node.base
        if isinstance(base, A.Name) and base.name in self.aliases:
            binding = self.aliases[base.name]
            other = self.r.resolved.get(binding.bound)
            if other is None:
                return RLit(None, T.UNKNOWN, node.span, f"{base.name}.{node.attr}")
            param = other.params.get(node.attr)
            if param is None:
                here, here_zh = P("phrase.PL201.in_force_as", bound=binding.bound) if binding.rebound else ("", "")
                self._say("PL201.no_such_param", node.span, declared=binding.declared, here=here, here_zh=here_zh,
                          attr=node.attr, **hint_for(node.attr, other.params))
                return RLit(None, T.UNKNOWN, node.span, f"{base.name}.{node.attr}")
            self.externals[(base.name, node.attr)] = param
            return RRef("external", node.attr, param.type, node.span, alias=base.name,
                        policy_id=binding.declared)
        if isinstance(base, A.Name) and self.value_types.get(base.name, ("",))[0] == "keyed":
            key = A.key_name(base.name, node.attr)  # one key of a keyed param: `cap.stainless`
            if key not in self.value_types:
                keys = self.keyed_by.get(base.name, ("", ()))[1]
                self._say("PL230.no_such_key", node.span, name=base.name, key=node.attr, keys=", ".join(keys),
                          keys_zh=_names_zh(keys), **hint_for(node.attr, keys))
                return RLit(None, T.UNKNOWN, node.span)
            return RRef("param", key, self.value_types[key][1], node.span)
        if isinstance(base, A.Name) and base.name in self.enums:
            enum = self.enums[base.name]
            if node.attr not in enum.member_names:
                self._say("PL201.no_such_member", node.span, enum=base.name, attr=node.attr,
                          **hint_for(node.attr, enum.member_names, "phrase.PL201.members",
                                     members=", ".join(enum.member_names), members_zh=_names_zh(enum.member_names)))
                return RLit(None, T.UNKNOWN, node.span)
            return RLit(node.attr, T.Type("enum", base.name), node.span, f"{base.name}.{node.attr}")
        if isinstance(base, A.Name):
            self._say("PL201.not_a_policy_or_enum", node.span, what=base.name,
                      **hint_for(base.name, list(self.aliases) + list(self.enums)))
        else:
            self._say("PL201.not_a_policy_or_enum_here", node.span, what="this")
        return RLit(None, T.UNKNOWN, node.span)

    def _binary(self, node: A.Binary, constant: bool) -> RExpr:
        left = self._expr(node.left, constant)
        right = self._expr(node.right, constant)
        op = OPS.binary(node.op)
        return RBinary(node.op, left, right, op.type_rule(self, op, (left, right), node.span), node.span)

    # What the operators' typing rules (semantics/operators.py) report through.
    def want_bool(self, expr: RExpr, keyword: str):
        self._want_bool(expr, keyword)

    def operator_error(self, key: str, span, op: Optional[str] = None, left: Optional[T.Type] = None,
                       right: Optional[T.Type] = None, type: Optional[T.Type] = None):
        """An operator's type error, by its catalogue key: PL203.arithmetic (op, left, right),
        PL204.compare and PL204.in_set (left, right), PL204.no_order (op, type), PL203.minus (type)."""
        params = {}
        if op is not None:
            params["op"] = op
        for name, t in (("left", left), ("right", right), ("type", type)):
            if t is not None:
                params[name], params[name + "_zh"] = T.describe(t), describe_zh(t)
        if key == "PL203.arithmetic":
            params["hint"], params["hint_zh"] = _arith_hint(op, left, right), _arith_hint_zh(op, left, right)
        elif left is not None:
            params["hint"], params["hint_zh"] = _unit_hint(left, right), _unit_hint_zh(left, right)
        self._say(key, span, **params)

    def _is_aggregate(self, node: A.Call) -> bool:
        """sum, count, all and any are aggregates; min and max are when their first argument is a
        list (a list input, or one filtered with `where`)."""
        if node.func not in AGGREGATES:
            return False
        if node.func not in BUILTINS:
            return True
        first = node.args[0] if node.args else None
        if isinstance(first, A.Where):
            return True
        return isinstance(first, A.Name) and self.value_types.get(first.name, ("", T.UNKNOWN))[1].kind == "list"

    def _aggregate(self, node: A.Call, constant: bool) -> RExpr:
        agg = AGGREGATES[node.func]
        unknown = RLit(None, T.UNKNOWN, node.span)
        wanted = 2 if agg.takes_value else 1
        if len(node.args) != wanted:
            self._say("PL231.arity", node.span, func=node.func, func_zh=_func_zh(node.func), n=wanted, given=len(node.args),
                      signature=agg.signature)
            return unknown
        if self.element is not None:
            self._say("PL231.nested", node.span, func=node.func, func_zh=_func_zh(node.func))
            return unknown
        first = node.args[0]
        source_node, where_node = (first.source, first.cond) if isinstance(first, A.Where) else (first, None)
        kind, t = self.value_types.get(source_node.name, ("", T.UNKNOWN)) if isinstance(source_node, A.Name) \
            else ("", T.UNKNOWN)
        if t.kind != "list":
            other = self._expr(source_node, constant)
            if not T.is_unknown(other.type):
                self._say("PL231.not_a_list", other.span, func=node.func, func_zh=_func_zh(node.func), type=T.describe(other.type),
                          type_zh=describe_zh(other.type),
                          **hint_for("", [n for n, (_, vt) in self.value_types.items() if vt.kind == "list"],
                                     "phrase.PL231.lists"))
            return unknown
        if constant:
            self._say("PL212.reads_input", source_node.span, kind="input", kind_zh=KIND_WORD_ZH["input"],
                      name=source_node.name)
        source = RRef("input", source_node.name, t, source_node.span)
        record = self.records.get(t.record)
        if record is None:
            return unknown
        self.element = record
        try:
            where = None
            if where_node is not None:
                where = self._expr(where_node, constant)
                self._want_bool(where, "where")
            value = self._expr(node.args[1], constant) if agg.takes_value else None
        finally:
            self.element = None
        rtype = agg.type_rule(self, value) if agg.type_rule is not None else T.COUNT
        return RAggregate(node.func, source, where, value, record.name, rtype, node.span)

    def aggregate_value_error(self, func, value, wanted, wanted_zh):
        self._say("PL231.value", value.span, func=func, func_zh=_func_zh(func), wanted=wanted, wanted_zh=wanted_zh,
                  type=T.describe(value.type), type_zh=describe_zh(value.type))

    def _call(self, node: A.Call, constant: bool) -> RExpr:
        func = node.func
        if self._is_aggregate(node):
            return self._aggregate(node, constant)
        builtin = BUILTINS.get(func)
        if builtin is None:
            self._say("PL208.unknown_function", node.func_span, func=func,
                      **hint_for(func, BUILTINS, "phrase.PL208.functions", names=", ".join(BUILTINS),
                                 names_zh=_names_zh(BUILTINS)))
            for a in node.args:
                self._expr(a, constant)
            return RLit(None, T.UNKNOWN, node.span)
        lo, hi, signature = builtin.min_args, builtin.max_args, builtin.signature
        if not builtin.arity_ok(len(node.args)):
            count, count_zh = P("phrase.PL208.exactly", n=lo) if hi == lo else \
                P("phrase.PL208.between", lo=lo, hi=hi) if hi else P("phrase.PL208.at_least", n=lo)
            self._say("PL208.arity" if (hi or 2) > 1 else "PL208.arity_one", node.span, func=func, count=count,
                      count_zh=count_zh, given=len(node.args), signature=signature)
            return RLit(None, T.UNKNOWN, node.span)
        if builtin.type_rule is None:  # round: its options are names the resolver reads
            return self._round(node, constant)
        args = tuple(self._expr(a, constant) for a in node.args)
        return RCall(func, args, builtin.type_rule(self, func, args, node.span), node.span)

    # The argument checks of the builtins' typing rules (policylang/semantics/builtins.py).
    def report_call_kinds(self, func, t, a):
        self._say("PL203.call_kinds", a.span, func=func, first=T.describe(t), first_zh=describe_zh(t),
                  other=T.describe(a.type), other_zh=describe_zh(a.type), hint=_unit_hint(t, a.type),
                  hint_zh=_unit_hint_zh(t, a.type))

    def count_arg(self, func, arg):
        if arg.type.kind not in ("count", "unknown"):
            self._say("PL203.count_arg", arg.span, func=func, type=T.describe(arg.type), type_zh=describe_zh(arg.type))

    def numeric_arg(self, func, arg):
        if not (arg.type.is_numeric or arg.type.kind in ("unknown", "none")):
            self._say("PL203.number_arg", arg.span, func=func, type=T.describe(arg.type), type_zh=describe_zh(arg.type))

    def date_arg(self, func, arg):
        if arg.type.kind not in ("date", "unknown", "none"):
            self._say("PL203.date_arg", arg.span, func=func, type=T.describe(arg.type), type_zh=describe_zh(arg.type))

    def _round(self, node: A.Call, constant: bool) -> RExpr:
        x = self._expr(node.args[0], constant)
        unit = "fen" if x.type.kind == "money" else "unit"
        mode = "half_up"
        if len(node.args) >= 2:
            a = node.args[1]
            if isinstance(a, A.Name) and a.name in T.ROUND_UNITS:
                unit = a.name
            else:
                self._say("PL208.round_unit", a.span,
                          units_zh=_names_zh(f"{u}（{ROUND_UNIT_ZH[u]}）" for u in ("fen", "jiao", "yuan", "unit")))
        if len(node.args) == 3:
            a = node.args[2]
            if isinstance(a, A.Name) and a.name in T.ROUND_MODES:
                mode = a.name
            else:
                hint = hint_for(a.name, T.ROUND_MODES) if isinstance(a, A.Name) else {"hint": None, "hint_zh": None}
                self._say("PL208.round_mode", a.span, modes=", ".join(T.ROUND_MODES),
                          modes_zh=_names_zh(f"{m}（{ROUND_MODE_ZH.get(m, m)}）" for m in T.ROUND_MODES), **hint)
        t = x.type
        if t.kind == "money":
            if unit == "unit":
                unit = "yuan"
        elif t.kind in ("decimal", "count", "percent"):
            if unit != "unit":
                self._say("PL208.round_plain", node.span, unit=unit, unit_zh=ROUND_UNIT_ZH.get(unit, unit))
            t = T.COUNT
            unit = "unit"
        elif t.kind not in ("unknown", "none"):
            self._say("PL203.round_arg", x.span, type=T.describe(t), type_zh=describe_zh(t))
            t = T.UNKNOWN
        return RCall("round", (x,), t, node.span, options=(unit, mode))


def decimal_places(value: Decimal) -> int:
    """Significant decimal places: 7000.10 has 1, 30.003 has 3."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    places = -exponent
    digits = list(digits)
    while places and digits and digits[-1] == 0:
        digits.pop()
        places -= 1
    return places


# The hints about units and arithmetic, in English and Chinese.
_HINTS = {key: P(f"phrase.hint.{key}") for key in (
    "money_unit",
    "percent_unit",
    "duration_unit",
    "whole",
    "percent_of",
    "date_plus",
    "money_plus_count",
    "days_between",
    "date_plus_count",
    "money_times_money",
)}


def _unit_hint_key(expected: T.Type, got: T.Type) -> Optional[str]:
    if expected.kind == "money" and got.kind in ("count", "decimal"):
        return "money_unit"
    if expected.kind == "percent" and got.kind in ("count", "decimal"):
        return "percent_unit"
    if expected.kind == "duration" and got.kind in ("count", "decimal"):
        return "duration_unit"
    if expected.kind == "count" and got.kind == "decimal":
        return "whole"
    if expected.kind == "money" and got.kind == "percent":
        return "percent_of"
    if expected.kind == "date" and got.kind == "duration":
        return "date_plus"
    return None


def _arith_hint_key(op: str, a: T.Type, b: T.Type) -> Optional[str]:
    if {a.kind, b.kind} == {"money", "count"} and op in "+-":
        return "money_plus_count"
    if a.kind == "date" and b.kind == "date":
        return "days_between"
    if a.kind == "date" and b.kind in ("count", "decimal"):
        return "date_plus_count"
    if {a.kind, b.kind} == {"money"} and op == "*":
        return "money_times_money"
    return _unit_hint_key(a, b)


def _hint(key: Optional[str], lang: int) -> Optional[str]:
    return _HINTS[key][lang] if key else None


def _unit_hint(expected: T.Type, got: T.Type) -> Optional[str]:
    return _hint(_unit_hint_key(expected, got), 0)


def _unit_hint_zh(expected: T.Type, got: T.Type) -> Optional[str]:
    return _hint(_unit_hint_key(expected, got), 1)


def _arith_hint(op: str, a: T.Type, b: T.Type) -> Optional[str]:
    return _hint(_arith_hint_key(op, a, b), 0)


def _arith_hint_zh(op: str, a: T.Type, b: T.Type) -> Optional[str]:
    return _hint(_arith_hint_key(op, a, b), 1)
