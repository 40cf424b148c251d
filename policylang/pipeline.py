"""The front half of every command: load a tree, resolve its chains, run the checks.

Passes run in one direction: syntax (loader/parser) -> semantics (resolver,
checker) -> whatever backend the command drives. Backends receive a CheckRun
and never re-parse.
"""

from __future__ import annotations

from typing import Iterable, Optional

import attrs

from .diagnostics import Diagnostic, sort_diagnostics
from .semantics.loader import Workspace, load_workspace
from .semantics.resolve import Resolution, resolve


@attrs.define
class CheckRun:
    workspace: Workspace
    resolution: Resolution
    diagnostics: list[Diagnostic]  # every finding, sorted, with configuration applied

    @property
    def policies(self):
        return self.resolution.policies

    def target_policies(self):
        """The resolved policies the user asked about, in dependency order."""
        targets = set(self.workspace.targets)
        return [self.resolution.policies[p] for p in self.resolution.order
                if p in targets and p in self.resolution.policies]

    def diagnostics_for_targets(self) -> list[Diagnostic]:
        targets = set(self.workspace.targets)
        return [d for d in self.diagnostics if d.policy_id is None or d.policy_id in targets]


def run_checks(ws: Workspace, resolution: Resolution) -> list[Diagnostic]:
    """The checker's findings (overrides, blanks, tables, schedules, requirements…)."""
    try:
        from .semantics.checker import run_checks as checker
    except ImportError:  # the checker is optional while it is being built
        return []
    return checker(ws, resolution)


def apply_configuration(ws: Workspace, diags: list[Diagnostic]) -> list[Diagnostic]:
    try:
        from .config import apply_config, load_config
    except ImportError:
        return diags
    return apply_config(diags, load_config(ws.root), ws)


def check(paths: Iterable[str] = ("policies",), root: Optional[str] = None) -> CheckRun:
    ws = load_workspace(paths, root)
    resolution = resolve(ws)
    diags = list(ws.diagnostics) + list(resolution.diagnostics) + run_checks(ws, resolution)
    diags = apply_configuration(ws, diags)
    return CheckRun(ws, resolution, sort_diagnostics(diags))
