"""Differential tests: the compiled SQL on DuckDB gives what the reference interpreter gives, row for
row and value for value (exact decimals, NULL for none, dates, and the error columns of rows that
cannot be evaluated), on hypothesis-generated rows of every seed policy and of generated policies."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import write_tree
from policylang.batch import evaluate_rows, reference_rows
from policylang.semantics.evaluate import Interpreter
from support import POLICIES, resolve_tree
from test_differential import DATES, MONTH_ENDS, generated_list_policy, generated_policy

SEEDS = {pid: p for pid, p in resolve_tree(POLICIES).items() if not p.has_errors}
COMPARED = ("_error", "_error_field", "_error_decision")
# What each reason of the SQL validation means, as the Python module's message says it.
REASON_WORDS = {
    "missing": "is missing", "negative": "negative", "fraction_of_fen": "fractions of a fen",
    "not_whole": "whole number", "outside_range": "outside 0%", "not_bool": "true or false",
    "not_date": "YYYY-MM-DD", "not_member": "must be one of", "malformed": "must be", "not_finite": "finite",
    "unfilled": "is a blank", "division_by_zero": "division by zero", "not_in_force": "is not in force", "too_long": "too long", "beyond_range": "too large", "outside_calendar": "outside the calendar",
}


def clean_value(kind: str, members=()):
    """A cell the Python module reads as it stands: rows of these reach the decisions. (With ten
    inputs each a fifth hostile, almost no row of text_value's does, and the decisions' values of
    generated policies were compared on hardly any row.)"""
    return {
        "money": st.decimals(0, 10 ** 7, places=2).map(lambda d: format(d, "f")) | st.integers(0, 20000).map(str),
        "percent": st.integers(0, 100).map(lambda n: f"{n}%") | st.decimals(0, 1, places=4).map(str),
        "decimal": st.decimals(-1000, 1000, places=3).map(str),
        "count": st.integers(0, 500).map(str),
        "bool": st.sampled_from(["true", "false"]),
        "date": (DATES | MONTH_ENDS).map(lambda d: d.isoformat()),
        "text": st.text(alphabet="abc医保", max_size=5),
        "enum": st.sampled_from(list(members) or ["x"]),
    }[kind]


# Other text the Python module reads (or rejects with its own message) besides the canonical forms.
OTHER_FORMS = {
    "money": ["0", "0.00", "469", "7000.00", "1e3", "1_000", " 12.50 ", "+5", ".5"],
    "percent": ["12.5%", "33.333333%", "0.855", "100%", "1"],
    "count": ["3.0", "0"],
    "bool": ["True", "yes", "no", "是", "否", "1", "0", " true "],
    "date": ["9999-12-31", "0001-01-01"],
}


def text_value(kind: str, members=()):
    """Input cells as a claims file holds them: text, mostly valid, some hostile."""
    if kind == "text":
        good = st.text(max_size=5)
    else:
        good = clean_value(kind, members)
        if kind in OTHER_FORMS:
            good = good | st.sampled_from(OTHER_FORMS[kind])
    bad = st.sampled_from(["-1", "-0.01", "1.234", "abc", "NaN", "inf", "2021-02-30", "2021-2-3", "80%%", "101%",
                           "1e400", "3.5", "it's", "a\\b", "line\nbreak", "\"quoted\"", "public ", "DROP TABLE x;--"])
    return st.one_of(good, good, good, good, bad)


def rows_strategy(policy, size=12):
    interp = Interpreter(policy)
    fields, clean = {}, {}
    for name, t in interp.accepted_inputs().items():
        if t.kind == "list":
            continue  # a table cell cannot hold a list: an optional list is read as not given
        members = interp.enum_members.get(t.enum, ()) if t.kind == "enum" else ()
        fields[name] = text_value(t.kind, members)
        clean[name] = clean_value(t.kind, members)
    required = {k for k in fields if k in policy.inputs and not policy.inputs[k].optional}
    row = st.fixed_dictionaries({}, optional=fields)
    full = st.fixed_dictionaries({k: v for k, v in fields.items() if k in required},
                                 optional={k: v for k, v in fields.items() if k not in required})
    valid = st.fixed_dictionaries({k: v for k, v in clean.items() if k in required},
                                  optional={k: v for k, v in clean.items() if k not in required})
    return st.lists(st.one_of(row, full, full, valid, valid, valid), min_size=1, max_size=size)


def assert_same(policy, rows, as_of, got, want):
    assert len(got) == len(want)
    for row, g, w in zip(rows, got, want):
        for name in policy.decision_order:
            gv, wv = g[name], w[name]
            assert (gv is None) == (wv is None), (name, row, g, w)
            if isinstance(wv, Decimal):
                assert Decimal(gv) == wv, (name, row, gv, wv)
            elif isinstance(wv, int) and not isinstance(wv, bool):
                assert int(gv) == wv, (name, row, gv, wv)
            else:
                assert gv == wv, (name, row, gv, wv)
        assert tuple(g[c] for c in COMPARED) == tuple(w[c] for c in COMPARED), (row, g, w)
        if w["_error"] is not None:
            words = REASON_WORDS.get(g["_error_reason"])
            assert words is not None and words in w["_error_message"], (row, g["_error_reason"], w["_error_message"])


def _in_range(rows, policy=None):
    """Rows within the SQL types' ranges (DECIMAL(38), percents to 10 places): others fail with
    reason beyond_range / beyond_precision, checked separately. Every row's cells in one column
    order, as in a file (inputs are validated in that order)."""
    order = list(Interpreter(policy).accepted_inputs()) if policy is not None else None
    rows = [r for r in rows if not any(v in ("1e400",) for v in r.values())]
    if order is None:
        return rows
    return [{k: r[k] for k in order if k in r} for r in rows]


# a few evaluation dates (each compiles its own query): schedule boundaries, month ends, a leap day
AS_OF = st.sampled_from([dt.date(2019, 1, 1), dt.date(2021, 3, 1), dt.date(2022, 1, 1), dt.date(2023, 6, 30),
                         dt.date(2023, 7, 1), dt.date(2024, 2, 29), dt.date(2026, 4, 25), dt.date(2027, 12, 31)])
def _columns(policy):
    return [n for n, t in Interpreter(policy).accepted_inputs().items() if t.kind != "list"]


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("policy_id", sorted(SEEDS))
def test_seed_policy_on_duckdb_equals_interpreter(policy_id):
    policy = SEEDS[policy_id]

    @SETTINGS
    @given(rows=rows_strategy(policy), as_of=AS_OF)
    def check(rows, as_of):
        rows = _in_range(rows, policy)
        if not rows:
            return
        got = evaluate_rows(policy, rows, as_of=as_of, rule_columns=True, columns=_columns(policy))
        want = reference_rows(policy, rows, as_of=as_of)
        assert_same(policy, rows, as_of, got, want)

    check()


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=generated_policy(), data=st.data())
def test_generated_policies_on_duckdb_equal_interpreter(text, data):
    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(Path(tmp), {"cn/gen": text})
        policy = resolve_tree(root).get("cn/gen")
        if policy is None or policy.has_errors:
            return
        rows = _in_range(data.draw(rows_strategy(policy, 8)), policy)
        as_of = data.draw(AS_OF)
        if not rows:
            return
        got = evaluate_rows(policy, rows, as_of=as_of, columns=_columns(policy))
        want = reference_rows(policy, rows, as_of=as_of)
        assert_same(policy, rows, as_of, got, want)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=generated_list_policy())
def test_generated_list_policies_are_refused_naming_the_construct(text):
    """Lists of records and their aggregates are not compiled to SQL: compiling says so, by name."""
    from policylang.backends.sql import UnsupportedInSql, compile_sql

    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(Path(tmp), {"cn/gen": text})
        policy = resolve_tree(root).get("cn/gen")
        if policy is None or policy.has_errors:
            return
        with pytest.raises(UnsupportedInSql, match="list"):
            compile_sql(policy, "duckdb")
