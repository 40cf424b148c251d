"""`policylang run`: a policy compiled to SQL, run over a file of cases on DuckDB or Spark."""

from __future__ import annotations

import datetime as _dt
import sys

import click

from ..messages import Bi
from .common import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, chosen_language, lang_option, phrase

_REASONS_ZH = {
    "missing": "缺少输入", "negative": "金额为负数", "fraction_of_fen": "金额有不足一分的部分", "not_whole": "不是整数",
    "outside_range": "百分比超出 0%–100%", "not_bool": "不是 true 或 false", "not_date": "不是有效的 YYYY-MM-DD 日期",
    "not_member": "不是允许的取值之一", "malformed": "格式不对", "not_finite": "不是有限数",
    "beyond_range": "超出 SQL 类型的范围", "beyond_precision": "小数位数超出 SQL 类型的精度",
    "unfilled": "未填写的空白", "division_by_zero": "除以零", "outside_calendar": "日期超出日历范围",
    "not_in_force": "评估日期不在政策有效期内", "too_long": "数字文本过长（超过 64 个字符）",
}


@click.command("run")
@lang_option
@click.argument("policy")
@click.option("--data", "data", required=True, metavar="PATH",
              help="The cases: CSV (.csv, a header row), JSON Lines (.jsonl) or Parquet (.parquet, a file or folder).")
@click.option("--out", "out", required=True, metavar="PATH",
              help="The results: Parquet (.parquet) or CSV (.csv): the input columns, each decision, the rule that "
                   "decided it (<decision>__rule) and the error columns of rows that failed.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True, metavar="ENGINE",
              help="DuckDB (embedded, no server) or Spark (local[*], or --master / spark-submit for a cluster).")
@click.option("--as-of", "as_of", default=None, metavar="DATE",
              help="The evaluation date, YYYY-MM-DD (default: today): schedules and as_of use it.")
@click.option("--blank", "blanks", multiple=True, metavar="NAME=VALUE",
              help="A value for a blank no level filled, for every row (repeatable); a column of that name is read "
                   "per row instead.")
@click.option("--continue-on-error", is_flag=True,
              help="Exit 0 even when rows failed (they are still counted and written with their errors).")
@click.option("--no-rules", is_flag=True, help="Leave out the <decision>__rule columns.")
@click.option("--memory-limit", "memory_limit", default=None, metavar="SIZE",
              help="DuckDB: the memory it may hold (such as 1GB; default 80% of the machine's). Rows held to "
                   "keep the input's order beyond it are written to a folder next to --out and removed.")
@click.option("--master", default=None, metavar="URL", help="Spark's master (default local[*]).")
@click.option("--conf", "conf", multiple=True, metavar="KEY=VALUE", help="A Spark configuration setting (repeatable).")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="The policy tree's root, where ids are looked up (default: ./policies).")
def run_command(policy, data, out, engine, as_of, blanks, continue_on_error, no_rules, memory_limit, master, conf,
                root):
    """Run POLICY (an id such as cn/gd/stent-2020, or a path) over every case of --data, compiled to
    SQL, and write the results to --out.

    A row that cannot be evaluated (an invalid or missing input, a blank nobody filled) does not stop
    the batch: its decisions are NULL and its error columns say why, with the message the Python
    module gives. The run prints how many rows failed and why; it exits 1 when any did, unless
    --continue-on-error.
    """
    zh = chosen_language(root) == "zh"

    def fail(key: str, status: int = EXIT_USAGE, **params):
        click.echo(phrase(key, root, command="run", **params), err=True)
        raise SystemExit(status)

    try:
        from ..batch import BatchError, load_policy, run_file
    except ImportError:
        fail("phrase.batch.sql_extra", extras="sql")
    try:
        day = _dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        fail("phrase.batch.bad_as_of", value=as_of)
    bound = {}
    for item in blanks:
        name, sep, value = item.partition("=")
        if not sep:
            fail("phrase.batch.bad_pair", option="--blank", form=Bi("NAME=VALUE", "名称=值"), value=item)
        bound[name.strip()] = value
    settings = {}
    for item in conf:
        key, sep, value = item.partition("=")
        if not sep:
            fail("phrase.batch.bad_pair", option="--conf", form=Bi("KEY=VALUE", "设置项=值"), value=item)
        settings[key.strip()] = value
    if engine == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError:
            fail("phrase.batch.spark_extra")
    try:
        resolved = load_policy(policy, root)
    except BatchError as exc:
        fail("phrase.batch.failed", EXIT_FINDINGS if exc.findings else EXIT_USAGE, what=Bi(str(exc), exc.zh))
    from ..backends.sql import SqlInternalError, UnsupportedInSql

    try:
        result = run_file(resolved, data, out, engine, as_of=day, blanks=bound, rule_columns=not no_rules,
                          progress=sys.stderr.isatty(), master=master, spark_conf=settings,
                          memory_limit=memory_limit)
    except BatchError as exc:
        fail("phrase.batch.failed", what=Bi(str(exc), exc.zh))
    except UnsupportedInSql as exc:
        # a construct the SQL backend does not compile: a finding about this policy, exit 1
        fail("phrase.batch.not_sql", EXIT_FINDINGS, policy=resolved.policy_id, what=Bi(str(exc), exc.zh))
    except SqlInternalError as exc:
        fail("phrase.batch.sql_internal", EXIT_INTERNAL, policy=resolved.policy_id, what=str(exc))
    click.echo(phrase("phrase.run.done", root, policy=resolved.policy_id, rows=result.rows,
                      ok=result.rows - result.failed, failed=result.failed, seconds=f"{result.seconds:.2f}",
                      engine=engine, out=out), err=True)
    for (code, reason, field), count in sorted(result.by_reason.items(), key=lambda kv: (-kv[1], kv[0])):
        what = _REASONS_ZH.get(reason, reason) if zh else reason
        click.echo(f"  {count:>10}  {code}: {field or '-'}: {what}", err=True)
    raise SystemExit(EXIT_FINDINGS if result.failed and not continue_on_error else EXIT_OK)
