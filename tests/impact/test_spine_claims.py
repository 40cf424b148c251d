"""Synthetic spine claims are inputs cn/nm/spine-2023 can evaluate: every row of a clean sample is
valid for the generated Python module, for `policylang run` on DuckDB and for `policylang impact`;
with `invalid` set, exactly the spoiled rows fail, each with the module's own error."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from decimal import Decimal

import pytest

from impact_support import REPO, read_rows

from policylang import claims
from policylang.backends.pycodegen import compile_module
from policylang.backends.runner import evaluate_case
from policylang.batch import load_policy, run_file
from policylang.impact import money_decisions, simulate, sweep

SPINE = "cn/nm/spine-2023"
POLICIES = f"{REPO}/policies"
AS_OF = dt.date(2024, 6, 1)


@pytest.fixture(scope="module")
def policy():
    return load_policy(SPINE, POLICIES)


@pytest.fixture(scope="module")
def module(policy):
    return compile_module(policy)


def _module_rows(module, rows):
    """Each claim evaluated on its own by the generated module: (values, error or None)."""
    accepted = set(module.INPUTS)
    out = []
    for row in rows:
        case = {k: v for k, v in row.items() if k in accepted and v.strip() != ""}
        out.append(evaluate_case(module, case, AS_OF, None, False))
    return out


def _spine_csv(tmp_path, rows, invalid=0.0, name="spine.csv"):
    path = str(tmp_path / name)
    claims.write(path, "spine", rows, seed=4, invalid=invalid)
    return path


def test_every_required_input_of_the_chain_is_a_column(policy):
    required = {n for n, i in policy.inputs.items() if not i.optional}
    assert required <= set(claims.SPINE_INPUTS)
    # the lists of parts are optional inputs a table cell cannot hold: not written
    lists = {n for n, i in policy.inputs.items() if i.type.kind == "list"}
    assert lists and not lists & set(claims.COLUMNS["spine"])
    assert {b.name for b in policy.blanks} <= set(claims.SPINE_INPUTS)


def test_clean_spine_claims_evaluate_in_the_module_and_on_duckdb(policy, module, tmp_path):
    path = _spine_csv(tmp_path, 600)
    rows = read_rows(path)
    expected = _module_rows(module, rows)
    assert [exc for _, exc in expected if exc is not None] == []
    out = str(tmp_path / "out.csv")
    result = run_file(policy, path, out, as_of=AS_OF, rule_columns=False)
    assert result.rows == 600 and result.failed == 0
    got = read_rows(out)
    names = list(policy.decision_order)
    for i, (row, (values, _)) in enumerate(zip(got, expected)):
        assert row["claim_id"] == rows[i]["claim_id"] and row["_error"] == ""
        for name in names:
            value = values.get(name)
            cell = row[name]
            if value is None:
                assert cell == "", (i, name)
            elif isinstance(value, bool):
                assert cell == ("true" if value else "false"), (i, name)
            elif isinstance(value, Decimal):
                assert Decimal(cell) == value, (i, name)
            else:
                assert cell == str(value), (i, name)
    # the documented shares: the rules' cases are all reached
    counts = [row["counts_toward_agreed_volume"] for row in got]
    assert {"true", "false", ""} <= set(counts)
    assert {row["settlement_on_time"] for row in got} == {"true", "false", ""}  # "": out of scope
    assert {row["in_scope"] for row in got} == {"true", "false"}
    assert any(row["retained_surplus_max"] for row in got)


def test_spoiled_spine_claims_fail_exactly_as_the_module_says(policy, module, tmp_path):
    path = _spine_csv(tmp_path, 800, invalid=0.05, name="bad.csv")
    rows = read_rows(path)
    expected = _module_rows(module, rows)
    failed = [i for i, (_, exc) in enumerate(expected) if exc is not None]
    assert 20 < len(failed) < 80  # about 5% of 800
    out = str(tmp_path / "bad-out.csv")
    result = run_file(policy, path, out, as_of=AS_OF, rule_columns=False)
    assert result.failed == len(failed)
    got = read_rows(out)
    assert [i for i, row in enumerate(got) if row["_error"]] == failed
    for i in failed:
        exc = expected[i][1]
        assert got[i]["_error_field"] == (getattr(exc, "field", None) or ""), i


def test_impact_on_spine_claims_sums_the_module(policy, module, tmp_path):
    path = _spine_csv(tmp_path, 400)
    result = simulate(sweep(policy, "retention_ratio", ["60%"]), path, as_of=AS_OF)
    assert result.invalid["s0"]["rows"] == 0 and result.invalid["s1"]["rows"] == 0
    rows = read_rows(path)
    sums = {n: Decimal(0) for n in money_decisions(policy)}
    for values, _ in _module_rows(module, rows):
        for n in sums:
            if values.get(n) is not None:
                sums[n] += Decimal(values[n])
    for n, d in result.decisions.items():
        assert d.totals["s0"] == sums[n], n
    surplus = result.decisions["retained_surplus_max"].comparisons[0]
    assert surplus.difference > 0 and surplus.rows_changed > 0


def test_cli_run_of_spine_claims_has_no_failed_rows(tmp_path):
    data = _spine_csv(tmp_path, 300)
    out = tmp_path / "out.parquet"
    proc = subprocess.run([sys.executable, "-m", "policylang", "run", SPINE, "--data", data, "--out", str(out),
                           "--as-of", "2024-06-01", "--root", POLICIES], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "300 ok, 0 failed" in proc.stderr
    with open(data, encoding="utf-8", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 300
