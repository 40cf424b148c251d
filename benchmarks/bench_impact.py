"""Impact of one override on N synthetic claims (default 1,000,000): two evaluations and the comparison.

    python benchmarks/bench_impact.py [ROWS] [--threads N]

Writes N stent claims (`policylang claims stent`, seed 1: made-up data) once into a cache folder,
builds a policy tree of the repository's policies plus a city that sets the non-selected payment
cap Guangdong leaves to its cities (1500 yuan, the test fixture tests/impact/data), and times
`policylang.impact.simulate` of that city against Guangdong on DuckDB: loading the claims, the two
evaluations, and the comparison (totals, distribution, histogram, breakdowns by city and selected,
the largest changes, invalid rows), then the report files. Prints the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "policylang-bench-impact"))
    args = parser.parse_args()

    from policylang import claims
    from policylang.batch import load_policy
    from policylang.impact import scenarios_for, simulate
    from policylang.impact_report import write_report

    os.makedirs(args.cache, exist_ok=True)
    data = os.path.join(args.cache, f"stent-{args.rows}-seed1.csv")
    if os.path.exists(data):  # a file of an older generator (other columns) is written again
        with open(data, encoding="utf-8") as fh:
            if fh.readline().rstrip("\n").split(",") != list(claims.COLUMNS["stent"]):
                os.remove(data)
    if not os.path.exists(data):
        t = time.perf_counter()
        claims.write(data + ".part", "stent", args.rows, seed=1)
        os.replace(data + ".part", data)
        print(f"wrote {args.rows:,} synthetic claims in {time.perf_counter() - t:.1f} s -> {data}")
    tree = os.path.join(args.cache, "tree")
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "policies"), tree)
    os.makedirs(os.path.join(tree, "cn", "gd", "foshan"), exist_ok=True)
    with open(os.path.join(ROOT, "tests", "impact", "data", "foshan-stent-2020.policy"), encoding="utf-8") as fh:
        text = fh.read().replace("CAP", "1500")
    with open(os.path.join(tree, "cn", "gd", "foshan", "stent-2020.policy"), "w", encoding="utf-8") as fh:
        fh.write(text)
    t = time.perf_counter()
    city, province = load_policy("cn/gd/foshan/stent-2020", tree), load_policy("cn/gd/stent-2020", tree)
    loading = time.perf_counter() - t
    timings: dict = {}
    t, c0 = time.perf_counter(), sum(os.times()[:2])
    result = simulate(scenarios_for(city, province), data, as_of=dt.date(2021, 6, 1), by=["city", "selected"],
                      threads=args.threads, timings=timings)
    total, total_cpu = time.perf_counter() - t, sum(os.times()[:2]) - c0
    out = tempfile.mkdtemp(prefix="policylang-impact-report-")
    t = time.perf_counter()
    write_report(result, out)
    report = time.perf_counter() - t
    cpu = os.times()
    fund = result.decisions["fund_pays"].comparisons[0]
    print(f"rows: {result.rows:,}  (cn/gd/foshan/stent-2020 against cn/gd/stent-2020, DuckDB, "
          f"threads {args.threads or 'default'}, load average {os.getloadavg()[0]:.1f})")
    print(f"checking the two policies: {loading:.2f} s")
    for key, seconds in timings.items():
        print(f"  {key:<28} {seconds:7.2f} s")
    print(f"impact (two evaluations and the comparison): {total:.2f} s  -> {result.rows / total:,.0f} rows/s; "
          f"CPU (user+sys, all threads) {total_cpu:.1f} s")
    print(f"report files: {report:.2f} s")
    print(f"process CPU (user+sys): {cpu.user + cpu.system:.1f} s")
    print(f"invalid rows: {result.invalid['s0']['rows']:,} (baseline), {result.invalid['s1']['rows']:,} (city)")
    print(f"fund_pays: {fund.baseline_total} -> {fund.total} ({fund.difference}), {fund.rows_changed:,} rows changed")
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
