"""Binding: every computed rule a level bounds stays within that bound at every level below, proved.

A decision or table declared `ceiling` or `floor` (or a case so marked), and a
parameter that is a floor, ceiling or fixed value, bind the levels below on
every input and every day. For each policy and each such item whose value the
policy can change — by overriding it or anything it reads: a case, a table, a
new parameter, a schedule, a cross-reference — this check asks z3 whether some
input of the declared domain, on some day of the policy's window, gives a value
beyond the parent's, the parent being evaluated under this policy's filled
blanks (the parent's own rules, with the blanks it left to lower levels taken
from this policy). Every counterexample z3 finds is evaluated again by the
reference interpreter on both levels; only a confirmed one is reported (PL317
for decisions, PL304/PL305/PL306 for parameters). Where z3 cannot decide, or
the rule has no exact encoding, PL318 says so with the reason; a sampling of
inputs through the interpreter still looks for a counterexample then.

The verdict of every comparison ("tightened, proved", "restated", "loosened",
"not proved") is kept in `proofs` for explain, diff and the docs.
"""

from __future__ import annotations

import datetime as _dt
import random
from decimal import Decimal
from typing import Optional

import attrs
from .lazyz3 import lazy_z3

z3 = lazy_z3(__name__)

from ...diagnostics import Diagnostic, Related
from .. import judgment as J
from ..evaluate import EvaluationError, Interpreter
from ..model import (
    Origin,
    RDecision,
    RParam,
    RRef,
    ResolvedPolicy,
    references,
)
from ...messages import M, N, P
from .common import (
    CheckContext,
    assignment,
    format_value,
    label_of,
    shown_value,
    head_span,
    header_span,
    item_words,
    item_words_zh,
    level_zh,
    say,
    rule_intro,
    rule_ref_zh,
    safe_constant,
    statement_span,
    where,
)
from . import symbolic as S
from .solver_budget import budgeted, ran_out
from .symbolic import LIST_BOUND, Inexact, SymbolicPolicy, Term, Variables, _comparable, _real, percent_limits

SOLVER_CPU_SECONDS = 4.0
SAMPLES = 300  # inputs tried through the interpreter where the solver cannot decide


@attrs.frozen
class Proof:
    """The outcome of comparing one item of a policy with its parent's."""

    policy_id: str
    name: str
    kind: str  # 'decision' | 'param'
    direction: str  # floor | ceiling | fixed
    verdict: str  # judgment.TIGHTENED | RESTATED | LOOSENED | UNDECIDED
    parent_id: str
    reason: Optional[str] = None  # why it is undecided
    counterexample: Optional["Counterexample"] = None


@attrs.frozen
class Counterexample:
    inputs: dict
    blanks: dict
    day: Optional[_dt.date]
    child_value: object
    parent_value: object
    start: Optional[_dt.date] = None  # for periods of time: the start date they are added to


# Proofs already made in this process, by the content of what they compare (see _prove): a
# thousand cities that change a rule the same way cost one proof.
_PROOF_MEMO: dict[tuple, "Proof"] = {}


def check(ctx: CheckContext) -> list[Diagnostic]:
    # The references of each decision and parameter, found once per check: most policies share
    # their parents' (footprint walks every bound decision of every policy twice).
    _REFS_MEMO[0] = {}
    try:
        return _check(ctx)
    finally:
        _REFS_MEMO[0] = None


def _check(ctx: CheckContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    proofs = getattr(ctx, "proofs", None)
    if proofs is None:
        proofs = ctx.proofs = {}
    for policy in ctx.checkable():
        parent = ctx.policies.get(policy.parent) if policy.parent else None
        if parent is None or parent.has_errors:
            continue
        hybrid = parent_under(parent, policy)
        loosened_params: set[str] = set()
        for name, upper in parent.params.items():
            mine = policy.params.get(name)
            if mine is None or upper.statement not in ("floor", "ceiling", "fixed") or upper.value is None:
                continue
            if _param_breaks_its_rule(ctx, policy, mine):
                # already reported by the overrides check, at the value or schedule entry to change
                # (one mistake, one finding)
                loosened_params.add(name)
                continue
            if not _param_needs_proof(ctx, policy, parent, mine, upper):
                continue
            found = ctx.guard(_judge_param, ctx, policy, parent, hybrid, name, proofs)
            if any(d.code in (*PARAM_CODES.values(), "PL322") for d in found):
                loosened_params.add(name)
            out.extend(found)
        for name, upper in parent.decisions.items():
            if name not in policy.decisions or not _binds(upper):
                continue
            mine_print, theirs_print = footprint(policy, "decision", name), footprint(hybrid, "decision", name)
            if mine_print == theirs_print:
                continue
            found = ctx.guard(_judge_decision, ctx, policy, parent, hybrid, name, proofs)
            if found and _only_through(mine_print - theirs_print, loosened_params):
                # The decision breaks its bound only because a parameter it reads broke its own (or departed
                # from an in-principle one with a reason): that finding, at the parameter's line, is the one
                # to fix or to accept (one mistake, one finding).
                found = [d for d in found if d.code != "PL317"]
            out.extend(found)
    return out


def _only_through(changed: frozenset, params: set[str]) -> bool:
    """Whether every definition that differs from the parent's is one of these parameters."""
    return bool(changed) and all(entry[0] == "param" and entry[1] in params for entry in changed)


def _param_breaks_its_rule(ctx: CheckContext, policy: ResolvedPolicy, param: RParam) -> bool:
    """Whether the value-by-value check (checks/overrides.py) reports this parameter, or this
    level's schedule of it, as loosened here."""
    own = param.origin.policy_id == policy.policy_id and len(param.history) >= 2
    own_schedule = param.schedule is not None and param.schedule.origin.policy_id == policy.policy_id
    if not own and not own_schedule:
        return False  # inherited as it is (most parameters of most policies): nothing of this level to judge
    from .overrides import _judge_param as judge_constant
    from .overrides import _judge_schedule as judge_schedule

    found = []
    try:
        if own:
            found += judge_constant(ctx, policy, param)
        if own_schedule:
            found += judge_schedule(ctx, policy, param)
    except Exception:  # noqa: BLE001 - the overrides check reports its own failures
        return False
    return any(d.code in ("PL304", "PL305", "PL306", "PL309", "PL313", "PL322") for d in found)


def verdict(ctx: CheckContext, policy: ResolvedPolicy, name: str) -> Optional[Proof]:
    """The proved verdict on one bound item of a policy against its parent (for explain, diff and the docs);
    None when the item is not bound there or the policy computes it exactly as its parent does."""
    proofs = getattr(ctx, "proofs", None)
    if proofs is None:
        proofs = ctx.proofs = {}
    if (policy.policy_id, name) in proofs:
        return proofs[(policy.policy_id, name)]
    parent = ctx.policies.get(policy.parent) if policy.parent else None
    if parent is None or parent.has_errors or policy.has_errors:
        return None
    hybrid = parent_under(parent, policy)
    upper_decision, upper_param = parent.decisions.get(name), parent.params.get(name)
    if upper_decision is not None and name in policy.decisions and _binds(upper_decision):
        if footprint(policy, "decision", name) != footprint(hybrid, "decision", name):
            _judge_decision(ctx, policy, parent, hybrid, name, proofs)
    elif (upper_param is not None and name in policy.params and upper_param.value is not None
          and upper_param.statement in ("floor", "ceiling", "fixed")
          and _param_needs_proof(ctx, policy, parent, policy.params[name], upper_param)):
        _judge_param(ctx, policy, parent, hybrid, name, proofs)
    return proofs.get((policy.policy_id, name))


def _binds(decision: RDecision) -> bool:
    rows = decision.table.rows if decision.table is not None else ()
    return decision.bound is not None or any(c.bound for c in decision.cases) or any(r.direction for r in rows)


# ---------------------------------------------------------------- the parent under the child's blanks


def parent_under(parent: ResolvedPolicy, child: ResolvedPolicy) -> ResolvedPolicy:
    """The parent's rules, with what it left free taken from the child.

    The parent's decisions and its bound parameters (floor, ceiling, fixed) stay the parent's: they
    are its rule. Its blanks and defaults, which a lower level may set as it likes, take the
    child's definitions; inputs, enums, the evaluation window and the working-day calendar are the
    child's.
    """
    params = dict(parent.params)
    for name, p in parent.params.items():
        if (p.value is None or p.statement in ("default", "delegated")) and name in child.params:
            params[name] = child.params[name]
    return attrs.evolve(parent, params=params, inputs=child.inputs, enums=child.enums,
                        effective=child.effective, ends=child.ends, workdays=child.workdays)


def footprint(policy: ResolvedPolicy, kind: str, name: str) -> frozenset:
    """Every definition an item's value depends on: two policies whose footprints agree compute it alike."""
    seen: set = set()
    out: set = set()
    stack = [(kind, name)]
    while stack:
        k, n = stack.pop()
        if (k, n) in seen:
            continue
        seen.add((k, n))
        if k == "decision":
            d = policy.decisions.get(n)
            if d is None:
                continue
            out.add(("decision", n, d.origin.policy_id, d.origin.span.line))
            refs = _refs_of(d, _decision_refs)
        elif k == "param":
            p = policy.params.get(n)
            if p is None:
                continue
            if p.value is None and p.schedule is None:
                out.add(("param", n, "blank", str(p.type)))  # the same unknown, whoever delegated it
                continue
            schedule = p.schedule.origin.policy_id if p.schedule is not None else None
            out.add(("param", n, p.origin.policy_id, p.origin.span.line, schedule))
            refs = _refs_of(p, _param_refs)
        else:
            continue
        for ref in refs:
            if ref.kind in ("decision", "param"):
                stack.append((ref.kind, ref.name))
            elif ref.kind == "input":
                inp = policy.inputs.get(ref.name)
                out.add(("input", ref.name, str(inp.type) if inp else "", bool(inp and inp.optional)))
            elif ref.kind == "external":
                value = policy.external_values.get((ref.alias, ref.name))
                out.add(("external", ref.alias, ref.name, ref.policy_id, repr(value)))
            elif ref.kind == "builtin" and ref.name != "as_of":
                out.add(("builtin", ref.name, repr(policy.effective), repr(policy.ends)))
            elif ref.kind == "builtin":
                out.add(("builtin", "as_of"))
    return frozenset(out)


_REFS_MEMO: list = [None]  # during binding.check: id(item) -> (item, its references)


def _refs_of(item, find) -> list[RRef]:
    memo = _REFS_MEMO[0]
    if memo is None:
        return find(item)
    known = memo.get(id(item))
    if known is None or known[0] is not item:
        known = memo[id(item)] = (item, find(item))
    return known[1]


def _param_refs(p: RParam) -> list[RRef]:
    refs = references(p.value) if p.value is not None else []
    if p.schedule is not None:
        for entry in p.schedule.entries:
            refs = refs + references(entry.value)
    return refs


def _decision_refs(d: RDecision) -> list[RRef]:
    refs: list[RRef] = []
    if d.expr is not None:
        refs += references(d.expr)
    for case in d.cases:
        refs += references(case.cond) + references(case.value)
    if d.otherwise is not None:
        refs += references(d.otherwise.value)
    if d.table is not None:
        refs += list(d.table.columns)
        for row in d.table.rows:
            refs += references(row.output)
            for cell in row.cells:
                for v in cell.values:
                    refs += references(v)
    return refs


# ---------------------------------------------------------------- decisions


def _judge_decision(ctx: CheckContext, policy, parent, hybrid, name, proofs) -> list[Diagnostic]:
    upper: RDecision = parent.decisions[name]
    out: list[Diagnostic] = []
    # (direction, the parent's part: None or ('case'|'row', index), the origin that declared it, in principle)
    claims = []
    if upper.bound is not None:
        declared = upper.bound_origin or upper.origin
        claims.append((upper.bound, None, declared, bool(getattr(declared.decl, "in_principle", False))))
    for index, case in enumerate(upper.cases):
        if case.bound is not None:
            claims.append((case.bound, ("case", index), upper.origin, case.in_principle))
    for index, row in enumerate(upper.table.rows if upper.table is not None else ()):
        if row.direction is not None:
            claims.append((row.direction, ("row", index), upper.origin, row.in_principle))
    verdicts = []
    for direction, case_index, declared, in_principle in claims:
        proof = _prove(ctx, policy, parent, hybrid, "decision", name, direction, case_index)
        verdicts.append(proof)
        if proof.verdict == J.LOOSENED:
            finding = _loosened_decision(ctx, policy, parent, upper, declared, proof, case_index)
            changed = _changed_origin(ctx, policy, parent, "decision", name)
            if in_principle and changed is not None and changed.meta.reason:
                finding = _as_departure(finding, changed.meta.reason)
            out.append(finding)
        elif proof.verdict == J.UNDECIDED:
            out.append(_undecided(ctx, policy, parent, "decision", name, direction, declared, proof))
    proofs[(policy.policy_id, name)] = _combine(verdicts)
    return out


def _combine(proofs: list[Proof]) -> Proof:
    for verdict in (J.LOOSENED, J.UNDECIDED, J.TIGHTENED):
        for p in proofs:
            if p.verdict == verdict:
                return p
    return proofs[0]


def _prove(ctx, policy, parent, hybrid, kind, name, direction, case_index=None) -> Proof:
    """Compare one item of `policy` with the parent's (evaluated as `hybrid`) over every input and day.

    Proofs are remembered by the content of what they compare (the definitions both sides read, the
    window), so the many cities that change a rule the same way cost one proof. A proof is first
    tried in a z3 context shared by every proof; one that finds a loosening or is undecided there is
    redone in a context of its own, so that its verdict and counterexample (the text of the finding)
    do not depend on what was solved before in the process.
    """
    mine_key, their_key = definition_key(policy, kind, name), definition_key(hybrid, kind, name)
    # The window matters only to rules that read the day (as_of, or a parameter with a schedule).
    dated = any(part[:2] == ("builtin", "as_of") or (part[0] == "param" and part[5] is not None)
                for part in mine_key + their_key)
    key = (kind, name, direction, case_index, (policy.effective, policy.ends) if dated else None,
           mine_key, their_key)
    known = _PROOF_MEMO.get(key)
    if known is None:
        known = _stored_proof(key)
    if known is not None:
        _PROOF_MEMO[key] = known
        return attrs.evolve(known, policy_id=policy.policy_id, parent_id=parent.policy_id)
    with S.shared_context():
        proof = _prove_in_context(ctx, policy, parent, hybrid, kind, name, direction, case_index, readable=False)
    # The solver found a possible loosening, or could not decide in the shared context (whose
    # learned state depends on what was solved before): prove it again in a context of its own,
    # so that the verdict and its example do not depend on the other proofs of the process.
    if proof is None or proof.verdict == J.UNDECIDED:
        with S.fresh_context():
            proof = _prove_in_context(ctx, policy, parent, hybrid, kind, name, direction, case_index)
    _PROOF_MEMO[key] = proof
    _store_proof(key, proof)
    return proof


# ---------------------------------------------------------------- proofs kept between runs

# The on-disk cache of the run (policylang.cache.DiskCache), when the pipeline gives one: a proof is
# kept under the content of what it compared, so the next run (a city changed, the tree moved)
# finds it again without the solver.
_STORE: list = [None]


class proof_store:
    """`with proof_store(cache):` proofs made inside are read from and written to that cache."""

    def __init__(self, store):
        self.store = store

    def __enter__(self):
        self.saved, _STORE[0] = _STORE[0], self.store
        return self.store

    def __exit__(self, *exc):
        _STORE[0] = self.saved
        return False


def _store_key(key: tuple) -> str:
    from ...cache import code_fingerprint, make_key

    return make_key("proof", code_fingerprint(), repr(key))


def _stored_proof(key: tuple) -> Optional[Proof]:
    store = _STORE[0]
    if store is None:
        return None
    data = store.get("proofs", _store_key(key))
    if not isinstance(data, dict):
        return None
    try:
        example = data.get("counterexample")
        counterexample = None if example is None else Counterexample(
            dict(example["inputs"]), dict(example["blanks"]), example["day"], example["child_value"],
            example["parent_value"])
        proof = Proof(data["policy_id"], data["name"], data["kind"], data["direction"], data["verdict"],
                      data["parent_id"], data["reason"], counterexample)
    except (KeyError, TypeError, ValueError):
        return None
    return proof if proof.verdict in J.VERDICTS else None


def _store_proof(key: tuple, proof: Proof) -> None:
    store = _STORE[0]
    if store is None or proof.verdict == J.UNDECIDED:
        return  # an undecided proof (a timeout) is tried again next time
    example = proof.counterexample
    data = {"policy_id": proof.policy_id, "name": proof.name, "kind": proof.kind, "direction": proof.direction,
            "verdict": proof.verdict, "parent_id": proof.parent_id, "reason": proof.reason,
            "counterexample": None if example is None else {
                "inputs": example.inputs, "blanks": example.blanks, "day": example.day,
                "child_value": example.child_value, "parent_value": example.parent_value}}
    store.put("proofs", _store_key(key), data)


def definition_key(policy: ResolvedPolicy, kind: str, name: str) -> tuple:
    """What an item's value depends on, as content (no positions): equal keys compute equal values."""
    from .encode import structural_key as sk

    def exprs_key(exprs):
        return tuple(sk(e) if e is not None else None for e in exprs)

    parts = []
    for entry in sorted(footprint(policy, kind, name), key=repr):
        what, item = entry[0], entry[1]
        if what == "decision":
            d = policy.decisions[item]
            table = None
            if d.table is not None:
                table = (exprs_key(d.table.columns),
                         tuple((r.is_otherwise, r.direction, sk(r.output),
                                tuple((c.kind, c.op, exprs_key(c.values)) for c in r.cells)) for r in d.table.rows))
            parts.append(("decision", item, str(d.type), d.form, d.fixed, d.bound,
                          sk(d.expr) if d.expr is not None else None,
                          tuple((sk(c.cond), sk(c.value), c.fixed, c.bound) for c in d.cases),
                          sk(d.otherwise.value) if d.otherwise is not None else None, table))
        elif what == "param":
            p = policy.params[item]
            schedule = tuple((e.start, sk(e.value)) for e in p.schedule.entries) if p.schedule is not None else None
            parts.append(("param", item, str(p.type), p.statement,
                          sk(p.value) if p.value is not None else None, schedule))
        else:
            parts.append(entry)
    return tuple(parts)


def _prove_in_context(ctx, policy, parent, hybrid, kind, name, direction, case_index=None,
                      readable: bool = True) -> Optional[Proof]:
    """One proof in the current z3 context. readable=False: stop at 'the solver finds a possible
    loosening' (None), without looking for a readable counterexample or confirming it."""
    variables = Variables((policy.effective, policy.ends),
                          {n: e.member_names for n, e in policy.enums.items()}, percent_limits(policy))
    child_side = SymbolicPolicy(policy, variables, ctx.interpreter(policy.policy_id))
    parent_side = SymbolicPolicy(hybrid, variables)
    pid = policy.policy_id
    try:
        if kind == "decision":
            mine, theirs = child_side.decision(name), parent_side.decision(name)
            applies = parent_side.part_applies(name, case_index) if case_index is not None else S.mkBoolVal(True)
            if case_index is not None:
                theirs = parent_side.part_value(name, case_index)
        else:
            mine, theirs = child_side.param(name), parent_side.param(name)
            applies = S.mkBoolVal(True)
        broken = _breaks(direction, mine, theirs)
        loose = z3.And(applies, theirs.defined, broken)
        tight = z3.And(applies, theirs.defined, mine.defined, _strictly_inside(direction, mine, theirs)) \
            if direction != "fixed" else S.mkBoolVal(False)
    except (Inexact, z3.Z3Exception) as exc:
        return _sample(ctx, policy, hybrid, kind, name, direction, case_index,
                       reason=str(exc) if isinstance(exc, Inexact) else "no exact encoding")
    domain = list(variables.domain)
    preferences = (variables.preferred + variables.rounder, variables.preferred) if readable else ()
    if readable and variables.short:
        # the shortest lists that break the rule first: one element, then up to three
        one, three = [s[0] for s in variables.short], [s[1] for s in variables.short]
        preferences = tuple(tier + list(p) for tier in (one, three) for p in preferences) + preferences
    status, model, tightened, reason = _solve(domain, preferences, loose, tight, quick=not readable)
    if status != "unsat" and not readable:
        return None  # a possible loosening, or undecided by the quick solver: proved again as readable
    assignment = variables.assignment(model) if status == "sat" else None
    if status == "sat":
        inputs, blanks, day = assignment
        example = _confirm(ctx, policy, hybrid, kind, name, direction, case_index, inputs, blanks, day)
        if example is not None:
            return Proof(pid, name, kind, direction, J.LOOSENED, parent.policy_id, counterexample=example)
        return _sample(ctx, policy, hybrid, kind, name, direction, case_index,
                       reason="the solver's possible counterexample is not confirmed by the interpreter")
    if status == "unknown":
        return _sample(ctx, policy, hybrid, kind, name, direction, case_index, reason=reason)
    if variables.inexact:
        return _sample(ctx, policy, hybrid, kind, name, direction, case_index, reason="; ".join(variables.inexact))
    return Proof(pid, name, kind, direction, J.TIGHTENED if tightened else J.RESTATED, parent.policy_id)


def _solver(quick: bool):
    context = S.current_context()
    if not quick:
        return budgeted(z3.Solver(ctx=context), SOLVER_CPU_SECONDS)
    # Dates are day numbers computed with div and mod (years, months, leap days): purify-arith
    # names each quotient and remainder once, which decides a deadline proof in ~0.1 s where the
    # default solver took 1.5-3.5 s. Only its sat / unsat answer is used (a model, which becomes the
    # counterexample's text, always comes from the default solver).
    return budgeted(z3.Then(z3.Tactic("purify-arith", ctx=context), z3.Tactic("smt", ctx=context)).solver(),
                    SOLVER_CPU_SECONDS)


def _solve(domain, preferences, loose, tight, quick: bool = False):
    """(status, model, tightened, reason): 'sat' with the most readable model there is, 'unsat', 'unknown'.

    preferences: lists of constraints that make a counterexample easier to read, strongest first.
    quick: answer sat / unsat with the tactic of `_solver` (a sat answer's model is not for showing)."""
    solver = _solver(quick)
    solver.add(*domain)
    solver.push()
    solver.add(loose)
    result = solver.check()
    if result == z3.sat:
        model = solver.model()
        for preferred in preferences:
            solver.push()
            solver.add(*preferred)
            found = solver.check() == z3.sat
            if found:
                model = solver.model()
            solver.pop()
            if found:
                break
        return "sat", model, False, None
    if result == z3.unknown:
        reason = solver.reason_unknown()
        return "unknown", None, False, _reason_words(reason)
    solver.pop()
    solver.add(tight)
    tightened = solver.check() == z3.sat
    return "unsat", None, tightened, None


def _reason_words(reason: str) -> str:
    if ran_out(reason):
        return f"the solver ran out of time ({SOLVER_CPU_SECONDS:g} s)"
    if "nonlinear" in reason or "incomplete" in reason:
        return "the rule multiplies unknowns together (nonlinear arithmetic), which the solver cannot always decide"
    return f"the solver could not decide ({reason})"


def _breaks(direction: str, mine: Term, theirs: Term):
    """The child's value breaks the parent's direction: none where the parent has a value, or beyond it."""
    a, b = _ordered_pair(mine, theirs)
    if direction == "ceiling":  # none is below every value (see judgment.breaks)
        return z3.And(mine.defined, a > b)
    beyond = a != b if direction == "fixed" else a < b
    return z3.Or(z3.Not(mine.defined), beyond)


def _strictly_inside(direction: str, mine: Term, theirs: Term):
    a, b = _ordered_pair(mine, theirs)
    return a < b if direction == "ceiling" else a > b


def _ordered_pair(mine: Term, theirs: Term):
    if mine.kind == "duration" or theirs.kind == "duration":
        raise Inexact("periods of time that change with the day")
    a, b = _comparable(mine), _comparable(theirs)
    if z3.is_int(a) != z3.is_int(b):
        a, b = _real(a), _real(b)
    return a, b


def _evaluate(ctx, policy: ResolvedPolicy, kind: str, name: str, inputs: dict, blanks: dict, day, case_index=None,
              interpreter: Optional[Interpreter] = None):
    """The reference interpreter's value of one item (raises EvaluationError)."""
    interp = interpreter or Interpreter(policy)
    values = dict(inputs)
    values.update({k: v for k, v in blanks.items() if "." not in k})
    as_of = day or policy.effective
    if kind == "param":
        return interp.param_value(name, as_of, values)
    if case_index is not None:
        return interp.part_value(name, case_index, values, as_of)
    return interp.evaluate_validated(values, as_of, [name]).values[name]


def _applies(policy, name, part, inputs, blanks, day) -> bool:
    """Whether the case or row `part` of a decision is the one that decides on these inputs."""
    if part is None:
        return True
    values = dict(inputs)
    values.update({k: v for k, v in blanks.items() if "." not in k})
    what, wanted = part
    found = Interpreter(policy).deciding_part(name, values, day or policy.effective)
    if found is None or (found[0] == "case") != (what == "case"):
        return False
    return found[1] == wanted


def _confirm(ctx, policy, hybrid, kind, name, direction, case_index, inputs, blanks, day) -> Optional[Counterexample]:
    """The counterexample, if the reference interpreter agrees it breaks the bound on both levels."""
    try:
        if not _applies(hybrid, name, case_index, inputs, blanks, day):
            return None
        theirs = _evaluate(ctx, hybrid, kind, name, inputs, blanks, day, case_index)
        mine = _evaluate(ctx, policy, kind, name, inputs, blanks, day,
                         interpreter=ctx.interpreter(policy.policy_id))
    except (EvaluationError, ArithmeticError, TypeError, ValueError, OverflowError, KeyError):
        return None
    if not J.breaks(direction, mine, theirs):
        return None
    return Counterexample(inputs, blanks, day, mine, theirs)


def _sample(ctx, policy, hybrid, kind, name, direction, case_index, reason: str) -> Proof:
    """Where no proof is possible: look for a counterexample among varied inputs, through the interpreter."""
    rng = random.Random(f"{policy.policy_id}:{name}:{direction}:{case_index}")
    first = policy.effective or _dt.date(2020, 1, 1)
    last = policy.ends or first + _dt.timedelta(days=3 * 366)
    days = [first, last] + [first + _dt.timedelta(days=rng.randrange(max((last - first).days, 1))) for _ in range(8)]
    blank_types = {p.name: p.type for p in policy.params.values() if p.is_blank}
    for attempt in range(SAMPLES):
        inputs = {n: _random_value(rng, i.type, policy) for n, i in policy.inputs.items()
                  if not (i.optional and rng.random() < 0.2)}
        blanks = {n: _random_value(rng, t, policy) for n, t in blank_types.items()}
        example = _confirm(ctx, policy, hybrid, kind, name, direction, case_index, inputs, blanks,
                           days[attempt % len(days)])
        if example is not None:
            return Proof(policy.policy_id, name, kind, direction, J.LOOSENED, hybrid.policy_id,
                         counterexample=example)
    return Proof(policy.policy_id, name, kind, direction, J.UNDECIDED, hybrid.policy_id, reason=reason)


_ROUND_AMOUNTS = [Decimal(x) for x in ("0", "0.01", "1", "99.99", "100", "469", "798", "1000", "1500", "5000",
                                        "6500", "7000", "7000.01", "9800", "100000")]


def _random_value(rng: random.Random, t, policy):
    kind = t.kind
    if kind == "money":
        if rng.random() < 0.5:
            return rng.choice(_ROUND_AMOUNTS)
        return Decimal(rng.randrange(0, 2_000_000)) / 100
    if kind == "percent":
        return Decimal(rng.randrange(0, 101)) / 100
    if kind == "decimal":
        return Decimal(rng.randrange(-1000, 100000)) / 100
    if kind == "count":
        return rng.randrange(0, 50)
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "date":
        base = policy.effective or _dt.date(2021, 1, 1)
        return base + _dt.timedelta(days=rng.randrange(-400, 1500))
    if kind == "enum":
        enum = policy.enums.get(t.enum)
        return rng.choice(enum.member_names) if enum and enum.member_names else None
    if kind == "text":
        return rng.choice(["", "a", "中选"])
    if kind == "list":  # up to twice the solver's bound of elements, each field drawn like an input
        record = policy.records.get(t.record)
        if record is None:
            return ()
        return tuple({f.name: None if f.optional and rng.random() < 0.2 else _random_value(rng, f.type, policy)
                      for f in record.fields} for _ in range(rng.randrange(0, 2 * LIST_BOUND + 1)))
    return None


# ---------------------------------------------------------------- parameters


def _param_needs_proof(ctx, policy, parent, mine: RParam, upper: RParam) -> bool:
    """Whether a parameter needs the symbolic comparison: the value-by-value check cannot decide it."""
    same_schedule = (mine.schedule is None) == (upper.schedule is None) and (
        mine.schedule is None or mine.schedule.origin == upper.schedule.origin)
    if mine.origin == upper.origin and same_schedule:
        return False
    if mine.schedule is not None or upper.schedule is not None:
        return True
    if mine.value is None:
        return False  # delegating a bound value again is the resolver's and overrides' business
    a, _ = safe_constant(ctx, policy.policy_id, mine.value)
    b, _ = safe_constant(ctx, parent.policy_id, upper.value)
    if a is None or b is None:
        return True  # reads a blank: compared symbolically
    return J.order(a, b) is None


def _judge_param(ctx, policy, parent, hybrid, name, proofs) -> list[Diagnostic]:
    upper: RParam = parent.params[name]
    mine: RParam = policy.params[name]
    direction = upper.statement
    if upper.type.kind == "duration":
        proof = _prove_duration(ctx, policy, parent, mine, upper, direction)
    else:
        proof = _prove(ctx, policy, parent, hybrid, "param", name, direction)
    proofs[(policy.policy_id, name)] = proof
    if proof.verdict == J.LOOSENED:
        finding = _loosened_param(ctx, policy, parent, mine, upper, proof)
        changed = _changed_origin(ctx, policy, parent, "param", name)
        if getattr(upper.origin.decl, "in_principle", False) and changed is not None and changed.meta.reason:
            finding = _as_departure(finding, changed.meta.reason)
        return [finding]
    if proof.verdict == J.UNDECIDED:
        return [_undecided(ctx, policy, parent, "param", name, direction, upper.origin, proof)]
    return []


def _prove_duration(ctx, policy, parent, mine: RParam, upper: RParam, direction) -> Proof:
    days = _segment_days(policy, mine, upper)
    for day in days:
        try:
            a = ctx.interpreter(policy.policy_id).param_value(mine.name, day)
            b = Interpreter(parent_under(parent, policy)).param_value(upper.name, day)
        except EvaluationError as exc:
            return Proof(policy.policy_id, mine.name, "param", direction, J.UNDECIDED, parent.policy_id,
                         reason=exc.message)
        start = J.duration_counterexample(a, b, direction, after=policy.effective, calendar=policy.workdays,
                                          until=policy.ends)
        if start is not None:
            return Proof(policy.policy_id, mine.name, "param", direction, J.LOOSENED, parent.policy_id,
                         counterexample=Counterexample({}, {}, day if len(days) > 1 else None, a, b, start=start))
    return Proof(policy.policy_id, mine.name, "param", direction, J.TIGHTENED, parent.policy_id)


def _segment_days(policy, mine: RParam, upper: RParam) -> list[_dt.date]:
    """The first day of each stretch of the policy's window on which both values stay the same."""
    first = policy.effective or _dt.date(2000, 1, 1)
    days = {first}
    for p in (mine, upper):
        if p.schedule is not None:
            days.update(e.start for e in p.schedule.entries if e.start >= first)
    if policy.ends is not None:
        days = {d for d in days if d <= policy.ends}
    return sorted(days)


# ---------------------------------------------------------------- messages


def _shown(value, t, zh: bool = False, policy: Optional[ResolvedPolicy] = None):
    shown = shown_value(policy, value, t)
    return shown.zh if zh else shown


def _example_words(policy: ResolvedPolicy, example: Counterexample, zh: bool) -> str:
    parts = []
    for name, value in sorted(example.inputs.items(), key=lambda kv: _input_order(policy, kv[0])):
        inp = policy.inputs.get(name)
        shown = assignment(policy, name, value, inp.type if inp else None)
        parts.append(shown.zh if zh else str(shown))
    for name, value in sorted(example.blanks.items()):
        p = policy.params.get(name)
        t = p.type if p is not None else None
        shown = shown_value(policy, value, t)
        parts.append(f"{label_of(policy, name)}（尚未填写）= {shown.zh}" if zh else f"{name} (a blank) = {shown}")
    sep = "、" if zh else ", "
    text = sep.join(parts)
    if example.start is not None:
        text = (f"起算日为 {example.start.isoformat()}" if zh else f"counting from {example.start.isoformat()}") + \
               ((sep + text) if text else "")
    if example.day is not None:
        text = (text + (f"，于 {example.day.isoformat()}" if zh else f", on {example.day.isoformat()}")) if text \
            else (f"{example.day.isoformat()} 当日" if zh else f"the day {example.day.isoformat()}")
    return text or ("任意输入" if zh else "any input")


def _input_order(policy, name):
    names = list(policy.inputs)
    return names.index(name) if name in names else len(names)


LIMIT_EN = {"ceiling": "at most", "floor": "at least", "fixed": "exactly"}
LIMIT_ZH = {"ceiling": "最多", "floor": "至少", "fixed": "只能是"}
BEYOND_EN = {"ceiling": "higher", "floor": "lower", "fixed": "different"}
BEYOND_ZH = {"ceiling": "更高", "floor": "更低", "fixed": "不同"}


def _values_words(policy, parent, example: Counterexample, t, direction: str, zh: bool) -> tuple[str, str]:
    if t is not None and t.kind == "duration" and example.start is not None:
        from ..evaluate import add_duration

        mine_end = add_duration(example.start, example.child_value, 1, policy.workdays)
        their_end = add_duration(example.start, example.parent_value, 1, policy.workdays)
        mine = f"{_shown(example.child_value, t, True, policy)}（到 {mine_end.isoformat()}）" if zh else \
            f"{_shown(example.child_value, t)} (to {mine_end.isoformat()})"
        theirs = f"{_shown(example.parent_value, t, True, policy)}（到 {their_end.isoformat()}）" if zh else \
            f"{_shown(example.parent_value, t)} (to {their_end.isoformat()})"
        return mine, theirs
    mine = "不适用（无结果）" if (zh and example.child_value is None) else _shown(example.child_value, t, zh, policy)
    return mine, _shown(example.parent_value, t, zh, policy)


def _loosened_decision(ctx, policy, parent, upper: RDecision, declared: Origin, proof: Proof,
                       case_index) -> Diagnostic:
    name = upper.name
    mine_decision = policy.decisions[name]
    words, words_zh = item_words(name, mine_decision.label), item_words_zh(name, mine_decision.label)
    example = proof.counterexample
    t = upper.type
    mine, theirs = _values_words(policy, parent, example, t, proof.direction, False)
    mine_zh, theirs_zh = _values_words(policy, parent, example, t, proof.direction, True)
    given = _example_words(policy, example, False)
    given_zh = _example_words(policy, example, True)
    kind_word = J.DIRECTION_WORDS[proof.direction]
    if case_index is not None:
        what, index = case_index
        where_case, where_case_zh = P(f"phrase.PL317.where_{what}", index=index + 1)
    else:
        where_case = where_case_zh = ""
    span = _changed_span(ctx, policy, parent, "decision", name)
    if case_index is None:
        related_span = head_span(declared)
    elif case_index[0] == "case":
        related_span = upper.cases[case_index[1]].span
    else:
        related_span = upper.table.rows[case_index[1]].span
    part, part_zh = P("phrase.PL317.part", what=case_index[0], index=case_index[1] + 1) \
        if case_index is not None else ("", "")
    rel = Related(related_span, **N("note.PL317.declared", intro=rule_intro(declared), where=where(declared),
                                    ref_zh=rule_ref_zh(declared), words=words, words_zh=words_zh, kind=kind_word,
                                    kind_zh=J.DIRECTION_WORDS_ZH[proof.direction], part=part,
                                    where_case_zh=where_case_zh))
    return say("PL317.loosened", span, policy.policy_id, related_=(rel,), words=words, words_zh=words_zh,
               kind=kind_word, kind_zh=J.DIRECTION_WORDS_ZH[proof.direction], declared=declared.policy_id,
               where_case=where_case, where_case_zh=where_case_zh, beyond=BEYOND_EN[proof.direction],
               beyond_zh=BEYOND_ZH[proof.direction], given=given, given_zh=given_zh, mine=mine, mine_zh=mine_zh,
               parent=parent.policy_id, limit=LIMIT_EN[proof.direction], limit_zh=LIMIT_ZH[proof.direction],
               theirs=theirs, theirs_zh=theirs_zh, level=declared.level, level_zh=level_zh(declared.level))


PARAM_CODES = {"floor": "PL304", "ceiling": "PL305", "fixed": "PL306"}


def _loosened_param(ctx, policy, parent, mine: RParam, upper: RParam, proof: Proof) -> Diagnostic:
    example = proof.counterexample
    words, words_zh = item_words(mine.name, mine.label), item_words_zh(mine.name, mine.label)
    t = upper.type
    shown_mine, shown_theirs = _values_words(policy, parent, example, t, proof.direction, False)
    shown_mine_zh, shown_theirs_zh = _values_words(policy, parent, example, t, proof.direction, True)
    given = _example_words(policy, example, False)
    given_zh = _example_words(policy, example, True)
    direction = proof.direction
    span = statement_span(mine.origin) if mine.origin.policy_id == policy.policy_id else None
    if example.day is not None and mine.schedule is not None and mine.schedule.origin.policy_id == policy.policy_id:
        entry = next((e for e in reversed(mine.schedule.entries) if e.start <= example.day), None)
        if entry is not None:
            span = entry.span
    if span is None:
        span = _changed_span(ctx, policy, parent, "param", mine.name)
    on, on_zh = P("phrase.PL317.on_day", day=example.day.isoformat()) if example.day else ("", "")
    rel = Related(statement_span(upper.origin),
                  **N("note.PL30x.declared", intro=rule_intro(upper.origin), where=where(upper.origin),
                      ref_zh=rule_ref_zh(upper.origin), words=words, words_zh=words_zh,
                      kind=J.DIRECTION_WORDS[direction], kind_zh=J.DIRECTION_WORDS_ZH[direction],
                      value=_shown(example.parent_value, t), on=on, on_zh=on_zh))
    working = any(getattr(v, "unit", None) == "working_days" for v in (example.child_value, example.parent_value))
    which = "working_days" if working else "duration" if t.kind == "duration" else "value"
    key = f"{PARAM_CODES[direction]}.loosened_{which}"
    return say(key, span, policy.policy_id, related_=(rel,), words=words, words_zh=words_zh,
               limit=LIMIT_EN[direction], limit_zh=LIMIT_ZH[direction],
               must_zh=LIMIT_ZH[direction].replace("最多", "不得高于").replace("至少", "不得低于"),
               parent=parent.policy_id, kind=J.DIRECTION_WORDS[direction], kind_zh=J.DIRECTION_WORDS_ZH[direction],
               upper=upper.origin.policy_id, beyond=BEYOND_EN[direction], beyond_zh=BEYOND_ZH[direction],
               given=given, given_zh=given_zh, mine=shown_mine, mine_zh=shown_mine_zh, theirs=shown_theirs,
               theirs_zh=shown_theirs_zh)


def _undecided(ctx, policy, parent, kind, name, direction, declared: Origin, proof: Proof) -> Diagnostic:
    item = policy.decisions.get(name) if kind == "decision" else policy.params.get(name)
    words, words_zh = item_words(name, item.label), item_words_zh(name, item.label)
    rel = Related(head_span(declared), **N("note.PL318.declared", intro=rule_intro(declared), where=where(declared),
                                           ref_zh=rule_ref_zh(declared), words=words, words_zh=words_zh,
                                           kind=J.DIRECTION_WORDS[direction], kind_zh=J.DIRECTION_WORDS_ZH[direction]))
    return say("PL318.undecided", _changed_span(ctx, policy, parent, kind, name), policy.policy_id, related_=(rel,),
               words=words, words_zh=words_zh, parent=parent.policy_id, kind=J.DIRECTION_WORDS[direction],
               kind_zh=J.DIRECTION_WORDS_ZH[direction], reason=proof.reason, reason_zh=_reason_zh(proof.reason),
               samples=SAMPLES)


def _reason_zh(reason: Optional[str]) -> str:
    if not reason:
        return "求解器无法判定"
    if "ran out of time" in reason:
        return "求解器超时"
    if "nonlinear" in reason:
        return "规则中有未知量相乘（非线性运算），求解器无法总能判定"
    if "division" in reason:
        return "规则中有除以可能为零的值的运算"
    if "lists of more than" in reason:
        return f"列表输入项只按不超过 {LIST_BOUND} 个元素求解，更长的列表无法证明"
    if "not confirmed" in reason:
        return "求解器给出的可能反例未被解释器确认"
    return f"该规则无法精确转换为求解器公式（{reason}）"


def _as_departure(finding: Diagnostic, reason: str) -> Diagnostic:
    """The parent's bound holds only 原则上 (in principle) and this policy says why it departs: a warning."""
    m = M("PL322.departure", finding=finding.message, finding_zh=finding.message_zh, reason=reason)
    return attrs.evolve(finding, severity="warning", **m)


def _changed_origin(ctx, policy: ResolvedPolicy, parent: ResolvedPolicy, kind: str, name: str) -> Optional[Origin]:
    """The definition by which this policy changes an item's value: its own definition of the item, else
    the first thing it reads that this policy defines differently from its parent."""
    item = policy.decisions.get(name) if kind == "decision" else policy.params.get(name)
    if item is not None and item.origin.policy_id == policy.policy_id:
        return item.origin
    theirs = footprint(parent_under(parent, policy), kind, name)
    for entry in sorted(footprint(policy, kind, name) - theirs, key=repr):
        if entry[0] == "decision":
            d = policy.decisions.get(entry[1])
            if d is not None and d.origin.policy_id == policy.policy_id:
                return d.origin
        if entry[0] == "param":
            p = policy.params.get(entry[1])
            if p is not None:
                if p.schedule is not None and p.schedule.origin.policy_id == policy.policy_id:
                    return p.schedule.origin
                if p.origin.policy_id == policy.policy_id:
                    return p.origin
    return None


def _changed_span(ctx, policy: ResolvedPolicy, parent: ResolvedPolicy, kind: str, name: str):
    """Where this policy changes an item's value (see _changed_origin), else its header."""
    origin = _changed_origin(ctx, policy, parent, kind, name)
    if origin is None:
        return header_span(policy, ctx.ws)
    if origin.decl.kind == "param":
        return statement_span(origin)
    return head_span(origin)
