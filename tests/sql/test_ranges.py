"""The ranges the SQL generator follows through the arithmetic to size its DECIMALs (ranges.py):
every value an operation can give lies in the range worked out for it, and a policy whose values
sit at the very ends of their ranges gives, through `policylang run` into CSV (the narrow, 64-bit
writing) and in memory, what the reference interpreter gives."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from helpers import header, write_tree
from policylang.backends.sql import compile_sql
from policylang.backends.sql import ranges
from policylang.backends.sql.compiler import parenthesized
from policylang.backends.sql.ranges import Range
from policylang.batch import evaluate_rows, reference_rows, run_file
from support import resolve_tree
from test_duckdb_differential import assert_same

AMOUNTS = st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=3, allow_nan=False,
                      allow_infinity=False)


@st.composite
def range_and_value(draw):
    a, b, c = sorted(draw(st.tuples(AMOUNTS, AMOUNTS, AMOUNTS)))
    return Range(a, c), b


@settings(max_examples=300, deadline=None)
@given(x=range_and_value(), y=range_and_value(), places=st.integers(0, 3))
def test_every_operation_stays_in_its_range(x, y, places):
    (rx, vx), (ry, vy) = x, y
    for node, value in (("Add", vx + vy), ("Sub", vx - vy), ("Mul", vx * vy)):
        r = ranges.combined(rx, ry, node)
        assert r.low <= value <= r.high, (node, rx, ry, vx, vy)
    assert (-rx).low <= -vx <= (-rx).high
    assert rx.absolute().low <= abs(vx) <= rx.absolute().high
    for fn, value in ((ranges.least, min(vx, vy)), (ranges.greatest, max(vx, vy)), (ranges.union, vx)):
        r = fn(rx, ry)
        assert r.low <= value <= r.high, (fn.__name__, rx, ry, vx, vy)
    unit = Decimal(1).scaleb(-places)
    r = rx.rounded(places)
    for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_CEILING, ROUND_FLOOR):
        assert r.low <= vx.quantize(unit, rounding=mode) <= r.high, (rx, vx, places, mode)
    assert rx.magnitude >= abs(vx)
    assert ranges.combined(rx, None, "Add") is None and ranges.union(rx, None) is None
    assert ranges.combined(rx, ry, "Div") is None


# Every operation the ranges follow, with inputs at the ends of theirs: money is 0 to
# 9999999999999999.99, a percent 0 to its limit, a count 0 to 10^18 - 1.
EDGES = header("national", "2021-01-01") + """\
input a: money
input b: money
input r: percent
input big: percent up to 300%
input n: count
decision kept: money = round(a * r, fen)
decision tripled: money = round(a * big / 3, fen)
decision nothing: money = a * 0
decision difference: money = a - b
decision back: money = -(a - b)
decision distance: money = abs(a - b)
decision smaller: money = min(a, b) * r
decision larger: money = max(a * r, b)
decision chosen: money {
    when r > 50% then round(a * r, fen, half_even)
    otherwise round((a - b) * r, yuan, down)
}
decision counted: count = n * 1
decision share: percent = r * r
"""

EDGE_ROWS = [
    {"a": a, "b": b, "r": r, "big": big, "n": n}
    for a, b in [("9999999999999999.99", "0"), ("0", "9999999999999999.99"),
                 ("9999999999999999.99", "9999999999999999.99"), ("0.01", "0.02"), ("0", "0"),
                 ("4999999999999999.99", "9999999999999999.98")]
    for r, big, n in [("100%", "300%", "999999999999999999"), ("50.00000001%", "299.99999999%", "0"),
                      ("0.0000000001", "0", "1"), ("99.99999999%", "100%", "42")]
]
AS_OF = dt.date(2022, 1, 1)


def _edges_policy(tmp_path):
    root = write_tree(tmp_path, {"cn/edges": EDGES})
    policy = resolve_tree(root)["cn/edges"]
    assert not policy.has_errors, policy
    return policy


def test_values_at_the_ends_of_their_ranges_equal_the_interpreter(tmp_path):
    policy = _edges_policy(tmp_path)
    columns = ["a", "b", "r", "big", "n"]
    got = evaluate_rows(policy, EDGE_ROWS, as_of=AS_OF, columns=columns)
    want = reference_rows(policy, EDGE_ROWS, as_of=AS_OF)
    assert all(w["_error"] is None for w in want)
    assert_same(policy, EDGE_ROWS, AS_OF, got, want)
    # the same through a CSV file, where money decisions are written as text in 64 bits
    data, out = tmp_path / "cases.csv", tmp_path / "out.csv"
    with open(data, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(EDGE_ROWS)
    result = run_file(policy, str(data), str(out), as_of=AS_OF, rule_columns=False)
    assert result.failed == 0
    with open(out, newline="", encoding="utf-8") as fh:
        written = list(csv.DictReader(fh))
    for row, w, g in zip(EDGE_ROWS, want, written):
        for name in policy.decision_order:
            assert Decimal(g[name]) == w[name], (name, row, g[name], w[name])


def test_money_within_its_range_is_written_without_a_test_per_row(tmp_path):
    # every money decision but two stays below 10^16 (a percent of at most 100% times money, a
    # difference of two amounts, its sign, its size), so each is written straight from 64 bits. The
    # two: a quotient (its range is not followed), and a difference rounded down to the yuan, which
    # really can reach -10^16 (-9999999999999999.99 rounded down), 17 digits
    policy = _edges_policy(tmp_path)
    text = " ".join(compile_sql(policy, "duckdb", decimals_as_text=True).sql.split())
    final = text[text.rindex("SELECT"):]
    widened = [name for name in policy.decision_order
               if f'AS DECIMAL(38, 2)) AS TEXT) END AS "{name}"' in final]
    assert widened == ["tripled", "chosen"], widened
    assert ranges.rounded(Range(Decimal("-9999999999999999.99"), Decimal(0)), 0).low == Decimal("-1E16")


def test_an_operand_binding_more_loosely_is_written_in_parentheses():
    # sqlglot writes a tree as built: Mul(Add(a, b), c) would read `a + b * c`. A division of a
    # value with more than 9 decimals built such a product and gave a ten-billionth of the answer
    tree = exp.Mul(this=exp.Add(this=exp.column("a"), expression=exp.column("b")), expression=exp.column("c"))
    assert parenthesized(tree).sql("duckdb") == "(a + b) * c"
    tree = exp.Sub(this=exp.Sub(this=exp.column("a"), expression=exp.column("b")),
                   expression=exp.Sub(this=exp.column("c"), expression=exp.column("d")))
    assert parenthesized(tree).sql("duckdb") == "a - b - (c - d)"
    tree = exp.Not(this=exp.Is(this=exp.column("a"), expression=exp.Null()))
    assert parenthesized(tree).sql("duckdb") == "NOT a IS NULL"
    tree = exp.Neg(this=exp.Sub(this=exp.column("a"), expression=exp.column("b")))
    assert parenthesized(tree).sql("duckdb") == "-(a - b)"


DIVISIONS = header("national", "2021-01-01") + """input a: money
input p: percent up to 300%
input d: decimal
decision of_money: money = a / 3
decision of_percent: percent = p / 3
decision of_product: money = a * p / 3
decision of_decimal: decimal = d / 7
"""


def test_quotients_at_every_scale_equal_the_interpreter(tmp_path):
    # money (2 decimals), a percent (10), a product (12), a decimal (12): the query's quotient carries
    # 20 decimals (docs/batch.md), the interpreter's 50 significant digits
    root = write_tree(tmp_path, {"cn/div": DIVISIONS})
    policy = resolve_tree(root)["cn/div"]
    assert not policy.has_errors, policy
    rows = [{"a": a, "p": p, "d": d} for a, p, d in [("1000", "300%", "1000"), ("1000", "100%", "0.5"),
                                                     ("9999999999999999.99", "12.5%", "-3.000000000001"),
                                                     ("0.01", "0.0000000001", "0")]]
    got = evaluate_rows(policy, rows, as_of=AS_OF, columns=["a", "p", "d"])
    want = reference_rows(policy, rows, as_of=AS_OF)
    twenty = Decimal(1).scaleb(-20)
    for row, g, w in zip(rows, got, want):
        assert w["_error"] is None
        for name in policy.decision_order:
            expected = w[name] if name in ("of_money", "of_product") else w[name].quantize(twenty, rounding=ROUND_HALF_EVEN)
            assert Decimal(g[name]) == expected, (name, row, g[name], w[name])


WIDE_DIVISIONS = header("national", "2021-01-01") + """input a: money
input p: percent up to 300%
input d: decimal
input n: count
decision of_wide: money = a * p * d / 3
decision over_decimal: money = a * p / d
decision over_percent: money = a / p
decision over_count: money = a * p * d / n
"""


def test_quotients_of_wide_values_and_by_wide_divisors_equal_the_interpreter(tmp_path):
    # A dividend at 24 decimals (money x percent x decimal) is shifted right, not by 10^-4 (which
    # was 0: every such quotient came out 0.00); a dividend of 10^6 or more over a decimal (12
    # decimals) took the whole 10^32 shift in one product and stopped the batch with an overflow.
    # The shift is now taken by long division, in steps the divisor's digits leave room for.
    root = write_tree(tmp_path, {"cn/div": WIDE_DIVISIONS})
    policy = resolve_tree(root)["cn/div"]
    assert not policy.has_errors, policy
    rows = [{"a": a, "p": p, "d": d, "n": n} for a, p, d, n in [
        ("4833", "56%", "1.442", "139"), ("1000", "30%", "1.5", "7"), ("9999999.99", "300%", "-999.999", "3"),
        ("99999999999.99", "100%", "0.001", "1"), ("0.01", "0.0000000001", "-0.000000000001", "2"),
        ("123456789.01", "99.99999999%", "-0.7", "999999999999999999"),
        ("0.05", "50%", "0.3", "1")]]  # .005 quotients: half even at 20 decimals, then the fen
    got = evaluate_rows(policy, rows, as_of=AS_OF, columns=["a", "p", "d", "n"])
    want = reference_rows(policy, rows, as_of=AS_OF)
    for row, g, w in zip(rows, got, want):
        assert w["_error"] is None and g["_error"] is None, (row, g, w)
        for name in policy.decision_order:
            assert Decimal(g[name]) == w[name], (name, row, g[name], w[name])
