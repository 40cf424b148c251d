"""`policylang impact`: what an override (or a value of a param) changes, on a file of claims."""

from __future__ import annotations

import datetime as _dt
import os

import click

from ..messages import Bi
from .common import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, chosen_language, lang_option, phrase


def _fail(key: str, status: int = EXIT_USAGE, root=None, **params):
    click.echo(phrase(key, root, command="impact", **params), err=True)
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
    try:
        from ..batch import BatchError, load_policy
        from ..backends.sql import UnsupportedInSql
        from ..impact import ImpactError, scenarios_for, simulate, sweep
        import plotly  # noqa: F401 - the report's charts
    except ImportError:
        _fail("phrase.batch.sql_extra", root=root, extras="sql,impact")
    try:
        day = _dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        _fail("phrase.batch.bad_as_of", root=root, value=as_of)
    bound = {}
    for item in blanks:
        name, sep, value = item.partition("=")
        if not sep:
            _fail("phrase.batch.bad_pair", root=root, option="--blank", form=Bi("NAME=VALUE", "名称=值"), value=item)
        bound[name.strip()] = value
    swept, values = None, []
    if set_values is not None:
        swept, sep, rest = set_values.partition("=")
        swept = swept.strip()
        values = [v.strip() for v in rest.split(",") if v.strip()]
        if not sep or not swept or not values:
            _fail("phrase.batch.bad_pair", root=root, option="--set", form=Bi("NAME=V1,V2,…", "名称=值1,值2,…"),
                  value=set_values)
    columns = [c.strip() for item in by for c in item.split(",") if c.strip()]
    if engine == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError:
            _fail("phrase.batch.spark_extra", root=root)
    try:
        resolved = load_policy(policy, root)
        if against is not None:
            baseline = load_policy(against, root)
        elif swept is None:
            if not resolved.parent:
                _fail("phrase.impact.no_parent", root=root, policy=resolved.policy_id)
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
    except UnsupportedInSql as exc:
        _fail("phrase.batch.sql_internal", EXIT_INTERNAL, root, policy=resolved.policy_id, what=Bi(str(exc), exc.zh))
    except BatchError as exc:  # ImpactError included
        _fail("phrase.batch.failed", EXIT_FINDINGS if exc.findings else EXIT_USAGE, root, what=Bi(str(exc), exc.zh))
    except OSError as exc:
        _fail("phrase.impact.cannot_write", root=root, folder=out_dir, why=exc.strerror or str(exc))
    from ..impact_report import write_report

    written = write_report(result, out_dir)
    _summary(result, root)
    click.echo(phrase("phrase.impact.wrote", root, files=", ".join(os.path.basename(p) for p in written),
                      folder=out_dir), err=True)
    raise SystemExit(EXIT_OK)


def _summary(result, root) -> None:
    base = result.scenarios[0]
    names = {s.key: s.label for s in result.scenarios}
    zh = chosen_language(root) == "zh"
    click.echo(phrase("phrase.impact.head", root, rows=result.rows, seconds=f"{result.seconds:.2f}",
                      engine=result.engine), err=True)
    for d in result.decisions.values():
        for c in d.comparisons:
            sign = "+" if c.difference > 0 else ""
            click.echo(phrase("phrase.impact.decision", root, decision=(d.label or d.name) if zh else d.name,
                              baseline=base.label, baseline_total=c.baseline_total, scenario=names[c.scenario],
                              total=c.total, difference=f"{sign}{c.difference}", changed=c.rows_changed), err=True)
    for key, inv in result.invalid.items():
        if inv["rows"]:
            click.echo(phrase("phrase.impact.invalid", root, scenario=names[key], rows=inv["rows"]), err=True)
