"""One validation for several policies (what `policylang impact` runs): a query that reads another
query's validated input columns (compile_sql(validated=...)) gives, row for row, what the same
policy's query gives when it validates the inputs itself — hostile rows included (their error
columns: the first bad input among those the policy reads, in the table's order)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from policylang.backends.sql import compile_sql
from samples import sample_rows
from support import POLICIES, resolve_tree

SEEDS = {pid: p for pid, p in resolve_tree(POLICIES).items() if not p.has_errors}
PAIRS = [
    ("cn/gd/stent-2020", "cn/gd/chaozhou/stent-2020"),
    ("cn/gd/chaozhou/stent-2020", "cn/gd/stent-2020"),
    ("cn/gd/stent-2020", "cn/stent-2020"),
    ("cn/gd/stent-2020", "cn/gd/stent-2020"),
]


def _table(con, rows, columns):
    con.execute('CREATE TABLE cases (' + ", ".join(f'"{c}" VARCHAR' for c in columns) + ")")
    con.executemany(f"INSERT INTO cases VALUES ({', '.join('?' for _ in columns)})",
                    [[r.get(c) if c != "row_no" else str(i) for c in columns] for i, r in enumerate(rows)])


@pytest.mark.parametrize("first,second", PAIRS)
@pytest.mark.parametrize("as_of", [dt.date(2021, 6, 1), dt.date(2019, 1, 1)])
def test_shared_validation_gives_the_same_rows(first, second, as_of):
    a, b = SEEDS[first], SEEDS[second]
    rows = sample_rows(a, 300, seed=5) + sample_rows(b, 300, seed=6)
    columns = ["row_no"] + list(dict.fromkeys([*a.inputs, *b.inputs]))
    con = duckdb.connect()
    con.execute("SET threads = 1")
    _table(con, rows, columns)
    qa = compile_sql(a, "duckdb", columns=columns, as_of=as_of, rule_columns=False, source="cases",
                     keep_validated=True)
    assert qa.validated_columns and qa.validation is not None
    kept = ", ".join(f'"{c}"' for c in qa.validated_columns)
    con.execute(f"CREATE VIEW first_done AS SELECT {', '.join(chr(34) + c + chr(34) for c in columns)}, {kept} "
                f"FROM ({qa.sql}) AS q")
    shared = compile_sql(b, "duckdb", columns=columns, as_of=as_of, rule_columns=True, source="first_done",
                         validated=qa.validation)
    alone = compile_sql(b, "duckdb", columns=columns, as_of=as_of, rule_columns=True, source="cases")
    assert shared.shared_validation and not alone.shared_validation
    assert "__pl_fast" not in shared.sql  # no validation of its own
    outputs = ", ".join(f'"{c}"' for c in alone.output_columns())
    got = con.execute(f"SELECT {outputs} FROM ({shared.sql}) AS q ORDER BY CAST(row_no AS INTEGER)").fetchall()
    want = con.execute(f"SELECT {outputs} FROM ({alone.sql}) AS q ORDER BY CAST(row_no AS INTEGER)").fetchall()
    assert len(got) == len(rows)
    assert got == want
    assert any(r[alone.output_columns().index("_error")] is not None for r in want)  # hostile rows were there


def test_validation_is_not_shared_when_an_input_is_read_otherwise():
    """A policy that reads an input the first query did not validate (or with another type or
    bound) validates its inputs itself."""
    a, b = SEEDS["cn/gd/chaozhou/stent-2020"], SEEDS["cn/gd/stent-2020"]
    columns = list(dict.fromkeys([*a.inputs, *b.inputs]))
    qa = compile_sql(a, "duckdb", columns=[c for c in columns if c != "price"], as_of=dt.date(2021, 6, 1),
                     source="cases", keep_validated=True)
    qb = compile_sql(b, "duckdb", columns=columns, as_of=dt.date(2021, 6, 1), source="x", validated=qa.validation)
    assert not qb.shared_validation
    dialect, empty, parts = qa.validation
    other = (dialect, not empty, parts)
    qc = compile_sql(b, "duckdb", columns=[c for c in columns if c != "price"], as_of=dt.date(2021, 6, 1),
                     source="x", validated=other)
    assert not qc.shared_validation
    # the national notice reads fewer inputs than Guangdong's: Guangdong cannot take its validation
    n = SEEDS["cn/stent-2020"]
    qn = compile_sql(n, "duckdb", columns=columns, as_of=dt.date(2021, 6, 1), source="cases", keep_validated=True)
    assert not compile_sql(b, "duckdb", columns=columns, as_of=dt.date(2021, 6, 1), source="x",
                           validated=qn.validation).shared_validation
