"""`explain` and `diff`: the reviewer's views of a policy's chain.

- `explain_item(resolution, policy_id, name)`: the chain of definitions of one
  item, national first: at each level of the policy's chain, where the item is
  written (file, line, article), its label, statement and value, and what that
  level did (set, tightened, filled, replaced, restated, delegated, loosened —
  the last is an error the checker reports — or inherited when the level says
  nothing about it).
- `diff_policy(resolution, policy_id)`: what one policy changes relative to its
  parent and to the national root: added, tightened, filled, replaced,
  restated, delegated, loosened.

Both return plain dicts (JSON-ready); `render_explain_text` and
`render_diff_text` print them for people. The docs generator reuses
`diff_policy`.
"""

from __future__ import annotations

import difflib
import os
from typing import Optional

from .. import wording as W
from ..diagnostics import BINDING_CODES, SourceCache
from . import judgment as J
from .checks import binding
from .checks.common import CheckContext, compare_values, format_value
from .checks.overrides import _bounds_of, _value_of, rule_before, step
from .checks.provisions import STRICTER_OR_EQUAL
from .model import next_level
from .model import Item, Origin, RParam, ResolvedPolicy, references

ITEM_TABLES = (
    ("param", "params"), ("decision", "decisions"), ("input", "inputs"), ("enum", "enums"),
    ("schedule", "schedules"), ("requirement", "requirements"), ("provision", "provisions"),
)
ERROR_ACTIONS = {"loosened", "changed kind", "outside bound"}


class ExplainError(Exception):
    """An unknown policy or item; the message says what exists instead (`.zh`: in Chinese)."""

    def __init__(self, message: str, zh: Optional[str] = None):
        super().__init__(message)
        self.zh = zh or message


class _Sources:
    """The little of a Workspace the override judgement needs: source lines, read from disk on demand."""

    def __init__(self):
        self.sources = SourceCache()
        self.files = {}


def _context(resolution, policy: Optional[ResolvedPolicy] = None,
             sources: Optional[SourceCache] = None) -> CheckContext:
    """The upper levels' definitions are judged as `policy` reads them: with its region's cross-references
    (an inherited bound on drug.retention_ratio means the drug-VBP ratio in force there).
    sources: the text the policies were parsed from (default: the files on disk, read on demand)."""
    holder = _Sources()
    if sources is not None:
        holder.sources = sources
    ctx = CheckContext(holder, resolution, defer_rebound_bounds=False)
    ctx.judged = policy
    return ctx


def _suggest(name: str, candidates, zh: bool = False) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.5)
    if zh:
        return f"；是不是想写“{close[0]}”？" if close else ""
    return f"; did you mean '{close[0]}'?" if close else ""


def find_policy(resolution, policy_id: str) -> ResolvedPolicy:
    policy = resolution.policies.get(policy_id)
    if policy is not None:
        return policy
    if policy_id in getattr(resolution, "unresolved", set()):
        raise ExplainError(f"the policy '{policy_id}' has errors that stop it from being resolved; "
                           f"run 'policylang check' to see them",
                           f"政策“{policy_id}”有错误，无法解析；请运行 `policylang check` 查看")
    raise ExplainError(f"there is no policy '{policy_id}'{_suggest(policy_id, resolution.policies)}",
                       f"没有政策“{policy_id}”{_suggest(policy_id, resolution.policies, True)}")


def find_item(policy: ResolvedPolicy, name: str) -> tuple[str, Item]:
    for kind, attr in ITEM_TABLES:
        table = getattr(policy, attr)
        if name in table:
            return kind, table[name]
    names = [n for _, attr in ITEM_TABLES for n in getattr(policy, attr)]
    raise ExplainError(f"'{name}' is not an item of {policy.policy_id}{_suggest(name, names)}",
                       f"“{name}”不是 {policy.policy_id} 中的项目{_suggest(name, names, True)}")


# ---------------------------------------------------------------- describing one definition


def _text(ctx: CheckContext, node) -> str:
    span = getattr(node, "span", None)
    if span is None or span.line <= 0:
        return ""
    line = ctx.ws.sources.line(span.file, span.line) or ""
    if span.end_line == span.line:
        return line[span.column - 1: span.end_column - 1].strip()
    return line[span.column - 1:].strip() + " …"


def _definition_text(ctx: CheckContext, kind: str, origin: Origin, name: str) -> tuple[Optional[str], Optional[str]]:
    """(statement, value) of one definition as a reader would say it: ('floor', '30%'), ('table', '5 rows')."""
    decl = origin.decl
    if kind == "param":
        value = _value_of(ctx, origin, name)
        policy = ctx.policies.get(origin.policy_id)
        t = policy.params[name].type if policy and name in policy.params else None
        shown = format_value(value, t) if value is not None else (
            _text(ctx, decl.value) if decl.value is not None else None)
        extra = []
        if decl.statement == "delegated":
            if decl.to_level:
                extra.append(f"to {decl.to_level}")
            extra.extend(_text(ctx, b) for b in decl.bounds)
            shown = " ".join(e for e in extra if e) or None
        return decl.statement, shown
    if kind == "decision":
        if decl.kind == "table":
            return "table", f"{len(decl.rows)} rows over {', '.join(c.name for c in decl.columns)}"
        if decl.expr is not None:
            return "formula", _text(ctx, decl.expr)
        return "cases", f"{len(decl.cases)} case{'s' if len(decl.cases) != 1 else ''}" + \
            (" + otherwise" if decl.otherwise is not None else "")
    if kind == "input":
        return "input", decl.type.name + (" optional" if decl.optional else "")
    if kind == "enum":
        return "enum", ", ".join(m.name for m in decl.members)
    if kind == "schedule":
        return "schedule", "; ".join(_text(ctx, e) for e in decl.entries)
    if kind == "requirement":
        by = f" by {_text(ctx, decl.deadline)}" if decl.deadline is not None else ""
        return "require", _text(ctx, decl.cond) + by
    if kind == "provision":
        return decl.modality.replace("_", " "), f"{decl.actor}: {decl.text}"
    return None, None


def _labels(ctx: CheckContext, policy_id: str):
    """name -> label in the policy that wrote a definition (alias.name for a used policy's values)."""
    policy = ctx.policies.get(policy_id)

    def label(name: str) -> Optional[str]:
        if policy is None:
            return None
        if "." in name:
            alias, _, attr = name.partition(".")
            external = policy.externals.get((alias, attr))
            return external.label if external is not None else None
        for table in (policy.inputs, policy.params, policy.decisions, policy.enums):
            if name in table:
                return table[name].label
        for enum in policy.enums.values():  # an enumeration's member: 本企业（与所用钉棒（板）系统同一中选企业）
            member = dict(enum.members).get(name)
            if member:
                return member
        return None

    return label


def _definition_text_zh(ctx: CheckContext, kind: str, origin: Origin, name: str) -> tuple[Optional[str], Optional[str]]:
    """(statement, value) of one definition in Chinese words, names by their labels."""
    decl = origin.decl
    label = _labels(ctx, origin.policy_id)
    if kind == "param":
        policy = ctx.policies.get(origin.policy_id)
        t = policy.params[name].type if policy and name in policy.params else None
        if decl.statement == "delegated":
            region = policy.region if policy is not None else None
            who = f"留给{W.level_name(decl.to_level, region)}填写" if decl.to_level else "留给下级填写"
            bounds = [("不低于" if b.op == "at_least" else "不高于") + W.expr_zh(b.expr, label) for b in decl.bounds]
            return None, "，".join([who, *bounds])
        value = _value_of(ctx, origin, name)
        shown = W.value_zh(value, t.kind if t is not None else None) if value is not None else (
            W.expr_zh(decl.value, label) if decl.value is not None else None)
        statement = W.STATEMENTS_ZH.get(decl.statement, decl.statement)
        return ("原则上" + statement if getattr(decl, "in_principle", False) else statement), shown
    if kind == "decision":
        if decl.kind == "table":
            columns = "、".join(label(c.name) or c.name for c in decl.columns)
            return "判定表", f"{len(decl.rows)} 行，依据{columns}"
        if decl.expr is not None:
            return "计算公式", W.expr_zh(decl.expr, label)
        rest = "，其余情形另有规定" if decl.otherwise is not None else "，其余情形不适用"
        return "分情形规定", f"{len(decl.cases)} 种情形{rest}"
    if kind == "input":
        if getattr(decl.type, "is_list", False):  # a list of records, by the record's label
            policy = ctx.policies.get(origin.policy_id)
            record = policy.records.get(decl.type.name) if policy is not None else None
            named = f"“{record.label}”（{decl.type.name}）" if record is not None and record.label else decl.type.name
            return "输入项", f"由{named}组成的列表" + ("，可不填" if decl.optional else "")
        return "输入项", (label(decl.type.name) or W.type_zh(decl.type.name)) + ("，可不填" if decl.optional else "")
    if kind == "enum":
        return "取值范围", "、".join(m.label or m.name for m in decl.members)
    if kind == "schedule":
        return "过渡安排", "；".join(f"自 {W.expr_zh(e.start, label)} 起为 {W.expr_zh(e.value, label)}"
                                    for e in decl.entries)
    if kind == "requirement":
        by = f"，期限：{W.expr_zh(decl.deadline, label)}" if decl.deadline is not None else ""
        return "要求", W.expr_zh(decl.cond, label) + by
    if kind == "provision":
        return None, W.provision_sentence(decl.actor, decl.modality, decl.text)  # the sentence says the modality
    return None, None


def _judge(ctx: CheckContext, kind: str, item: Item, index: int) -> str:
    """What history[index] did to the item, judged against the definitions above it (judgment.py decides)."""
    origin = item.history[index]
    if index == 0:
        return "set"
    previous = item.history[index - 1]
    if kind == "param":
        param: RParam = item
        rule = rule_before(ctx, param, index)
        value = _value_of(ctx, origin, param.name)
        _, problems = step(rule, origin, origin.decl.statement, value, _bounds_of(ctx, origin, param.name), param)
        codes = {p.code for p in problems}
        if codes & (BINDING_CODES - {"PL313"}):
            return J.LOOSENED
        if "PL309" in codes:
            return "changed kind"
        if "PL313" in codes:
            return "outside bound"
        proved = _proved(ctx, origin, param.name, index == len(item.history) - 1)
        if proved is not None:
            return proved
        action = J.param_action(previous.decl.statement, origin.decl.statement)
        if action != J.UNDECIDED:
            return action
        verdict = J.judge(previous.decl.statement, _value_of(ctx, previous, param.name), value)
        if origin.decl.statement != previous.decl.statement and verdict == J.RESTATED:
            return J.TIGHTENED  # floor/ceiling made fixed at the same value
        return verdict if verdict != J.UNDECIDED else J.TIGHTENED
    if kind == "decision":
        proved = _proved(ctx, origin, item.name, index == len(item.history) - 1)
        if proved is not None:
            return proved
    if kind == "provision":
        old, new = previous.decl.modality, origin.decl.modality
        if old == new:
            return J.RESTATED
        return J.TIGHTENED if new in STRICTER_OR_EQUAL.get(old, ()) else J.LOOSENED
    return J.REPLACED


PROVED = {J.TIGHTENED: "tightened, proved", J.RESTATED: "restated, proved", J.LOOSENED: J.LOOSENED,
          J.UNDECIDED: "not proved"}


def _proved(ctx: CheckContext, origin: Origin, name: str, in_force: bool) -> Optional[str]:
    """The binding check's verdict on the policy that wrote `origin`, when the item is bound there."""
    policy = ctx.policies.get(origin.policy_id)
    if policy is None:
        return None
    proof = binding.verdict(ctx, policy, name)
    return PROVED.get(proof.verdict) if proof is not None else None


def display_path(path: str) -> str:
    """A path relative to the working folder when it lies below it (as diagnostics show paths)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _amendment_date(ctx: CheckContext, policy_id: str) -> Optional[str]:
    """The day an amending notice applies from (its own effective date), as text."""
    policy = ctx.policies.get(policy_id)
    day = policy.amendment_effective if policy is not None else None
    return day.isoformat() if day else None


def _entry(ctx: CheckContext, kind: str, origin: Origin, name: str, action: str) -> dict:
    statement, value = _definition_text(ctx, kind, origin, name)
    statement_zh, value_zh = _definition_text_zh(ctx, kind, origin, name)
    policy = ctx.policies.get(origin.policy_id)
    return {
        "level": origin.level,
        "level_zh": W.level_name(origin.level, policy.region if policy is not None else None),
        "statement_zh": statement_zh,
        "value_zh": value_zh,
        "policy": origin.policy_id,
        "location": f"{display_path(origin.path)}:{origin.span.line}",
        "path": origin.path,
        "line": origin.span.line,
        "article": origin.meta.article,
        "label": origin.meta.label,
        "statement": statement,
        "value": value,
        "action": action,
        "because": origin.meta.reason,
        "note": origin.meta.note,
        "error": action in ERROR_ACTIONS,
    }


# ---------------------------------------------------------------- explain


def explain_item(resolution, policy_id: str, name: str, sources: Optional[SourceCache] = None) -> dict:
    """sources: the text the tree was parsed from, when it is not what is on disk (an editor's
    unsaved buffers); by default lines are read from the files."""
    policy = find_policy(resolution, policy_id)
    if name in policy.keyed:
        # A keyed param: each key is explained as the param it is, down the chain.
        keyed = policy.keyed[name]
        return {
            "policy": policy.policy_id, "item": name, "kind": "keyed", "label": keyed.label,
            "type": str(keyed.type or "") or None, "key_input": keyed.key_input,
            "keys": [explain_item(resolution, policy_id, keyed.key_param(k), sources)
                     for k in keyed.keys if keyed.key_param(k) in policy.params],
        }
    kind, item = find_item(policy, name)
    ctx = _context(resolution, policy, sources)
    by_policy = {o.policy_id: i for i, o in enumerate(item.history)}
    chain = []
    last: Optional[dict] = None
    for link in policy.chain:
        index = by_policy.get(link.policy_id)
        if index is not None:
            origin = item.history[index]
            # An amending notice's definition: first the ones of the same level it replaced ("set by
            # X, postponed by Y"), each until the day the next applies.
            replaced, earlier = origin, []
            while replaced.amended is not None:
                earlier.insert(0, (replaced.amended, replaced.policy_id))
                replaced = replaced.amended
            for old, by in earlier:
                entry = _entry(ctx, kind, old, name, "set")
                entry["replaced_by"], entry["replaced_from"] = by, _amendment_date(ctx, by)
                chain.append(entry)
            last = _entry(ctx, kind, origin, name, _judge(ctx, kind, item, index))
            if earlier:
                last["amends"], last["amends_from"] = earlier[-1][0].policy_id, _amendment_date(ctx, origin.policy_id)
            chain.append(last)
        elif last is not None:
            linked = resolution.policies.get(link.policy_id)
            chain.append({
                "level": link.level, "policy": link.policy_id, "location": display_path(link.path), "path": link.path,
                "line": None, "article": None, "label": None, "statement": last["statement"],
                "value": last["value"], "action": "inherited", "because": None, "note": None, "error": False,
                "level_zh": W.level_name(link.level, linked.region if linked is not None else None),
                "statement_zh": last["statement_zh"], "value_zh": last["value_zh"],
            })
    in_force = chain[-1] if chain else None
    extra = {}
    # An amended policy: what each later version (from its amending notice's date) makes of the item.
    later, listed = [], set()
    for start, version in policy.versions:
        found = find_item(version, name)[1] if version.item(name) is not None else None
        if found is not None and found.history[-1] is not item.history[-1] and found.history[-1].amended is not None:
            # one line per amending definition: a later version (its own amendment, or one above)
            # that keeps it changes nothing of this item
            seen = (found.history[-1].policy_id, found.history[-1].span)
            if seen in listed:
                continue
            listed.add(seen)
            entry = _entry(_context(resolution, version, sources), kind, found.history[-1], name, "amended")
            entry["from"] = start.isoformat()
            later.append(entry)
    if later:
        extra["amended"] = later
    if kind == "param" and item.is_blank:
        extra["blank"] = True
    xrefs = cross_references(resolution, policy, kind, item)
    if xrefs:
        extra["cross_references"] = xrefs
    working = working_days_note(policy, kind, item)
    if working is not None:
        extra["working_days"] = working
    return {
        "policy": policy.policy_id,
        "item": name,
        "kind": kind,
        "label": item.label,
        "type": str(getattr(item, "type", "") or "") or None,
        "chain": chain,
        "in_force": in_force,
        **extra,
    }


# ---------------------------------------------------------------- working days


def working_days_note(policy: ResolvedPolicy, kind: str, item: Item) -> Optional[dict]:
    """For a period in working days (a param's value in force, or one a decision's formula reads):
    the calendar it counts on and what it gives from the policy's effective date."""
    from .evaluate import EvaluationError, Interpreter
    from .model import Duration
    from .workdays import years_text

    if not policy.counts_working_days or policy.workdays is None:
        return None
    periods: list = []
    interp = Interpreter(policy)
    names = [item.name] if kind == "param" else [
        r.name for e in _item_expressions(None, kind, item) for r in references(e) if r.kind == "param"]
    if kind != "param":  # periods written in the formula itself
        from .model import RLit, rwalk

        for e in _item_expressions(None, kind, item):
            for node in rwalk(e):
                if isinstance(node, RLit) and isinstance(node.value, Duration) and node.value.unit == "working_days":
                    periods.append((None, node.value))
    for name in dict.fromkeys(names):
        if name not in policy.params:
            continue
        try:
            value = interp.param_value(name, policy.effective)
        except EvaluationError:
            continue
        if isinstance(value, Duration) and value.unit == "working_days":
            periods.append((name, value))
    periods = list(dict.fromkeys(periods))
    if not periods:
        return None
    cal = policy.workdays
    start = policy.effective
    examples = []
    for name, value in periods:
        try:
            end = cal.add(start, value.amount) if start is not None else None
        except EvaluationError:
            end = None
        examples.append({"param": name, "value": str(value), "value_zh": f"{value.amount}个工作日", "from": start.isoformat() if start else None,
                         "to": end.isoformat() if end else None})
    notices = []
    for y in cal.years:
        n = y.notice
        if n is not None:
            notices.append({"year": y.year, "title": n.title, "document": n.document,
                            "issued": n.issued.isoformat() if n.issued else None,
                            "amended_by": [m.title + (f"（{m.document}）" if m.document else "") for m in y.notices[1:]],
                            "source": y.source})
    return {"years": years_text(cal.covered), "examples": examples, "notices": notices}


def _working_days_lines(note: dict, zh: bool) -> list[str]:
    lines = [""]
    if zh:
        lines.append(f"  工作日按国务院办公厅节假日安排（含调休上班日）计算；本政策使用 {note['years']} 年的安排：")
    else:
        lines.append(f"  working days count on the State Council's arrangement of public holidays (with its weekend "
                     f"days worked, 调休); this policy counts on {note['years']}:")
    for ex in note["examples"]:
        if ex["to"] is None:
            continue
        if zh:
            name = f"{ex['param']}：" if ex["param"] else ""
            lines.append(f"    {name}自生效日期 {ex['from']} 起 {ex['value_zh']}，即 {ex['to']}")
        else:
            name = f"{ex['param']}: " if ex["param"] else ""
            lines.append(f"    {name}{ex['value']} after {ex['from']} (its effective date), i.e. {ex['to']}")
    for n in note["notices"]:
        bits = "，".join(b for b in (n["document"], n["issued"]) if b)
        line = f"    {n['year']}: {n['title']}" + (f"（{bits}）" if bits else "")
        if n["amended_by"]:
            line += ("，经" if zh else "; changed by ") + "、".join(n["amended_by"])
        if n["source"] != "built-in":
            line += (f"，见 {n['source']}" if zh else f", declared by {n['source']}")
        lines.append(line)
    return lines


# ---------------------------------------------------------------- values read through `uses`


def _item_expressions(resolution, kind: str, item: Item):
    """The expressions of an item as the policy reads them, the upper levels' definitions of a
    parameter included (their bounds bind it)."""
    if kind == "param":
        for origin in item.history:
            upper = resolution.policies.get(origin.policy_id)
            definition = upper.params.get(item.name) if upper is not None else None
            for p in {id(x): x for x in (definition, item) if x is not None}.values():
                if p.value is not None:
                    yield p.value
                for b in p.bounds:
                    yield b.expr
        if item.schedule is not None:
            for e in item.schedule.entries:
                yield e.value
    elif kind == "decision":
        if item.expr is not None:
            yield item.expr
        for case in item.cases:
            yield case.cond
            yield case.value
        if item.otherwise is not None:
            yield item.otherwise.value
        if item.table is not None:
            for row in item.table.rows:
                yield row.output
                for cell in row.cells:
                    yield from cell.values
    elif kind == "requirement":
        yield item.cond
        if item.deadline is not None:
            yield item.deadline
    elif kind == "schedule":
        for e in item.entries:
            yield e.value


def cross_references(resolution, policy: ResolvedPolicy, kind: str, item: Item) -> list[dict]:
    """Each alias.NAME the item reads, with the version of the used policy bound in this policy's
    region and its value there: "drug.retention_ratio = 50% from cn/gd/drug-vbp-2019"."""
    from .evaluate import NOT_FILLED

    out, seen = [], set()
    for expr in _item_expressions(resolution, kind, item):
        for ref in references(expr):
            key = (ref.alias, ref.name)
            if ref.kind != "external" or key in seen:
                continue
            seen.add(key)
            binding = policy.bindings.get(ref.alias)
            param = policy.externals.get(key)
            if binding is None or param is None:
                continue
            value = policy.external_values.get(key, NOT_FILLED)
            out.append({
                "name": f"{ref.alias}.{ref.name}",
                "label": param.label,
                "value": None if value is NOT_FILLED else str(format_value(value, param.type)),
                "value_zh": None if value is NOT_FILLED else format_value(value, param.type).zh,
                "policy": binding.bound,
                "declared": binding.declared,
                "declared_in": binding.declared_in,
                "rebound": binding.rebound,
                "location": f"{display_path(param.origin.path)}:{param.origin.span.line}",
            })
    return out


def _named_zh(entry: dict) -> str:
    """「“医保资金结余留用比例”（retention_ratio）」: an item by its label, its name after it; the name alone quoted."""
    return f"“{entry['label']}”（{entry['item']}）" if entry.get("label") else f"“{entry['item']}”"


def _xref_lines(refs: list[dict], zh: bool) -> list[str]:
    lines = ["", "  通过“引用”读取的取值：" if zh else "  values read through 'uses':"]
    for r in refs:
        uses = f"uses {r['declared']} as {r['name'].split('.')[0]}"
        if zh:
            uses = f"“引用 {r['declared']} 简称 {r['name'].split('.')[0]}”"
            value = f" = {r.get('value_zh') or r['value']}，取自 {r['policy']}" if r["value"] is not None \
                else f"：{r['policy']} 中未填写"
            version = f"，即 {r['declared']} 在本地区适用的版本" if r["rebound"] else ""
            label = f"“{r['label']}”（{r['name']}）" if r.get("label") else f"“{r['name']}”"
            lines.append(f"    {label}{value}（{r['location']}{version}；{r['declared_in']} 中的{uses}）")
        else:
            value = f" = {r['value']} from {r['policy']}" if r["value"] is not None else \
                f": not filled in {r['policy']}"
            version = f", the version of {r['declared']} in force here" if r["rebound"] else ""
            lines.append(f"    {r['name']}{value} ({r['location']}{version}; {uses}, in {r['declared_in']})")
    return lines


# Words of the text views in Chinese (the JSON keeps the English keys and values).
KIND_ZH = {"param": "参数", "decision": "决策项", "input": "输入项", "enum": "枚举", "schedule": "过渡安排",
           "requirement": "约束要求", "provision": "条款义务", "table": "决策表"}
LEVEL_ZH = {"national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级"}
ACTION_ZH = {"set": "设定", "inherited": "继承，未改", "tightened": "收紧", "filled": "填写", "replaced": "替换",
             "delegated": "授权下级", "restated": "重申", "changed": "修改", "loosened": "放宽（违反上级）",
             "added": "新增", "changed kind": "改变了规则类型（违反上级）", "outside bound": "超出上级限定范围",
             "tightened, proved": "收紧（已证明）", "restated, proved": "重申（已证明）", "not proved": "未能证明是否符合上级",
             "amended": "修订"}


def _zh(table: dict, key: str, lang: str) -> str:
    return table.get(key, key) if lang == "zh" else key


def _pad(text: str, width: int) -> str:
    """text padded to width terminal columns (a Chinese character takes two)."""
    from ..diagnostics import display_width

    return text + " " * max(width - display_width(text), 0)


def render_explain_text(data: dict, lang: str = "en") -> str:
    zh = lang == "zh"
    if data["kind"] == "keyed":
        label = f" {data['label']}" if data.get("label") else ""
        head = (f"分类参数{label}（{W.type_zh(data['type'])}，按 {data['key_input']} 分别取值；{data['item']}，"
                f"{data['policy']}）" if zh else
                f"param {data['item']}: {data['type']} by {data['key_input']}{label} — in {data['policy']}")
        keys = "".join("\n" + render_explain_text(key, lang) for key in data["keys"])
        return head + "\n" + keys
    label = f" {data['label']}" if data.get("label") else ""
    if zh:
        type_ = f"（{W.type_zh(data['type'])}）" if data.get("type") else ""
    else:
        type_ = f": {data['type']}" if data.get("type") else ""
    kind = _zh(KIND_ZH, data["kind"], lang)
    where = f"，{data['policy']}" if zh else f" — in {data['policy']}"
    lines = [f"{kind}{label}{type_}（{data['item']}{where}）" if zh else f"{kind} {data['item']}{type_}{label}{where}",
             ""]
    for entry in data["chain"]:
        colon = "：" if zh else ": "
        level = entry.get("level_zh") or _zh(LEVEL_ZH, entry["level"], lang) if zh else entry["level"]
        lines.append(f"  {_pad(level, 10)} {entry['policy']}")
        if entry["action"] == "inherited":
            what = "继承，未改" if zh else "inherited unchanged"
            lines.append(f"             {what}{colon}{_statement(entry, lang)}")
            continue
        if entry.get("article"):
            article = f"，条款 {entry['article']}" if zh else f", article {entry['article']}"
        else:
            article = ""
        lines.append(f"             {entry['location']}{article}")
        if entry.get("error"):
            flag = "  ← 错误：见 policylang check" if zh else "  ← error: see 'policylang check'"
        else:
            flag = ""
        lines.append(f"             {_zh(ACTION_ZH, entry['action'], lang)}{colon}{_statement(entry, lang)}{flag}")
        if entry.get("label"):
            lines.append(f"             {entry['label']}")
        if entry.get("because"):
            lines.append(f"             {'理由' if zh else 'because'}{colon}{entry['because']}")
        if entry.get("replaced_by"):
            lines.append(f"             {entry['replaced_from']} 起由 {entry['replaced_by']} 修订" if zh else
                         f"             until {entry['replaced_by']} amends it, from {entry['replaced_from']}")
        if entry.get("amends"):
            lines.append(f"             自 {entry['amends_from']} 起修订 {entry['amends']} 的规定" if zh else
                         f"             amends the definition of {entry['amends']}, from {entry['amends_from']}")
    for entry in data.get("amended", ()):
        colon = "：" if zh else ": "
        lines.append("")
        lines.append(f"  自 {entry['from']} 起由 {entry['policy']} 修订（{entry['location']}）" if zh else
                     f"  amended by {entry['policy']} from {entry['from']} ({entry['location']})")
        lines.append(f"             {_statement(entry, lang)}")
        if entry.get("because"):
            lines.append(f"             {'理由' if zh else 'because'}{colon}{entry['because']}")
    if data.get("blank"):
        lines.append("")
        lines.append("  各层级都没有填写这一授权事项：调用时须作为输入提供" if zh
                     else "  no level fills this blank: callers must supply it as an input")
    if data.get("cross_references"):
        lines.extend(_xref_lines(data["cross_references"], zh))
    if data.get("working_days"):
        lines.extend(_working_days_lines(data["working_days"], zh))
    return "\n".join(lines) + "\n"


def _statement(entry: dict, lang: str = "en") -> str:
    if lang == "zh" and (entry.get("statement_zh") or entry.get("value_zh")):
        parts = [p for p in (entry.get("statement_zh"), entry.get("value_zh")) if p]
        return "，".join(parts)
    parts = [p for p in (entry.get("statement"), entry.get("value")) if p]
    if not parts:
        return "（无取值）" if lang == "zh" else "(no value)"
    return " ".join(parts)


# ---------------------------------------------------------------- diff


def diff_policy(resolution, policy_id: str) -> dict:
    policy = find_policy(resolution, policy_id)
    ctx = _context(resolution, policy)
    root = policy.chain[0].policy_id if policy.chain else policy.policy_id
    changes = []
    for kind, attr in ITEM_TABLES:
        for name, item in getattr(policy, attr).items():
            if item.origin.policy_id != policy.policy_id:
                continue
            index = len(item.history) - 1
            action = "added" if index == 0 else _judge(ctx, kind, item, index)
            now = _entry(ctx, kind, item.origin, name, action)
            change = {
                "item": name, "kind": kind, "label": item.label, "change": action, "error": now["error"],
                "location": now["location"], "article": now["article"], "because": now["because"],
                "now": _statement(now), "now_zh": _statement(now, "zh"),
                "parent": None, "national": None,
            }
            if index >= 1:
                previous = item.history[index - 1]
                before = _entry(ctx, kind, previous, name, "")
                change["parent"] = _statement(before) + f" ({previous.policy_id})"
                change["parent_zh"] = _statement(before, "zh") + f"（{previous.policy_id}）"
                first = item.history[0]
                if first.policy_id == root and first is not previous:
                    national = _entry(ctx, kind, first, name, "")
                    change["national"] = _statement(national) + f" ({root})"
                    change["national_zh"] = _statement(national, "zh") + f"（{root}）"
            changes.append(change)
    order = {"loosened": 0, "changed kind": 0, "outside bound": 0, "not proved": 1, "tightened": 1,
             "tightened, proved": 1, "restated, proved": 6, "filled": 2, "replaced": 3,
             "delegated": 4, "added": 5, "restated": 6}
    changes.sort(key=lambda c: (order.get(c["change"], 9), c["kind"], c["item"]))
    summary: dict[str, int] = {}
    for c in changes:
        summary[c["change"]] = summary.get(c["change"], 0) + 1
    left_blank = []
    for blank in policy.blanks:
        by = blank.delegated_by or blank.origin
        expected = blank.to_level or next_level(by.level)
        if expected == policy.level:
            left_blank.append({"item": blank.name, "label": blank.label, "delegated_by": by.policy_id,
                               "location": f"{display_path(by.path)}:{by.span.line}"})
    return {
        "policy": policy.policy_id,
        "level": policy.level,
        "parent": policy.parent,
        "root": root,
        "summary": summary,
        "errors": sum(1 for c in changes if c["error"]),
        "changes": changes,
        "left_blank": left_blank,  # blanks left for this policy's level that it does not fill
    }


def render_diff_text(data: dict, lang: str = "en") -> str:
    zh = lang == "zh"
    if data.get("parent"):
        parent = (f"（上级 {data['parent']}，国家级 {data['root']}）" if zh
                  else f" (parent {data['parent']}, national root {data['root']})")
    else:
        parent = "（最上级政策）" if zh else " (a root policy)"
    lines = [f"{data['policy']}{parent}"]
    blanks = data.get("left_blank") or []
    if not data["changes"]:
        lines.append("  没有改动：各项规则均按上级继承" if zh else "  no changes: every rule is inherited unchanged")
    for b in blanks:
        label = f" {b['label']}" if b.get("label") else ""
        if zh:
            lines.append(f"  未填写：参数{_named_zh(b)} — {b['delegated_by']} 留给本层级填写（{b['location']}）")
        else:
            lines.append(f"  not filled:   param {b['item']}{label} — {b['delegated_by']} left it for this level "
                         f"({b['location']})")
    if not data["changes"]:
        return "\n".join(lines) + "\n"
    if zh:
        counts = "，".join(f"{_zh(ACTION_ZH, what, lang)} {n} 项" for what, n in data["summary"].items())
    else:
        counts = ", ".join(f"{n} {what}" for what, n in data["summary"].items())
    lines.append(f"  {counts}")
    lines.append("")
    words = (("现在：", "上级：", "国家级：", "理由：") if zh else ("now:", "parent:", "national:", "because:"))
    width = 9
    for c in data["changes"]:
        label = f" {c['label']}" if c.get("label") else ""
        marker = "!" if c["error"] else " "
        change = _zh(ACTION_ZH, c["change"], lang)
        lines.append(f"{marker} {_pad(change, 13)} {_zh(KIND_ZH, c['kind'], lang)}{_named_zh(c)}" if zh else
                     f"{marker} {_pad(change, 13)} {_zh(KIND_ZH, c['kind'], lang)} {c['item']}{label}")
        now, parent, national = ((c.get("now_zh") or c["now"], c.get("parent_zh") or c.get("parent"),
                                  c.get("national_zh") or c.get("national")) if zh
                                 else (c["now"], c.get("parent"), c.get("national")))
        where = f"（{c['location']}）" if zh else f"   ({c['location']})"
        lines.append(f"                {_pad(words[0], width)} {now}{where}")
        if parent:
            lines.append(f"                {_pad(words[1], width)} {parent}")
        if national:
            lines.append(f"                {_pad(words[2], width)} {national}")
        if c.get("because"):
            lines.append(f"                {_pad(words[3], width)} {c['because']}")
        if c["error"]:
            lines.append("                错误：这一改动放宽了上级规则（见 policylang check）" if zh
                         else "                error: this loosens an upper-level rule (see 'policylang check')")
    return "\n".join(lines) + "\n"
