"""Property tests: generated programs round-trip through the formatter; damaged files
only ever produce located diagnostics."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylang.syntax import ast as A
from policylang.syntax.compare import ast_equal
from policylang.syntax.keywords import RESERVED_ZH
from policylang.syntax.formatter import format_file, format_source
from policylang.syntax.parser import parse_source

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Every word the grammar spells out, plus the unit words: never generated as a name.
RESERVED = frozenset("""
policy level region issuer document issued effective ends extends uses as summary override enum input optional
param fixed floor ceiling default delegated to at least most decision article note because when then otherwise
table columns row in not schedule from require by example as_of given expect needs provision must may should
if else or and true false none yuan 元 day days 天 month months 个月 year years 年
""".split()) | RESERVED_ZH

S = A.NO_SPAN

ascii_names = st.from_regex(r"[a-z_][a-z0-9_]{0,11}", fullmatch=True)
chinese_names = st.text(alphabet="支付标准预付比例中选产品挂网价格医保基金结余留用期限企业部件", min_size=1, max_size=6)
names = st.one_of(ascii_names, chinese_names, st.sampled_from(["价格_2", "Institution", "医疗机构类型"])).filter(
    lambda n: n not in RESERVED)

# Text with everything that could break a literal: quotes, backslashes, every kind of
# line break, controls, '#', braces, CJK and astral characters.
hostile_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(['"', "\\", "\n", "\r", "\t", "\u2028", "\u2029", "\x85", "\x0b", "\x00", "#", "{", "}",
                         "：", "，", "“", "”", "元", "😀", "\ufeff"]),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=12,
)

digits = st.from_regex(r"(0|[1-9][0-9]{0,6})", fullmatch=True)
decimals = st.from_regex(r"(0|[1-9][0-9]{0,4})(\.[0-9]{1,3})?", fullmatch=True)


@st.composite
def numbers(draw):
    unit = draw(st.sampled_from([None, "yuan", "percent", "days", "months", "years"]))
    text = draw(digits if unit in ("days", "months", "years") else decimals)
    value = Decimal(text) / 100 if unit == "percent" else Decimal(text)
    return A.Number(value, unit, text, S)


leaves = st.one_of(
    numbers(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)).map(lambda d: A.DateLit(d, S)),
    hostile_text.map(lambda t: A.Text(t, S)),
    st.booleans().map(lambda b: A.BoolLit(b, S)),
    st.just(A.NoneLit(S)),
    names.map(lambda n: A.Name(n, S)),
)

BINARY_OPS = ["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "and", "or"]


def _compound(children):
    return st.one_of(
        st.builds(lambda op, l, r: A.Binary(op, l, r, S), st.sampled_from(BINARY_OPS), children, children),
        st.builds(lambda op, e: A.Unary(op, e, S), st.sampled_from(["-", "not"]), children),
        st.builds(lambda e, items, neg: A.InSet(e, tuple(items), neg, S), children,
                  st.lists(children, min_size=1, max_size=3), st.booleans()),
        st.builds(lambda c, t, o: A.IfElse(c, t, o, S), children, children, children),
        st.builds(lambda f, args: A.Call(f, tuple(args), S, S),
                  st.one_of(names, st.sampled_from(["round", "min", "max", "add_months", "floor", "ceil"])),
                  st.lists(children, max_size=3)),
        st.builds(lambda b, a: A.Attribute(b, a, S), children, names),
    )


exprs = st.recursive(leaves, _compound, max_leaves=12)


@st.composite
def metas(draw, reason=True):
    def maybe(strategy):
        return draw(st.one_of(st.none(), strategy))

    return A.Meta(maybe(hostile_text), maybe(hostile_text), maybe(hostile_text),
                  maybe(hostile_text) if reason else None)


def _decl(kind, **fields):
    return kind(**fields, name_span=S, span=S)


types = st.one_of(st.sampled_from(["money", "percent", "decimal", "count", "bool", "date", "duration", "text"]),
                  names).map(lambda t: A.TypeRef(t, S))


@st.composite
def declarations(draw):
    kind = draw(st.sampled_from(["enum", "input", "param", "decision", "cases", "table", "schedule", "require",
                                 "example", "provision"]))
    name, meta, override = draw(names), draw(metas()), draw(st.booleans())
    common = dict(name=name, meta=meta, override=override)
    if kind == "enum":
        members = draw(st.lists(st.builds(lambda n, l: A.EnumMember(n, l, S), names, st.one_of(st.none(), hostile_text)),
                                min_size=1, max_size=4))
        return _decl(A.EnumDecl, members=tuple(members), **common)
    if kind == "input":
        return _decl(A.InputDecl, type=draw(types), optional=draw(st.booleans()), **common)
    if kind == "param":
        statement = draw(st.sampled_from(A.STATEMENT_KINDS))
        delegated = statement == "delegated"
        bounds = draw(st.lists(st.builds(lambda op, e: A.Bound(op, e, S), st.sampled_from(["at_least", "at_most"]),
                                         exprs), max_size=2))
        return _decl(A.ParamDecl, type=draw(types), statement=statement, value=None if delegated else draw(exprs),
                     to_level=draw(st.one_of(st.none(), st.sampled_from(A.LEVELS))) if delegated else None,
                     bounds=tuple(bounds), **common)
    if kind == "decision":
        return _decl(A.DecisionDecl, type=draw(types), expr=draw(exprs), cases=(), otherwise=None, **common)
    if kind == "cases":
        cases = draw(st.lists(st.builds(lambda c, v, m: A.Case(c, v, m, S), exprs, exprs, metas(False)),
                              min_size=1, max_size=3))
        other = draw(st.one_of(st.none(), st.builds(lambda v, m: A.Otherwise(v, m, S), exprs, metas(False))))
        return _decl(A.DecisionDecl, type=draw(types), expr=None, cases=tuple(cases), otherwise=other, **common)
    if kind == "table":
        columns = tuple(A.Column(n, S) for n in draw(st.lists(names, min_size=1, max_size=3)))
        cells = st.one_of(
            st.just(A.Cell("any", None, (), S)),
            exprs.map(lambda e: A.Cell("eq", None, (e,), S)),
            st.builds(lambda op, e: A.Cell("cmp", op, (e,), S), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
                      exprs),
            st.builds(lambda k, items: A.Cell(k, None, tuple(items), S), st.sampled_from(["in", "not_in"]),
                      st.lists(exprs, min_size=1, max_size=3)),
        )
        rows = draw(st.lists(st.builds(lambda cs, out, m: A.Row(tuple(cs), out, False, m, S),
                                       st.lists(cells, min_size=1, max_size=3), exprs, metas(False)),
                             min_size=1, max_size=3))
        if draw(st.booleans()):
            rows.append(A.Row((), draw(exprs), True, draw(metas(False)), S))
        return _decl(A.TableDecl, type=draw(types), columns=columns, rows=tuple(rows), **common)
    if kind == "schedule":
        entries = draw(st.lists(st.builds(lambda s, v, m: A.ScheduleEntry(s, v, m, S), exprs, exprs, metas(False)),
                                min_size=1, max_size=3))
        return _decl(A.ScheduleDecl, entries=tuple(entries), **common)
    if kind == "require":
        return _decl(A.RequireDecl, cond=draw(exprs), deadline=draw(st.one_of(st.none(), exprs)), **common)
    if kind == "example":
        bindings = draw(st.lists(st.builds(lambda n, v: A.Binding(n, v, S), names, exprs), max_size=3))
        expectations = draw(st.lists(st.one_of(
            st.builds(lambda n, v: A.Expectation(n, v, None, S), names, exprs),
            st.builds(lambda n, b: A.Expectation(n, None, b, S), names, names)), min_size=1, max_size=3))
        return _decl(A.ExampleDecl, name=draw(st.one_of(st.none(), names)), as_of=draw(st.one_of(st.none(), exprs)),
                     given=tuple(bindings), expect=tuple(expectations), meta=meta, override=override)
    actors = tuple(draw(st.lists(names, min_size=1, max_size=3)))
    return _decl(A.ProvisionDecl, actor="、".join(actors), actors=actors, modality=draw(st.sampled_from(A.MODALITIES)),
                 text=draw(hostile_text), **common)


def _findings(result) -> tuple:
    """The diagnostics of a parse, less PL113: hostile texts hold control characters on purpose,
    and reporting them as invisible is the parser's job, not a failure to read them."""
    return tuple(d for d in result.diagnostics if d.code != "PL113")


policy_ids = st.lists(st.from_regex(r"[a-z0-9_][a-z0-9_\-]{0,8}", fullmatch=True).filter(lambda w: w not in RESERVED),
                      min_size=1, max_size=3).map("/".join)


@st.composite
def headers(draw):
    items = []
    for key in draw(st.lists(st.sampled_from(["title", "level", "region", "issuer", "document", "issued",
                                              "effective", "ends", "extends", "summary"]), unique=True)):
        if key in ("issued", "effective", "ends"):
            value = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)))
        elif key == "level":
            value = draw(st.one_of(st.sampled_from(A.LEVELS), names))
        elif key == "extends":
            value = draw(policy_ids)
        else:
            value = draw(hostile_text)
        items.append(A.HeaderItem(key, value, S))
    return tuple(items)


@st.composite
def policies(draw):
    header = draw(headers())
    uses = tuple(A.Uses(pid, alias, S) for pid, alias in draw(st.lists(st.tuples(policy_ids, names), max_size=2)))
    decls = tuple(draw(st.lists(declarations(), min_size=1 if not header else 0, max_size=5)))
    return A.PolicyFile("gen.policy", "", header, uses, decls)


@SETTINGS
@given(policies())
def test_generated_programs_parse_cleanly_and_round_trip(policy):
    text = format_file(policy)
    result = parse_source(text, "gen.policy")
    assert _findings(result) == (), (text, result.diagnostics)
    assert ast_equal(result.file, policy), text
    again, diags = format_source(text, "gen.policy")
    assert [d for d in diags if d.code != "PL113"] == [] and again == text


@SETTINGS
@given(policies())
def test_generated_programs_round_trip_through_chinese_keywords(policy):
    text = format_file(policy, keywords="zh")
    result = parse_source(text, "gen.policy")
    assert _findings(result) == (), (text, result.diagnostics)
    assert ast_equal(result.file, policy), text
    again, diags = format_source(text, "gen.policy", keywords="zh")
    assert [d for d in diags if d.code != "PL113"] == [] and again == text
    assert format_source(text, "gen.policy", keywords="en")[0] == format_file(policy)


@st.composite
def comment_texts(draw):
    return "#" + draw(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=15)
                      ).rstrip()


@SETTINGS
@given(policies(), st.lists(st.tuples(st.integers(0, 60), st.booleans(), comment_texts()), max_size=6))
def test_comments_anywhere_between_lines_survive_and_formatting_is_idempotent(policy, inserts):
    lines = format_file(policy).split("\n")
    for position, trailing, comment in inserts:
        index = position % len(lines)
        if trailing and lines[index].strip() and not lines[index].lstrip().startswith("#"):
            lines[index] += "  " + comment
        else:
            lines.insert(index, comment)
    text = "\n".join(lines)
    once, diags = format_source(text, "c.policy")
    assert once is not None, (text, diags)
    twice, _ = format_source(once, "c.policy")
    assert twice == once
    original = parse_source(text, "c.policy").file
    reparsed = parse_source(once, "c.policy").file
    assert ast_equal(original, reparsed)
    assert sorted(c.text.rstrip() for c in reparsed.comments) == sorted(c.text.rstrip() for c in original.comments)


# ---------------------------------------------------------------- damaged files

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
with open(os.path.join(DATA, "sample_full.policy"), encoding="utf-8") as _fh:
    SAMPLE = _fh.read()


def _assert_only_located_diagnostics(text: str) -> None:
    result = parse_source(text, "damaged.policy")  # must not raise
    line_count = text.count("\n") + 1
    for diag in result.diagnostics:
        assert diag.span is not None, diag
        assert 1 <= diag.span.line <= line_count, (diag, line_count)
        assert diag.span.end_line >= diag.span.line
        assert diag.span.column >= 1
    formatted, _ = format_source(text, "damaged.policy")  # nor may the formatter
    if formatted is not None:
        assert _findings(parse_source(formatted)) == ()


edits = st.lists(
    st.tuples(st.sampled_from(["insert", "delete", "swap"]), st.integers(0, 10**6),
              st.sampled_from(list('{}()":=,-#\n\\"') + ["yuan", "when", "override", "：", "\x00", "\u2028", "é",
                                                          "品", "\r"])),
    min_size=1, max_size=5,
)


@SETTINGS
@given(edits)
def test_mutated_files_only_produce_located_diagnostics(operations):
    chars = list(SAMPLE)
    for op, position, piece in operations:
        i = position % (len(chars) + 1)
        if op == "insert":
            chars[i:i] = list(piece)
        elif op == "delete" and chars:
            del chars[min(i, len(chars) - 1)]
        elif op == "swap" and len(chars) > 1:
            j = min(i, len(chars) - 2)
            chars[j], chars[j + 1] = chars[j + 1], chars[j]
    _assert_only_located_diagnostics("".join(chars))


@SETTINGS
@given(st.integers(0, len(SAMPLE)))
def test_truncated_files_only_produce_located_diagnostics(length):
    _assert_only_located_diagnostics(SAMPLE[:length])


@SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_text_only_produces_located_diagnostics(text):
    _assert_only_located_diagnostics(text)
