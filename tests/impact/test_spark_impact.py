"""`--engine spark`: the same numbered rows evaluated on Spark give the totals DuckDB gives.
Spark needs Java 17 (.ci/run installs it); without it the test is skipped, or fails under CI."""

from __future__ import annotations

import os
import shutil

import pytest

from impact_support import AS_OF

from policylang.batch import load_policy, spark_session
from policylang.impact import scenarios_for, simulate


def test_spark_totals_equal_duckdb(tree, tmp_path):
    if shutil.which("java") is None:
        message = "Spark needs Java 17 (java is not on PATH): install Debian's openjdk-17-jre-headless"
        if os.environ.get("POLICYLANG_CI"):
            pytest.fail(message)
        pytest.skip(message)
    from policylang import claims

    data = str(tmp_path / "claims.csv")
    claims.write(data, "stent", 300, seed=21, invalid=0.03)
    spark_session("local[2]", {"spark.sql.shuffle.partitions": "2"})
    city, province = load_policy("cn/gd/foshan/stent-2020", tree), load_policy("cn/gd/stent-2020", tree)
    on_duckdb = simulate(scenarios_for(city, province), data, as_of=AS_OF, by=["selected"])
    on_spark = simulate(scenarios_for(city, province), data, as_of=AS_OF, by=["selected"], engine="spark",
                        workdir=str(tmp_path))
    assert on_spark.engine == "spark" and on_spark.rows == 300
    for name, d in on_duckdb.decisions.items():
        s = on_spark.decisions[name]
        assert s.totals == d.totals, name
        assert s.comparisons[0].rows_changed == d.comparisons[0].rows_changed
        assert s.comparisons[0].breakdowns == d.comparisons[0].breakdowns
        assert [t["row"] for t in s.comparisons[0].top] == [t["row"] for t in d.comparisons[0].top]
    assert {k: v["rows"] for k, v in on_spark.invalid.items()} == {k: v["rows"] for k, v in on_duckdb.invalid.items()}
