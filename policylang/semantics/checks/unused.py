"""Inputs and parameters nothing reads (PL207).

A name counts as used when any decision, table, requirement, bound, schedule
or parameter value reads it — in the policy that declares it, in any policy
that extends it, or in any policy that reads it through `uses`. An unused
declaration is reported once, on the file that declares it.
"""

from __future__ import annotations

from typing import Optional

from ...diagnostics import Diagnostic
from ..model import RParam, ResolvedPolicy, references
from .common import CheckContext, diag, head_span, item_words, item_words_zh

KIND_ZH = {"input": "输入项", "parameter": "参数"}


def _expressions(policy: ResolvedPolicy):
    """Every resolved expression whose reads count as uses."""
    for d in policy.decisions.values():
        if d.expr is not None:
            yield d.expr
        for case in d.cases:
            yield case.cond
            yield case.value
        if d.otherwise is not None:
            yield d.otherwise.value
        if d.table is not None:
            yield from d.table.columns
            for row in d.table.rows:
                yield row.output
                for cell in row.cells:
                    yield from cell.values
    for r in policy.requirements.values():
        yield r.cond
        if r.deadline is not None:
            yield r.deadline
    for p in policy.params.values():
        if p.value is not None:
            yield p.value
        for b in p.bounds:
            yield b.expr
    for s in policy.schedules.values():
        for e in s.entries:
            yield e.value


def used_declarations(ctx: CheckContext) -> set[tuple[str, str]]:
    """(policy id, name) of every input/parameter declaration that something reads.
    The caller may know it already (ctx.used: an incremental run keeps each policy's reads)."""
    if ctx.used is not None:
        return ctx.used
    used: set[tuple[str, str]] = set()
    refs_of: dict[int, list] = {}
    for policy in ctx.policies.values():
        used |= reads_of(policy, refs_of)
    return used


def reads_of(policy, refs_of: Optional[dict] = None) -> set[tuple[str, str]]:
    """(declaring policy id, name) of the inputs and parameters one resolved policy reads.
    refs_of shares the walk of expressions between policies (they share inherited items)."""
    refs_of = {} if refs_of is None else refs_of
    used: set[tuple[str, str]] = set()
    for expr in _expressions(policy):
        refs = refs_of.get(id(expr))
        if refs is None:
            refs = refs_of[id(expr)] = references(expr)
        for ref in refs:
            item = None
            if ref.kind == "input":
                item = policy.inputs.get(ref.name)
            elif ref.kind == "param":
                item = policy.params.get(ref.name)
            elif ref.kind == "external":
                item = policy.externals.get((ref.alias, ref.name))
            if item is None:
                continue
            for origin in item.history:
                used.add((origin.policy_id, ref.name))
    # Values read through `uses`, in the version bound for this policy's region (the upper levels'
    # bounds it is judged by included), and the `uses` lines they are read through (PL320).
    for (alias, name), param in getattr(policy, "externals", {}).items():
        for origin in param.history:
            used.add((origin.policy_id, name))
        binding = getattr(policy, "bindings", {}).get(alias)
        if binding is not None:
            used.add((binding.declared_in, uses_key(alias)))
    return used


def uses_key(alias: str) -> str:
    """The name under which reads_of() records that a `uses … as ALIAS` line was read through
    (it cannot clash with a declared name: it has a space)."""
    return f"uses {alias}"


def check(ctx: CheckContext) -> list[Diagnostic]:
    used = used_declarations(ctx)
    out: list[Diagnostic] = []
    for policy in ctx.checkable():
        pid = policy.policy_id
        for table, kind in ((policy.inputs, "input"), (policy.params, "parameter")):
            for name, item in table.items():
                if item.origin.policy_id != pid or (pid, name) in used:
                    continue
                if isinstance(item, RParam) and item.schedule is not None:
                    continue  # a scheduled parameter is there to be published, even if no formula reads it
                words = item_words(name, item.label)
                words_zh = item_words_zh(name, item.label)
                out.append(diag(
                    "PL207",
                    f"the {kind} {words} is declared but no decision, table, requirement or schedule uses it "
                    f"(here, in the policies that extend this one, or through 'uses')",
                    head_span(item.origin), pid,
                    hint=f"remove it, or use it in the rule it belongs to; if it is kept only for reference, "
                         f"suppress this with '# policylang: ignore[PL207] because \"…\"'",
                    message_zh=f"{KIND_ZH[kind]}{words_zh}已经声明，但没有任何决策项、决策表、约束要求或过渡安排用到它"
                               f"（本政策、继承本政策的下级政策以及通过引用（uses）读取它的政策都没有用到）",
                    hint_zh=f"请删除它，或在它所属的规则中用上它；如果只是留作参考，"
                            f"请用 `# policylang: ignore[PL207] because \"…\"` 忽略这条提示"))
    return out
