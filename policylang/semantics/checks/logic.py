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

import z3

from ...diagnostics import Diagnostic, Related
from ..model import RDecision, RExpr, ResolvedPolicy
from .common import CheckContext, diag, format_value, head_span, item_words, item_words_zh, related
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
            return format_value(encoder._fold(expr), t)
        except Unsupported:
            pass
    return source_text(ctx, expr)


def _parent_related(decision: RDecision) -> tuple[Related, ...]:
    if len(decision.history) >= 2:
        parent = decision.history[-2]
        words = item_words(decision.name, decision.label)
        return (related(parent, f"the table or decision this one replaces ({words})",
                        f"被本政策替换的决策表或决策项{item_words_zh(decision.name, decision.label)}"),)
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
        verb = "may both match" if may else "both match"
        message = (f"rows {first + 1} and {i + 1} of the table {self.words} {verb} the same input but give different "
                   f"results ({self.outputs[first]} and {self.outputs[i]}), for example when {example}. The first "
                   f"matching row wins, so row {i + 1}'s result never applies there.")
        hint = (f"make the rows exclusive: in the column where the two situations differ, give row {i + 1} (or row "
                f"{first + 1}) a value instead of '-'")
        message_zh = (f"决策表{self.words_zh}的第 {first + 1} 行和第 {i + 1} 行{'可能' if may else ''}"
                      f"同时匹配同一组输入，结果却不同（{self.outputs[first]} 与 {self.outputs[i]}），"
                      f"例如{when_zh(example_zh)}；表格以最先匹配的一行为准，所以在这种情况下第 {i + 1} 行的结果不会生效")
        hint_zh = (f"请让这两行互不重叠：在两种情形应当区分的那一列，为第 {i + 1} 行（或第 {first + 1} 行）"
                   f"填写具体取值，而不是“-”")
        rel = tuple(Related(self.rows[k].span, f"row {k + 1} (result {self.outputs[k]}) also matches these inputs",
                            f"第 {k + 1} 行（结果为 {self.outputs[k]}）也匹配这组输入")
                    for k in earlier) + _parent_related(self.decision)
        return diag("PL401", message, row.span, self.policy.policy_id, hint=hint, related_=rel,
                    severity="warning" if may else "", message_zh=message_zh, hint_zh=hint_zh)

    def _gap(self, regions: list[str], example: Optional[str], more: int, may: bool,
             regions_zh: list[str], example_zh: Optional[str]) -> Diagnostic:
        listed = "; ".join(f"({n}) {r}" for n, r in enumerate(regions, 1))
        extra = f"; and {more} more" if more else ""
        verb = "may not cover" if may else "does not cover"
        message = f"the table {self.words} {verb} these inputs, so it has no result (none) for them: {listed}{extra}."
        if example is not None:
            message += f" For example: {example}."

        hint = ("add a row for this situation (or 'row otherwise => …'); if the notice really says nothing about it, "
                "suppress this with '# policylang: ignore[PL402] because \"…\"'")
        listed_zh = "；".join(f"（{n}）{r}" for n, r in enumerate(regions_zh, 1))
        extra_zh = f"；另有 {more} 种情形未列出" if more else ""
        message_zh = (f"决策表{self.words_zh}{'可能没有' if may else '没有'}覆盖以下输入情形，"
                      f"遇到这些情形时没有结果（none）：{listed_zh}{extra_zh}")
        if example_zh is not None:
            message_zh += f"；例如：{example_zh}"
        hint_zh = ("请为这种情形补充一行（或写“row otherwise => …”）；如果政策原文确实没有规定这种情形，"
                   "可以用“# policylang: ignore[PL402] because \"…\"”忽略这条提示，并写明理由")
        return diag("PL402", message, head_span(self.decision.origin), self.policy.policy_id, hint=hint,
                    related_=_parent_related(self.decision), message_zh=message_zh, hint_zh=hint_zh)

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

        def show(point, columns=None, sep=", ") -> str:
            keep = range(len(names)) if columns is None else columns
            return sep.join(f"{names[k]} = {format_value(point[k], types[k])}" for k in keep)

        def show_zh(point, columns=None) -> str:
            return show(point, columns, "，")

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
            message = (f"case {j + 1} of {words} (when {source_text(ctx, case.cond)}) can never apply: its condition "
                       f"is false for every input")
            message_zh = (f"{words_zh}的第 {j + 1} 个情形（when {source_text(ctx, case.cond)}）永远不会适用："
                          f"无论输入什么，它的条件都不成立")
            out.append(diag("PL401", message, case.span, policy.policy_id,
                            hint="correct the condition, or remove the case",
                            related_=_parent_related(decision),
                            message_zh=message_zh, hint_zh="请修改条件，或删除这个情形"))
            continue
        cover = _covering_case(encoder, conditions, j)
        earlier = [cover] if cover is not None else list(range(j))
        message = (f"case {j + 1} of {words} (when {source_text(ctx, case.cond)}) can never apply: "
                   + (f"case {cover + 1} comes first and applies to every input this case applies to"
                      if cover is not None else "the cases before it already cover every input it applies to")
                   + "; the first case that applies wins.")
        message_zh = (f"{words_zh}的第 {j + 1} 个情形（when {source_text(ctx, case.cond)}）永远不会适用："
                      + (f"排在它前面的第 {cover + 1} 个情形已经涵盖了它适用的全部输入"
                         if cover is not None else "它前面的各个情形已经涵盖了它适用的全部输入")
                      + "；各情形以最先适用的为准")
        rel = tuple(Related(decision.cases[k].span, f"case {k + 1} (when {source_text(ctx, decision.cases[k].cond)}) "
                                                    f"comes first",
                            f"第 {k + 1} 个情形（when {source_text(ctx, decision.cases[k].cond)}）排在前面")
                    for k in earlier[:3])
        out.append(diag("PL401", message, case.span, policy.policy_id,
                        hint="put the more specific case first, or remove the case that cannot apply",
                        related_=rel + _parent_related(decision),
                        message_zh=message_zh, hint_zh="请把更具体的情形放在前面，或删除不会适用的情形"))
    if decision.otherwise is None and conditions:
        s = solver()
        s.add(*encoder.domain, z3.Not(z3.Or(*conditions)))
        if s.check() == z3.sat:
            example, example_zh = describe_example(encoder, s, names)
            verb = "may apply" if encoder.approximate else "applies"
            message = (f"no case of {words} {verb} for some inputs, so the decision has no result (none) for them, "
                       f"for example when {example}")
            message_zh = (f"对某些输入，决策项{words_zh}{'可能' if encoder.approximate else ''}没有任何情形适用，"
                          f"因此没有结果（none），例如{when_zh(example_zh)}")
            out.append(diag("PL402", message, head_span(decision.origin), policy.policy_id,
                            hint="add an 'otherwise …' line (write 'otherwise none' if having no result is intended)",
                            related_=_parent_related(decision), message_zh=message_zh,
                            hint_zh="请补充一行“otherwise …”（如果确实应当没有结果，写“otherwise none”）"))
    return out


def _covering_case(encoder: Encoder, conditions, j: int) -> Optional[int]:
    for k in range(j):
        s = solver()
        s.add(*encoder.domain, conditions[j], z3.Not(conditions[k]))
        if s.check() == z3.unsat:
            return k
    return None
