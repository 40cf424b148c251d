"""Impact simulation: what an override (or a value of a param) costs, on a file of claims.

Every lower-level policy is a reform of its parent: `impact` evaluates a baseline and one or more
alternatives on the same claims through the batch engine (policylang.batch's SQL, on DuckDB or
Spark) and compares, per money decision, what each pays:

    from policylang.impact import simulate, scenarios_for
    scenarios = scenarios_for(policy, parent)                      # parent -> policy
    scenarios = sweep(policy, "nonselected_payment_cap", ["1000", "1500", "2000"])
    result = simulate(scenarios, "claims.csv", as_of=date(2021, 6, 1), by=["city", "selected"])
    result.decisions["fund_pays"].comparisons[0].difference      # an exact Decimal

- scenarios[0] is the baseline, the others the alternatives, each compared with the baseline;
- totals are the engine's DECIMAL sums of the per-row values (sums of fen, exact; fetched as
  Decimal): a row's value counts in a scenario's total when that scenario gives it one (a failed
  row, or a decision that is none, adds nothing and is counted apart);
- a row changed when both scenarios evaluated it (no error) and its values differ (a value that
  becomes none, or the other way, counts as changed and is counted apart too);
- invalid rows (rows a scenario could not evaluate: an invalid or missing input, a blank nobody
  filled) are counted by reason and listed (invalid_rows.csv, every one; the report shows the
  first, with the Python module's own message), never dropped silently;
- the aggregation (totals, distribution, histogram, breakdowns, the largest changes) is SQL
  over the engine's results, in DuckDB: on Spark the results are written to Parquet first;
- on DuckDB all the scenarios are one query that reads the claims once (each scenario's compiled
  query reads the one before it and passes its values on), its result one table with a row per
  claim; the rule that decided a value is computed only for the rows listed as the largest changes.

A sweep (`--set NAME=V1,V2`) evaluates the policy with the param or blank NAME given each value.
For a blank, the value is bound through the engine's `blanks` mapping, as `run --blank` does.
For a param the policy (or its parent) set, a variant of the resolved policy is made in which
NAME is a blank again (its value and schedule removed, everything else as resolved) and the
value is bound the same way: the SQL and the Python module are generated from the variant as
from any policy, so a swept value is computed by exactly the code a policy setting it would run.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
import time
from decimal import Decimal
from typing import Any, Mapping, Optional, Sequence

import attrs

from .batch import BatchError, ENGINES, _checked_blanks, _duckdb_source, input_format
from .semantics.model import ResolvedPolicy

ROW = "__pl_row"
TOP_ROWS = 20
LISTED_INVALID = 50
HISTOGRAM_BINS = 30


class ImpactError(BatchError):
    """The impact cannot be computed: bad arguments (an unknown column, param, value or chain)."""


@attrs.frozen
class Scenario:
    key: str  # s0, s1, ...: the scenario's name in tables and files
    label: str  # what it is: a policy id, or NAME=VALUE
    policy: ResolvedPolicy = attrs.field(repr=False, eq=False)
    blanks: dict = attrs.Factory(dict)
    value: Optional[str] = None  # the swept value, for a sweep


def chain_ids(policy: ResolvedPolicy) -> list[str]:
    return [link.policy_id for link in policy.chain]


def scenarios_for(policy: ResolvedPolicy, against: ResolvedPolicy,
                  blanks: Optional[Mapping[str, Any]] = None) -> list[Scenario]:
    """The baseline `against` (the parent, or another policy of the same chain) and `policy`."""
    if against.policy_id not in chain_ids(policy) and policy.policy_id not in chain_ids(against):
        raise ImpactError(f"{against.policy_id} is not in the chain of {policy.policy_id} "
                          f"({' -> '.join(chain_ids(policy))})",
                          f"{against.policy_id} 不在 {policy.policy_id} 的上下级链中（{' → '.join(chain_ids(policy))}）")
    return [Scenario("s0", against.policy_id, against, _bound(against, blanks)),
            Scenario("s1", policy.policy_id, policy, _bound(policy, blanks))]


def _bound(policy: ResolvedPolicy, blanks: Optional[Mapping[str, Any]]) -> dict:
    names = {b.name for b in policy.blanks}
    return {k: v for k, v in (blanks or {}).items() if k in names}


def variant_with_blank(policy: ResolvedPolicy, name: str) -> ResolvedPolicy:
    """POLICY with the param NAME a blank again (no value, no schedule): its value is then bound
    through the engine's blanks mapping like any unfilled blank's."""
    prm = policy.params.get(name)
    if prm is None:
        keyed = ", ".join(sorted(policy.keyed)) if name in policy.keyed else ""
        hint = f"; a keyed param is swept by key: {name}.KEY" if keyed else ""
        hint_zh = f"；按键取值的参数要按键扫描：{name}.键" if keyed else ""
        raise ImpactError(f"'{name}' is not a param or blank of {policy.policy_id}{hint}; its params: "
                          + ", ".join(sorted(policy.params)),
                          f"“{name}”不是 {policy.policy_id} 的参数或空白项{hint_zh}；它的参数有："
                          + "、".join(f"{policy.params[n].label}（{n}）" if getattr(policy.params[n], "label", None) else n
                                     for n in sorted(policy.params)))
    if prm.is_blank and prm.schedule is None:
        return policy
    params = dict(policy.params)
    params[name] = attrs.evolve(prm, value=None, schedule=None)
    return attrs.evolve(policy, params=params)


def sweep(policy: ResolvedPolicy, name: str, values: Sequence[str], baseline: Optional[ResolvedPolicy] = None,
          blanks: Optional[Mapping[str, Any]] = None) -> list[Scenario]:
    """The baseline (POLICY as it is, or `baseline`) and POLICY with NAME given each value."""
    if not values:
        raise ImpactError(f"--set {name}= needs at least one value", f"--set {name}= 至少要给一个取值")
    base = baseline or policy
    variant = variant_with_blank(policy, name)
    out = [Scenario("s0", base.policy_id, base, _bound(base, blanks))]
    for i, value in enumerate(values, 1):
        bound = _bound(variant, blanks)
        bound[name] = value
        try:
            _checked_blanks(variant, bound)
        except BatchError as exc:
            raise ImpactError(f"--set {name}={value}: {exc}", f"--set {name}={value}：{exc.zh}") from None
        out.append(Scenario(f"s{i}", f"{name}={value}", variant, bound, value))
    return out


# ---------------------------------------------------------------- results


@attrs.frozen
class Comparison:
    """One alternative against the baseline, for one money decision."""

    scenario: str  # the alternative's key
    total: Decimal
    baseline_total: Decimal
    difference: Decimal
    rows_compared: int  # rows both scenarios evaluated
    rows_changed: int
    became_none: int  # a value in the baseline, none in the alternative
    became_value: int
    increased: int
    decreased: int
    distribution: dict  # min, p01, p10, p50, p90, p99, max, mean of the non-zero per-row differences
    histogram: list  # [lower, upper, rows] of the non-zero per-row differences
    breakdowns: dict  # column -> [{value, rows, changed, baseline, total, difference}]
    top: list  # the rows with the largest changes (dicts)


@attrs.frozen
class DecisionImpact:
    name: str
    label: Optional[str]
    totals: dict  # scenario key -> Decimal
    valued: dict  # scenario key -> rows with a value
    comparisons: list  # Comparison, one per alternative


@attrs.frozen
class ImpactResult:
    scenarios: list
    rows: int
    decisions: dict  # name -> DecisionImpact (money decisions, in evaluation order)
    invalid: dict  # scenario key -> {"rows": n, "by_reason": [(code, reason, field, rows)], "listed": [...]}
    by: list
    data: str
    engine: str
    as_of: _dt.date
    seconds: float
    synthetic: bool
    swept: Optional[str] = None  # the param or blank swept


def money_decisions(policy: ResolvedPolicy) -> list[str]:
    return [n for n in policy.decision_order
            if getattr(policy.decisions[n].type, "kind", None) == "money"]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def simulate(scenarios: Sequence[Scenario], data: str, *, as_of: Optional[_dt.date] = None,
             by: Sequence[str] = (), engine: str = "duckdb", top: int = TOP_ROWS, synthetic: Optional[bool] = None,
             threads: Optional[int] = None, spark_master: Optional[str] = None,
             spark_conf: Optional[Mapping[str, str]] = None, workdir: Optional[str] = None,
             invalid_out: Optional[str] = None, swept: Optional[str] = None,
             timings: Optional[dict] = None) -> ImpactResult:
    """Evaluate every scenario on the claims in `data` and compare them (see the module docstring)."""
    import duckdb


    if engine not in ENGINES:
        raise ImpactError(f"unknown engine {engine!r}; choose duckdb or spark",
                          f"没有计算引擎“{engine}”；请选 duckdb 或 spark")
    if len(scenarios) < 2:
        raise ImpactError("an impact needs a baseline and at least one alternative",
                          "影响测算需要一个对照方案和至少一个比较方案")
    as_of = as_of or _dt.date.today()
    fmt = input_format(data)
    start = time.perf_counter()
    timings = timings if timings is not None else {}

    def lap(name: str, since: list = [start]) -> None:  # noqa: B006 - one clock per call of simulate
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - since[0]
        since[0] = now

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET enable_progress_bar = false")
    try:
        source = _duckdb_source(con, data, fmt)
        columns = list(source.columns)
        if ROW in columns or any(c.startswith("__pl") or ":" in c for c in columns):
            raise ImpactError(f"{data}: a column may not be called {ROW}, begin with __pl or hold a colon",
                              f"{data}：列名不能是 {ROW}，不能以 __pl 开头，也不能含冒号")
        missing = [c for c in by if c not in columns]
        if missing:
            raise ImpactError(f"--by {', '.join(missing)}: no such column in {data}; its columns: "
                              + ", ".join(columns),
                              f"--by {'、'.join(missing)}：{data} 中没有这一列；文件的列有：" + "、".join(columns))
        if synthetic is None:
            synthetic = _looks_synthetic(con, source, columns)
        source.create_view("__pl_src")
        names = [n for n in money_decisions(scenarios[-1].policy)
                 if all(n in s.policy.decisions for s in scenarios)]
        if engine == "duckdb":
            _evaluate_chained(con, scenarios, columns, names, as_of, fmt, lap)
        else:
            _evaluate_spark(con, scenarios, columns, names, as_of, fmt, workdir, spark_master, spark_conf, lap)
        rows = con.execute("SELECT count(*) FROM __pl_impact").fetchone()[0]
        # the claims' own order: rowid is the row's place in the table the one query filled
        con.execute(f"CREATE TEMP VIEW __pl_cases AS SELECT rowid + 1 AS {ROW}, * FROM __pl_impact")
        decisions = {}
        base = scenarios[0]
        context = [c for c in dict.fromkeys(["claim_id", *by]) if c in columns]
        for n in names:
            totals, valued = {}, {}
            got = con.execute("SELECT " + ", ".join(f"sum({_q(s.key + ':' + n)}), count({_q(s.key + ':' + n)})"
                                                    for s in scenarios) + " FROM __pl_impact").fetchone()
            for i, s in enumerate(scenarios):
                totals[s.key] = Decimal(got[2 * i] or 0).quantize(Decimal("0.01"))
                valued[s.key] = got[2 * i + 1]
            comparisons = [_compare(con, n, base, s, by, context, top, totals) for s in scenarios[1:]]
            label = scenarios[-1].policy.decisions[n].label
            decisions[n] = DecisionImpact(n, label, totals, valued, comparisons)
        _fill_rules(con, scenarios, columns, names, decisions, as_of, fmt)
        lap("comparing")
        invalid = {s.key: _invalid(con, s, columns, as_of) for s in scenarios}
        if invalid_out:
            _write_invalid(con, scenarios, columns, invalid_out)
        lap("invalid rows")
    except duckdb.Error as exc:
        raise ImpactError(f"the impact failed in DuckDB: {exc}", f"影响测算在 DuckDB 中失败：{exc}") from None
    finally:
        con.close()
    return ImpactResult(list(scenarios), rows, decisions, invalid, list(by), data, engine, as_of,
                        time.perf_counter() - start, bool(synthetic), swept)


def _looks_synthetic(con, source, columns) -> bool:
    """Claims written by `policylang claims`: only the generator's columns, and its claim ids (S or P and nine digits). `--synthetic` says so for other files."""
    import re

    from . import claims

    for kind in claims.KINDS:
        if "claim_id" in columns and set(columns) <= set(claims.COLUMNS[kind]):
            first = source.limit(1).fetchall()
            prefix = "S" if kind == "stent" else "P"
            cid = first[0][list(columns).index("claim_id")] if first else None
            return bool(re.fullmatch(prefix + r"[0-9]{9}", str(cid)))
    return False


ERRS = ("_error", "_error_reason", "_error_field", "_error_decision")


def _evaluate_chained(con, scenarios, columns, names, as_of, fmt, lap) -> None:
    """Every scenario in one DuckDB query that reads the claims once: each scenario's compiled query
    reads the one before it (the claims' columns plus the values computed so far, KEY:decision and
    KEY:_error..., which it passes through), and the last fills __pl_impact, one row per claim in
    the file's order. The inputs are validated once, by the first scenario's query, when every
    scenario reads them alike (the same inputs, kinds and bounds: an override of a param, a sweep);
    the others read its validated columns. Rule columns are not computed here: only the largest
    changes show them (_fill_rules)."""
    from .backends.sql import compile_sql

    def chain(share: bool) -> Optional[list]:
        carried: list = []
        kept: list = []
        previous = "__pl_src"
        views = []
        signature = None
        for i, s in enumerate(scenarios):
            blanks = _checked_blanks(s.policy, s.blanks)
            query = compile_sql(s.policy, "duckdb", columns=columns + carried, blanks=blanks, as_of=as_of,
                                rule_columns=False, source=previous, empty_is_absent=fmt == "csv",
                                keep_validated=share, validated=signature if i else None)
            if share:
                if i == 0:
                    if query.validation is None:
                        return None
                    signature, kept = query.validation, list(query.validated_columns)
                elif not query.shared_validation or list(query.validated_columns) != kept:
                    return None  # this scenario reads its inputs otherwise: each validates its own
            outputs = set(query.output_columns())
            mine = [(n, f"{s.key}:{n}") for n in names if n in outputs] + [(e, f"{s.key}:{e}") for e in ERRS]
            last = i == len(scenarios) - 1
            select = [_q(c) for c in columns + carried] + [f"{_q(a)} AS {_q(b)}" for a, b in mine] \
                + ([] if last else [_q(c) for c in kept])
            views.append(f"CREATE TEMP VIEW __pl_chain{i} AS SELECT {', '.join(select)} "
                         f"FROM ({query.tree.sql(dialect='duckdb', copy=False)}) AS __pl_q")
            carried += [b for _, b in mine]
            previous = f"__pl_chain{i}"
        return views

    views = chain(True) or chain(False)
    for view in views:
        con.execute(view)
    lap("generating SQL")
    con.execute(f"CREATE TEMP TABLE __pl_impact AS SELECT * FROM __pl_chain{len(scenarios) - 1}")
    lap("evaluating (one query)")


def _evaluate_spark(con, scenarios, columns, names, as_of, fmt, workdir, master, conf, lap) -> None:
    """Each scenario on Spark over the same numbered rows (written to Parquet), its results read back
    and joined into __pl_impact, in the claims' order, as _evaluate_chained leaves it."""
    con.execute(f"CREATE TEMP TABLE __pl_numbered AS SELECT *, row_number() OVER () AS {ROW} FROM __pl_src")
    spark_dir = tempfile.mkdtemp(prefix="policylang-impact-", dir=workdir)
    con.execute(f"COPY __pl_numbered TO '{spark_dir}/cases.parquet' (FORMAT PARQUET)")
    lap("reading the claims")
    keep = list(names) + list(ERRS)
    select = [f"c.{_q(c)}" for c in columns]
    joins = []
    for s in scenarios:
        blanks = _checked_blanks(s.policy, s.blanks)
        path = _spark_scenario(s, f"{spark_dir}/cases.parquet", fmt, columns, blanks, as_of, keep, spark_dir, master,
                               conf)
        con.execute(f"CREATE TEMP TABLE {s.key} AS SELECT * FROM read_parquet('{path}/*.parquet')")
        present = {r[0] for r in con.execute(f"DESCRIBE {s.key}").fetchall()}
        select += [(f"{s.key}.{_q(n)}" if n in present else "NULL") + f" AS {_q(s.key + ':' + n)}" for n in keep]
        joins.append(f"JOIN {s.key} ON {s.key}.{ROW} = c.{ROW}")
        lap(f"evaluating {s.label}"[:28])
    con.execute(f"CREATE TEMP TABLE __pl_impact AS SELECT {', '.join(select)} FROM __pl_numbered c "
                f"{' '.join(joins)} ORDER BY c.{ROW}")


def _spark_scenario(s, data, fmt, columns, blanks, as_of, keep, spark_dir, master, conf) -> str:
    from .backends.sql import compile_sql
    from .batch import _spark_frame, spark_session
    from pyspark.sql import functions as F

    spark = spark_session(master, conf)
    frame = _spark_frame(spark, data, "parquet")
    frame.createOrReplaceTempView("__pl_cases")
    query = compile_sql(s.policy, "spark", columns=columns + [ROW], blanks=blanks, as_of=as_of, rule_columns=False,
                        source="__pl_cases", empty_is_absent=fmt == "csv")
    wanted = [ROW] + [c for c in keep if c in query.output_columns()]
    path = os.path.join(spark_dir, s.key)
    spark.sql(query.sql).select(*[F.col(f"`{c}`") for c in wanted]).write.mode("overwrite").parquet(path)
    return path


def _fill_rules(con, scenarios, columns, names, decisions, as_of, fmt) -> None:
    """The rule that decided each value of the largest changes: the scenarios' compiled queries with
    their rule columns, on those rows only (on DuckDB, whichever engine computed the totals)."""
    from .backends.sql import compile_sql

    wanted = sorted({t["row"] for d in decisions.values() for c in d.comparisons for t in c.top})
    if not wanted:
        return
    cols = ", ".join(_q(c) for c in columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE __pl_top AS SELECT {ROW}, {cols} FROM __pl_cases "
                f"WHERE {ROW} IN ({', '.join(str(int(r)) for r in wanted)})")
    rules = {}
    for s in scenarios:
        query = compile_sql(s.policy, "duckdb", columns=[ROW] + columns, blanks=_checked_blanks(s.policy, s.blanks),
                            as_of=as_of, rule_columns=True, source="__pl_top", empty_is_absent=fmt == "csv")
        outputs = set(query.output_columns())
        present = [n for n in names if f"{n}__rule" in outputs]
        if not present:
            continue
        got = con.execute(f"SELECT {ROW}, {', '.join(_q(n + '__rule') for n in present)} "
                          f"FROM ({query.tree.sql(dialect='duckdb')}) AS __pl_q").fetchall()
        for r in got:
            for n, v in zip(present, r[1:]):
                rules[(s.key, int(r[0]), n)] = v
    base = scenarios[0].key
    for n, d in decisions.items():
        for c in d.comparisons:
            for t in c.top:
                t["rule_a"] = rules.get((base, t["row"], n))
                t["rule_b"] = rules.get((c.scenario, t["row"], n))


def _compare(con, n: str, base: Scenario, alt: Scenario, by: Sequence[str], context: Sequence[str], top: int,
             totals: dict) -> Comparison:
    a, b = _q(f"{base.key}:{n}"), _q(f"{alt.key}:{n}")
    both_ok = f"({_q(base.key + ':_error')} IS NULL AND {_q(alt.key + ':_error')} IS NULL)"
    ctx = "".join(f", {_q(c)}" for c in context)
    con.execute(f"""CREATE OR REPLACE TEMP VIEW __pl_cmp AS
        SELECT {ROW} AS row_id, {a} AS va, {b} AS vb, {b} - {a} AS diff, {both_ok} AS compared,
               ({both_ok} AND {a} IS DISTINCT FROM {b}) AS changed{ctx}
        FROM __pl_cases""")
    (compared, changed, became_none, became_value, inc, dec) = con.execute("""SELECT
        count(*) FILTER (WHERE compared), count(*) FILTER (WHERE changed),
        count(*) FILTER (WHERE changed AND va IS NOT NULL AND vb IS NULL),
        count(*) FILTER (WHERE changed AND va IS NULL AND vb IS NOT NULL),
        count(*) FILTER (WHERE changed AND diff > 0), count(*) FILTER (WHERE changed AND diff < 0)
        FROM __pl_cmp""").fetchone()
    nonzero = "changed AND diff IS NOT NULL"
    dist = con.execute(f"""SELECT min(diff), quantile_disc(diff, 0.01), quantile_disc(diff, 0.1),
        quantile_disc(diff, 0.5), quantile_disc(diff, 0.9), quantile_disc(diff, 0.99), max(diff), sum(diff), count(diff)
        FROM __pl_cmp WHERE {nonzero}""").fetchone()
    keys = ("min", "p01", "p10", "p50", "p90", "p99", "max")
    distribution = {k: v for k, v in zip(keys, dist[:7])}
    distribution["mean"] = (Decimal(dist[7]) / dist[8]).quantize(Decimal("0.01")) if dist[8] else None
    histogram = _histogram(con, nonzero, dist[0], dist[6])
    breakdowns = {}
    for column in by:
        got = con.execute(f"""SELECT t.{_q(column)} AS value, count(*), count(*) FILTER (WHERE t.changed),
                coalesce(sum(t.va), 0), coalesce(sum(t.vb), 0)
            FROM __pl_cmp t
            GROUP BY 1 ORDER BY abs(coalesce(sum(t.vb), 0) - coalesce(sum(t.va), 0)) DESC, 1 NULLS LAST""").fetchall()
        breakdowns[column] = [{"value": v, "rows": r, "changed": ch, "baseline": sa, "total": sb,
                               "difference": sb - sa} for v, r, ch, sa, sb in got]
    extra = ", ".join(f"t.{_q(c)}" for c in context)
    listed = con.execute(f"""SELECT t.row_id, t.va, t.vb, t.diff, NULL AS rule_a, NULL AS rule_b{', ' + extra if extra else ''}
        FROM __pl_cmp t WHERE t.changed
        ORDER BY abs(coalesce(t.diff, 0)) DESC, t.va IS NULL, t.row_id LIMIT {int(top)}""")
    names = [d[0] for d in listed.description]
    top_rows = [dict(zip(names, r)) for r in listed.fetchall()]
    for r in top_rows:
        r["row"] = int(r.pop("row_id"))
    difference = totals[alt.key] - totals["s0"]
    return Comparison(alt.key, totals[alt.key], totals["s0"], difference, compared, changed, became_none,
                      became_value, inc, dec, distribution, histogram, breakdowns, top_rows)


def _nice_width(span: Decimal, bins: int) -> Decimal:
    """A bin width of 1, 2 or 5 times a power of ten (at least a fen) that covers span in `bins` bins."""
    raw = span / bins if span > 0 else Decimal("0.01")
    width = Decimal("0.01")
    while True:
        for m in (1, 2, 5):
            if width * m >= raw:
                return width * m
        width *= 10


def _histogram(con, where: str, lo, hi) -> list:
    if lo is None:
        return []
    lo, hi = Decimal(lo), Decimal(hi)
    width = _nice_width(hi - lo, HISTOGRAM_BINS)
    start = (lo / width).to_integral_value(rounding="ROUND_FLOOR") * width
    got = con.execute(f"""SELECT CAST(floor((diff - CAST(? AS DECIMAL(38, 2))) / CAST(? AS DECIMAL(38, 2))) AS BIGINT)
        AS bin, count(*) FROM __pl_cmp WHERE {where} GROUP BY 1 ORDER BY 1""", [str(start), str(width)]).fetchall()
    counts = dict(got)
    last = max(counts) if counts else 0
    return [[start + i * width, start + (i + 1) * width, counts.get(i, 0)] for i in range(last + 1)]


def _errors(key: str) -> tuple:
    return tuple(_q(f"{key}:{e}") for e in ERRS)


def _invalid(con, s: Scenario, columns, as_of) -> dict:
    from .batch import _Messages

    error, reason, field, decision = _errors(s.key)
    rows = con.execute(f"SELECT count(*) FROM __pl_impact WHERE {error} IS NOT NULL").fetchone()[0]
    by_reason = con.execute(f"""SELECT {error}, {reason}, {field}, count(*) FROM __pl_impact
        WHERE {error} IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3""").fetchall()
    listed = []
    if rows:
        messages = _Messages(s.policy, columns, as_of, s.blanks)
        inputs = ", ".join(f"CAST({_q(c)} AS VARCHAR)" for c in messages.inputs) or "NULL"
        cid = "claim_id" if "claim_id" in columns else "NULL"
        got = con.execute(f"""SELECT {ROW}, {cid}, {error}, {reason}, {field}, {decision}, {inputs}
            FROM __pl_cases WHERE {error} IS NOT NULL
            ORDER BY {ROW} LIMIT {LISTED_INVALID}""").fetchall()
        for r in got:
            values = list(r[6:6 + len(messages.inputs)]) if messages.inputs else []
            listed.append({"row": r[0], "claim_id": r[1], "code": r[2], "reason": r[3], "field": r[4],
                           "decision": r[5], "message": messages.message(values)})
    return {"rows": rows, "by_reason": [list(r) for r in by_reason], "listed": listed}


def _write_invalid(con, scenarios, columns, path: str) -> None:
    cid = "claim_id" if "claim_id" in columns else "NULL"
    parts = []
    for s in scenarios:
        error, reason, field, decision = _errors(s.key)
        parts.append(f"""SELECT '{s.key}' AS scenario, {ROW} AS row, {cid} AS claim_id,
            {error} AS code, {reason} AS reason, {field} AS field, {decision} AS decision
        FROM __pl_cases WHERE {error} IS NOT NULL""")
    escaped = path.replace("'", "''")
    con.execute(f"COPY ({' UNION ALL '.join(parts)} ORDER BY scenario, row) TO '{escaped}' (HEADER, DELIMITER ',')")
