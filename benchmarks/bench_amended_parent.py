"""Checking the cities below an amended province (prints figures; not a test).

Run: python benchmarks/bench_amended_parent.py [--cities 50,200]

A made-up tree: a national notice, a province, N cities (each tightening a floor and replacing a
bounded decision, so each is proved against the province) and, in the second run, an amending
notice of the province from a later date (a higher floor, a lower ceiling). Every city is then
checked against the province as written and, from the amendment's date, as amended (semantics/
checker.py: each check runs again on each version). Figures: seconds of a cold check (no cache),
the best of three, with and without the amendment, and the findings of each.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from policylang.pipeline import check  # noqa: E402

NATIONAL = """policy "国家"
level national
effective 2021-01-01
input amount: money
param ratio: percent floor 30% "预付比例"
decision pay: money ceiling "支付金额" = min(amount, 1000 yuan)
decision prepay: money floor "预付金额" = round(amount * ratio, fen, up)
"""
PROVINCE = """policy "省"
level provincial
region "某省"
effective 2021-03-01
extends cn/x
override param ratio: percent floor 40% "预付比例" because "本省"
"""
AMENDMENT = """policy "省修订"
level provincial
region "某省"
effective 2021-07-01
amends cn/p
override param ratio: percent floor 45% "预付比例" because "调整"
override decision pay: money ceiling "支付金额" = min(amount, 900 yuan)
"""
CITY = """policy "市{n}"
level municipal
region "某省某市{n}"
effective 2021-04-01
extends cn/p
override param ratio: percent floor {ratio}% "预付比例" because "本市"
override decision pay: money ceiling "支付金额" = min(amount, {cap} yuan)
"""


def write(root: str, files: dict) -> None:
    for pid, text in files.items():
        path = os.path.join(root, *pid.split("/")) + ".policy"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)


def run(cities: int, amended: bool) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "policies")
        files = {"cn/x": NATIONAL, "cn/p": PROVINCE}
        if amended:
            files["cn/p-amended"] = AMENDMENT
        for n in range(cities):
            # a third of the cities are within the province as written but not as amended
            files[f"cn/p/c{n}"] = CITY.format(n=n, ratio=42 if n % 3 == 0 else 50, cap=950 if n % 3 == 0 else 800)
        write(root, files)
        best, found = None, 0
        for _ in range(3):
            start = time.perf_counter()
            result = check([root], root, cache=False)
            took = time.perf_counter() - start
            best = took if best is None else min(best, took)
            found = sum(1 for d in result.diagnostics if d.severity == "error")
        return best, found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cities", default="50,200")
    args = parser.parse_args()
    print(f"{'cities':>7} {'as written s':>13} {'errors':>7} {'amended s':>10} {'errors':>7}")
    for cities in (int(c) for c in args.cities.split(",")):
        plain, plain_errors = run(cities, False)
        amended, amended_errors = run(cities, True)
        print(f"{cities:>7} {plain:>13.2f} {plain_errors:>7} {amended:>10.2f} {amended_errors:>7}")


if __name__ == "__main__":
    main()
