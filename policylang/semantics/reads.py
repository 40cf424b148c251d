"""What each resolved policy reads: the inputs, parameters and `uses` lines its expressions refer to.

The unused-name check (PL207, PL320) and the incremental pipeline (which keeps each policy's reads
between runs) both ask this; it is a fact about resolved policies, not part of a check.
"""

from __future__ import annotations

from typing import Optional

from .model import ResolvedPolicy, references


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


