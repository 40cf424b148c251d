"""The conflict checker: proves each policy stays within the limits of the levels above it.

`run_checks(ws, resolution)` runs every check over the resolved tree and returns
their diagnostics. The checks themselves live in `checks/`:

- overrides: floors lowered, ceilings raised, fixed rules changed, statement
  kinds changed, values outside a blank's bounds;
- provisions: obligations weakened, their text or actors changed without a reason;
- crossrefs: bounds read through `uses` in the region's own version, unused `uses`;
- blanks: delegated values a leaf policy leaves unfilled;
- unused: inputs and parameters nothing reads;
- logic: decision tables and cases (overlaps, dead cases, gaps), with z3;
- requirements: schedules that miss their deadline, requirements that can be
  violated or that contradict the parent's.

Each finding is reported once, on the file that has to change, with the upper
level's rule as the related location. A check that fails internally on some
unforeseen construct is skipped for that run rather than crashing the command
(set POLICYLANG_DEBUG=1 to see the error instead).
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from .checks import blanks, crossrefs, logic, overrides, provisions, requirements, unused
from .checks.common import CheckContext, debug
from .loader import Workspace

CHECKS = (
    ("overrides", overrides.check),
    ("provisions", provisions.check),
    ("crossrefs", crossrefs.check),
    ("blanks", blanks.check),
    ("unused", unused.check),
    ("logic", logic.check),
    ("requirements", requirements.check),
)


def run_checks(ws: Workspace, resolution, used=None) -> list[Diagnostic]:
    """used: every (declaring policy id, name) some policy of the tree reads, when the caller
    knows it (an incremental run resolves only the policies a change affects, and keeps what
    the others read); None to compute it from the resolution."""
    ctx = CheckContext(ws, resolution, used)
    out: list[Diagnostic] = []
    for _name, check in CHECKS:
        try:
            out.extend(check(ctx))
        except Exception:  # noqa: BLE001 - one broken check must not hide the others' findings
            if debug():
                raise
    return out
