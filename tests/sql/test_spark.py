"""The compiled SQL on Spark (local, ANSI mode, no decimal precision loss) gives what the reference
interpreter gives, on 1,200 rows of each seed policy; and `policylang run --engine spark`.

Spark needs Java 17. .ci/run installs openjdk-17-jre-headless where it is missing; under CI
(POLICYLANG_CI=1) a missing Java fails these tests rather than skipping them."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest

from policylang.batch import evaluate_rows, reference_rows, spark_session
from support import POLICIES, resolve_tree
from samples import sample_rows
from test_duckdb_differential import assert_same

SEEDS = {pid: p for pid, p in resolve_tree(POLICIES).items() if not p.has_errors}
ROWS = 1200


@pytest.fixture(scope="session")
def spark():
    if shutil.which("java") is None:
        message = ("Spark needs Java 17 (java is not on PATH): install Debian's openjdk-17-jre-headless "
                   "(.ci/run does, as root)")
        if os.environ.get("POLICYLANG_CI"):
            pytest.fail(message)
        pytest.skip(message)
    session = spark_session("local[2]", {"spark.sql.shuffle.partitions": "2"})
    assert session.conf.get("spark.sql.ansi.enabled") == "true"
    assert session.conf.get("spark.sql.decimalOperations.allowPrecisionLoss") == "false"
    return session


@pytest.mark.parametrize("policy_id", sorted(SEEDS))
def test_seed_policy_on_spark_equals_interpreter(spark, policy_id):
    policy = SEEDS[policy_id]
    from policylang.semantics.evaluate import Interpreter

    columns = [n for n, t in Interpreter(policy).accepted_inputs().items() if t.kind != "list"]  # a cell holds no list
    rows = [{k: r[k] for k in columns if k in r} for r in sample_rows(policy, ROWS, seed=len(policy_id))]
    as_of = dt.date(2021, 3, 1) if "stent" in policy_id else dt.date(2024, 2, 29)
    got = evaluate_rows(policy, rows, as_of=as_of, engine="spark", columns=columns, spark=spark, rule_columns=True)
    want = reference_rows(policy, rows, as_of=as_of)
    assert_same(policy, rows, as_of, got, want)
    assert sum(1 for w in want if w["_error"] is None) > 50  # most rows evaluate: values are compared, not errors


def test_run_on_spark_writes_what_duckdb_writes(spark, tmp_path):
    import csv

    from click.testing import CliRunner

    from policylang.cli import cli

    policy = SEEDS["cn/gd/stent-2020"]
    rows = sample_rows(policy, 300, seed=5)
    columns = ["claim_id"] + list(rows[0].keys() | {k for r in rows for k in r})
    columns = ["claim_id"] + sorted(c for c in columns if c != "claim_id")
    data = tmp_path / "claims.csv"
    with open(data, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for i, r in enumerate(rows):
            w.writerow([str(i)] + [r.get(c, "") for c in columns[1:]])
    outputs = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / f"out-{engine}.csv"
        result = CliRunner().invoke(cli, ["run", "cn/gd/stent-2020", "--data", str(data), "--out", str(out),
                                          "--engine", engine, "--as-of", "2021-03-01", "--root", str(POLICIES),
                                          "--blank", "nonselected_payment_cap=1500"])
        assert result.exit_code == 1, result.output  # some rows are invalid
        assert "300 rows" in result.output and "failed" in result.output
        files = [out] if engine == "duckdb" else sorted(out.glob("part-*.csv"))
        got = {}
        for f in files:
            with open(f, encoding="utf-8") as fh:
                for rec in csv.DictReader(fh):
                    got[rec["claim_id"]] = rec
        outputs[engine] = got
    assert outputs["duckdb"].keys() == outputs["spark"].keys() == {str(i) for i in range(300)}
    for key, rec in outputs["duckdb"].items():
        other = outputs["spark"][key]
        for name in ("fund_pays", "patient_pays", "payment_standard", "settlement_deadline", "_error", "_error_field",
                     "_error_message"):
            a, b = rec[name] or None, other[name] or None
            assert a == b, (key, name, a, b)


def test_input_text_forms_match_the_python_module_on_spark(spark, tmp_path):
    from test_sql_semantics import assert_input_forms, input_forms_policy

    assert_input_forms(input_forms_policy(tmp_path), "spark", spark=spark)
