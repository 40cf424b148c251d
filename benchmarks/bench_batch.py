"""Batch evaluation of claims files, side by side on the same synthetic data (prints figures; not a test).

Run: python benchmarks/bench_batch.py [--rows 1000000,10000000] [--work DIR] [--skip openfisca,spark]

For each size, a synthetic stent claims file (policylang/claims.py, seed 1; made-up data) is written
once to WORK, then each entry reads it, computes the cn/gd/stent-2020 decisions and writes CSV:

- duckdb-hand: a hand-written DuckDB query of the same rules (DECIMAL money, the declared roundings);
- duckdb-hand-validated: the same over each cell's text, taken only where it is canonical (the cast
  value's own rendering) and an `_error` where a present cell is not: the floor of exact validation;
- duckdb-hand-validated-wide: the same with the products taken at DECIMAL(38, s), so that no amount
  overflows (the two above stop with an overflow error on a claim of about 1.1 million yuan);
- eval: `policylang eval --format csv` streaming (one worker per CPU);
- sql-duckdb-norules, sql-duckdb, spark-local[1], spark-local[2]: `policylang run` with the compiled
  SQL (without and with the `<decision>__rule` columns; the first writes the columns the hand-written
  query writes, plus the four empty error columns), when this checkout has it; skipped otherwise;
- openfisca: OpenFisca-Core, vectorized, in its own virtual environment built here from the package
  registry (WORK/openfisca-venv), with a faithful model of the same rules in its float32 variables;
  the script reports how many fund_pays differ from policylang's exact ones at the fen.

Each entry runs in a fresh process; figures: wall seconds, rows per second, CPU seconds (user+sys of
the process tree) and peak memory: the largest sum over the process tree of each process's
proportional set size (PSS, /proc/PID/smaps_rollup: shared pages counted once, so forked workers
are not double-counted), sampled every 50 ms, and the largest single process's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)

from policylang import claims  # noqa: E402

POLICY = "cn/gd/stent-2020"
AS_OF = "2021-06-01"
KEEP = ",".join(claims.STENT_CONTEXT)
DECISIONS = ("listing_allowed", "listing_price", "payment_standard", "fund_pays", "patient_pays", "prepayment_min",
             "settlement_deadline", "settlement_on_time", "retained_surplus_max")

def _rules(p: str, extra: str = "", wide: bool = False) -> str:
    """The rules' CTEs after `c` and the written columns, over values named `{p}price`, … (the two
    hand-written queries below state the same rules: over typed columns, and over validated text).
    wide: the products taken at DECIMAL(38, s), as `run` takes them, so that no amount a money column
    holds (16 digits) overflows; without it DuckDB multiplies two DECIMAL(18, s) in 64 bits and stops
    the whole query with an overflow error once a product passes 18 digits (a price of about
    1.1 million yuan times an 85% ratio at 10 decimals)."""
    w = (lambda e: f"CAST({e} AS DECIMAL(38, 2))") if wide else (lambda e: e)
    return f"""  ), s AS (
    SELECT *,
      CASE WHEN {p}selected THEN {p}selected_price
           WHEN {p}lowest_purchase_price <= 7000 AND {p}in_fund_scope THEN least({p}price, {p}nonselected_payment_cap)
      END AS payment_standard
    FROM c
  ), f AS (
    SELECT *, CASE WHEN payment_standard IS NOT NULL THEN round({w(f"least({p}price, payment_standard)")} * ratio, 2) END
      AS fund_pays FROM s
  )
  SELECT claim_id, city, hospital, month, insurance_type, product, selected, selected_price, price, in_fund_scope,
    lowest_purchase_price, reimbursement_ratio, agreed_amount, acceptance_date, payment_date, fund_savings,
    nonselected_payment_cap, retention_ratio,
    CASE WHEN {p}selected THEN true WHEN {p}lowest_purchase_price <= 7000 THEN true ELSE false END AS listing_allowed,
    CASE WHEN {p}selected THEN {p}selected_price WHEN {p}lowest_purchase_price <= 7000 THEN {p}lowest_purchase_price END
      AS listing_price,
    payment_standard, fund_pays, {p}price - fund_pays AS patient_pays,
    CAST(ceil({w(f"{p}agreed_amount")} * 30) AS DECIMAL(18, 0)) * 0.01 AS prepayment_min,
    last_day({p}acceptance_date + INTERVAL 1 MONTH) AS settlement_deadline,
    {p}payment_date <= last_day({p}acceptance_date + INTERVAL 1 MONTH) AS settlement_on_time,
    -- the claims have no assessment_passed: the maximum is none, as in the policy; computed anyway
    CASE WHEN false THEN CAST(floor({w(f"{p}fund_savings")} * retention * 100) AS DECIMAL(18, 0)) * 0.01 END
      AS retained_surplus_max{extra}
  FROM f
) TO '{{out}}' (HEADER, DELIMITER ',')
"""


# The rules of cn/stent-2020 as Guangdong adopts them, by hand, in DuckDB, writing what `policylang run
# --no-rules` writes (the claims' columns, then the decisions; no validation of inputs, no rule or error
# columns). No payment standard, so no
# fund payment, for a non-selected stent not listed or outside the fund's scope): money DECIMAL(18,2), the
# fund's share half up at the fen (DuckDB's round of a DECIMAL is half away from zero, the same for
# amounts that are never negative), the prepayment minimum up, the retention maximum down, the
# deadline the last day of the month after acceptance.
HAND_SQL = """
COPY (
  WITH c AS (
    SELECT *,
      CAST(replace(reimbursement_ratio, '%', '') AS DECIMAL(7, 2)) * 0.01 AS ratio,
      CAST(replace(retention_ratio, '%', '') AS DECIMAL(7, 2)) * 0.01 AS retention
    FROM read_csv('{src}', header = true, columns = {{
      'claim_id': 'VARCHAR', 'city': 'VARCHAR', 'hospital': 'VARCHAR', 'month': 'VARCHAR',
      'insurance_type': 'VARCHAR', 'product': 'VARCHAR', 'selected': 'BOOLEAN',
      'selected_price': 'DECIMAL(18,2)', 'price': 'DECIMAL(18,2)', 'in_fund_scope': 'BOOLEAN',
      'lowest_purchase_price': 'DECIMAL(18,2)',
      'reimbursement_ratio': 'VARCHAR', 'agreed_amount': 'DECIMAL(18,2)', 'acceptance_date': 'DATE',
      'payment_date': 'DATE', 'fund_savings': 'DECIMAL(18,2)', 'nonselected_payment_cap': 'DECIMAL(18,2)',
      'retention_ratio': 'VARCHAR'}})
""" + _rules("")

# The floor of exact validation, by hand: the same rules over the text of each cell (read as VARCHAR,
# as `run` reads it), each number, date and boolean taken only when its text is what the cast value
# renders (498.00, 2021-06-01, true: canonical text, which the Python module reads as it stands) and
# `_error` set when a present cell is not; the rows with other text (which the Python module may still
# read, e.g. " 12.50 ") are flagged, not read as it would read them, so this is a lower bound of what
# full validation costs, not the same result on hostile rows.
_MONEY = ("selected_price", "price", "lowest_purchase_price", "agreed_amount", "fund_savings", "nonselected_payment_cap")


def _canon(col: str, typ: str) -> str:
    return f"CASE WHEN CAST(TRY_CAST({col} AS {typ}) AS VARCHAR) = {col} THEN TRY_CAST({col} AS {typ}) END"


HAND_VALIDATED_SQL = """
COPY (
  WITH t AS (SELECT * FROM read_csv('{src}', header = true, all_varchar = true)
  ), v AS (
    SELECT *,
      """ + ",\n      ".join(f"{_canon(m, 'DECIMAL(18,2)')} AS v_{m}" for m in _MONEY) + """,
      CASE WHEN selected IN ('true', 'false') THEN selected = 'true' END AS v_selected,
      CASE WHEN in_fund_scope IN ('true', 'false') THEN in_fund_scope = 'true' END AS v_in_fund_scope,
      CASE WHEN regexp_full_match(reimbursement_ratio, '[0-9]{{1,3}}(\\.[0-9]{{1,8}})?%')
        THEN CAST(replace(reimbursement_ratio, '%', '') AS DECIMAL(11, 8)) * 0.01 END AS ratio,
      CASE WHEN regexp_full_match(retention_ratio, '[0-9]{{1,3}}(\\.[0-9]{{1,8}})?%')
        THEN CAST(replace(retention_ratio, '%', '') AS DECIMAL(11, 8)) * 0.01 END AS retention,
      """ + _canon("acceptance_date", "DATE") + """ AS v_acceptance_date,
      """ + _canon("payment_date", "DATE") + """ AS v_payment_date
    FROM t
  ), c AS (
    SELECT *, CASE WHEN """ + " OR ".join(
        f"(v_{m} IS NULL AND coalesce({m}, '') <> '')" for m in
        (*_MONEY, "selected", "in_fund_scope", "acceptance_date", "payment_date")) + """
        OR (ratio IS NULL AND coalesce(reimbursement_ratio, '') <> '')
        OR (retention IS NULL AND coalesce(retention_ratio, '') <> '') THEN 'invalid_input' END AS _error
    FROM v
"""
HAND_VALIDATED_SQL, HAND_VALIDATED_WIDE_SQL = (HAND_VALIDATED_SQL + _rules("v_", ",\n    _error"),
                                               HAND_VALIDATED_SQL + _rules("v_", ",\n    _error", wide=True))

DUCKDB_SCRIPT = """
import duckdb, sys
con = duckdb.connect()
con.execute("SET threads = {threads}")
con.execute(open(sys.argv[1], encoding="utf-8").read())
"""

# OpenFisca: the same rules as variables of one entity (a claim), float32 as OpenFisca's float
# variables are, rounding with numpy (half to even on binary floats).
OPENFISCA_MODEL = '''
import datetime, sys, time
import numpy as np
import pandas as pd
from openfisca_core.entities import build_entity
from openfisca_core.periods import YEAR
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

Claim = build_entity(key="claim", plural="claims", label="A stent claim", is_person=True)


def _input(name, kind):
    return type(name, (Variable,), {"value_type": kind, "entity": Claim, "definition_period": YEAR,
                                    "label": name})


def _formula(name, kind, function):
    return type(name, (Variable,), {"value_type": kind, "entity": Claim, "definition_period": YEAR,
                                    "label": name, "formula": function})


NONSELECTED_LISTING_CAP = 7000
PREPAYMENT_RATIO = 0.30

VARIABLES = [
    _input("selected", bool), _input("selected_price", float), _input("price", float),
    _input("lowest_purchase_price", float), _input("reimbursement_ratio", float), _input("agreed_amount", float),
    _input("nonselected_payment_cap", float), _input("acceptance_date", datetime.date), _input("payment_date", datetime.date),
    _formula("listing_allowed", bool, lambda c, p: c("selected", p) | (c("lowest_purchase_price", p) <= NONSELECTED_LISTING_CAP)),
    _formula("listing_price", float, lambda c, p: np.where(c("selected", p), c("selected_price", p),
             np.where(c("lowest_purchase_price", p) <= NONSELECTED_LISTING_CAP, c("lowest_purchase_price", p), np.nan))),
    _formula("payment_standard", float, lambda c, p: np.where(c("selected", p), np.round(c("selected_price", p) * 1.0, 2),
             np.minimum(c("price", p), c("nonselected_payment_cap", p)))),
    _formula("fund_pays", float, lambda c, p: np.round(np.minimum(c("price", p), c("payment_standard", p))
             * c("reimbursement_ratio", p), 2)),
    _formula("patient_pays", float, lambda c, p: c("price", p) - c("fund_pays", p)),
    _formula("prepayment_min", float, lambda c, p: np.ceil(c("agreed_amount", p) * PREPAYMENT_RATIO * 100) / 100),
    _formula("settlement_deadline", datetime.date, lambda c, p: (c("acceptance_date", p).astype("datetime64[M]") + 2)
             .astype("datetime64[D]") - np.timedelta64(1, "D")),
    _formula("settlement_on_time", bool, lambda c, p: c("payment_date", p) <= c("settlement_deadline", p)),
]

system = TaxBenefitSystem([Claim])
for variable in VARIABLES:
    system.add_variable(variable)

source, out = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
data = pd.read_csv(source, dtype={"claim_id": str, "selected": str}, keep_default_na=False)
n = len(data)
builder = SimulationBuilder()
builder.create_entities(system)
builder.declare_person_entity("claim", data["claim_id"].to_numpy())
sim = builder.build(system)
money = lambda col: pd.to_numeric(data[col].replace("", "0")).to_numpy()
sim.set_input("selected", "2021", (data["selected"] == "true").to_numpy())
for col in ("selected_price", "price", "lowest_purchase_price", "agreed_amount", "nonselected_payment_cap"):
    sim.set_input(col, "2021", money(col))
sim.set_input("reimbursement_ratio", "2021", pd.to_numeric(data["reimbursement_ratio"].str.rstrip("%")).to_numpy() / 100)
for col in ("acceptance_date", "payment_date"):
    sim.set_input(col, "2021", data[col].to_numpy().astype("datetime64[D]"))
t1 = time.perf_counter()
results = {name: sim.calculate(name, "2021") for name in
           ("listing_allowed", "listing_price", "payment_standard", "fund_pays", "patient_pays", "prepayment_min",
            "settlement_deadline", "settlement_on_time")}
t2 = time.perf_counter()
frame = pd.DataFrame({"claim_id": data["claim_id"], **results})
frame.to_csv(out, index=False, float_format="%.2f")
t3 = time.perf_counter()
print(f"openfisca: read {t1 - t0:.2f} s, compute {t2 - t1:.3f} s ({n / (t2 - t1):,.0f} records/s), write {t3 - t2:.2f} s;"
      f" fund_pays dtype {results['fund_pays'].dtype}", file=sys.stderr)
'''


# ---------------------------------------------------------------- measuring a process tree


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


_TICKS = os.sysconf("SC_CLK_TCK")


def _own_cpu(pid: int) -> float:
    """The user+sys seconds of the process itself (not of its children), from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def measure(argv: list[str], cwd: str = None, env: dict = None) -> dict:
    """Run argv: wall seconds, CPU seconds of the tree, peak PSS of the tree (MB), peak RSS of one process (MB).

    CPU: wait4's user+sys counts the process and the children it waited for, not a child that
    outlives its parent unwaited — PySpark's JVM (the gateway is ended, not waited for). So each
    process of the tree is also sampled (its own utime+stime, every 50 ms) and the larger of the two
    totals is reported: for Spark the sum of the samples (the JVM's last 50 ms are missed)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=cwd, env=env)
    peak = 0
    own: dict[int, float] = {}
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        tree, seen = [proc.pid], 0
        while seen < len(tree):
            tree += _children(tree[seen])
            seen += 1
        peak = max(peak, sum(_pss_kb(p) for p in tree))
        for p in tree:
            own[p] = max(own.get(p, 0.0), _own_cpu(p))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "status": proc.returncode, "peak_mb": peak / 1024, "rss_mb": usage.ru_maxrss / 1024,
            "cpu": max(usage.ru_utime + usage.ru_stime, sum(own.values())), "stderr": proc.stderr.read()}


# ---------------------------------------------------------------- the entries


def entries(work: str, source: str, skip: set, before: str = None) -> list[tuple]:
    """(name, command, output file, working directory, environment) of every entry this checkout can
    run; with `before` (another checkout, e.g. a `git worktree` of main), each `policylang run` entry
    and the `eval` entry also as `before:NAME`, run from that checkout's code and policies, right
    after its own."""
    python = sys.executable
    policylang = [python, "-m", "policylang"]
    out = [(name, argv, target, None, None) for name, argv, target in _entries(work, source, skip)]
    if before:
        before = os.path.abspath(before)
        env = dict(os.environ, PYTHONPATH=before)
        mine = os.path.join(REPO, "policies")
        twin = []
        for name, argv, target, cwd, _ in out:
            twin.append((name, argv, target, cwd, None))
            if name == "eval" or name.startswith(("sql-", "spark-")):
                root = argv.index("--root") + 1
                argv2 = [*argv[:root], os.path.join(before, "policies"), *argv[root + 1:]]
                target2 = target.replace("out-", "out-before-")
                argv2[argv2.index("-o" if name == "eval" else "--out") + 1] = target2
                twin.append((f"before:{name}", argv2, target2, before, env))
        out = twin
    return out


def _entries(work: str, source: str, skip: set) -> list[tuple[str, list[str], str]]:
    python = sys.executable
    policylang = [python, "-m", "policylang"]
    out = []
    sql_path = os.path.join(work, "hand.sql")
    hand_out = os.path.join(work, "out-duckdb-hand.csv")
    with open(sql_path, "w", encoding="utf-8") as fh:
        fh.write(HAND_SQL.format(src=source, out=hand_out))
    script = os.path.join(work, "duckdb_hand.py")
    with open(script, "w", encoding="utf-8") as fh:
        fh.write(DUCKDB_SCRIPT.format(threads=os.cpu_count() or 1))
    try:
        import duckdb  # noqa: F401

        out.append(("duckdb-hand", [python, script, sql_path], hand_out))
        validated_sql = os.path.join(work, "hand-validated.sql")
        validated_out = os.path.join(work, "out-duckdb-hand-validated.csv")
        with open(validated_sql, "w", encoding="utf-8") as fh:
            fh.write(HAND_VALIDATED_SQL.format(src=source, out=validated_out))
        out.append(("duckdb-hand-validated", [python, script, validated_sql], validated_out))
        wide_sql = os.path.join(work, "hand-validated-wide.sql")
        wide_out = os.path.join(work, "out-duckdb-hand-validated-wide.csv")
        with open(wide_sql, "w", encoding="utf-8") as fh:
            fh.write(HAND_VALIDATED_WIDE_SQL.format(src=source, out=wide_out))
        out.append(("duckdb-hand-validated-wide", [python, script, wide_sql], wide_out))
    except ImportError:
        print("duckdb-hand: skipped (pip install duckdb)")
    eval_out = os.path.join(work, "out-eval.csv")
    out.append(("eval", [*policylang, "eval", POLICY, "-i", source, "--as-of", AS_OF, "--keep", KEEP, "-f", "csv",
                         "-o", eval_out, "--root", os.path.join(REPO, "policies")], eval_out))
    run_help = subprocess.run([*policylang, "run", "--help"], capture_output=True, text=True)
    if run_help.returncode == 0:
        for engine, extra in (("duckdb", ["--no-rules"]), ("duckdb", []), ("spark", ["--master", "local[1]"]),
                              ("spark", ["--master", "local[2]"])):
            name = (("sql-duckdb-norules" if extra else "sql-duckdb") if engine == "duckdb"
                    else f"spark-{extra[1]}")
            if engine == "spark" and "spark" in skip:
                continue
            target = os.path.join(work, f"out-{name}.csv")
            out.append((name, [*policylang, "run", POLICY, "--data", source, "--out", target, "--engine", engine,
                               "--as-of", AS_OF, "--root", os.path.join(REPO, "policies"), *extra], target))
    else:
        print("sql-duckdb, spark: skipped (no `policylang run` in this checkout: the SQL backend is not merged)")
    if "openfisca" not in skip:
        venv = os.path.join(work, "openfisca-venv")
        vpython = os.path.join(venv, "bin", "python")
        if not os.path.exists(vpython) or subprocess.run([vpython, "-c", "import openfisca_core, pandas"]).returncode:
            print(f"openfisca: building {venv} (pip install openfisca-core pandas)", flush=True)
            subprocess.run([sys.executable, "-m", "venv", venv], check=True)
            subprocess.run([vpython, "-m", "pip", "install", "-q", "openfisca-core", "pandas"], check=True)
        model = os.path.join(work, "openfisca_stent.py")
        with open(model, "w", encoding="utf-8") as fh:
            fh.write(OPENFISCA_MODEL)
        of_out = os.path.join(work, "out-openfisca.csv")
        out.append(("openfisca", [vpython, model, source, of_out], of_out))
    return out


def _csv_files(path: str) -> list[str]:
    """A CSV file, or the part files of a directory as Spark writes one (in name order)."""
    import glob

    # the folder's name may hold glob's own characters (out-spark-local[1].csv): escaped, or it matches nothing
    files = sorted(glob.glob(os.path.join(glob.escape(path), "part-*.csv"))) if os.path.isdir(path) else [path]
    if not files:
        raise SystemExit(f"{path}: no part files")
    return files


def differences(exact_csv: str, other_csv: str) -> tuple[int, int, int]:
    """(rows whose fund_pays differs at the fen, rows with any decision column different, rows compared),
    rows matched by claim_id (Spark's part files need not keep the input's order). The cells are
    compared as text, in DuckDB: a join of two 10M-row files held as Python dicts took more than
    the machine's 24 GB; DuckDB's spills to disk."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    tables = {}
    for name, path in (("x", exact_csv), ("y", other_csv)):
        files = _csv_files(path)
        rel = con.read_csv(files, header=True, all_varchar=True)
        tables[name] = set(rel.columns)
        con.register(f"{name}_rows", rel)
    compared = [c for c in DECISIONS if c in tables["y"]]
    any_differ = " OR ".join(f"x.{c} IS DISTINCT FROM y.{c}" for c in compared) or "FALSE"
    missing, total, differ, any_count = con.execute(f"""
        SELECT count(*) FILTER (WHERE y.claim_id IS NULL), count(*),
               count(*) FILTER (WHERE x.fund_pays IS DISTINCT FROM y.fund_pays),
               count(*) FILTER (WHERE {any_differ})
        FROM x_rows x LEFT JOIN y_rows y ON x.claim_id = y.claim_id""").fetchone()
    if missing:
        raise SystemExit(f"{missing:,} claims of {exact_csv} are not in {other_csv}")
    return differ, any_count, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000", help="comma-separated sizes (default 1000000)")
    parser.add_argument("--work", default=os.path.join(REPO, "_policylang", "bench-batch"))
    parser.add_argument("--skip", default="", help="comma-separated: openfisca, spark")
    parser.add_argument("--only", default="", help="comma-separated entry names to run")
    parser.add_argument("--before", default=None, metavar="DIR",
                        help="another checkout (a git worktree of main): its `policylang run` and `eval` entries side by side")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    skip = {s for s in args.skip.split(",") if s}
    only = {s for s in args.only.split(",") if s}
    import platform

    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; data: {claims.SYNTHETIC_NOTE}"
          + ("; PYTHONDONTWRITEBYTECODE set: modules compiled from source in each process"
             if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""))
    for rows in [int(r) for r in args.rows.split(",")]:
        source = os.path.join(args.work, f"stent-{rows}.csv")
        if not os.path.exists(source):
            t = time.perf_counter()
            claims.write(source + ".part", "stent", rows, seed=1)
            os.replace(source + ".part", source)
            print(f"wrote {source} ({rows:,} rows) in {time.perf_counter() - t:.1f} s")
        print(f"\n{rows:,} rows ({os.path.getsize(source) / 1e6:.0f} MB CSV), {POLICY}, CSV in and out:")
        print(f"{'entry':<28}{'wall s':>9}{'rows/s':>12}{'CPU s':>9}{'peak MB':>9}{'max RSS MB':>11}  note")
        results = {}
        for name, argv, target, cwd, env in entries(args.work, source, skip, args.before):
            if only and name.split(":")[-1] not in only:
                continue
            m = measure(argv, cwd, env)
            note = "" if m["status"] == 0 else f"exit {m['status']}: {m['stderr'].strip().splitlines()[-1:]}"
            if name == "openfisca" and m["status"] == 0:
                note = m["stderr"].strip().splitlines()[-1]
            results[name] = target if m["status"] == 0 else None
            print(f"{name:<28}{m['wall']:>9.2f}{rows / m['wall']:>12,.0f}{m['cpu']:>9.1f}{m['peak_mb']:>9.0f}"
                  f"{m['rss_mb']:>11.0f}  load {os.getloadavg()[0]:.1f}  {note}", flush=True)
        exact = results.get("eval")
        if exact:
            for name, target in results.items():
                if target and name != "eval":
                    differ, any_differ, total = differences(exact, target)
                    print(f"{name} against policylang eval: fund_pays differs at the fen on {differ:,} of {total:,} rows"
                          f" ({differ / max(total, 1):.2%})" + ("" if name == "openfisca" else f"; some decision differs on {any_differ:,}"))


if __name__ == "__main__":
    main()
