"""The conflict checker: proves each policy stays within the limits of the levels above it.

`run_checks(ws, resolution)` runs every check over the resolved tree and returns
their diagnostics. The checks themselves live in `checks/`:

- overrides: floors lowered, ceilings raised, fixed rules changed, statement
  kinds changed, values outside a blank's bounds;
- binding: decisions, tables and parameters a level binds (ceiling, floor,
  fixed), proved with z3 for every override that changes their value (PL317,
  PL318);
- provisions: obligations weakened, their text or actors changed without a reason;
- crossrefs: bounds read through `uses` in the region's own version, unused `uses`;
- blanks: delegated values a leaf policy leaves unfilled;
- unused: inputs and parameters nothing reads;
- logic: decision tables and cases (overlaps, dead cases, gaps), with z3;
- requirements: schedules that miss their deadline, requirements that can be
  violated or that contradict the parent's;
- examples: each policy's own `example` blocks, run with the reference
  interpreter (PL601 for an expectation that does not hold).

Each finding is reported once, on the file that has to change, with the upper
level's rule as the related location. A check that fails internally on some
unforeseen construct (a bug in policylang) is reported as PL990, naming the check
and what it was examining, at the item where known; the other checks, and the
same check on other items, still run and report. Commands then exit with status
2, never "ok". POLICYLANG_DEBUG=1 re-raises the error instead, with its traceback.
"""

from __future__ import annotations

import attrs

from ..diagnostics import Diagnostic
from ..messages import P
from .checks import binding, blanks, crossrefs, examples, logic, overrides, provisions, requirements, unused
from .checks.common import CheckContext, debug, internal_error, version_views
from .loader import Workspace

CHECKS = (
    ("overrides", overrides.check),
    ("binding", binding.check),
    ("provisions", provisions.check),
    ("crossrefs", crossrefs.check),
    ("blanks", blanks.check),
    ("unused", unused.check),
    ("logic", logic.check),
    ("requirements", requirements.check),
    ("examples", examples.check),
)


def run_checks(ws: Workspace, resolution, used=None) -> list[Diagnostic]:
    """used: every (declaring policy id, name) some policy of the tree reads, when the caller
    knows it (an incremental run resolves only the policies a change affects, and keeps what
    the others read); None to compute it from the resolution."""
    ctx = CheckContext(ws, resolution, used)
    out: list[Diagnostic] = []
    for name, check in CHECKS:
        ctx.check_name, ctx.current_policy = name, None
        try:
            for d in check(ctx):  # one at a time: what a failing check found before it failed is kept
                out.append(d)
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others' findings
            if debug():
                raise
            out.append(internal_error(ctx, exc, ctx.current_policy, check_name=name, stopped=True))
    ctx.check_name = ctx.current_policy = None
    out.extend(_version_findings(ws, resolution, used, out))
    return out


def _version_findings(ws: Workspace, resolution, used, found: list[Diagnostic]) -> list[Diagnostic]:
    """A policy below an amended notice is held, from each amendment's date on, to the version of the
    levels above in force then: every check runs again on each of its versions (over the days that
    version applies), and what it finds there and not in the policy as written is reported, saying
    from which day and by which amendment."""
    policies = resolution.policies
    targets = [policies[pid] for pid in resolution.order if pid in policies and not policies[pid].has_errors
               and any(v.amended_by for _, v in policies[pid].versions)]
    if not targets:
        return []
    seen = {_finding_key(d) for d in found}
    out: list[Diagnostic] = []
    for policy in targets:
        for start, by, view, uppers in version_views(policies, policy):
            vctx = CheckContext(ws, resolution, used, views=[view] + uppers)
            amended = policies[by].amends if by in policies else None
            for name, check in CHECKS:
                if name == "examples":
                    continue  # an example runs once, on the version of its own day (the interpreter chooses it)
                vctx.check_name, vctx.current_policy = name, None
                try:
                    diags = list(check(vctx))
                except Exception as exc:  # noqa: BLE001 - as above
                    if debug():
                        raise
                    diags = [internal_error(vctx, exc, vctx.current_policy, check_name=name, stopped=True)]
                for d in diags:
                    key = _finding_key(d)
                    if key in seen:
                        continue
                    seen.add(key)
                    message, message_zh = P("phrase.amended_above", start=start.isoformat(), by=by,
                                            amended=amended or by, message=d.message[:1].lower() + d.message[1:],
                                            message_zh=d.message_zh or d.message)
                    out.append(attrs.evolve(d, message=message, message_zh=message_zh))
    return out


def _finding_key(d: Diagnostic) -> tuple:
    return (d.code, d.policy_id, d.span, tuple(r.span for r in d.related))
