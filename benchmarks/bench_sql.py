"""policylang run (compiled SQL on DuckDB) against a hand-written DuckDB query of the same rules,
end to end (read CSV, compute, write CSV), on N synthetic cn/gd/stent-2020 claims (policylang
claims stent, seed 1: made-up data), both in this process, one after the other, twice each.

    python benchmarks/bench_sql.py [ROWS] [--data CSV] [--explain] [--threads N]

Prints wall and CPU seconds of each and the ratios (the target: compiled within 1.3x of
hand-written): `run --no-rules` writes the columns the hand-written query writes (the claims'
columns and the decisions, plus four empty error columns); with the `<decision>__rule` columns a
CSV row is about five times as long. --explain prints DuckDB's EXPLAIN ANALYZE of both queries (the operators' times).
The hand-written query is bench_batch.py's (DECIMAL(18,2) money, no validation of inputs)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)
sys.path.insert(0, HERE)

from bench_batch import AS_OF, HAND_SQL, POLICY  # noqa: E402

from policylang import claims  # noqa: E402


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def main() -> None:
    import duckdb

    from policylang.batch import load_policy, run_file

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--data", help="a claims CSV of policylang claims stent (default: written to --work)")
    parser.add_argument("--work", default=os.path.join(REPO, "_policylang", "bench-sql"))
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    data = args.data or os.path.join(args.work, f"stent-{args.rows}.csv")
    if not os.path.exists(data):
        claims.write(data + ".part", "stent", args.rows, seed=1)
        os.replace(data + ".part", data)
    rows = sum(1 for _ in open(data, encoding="utf-8")) - 1
    policy = load_policy(POLICY, os.path.join(REPO, "policies"))
    as_of = dt.date.fromisoformat(AS_OF)
    hand_out, compiled_out = os.path.join(args.work, "hand.csv"), os.path.join(args.work, "compiled.csv")
    hand_sql = HAND_SQL.format(src=data, out=hand_out)

    def hand():
        con = duckdb.connect()
        con.execute(f"SET threads = {args.threads}")
        con.execute(hand_sql)
        con.close()

    def compiled():
        return run_file(policy, data, compiled_out, as_of=as_of, threads=args.threads, rule_columns=False)

    def compiled_rules():
        return run_file(policy, data, compiled_out, as_of=as_of, threads=args.threads)

    print(f"rows: {rows:,} ({os.cpu_count()} cores, {args.threads} DuckDB threads, "
          f"load average {os.getloadavg()[0]:.1f}; {claims.SYNTHETIC_NOTE})")
    figures = {"hand": [], "compiled": [], "rules": []}
    failed = None
    for _ in range(args.repeat):
        for name, job in (("hand", hand), ("compiled", compiled), ("rules", compiled_rules)):
            start, c0 = time.perf_counter(), cpu()
            result = job()
            figures[name].append((time.perf_counter() - start, cpu() - c0))
            if result is not None:
                failed = result.failed
    for name, label in (("hand", "hand-written DuckDB query"), ("compiled", "policylang run --no-rules"),
                        ("rules", "policylang run (rule columns)")):
        wall, cpus = min(w for w, _ in figures[name]), min(c for _, c in figures[name])
        print(f"{label:<28}{wall:7.2f} s  {rows / wall:12,.0f} rows/s  CPU {cpus:6.2f} s"
              + (f"  (failed rows: {failed})" if name != "hand" else ""))
    hw, hc = (min(x[i] for x in figures["hand"]) for i in (0, 1))
    cw, cc = (min(x[i] for x in figures["compiled"]) for i in (0, 1))
    rw, rc = (min(x[i] for x in figures["rules"]) for i in (0, 1))
    print(f"ratio compiled --no-rules / hand-written (the same columns): {cw / hw:.2f} (wall), {cc / hc:.2f} (CPU);"
          f" with rule columns {rw / hw:.2f} (wall), {rc / hc:.2f} (CPU); best of {args.repeat}")
    if args.explain:
        from policylang.backends.sql import compile_sql
        con = duckdb.connect()
        con.execute(f"SET threads = {args.threads}")
        con.read_csv(data, all_varchar=True, header=True).create_view("__pl_cases")
        columns = [r[0] for r in con.execute("DESCRIBE __pl_cases").fetchall()]
        query = compile_sql(policy, "duckdb", columns=columns, as_of=as_of, source="__pl_cases",
                            empty_is_absent=True)
        for label, sql in (("hand-written", hand_sql.strip().removeprefix("COPY (").rsplit(") TO", 1)[0]),
                           ("compiled", query.sql)):
            plan = con.execute("EXPLAIN ANALYZE " + sql).fetchall()
            print(f"\n--- EXPLAIN ANALYZE, {label}\n" + "\n".join(r[1] for r in plan))


if __name__ == "__main__":
    main()
