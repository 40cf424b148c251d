"""Shared helpers of the code generator tests: resolve trees, compile, call both evaluators."""

from __future__ import annotations

import re
from pathlib import Path

from policylang.backends.pycodegen import compile_module
from policylang.pipeline import check
from policylang.semantics.evaluate import EvaluationError, Interpreter
from policylang.semantics.model import Duration

REPO = Path(__file__).resolve().parents[2]
POLICIES = REPO / "policies"


def resolve_tree(root) -> dict:
    run = check([str(root)], str(root))
    return run.resolution.policies


def outcome_interpreter(interp: Interpreter, inputs, as_of, explain=False):
    try:
        result = interp.evaluate(inputs, as_of, explain=explain)
    except EvaluationError as exc:
        return ("error", type(exc).__name__, exc.field, exc.decision, exc.message)
    trace = {k: [_norm_step(s.to_dict()) for s in v] for k, v in result.trace.items()} if explain else None
    return ("ok", {k: _norm(v) for k, v in result.values.items()}, trace, _violations(result.violations))


def outcome_module(module, inputs, as_of, explain=False):
    try:
        result = module.evaluate(inputs, as_of=as_of, explain=explain)
    except module.EvaluationError as exc:
        return ("error", type(exc).__name__, exc.field, exc.decision, exc.message)
    trace = {k: [_norm_step(s.to_dict()) for s in v] for k, v in result.trace.items()} if explain else None
    return ("ok", {k: _norm(v) for k, v in result.as_dict().items()}, trace, _violations(result.violations))


def _violations(violations) -> list:
    """The requirements a result breaks, as data (locations relative to the tree, as in traces)."""
    return [_norm_step(v.to_dict()) for v in violations]


def _norm(value):
    """Values compared exactly: type and digits (Decimal('469.00') differs from Decimal('469'))."""
    if isinstance(value, Duration) or type(value).__name__ == "Duration":
        return ("duration", value.amount, value.unit)
    return (type(value).__name__, str(value))


def _norm_step(step: dict) -> dict:
    # The interpreter reports absolute paths; generated modules report them relative to the tree.
    step = dict(step)
    step["location"] = re.sub(r"^.*?(policies/)", r"\1", step["location"].replace("\\", "/"))
    return step


__all__ = ["compile_module", "resolve_tree", "outcome_interpreter", "outcome_module", "REPO", "POLICIES"]
