"""Requirements, schedules and deadlines (PL404, PL406, PL407, PL316).

A requirement `require NAME: COND [by DATE]` must hold for every input the
policy allows, from DATE on. Three questions are asked of each:

- A requirement about parameters only (no inputs), with a deadline: do the
  values in force on the deadline, and on every later schedule date, satisfy
  it? A schedule that is still too high on the deadline is PL404, reported on
  the schedule entry in force that day (or on the parameter's value), with the
  requirement as the related location. When the requirement reads a blank
  nobody filled, it cannot be checked yet: PL316 (info).
- A requirement that reads inputs: is there an input that makes it false? z3
  searches for one over the decisions' formulas; a counterexample is PL406.
  When the formulas cannot be fully encoded, nothing is claimed.
- A requirement that reads inputs only (no decision, no parameter) is a rule each
  case must meet (「患者按中选价格使用」: a selected product's price is its selected
  price): any input can break it, so there is nothing to prove; evaluation reports a
  case that breaks it (result.violations).
- A requirement a lower level redefines: can the parent's and the child's both
  hold at once? If not, the child contradicts the parent: PL407.

A requirement is examined in every policy that writes it or writes something it
reads (a parameter's value or schedule, a decision), so a city that sets a
schedule is told when its schedule misses the national deadline.

A requirement binds a policy only on the days it is in force, from its
`effective` date to its `ends` date: a policy that ends before the deadline is
not held to it at all, and one that takes effect after the deadline is held to
it from its own first day. PL404 points at the value that breaks the
requirement: of the parameters the requirement names (in the order it names
them), the first whose value in force that day — a schedule entry or the
parameter's own value — this policy writes; the requirement, and the upper
level's entry when the value in force comes from there, are related locations.
"""

from __future__ import annotations

import datetime as _dt
import itertools
from decimal import Decimal
from typing import Optional

from .lazyz3 import lazy_z3

z3 = lazy_z3(__name__)

from ...diagnostics import Diagnostic, Related
from ..evaluate import BlankNotFilled, EvaluationError
from ..model import RRequirement, ResolvedPolicy, references
from ...messages import P
from .common import (
    CheckContext,
    assignment,
    assignments,
    expr_words,
    format_value,
    shown_value,
    head_span,
    item_words,
    item_words_zh,
    related_note,
    say,
    statement_span,
)
from .encode import Encoder, solver, source_text
from .logic import describe_example, when_zh

MAX_CANDIDATES = 5  # solver models tried when the formula is only approximate
MAX_COMBINATIONS = 256  # boundary-value combinations of the inputs the solver could not constrain, per model


def check(ctx: CheckContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for policy in ctx.checkable():
        for requirement in policy.requirements.values():
            if not _touched_here(policy, requirement):
                continue
            out.extend(ctx.guard(lambda: RequirementCheck(ctx, policy, requirement).run()))
    return out


def _reads(policy: ResolvedPolicy, requirement: RRequirement) -> tuple[set[str], set[str], set[str]]:
    """(params, inputs, decisions) the requirement reads, through decisions transitively."""
    params, inputs, decisions = set(), set(), set()
    todo = list(references(requirement.cond))
    while todo:
        ref = todo.pop()
        if ref.kind == "param":
            params.add(ref.name)
        elif ref.kind == "input":
            inputs.add(ref.name)
        elif ref.kind == "decision" and ref.name not in decisions:
            decisions.add(ref.name)
            d = policy.decisions.get(ref.name)
            if d is None:
                continue
            for name in d.depends_on:
                kind = ("param" if name in policy.params else "input" if name in policy.inputs
                        else "decision" if name in policy.decisions else None)
                if kind == "param":
                    params.add(name)
                elif kind == "input":
                    inputs.add(name)
                elif kind == "decision" and name not in decisions:
                    decisions.add(name)
                    todo.extend(_decision_refs(policy, name))
    return params, inputs, decisions


def _decision_refs(policy: ResolvedPolicy, name: str):
    d = policy.decisions.get(name)
    return [] if d is None else [ref for ref in _all_refs_of(d)]


def _all_refs_of(decision):
    exprs = []
    if decision.expr is not None:
        exprs.append(decision.expr)
    for case in decision.cases:
        exprs.extend([case.cond, case.value])
    if decision.otherwise is not None:
        exprs.append(decision.otherwise.value)
    if decision.table is not None:
        exprs.extend(decision.table.columns)
        for row in decision.table.rows:
            exprs.append(row.output)
            for cell in row.cells:
                exprs.extend(cell.values)
    refs = []
    for e in exprs:
        refs.extend(references(e))
    return refs


def _touched_here(policy: ResolvedPolicy, requirement: RRequirement) -> bool:
    pid = policy.policy_id
    if requirement.origin.policy_id == pid:
        return True
    params, _inputs, decisions = _reads(policy, requirement)
    for name in params:
        p = policy.params[name]
        if p.origin.policy_id == pid or (p.schedule is not None and p.schedule.origin.policy_id == pid):
            return True
    return any(policy.decisions[d].origin.policy_id == pid for d in decisions if d in policy.decisions)


class RequirementCheck:
    def __init__(self, ctx: CheckContext, policy: ResolvedPolicy, requirement: RRequirement):
        self.ctx = ctx
        self.policy = policy
        self.req = requirement
        self.pid = policy.policy_id
        self.own = requirement.origin.policy_id == self.pid
        self.words = item_words(requirement.name, requirement.label)
        self.words_zh = item_words_zh(requirement.name, requirement.label)
        self.cond_text = expr_words(ctx, policy, requirement.cond)
        self.params, self.inputs, self.decisions = _reads(policy, requirement)

    def run(self) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        deadline = self._deadline()
        if self.req.deadline is not None and deadline is None:
            return out  # the deadline itself cannot be computed (reported by the resolver or a blank date)
        if self.policy.effective is not None and self._first_day(deadline) is None:
            return out  # the policy is no longer in force when the requirement starts to bind
        if not self.inputs and not self.decisions:
            out.extend(self._constant_requirement(deadline))
        elif not self.decisions and not self.params:
            pass  # a rule on the case itself: evaluation reports a case that breaks it
        elif self.own or self._changed_decision():
            out.extend(self._falsifiable(deadline))
        if self.own and len(self.req.history) >= 2:
            out.extend(self._contradicts_parent())
        return out

    def _first_day(self, deadline: Optional[_dt.date]) -> Optional[_dt.date]:
        """The first day the requirement binds this policy: the deadline (or the policy's effective
        date when it has none, or when the policy takes effect later); None when the policy ends
        before that day, so that the requirement never binds it."""
        effective, ends = self.policy.effective, self.policy.ends
        day = deadline or effective
        if day is None:
            return None
        if effective is not None and effective > day:
            day = effective
        if ends is not None and ends < day:
            return None
        return day

    def _changed_decision(self) -> bool:
        return any(self.policy.decisions[d].origin.policy_id == self.pid for d in self.decisions
                   if d in self.policy.decisions)

    def _deadline(self) -> Optional[_dt.date]:
        if self.req.deadline is None:
            return None
        if self.req.deadline_date is not None:
            # reckoned from the declaring policy's dates: a city inheriting "within two years of this
            # opinion" is held to the national date, not to two years after its own notice
            return self.req.deadline_date
        try:
            value = self.ctx.constant(self.pid, self.req.deadline)
        except EvaluationError:
            return None
        return value if isinstance(value, _dt.date) else None

    def _requirement_related(self, deadline: Optional[_dt.date]) -> Related:
        by, by_zh = P("phrase.req.from", day=deadline.isoformat()) if deadline else ("", "")
        return related_note(self.req.origin, "note.req.requirement", words=self.words, words_zh=self.words_zh,
                            cond=self.cond_text, by=by, by_zh=by_zh)

    # ------------------------------------------------------------ parameters only
    def _check_dates(self, deadline: Optional[_dt.date]) -> list[_dt.date]:
        """The dates on which the parameters' values must be checked: the first day the requirement
        binds this policy (the deadline, or its effective date), then every later schedule date while
        the policy is in force (a schedule may rise again after the deadline)."""
        start = self._first_day(deadline)
        if start is None:
            return []
        ends = self.policy.ends
        dates = {start}
        for name in self.params:
            p = self.policy.params[name]
            if p.schedule is not None:
                dates.update(e.start for e in p.schedule.entries
                             if e.start > start and (ends is None or e.start <= ends))
        return sorted(dates)

    def _constant_requirement(self, deadline: Optional[_dt.date]) -> list[Diagnostic]:
        interp = self.ctx.interpreter(self.pid)
        for day in self._check_dates(deadline):
            try:
                holds = interp.constant(self.req.cond, day)
            except BlankNotFilled as exc:
                return self._blank_info(exc.blank)
            except EvaluationError:
                return []
            if holds is False:
                return [self._missed(day, deadline)]
        return []

    def _filled_here(self) -> bool:
        return any(self.policy.params[n].origin.policy_id == self.pid and self.policy.params[n].value is not None
                   or (self.policy.params[n].schedule is not None
                       and self.policy.params[n].schedule.origin.policy_id == self.pid)
                   for n in self.params)

    def _blank_info(self, blank: str) -> list[Diagnostic]:
        if not (self.own or self._filled_here()):
            return []  # the policy that writes the requirement (or fills a value) says it once
        span = head_span(self.req.origin) if self.own else self._value_span() or head_span(self.req.origin)
        return [say("PL316.requirement_blank", span, self.pid,
                    related_=() if self.own else (self._requirement_related(None),),
                    words=self.words, words_zh=self.words_zh, cond=self.cond_text, blank=blank)]

    def _named_params(self) -> list[str]:
        """The parameters the requirement reads, in the order its condition names them (the value it
        constrains usually comes first: cap <= highest_selected_price), then those read through
        decisions."""
        named = []
        for ref in references(self.req.cond):
            if ref.kind == "param" and ref.name in self.params and ref.name not in named:
                named.append(ref.name)
        return named + sorted(self.params - set(named))

    def _source_on(self, name: str, day: Optional[_dt.date]):
        """(span, policy id, schedule entry or None): where the value of `name` in force on day is written."""
        p = self.policy.params[name]
        if p.schedule is not None and day is not None:
            entries = [e for e in p.schedule.entries if e.start <= day]
            if entries:
                return entries[-1].span, p.schedule.origin.policy_id, entries[-1]
        if p.value is None:
            return None, None, None
        return statement_span(p.origin), p.origin.policy_id, None

    def _value_site(self, day: Optional[_dt.date] = None):
        """(span, parameter, whether it is a schedule entry): where this policy writes the value that breaks
        the requirement on day (see the module), or (None, None, False)."""
        for name in self._named_params():
            span, owner, entry = self._source_on(name, day)
            if span is not None and owner == self.pid:
                return span, name, entry is not None
            p = self.policy.params[name]
            if p.schedule is not None and p.schedule.origin.policy_id == self.pid and p.schedule.entries:
                # This policy's schedule starts only after the day: its first step is the one that is too late.
                return p.schedule.entries[0].span, name, True
        return None, None, False

    def _value_span(self, day: Optional[_dt.date] = None):
        return self._value_site(day)[0]

    def _upper_sources(self, day: _dt.date) -> list[Related]:
        """Related locations of the values in force on day that an upper level writes."""
        out = []
        for name in self._named_params():
            span, owner, entry = self._source_on(name, day)
            if span is None or owner == self.pid:
                continue
            p = self.policy.params[name]
            origin = p.schedule.origin if entry is not None else p.origin
            try:
                shown = shown_value(self.policy, self.ctx.interpreter(self.pid).param_value(name, day), p.type)
            except EvaluationError:
                continue
            what, what_zh = P("phrase.req.entry", start=entry.start.isoformat()) if entry is not None \
                else P("phrase.req.own_value")
            rel = related_note(origin, "note.req.value_on", name=name, value=shown, day=day.isoformat(), what=what,
                               what_zh=what_zh)
            out.append(Related(span, rel.message, rel.message_zh))
        return out

    def _values_on(self, day: _dt.date) -> tuple[str, str]:
        """(English, Chinese): the values the requirement reads on day, with the schedule entry each comes from."""
        interp = self.ctx.interpreter(self.pid)
        parts, parts_zh = [], []
        for name in sorted(self.params):
            p = self.policy.params[name]
            try:
                value = interp.param_value(name, day)
            except EvaluationError:
                continue
            source = source_zh = ""
            if p.schedule is not None:
                entries = [e for e in p.schedule.entries if e.start <= day]
                if entries:
                    source, source_zh = P("phrase.req.from_entry", start=entries[-1].start.isoformat())
            shown = assignment(self.policy, name, value, p.type)
            parts.append(f"{shown}{source}")
            parts_zh.append(f"{shown.zh}{source_zh}")
        return ", ".join(parts), "，".join(parts_zh)

    def _missed(self, day: _dt.date, deadline: Optional[_dt.date]) -> Diagnostic:
        site, name, scheduled = self._value_site(day)
        span = site or head_span(self.req.origin)
        values, values_zh = self._values_on(day)
        if deadline is not None and day == deadline:
            when, when_zh = P("phrase.req.by_deadline", deadline=deadline.isoformat(),
                              text=expr_words(self.ctx, self.policy, self.req.deadline))
        elif deadline is not None:
            when, when_zh = P("phrase.req.from_deadline", deadline=deadline.isoformat(), day=day.isoformat())
        else:
            when, when_zh = P("phrase.req.on_day", day=day.isoformat())
        code = "PL404" if deadline is not None else "PL406"
        key = "PL406.missed"
        if code == "PL404":
            key = "PL404.missed_value" if site is not None and not scheduled else "PL404.missed"
        rel = () if span == head_span(self.req.origin) and self.own else (self._requirement_related(deadline),)
        rel = rel + tuple(self._upper_sources(day))
        return say(key, span, self.pid, related_=rel, severity="error", words=self.words, words_zh=self.words_zh,
                   cond=self.cond_text, when=when, when_zh=when_zh, day=day.isoformat(), values=values,
                   values_zh=values_zh, name=name)

    # ------------------------------------------------------------ requirements over inputs
    def _falsifiable(self, deadline: Optional[_dt.date]) -> list[Diagnostic]:
        # checked on the first day the requirement binds this policy (the deadline, or its own first day)
        day = (self._first_day(deadline) or deadline) if deadline is not None else None
        encoder = Encoder(self.ctx, self.policy, as_of=day, inline_decisions=True)
        try:
            formula = encoder.boolean(self.req.cond)
        except z3.Z3Exception:
            return []
        if encoder.blanks_read:
            return self._blank_info(sorted(encoder.blanks_read)[0])
        s = solver()
        s.add(*encoder.domain, z3.Not(formula))
        if s.check() != z3.sat:
            return []  # it holds for every input (or the solver gave up)
        if encoder.approximate:
            # The formula had parts z3 cannot read (rounding, calendar months…), so its counterexample is only a
            # candidate: keep it only if the reference interpreter confirms the requirement is false there.
            confirmed = self._confirmed_counterexample(encoder, s, day)
            if confirmed is None:
                return []
            example, example_zh = confirmed
        else:
            example, example_zh = describe_example(encoder, s, list(encoder.vars))
        span = head_span(self.req.origin) if self.own else self._decision_span() or head_span(self.req.origin)
        rel = () if self.own else (self._requirement_related(deadline),)
        return [say("PL406.can_be_false", span, self.pid, related_=rel, words=self.words, words_zh=self.words_zh,
                    cond=self.cond_text, example=example, example_zh=when_zh(example_zh))]

    def _confirmed_counterexample(self, encoder: Encoder, s: z3.Solver, deadline) -> Optional[tuple[str, str]]:
        """Try the solver's candidate inputs on the interpreter (up to MAX_CANDIDATES models; inputs the formula
        could not constrain take a few boundary values); describe the first that really makes the
        requirement false (in English and in Chinese)."""
        names = sorted(self.inputs)
        for _ in range(MAX_CANDIDATES):
            model = s.model()
            fixed = {n: self._model_value(encoder, model, n) for n in names if n in encoder.vars}
            free = [n for n in names if n not in encoder.vars]
            choices = [self._boundary_values(n, deadline) for n in free]
            for combo in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
                inputs = dict(fixed)
                inputs.update(zip(free, combo))
                if self._holds(inputs, deadline) is False:
                    shown = assignments(self.policy, [(n, inputs[n], self.policy.inputs[n].type)
                                                      for n in names if inputs.get(n) is not None])
                    return str(shown), shown.zh
            blocking = [encoder.vars[n][0] != model.eval(encoder.vars[n][0], model_completion=True)
                        for n in names if n in encoder.vars]
            if not blocking:
                return None
            s.add(z3.Or(*blocking))
            if s.check() != z3.sat:
                return None
        return None

    def _model_value(self, encoder: Encoder, model, name: str):
        value = encoder.value_in(model, name)
        if value is not None and self.policy.inputs[name].type.kind == "money":
            return Decimal(value).quantize(Decimal("0.01"))
        return value

    def _boundary_values(self, name: str, deadline) -> list:
        inp = self.policy.inputs[name]
        kind = inp.type.kind
        values: list = {
            "bool": [False, True],
            "money": [Decimal(0), Decimal("0.01"), Decimal(100), Decimal(10000), Decimal(1000000)],
            "decimal": [Decimal(0), Decimal(1), Decimal(100), Decimal(10000)],
            "count": [0, 1, 100, 10000],
            "percent": [Decimal(0), Decimal("0.5"), Decimal(1)],
            "date": [d for d in (deadline, self.policy.effective) if d is not None] or [_dt.date(2021, 1, 1)],
            "text": [""],
        }.get(kind, [])
        if kind == "enum" and inp.type.enum in self.policy.enums:
            values = list(self.policy.enums[inp.type.enum].member_names)
        if inp.optional:
            values = values + [None]
        return values or [None]

    def _holds(self, inputs: dict, deadline) -> Optional[bool]:
        interp = self.ctx.interpreter(self.pid)
        try:
            value = interp.expression_value(self.req.cond, {k: v for k, v in inputs.items() if v is not None},
                                            deadline or self.policy.effective or _dt.date.today())
        except (EvaluationError, ArithmeticError, TypeError, ValueError):
            return None
        return value is True

    def _decision_span(self):
        for name in sorted(self.decisions):
            d = self.policy.decisions.get(name)
            if d is not None and d.origin.policy_id == self.pid:
                return head_span(d.origin)
        return None

    def _contradicts_parent(self) -> list[Diagnostic]:
        parent_origin = self.req.history[-2]
        parent_policy = self.ctx.policies.get(parent_origin.policy_id)
        parent = parent_policy.requirements.get(self.req.name) if parent_policy else None
        if parent is None:
            return []
        encoder = Encoder(self.ctx, self.policy, as_of=self._first_day(self._deadline()) or self.policy.effective,
                          inline_decisions=True)
        try:
            parent_formula = encoder.boolean(parent.cond)
            child_formula = encoder.boolean(self.req.cond)
        except z3.Z3Exception:
            return []
        alone = solver()
        alone.add(*encoder.domain, parent_formula)
        if alone.check() != z3.sat:
            return []  # the parent's requirement cannot hold by itself: its own problem
        both = solver()
        both.add(*encoder.domain, parent_formula, child_formula)
        if both.check() != z3.unsat:
            return []
        parent_text = expr_words(self.ctx, self.policy, parent.cond)
        return [say("PL407.contradicts", head_span(self.req.origin), self.pid,
                    related_=(related_note(parent_origin, "note.req.requirement", words=self.words,
                                           words_zh=self.words_zh, cond=parent_text, by="", by_zh=""),),
                    words=self.words, words_zh=self.words_zh, cond=self.cond_text, parent=parent_text)]
