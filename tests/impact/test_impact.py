"""policylang impact: totals recomputed independently from the Python modules, row by row.

The reference is the generated Python module of each policy (compiled from the policy text, not
from the SQL), evaluated on every claim, its per-row amounts summed as Decimal. A sweep's values
are checked against modules compiled from policy files that set each value, so the variant the
impact builds (the param made a blank again, bound through the engine) is checked against what a
policy setting the value computes.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from decimal import Decimal

import pytest

from impact_support import AS_OF, make_tree, read_rows

from policylang.backends.pycodegen import compile_module
from policylang.backends.runner import evaluate_case
from policylang.batch import load_policy
from policylang.impact import ImpactError, money_decisions, scenarios_for, simulate, sweep


def reference(policy, rows, blanks=None):
    """Per money decision: the sum of the module's per-row values, the rows with a value, and the
    per-row values; plus the rows the module could not evaluate."""
    module = compile_module(policy)
    accepted = set(module.INPUTS)
    names = money_decisions(policy)
    sums = {n: Decimal(0) for n in names}
    per_row = {n: [] for n in names}
    failed = []
    for i, row in enumerate(rows, 1):
        case = {k: v for k, v in row.items() if k in accepted and v.strip() != ""}
        case.update(blanks or {})
        values, exc = evaluate_case(module, case, AS_OF, None, False)
        if exc is not None:
            failed.append(i)
        for n in names:
            v = values.get(n)
            per_row[n].append(None if v is None else Decimal(v))
            if v is not None:
                sums[n] += Decimal(v)
    return sums, per_row, failed


@pytest.fixture(scope="module")
def city(tree):
    return load_policy("cn/gd/foshan/stent-2020", tree)


@pytest.fixture(scope="module")
def province(tree):
    return load_policy("cn/gd/stent-2020", tree)


@pytest.fixture(scope="module")
def override(city, province, claims_csv, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("impact_override") / "invalid_rows.csv")
    result = simulate(scenarios_for(city, province), claims_csv, as_of=AS_OF, by=["city", "selected"],
                      invalid_out=out)
    return result, out


def test_city_override_totals_equal_the_python_modules(override, city, province, claims_csv):
    result, _ = override
    rows = read_rows(claims_csv)
    base_sums, base_rows, _ = reference(province, rows)
    city_sums, city_rows, _ = reference(city, rows)
    assert result.rows == len(rows)
    assert set(result.decisions) == {"listing_price", "payment_standard", "fund_pays", "patient_pays",
                                     "prepayment_min", "retained_surplus_max"}
    for name, d in result.decisions.items():
        c = d.comparisons[0]
        assert d.totals["s0"] == base_sums[name], name
        assert d.totals["s1"] == city_sums[name], name
        assert c.difference == city_sums[name] - base_sums[name]
        changed = sum(1 for a, b in zip(base_rows[name], city_rows[name]) if a != b)
        assert c.rows_changed == changed, name
    fund = result.decisions["fund_pays"].comparisons[0]
    # The city's 1500 yuan cap is below most cities' own: the fund pays less, patients more.
    assert fund.difference < 0 and fund.rows_changed > 0
    assert result.decisions["patient_pays"].comparisons[0].difference == -fund.difference
    assert result.decisions["listing_price"].comparisons[0].rows_changed == 0
    # Every per-row difference is in the histogram, once.
    assert sum(n for _, _, n in fund.histogram) == fund.rows_changed - fund.became_none - fund.became_value
    diffs = [b - a for a, b in zip(base_rows["fund_pays"], city_rows["fund_pays"])
             if a is not None and b is not None and a != b]
    assert fund.distribution["min"] == min(diffs) and fund.distribution["max"] == max(diffs)
    assert fund.increased + fund.decreased == len(diffs)


def test_breakdowns_add_up_and_top_rows_explain(override, claims_csv):
    result, _ = override
    fund = result.decisions["fund_pays"].comparisons[0]
    for column in ("city", "selected"):
        groups = fund.breakdowns[column]
        assert sum(g["rows"] for g in groups) == result.rows
        assert sum(g["difference"] for g in groups) == fund.difference
        assert sum(g["changed"] for g in groups) == fund.rows_changed
    selected = {g["value"]: g for g in fund.breakdowns["selected"]}
    assert selected["true"]["changed"] == 0  # the cap is for non-selected stents only
    assert fund.top and len(fund.top) <= 20
    rows = read_rows(claims_csv)
    biggest = fund.top[0]
    assert abs(biggest["diff"]) == max(abs(t["diff"]) for t in fund.top)
    assert biggest["claim_id"] == rows[biggest["row"] - 1]["claim_id"]
    assert rows[biggest["row"] - 1]["selected"] == "false"
    assert biggest["rule_b"] and "cn/gd/foshan/stent-2020" not in (biggest["rule_a"] or "")


def test_invalid_rows_are_counted_and_listed(override, city, province, claims_csv):
    result, invalid_path = override
    rows = read_rows(claims_csv)
    for key, policy in (("s0", province), ("s1", city)):
        _, _, failed = reference(policy, rows)
        inv = result.invalid[key]
        assert failed and inv["rows"] == len(failed)
        assert sum(r[3] for r in inv["by_reason"]) == len(failed)
        assert [r["row"] for r in inv["listed"]] == failed[:len(inv["listed"])]
        assert all(r["message"] for r in inv["listed"])
    with open(invalid_path, encoding="utf-8", newline="") as fh:
        listed = list(csv.DictReader(fh))
    assert len(listed) == result.invalid["s0"]["rows"] + result.invalid["s1"]["rows"]
    assert {r["claim_id"] for r in listed} <= {r["claim_id"] for r in rows}


def test_sweep_of_the_city_cap_equals_modules_of_policies_setting_each_value(city, claims_csv, tmp_path):
    values = ["1000", "2000", "2500.50"]
    result = simulate(sweep(city, "nonselected_payment_cap", values), claims_csv, as_of=AS_OF,
                      swept="nonselected_payment_cap")
    rows = read_rows(claims_csv)
    base_sums, _, _ = reference(city, rows)
    fund = result.decisions["fund_pays"]
    assert fund.totals["s0"] == base_sums["fund_pays"]
    for i, value in enumerate(values, 1):
        policy = load_policy("cn/gd/foshan/stent-2020", make_tree(tmp_path / f"cap{i}", value))
        sums, _, _ = reference(policy, rows)
        for name, d in result.decisions.items():
            assert d.totals[f"s{i}"] == sums[name], (value, name)
            assert d.comparisons[i - 1].difference == sums[name] - base_sums[name]
    # A higher cap: the fund pays more.
    assert fund.totals["s1"] < fund.totals["s0"] < fund.totals["s2"] < fund.totals["s3"]


def test_sweep_of_a_blank_binds_it_for_every_row(province, claims_csv):
    result = simulate(sweep(province, "nonselected_payment_cap", ["1200"]), claims_csv, as_of=AS_OF)
    rows = read_rows(claims_csv)
    sums, _, _ = reference(province, rows, {"nonselected_payment_cap": "1200"})
    assert result.decisions["payment_standard"].totals["s1"] == sums["payment_standard"]


def test_bad_arguments_are_errors_not_tracebacks(city, province, claims_csv):
    with pytest.raises(ImpactError, match="no such column"):
        simulate(scenarios_for(city, province), claims_csv, as_of=AS_OF, by=["no_such_column"])
    with pytest.raises(ImpactError, match="not a param or blank"):
        sweep(city, "no_such_param", ["1"])
    with pytest.raises(ImpactError, match="nonselected_payment_cap=abc"):
        sweep(city, "nonselected_payment_cap", ["abc"])


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "policylang", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_cli_writes_the_report_files(tree, claims_csv, tmp_path):
    out = tmp_path / "report"
    done = _cli("impact", "cn/gd/foshan/stent-2020", "--root", tree, "--data", claims_csv, "--as-of", "2021-06-01",
                "--by", "city,selected", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "fund_pays: cn/gd/stent-2020" in done.stderr and "rows could not be evaluated" in done.stderr
    data = json.loads((out / "impact.json").read_text(encoding="utf-8"))
    assert data["synthetic"] is True and "not real data" in data["synthetic_note"]
    assert data["baseline"] == "cn/gd/stent-2020" and data["by"] == ["city", "selected"]
    fund = data["decisions"]["fund_pays"]
    assert Decimal(fund["totals"]["s1"]) - Decimal(fund["totals"]["s0"]) == Decimal(fund["comparisons"][0]["difference"])
    with open(out / "totals.csv", encoding="utf-8", newline="") as fh:
        totals = {(r["decision"], r["scenario"]): r for r in csv.DictReader(fh)}
    assert totals[("fund_pays", "s1")]["total"] == fund["totals"]["s1"]
    for name in ("index.html", "histogram.csv", "breakdown.csv", "top_rows.csv", "invalid.csv", "invalid_rows.csv"):
        assert (out / name).stat().st_size > 0, name
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "合成理赔数据" in page and '<html lang="zh">' in page and "cdn" not in page.lower().split("<script>")[0]


def test_cli_sweep_and_usage_errors(tree, claims_csv, tmp_path):
    out = tmp_path / "sweep"
    done = _cli("impact", "cn/gd/foshan/stent-2020", "--root", tree, "--data", claims_csv, "--as-of", "2021-06-01",
                "--set", "nonselected_payment_cap=1000,1500,2000", "--real", "-o", str(out))
    assert done.returncode == 0, done.stderr
    data = json.loads((out / "impact.json").read_text(encoding="utf-8"))
    assert data["swept"] == "nonselected_payment_cap" and data["synthetic"] is False
    assert [s["value"] for s in data["scenarios"]] == [None, "1000", "1500", "2000"]
    with open(out / "sweep.csv", encoding="utf-8", newline="") as fh:
        sweep_rows = [r for r in csv.DictReader(fh) if r["decision"] == "fund_pays"]
    assert [r["nonselected_payment_cap"] for r in sweep_rows] == ["1000", "1500", "2000"]
    assert sweep_rows[1]["difference"] == "0.00"  # 1500 is the city's own value
    for args, message in ((["--by", "nope"], "no such column"), (["--set", "cap"], "--set takes"),
                          (["--against", "cn/nm/spine-2023"], "not in the chain"),
                          (["--as-of", "June"], "--as-of")):
        bad = _cli("impact", "cn/gd/foshan/stent-2020", "--root", tree, "--data", claims_csv, *args,
                   "-o", str(tmp_path / "bad"))
        assert bad.returncode == 2 and message in bad.stderr and "Traceback" not in bad.stderr, (args, bad.stderr)


def test_cli_usage_errors_in_chinese_say_it_in_chinese(tree, city, claims_csv, tmp_path):
    # The impact's own errors (an unknown column or param, a baseline outside the chain, a bad
    # swept value) are told in Chinese under --lang zh, not passed through in English.
    from zh_text import foreign

    columns = read_rows(claims_csv)[0].keys()
    for args, message in ((["--by", "nope"], "中没有这一列"), (["--set", "no_such_param=1"], "不是 cn/gd/foshan/stent-2020 的参数"),
                          (["--against", "cn/nm/spine-2023"], "不在 cn/gd/foshan/stent-2020 的上下级链中"),
                          (["--set", "nonselected_payment_cap=abc"], "应为金额")):
        bad = _cli("impact", "cn/gd/foshan/stent-2020", "--root", tree, "--data", claims_csv, *args, "--lang", "zh",
                   "-o", str(tmp_path / "bad"))
        assert bad.returncode == 2 and message in bad.stderr, (args, bad.stderr)
        # the command's and the file's own names stay as they are typed
        typed = [*columns, "nope", "no_such_param", "abc", "impact", r"--\w+", r"\S+\.csv"]
        assert foreign(bad.stderr, names=city.params, extra=[rf"(?<![\w-]){re.escape(t) if t.isidentifier() else t}(?!\w)"
                                          for t in typed]) == [], bad.stderr
