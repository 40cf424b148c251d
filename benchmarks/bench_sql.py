"""policylang run (compiled SQL on DuckDB) against a hand-written DuckDB query of the same rules,
end to end (read CSV, compute, write Parquet), on N rows of cn/gd/stent-2020 claims.

    python benchmarks/bench_sql.py [ROWS]   (default 1,000,000)

Prints seconds for each and the ratio (the target: compiled within 1.3x of hand-written)."""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(__file__), "..", "policies")
COLUMNS = ["claim_id", "selected", "selected_price", "lowest_purchase_price", "price", "reimbursement_ratio",
           "agreed_amount", "acceptance_date", "payment_date", "assessment_passed"]

HAND = """
COPY (
  SELECT *,
    CASE WHEN selected THEN selected_price WHEN lowest_purchase_price <= 7000 THEN lowest_purchase_price END
      AS listing_price,
    CASE WHEN selected THEN round(selected_price * 1.00, 2) ELSE least(price, 1500.00) END AS payment_standard,
    round(least(price, CASE WHEN selected THEN selected_price ELSE least(price, 1500.00) END)
          * reimbursement_ratio, 2) AS fund_pays,
    price - round(least(price, CASE WHEN selected THEN selected_price ELSE least(price, 1500.00) END)
          * reimbursement_ratio, 2) AS patient_pays,
    ceil(agreed_amount * 0.30 * 100) / 100 AS prepayment_min,
    last_day(acceptance_date + INTERVAL 1 MONTH) AS settlement_deadline,
    payment_date <= last_day(acceptance_date + INTERVAL 1 MONTH) AS settlement_on_time
  FROM read_csv('{data}', header = true, columns = {{'claim_id': 'BIGINT', 'selected': 'BOOLEAN',
    'selected_price': 'DECIMAL(18,2)', 'lowest_purchase_price': 'DECIMAL(18,2)', 'price': 'DECIMAL(18,2)',
    'reimbursement_ratio': 'DECIMAL(11,10)', 'agreed_amount': 'DECIMAL(18,2)', 'acceptance_date': 'DATE',
    'payment_date': 'DATE', 'assessment_passed': 'BOOLEAN'}})
) TO '{out}' (FORMAT parquet)
"""


def write_claims(path: str, rows: int) -> None:
    rng = random.Random(1)
    day0 = dt.date(2021, 1, 1)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(",".join(COLUMNS) + "\n")
        for i in range(rows):
            selected = rng.random() < 0.7
            sp = f"{rng.randint(300, 900)}.{rng.randint(0, 99):02d}"
            price = sp if selected else f"{rng.randint(500, 9000)}.{rng.randint(0, 99):02d}"
            acc = day0 + dt.timedelta(days=rng.randint(0, 700))
            pay = acc + dt.timedelta(days=rng.randint(0, 70))
            ratio = f"{rng.choice([0.7, 0.75, 0.8, 0.85, 0.9])}"
            fh.write(f"{i},{'true' if selected else 'false'},{sp},{price},{price},{ratio},"
                     f"{rng.randint(0, 10 ** 6)}.{rng.randint(0, 99):02d},{acc},{pay},"
                     f"{'true' if rng.random() < 0.9 else 'false'}\n")


def main() -> None:
    import duckdb

    from policylang.batch import load_policy, run_file

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    tmp = tempfile.mkdtemp()
    data = os.path.join(tmp, "claims.csv")
    write_claims(data, rows)
    policy = load_policy("cn/gd/stent-2020", ROOT)
    out = os.path.join(tmp, "hand.parquet")

    def cpu() -> float:
        t = os.times()
        return t.user + t.system

    start, c0 = time.perf_counter(), cpu()
    duckdb.connect().execute(HAND.format(data=data, out=out))
    hand, hand_cpu = time.perf_counter() - start, cpu() - c0
    start, c0 = time.perf_counter(), cpu()
    result = run_file(policy, data, os.path.join(tmp, "compiled.parquet"), as_of=dt.date(2022, 6, 1),
                      blanks={"nonselected_payment_cap": "1500"})
    compiled, compiled_cpu = time.perf_counter() - start, cpu() - c0
    print(f"rows: {rows:,} ({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})")
    print(f"hand-written DuckDB query:  {hand:7.2f} s  {rows / hand:12,.0f} rows/s  CPU {hand_cpu:6.2f} s")
    print(f"policylang run (DuckDB):    {compiled:7.2f} s  {rows / compiled:12,.0f} rows/s  CPU {compiled_cpu:6.2f} s  "
          f"(failed rows: {result.failed})")
    print(f"ratio compiled / hand-written: {compiled / hand:.2f} (wall), {compiled_cpu / hand_cpu:.2f} (CPU)")

if __name__ == "__main__":
    main()
