"""Inputs and parameters nothing reads (PL207).

A name counts as used when any decision, table, requirement, bound, schedule
or parameter value reads it — in the policy that declares it, in any policy
that extends it, or in any policy that reads it through `uses`. An unused
declaration is reported once, on the file that declares it.
"""

from __future__ import annotations

from ...diagnostics import Diagnostic
from ..model import RParam
from ..reads import reads_of, uses_key  # noqa: F401 (uses_key: re-exported for the other checks)
from .common import CheckContext, head_span, item_words, item_words_zh, say

KIND_ZH = {"input": "输入项", "parameter": "参数"}


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
                out.append(say("PL207.unused", head_span(item.origin), pid, kind=kind, kind_zh=KIND_ZH[kind],
                               words=item_words(name, item.label), words_zh=item_words_zh(name, item.label)))
    return out
