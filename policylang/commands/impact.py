"""`policylang impact`: what an override (or a value of a param) changes, on a file of claims."""

from __future__ import annotations

import datetime as _dt
import os

import click

from .common import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, chosen_language, lang_option


def _fail(zh: bool, en_text: str, zh_text: str, status: int = EXIT_USAGE):
    click.echo(f"policylang impact：{zh_text}" if zh else f"policylang impact: {en_text}", err=True)
    raise SystemExit(status)


@click.command("impact")
@lang_option
@click.argument("policy")
@click.option("--data", "data", required=True, metavar="CLAIMS",
              help="The claims: CSV (.csv, a header row), JSON Lines (.jsonl) or Parquet (.parquet).")
@click.option("--against", "against", default=None, metavar="PARENT",
              help="The baseline: another policy of the same chain (default: POLICY's parent; with --set, POLICY "
                   "itself).")
@click.option("--set", "set_values", default=None, metavar="NAME=V1,V2,…",
              help="A sweep: evaluate POLICY with the param or blank NAME given each value (comma-separated), each "
                   "against the baseline.")
@click.option("--as-of", "as_of", default=None, metavar="DATE",
              help="The evaluation date, YYYY-MM-DD (default: today): schedules and as_of use it.")
@click.option("--by", "by", multiple=True, metavar="COLUMN",
              help="Break the results down by this column of the claims (repeatable; comma-separated too), e.g. "
                   "--by selected --by hospital --by month.")
@click.option("--blank", "blanks", multiple=True, metavar="NAME=VALUE",
              help="A value for a blank no level filled, for every row and every scenario (repeatable).")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
              metavar="ENGINE", help="Where the policies are evaluated: DuckDB (embedded) or Spark (local[*]). "
                                     "The comparison itself is DuckDB SQL either way.")
@click.option("--top", type=click.IntRange(min=0), default=20, show_default=True,
              help="How many of the rows with the largest changes to list, with the rules that decided them.")
@click.option("--synthetic/--real", "synthetic", default=None,
              help="Say in the report that the claims are synthetic (or real). Default: synthetic when the file is "
                   "one `policylang claims` wrote (its columns and claim ids).")
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False), metavar="DIR",
              help="Where the report is written: index.html (charts, no network needed), impact.json and CSV "
                   "files of the same figures, invalid_rows.csv.")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="The policy tree's root, where ids are looked up (default: ./policies).")
def impact_command(policy, data, against, set_values, as_of, by, blanks, engine, top, synthetic, out_dir, root):
    """Evaluate POLICY and its parent (or --against another policy of its chain, or a sweep of
    --set values) on the same claims and report, per money decision, the totals under each
    (exact sums of fen), the difference, the rows changed, the distribution of the per-row
    differences, breakdowns --by columns and the rows with the largest changes with the rules
    that decided them. Rows a scenario cannot evaluate are counted and listed, not dropped.
    """
    zh = chosen_language(root) == "zh"
    try:
        from ..batch import BatchError, load_policy
        from ..backends.sql import UnsupportedInSql
        from ..impact import ImpactError, scenarios_for, simulate, sweep
        import plotly  # noqa: F401 - the report's charts
    except ImportError:
        _fail(zh, "policylang impact needs the sql extra: pip install 'policylang[sql,impact]'",
              "policylang impact 需要 sql 附加依赖：pip install 'policylang[sql,impact]'")
    try:
        day = _dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        _fail(zh, f"--as-of must be a date written YYYY-MM-DD, not {as_of!r}",
              f"--as-of 必须是 YYYY-MM-DD 格式的日期，不能是 {as_of!r}")
    bound = {}
    for item in blanks:
        name, sep, value = item.partition("=")
        if not sep:
            _fail(zh, f"--blank takes NAME=VALUE, not {item!r}", f"--blank 应写作 NAME=VALUE，不能是 {item!r}")
        bound[name.strip()] = value
    swept, values = None, []
    if set_values is not None:
        swept, sep, rest = set_values.partition("=")
        swept = swept.strip()
        values = [v.strip() for v in rest.split(",") if v.strip()]
        if not sep or not swept or not values:
            _fail(zh, f"--set takes NAME=V1,V2,…, not {set_values!r}",
                  f"--set 应写作 NAME=V1,V2,…，不能是 {set_values!r}")
    columns = [c.strip() for item in by for c in item.split(",") if c.strip()]
    if engine == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError:
            _fail(zh, "--engine spark needs the spark extra: pip install 'policylang[spark]' (and Java 17)",
                  "--engine spark 需要 spark 附加依赖：pip install 'policylang[spark]'（以及 Java 17）")
    try:
        resolved = load_policy(policy, root)
        if against is not None:
            baseline = load_policy(against, root)
        elif swept is None:
            if not resolved.parent:
                _fail(zh, f"{resolved.policy_id} has no parent; name a baseline with --against or sweep with --set",
                      f"{resolved.policy_id} 没有上级政策；请用 --against 指定对照政策，或用 --set 做取值扫描")
            baseline = load_policy(resolved.parent, root)
        else:
            baseline = None
        if swept is not None:
            scenarios = sweep(resolved, swept, values, baseline, bound)
        else:
            scenarios = scenarios_for(resolved, baseline, bound)
        os.makedirs(out_dir, exist_ok=True)
        result = simulate(scenarios, data, as_of=day, by=columns, engine=engine, top=top, synthetic=synthetic,
                          invalid_out=os.path.join(out_dir, "invalid_rows.csv"), swept=swept)
    except ImpactError as exc:
        _fail(zh, str(exc), exc.zh)
    except UnsupportedInSql as exc:
        _fail(zh, f"internal error: a policy cannot be compiled to SQL: {exc}",
              f"内部错误：政策无法编译为 SQL：{exc.zh}", EXIT_INTERNAL)
    except BatchError as exc:
        _fail(zh, str(exc), exc.zh, EXIT_FINDINGS if "has errors" in str(exc) else EXIT_USAGE)
    except OSError as exc:
        _fail(zh, f"cannot write {out_dir}: {exc.strerror or exc}", f"无法写入 {out_dir}：{exc.strerror or exc}")
    from ..impact_report import write_report

    written = write_report(result, out_dir)
    _summary(result, zh)
    click.echo(("已写出 " if zh else "wrote ") + ", ".join(os.path.basename(p) for p in written)
               + (" → " if zh else " -> ") + out_dir, err=True)
    raise SystemExit(EXIT_OK)


def _summary(result, zh: bool) -> None:
    base = result.scenarios[0]
    names = {s.key: s.label for s in result.scenarios}
    head = (f"{result.rows} 行理赔，{result.seconds:.2f} 秒（{result.engine}）" if zh else
            f"{result.rows} claims, {result.seconds:.2f} s ({result.engine})")
    click.echo(head, err=True)
    for d in result.decisions.values():
        for c in d.comparisons:
            sign = "+" if c.difference > 0 else ""
            if zh:
                click.echo(f"  {d.label or d.name}：{base.label} {c.baseline_total} → {names[c.scenario]} {c.total}"
                           f"（{sign}{c.difference}，{c.rows_changed} 行变化）", err=True)
            else:
                click.echo(f"  {d.name}: {base.label} {c.baseline_total} -> {names[c.scenario]} {c.total} "
                           f"({sign}{c.difference}, {c.rows_changed} rows changed)", err=True)
    for key, inv in result.invalid.items():
        if inv["rows"]:
            click.echo((f"  {names[key]}：{inv['rows']} 行无法计算（见 invalid_rows.csv）" if zh else
                        f"  {names[key]}: {inv['rows']} rows could not be evaluated (see invalid_rows.csv)"), err=True)
