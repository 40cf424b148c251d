"""`policylang compile`: check the policies, then write one Python evaluator module per policy."""

from __future__ import annotations

import click

from ..messages import Bi
from ..pipeline import check as run_pipeline
from .common import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    default_paths,
    exit_status,
    format_option,
    paths_argument,
    phrase,
    report,
    root_option,
    stage_progress,
    chosen_language,
    stopped_line,
)


@click.command("compile")
@paths_argument
@click.option("-o", "--out", "out_dir", default="_policylang/python", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the generated modules (cn/gd/stent-2020 -> OUT/cn/gd/stent_2020.py).")
@click.option("--standalone", is_flag=True,
              help="Give each module its own copy of the runtime (one file per policy, nothing shared) instead of "
                   "writing it once as OUT/_PolicyRuntime.py for every module of the package.")
@click.option("--target", type=click.Choice(["python", "sql"]), default="python", metavar="TARGET",
              help="python: evaluator modules; sql: one query per policy (OUT/cn/gd/stent-2020.<dialect>.sql) "
                   "mapping a table of cases to the same columns plus one column per decision.")
@click.option("--dialect", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True, metavar="DIALECT",
              help="The SQL dialect of --target sql.")
@format_option
@root_option
def compile_command(paths, out_dir, standalone, target, dialect, output_format, root):
    """Compile policies into Python evaluator modules (standard library only).

    The modules form a package with one shared runtime (OUT/_PolicyRuntime.py: one EvaluationError
    for all); --standalone writes self-contained one-file modules instead. Nothing is written when
    the check finds errors: fix them first.
    """
    from ..backends.pycodegen import CodegenError, write_modules

    run = run_pipeline(default_paths(paths, root), root)
    diags = run.diagnostics_for_targets()
    status = exit_status(diags)
    suppressed = run.suppressed_for_targets()
    if status != EXIT_OK or diags or any(s.binding for s in suppressed):
        report(diags, run.workspace.sources, output_format, files=len(run.workspace.targets),
               root=run.workspace.root, suppressed=suppressed)
    if status != EXIT_OK:
        click.echo(stopped_line("compile", diags, chosen_language(run.workspace.root)), err=True)
        raise SystemExit(status)
    policies = run.target_policies()
    broken = [p.policy_id for p in policies if p.has_errors]
    if broken:
        click.echo(phrase("phrase.compile.broken", policies=", ".join(broken)), err=True)
        raise SystemExit(EXIT_FINDINGS)
    if target == "sql":
        if out_dir == "_policylang/python":
            out_dir = "_policylang/sql"
        written = _write_sql(policies, out_dir, dialect)
        click.echo(phrase("phrase.compile.sql", count=len(policies), plural="ies" if len(policies) != 1 else "y",
                          folder=out_dir, files=len(written), engine=_ENGINE[dialect]), err=True)
        raise SystemExit(EXIT_OK)
    try:
        with stage_progress("compile") as bar:
            written = write_modules(policies, out_dir, standalone=standalone, progress=bar.update)
    except CodegenError as exc:
        click.echo(phrase("phrase.compile.failed", what=Bi(str(exc), exc.zh)), err=True)
        raise SystemExit(EXIT_FINDINGS)
    count = len(policies)
    click.echo(phrase("phrase.build.compiled", count=count, plural="ies" if count != 1 else "y", folder=out_dir,
                      files=len(written)), err=True)
    raise SystemExit(EXIT_OK)


# The engines by their own names (a proper name stays as it is in a Chinese sentence).
_ENGINE = {"duckdb": "DuckDB", "spark": "Spark"}


def _write_sql(policies, out_dir: str, dialect: str) -> list[str]:
    """One query per policy: OUT/<policy id>.<dialect>.sql, reading the table `cases`."""
    import os

    try:
        from ..backends.sql import SqlCompileError, SqlInternalError, UnsupportedInSql, compile_sql
    except ImportError:
        click.echo(phrase("phrase.compile.sql_extra"), err=True)
        raise SystemExit(EXIT_USAGE)
    written = []
    for policy in policies:
        try:
            query = compile_sql(policy, dialect, source="cases")
        except UnsupportedInSql as exc:
            click.echo(phrase("phrase.compile.not_sql", policy=policy.policy_id,
                              what=Bi(str(exc), exc.zh)), err=True)
            raise SystemExit(EXIT_FINDINGS)
        except SqlInternalError as exc:
            click.echo(phrase("phrase.compile.internal", policy=policy.policy_id, what=exc), err=True)
            raise SystemExit(EXIT_INTERNAL)
        except SqlCompileError as exc:
            click.echo(phrase("phrase.compile.failed", what=Bi(str(exc), exc.zh)), err=True)
            raise SystemExit(EXIT_FINDINGS)
        path = os.path.join(out_dir, *policy.policy_id.split("/")) + f".{dialect}.sql"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(sql_header(policy, query) + query.sql + ";\n")
        written.append(path)
    return written


def sql_header(policy, query) -> str:
    """A comment saying what the query reads and writes (each line of it a SQL line comment)."""
    lines = [f"{policy.policy_id}: generated by policylang compile --target sql --dialect {query.dialect}; "
             "do not edit.", "Reads the table `cases`: one row per case; columns (text or typed):"]
    for name, kind in query.inputs:
        lines.append(f"  {name}: {kind}")
    lines.append("Writes those columns, then per decision its value and <decision>__rule, then the error columns")
    lines.append("_error, _error_reason, _error_field, _error_decision. Decision types:")
    for name, kind, sql_type in query.decisions:
        lines.append(f"  {name}: {kind} -> {sql_type}")
    lines.append("The evaluation date is CURRENT_DATE; policylang run binds --as-of.")
    if query.dialect == "spark":
        lines.append("Spark: run with spark.sql.ansi.enabled=true and "
                     "spark.sql.decimalOperations.allowPrecisionLoss=false.")
    safe = [line.replace("\r", " ").replace("\n", " ") for line in lines]
    return "".join(f"-- {line}\n" for line in safe)
