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
import itertools
from decimal import Decimal
from typing import Optional

import attrs

from ..diagnostics import Diagnostic, Related
from ..gcpause import gc_paused
from ..syntax import ast as A
from . import judgment as J
from . import types as T
from .loader import Workspace
from .model import (
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
    "enum": "value", "input": "value", "param": "value", "decision": "value", "table": "value",
    "schedule": "schedule", "require": "require", "example": "example", "provision": "provision",
}
KIND_WORD = {
    "enum": "an enumeration", "input": "an input", "param": "a parameter", "decision": "a decision",
    "table": "a decision table", "schedule": "a schedule", "require": "a requirement",
    "example": "an example", "provision": "a provision",
}
# The same in Chinese, for message_zh.
KIND_WORD_ZH = {
    "enum": "枚举", "input": "输入项", "param": "参数", "decision": "决策项",
    "table": "决策表", "schedule": "过渡安排", "require": "约束要求",
    "example": "示例", "provision": "条款义务",
}
LEVEL_WORD_ZH = {"national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级"}
DIRECTION_ZH = {"ceiling": "上限", "floor": "下限"}
ROUND_UNIT_ZH = {"fen": "分", "jiao": "角", "yuan": "元", "unit": "整数"}
ROUND_MODE_ZH = {"half_up": "四舍五入", "half_even": "四舍六入五成双", "up": "向上取", "down": "向下取"}


def _closest(name: str, candidates) -> Optional[str]:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(name: str, candidates) -> Optional[str]:
    close = _closest(name, candidates)
    return f"did you mean '{close}'?" if close else None


def suggest_zh(name: str, candidates) -> Optional[str]:
    """suggest() for Chinese hints."""
    close = _closest(name, candidates)
    return f"是不是想写“{close}”？" if close else None


def level_zh(level: str) -> str:
    return LEVEL_WORD_ZH.get(level, level)


def levels_zh(levels) -> str:
    """'provincial（省级）、municipal（市级）': level keywords as written, with their Chinese names."""
    return "、".join(f"{lv}（{level_zh(lv)}）" for lv in levels)


def describe_zh(t: T.Type) -> str:
    """T.describe() for Chinese messages: '金额（money）', '枚举类型 Institution'."""
    if t.kind == "enum":
        return f"枚举类型 {t.enum}"
    word = "是/否值" if t.kind == "bool" else T.ZH.get(t.kind, t.kind)
    return f"{word}（{t.kind}）"


def _names_zh(names) -> str:
    return "、".join(names)


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


def _decl_kind(decl) -> str:
    return decl.kind


class Resolver:
    def __init__(self, ws: Workspace):
        self.ws = ws
        self.diags: list[Diagnostic] = []
        self.raw: dict[str, _Raw] = {}
        self.resolved: dict[str, ResolvedPolicy] = {}
        self.expr_cache: dict[int, RExpr] = {}
        self.type_cache: dict[int, T.Type] = {}
        self.reported: set[int] = set()
        self.children: dict[str, list[str]] = {}
        self.error_ids: set[str] = set()  # policies whose own files have errors
        self.bindings: dict[str, dict[str, Binding]] = {}  # policy id -> alias -> what its `uses` mean there
        self.external_cache: dict[int, tuple] = {}  # id(expr) -> the (alias, name) it reads through `uses`
        self.external_value_cache: dict[tuple[str, str], object] = {}  # (bound policy, name) -> value

    # ------------------------------------------------------------ diagnostics
    def error(self, code, message, span, hint=None, related=(), policy_id=None, message_zh=None, hint_zh=None):
        diag = Diagnostic(code, message, span, hint=hint, related=tuple(related), policy_id=policy_id,
                          message_zh=message_zh, hint_zh=hint_zh)
        self.diags.append(diag)
        if diag.severity == "error":
            self.error_ids.add(policy_id)

    # ------------------------------------------------------------ driver
    def run(self, only: Optional[set[str]] = None) -> Resolution:
        files = self.ws.files
        valid: dict[str, A.PolicyFile] = {}
        for pid, pf in files.items():
            if self._check_header(pid, pf):
                valid[pid] = pf
        for pid, pf in valid.items():
            parent = pf.extends
            if parent:
                self.children.setdefault(parent, []).append(pid)
        self.bindings, conflicts = bind_cross_references(valid)
        self._report_alias_conflicts(conflicts)
        order, unresolved = self._order(valid)
        needed = None if only is None else self._with_dependencies(only, valid, self.bindings)
        for pid in order:
            if needed is None or pid in needed:
                self._resolve_policy(pid, valid[pid])
        skipped = set() if needed is None else set(order) - needed
        unresolved |= set(files) - set(self.resolved) - skipped
        return Resolution(self.resolved, self.diags, order, unresolved, partial=needed is not None)

    @staticmethod
    def _with_dependencies(only: set[str], valid: dict[str, A.PolicyFile],
                           bindings: Optional[dict] = None) -> set[str]:
        """The given policies and every policy they extend or use (the versions their `uses`
        are bound to included), transitively."""
        needed: set[str] = set()
        stack = [p for p in only if p in valid]
        while stack:
            pid = stack.pop()
            if pid in needed:
                continue
            needed.add(pid)
            pf = valid[pid]
            bound = [b.bound for b in (bindings or {}).get(pid, {}).values()]
            for upper in ([pf.extends] if pf.extends else []) + [u.policy_id for u in pf.uses] + bound:
                if upper in valid and upper not in needed:
                    stack.append(upper)
        return needed

    def _report_alias_conflicts(self, conflicts) -> None:
        for pid, use, earlier in conflicts:
            where_en = "in this file" if earlier.declared_in == pid else f"by {earlier.declared_in}"
            where_zh = "本文件" if earlier.declared_in == pid else f"{earlier.declared_in} "
            self.error("PL321",
                       f"the name '{use.alias}' already stands for the policy '{earlier.declared}' "
                       f"(uses {earlier.declared} as {use.alias}, {where_en}); it cannot also name "
                       f"'{use.policy_id}', which neither extends it nor is extended by it",
                       use.span,
                       hint=f"choose another name, e.g. 'uses {use.policy_id} as {use.alias}2'",
                       related=[Related(earlier.span, f"'{use.alias}' is declared here",
                                        f"“{use.alias}”在这里声明")],
                       policy_id=pid,
                       message_zh=f"名称“{use.alias}”已经指向政策“{earlier.declared}”"
                                  f"（{where_zh}写有 uses {earlier.declared} as {use.alias}）；"
                                  f"它不能再指向“{use.policy_id}”，因为两者之间没有上下级（extends）关系",
                       hint_zh=f"请另取一个名称，例如 `uses {use.policy_id} as {use.alias}2`")

    # ------------------------------------------------------------ headers
    def _check_header(self, pid: str, pf: A.PolicyFile) -> bool:
        seen: dict[str, A.HeaderItem] = {}
        ok = True
        for item in pf.header:
            if item.key in seen:
                word = HEADER_WORD.get(item.key, item.key)
                self.error("PL106", f"the header line '{word}' appears twice",
                           item.span, hint="keep one of them",
                           related=[Related(seen[item.key].span, "first given here", "第一次出现在这里")], policy_id=pid,
                           message_zh=f"文件头中的“{word}”行出现了两次", hint_zh="只保留其中一行")
            else:
                seen[item.key] = item
        first_line = A.Span(pf.path, 1, 1, 1, 1)
        for key in REQUIRED_HEADER:
            if key not in seen and key not in pf.unreadable:  # an unreadable line was reported already
                example = {"title": 'policy "关于…的通知"', "level": "level provincial",
                           "effective": "effective 2021-01-01"}[key]
                self.error("PL107", f"the header has no '{HEADER_WORD[key]}' line", first_line,
                           hint=f"add a line such as: {example}", policy_id=pid,
                           message_zh=f"文件头缺少“{HEADER_WORD[key]}”行", hint_zh=f"请添加一行，例如：{example}")
                ok = False
        level = seen.get("level")
        if level is not None and level.value not in LEVEL_RANK:
            self.error("PL108", f"'{level.value}' is not a level", level.span,
                       hint=suggest(level.value, A.LEVELS) or "use one of: " + ", ".join(A.LEVELS), policy_id=pid,
                       message_zh=f"“{level.value}”不是有效的层级",
                       hint_zh=suggest_zh(level.value, A.LEVELS) or "层级只能是以下之一：" + levels_zh(A.LEVELS))
            ok = False
        status = seen.get("status")
        if status is not None and status.value not in STATUSES:
            self.error("PL112", f"'{status.value}' is not a status a policy file can have", status.span,
                       hint="write 'status reconstructed' for a policy whose text is not in hand, or remove the line",
                       policy_id=pid,
                       message_zh=f"“{status.value}”不是政策文件可用的状态",
                       hint_zh="原文未见、依据其他文件重构的政策写“status reconstructed”；否则删除这一行")
        eff, ends = seen.get("effective"), seen.get("ends")
        if eff is not None and ends is not None and eff.value is not None and ends.value < eff.value:
            self.error("PL502", f"the policy ends ({ends.value}) before it takes effect ({eff.value})", ends.span,
                       related=[Related(eff.span, "takes effect here", "生效日期写在这里")], policy_id=pid,
                       message_zh=f"政策的失效日期（{ends.value}）早于生效日期（{eff.value}）")
        # Duplicate declarations within one file.
        firsts: dict[tuple[str, str], A.Decl] = {}
        for decl in pf.decls:
            if decl.kind == "example" and decl.name is None:
                continue
            key = (NAMESPACE[decl.kind], decl.name)
            if key in firsts:
                first = firsts[key]
                self.error("PL109", f"'{decl.name}' is declared twice in this file", decl.name_span,
                           hint="rename one of them, or remove the duplicate",
                           related=[Related(first.name_span, f"first declared here as {KIND_WORD[first.kind]}",
                                            f"第一次在这里声明，是{KIND_WORD_ZH[first.kind]}")],
                           policy_id=pid, message_zh=f"“{decl.name}”在本文件中声明了两次",
                           hint_zh="请给其中一个改名，或删除重复的声明")
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
                        self.error("PL301", f"the parent policy '{ext.value}' does not exist", ext.span,
                                   hint=suggest(ext.value, all_ids) or
                                   f"a parent id is the path of its file under {self.ws.root}, without .policy",
                                   policy_id=pid, message_zh=f"上级政策“{ext.value}”不存在",
                                   hint_zh=suggest_zh(ext.value, all_ids) or
                                   f"上级政策的编号就是它的文件在 {self.ws.root} 下的路径，不带 .policy")
                    bad.add(pid)
                else:
                    edges.append((ext.value, "extends", ext.span))
            for use in pf.uses:
                if use.policy_id not in valid:
                    if use.policy_id not in all_ids:
                        self.error("PL314", f"the policy '{use.policy_id}' named by 'uses' does not exist", use.span,
                                   hint=suggest(use.policy_id, all_ids), policy_id=pid,
                                   message_zh=f"引用（uses）的政策“{use.policy_id}”不存在",
                                   hint_zh=suggest_zh(use.policy_id, all_ids))
                    bad.add(pid)
                else:
                    edges.append((use.policy_id, "uses", use.span))
            for binding in self.bindings.get(pid, {}).values():
                if binding.bound != pid and binding.bound in valid:
                    edges.append((binding.bound, "uses", binding.span))
            deps[pid] = edges
        # Cycles, reported once per circle; order puts parents and used policies first.
        in_cycle: set[str] = set()

        def on_cycle(cycle: list[str], node: str, edge) -> None:
            members = cycle[:-1]
            if not in_cycle & set(members):
                self.error("PL302", "these policies extend or use each other in a circle: " + " -> ".join(cycle),
                           edge[2], hint="a policy can only extend or use policies above it; remove one link",
                           related=[Related(valid[m].header_item("extends").span
                                            if valid[m].header_item("extends") else A.Span(valid[m].path, 1, 1, 1, 1),
                                            f"'{m}' is part of the circle", f"“{m}”也在这个循环中")
                                    for m in members if m != node],
                           policy_id=node,
                           message_zh="这些政策相互继承或引用，形成了循环：" + " -> ".join(cycle),
                           hint_zh="政策只能继承（extends）或引用（uses）层级在它之上的政策；请去掉其中一处关联")
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
                self.error("PL303",
                           f"a {pf.level} policy cannot extend a {parent.level} policy: a policy extends one at a higher level",
                           ext.span,
                           hint=("this policy's level should be one of: " + ", ".join(below)) if below else
                           "a county policy cannot be extended",
                           related=[Related(parent.header_item("level").span, f"'{ext.value}' is {parent.level}",
                                            f"“{ext.value}”是{level_zh(parent.level)}政策")],
                           policy_id=pid,
                           message_zh=f"{level_zh(pf.level)}政策不能继承{level_zh(parent.level)}政策："
                                      "上级政策（extends）的层级必须高于本政策",
                           hint_zh=("本政策的层级应为以下之一：" + levels_zh(below)) if below else
                           "县级政策不能再被下级政策继承")
            if pf.effective and parent.effective and pf.effective < parent.effective:
                self.error("PL501",
                           f"this policy takes effect on {pf.effective}, before its parent '{ext.value}' ({parent.effective})",
                           pf.header_item("effective").span,
                           hint="a lower level cannot apply a policy before the level above issues it",
                           related=[Related(parent.header_item("effective").span, "the parent takes effect here",
                                            "上级政策的生效日期写在这里")],
                           policy_id=pid,
                           message_zh=f"本政策的生效日期（{pf.effective}）早于上级政策“{ext.value}”的生效日期"
                                      f"（{parent.effective}）",
                           hint_zh="上级政策出台之前，下级不能先行执行")
        return [p for p in order if p not in blocked], blocked

    # ------------------------------------------------------------ merging
    def _merge(self, pid: str, pf: A.PolicyFile) -> _Raw:
        parent = pf.extends
        raw = self.raw[parent].copy() if parent else _Raw()
        level = pf.level
        seen_here: set[tuple[str, str]] = set()
        for decl in pf.decls:
            kind = decl.kind
            if kind == "example":
                continue
            ns = NAMESPACE[kind]
            key = (ns, decl.name)
            if key in seen_here:
                continue  # a duplicate in one file: already reported (PL109)
            seen_here.add(key)
            history = raw.items[ns].get(decl.name)
            origin = Origin(pid, level, pf.path, decl.span, decl.meta, decl, decl.override, "set")
            if history is None:
                if decl.override:
                    candidates = [n for n in raw.items[ns]]
                    self.error("PL308", f"'{decl.name}' is marked override, but no level above defines it",
                               decl.name_span,
                               hint=suggest(decl.name, candidates) or "remove 'override': this is a new item",
                               policy_id=pid,
                               message_zh=f"“{decl.name}”标注了覆盖（override），但上级各层都没有定义它",
                               hint_zh=suggest_zh(decl.name, candidates) or "请去掉 `override`：这是一个新项目")
                raw.items[ns][decl.name] = [origin]
                continue
            previous = history[-1]
            prev_kind = _decl_kind(previous.decl)
            if prev_kind != kind and not ({prev_kind, kind} <= {"decision", "table"}):
                self.error("PL315",
                           f"'{decl.name}' is {KIND_WORD[prev_kind]} at the {previous.level} level; it cannot become {KIND_WORD[kind]}",
                           decl.name_span, hint="choose another name for the new item",
                           related=[Related(previous.span, f"defined here by {previous.policy_id}",
                                            f"由 {previous.policy_id} 在这里定义")], policy_id=pid,
                           message_zh=f"“{decl.name}”在{level_zh(previous.level)}政策中是{KIND_WORD_ZH[prev_kind]}，"
                                      f"不能改成{KIND_WORD_ZH[kind]}",
                           hint_zh="请给新项目另取一个名称")
                continue
            if not decl.override:
                self.error("PL307",
                           f"'{decl.name}' is already defined by {previous.policy_id} ({previous.level}); redefining it needs 'override'",
                           decl.name_span,
                           hint=f"write 'override {kind} {decl.name} …' and say why with because \"…\"",
                           related=[Related(previous.span, "the inherited definition", "继承来的定义")], policy_id=pid,
                           message_zh=f"“{decl.name}”已由 {previous.policy_id}（{level_zh(previous.level)}）定义；"
                                      f"重新定义需要写明覆盖（override）",
                           hint_zh=f"请写成 `override {kind} {decl.name} …`，并用 `because \"…\"` 说明理由")
            history.append(attrs.evolve(origin, action=_action(previous.decl, decl)))
        return raw

    # ------------------------------------------------------------ one policy
    def _resolve_policy(self, pid: str, pf: A.PolicyFile) -> None:
        raw = self._merge(pid, pf)
        self.raw[pid] = raw
        chain = []
        cur = pid
        while cur:
            f = self.ws.files[cur]
            chain.append(ChainLink(cur, f.level, f.path, f.title, f.header_value("document"), f.effective))
            cur = f.extends
        chain.reverse()
        scope = _Scope(self, pid, pf, raw)
        parent = self.resolved.get(pf.extends) if pf.extends else None

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
        scope.build_index()
        inputs, params, decisions = {}, {}, {}
        for name, hist in raw.items["value"].items():
            kind = hist[-1].decl.kind
            if kind == "input":
                inputs[name] = build("inputs", name, hist, scope.input)
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
        if parent is not None and decisions.keys() == parent.decisions.keys() and all(
                decisions[n] is parent.decisions[n] for n in decisions):
            order = list(parent.decision_order)
        else:
            order = self._decision_order(pid, decisions)
        has_errors = any(c.policy_id in self.error_ids or c.policy_id in self.ws.syntax_errors for c in chain)
        bindings = self.bindings.get(pid, {})
        externals = self._externals(bindings, scope, itertools.chain(
            _policy_expressions(decisions, params, schedules, requirements, examples),
            self._upper_expressions(decisions, params, requirements)) if bindings else ())
        self.resolved[pid] = ResolvedPolicy(
            policy_id=pid,
            path=pf.path,
            title=pf.title,
            level=pf.level,
            region=pf.header_value("region"),
            issuer=pf.header_value("issuer"),
            document=pf.header_value("document"),
            issued=pf.header_value("issued"),
            effective=pf.effective,
            ends=pf.ends,
            summary=pf.header_value("summary"),
            status=pf.header_value("status"),
            parent=pf.extends,
            chain=tuple(chain),
            uses=tuple((u.alias, u.policy_id) for u in pf.uses),
            enums=enums,
            inputs=inputs,
            params=params,
            decisions=decisions,
            schedules=schedules,
            requirements=requirements,
            provisions=provisions,
            examples=examples,
            decision_order=tuple(order),
            externals=externals,
            external_values=self._external_values(externals, bindings),
            children=tuple(sorted(self.children.get(pid, ()))),
            has_errors=has_errors,
            bindings=bindings,
        )

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
                self.error("PL209", "these decisions depend on each other in a circle: " + " -> ".join(cycle),
                           d.origin.decl.name_span, hint="one of them must be computed without the others",
                           policy_id=d.origin.policy_id,
                           message_zh="这些决策项相互依赖，形成了循环：" + " -> ".join(cycle),
                           hint_zh="其中至少要有一项不依赖其他几项就能算出")

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
            yield value
        for _name, value, _needs, _span in ex.expect:
            if value is not None:
                yield value


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


def resolve(ws: Workspace, only: Optional[set[str]] = None) -> Resolution:
    """Resolve every policy of the tree, or only `only` and what they depend on."""
    with gc_paused():
        return Resolver(ws).run(only)


# ---------------------------------------------------------------- names and types


class _Scope:
    """Binds the names of one merged policy and types its expressions."""

    def __init__(self, resolver: Resolver, pid: str, pf: A.PolicyFile, raw: _Raw):
        self.r = resolver
        self.pid = pid
        self.pf = pf
        self.raw = raw
        self.enums: dict[str, REnum] = {}
        self.members: dict[str, list[str]] = {}
        self.value_types: dict[str, tuple[str, T.Type]] = {}
        # alias -> Binding: this file's `uses` and the inherited ones, bound for this policy's region
        self.aliases = resolver.bindings.get(pid, {})
        self.externals: dict[tuple[str, str], RParam] = {}
        self.current_origin: Optional[Origin] = None

    # -- errors are reported once, by the policy whose file holds them
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
                self.value_types[name] = (decl.kind if decl.kind != "table" else "decision",
                                          self.type_of(decl.type, hist[-1]))

    def type_of(self, ref: A.TypeRef, origin: Origin) -> T.Type:
        key = id(ref)
        if key in self.r.type_cache:
            return self.r.type_cache[key]
        if ref.name in T.BY_NAME:
            t = T.BY_NAME[ref.name]
        elif ref.name in self.enums:
            t = T.Type("enum", ref.name)
        else:
            if origin.policy_id == self.pid:
                self.r.error("PL202", f"'{ref.name}' is not a type", ref.span,
                             hint=suggest(ref.name, list(T.BY_NAME) + list(self.enums)) or
                             "types are: " + ", ".join(T.SCALAR_TYPE_NAMES) + ", or an enum declared with 'enum'",
                             policy_id=self.pid, message_zh=f"“{ref.name}”不是有效的类型",
                             hint_zh=suggest_zh(ref.name, list(T.BY_NAME) + list(self.enums)) or
                             "类型可以是：" + "、".join(f"{n}（{T.ZH[n]}）" for n in T.SCALAR_TYPE_NAMES)
                             + "，或用 `enum` 声明的枚举")
            t = T.UNKNOWN
        self.r.type_cache[key] = t
        return t

    # -- items
    def enum(self, name, hist) -> REnum:
        decl = hist[-1].decl
        return REnum(name, hist[-1], tuple(hist), members=tuple((m.name, m.label) for m in decl.members))

    def input(self, name, hist) -> RInput:
        decl = hist[-1].decl
        self._check_type_change(name, hist)
        return RInput(name, hist[-1], tuple(hist), type=self.type_of(decl.type, hist[-1]), optional=decl.optional)

    def _check_type_change(self, name, hist):
        if len(hist) < 2:
            return
        last, prev = hist[-1], hist[-2]
        if last.policy_id != self.pid:
            return
        t_new = self.type_of(last.decl.type, last)
        t_old = self.type_of(prev.decl.type, prev)
        if not T.is_unknown(t_new, t_old) and t_new != t_old:
            self.r.error("PL310", f"'{name}' is {T.describe(t_old)} at the {prev.level} level; an override cannot make it {T.describe(t_new)}",
                         last.decl.type.span, hint=f"keep the type {t_old}",
                         related=[Related(prev.decl.type.span, f"declared as {t_old} by {prev.policy_id}",
                                          f"由 {prev.policy_id} 声明为 {t_old}")],
                         policy_id=self.pid,
                         message_zh=f"“{name}”在{level_zh(prev.level)}政策中为{describe_zh(t_old)}；"
                                    f"覆盖（override）不能把它改成{describe_zh(t_new)}",
                         hint_zh=f"请保留原来的类型 {t_old}")

    def param(self, name, hist) -> RParam:
        origin = hist[-1]
        decl = origin.decl
        self._check_type_change(name, hist)
        ptype = self.type_of(decl.type, origin)
        value = None
        if decl.value is not None:
            value = self.expr(decl.value, origin, expected=ptype, what=f"the value of '{name}'", constant=True,
                              what_zh=f"“{name}”的取值")
        elif decl.statement == "delegated":
            # A blank keeps the value an upper level gave it? No: delegating again means no value here.
            value = None
        bounds = tuple(
            RBound(b.op, self.expr(b.expr, origin, expected=ptype, what=f"the bound of '{name}'", constant=True,
                                   what_zh=f"“{name}”的限定范围"), b.span)
            for b in decl.bounds
        )
        if decl.to_level is not None and decl.to_level not in LEVEL_RANK:
            self._report_at(origin, "PL108", f"'{decl.to_level}' is not a level", decl.statement_span,
                            hint=suggest(decl.to_level, A.LEVELS),
                            message_zh=f"“{decl.to_level}”不是有效的层级",
                            hint_zh=suggest_zh(decl.to_level, A.LEVELS))
        return RParam(name, origin, tuple(hist), type=ptype, statement=decl.statement, value=value,
                      to_level=decl.to_level, bounds=bounds)

    def _report_at(self, origin, code, message, span, hint=None, related=(), message_zh=None, hint_zh=None):
        if origin.policy_id == self.pid:
            self.r.error(code, message, span, hint=hint, related=related, policy_id=self.pid,
                         message_zh=message_zh, hint_zh=hint_zh)

    def decision(self, name, hist) -> RDecision:
        origin = hist[-1]
        decl = origin.decl
        self._check_type_change(name, hist)
        dtype = self.type_of(decl.type, origin)
        what = f"the decision '{name}'"
        what_zh = f"决策项“{name}”"
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
            cond = self.expr(case.cond, origin, expected=T.BOOL, what="a 'when' condition", what_zh="“when”条件")
            value = self.expr(case.value, origin, expected=dtype, what=what, what_zh=what_zh)
            if case.bound is not None:
                self._check_ordered(case.bound, dtype, origin, case.span, f"this case of '{name}'",
                                    f"决策项“{name}”的这个情形")
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
                self._check_ordered(written, dtype, origin, decl.name_span, f"the decision '{name}'",
                                    f"决策项“{name}”")
                bound, bound_origin = written, origin
            elif written != bound:
                self._report_at(
                    origin, "PL309",
                    f"the decision '{name}' is a {bound} set by {bound_origin.policy_id}; this policy turns it into "
                    f"a {written}, which would free it in the direction the {bound_origin.level} rule forbids",
                    decl.name_span, hint=f"write '{bound}' or 'fixed', or nothing (the {bound} is inherited)",
                    related=(Related(bound_origin.decl.name_span,
                                     f"the {bound_origin.level} rule: '{name}' is a {bound}",
                                     f"{LEVEL_WORD_ZH.get(bound_origin.level, bound_origin.level)}规定：“{name}”为"
                                     f"{DIRECTION_ZH[bound]}"),),
                    message_zh=f"决策项“{name}”由 {bound_origin.policy_id} 定为{DIRECTION_ZH[bound]}，"
                               f"本政策却改为{DIRECTION_ZH[written]}，这会放开上级禁止的方向",
                    hint_zh=f"写“{bound}”或“fixed”，或者不写（继承上级的{DIRECTION_ZH[bound]}）")
        return {"bound": bound, "bound_origin": bound_origin}

    def _check_ordered(self, direction, dtype, origin, span, what, what_zh) -> None:
        """A ceiling or floor needs values that have an order (money, dates, counts…), not texts or enums."""
        if dtype.kind in ("text", "enum"):
            self._report_at(
                origin, "PL203", f"{what} is {T.describe(dtype)}, which has no order: it cannot be a {direction}",
                span, hint="use 'fixed' to keep lower levels from changing it",
                message_zh=f"{what_zh}的类型是{describe_zh(dtype)}，没有大小之分，不能设为{DIRECTION_ZH[direction]}",
                hint_zh="如需禁止下级修改，请用“fixed”")

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
                self._report_at(origin, "PL403",
                                f"this row has {len(row.cells)} cells but the table has {len(columns)} columns",
                                row.span, hint="columns: " + ", ".join(c.name for c in columns),
                                message_zh=f"这一行有 {len(row.cells)} 个单元格，但决策表有 {len(columns)} 列",
                                hint_zh="各列依次是：" + _names_zh(c.name for c in columns))
            cells = []
            for cell, col in zip(row.cells, columns):
                values = tuple(self.expr(v, origin, expected=None) for v in cell.values)
                for v in values:
                    if not T.comparable(col.type, v.type):
                        self._report_at(origin, "PL204",
                                        f"the column '{col.name}' is {T.describe(col.type)}, but this cell is {T.describe(v.type)}",
                                        v.span, hint=_unit_hint(col.type, v.type),
                                        message_zh=f"列“{col.name}”为{describe_zh(col.type)}，"
                                                   f"但这个单元格为{describe_zh(v.type)}",
                                        hint_zh=_unit_hint_zh(col.type, v.type))
                cells.append(RCell(cell.kind, cell.op, values, cell.span))
            output = self.expr(row.output, origin, expected=dtype, what=f"the output of '{decl.name}'",
                               what_zh=f"决策表“{decl.name}”的结果")
            if row.direction in ("ceiling", "floor"):
                self._check_ordered(row.direction, dtype, origin, row.span, f"this row of '{decl.name}'",
                                    f"决策表“{decl.name}”的这一行")
            rows.append(RRow(tuple(cells), output, row.is_otherwise, row.meta, row.span, row.direction,
                             row.in_principle))
        return RTable(tuple(columns), tuple(rows))

    def schedule(self, name, hist, params) -> Optional[RSchedule]:
        origin = hist[-1]
        decl = origin.decl
        if name not in params:
            self._report_at(origin, "PL408", f"'{name}' is not a parameter, so it cannot have a schedule",
                            decl.name_span, hint=suggest(name, params),
                            message_zh=f"“{name}”不是参数，因此不能有过渡安排", hint_zh=suggest_zh(name, params))
            return None
        ptype = params[name].type
        entries = []
        for entry in decl.entries:
            start_expr = self.expr(entry.start, origin, expected=T.DATE, what="a schedule date", constant=True,
                                   what_zh="过渡安排的日期")
            start = self.constant_date(start_expr, origin)
            value = self.expr(entry.value, origin, expected=ptype, what=f"a scheduled value of '{name}'", constant=True,
                              what_zh=f"“{name}”在过渡安排中的取值")
            if start is None:
                continue
            entries.append(RScheduleEntry(start, value, entry.meta, entry.span))
        for a, b in zip(entries, entries[1:]):
            if b.start <= a.start:
                self._report_at(origin, "PL405", f"the schedule dates must increase: {b.start} comes after {a.start}",
                                b.span, related=[Related(a.span, "the earlier entry", "前面的一条")],
                                message_zh=f"过渡安排的日期必须逐条递增：{b.start} 却写在 {a.start} 之后")
        entries.sort(key=lambda e: e.start)
        return RSchedule(name, origin, tuple(hist), entries=tuple(entries))

    def requirement(self, name, hist) -> RRequirement:
        origin = hist[-1]
        decl = origin.decl
        cond = self.expr(decl.cond, origin, expected=T.BOOL, what=f"the requirement '{name}'",
                         what_zh=f"约束要求“{name}”")
        deadline = deadline_date = None
        if decl.deadline is not None:
            deadline = self.expr(decl.deadline, origin, expected=T.DATE, what="a deadline", constant=True,
                                 what_zh="期限")
            deadline_date = self.constant_date(deadline, origin)
        return RRequirement(name, origin, tuple(hist), cond=cond, deadline=deadline, deadline_date=deadline_date)

    def example(self, decl: A.ExampleDecl) -> RExample:
        origin = Origin(self.pid, self.pf.level, self.pf.path, decl.span, decl.meta, decl)
        self.current_origin = origin
        as_of = self.expr(decl.as_of, origin, expected=T.DATE, what="the example date", constant=True,
                          what_zh="示例的日期") if decl.as_of is not None else None
        given = []
        for b in decl.given:
            kind, t = self.value_types.get(b.name, (None, T.UNKNOWN))
            blank = kind == "param" and self._is_blank(b.name)
            if kind != "input" and not blank:
                names = [n for n, (k, _) in self.value_types.items() if k == "input"]
                self.r.error("PL602", f"the example gives '{b.name}', which is not an input of this policy", b.span,
                             hint=suggest(b.name, names) or ("inputs: " + ", ".join(names)), policy_id=self.pid,
                             message_zh=f"示例给出了“{b.name}”，但它不是本政策的输入项",
                             hint_zh=suggest_zh(b.name, names) or ("输入项有：" + _names_zh(names)))
            given.append((b.name, self.expr(b.value, origin, expected=t if kind else None,
                                            what=f"the example value of '{b.name}'",
                                            what_zh=f"示例中“{b.name}”的取值"), b.span))
        expect = []
        for e in decl.expect:
            kind, t = self.value_types.get(e.name, (None, T.UNKNOWN))
            if kind != "decision":
                names = [n for n, (k, _) in self.value_types.items() if k == "decision"]
                self.r.error("PL602", f"the example expects '{e.name}', which is not a decision of this policy", e.span,
                             hint=suggest(e.name, names) or ("decisions: " + ", ".join(names)), policy_id=self.pid,
                             message_zh=f"示例期望“{e.name}”的结果，但它不是本政策的决策项",
                             hint_zh=suggest_zh(e.name, names) or ("决策项有：" + _names_zh(names)))
            value = self.expr(e.value, origin, expected=t if kind else None, what=f"the expected '{e.name}'",
                              what_zh=f"示例中“{e.name}”的期望结果") if e.value is not None else None
            if e.needs is not None and not (self.value_types.get(e.needs, ("",))[0] == "param"):
                param_names = [n for n, (k, _) in self.value_types.items() if k == "param"]
                self.r.error("PL602", f"'{e.needs}' is not a parameter, so the example cannot need it", e.span,
                             hint=suggest(e.needs, param_names), policy_id=self.pid,
                             message_zh=f"“{e.needs}”不是参数，所以示例中不能写 `{e.name} needs {e.needs}`",
                             hint_zh=suggest_zh(e.needs, param_names))
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
            value = fold(expr, declaring.effective, declaring.ends)
        except ConstantError:
            return None
        return value if isinstance(value, _dt.date) else None

    # -- expressions
    def expr(self, node: A.Expr, origin: Origin, expected: Optional[T.Type] = None, what: str = "this expression",
             constant: bool = False, what_zh: str = "这个表达式") -> RExpr:
        key = id(node)
        cached = self.r.expr_cache.get(key)
        if cached is not None:
            return cached
        saved = self.current_origin
        self.current_origin = origin
        try:
            result = self._expr(node, constant)
            if expected is not None and not T.assignable(expected, result.type):
                self._report("PL203", f"{what} must be {T.describe(expected)}, but this is {T.describe(result.type)}",
                             result.span, hint=_unit_hint(expected, result.type),
                             message_zh=f"{what_zh}应当为{describe_zh(expected)}，但这里为{describe_zh(result.type)}",
                             hint_zh=_unit_hint_zh(expected, result.type))
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
            if node.op == "not":
                self._want_bool(operand, "not")
                return RUnary("not", operand, T.BOOL, node.span)
            if not (operand.type.is_numeric or operand.type.kind in ("unknown", "none", "duration")):
                self._report("PL203", f"'-' needs a number, but this is {T.describe(operand.type)}", operand.span,
                             message_zh=f"“-”只能用于数字，但这里为{describe_zh(operand.type)}")
            return RUnary("-", operand, operand.type, node.span)
        if isinstance(node, A.Binary):
            return self._binary(node, constant)
        if isinstance(node, A.InSet):
            operand = self._expr(node.operand, constant)
            items = tuple(self._expr(i, constant) for i in node.items)
            for item in items:
                if not T.comparable(operand.type, item.type):
                    self._report("PL204", f"{T.describe(operand.type)} cannot be compared with {T.describe(item.type)}",
                                 item.span, hint=_unit_hint(operand.type, item.type),
                                 message_zh=f"{describe_zh(operand.type)}不能与{describe_zh(item.type)}比较",
                                 hint_zh=_unit_hint_zh(operand.type, item.type))
            return RIn(operand, items, node.negated, T.BOOL, node.span)
        if isinstance(node, A.IfElse):
            cond = self._expr(node.cond, constant)
            self._want_bool(cond, "if")
            then = self._expr(node.then, constant)
            other = self._expr(node.otherwise, constant)
            t = T.unify(then.type, other.type)
            if t is None:
                self._report("PL203", f"the two branches differ: {T.describe(then.type)} after 'then', "
                             f"{T.describe(other.type)} after 'else'", node.span,
                             message_zh=f"两个分支的类型不一致：“then”之后为{describe_zh(then.type)}，"
                                        f"“else”之后为{describe_zh(other.type)}")
                t = T.UNKNOWN
            return RIf(cond, then, other, t, node.span)
        if isinstance(node, A.Call):
            return self._call(node, constant)
        raise TypeError(f"unexpected node {node!r}")  # pragma: no cover

    def _number(self, node: A.Number) -> RLit:
        unit = node.unit
        text = node.text
        if unit == "yuan":
            if decimal_places(node.value) > 2:
                self._report("PL206", f"{text} yuan has more than two decimals; money is counted to the fen (0.01 yuan)",
                             node.span, hint="round the amount to two decimals",
                             message_zh=f"{text} yuan 超过了两位小数；金额只计到分（0.01 yuan）",
                             hint_zh="请把金额保留到两位小数")
            return RLit(node.value, T.MONEY, node.span, f"{text} yuan")
        if unit == "percent":
            if not (Decimal(0) <= node.value <= Decimal(1)):
                self._report("PL205", f"{text}% is outside 0–100%", node.span,
                             hint="a percentage is between 0% and 100%",
                             message_zh=f"{text}% 超出了 0–100% 的范围", hint_zh="百分比应在 0% 到 100% 之间")
            return RLit(node.value, T.PERCENT, node.span, f"{text}%")
        if unit in ("days", "months", "years"):
            return RLit(Duration(int(node.value), unit), T.DURATION, node.span, f"{text} {unit}")
        if node.value == node.value.to_integral_value() and "." not in text:
            return RLit(int(node.value), T.COUNT, node.span, text)
        return RLit(node.value, T.DECIMAL, node.span, text)

    def _want_bool(self, expr: RExpr, keyword: str):
        if expr.type.kind not in ("bool", "unknown", "none"):
            self._report("PL203", f"'{keyword}' needs a yes/no (bool) value, but this is {T.describe(expr.type)}",
                         expr.span,
                         message_zh=f"“{keyword}”需要{describe_zh(T.BOOL)}，但这里为{describe_zh(expr.type)}")

    def _name(self, node: A.Name, constant: bool) -> RExpr:
        name = node.name
        if name in self.value_types:
            kind, t = self.value_types[name]
            if constant and kind in ("input", "decision"):
                self._report("PL212", f"a parameter's value cannot depend on the {kind} '{name}'", node.span,
                             hint="parameter values, bounds and dates are fixed by the policy; use a decision to compute from inputs",
                             message_zh=f"参数的取值不能依赖{KIND_WORD_ZH[kind]}“{name}”",
                             hint_zh="参数的取值、限定范围和日期都由政策写定；要根据输入项计算的，请用决策项（decision）")
            return RRef(kind, name, t, node.span)
        if name in T.BUILTIN_NAMES:
            if constant and name == "as_of":
                self._report("PL212", "a parameter's value cannot depend on the evaluation date 'as_of'", node.span,
                             hint="use a schedule for values that change over time",
                             message_zh="参数的取值不能依赖评估日期“as_of”",
                             hint_zh="随时间变化的取值请用过渡安排（schedule）")
            return RRef("builtin", name, T.BUILTIN_NAMES[name][0], node.span)
        owners = self.members.get(name)
        if owners:
            if len(owners) > 1:
                self._report("PL210", f"'{name}' is a member of several enumerations: " + ", ".join(owners), node.span,
                             hint=f"write {owners[0]}.{name} to say which",
                             message_zh=f"“{name}”同时是多个枚举的成员：" + _names_zh(owners),
                             hint_zh=f"请写成 {owners[0]}.{name} 这样的形式，指明是哪一个")
            return RLit(name, T.Type("enum", owners[0]), node.span, name)
        candidates = list(self.value_types) + list(T.BUILTIN_NAMES) + list(self.members)
        self._report("PL201", f"'{name}' is not defined in this policy or the levels above it", node.span,
                     hint=suggest(name, candidates) or "declare it as an input, a parameter or a decision",
                     message_zh=f"“{name}”在本政策及其上级政策中都没有定义",
                     hint_zh=suggest_zh(name, candidates) or "请把它声明为输入项（input）、参数（param）或决策项（decision）")
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
                here = f" (in force here as '{binding.bound}')" if binding.rebound else ""
                here_zh = f"（在本地区适用的是“{binding.bound}”）" if binding.rebound else ""
                self._report("PL201", f"the policy '{binding.declared}'{here} has no parameter '{node.attr}'",
                             node.span, hint=suggest(node.attr, other.params),
                             message_zh=f"政策“{binding.declared}”{here_zh}中没有参数“{node.attr}”",
                             hint_zh=suggest_zh(node.attr, other.params))
                return RLit(None, T.UNKNOWN, node.span, f"{base.name}.{node.attr}")
            self.externals[(base.name, node.attr)] = param
            return RRef("external", node.attr, param.type, node.span, alias=base.name,
                        policy_id=binding.declared)
        if isinstance(base, A.Name) and base.name in self.enums:
            enum = self.enums[base.name]
            if node.attr not in enum.member_names:
                self._report("PL201", f"the enumeration '{base.name}' has no member '{node.attr}'", node.span,
                             hint=suggest(node.attr, enum.member_names) or "members: " + ", ".join(enum.member_names),
                             message_zh=f"枚举“{base.name}”没有成员“{node.attr}”",
                             hint_zh=suggest_zh(node.attr, enum.member_names) or
                             "它的成员有：" + _names_zh(enum.member_names))
                return RLit(None, T.UNKNOWN, node.span)
            return RLit(node.attr, T.Type("enum", base.name), node.span, f"{base.name}.{node.attr}")
        what = base.name if isinstance(base, A.Name) else "this"
        if isinstance(base, A.Name):
            what_zh = f"“{what}”既不是用 `uses … as {what}` 引用的政策，也不是枚举"
        else:
            what_zh = "“.”前面的部分既不是用 `uses … as 名称` 引用的政策，也不是枚举"
        self._report("PL201", f"'{what}' is neither a policy named by 'uses … as {what}' nor an enumeration",
                     node.span, hint=suggest(what, list(self.aliases) + list(self.enums)) if isinstance(base, A.Name) else None,
                     message_zh=what_zh,
                     hint_zh=suggest_zh(what, list(self.aliases) + list(self.enums)) if isinstance(base, A.Name) else None)
        return RLit(None, T.UNKNOWN, node.span)

    def _binary(self, node: A.Binary, constant: bool) -> RExpr:
        left = self._expr(node.left, constant)
        right = self._expr(node.right, constant)
        op = node.op
        if op in ("and", "or"):
            self._want_bool(left, op)
            self._want_bool(right, op)
            return RBinary(op, left, right, T.BOOL, node.span)
        if op in ("==", "!=", "<", "<=", ">", ">="):
            if not T.comparable(left.type, right.type):
                self._report("PL204", f"cannot compare {T.describe(left.type)} with {T.describe(right.type)}",
                             node.span, hint=_unit_hint(left.type, right.type),
                             message_zh=f"{describe_zh(left.type)}和{describe_zh(right.type)}无法比较",
                             hint_zh=_unit_hint_zh(left.type, right.type))
            elif op not in ("==", "!=") and left.type.kind in ("bool", "text", "enum", "duration"):
                self._report("PL204", f"'{op}' needs numbers, amounts or dates; {T.describe(left.type)} values can only be tested with == and !=",
                             node.span,
                             message_zh=f"“{op}”只能用于数字、金额或日期；{describe_zh(left.type)}只能用 == 和 != 判断")
            return RBinary(op, left, right, T.BOOL, node.span)
        t = T.arithmetic(op, left.type, right.type)
        if t is None:
            self._report("PL203", f"cannot compute {T.describe(left.type)} {op} {T.describe(right.type)}", node.span,
                         hint=_arith_hint(op, left.type, right.type),
                         message_zh=f"无法计算 {describe_zh(left.type)} {op} {describe_zh(right.type)}",
                         hint_zh=_arith_hint_zh(op, left.type, right.type))
            t = T.UNKNOWN
        return RBinary(op, left, right, t, node.span)

    def _call(self, node: A.Call, constant: bool) -> RExpr:
        func = node.func
        if func not in T.FUNCTIONS:
            self._report("PL208", f"'{func}' is not a function of the policy language", node.func_span,
                         hint=suggest(func, T.FUNCTIONS) or "functions: " + ", ".join(T.FUNCTIONS),
                         message_zh=f"“{func}”不是政策语言提供的函数",
                         hint_zh=suggest_zh(func, T.FUNCTIONS) or "可用的函数有：" + _names_zh(T.FUNCTIONS))
            for a in node.args:
                self._expr(a, constant)
            return RLit(None, T.UNKNOWN, node.span)
        lo, hi, signature = T.FUNCTIONS[func]
        if len(node.args) < lo or (hi is not None and len(node.args) > hi):
            count_zh = f"{lo} 个" if hi == lo else f"{lo} 到 {hi} 个" if hi else f"至少 {lo} 个"
            self._report("PL208", f"{func} takes {lo if hi == lo else f'{lo} to {hi}' if hi else f'at least {lo}'} "
                         f"argument{'s' if (hi or 2) > 1 else ''}, not {len(node.args)}", node.span,
                         hint=f"write {signature}",
                         message_zh=f"{func} 的括号里应写 {count_zh}值，这里写了 {len(node.args)} 个",
                         hint_zh=f"写法是：{signature}")
            return RLit(None, T.UNKNOWN, node.span)
        if func == "round":
            return self._round(node, constant)
        args = tuple(self._expr(a, constant) for a in node.args)
        kinds = [a.type.kind for a in args]
        if func in ("min", "max"):
            t = args[0].type
            for a in args[1:]:
                u = T.unify(t, a.type)
                if u is None:
                    self._report("PL203", f"{func} needs values of one kind, but got {T.describe(t)} and {T.describe(a.type)}",
                                 a.span, hint=_unit_hint(t, a.type),
                                 message_zh=f"{func} 括号里的值必须是同一类，但这里既有{describe_zh(t)}，"
                                            f"又有{describe_zh(a.type)}",
                                 hint_zh=_unit_hint_zh(t, a.type))
                    u = T.UNKNOWN
                t = u
            return RCall(func, args, t, node.span)
        if func in ("ceil", "floor"):
            t = args[0].type
            if t.kind == "money":
                return RCall(func, args, T.MONEY, node.span)
            self._numeric_arg(func, args[0])
            return RCall(func, args, T.COUNT if t.kind != "unknown" else T.UNKNOWN, node.span)
        if func == "abs":
            self._numeric_arg(func, args[0])
            return RCall(func, args, args[0].type, node.span)
        if func in ("add_days", "add_months", "add_years"):
            self._date_arg(func, args[0])
            if kinds[1] not in ("count", "unknown"):
                self._report("PL203", f"{func} needs a whole number as its second argument, not {T.describe(args[1].type)}",
                             args[1].span,
                             message_zh=f"{func} 括号里的第二个值必须是整数，不能为{describe_zh(args[1].type)}")
            return RCall(func, args, T.DATE, node.span)
        if func == "end_of_month":
            self._date_arg(func, args[0])
            return RCall(func, args, T.DATE, node.span)
        if func == "days_between":
            self._date_arg(func, args[0])
            self._date_arg(func, args[1])
            return RCall(func, args, T.COUNT, node.span)
        if func in ("year", "month", "day"):
            self._date_arg(func, args[0])
            return RCall(func, args, T.COUNT, node.span)
        raise AssertionError(func)  # pragma: no cover

    def _numeric_arg(self, func, arg):
        if not (arg.type.is_numeric or arg.type.kind in ("unknown", "none")):
            self._report("PL203", f"{func} needs a number, not {T.describe(arg.type)}", arg.span,
                         message_zh=f"{func} 需要数字，不能为{describe_zh(arg.type)}")

    def _date_arg(self, func, arg):
        if arg.type.kind not in ("date", "unknown", "none"):
            self._report("PL203", f"{func} needs a date, not {T.describe(arg.type)}", arg.span,
                         message_zh=f"{func} 需要日期，不能为{describe_zh(arg.type)}")

    def _round(self, node: A.Call, constant: bool) -> RExpr:
        x = self._expr(node.args[0], constant)
        unit = "fen" if x.type.kind == "money" else "unit"
        mode = "half_up"
        if len(node.args) >= 2:
            a = node.args[1]
            if isinstance(a, A.Name) and a.name in T.ROUND_UNITS:
                unit = a.name
            else:
                self._report("PL208", "round's second argument says what to round to: fen, jiao, yuan or unit",
                             a.span, hint="for example round(x, fen, up)",
                             message_zh="round 括号里的第二个值表示取整到哪一位："
                                        + _names_zh(f"{u}（{ROUND_UNIT_ZH[u]}）" for u in ("fen", "jiao", "yuan", "unit")),
                             hint_zh="例如 round(x, fen, up)")
        if len(node.args) == 3:
            a = node.args[2]
            if isinstance(a, A.Name) and a.name in T.ROUND_MODES:
                mode = a.name
            else:
                self._report("PL208", "round's third argument says how to round: " + ", ".join(T.ROUND_MODES),
                             a.span, hint=suggest(a.name, T.ROUND_MODES) if isinstance(a, A.Name) else None,
                             message_zh="round 括号里的第三个值表示取整方式："
                                        + _names_zh(f"{m}（{ROUND_MODE_ZH.get(m, m)}）" for m in T.ROUND_MODES),
                             hint_zh=suggest_zh(a.name, T.ROUND_MODES) if isinstance(a, A.Name) else None)
        t = x.type
        if t.kind == "money":
            if unit == "unit":
                unit = "yuan"
        elif t.kind in ("decimal", "count", "percent"):
            if unit != "unit":
                self._report("PL208", f"only money is rounded to the {unit}; round a plain number to a whole number with 'unit'",
                             node.span, hint="write round(x, unit) or round(x, unit, up)",
                             message_zh=f"只有金额才能取整到{ROUND_UNIT_ZH.get(unit, unit)}（{unit}）；"
                                        f"普通数字请用“unit”取整为整数",
                             hint_zh="请写成 round(x, unit) 或 round(x, unit, up)")
            t = T.COUNT
            unit = "unit"
        elif t.kind not in ("unknown", "none"):
            self._report("PL203", f"round needs a number or an amount, not {T.describe(t)}", x.span,
                         message_zh=f"round 需要数字或金额，不能为{describe_zh(t)}")
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
_HINTS = {
    "money_unit": ("write the amount with its unit, for example 7000 yuan",
                   "金额要带单位，例如 7000 yuan"),
    "percent_unit": ("write a percentage with %, for example 30%",
                     "百分比要带 %，例如 30%"),
    "duration_unit": ("write a period with its unit, for example 2 years or 30 days",
                      "期限要带单位，例如 2 years 或 30 days"),
    "whole": ("round it to a whole number with ceil(x), floor(x) or round(x, unit)",
              "请用 ceil(x)、floor(x) 或 round(x, unit) 取整为整数"),
    "percent_of": ("multiply the percentage by an amount, for example agreed_amount * 30%",
                   "请用金额乘以百分比，例如 agreed_amount * 30%"),
    "date_plus": ("add the period to a date, for example effective_date + 2 years",
                  "请把期限加到某个日期上，例如 effective_date + 2 years"),
    "money_plus_count": ("an amount and a plain number cannot be added: write the number with its unit (yuan)",
                         "金额不能与不带单位的数字相加减：请给数字写上单位（yuan）"),
    "days_between": ("use days_between(a, b) for the number of days between two dates",
                     "两个日期相隔的天数请用 days_between(a, b) 计算"),
    "date_plus_count": ("add a period with its unit, for example + 30 days or + 1 month",
                        "请加上带单位的期限，例如 + 30 days 或 + 1 month"),
    "money_times_money": ("two amounts cannot be multiplied; multiply an amount by a percentage or a number",
                          "两个金额不能相乘；请用金额乘以百分比或数字"),
}


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
