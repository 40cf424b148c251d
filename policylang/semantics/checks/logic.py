"""Decision tables and `when` cases: overlaps, dead cases and gaps (PL401, PL402).

Tables use the first matching row, like cases, but an author writes a table's
rows as a list of separate situations: two rows that can match the same input
with different results are a contradiction in the notice's rules (PL401), and
an input no row matches leaves the decision without a value (a gap, PL402).
For `when` cases, order is meaningful by design, so the only overlap reported is
a case that can never apply because earlier cases already cover it.

When every column is a yes/no or an enumeration compared with constants, the
inputs are enumerated directly and the uncovered inputs are merged into a few
general regions (a column left out of a region may take any value). Otherwise
z3 answers the same questions, with a bounded time per query. Conditions that
cannot be encoded are treated as free yes/no values (see encode.py): a finding
that depends on them is worded as a possibility ("may").
"""

from __future__ import annotations

import itertools
from typing import Optional

from .lazyz3 import lazy_z3

z3 = lazy_z3(__name__)

from ...diagnostics import Diagnostic, Related
from ..model import RDecision, RExpr, ResolvedPolicy
from ...messages import Bi, N, P
from .common import CheckContext, assignments, expr_words, format_value, shown_value, head_span, item_words, item_words_zh, related_note, say
from .encode import Encoder, Unsupported, input_names, solver, source_text

MAX_ENUMERATED_POINTS = 4096
MAX_REGIONS_SHOWN = 4


def check(ctx: CheckContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for policy in ctx.checkable():
        for decision in policy.decisions.values():
            if decision.origin.policy_id != policy.policy_id:
                continue  # judged where it is written, once
            if decision.form == "table" and decision.table is not None:
                out.extend(ctx.guard(lambda: TableCheck(ctx, policy, decision).run()))
            elif decision.form == "cases":
                out.extend(ctx.guard(_check_cases, ctx, policy, decision))
    return out


def _output_text(ctx: CheckContext, policy: ResolvedPolicy, expr: RExpr, t) -> str:
    encoder = Encoder(ctx, policy)
    if encoder._foldable(expr):
        try:
            return shown_value(policy, encoder._fold(expr), t)
        except Unsupported:
            pass
    return expr_words(ctx, policy, expr)


def _parent_related(decision: RDecision) -> tuple[Related, ...]:
    if len(decision.history) >= 2:
        parent = decision.history[-2]
        return (related_note(parent, "note.PL401.replaced", words=item_words(decision.name, decision.label),
                             words_zh=item_words_zh(decision.name, decision.label)),)
    return ()


def when_zh(example: str) -> str:
    """'当 price = 0 yuan 时': a space between ASCII and Chinese, none after a Chinese word or quote."""
    tail = "" if example and ("\u4e00" <= example[-1] <= "\u9fff" or example[-1] in "”）") else " "
    return f"当 {example}{tail}时"


def describe_example(encoder: Encoder, s: z3.Solver, names: list[str]) -> tuple[str, str]:
    """(English, Chinese) descriptions of the example inputs of a satisfiable solver."""
    model = encoder.example_model(s)
    return encoder.describe_model(model, names), encoder.describe_model(model, names, lang="zh")


# ---------------------------------------------------------------- tables


class TableCheck:
    def __init__(self, ctx: CheckContext, policy: ResolvedPolicy, decision: RDecision):
        self.ctx = ctx
        self.policy = policy
        self.decision = decision
        self.table = decision.table
        self.rows = list(self.table.rows)
        self.words = item_words(decision.name, decision.label)
        self.words_zh = item_words_zh(decision.name, decision.label)
        self.outputs = [_output_text(ctx, policy, r.output, decision.type) for r in self.rows]

    def run(self) -> list[Diagnostic]:
        if any(len(r.cells) != len(self.table.columns) for r in self.rows if not r.is_otherwise):
            return []  # PL403 already reported: the rows cannot be read against the columns
        finite = self._finite_domains()
        if finite is not None:
            return self._enumerate(*finite)
        return self._solve()

    # -- shared wording
    def _overlap(self, i: int, earlier: list[int], example: str, may: bool, example_zh: str) -> Diagnostic:
        row = self.rows[i]
        first = earlier[0]
        verb, verb_zh = P("phrase.PL401.may_both") if may else P("phrase.PL401.both")
        rel = tuple(Related(self.rows[k].span, **N("note.PL401.also_matches", row=k + 1, result=self.outputs[k]))
                    for k in earlier) + _parent_related(self.decision)
        return say("PL401.rows_overlap", row.span, self.policy.policy_id, related_=rel,
                   severity="warning" if may else "", first=first + 1, row=i + 1, words=self.words,
                   words_zh=self.words_zh, verb=verb, verb_zh=verb_zh, first_result=self.outputs[first],
                   result=self.outputs[i], example=example, example_zh=when_zh(example_zh))

    def _gap(self, regions: list[str], example: Optional[str], more: int, may: bool,
             regions_zh: list[str], example_zh: Optional[str]) -> Diagnostic:
        extra, extra_zh = P("phrase.PL402.more", count=more) if more else ("", "")
        verb, verb_zh = P("phrase.PL402.may_not_cover") if may else P("phrase.PL402.does_not_cover")
        example_en, example_zh_ = ("", "") if example is None else \
            P("phrase.PL402.example", example=example, example_zh=example_zh)
        return say("PL402.table_gap", head_span(self.decision.origin), self.policy.policy_id,
                   related_=_parent_related(self.decision), words=self.words, words_zh=self.words_zh,
                   verb=verb, verb_zh=verb_zh, listed="; ".join(f"({n}) {r}" for n, r in enumerate(regions, 1)),
                   listed_zh="；".join(f"（{n}）{r}" for n, r in enumerate(regions_zh, 1)), extra=extra,
                   extra_zh=extra_zh, example=example_en, example_zh=example_zh_)

    # -- small finite domains: enumerate
    def _finite_domains(self):
        encoder = Encoder(self.ctx, self.policy)
        domains = []
        may = False
        for column in self.table.columns:
            t = column.type
            if encoder._foldable(column) and column.kind != "input":
                try:
                    domains.append([encoder._fold(column)])
                    continue
                except Unsupported:
                    return None
            if t.kind == "bool":
                domains.append([False, True])
            elif t.kind == "enum":
                enum = self.policy.enums.get(t.enum)
                if enum is None:
                    return None
                domains.append(list(enum.member_names))
            else:
                return None
            if column.kind != "input":
                may = True  # a decision or blank column: treated as free
        size = 1
        for d in domains:
            size *= len(d)
        if size > MAX_ENUMERATED_POINTS:
            return None
        cells = []
        for row in self.rows:
            if row.is_otherwise:
                cells.append(None)
                continue
            row_cells = []
            for cell in row.cells:
                if cell.kind == "cmp":
                    return None
                values = []
                for v in cell.values:
                    if not encoder._foldable(v):
                        return None
                    try:
                        values.append(encoder._fold(v))
                    except Unsupported:
                        return None
                row_cells.append((cell.kind, values))
            cells.append(row_cells)
        return domains, cells, may

    @staticmethod
    def _cell_matches(kind: str, values: list, value) -> bool:
        if kind == "any":
            return True
        if kind == "eq":
            return value == values[0]
        if kind == "in":
            return value in values
        return value not in values

    def _enumerate(self, domains, cells, may) -> list[Diagnostic]:
        names = [c.name for c in self.table.columns]
        types = [c.type for c in self.table.columns]
        points = list(itertools.product(*domains))
        matches = []
        for row_cells in cells:
            if row_cells is None:
                matches.append(set(points))
            else:
                matches.append({p for p in points
                                if all(self._cell_matches(k, vs, x) for (k, vs), x in zip(row_cells, p))})

        def shown(point, columns=None) -> Bi:
            keep = range(len(names)) if columns is None else columns
            return assignments(self.policy, [(names[k], point[k], types[k]) for k in keep])

        def show(point, columns=None) -> str:
            return str(shown(point, columns))

        def show_zh(point, columns=None) -> str:
            return shown(point, columns).zh

        out = []
        for i in range(len(self.rows)):
            if self.rows[i].is_otherwise:
                continue
            earlier = [k for k in range(i) if not self.rows[k].is_otherwise
                       and self.outputs[k] != self.outputs[i] and matches[k] & matches[i]]
            if earlier:
                example = min(matches[earlier[0]] & matches[i], key=points.index)
                out.append(self._overlap(i, earlier, show(example), may, show_zh(example)))
        covered = set().union(*matches) if matches else set()
        uncovered = [p for p in points if p not in covered]
        if uncovered:
            regions = _merge_regions(uncovered, domains)
            texts, texts_zh = [], []
            for fixed, example in regions[:MAX_REGIONS_SHOWN]:
                text = show(example, fixed)
                text_zh = show_zh(example, fixed)
                free = len(names) - len(fixed)
                if free:
                    text += f" (any value of the other {free} column{'s' if free > 1 else ''})"
                    text_zh += f"（其余 {free} 列取任意值）"
                texts.append(text)
                texts_zh.append(text_zh)
            general = len(regions) > 1 or len(regions[0][0]) < len(names)
            example = show(regions[0][1]) if general else None
            example_zh = show_zh(regions[0][1]) if general else None
            out.append(self._gap(texts, example, max(0, len(regions) - MAX_REGIONS_SHOWN), may,
                                 texts_zh, example_zh))
        return out

    # -- general conditions: z3
    def _solve(self) -> list[Diagnostic]:
        encoder = Encoder(self.ctx, self.policy)
        try:
            columns = [encoder.term(c) for c in self.table.columns]
        except (Unsupported, z3.Z3Exception):
            return []
        conditions = [encoder.row_condition(r, columns, self.table.columns) for r in self.rows]
        names = input_names(self.table.columns)
        out = []
        for i in range(len(self.rows)):
            if self.rows[i].is_otherwise:
                continue
            earlier, example, example_zh = [], None, None
            for k in range(i):
                if self.rows[k].is_otherwise or self.outputs[k] == self.outputs[i]:
                    continue
                s = solver()
                s.add(*encoder.domain, conditions[k], conditions[i])
                if s.check() == z3.sat:
                    earlier.append(k)
                    if not example:
                        example, example_zh = describe_example(encoder, s, names)
            if earlier:
                out.append(self._overlap(i, earlier, example, encoder.approximate, example_zh))
        if not any(r.is_otherwise for r in self.rows):
            s = solver()
            s.add(*encoder.domain, z3.Not(z3.Or(*conditions)) if conditions else z3.BoolVal(True))
            if s.check() == z3.sat:
                example, example_zh = describe_example(encoder, s, names)
                out.append(self._gap([example], None, 0, encoder.approximate, [example_zh], None))
        return out


def _merge_regions(uncovered: list[tuple], domains: list[list]) -> list[tuple[list[int], tuple]]:
    """Cover the uncovered points with few general regions.

    Greedy: from the first point not yet in a region, free each column in turn
    when every point of the widened region is uncovered. A region is returned as
    (the columns it fixes, one of its points).
    """
    todo = set(uncovered)
    remaining = list(uncovered)
    regions = []
    while remaining:
        start = remaining[0]
        region = [[value] for value in start]
        for column, domain in enumerate(domains):
            if len(domain) <= 1:
                continue
            widened = region[:column] + [list(domain)] + region[column + 1:]
            if all(p in todo for p in itertools.product(*widened)):
                region = widened
        members = set(itertools.product(*region))
        fixed = [c for c, values in enumerate(region) if len(values) == 1 and len(domains[c]) > 1]
        regions.append((fixed, start))
        remaining = [p for p in remaining if p not in members]
    return regions


# ---------------------------------------------------------------- cases


def _check_cases(ctx: CheckContext, policy: ResolvedPolicy, decision: RDecision) -> list[Diagnostic]:
    encoder = Encoder(ctx, policy)
    try:
        conditions = [encoder.boolean(case.cond) for case in decision.cases]
    except z3.Z3Exception:
        return []
    words = item_words(decision.name, decision.label)
    words_zh = item_words_zh(decision.name, decision.label)
    names = input_names([c.cond for c in decision.cases])
    out = []
    for j, case in enumerate(decision.cases):
        s = solver()
        s.add(*encoder.domain, conditions[j], *[z3.Not(c) for c in conditions[:j]])
        if s.check() != z3.unsat:
            continue  # satisfiable (or unknown within the time limit): the case can apply
        alone = solver()
        alone.add(*encoder.domain, conditions[j])
        if alone.check() == z3.unsat:
            out.append(say("PL401.case_never_true", case.span, policy.policy_id, related_=_parent_related(decision),
                           case=j + 1, words=words, words_zh=words_zh, cond=expr_words(ctx, policy, case.cond)))
            continue
        cover = _covering_case(encoder, conditions, j)
        earlier = [cover] if cover is not None else list(range(j))
        reason, reason_zh = P("phrase.PL401.covered_by", case=cover + 1) if cover is not None \
            else P("phrase.PL401.covered_before")
        rel = tuple(Related(decision.cases[k].span, **N("note.PL401.comes_first", case=k + 1,
                                                         cond=expr_words(ctx, policy, decision.cases[k].cond)))
                    for k in earlier[:3])
        out.append(say("PL401.case_shadowed", case.span, policy.policy_id, related_=rel + _parent_related(decision),
                       case=j + 1, words=words, words_zh=words_zh, cond=expr_words(ctx, policy, case.cond), reason=reason,
                       reason_zh=reason_zh))
    if decision.otherwise is None and conditions:
        s = solver()
        s.add(*encoder.domain, z3.Not(z3.Or(*conditions)))
        if s.check() == z3.sat:
            example, example_zh = describe_example(encoder, s, names)
            verb, verb_zh = P("phrase.PL402.may_apply") if encoder.approximate else P("phrase.PL402.applies")
            out.append(say("PL402.cases_gap", head_span(decision.origin), policy.policy_id,
                           related_=_parent_related(decision), words=words, words_zh=words_zh, verb=verb,
                           verb_zh=verb_zh, example=example, example_zh=when_zh(example_zh)))
    return out


def _covering_case(encoder: Encoder, conditions, j: int) -> Optional[int]:
    for k in range(j):
        s = solver()
        s.add(*encoder.domain, conditions[j], z3.Not(conditions[k]))
        if s.check() == z3.unsat:
            return k
    return None
