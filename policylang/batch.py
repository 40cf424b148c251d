"""Batches: a compiled policy run over a table of cases on DuckDB (embedded) or Spark.

The engine API, for `policylang run` and for anyone who runs policies over claims files:

    from policylang.batch import run_file, evaluate_rows
    result = run_file(policy, "claims.csv", "out.parquet", engine="duckdb", as_of=date(2021, 3, 1))
    result.rows, result.failed, result.by_reason, result.seconds

- run_file(policy, data, out, engine="duckdb"|"spark", as_of=None, blanks=None, rule_columns=True,
  continue_on_error=True, progress=False, master=None, spark_conf=None) -> BatchResult. Reads CSV,
  JSON Lines (.jsonl/.ndjson) or Parquet; writes Parquet (.parquet) or CSV (.csv): the input
  columns, one column per decision (money as DECIMAL(38, 2)), `<decision>__rule` (the rule that
  decided it: policy, case or row, article) unless rule_columns=False, and the error columns
  _error, _error_reason, _error_field, _error_decision and _error_message (the Python module's
  own message, computed for failed rows only). `policy` is a ResolvedPolicy (see
  policylang.pipeline) — load_policy(id_or_path, root) gives one.
- evaluate_rows(policy, rows, as_of=..., engine="duckdb") -> list of dicts: the same on rows in
  memory (dicts of input name -> value as text or typed), for tests and small batches.
- reference_rows(policy, rows, as_of=...) -> the same from the reference interpreter, case by case
  (what the differential tests compare with).

BatchResult.by_reason counts failed rows by (error code, reason, field). Bad input never stops a
batch: each bad row gets NULL decisions and its error columns (see backends/sql/compiler.py).
"""

from __future__ import annotations

import collections
import csv
import datetime as _dt
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from decimal import Decimal
from typing import Any, Iterable, Mapping, Optional, Sequence

import attrs

from .backends.sql import ERROR_COLUMNS, SqlCompileError, compile_sql
from .backends.sql.compiler import SEP
from .semantics.evaluate import (
    BlankNotFilled,
    EvaluationError,
    Interpreter,
    InputError,
    NotInForce,
)
from .semantics.model import ResolvedPolicy

ENGINES = ("duckdb", "spark")
MESSAGE_COLUMN = "_error_message"
SPARK_CONF = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
}


class BatchError(Exception):
    """The batch cannot run: a file that cannot be read or written, an unknown format or engine.
    `zh`: the message in Chinese (the English when none is given); `findings`: the policy has
    errors (a finding about the policy, exit 1, rather than a usage problem)."""

    def __init__(self, message: str = "", zh: str = None, findings: bool = False):
        super().__init__(message)
        self.zh = zh or message
        self.findings = findings


@attrs.frozen
class BatchResult:
    rows: int
    failed: int
    by_reason: dict  # (code, reason, field) -> rows
    seconds: float
    out: str


def input_format(path: str) -> str:
    lower = path.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lower.endswith(".parquet") or os.path.isdir(path):
        return "parquet"
    raise BatchError(f"{path}: cannot tell the format; use .csv, .jsonl or .parquet",
                     f"{path}：无法判断文件格式；请用 .csv、.jsonl 或 .parquet 文件")


def output_format(path: str) -> str:
    lower = path.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith(".parquet"):
        return "parquet"
    raise BatchError(f"{path}: write .parquet or .csv", f"{path}：结果只能写成 .parquet 或 .csv 文件")


# ---------------------------------------------------------------- the Python module's messages


class _Messages:
    """The Python module's message for a failed row (and a count of failed rows by reason)."""

    def __init__(self, policy: ResolvedPolicy, columns: Sequence[str], as_of: Optional[_dt.date],
                 blanks: Optional[Mapping[str, Any]]):
        self.policy = policy
        self._module = None  # compiled at the first failed row: a batch without one never needs it
        self._lock = threading.Lock()
        self.columns = list(columns)
        self.as_of = as_of or _dt.date.today()
        self.blanks = dict(blanks or {})
        accepted = set(policy.inputs) | {b.name for b in policy.blanks}  # the module's INPUTS
        self.inputs = [c for c in self.columns if c in accepted]

    @property
    def module(self):
        # DuckDB calls the message function from several threads at once: the module is compiled
        # once, under a lock (two threads compiling it together got a half-made module)
        if self._module is None:
            with self._lock:
                if self._module is None:
                    from .backends.pycodegen import compile_module

                    self._module = compile_module(self.policy)
        return self._module

    def message(self, values: Sequence[Optional[str]]) -> Optional[str]:
        from .backends.runner import evaluate_case

        case = {name: value for name, value in zip(self.inputs, values) if value is not None and value.strip() != ""}
        case.update(self.blanks)
        slot, exc = evaluate_case(self.module, case, self.as_of, None, False)
        return exc.message if exc is not None else None


# ---------------------------------------------------------------- DuckDB


def _comma_header(path: str) -> Optional[list]:
    """The column names of a comma-separated file, read as `policylang eval` reads them
    (backends/stream.csv_header), or None where DuckDB's sniffer should read the file instead: one
    column (a file separated by semicolons or tabs), an empty or duplicate name, no record at all, or
    a first record that is not UTF-8 or not valid CSV."""
    from .backends.stream import csv_header

    try:
        with open(path, newline="", encoding="utf-8") as fh:
            names, _taken = csv_header(fh)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if len(names) < 2 or "" in names or len(set(names)) < len(names):
        return None
    return names


def _duckdb_source(con, path: str, fmt: str):
    if not os.path.exists(path):
        raise BatchError(f"{path}: no such file", f"{path}：文件不存在")
    try:
        if fmt == "csv":
            names = _comma_header(path) if os.path.isfile(path) else None
            if names is not None:
                # RFC 4180 with commas, as `eval` and the Spark engine read it, told rather than
                # sniffed: the sniffer costs about 0.3 s a run (it binds the reader three times),
                # and one that saw no quote in its sample reads a quoted cell further on as text
                return con.read_csv(path, header=True, columns={name: "VARCHAR" for name in names},
                                    auto_detect=False, delimiter=",", quotechar='"', escapechar='"')
            return con.read_csv(path, all_varchar=True, header=True)
        if fmt == "jsonl":
            return con.read_json(path, format="newline_delimited")
        return con.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - duckdb's own errors say what is wrong with the file
        raise _csv_error(str(exc)) or BatchError(f"{path}: {exc}", f"{path}：无法读取：{exc}") from None


def _run_duckdb(con, policy, columns, out, out_fmt, as_of, blanks, rule_columns, progress, empty_is_absent,
                threads=None):
    import duckdb
    from duckdb.sqltypes import VARCHAR

    # CSV holds text: the decisions' DECIMALs are written as their text, at a third of the cost
    query = compile_sql(policy, "duckdb", columns=columns, blanks=blanks, as_of=as_of, rule_columns=rule_columns,
                        source="__pl_cases", empty_is_absent=empty_is_absent, decimals_as_text=out_fmt == "csv")
    messages = _Messages(policy, columns, as_of, blanks)
    counts: collections.Counter = collections.Counter()

    def message(args):
        code, reason, field = args[0], args[1], args[2]
        counts[(code, reason, field)] += 1
        return messages.message(args[3:])

    con.create_function("__pl_message", message, [duckdb.list_type(VARCHAR)], VARCHAR,
                        side_effects=True, null_handling="special")
    from sqlglot import exp

    inner = query.tree.subquery("__pl_result", copy=False)  # the tree is ours: no deep copy of it
    outputs = [exp.column(c, quoted=True) for c in query.output_columns()]
    call = exp.Anonymous(this="__pl_message", expressions=[exp.Array(expressions=[
        exp.column("_error", quoted=True), exp.column("_error_reason", quoted=True),
        exp.column("_error_field", quoted=True)] + [
        exp.cast(exp.column(c, quoted=True), "VARCHAR") for c in messages.inputs])])
    msg = exp.Case().when(exp.Not(this=exp.Is(this=exp.column("_error", quoted=True), expression=exp.Null())),
                          call)
    final = exp.select(*outputs, exp.alias_(msg, MESSAGE_COLUMN, quoted=True), copy=False).from_(inner, copy=False)
    con.execute(f"SET enable_progress_bar = {'true' if progress else 'false'}")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    # one COPY writes the file and says how many rows it wrote (reading the output back to count
    # them cost a second pass over it); the tree is rendered without a copy (it is used once)
    target = "(FORMAT parquet)" if out_fmt == "parquet" else "(FORMAT csv, HEADER)"
    try:
        written = con.execute(f"COPY ({final.sql(dialect='duckdb', copy=False)}) TO "
                              f"{exp.Literal.string(out).sql(dialect='duckdb')} {target}").fetchall()
    except duckdb.OutOfMemoryException as exc:
        first = str(exc).splitlines()[0]  # the rest suggests SET statements, not this command's options
        raise BatchError(f"DuckDB needed more memory than it may hold (--memory-limit, or 80% of the machine's): "
                         f"{first}; give it more, or fewer threads",
                         f"DuckDB 所需内存超过允许的上限（--memory-limit，或本机内存的 80%）：{first}；"
                         f"请调高上限或减少线程") from None
    except duckdb.Error as exc:
        raise _csv_error(str(exc)) or BatchError(f"the batch failed in DuckDB: {exc}",
                                                 f"批量计算在 DuckDB 中失败：{exc}") from None
    return counts, int(written[0][0])


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_COUNTS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_CSV_FILE = re.compile(r"^\s*file = (.*)$", re.M)


def _csv_error(message: str) -> Optional[BatchError]:
    """DuckDB's error for a record that is not CSV, said as the file's problem (its line and why), not
    with the reader options it suggests, which `run` does not take; None for any other error."""
    line = _CSV_LINE.search(message)
    path = _CSV_FILE.search(message)
    if line is None or path is None:
        return None
    where, number = path.group(1).strip(), line.group(1)
    counts = _CSV_COUNTS.search(message)
    if counts:
        expected, found = counts.groups()
        why = (f"it has {found} {'cell' if found == '1' else 'cells'} where the header has {expected}",
               f"该行有 {found} 个单元格，表头有 {expected} 个")
    elif "unterminated quote" in message:
        why = ("a quoted cell is not closed (a double quote inside a cell is written twice)",
               "有带引号的单元格没有闭合（单元格中的双引号要写成两个）")
    elif "not utf-8 encoded" in message:
        why = ("the file is not UTF-8 (save it as UTF-8)", "文件不是 UTF-8 编码（请另存为 UTF-8）")
    else:
        detail = next((text.strip() for text in message.splitlines()[1:] if text.strip() and not text.startswith(
            ("Original Line", "Possible", "*", " "))), "")
        why = (detail, detail)
    return BatchError(f"{where}: line {number} is not valid CSV: {why[0]}",
                      f"{where}：第 {number} 行不是有效的 CSV：{why[1]}")


# ---------------------------------------------------------------- Spark


_SPARK = None


def spark_session(master: Optional[str] = None, conf: Optional[Mapping[str, str]] = None):
    """The SparkSession batches run in (one per process): ANSI mode, no decimal precision loss."""
    global _SPARK
    from pyspark.sql import SparkSession

    if _SPARK is not None:
        return _SPARK
    builder = SparkSession.builder.appName("policylang")
    if master or not os.environ.get("SPARK_SUBMIT_OPTS") and "spark.master" not in (conf or {}):
        builder = builder.master(master or "local[*]")
    settings = dict(SPARK_CONF)
    settings.setdefault("spark.ui.enabled", "false")
    settings.setdefault("spark.sql.shuffle.partitions", "4")
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    _SPARK = builder.getOrCreate()
    _SPARK.sparkContext.setLogLevel("ERROR")
    for key, value in SPARK_CONF.items():
        _SPARK.conf.set(key, value)
    return _SPARK


# A path with a scheme (hdfs://, s3a://, gs://, file://): Spark's to find; a cluster's storage is
# not on this disk.
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def _spark_frame(spark, path: str, fmt: str):
    if _URI.match(path):
        try:
            return _spark_read(spark, path, fmt)
        except Exception as exc:  # noqa: BLE001 - pyspark's AnalysisException (a path not found, a bad scheme)
            if type(exc).__name__ not in ("AnalysisException", "IllegalArgumentException", "Py4JJavaError"):
                raise
            reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
            raise BatchError(f"{path}: Spark cannot read it: {reason}", f"{path}：Spark 无法读取：{reason}") from None
    if not os.path.exists(path):
        raise BatchError(f"{path}: no such file", f"{path}：文件不存在")
    return _spark_read(spark, path, fmt)


def _spark_read(spark, path: str, fmt: str):
    if fmt == "csv":
        # RFC 4180 as Python's csv and DuckDB write it: quotes doubled, newlines inside quoted cells.
        # multiLine reads each file as one split (one partition, one core); a file in which no quoted
        # cell spans lines is read line by line instead, split into partitions (see docs/batch.md)
        multiline = csv_has_multiline_cells(path)
        return (spark.read.option("header", True).option("inferSchema", False).option("multiLine", multiline)
                .option("escape", '"').csv(path))
    if fmt == "jsonl":
        return spark.read.option("primitivesAsString", True).json(path)
    return spark.read.parquet(path)


def csv_has_multiline_cells(path: str, chunk: int = 1 << 24) -> bool:
    """Whether a CSV file (or any file of a folder) may hold a quoted cell with a line break inside:
    some line has an odd number of double quotes (in RFC 4180 a record's quotes come in pairs, a
    doubled quote inside a cell included, so a line with an odd count ends inside a quoted cell).
    Lines end at \\n or \\r, as Spark's line reader ends them.
    Lines without any quote cost one scan of the bytes; a path that is not a local file (hdfs://,
    s3://) is taken as possibly multi-line."""
    files = ([os.path.join(path, n) for n in sorted(os.listdir(path)) if not n.startswith((".", "_"))]
             if os.path.isdir(path) else [path])
    for name in files:
        if not os.path.isfile(name):
            return True
        with open(name, "rb") as fh:
            carry = b""
            while True:
                block = fh.read(chunk)
                if not block:
                    if carry.count(b'"') % 2:
                        return True
                    break
                block = carry + block
                cut = max(block.rfind(b"\n"), block.rfind(b"\r")) + 1
                whole, carry = block[:cut], block[cut:]
                if b'"' not in whole:
                    continue
                for line in whole.replace(b"\r", b"\n").split(b"\n"):
                    if line.count(b'"') % 2:
                        return True
    return False


def _run_spark(policy, frame, columns, out, out_fmt, as_of, blanks, rule_columns, empty_is_absent):
    from pyspark.sql import functions as F

    spark = frame.sparkSession
    frame.createOrReplaceTempView("__pl_cases")
    query = compile_sql(policy, "spark", columns=columns, blanks=blanks, as_of=as_of, rule_columns=rule_columns,
                        source="__pl_cases", empty_is_absent=empty_is_absent)
    result = spark.sql(query.sql)
    messages = _Messages(policy, columns, as_of, blanks)
    counts: collections.Counter = collections.Counter()
    # The query is computed once: its result is written to a Parquet folder beside the output (one
    # part file per partition); the count of rows and the failed rows (their error and inputs: the
    # messages are the Python module's, computed on the driver) are read from that folder, a few
    # columns of it, and the output is written from it with the messages joined in. Computing the
    # query again for each of those passes cost more than the query itself at 1M rows.
    staged = _staging_path(out)
    _spark_delete(spark, staged)
    try:
        result.select(*[F.col(f"`{c}`") for c in query.output_columns()]).write.mode("overwrite").parquet(staged)
        done = _staged_in_order(spark, staged)
        error = F.col("_error")
        failed_struct = F.struct(*[F.col(c).alias(f"__pl_e{i}") for i, c in enumerate(ERROR_COLUMNS[:3])],
                                 *[F.col(f"`{c}`").cast("string").alias(f"__pl_k{i}")
                                   for i, c in enumerate(messages.inputs)])
        summary = done.select(error, failed_struct.alias("__pl_failed")).agg(
            F.count(F.lit(1)).alias("rows"),
            F.collect_list(F.when(error.isNotNull(), F.col("__pl_failed"))).alias("failed")).collect()[0]
        total = int(summary["rows"])
        keyed = [tuple(r) for r in summary["failed"]]
        for row in keyed:
            counts[(row[0], row[1], row[2])] += 1
        if keyed:
            # the message of each failed row, joined back on its error and inputs
            rows = [tuple(r[3:3 + len(messages.inputs)]) + (messages.message(list(r[3:3 + len(messages.inputs)])),)
                    for r in keyed]
            names = [f"__pl_k{i}" for i in range(len(messages.inputs))]
            table = spark.createDataFrame(rows, schema=", ".join(f"`{n}` string" for n in names)
                                          + f", `{MESSAGE_COLUMN}` string").dropDuplicates(names)
            cond = [F.col(f"`{c}`").cast("string").eqNullSafe(F.col(f"`{n}`"))
                    for c, n in zip(messages.inputs, names)]
            joined = done.join(F.broadcast(table), on=_all(cond) & F.col("_error").isNotNull(), how="left")
            result_out = joined.select(*[F.col(f"`{c}`") for c in query.output_columns()],
                                       F.col(f"`{MESSAGE_COLUMN}`"))
        else:
            result_out = done.select(*[F.col(f"`{c}`") for c in query.output_columns()],
                                     F.lit(None).cast("string").alias(MESSAGE_COLUMN))
        writer = result_out.write.mode("overwrite")
        if out_fmt == "parquet":
            writer.parquet(out)
        else:
            # Spark's CSV writer trims each cell's whitespace unless told not to: the input's text is
            # written as it was read (as DuckDB writes it)
            (writer.option("header", True).option("escape", '"').option("ignoreLeadingWhiteSpace", False)
             .option("ignoreTrailingWhiteSpace", False).csv(out))
    finally:
        _spark_delete(spark, staged)
    return counts, total


def _staging_path(out: str) -> str:
    """Where a Spark run writes the query's result before the output: a folder beside the output,
    on the same file system (a path with a scheme keeps it)."""
    return out.rstrip("/") + ".__pl_staging"


def _hadoop_path(spark, path: str):
    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    return p, p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())


def _spark_delete(spark, path: str) -> None:
    """Remove a folder a run made (its staging), on the file system Spark writes it to (a path
    without a scheme is on the default one: the local disk in local mode, HDFS on a cluster)."""
    p, fs = _hadoop_path(spark, path)
    if fs.exists(p):
        fs.delete(p, True)


def _glob_escaped(path: str) -> str:
    """A path as Spark's readers take it literally: they read `[`, `]`, `{`, `}`, `*`, `?` and `\\` as a
    glob pattern (an output named out-local[1].csv would be looked for as out-local1.csv)."""
    return re.sub(r"([\[\]{}*?\\])", r"\\\1", path)


def _part_number(path: str) -> tuple:
    """part-00012-<id>.snappy.parquet -> (12, name): a part file's partition, then its name."""
    name = path.rsplit("/", 1)[-1]
    digits = name[len("part-"):].split("-", 1)[0]
    return (int(digits) if digits.isdigit() else -1, name)


def _staged_in_order(spark, staged: str):
    """The staged result, its rows in the order the query gave them. Spark reads the part files of a
    folder in the order of their sizes, largest first; read one by one, in name order (the order of
    the partitions that wrote them), and put end to end, they keep the input's order and its
    partitions (one output part file per input partition, as before)."""
    p, fs = _hadoop_path(spark, staged)
    names = [str(st.getPath().toString()) for st in fs.listStatus(p) if st.getPath().getName().startswith("part-")]
    names.sort(key=_part_number)
    whole = spark.read.parquet(_glob_escaped(staged))
    if len(names) <= 1:
        return whole
    schema = whole.schema
    parts = [spark.read.schema(schema).parquet(_glob_escaped(n)) for n in names]
    out = parts[0]
    for part in parts[1:]:
        out = out.union(part)
    return out


def _all(conds):
    out = conds[0]
    for c in conds[1:]:
        out = out & c
    return out


# ---------------------------------------------------------------- the API


def run_file(policy: ResolvedPolicy, data: str, out: str, engine: str = "duckdb", *,
             as_of: Optional[_dt.date] = None, blanks: Optional[Mapping[str, Any]] = None,
             rule_columns: bool = True, progress: bool = False, master: Optional[str] = None,
             spark_conf: Optional[Mapping[str, str]] = None, threads: Optional[int] = None,
             memory_limit: Optional[str] = None) -> BatchResult:
    """Run POLICY over the cases in `data`, write the results to `out` (see the module's docstring).

    `memory_limit` (DuckDB only, such as "1GB"): the memory DuckDB may hold; the rows it holds to
    write them in the input's order beyond it go to a folder next to `out`, removed afterwards.
    Without it DuckDB may hold up to 80% of the machine's memory, and does: about 190 bytes a row of
    stent claims (1.9 GB at 10M rows)."""
    if engine not in ENGINES:
        raise BatchError(f"unknown engine {engine!r}; choose duckdb or spark",
                         f"没有“{engine}”这种计算引擎；请选择 duckdb 或 spark")
    if memory_limit is not None:
        if engine != "duckdb":
            raise BatchError("--memory-limit is DuckDB's; give Spark its memory with --conf "
                             "spark.driver.memory=... or spark.executor.memory=...",
                             "--memory-limit 只用于 DuckDB；Spark 的内存请用 --conf spark.driver.memory=… "
                             "或 spark.executor.memory=… 设置")
        memory_limit = memory_size(memory_limit)
    fmt, out_fmt = input_format(data), output_format(out)
    blanks = _checked_blanks(policy, blanks)
    as_of = as_of or _dt.date.today()
    start = time.perf_counter()
    empty_is_absent = fmt == "csv"
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        spill = None
        try:
            if memory_limit is not None:
                folder = os.path.dirname(os.path.abspath(out))
                try:
                    spill = tempfile.mkdtemp(prefix=".policylang-spill-", dir=folder)
                except OSError as exc:
                    raise BatchError(f"{out}: cannot make the folder DuckDB writes to beyond --memory-limit in "
                                     f"{folder}: {exc.strerror}",
                                     f"{out}：无法在 {folder} 中创建 DuckDB 超出 --memory-limit 时写入的文件夹："
                                     f"{exc.strerror}") from None
                con.execute(f"SET memory_limit = '{memory_limit}'")
                from sqlglot import exp

                con.execute(f"SET temp_directory = {exp.Literal.string(spill).sql(dialect='duckdb')}")
            relation = _duckdb_source(con, data, fmt)
            columns = list(relation.columns)
            relation.create_view("__pl_cases")
            if os.path.isdir(out) or os.path.exists(out):
                os.remove(out) if os.path.isfile(out) else None
            counts, rows = _run_duckdb(con, policy, columns, out, out_fmt, as_of, blanks, rule_columns, progress,
                                       empty_is_absent, threads)
        finally:
            con.close()
            if spill is not None:
                shutil.rmtree(spill, ignore_errors=True)
    else:
        spark = spark_session(master, spark_conf)
        frame = _spark_frame(spark, data, fmt)
        columns = list(frame.columns)
        counts, rows = _run_spark(policy, frame, columns, out, out_fmt, as_of, blanks, rule_columns, empty_is_absent)
    return BatchResult(rows, sum(counts.values()), dict(counts), time.perf_counter() - start, out)


_MEMORY_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", re.I)
_MEMORY_UNITS = {u.lower(): u for u in ("B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB")}


def memory_size(text: str) -> str:
    """A memory size as DuckDB's memory_limit takes it ("1GB", "512 MiB"), checked here so a bad one
    is the caller's mistake, said in both languages, and never reaches the SQL text unchecked."""
    match = _MEMORY_SIZE.fullmatch(text or "")
    if match is None or float(match.group(1)) <= 0:
        raise BatchError(f"--memory-limit takes a size such as 1GB or 512MB, not {text!r}",
                         f"--memory-limit 应写作 1GB、512MB 这样的大小，不能是“{text}”")
    return match.group(1) + _MEMORY_UNITS[match.group(2).lower()]


def _checked_blanks(policy: ResolvedPolicy, blanks: Optional[Mapping[str, Any]]) -> dict:
    """Blank values given for the whole batch, validated as the Python module validates inputs."""
    from .semantics.evaluate import coerce_value

    out = {}
    names = {b.name: b for b in policy.blanks}
    interp = Interpreter(policy)
    for name, raw in (blanks or {}).items():
        if name not in names:
            raise BatchError(f"'{name}' is not a blank of {policy.policy_id} that no level filled"
                             + (f"; its blanks: {', '.join(names)}" if names else ""),
                             f"“{name}”不是 {policy.policy_id} 中各级都没有填写的空白项"
                             + (f"；这样的空白项有：{'、'.join(names)}" if names else "；它没有这样的空白项"))
        t = names[name].type
        try:
            out[name] = coerce_value(name, t, raw, interp.enum_members.get(t.enum, ()))
        except InputError as exc:
            from .wording import INPUT_KINDS_ZH

            members = interp.enum_members.get(t.enum, ()) if getattr(t, "enum", None) else ()
            what = "下列之一：" + "、".join(map(str, members)) if members else INPUT_KINDS_ZH.get(exc.expected, exc.expected)
            raise BatchError(exc.message, f"空白项“{name}”应为{what}，不能是“{raw}”") from None
    return out


_COMPILED: dict = {}


def evaluate_rows(policy: ResolvedPolicy, rows: Sequence[Mapping[str, Any]], *, as_of: _dt.date,
                  engine: str = "duckdb", columns: Optional[Sequence[str]] = None,
                  blanks: Optional[Mapping[str, Any]] = None, rule_columns: bool = False,
                  empty_is_absent: bool = True, spark=None) -> list[dict]:
    """The batch's outputs for rows in memory (values as text, or None for absent), in order."""
    blanks = _checked_blanks(policy, blanks)
    if columns is None:
        columns = list(dict.fromkeys(k for r in rows for k in r))
    columns = list(columns) + ["__pl_row"]
    data = [[None if r.get(c) is None else _text(r.get(c)) for c in columns[:-1]] + [str(i)]
            for i, r in enumerate(rows)]
    key = (id(policy), engine, tuple(columns), tuple(sorted(blanks.items())), as_of, rule_columns, empty_is_absent)
    query = _COMPILED.get(key)
    if query is None or query[0] is not policy:
        query = (policy, compile_sql(policy, engine, columns=columns, blanks=blanks, as_of=as_of,
                                     rule_columns=rule_columns, source="__pl_cases", empty_is_absent=empty_is_absent))
        if len(_COMPILED) > 256:
            _COMPILED.clear()
        _COMPILED[key] = query
    query = query[1]
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        try:
            from sqlglot import exp

            values = exp.Values(expressions=[exp.Tuple(expressions=[
                exp.Literal.string(v) if v is not None else exp.cast(exp.Null(), "VARCHAR") for v in row])
                for row in data], alias=exp.TableAlias(this=exp.to_identifier("t"), columns=[
                    exp.to_identifier(c, quoted=True) for c in columns]))
            if data:
                con.execute('CREATE TEMP TABLE "__pl_cases" AS ' + exp.select("*").from_(values).sql("duckdb"))
            else:
                cols = ", ".join(exp.to_identifier(c, quoted=True).sql("duckdb") + " VARCHAR" for c in columns)
                con.execute(f"CREATE TEMP TABLE \"__pl_cases\" ({cols})")
            cur = con.execute(query.sql)
            names = [d[0] for d in cur.description]
            out = [dict(zip(names, r)) for r in cur.fetchall()]
        finally:
            con.close()
    else:
        spark = spark or spark_session()
        schema = ", ".join(f"`{c}` string" for c in columns)
        spark.createDataFrame(data, schema=schema).createOrReplaceTempView("__pl_cases")
        out = [r.asDict() for r in spark.sql(query.sql).collect()]
    out.sort(key=lambda r: int(r["__pl_row"]))
    for r in out:
        del r["__pl_row"]
    return out


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def reference_rows(policy: ResolvedPolicy, rows: Iterable[Mapping[str, Any]], *, as_of: _dt.date,
                   blanks: Optional[Mapping[str, Any]] = None) -> list[dict]:
    """What the batch must give for each row, from the reference interpreter, as `policylang eval`
    reports a case: an invalid or missing input, or an evaluation error, fails the row (every
    decision None); when only blanks were missing, the other decisions keep their values and the
    error names the first blank."""
    interp = Interpreter(policy)
    names = list(policy.decision_order)
    out = []
    for row in rows:
        case = {k: v for k, v in row.items() if v is not None and k in interp.accepted_inputs()}
        case.update(blanks or {})
        result = {name: None for name in names}
        error = None
        try:
            interp.check_in_force(as_of)
            values = interp.coerce_inputs(case)
        except (InputError, NotInForce) as exc:
            error = exc
        else:
            errors = {}
            for name in names:
                try:
                    result[name] = interp.evaluate_validated(values, as_of, [name]).values[name]
                except EvaluationError as exc:
                    errors[name] = exc
            hard = [errors[n] for n in names if n in errors and not isinstance(errors[n], BlankNotFilled)]
            if hard:
                error = hard[0]
                result = {name: None for name in names}
            elif errors:
                error = errors[next(n for n in names if n in errors)]
                for n in errors:
                    result[n] = None
        result["_error"] = error.code if error is not None else None
        result["_error_field"] = getattr(error, "field", None) if error is not None else None
        result["_error_decision"] = getattr(error, "decision", None) if error is not None else None
        result["_error_message"] = error.message if error is not None else None
        out.append(result)
    return out


def load_policy(spec: str, root: Optional[str] = None) -> ResolvedPolicy:
    """A policy by id (cn/gd/stent-2020, under root or ./policies) or path, resolved; BatchError when it
    cannot be found or has errors."""
    from .semantics.loader import policy_path_for
    from .pipeline import check

    path = policy_path_for(spec, root)
    if not os.path.isfile(path):
        raise BatchError(f"no policy {spec!r} (looked for {path})", f"没有政策“{spec}”（查找了 {path}）")
    run = check([path], root)
    targets = run.target_policies()
    if not targets or targets[0].has_errors:
        raise BatchError(f"{spec} has errors; fix them first (policylang check)",
                         f"{spec} 有错误，请先改正（运行 policylang check 查看）", findings=True)
    return targets[0]
