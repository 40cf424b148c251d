"""The compiled SQL on Spark (local, ANSI mode, no decimal precision loss) gives what the reference
interpreter gives, on 1,200 rows of each seed policy; and `policylang run --engine spark`.

Spark needs Java 17. .ci/run installs openjdk-17-jre-headless where it is missing; under CI
(POLICYLANG_CI=1) a missing Java fails these tests rather than skipping them."""

from __future__ import annotations

import csv
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


def test_run_on_spark_reads_and_writes_uris(spark, tmp_path):
    """A path with a scheme (hdfs://, s3a://, file://) is Spark's to open, as on a cluster; one it
    cannot open is a message, not a traceback."""
    from click.testing import CliRunner

    from policylang.cli import cli

    data = tmp_path / "claims.csv"
    data.write_text("claim_id,selected,selected_price,price\n1,true,500.00,500.00\n2,true,600.00,600.00\n",
                    encoding="utf-8")
    out = tmp_path / "out.parquet"
    result = CliRunner().invoke(cli, ["run", "cn/gd/stent-2020", "--data", data.as_uri(), "--out", out.as_uri(),
                                      "--engine", "spark", "--as-of", "2021-03-01", "--root", str(POLICIES),
                                      "--blank", "nonselected_payment_cap=1500", "--continue-on-error"])
    assert result.exit_code == 0, result.output
    assert "2 rows" in result.output and sorted(out.glob("part-*.parquet"))
    missing = (tmp_path / "nothing.csv").as_uri()
    for lang, said in (("en", "Spark cannot read it"), ("zh", "Spark 无法读取")):
        result = CliRunner().invoke(cli, ["run", "cn/gd/stent-2020", "--data", missing, "--out", out.as_uri(),
                                          "--engine", "spark", "--root", str(POLICIES), "--lang", lang])
        assert result.exit_code == 2 and said in result.output and "Traceback" not in result.output, result.output


def test_input_text_forms_match_the_python_module_on_spark(spark, tmp_path):
    from test_sql_semantics import assert_input_forms, input_forms_policy

    assert_input_forms(input_forms_policy(tmp_path), "spark", spark=spark)


def test_a_csv_file_is_split_into_partitions_unless_a_quoted_cell_spans_lines(spark, tmp_path):
    """A CSV file whose quoted cells all end on their line is read line by line, in as many
    partitions as its size gives (so a second core has work); one with a line break inside a quoted
    cell is read whole (multiLine), and its cell keeps the line break. Either way `run` writes the
    rows in the file's order, as DuckDB does."""
    from click.testing import CliRunner

    from policylang.batch import _spark_frame, csv_has_multiline_cells
    from policylang.cli import cli

    header = "claim_id,note\n"
    clean = tmp_path / "clean.csv"
    clean.write_text(header + "".join(f'{i},"a ""quoted"" cell {i}"\n' for i in range(3000)), encoding="utf-8")
    spanning = tmp_path / "spanning.csv"
    spanning.write_text(header + "".join(f"{i},plain\n" for i in range(2999)) + '2999,"two\nlines"\n',
                        encoding="utf-8")
    assert not csv_has_multiline_cells(str(clean)) and csv_has_multiline_cells(str(spanning))
    before = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "16384")
    try:
        clean_frame, spanning_frame = _spark_frame(spark, str(clean), "csv"), _spark_frame(spark, str(spanning), "csv")
        assert clean_frame.rdd.getNumPartitions() > 1
        assert spanning_frame.rdd.getNumPartitions() == 1
        assert [r[0] for r in clean_frame.collect()] == [str(i) for i in range(3000)]
        assert spanning_frame.collect()[-1]["note"] == "two\nlines"
        # the whole run: Spark's part files, in name order, hold the rows in the file's order
        policy = SEEDS["cn/gd/stent-2020"]
        # hostile rows, less those with a line break inside a cell (they make the file multiLine)
        rows = [r for r in sample_rows(policy, 500, seed=11)
                if not any("\n" in str(v) or "\r" in str(v) for v in r.values())][:400]
        columns = ["claim_id"] + sorted({k for r in rows for k in r})
        data = tmp_path / "claims.csv"
        with open(data, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(columns)
            for i, r in enumerate(rows):
                w.writerow([str(i)] + [r.get(c, "") for c in columns[1:]])
        assert len(rows) == 400 and not csv_has_multiline_cells(str(data))
        outputs = {}
        for engine in ("duckdb", "spark"):
            out = tmp_path / f"out-{engine}.csv"
            result = CliRunner().invoke(cli, ["run", "cn/gd/stent-2020", "--data", str(data), "--out", str(out),
                                              "--engine", engine, "--as-of", "2021-03-01", "--root", str(POLICIES),
                                              "--blank", "nonselected_payment_cap=1500", "--continue-on-error"])
            assert result.exit_code == 0, result.output
            files = [out] if engine == "duckdb" else sorted(out.glob("part-*.csv"))
            if engine == "spark":
                assert len(files) > 1
            records = []
            for f in files:
                with open(f, encoding="utf-8", newline="") as fh:
                    records += [{k: v or None for k, v in rec.items()} for rec in csv.DictReader(fh)]
            outputs[engine] = records
        assert [r["claim_id"] for r in outputs["spark"]] == [str(i) for i in range(400)]
        differ = [(a["claim_id"], k, a[k], b.get(k)) for a, b in zip(outputs["duckdb"], outputs["spark"]) for k in a
                  if a[k] != b.get(k)]
        assert not differ, differ[:5]
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", before)


def test_run_on_spark_writes_an_output_whose_name_holds_glob_characters(spark, tmp_path):
    """The query's result is staged beside the output and read back from there: a name such as
    out-local[1].csv is read as it is written, not as a glob pattern (a run failed on it)."""
    from click.testing import CliRunner

    from policylang.cli import cli

    data = tmp_path / "claims.csv"
    data.write_text("claim_id,selected,selected_price,price\n1,true,500.00,500.00\n2,true,600.00,600.00\n",
                    encoding="utf-8")
    out = tmp_path / "out-local[1].csv"
    result = CliRunner().invoke(cli, ["run", "cn/gd/stent-2020", "--data", str(data), "--out", str(out),
                                      "--engine", "spark", "--as-of", "2021-03-01", "--root", str(POLICIES),
                                      "--blank", "nonselected_payment_cap=1500", "--continue-on-error"])
    assert result.exit_code == 0, result.output
    assert "2 rows" in result.output
    parts = sorted(p for p in out.iterdir() if p.name.startswith("part-"))  # glob() would read the [1] too
    with open(parts[0], encoding="utf-8") as fh:
        assert [r["claim_id"] for r in csv.DictReader(fh)] == ["1", "2"]
    assert not any(p.name.endswith("__pl_staging") for p in tmp_path.iterdir())  # the staging is removed


SPARK_DIVISIONS = """input a: money
input p: percent up to 300%
input d: decimal
decision of_product: money = a * p / 3
decision of_money: money = a / 3
decision of_wide: money = a * p * d / 3
decision over_decimal: money = a * p / d
decision over_percent: money = a / p
"""


def test_quotients_of_large_amounts_on_spark_equal_the_interpreter(spark, tmp_path):
    # Spark gives a quotient the integer digits its operands' types leave: with every dividend cast
    # to 16 integer digits and every divisor to 19, a product at 12 decimals over 3 failed the query
    # from 10^12 yuan and one at 24 decimals from 10^8. The operands are now cast to their ranges.
    from helpers import header, write_tree

    policy = resolve_tree(write_tree(tmp_path, {"cn/div": header("national", "2021-01-01") + SPARK_DIVISIONS}))["cn/div"]
    assert not policy.has_errors, policy
    rows = [{"a": a, "p": p, "d": d} for a, p, d in [
        ("100000000", "50%", "1.5"), ("10000000000", "50%", "1.5"), ("1000000000000", "50%", "1.5"),
        ("99999999999999.99", "50%", "1.5"), ("4833", "56%", "1.442"), ("9999999.99", "300%", "-999.999"),
        ("0.01", "0.0000000001", "-0.000000000001"), ("0.05", "50%", "0.3")]]
    as_of = dt.date(2022, 1, 1)
    got = evaluate_rows(policy, rows, as_of=as_of, engine="spark", columns=["a", "p", "d"], spark=spark)
    want = reference_rows(policy, rows, as_of=as_of)
    assert all(w["_error"] is None for w in want)
    assert_same(policy, rows, as_of, got, want)
