"""The SQL backend's own promises: rounding at the fen in every mode equals Python's decimal (at the
.005 boundaries and for negative amounts), hostile names and texts stay data, compile --target sql
writes queries DuckDB runs, and `policylang run` reports failed rows and exits as documented."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import header, write_tree
from policylang.backends.sql import SqlInternalError, UnsupportedInSql, compile_sql
from policylang.batch import evaluate_rows, load_policy, reference_rows, run_file
from policylang.cli import cli
from support import POLICIES, resolve_tree
from test_duckdb_differential import assert_same

MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "up": ROUND_CEILING, "down": ROUND_FLOOR}
ROUNDING = header("national", "2021-01-01") + """\
input a: money
input b: money
input r: percent
""" + "".join(f"decision m_{m}: money = round((a - b) * r, fen, {m})\n" for m in MODES) + \
    "".join(f"decision y_{m}: money = round((a - b) * r, yuan, {m})\n" for m in MODES)


@pytest.fixture(scope="module")
def rounding_policy(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("r"), {"cn/round": ROUNDING})
    policy = resolve_tree(root)["cn/round"]
    assert not policy.has_errors
    return policy


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(st.fixed_dictionaries({
    "a": st.integers(0, 100000).map(lambda n: f"{n // 100}.{n % 100:02d}"),
    "b": st.integers(0, 100000).map(lambda n: f"{n // 100}.{n % 100:02d}"),
    "r": st.sampled_from(["50%", "10%", "25%", "12.5%", "5%", "0.1", "100%", "37.5%", "0.01%"])}), min_size=1,
    max_size=30))
def test_rounding_modes_equal_python_decimal(rounding_policy, rows):
    got = evaluate_rows(rounding_policy, rows, as_of=dt.date(2022, 1, 1), columns=["a", "b", "r"])
    for row, g in zip(rows, got):
        exact = (Decimal(row["a"]) - Decimal(row["b"])) * (Decimal(row["r"][:-1]) / 100 if row["r"].endswith("%")
                                                          else Decimal(row["r"]))
        for m, mode in MODES.items():
            assert g[f"m_{m}"] == exact.quantize(Decimal("0.01"), rounding=mode), (m, row)
            assert g[f"y_{m}"] == exact.quantize(Decimal("1"), rounding=mode), (m, row)


def test_rounding_either_side_of_the_64_bit_path(rounding_policy):
    # DuckDB rounds a value that fits 64 bits in them and a larger one in 128: (a - b) * r at 12
    # decimals fits below 10^5, so amounts just below, at and above it, and the largest amounts, at a
    # .005 tie and off it, both signs, must round the same in every mode
    amounts = ["99999.99", "100000.00", "100000.01", "199999.99", "200000.01", "9999999999999999.99",
               "1234567890123.45"]
    rates = ["50%", "99.99999999%", "0.0000001", "100%", "0.01%"]
    rows = [{"a": a, "b": "0", "r": r} for a in amounts for r in rates] + \
        [{"a": "0", "b": a, "r": r} for a in amounts for r in rates]
    got = evaluate_rows(rounding_policy, rows, as_of=dt.date(2022, 1, 1), columns=["a", "b", "r"])
    for row, g in zip(rows, got):
        rate = Decimal(row["r"][:-1]) / 100 if row["r"].endswith("%") else Decimal(row["r"])
        exact = (Decimal(row["a"]) - Decimal(row["b"])) * rate
        for m, mode in MODES.items():
            assert g[f"m_{m}"] == exact.quantize(Decimal("0.01"), rounding=mode), (m, row)
            assert g[f"y_{m}"] == exact.quantize(Decimal("1"), rounding=mode), (m, row)
    assert_same(rounding_policy, rows, dt.date(2022, 1, 1), got,
                reference_rows(rounding_policy, rows, as_of=dt.date(2022, 1, 1)))


def test_rounding_at_the_boundaries(rounding_policy):
    # (a - b) * 50% is exactly at .005 for an odd number of fen: both signs, both parities
    rows = [{"a": a, "b": b, "r": "50%"} for a, b in [("0.01", "0"), ("0.03", "0"), ("0", "0.01"), ("0", "0.03"),
                                                       ("2.69", "0"), ("0", "2.69"), ("1.01", "0"), ("0", "5.35")]]
    got = evaluate_rows(rounding_policy, rows, as_of=dt.date(2022, 1, 1), columns=["a", "b", "r"])
    want = reference_rows(rounding_policy, rows, as_of=dt.date(2022, 1, 1))
    assert_same(rounding_policy, rows, dt.date(2022, 1, 1), got, want)
    assert [g["m_half_even"] for g in got[:4]] == [Decimal("0.00"), Decimal("0.02"), Decimal("0.00"), Decimal("-0.02")]
    assert [g["m_half_up"] for g in got[:4]] == [Decimal("0.01"), Decimal("0.02"), Decimal("-0.01"), Decimal("-0.02")]
    assert [g["m_up"] for g in got[2:4]] == [Decimal("0.00"), Decimal("-0.01")]
    assert [g["m_down"] for g in got[2:4]] == [Decimal("-0.01"), Decimal("-0.02")]


HOSTILE = header("national", "2021-01-01") + """\
enum Kind { union "it's \\\\ a \\"kind\\"", join "第二\\n种" }
input select: money "SELECT * FROM x; --"
input from: Kind
input where: bool optional
decision group: money "引号 ' \\" 反斜杠 \\\\" {
    when from == union then select * 50% "DROP TABLE cases; --"
    otherwise select
}
decision order: bool = where
"""


def test_hostile_names_and_texts_are_data(tmp_path):
    root = write_tree(tmp_path, {"cn/hostile": HOSTILE})
    policy = resolve_tree(root)["cn/hostile"]
    assert not policy.has_errors, policy
    rows = [{"select": "100", "from": "union", "where": "true"}, {"select": "100", "from": "join"},
            {"select": "1", "from": "it's"}, {"select": "x'); DROP TABLE cases; --", "from": "union"}]
    got = evaluate_rows(policy, rows, as_of=dt.date(2022, 1, 1), columns=["select", "from", "where"],
                        rule_columns=True)
    want = reference_rows(policy, rows, as_of=dt.date(2022, 1, 1))
    assert_same(policy, rows, dt.date(2022, 1, 1), got, want)
    assert got[0]["group"] == Decimal("50.00") and got[1]["group"] == Decimal("100.00")
    assert got[2]["_error_reason"] == "not_member" and got[3]["_error_reason"] == "malformed"
    for dialect in ("duckdb", "spark"):
        text = compile_sql(policy, dialect).sql
        assert "DROP TABLE" not in text.replace("'DROP TABLE", "")  # labels never reach the SQL at all


def test_unknown_lowered_node_is_an_internal_error(monkeypatch):
    from policylang.lowering import ir

    policy = resolve_tree(POLICIES)["cn/stent-2020"]

    class NewNode(ir.Expr):
        info = None

    from policylang.backends.sql.compiler import SqlGen

    gen = SqlGen(policy, "duckdb")
    with pytest.raises(SqlInternalError, match="NewNode"):
        gen.expr(NewNode())


PERIOD = header("national", "2021-01-01") + """\
input start: date
decision wait: duration = 2 years
decision due: date = start + 2 years
"""


def test_a_construct_sql_does_not_compile_is_a_finding_naming_it(tmp_path):
    root = write_tree(tmp_path, {"cn/period": PERIOD})
    policy = resolve_tree(root)["cn/period"]
    assert not policy.has_errors, policy
    with pytest.raises(UnsupportedInSql, match="period"):
        compile_sql(policy, "duckdb")
    data = tmp_path / "cases.csv"
    data.write_text("start\n2021-01-31\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", "cn/period", "--data", str(data), "--out", str(tmp_path / "o.csv"),
                                      "--root", root, "--as-of", "2022-01-01"])
    assert result.exit_code == 1, result.output
    assert "cannot be compiled to SQL: the SQL backend does not support a period" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["run", "cn/period", "--data", str(data), "--out", str(tmp_path / "o.csv"),
                                      "--root", root, "--as-of", "2022-01-01", "--lang", "zh"])
    assert result.exit_code == 1 and "SQL 后端不支持 把期限（" in result.output, result.output
    # compile --target sql says the same, in either language, and writes nothing
    for lang, said in (("en", "cn/period cannot be compiled to SQL: the SQL backend does not support a period"),
                       ("zh", "cn/period 无法编译为 SQL：SQL 后端不支持 把期限（")):
        out = tmp_path / f"sql-{lang}"
        result = CliRunner().invoke(cli, ["compile", "cn/period", "--target", "sql", "-o", str(out), "--root", root],
                                    env={"POLICYLANG_LANG": lang})
        assert result.exit_code == 1, result.output
        assert said in result.output, result.output
        assert not out.exists() or not any(out.rglob("*.sql"))


def test_compile_target_sql_writes_queries_duckdb_runs(tmp_path):
    out = tmp_path / "sql"
    result = CliRunner().invoke(cli, ["compile", str(POLICIES / "cn" / "gd" / "stent-2020.policy"), "--target", "sql",
                                      "--dialect", "duckdb", "-o", str(out), "--root", str(POLICIES)])
    assert result.exit_code == 0, result.output
    path = out / "cn" / "gd" / "stent-2020.duckdb.sql"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("-- cn/gd/stent-2020") and "fund_pays: money -> DECIMAL(38, 2)" in text
    con = duckdb.connect()
    con.execute("CREATE TABLE cases AS SELECT 'true' AS selected, '469' AS selected_price, '469' AS "
                "lowest_purchase_price, '469' AS price, 'true' AS in_fund_scope, '80%' AS reimbursement_ratio, '100000' AS agreed_amount, "
                "'2021-03-10' AS acceptance_date, '2021-04-30' AS payment_date, NULL AS fund_savings, "
                "'1500' AS nonselected_payment_cap, NULL AS highest_selected_price, NULL AS retention_ratio, "
                "'true' AS assessment_passed")
    cur = con.execute(text)
    row = dict(zip([d[0] for d in cur.description], cur.fetchall()[0]))
    assert row["fund_pays"] == Decimal("375.20") and row["patient_pays"] == Decimal("93.80")
    assert row["settlement_deadline"] == dt.date(2021, 4, 30) and row["_error"] is None
    spark = CliRunner().invoke(cli, ["compile", str(POLICIES / "cn" / "gd" / "stent-2020.policy"), "--target", "sql",
                                     "--dialect", "spark", "-o", str(out), "--root", str(POLICIES)])
    assert spark.exit_code == 0, spark.output
    assert "`fund_pays`" in (out / "cn" / "gd" / "stent-2020.spark.sql").read_text(encoding="utf-8")


def test_run_says_what_is_wrong_in_the_chosen_language(tmp_path):
    # every message of `run` comes from the catalogue, in English or Chinese
    data = tmp_path / "cases.csv"
    data.write_text("selected\ntrue\n", encoding="utf-8")
    base = ["run", "cn/gd/stent-2020", "--data", str(data), "--out", str(tmp_path / "o.csv"), "--root", str(POLICIES)]
    for extra, english, chinese, status in (
            (["--conf", "spark.x"], "--conf takes KEY=VALUE, not 'spark.x'", "--conf 应写作“设置项=值”，不能是“spark.x”", 2),
            (["--blank", "cap"], "--blank takes NAME=VALUE, not 'cap'", "--blank 应写作“名称=值”，不能是“cap”", 2),
            (["--as-of", "June"], "--as-of must be a date written YYYY-MM-DD, not 'June'",
             "--as-of 必须是形如 2021-01-15 的日期（年-月-日），不能是“June”", 2),
            (["--memory-limit", "1XB"], "--memory-limit takes a size such as 1GB or 512MB, not '1XB'",
             "--memory-limit 应写作 1GB、512MB 这样的大小，不能是“1XB”", 2),
            (["--memory-limit", "1GB", "--engine", "spark"], "--memory-limit is DuckDB's; give Spark its memory",
             "--memory-limit 只用于 DuckDB；Spark 的内存请用 --conf", 2)):
        en = CliRunner().invoke(cli, base + extra)
        zh = CliRunner().invoke(cli, ["--lang", "zh"] + base + extra)
        assert en.exit_code == zh.exit_code == status, (en.output, zh.output)
        assert f"policylang run: {english}" in en.output and f"policylang run：{chinese}" in zh.output, zh.output
    missing = CliRunner().invoke(cli, ["--lang", "zh", "run", "cn/gd/no-such", "--data", str(data), "--out",
                                       str(tmp_path / "o.csv"), "--root", str(POLICIES)])
    assert missing.exit_code == 2 and "policylang run：没有政策“cn/gd/no-such”" in missing.output, missing.output


def test_run_counts_failed_rows_and_exits_1_unless_told_to_continue(tmp_path):
    data = tmp_path / "cases.csv"
    data.write_text("claim,selected,selected_price,lowest_purchase_price,price,in_fund_scope,reimbursement_ratio,"
                    "agreed_amount,acceptance_date,payment_date\n"
                    "a,true,469,469,469,true,80%,100000,2021-03-10,2021-04-30\n"
                    "b,maybe,469,469,469,true,80%,100000,2021-03-10,2021-04-30\n"
                    "c,true,469,469,-5,true,80%,100000,2021-02-30,2021-04-30\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    args = ["run", "cn/gd/stent-2020", "--data", str(data), "--out", str(out), "--as-of", "2021-03-01",
            "--root", str(POLICIES)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "3 rows, 1 ok, 2 failed" in result.output
    assert "invalid_input: selected: not_bool" in result.output and "invalid_input: price: negative" in result.output
    rows = duckdb.connect().read_parquet(str(out)).order("claim").fetchall()
    assert len(rows) == 3
    again = CliRunner().invoke(cli, args + ["--continue-on-error", "--no-rules"])
    assert again.exit_code == 0, again.output
    cur = duckdb.connect().execute(f"SELECT * FROM read_parquet('{out}') ORDER BY claim")
    names = [d[0] for d in cur.description]
    recs = [dict(zip(names, r)) for r in cur.fetchall()]
    assert not any(n.endswith("__rule") for n in names)
    assert recs[0]["fund_pays"] == Decimal("375.20") and recs[1]["fund_pays"] is None
    assert recs[1]["_error_message"] == "'selected' must be true or false, not 'maybe'"
    assert recs[2]["_error_field"] == "price"  # the first bad input in the file's column order
    bad = CliRunner().invoke(cli, ["run", "cn/gd/stent-2020", "--data", str(tmp_path / "none.csv"), "--out",
                                   str(out), "--root", str(POLICIES)])
    assert bad.exit_code == 2 and "no such file" in bad.output


def test_a_memory_limit_writes_the_same_file_and_leaves_no_spill_folder(tmp_path):
    # DuckDB holds rows to write them in the input's order; under --memory-limit it writes them to a
    # folder next to the output instead, and the file is the same bytes. A limit too small for the
    # batch is the caller's to raise, said as such (not DuckDB's advice about SET statements).
    from policylang import claims
    from policylang.batch import BatchError, memory_size

    data = tmp_path / "claims.csv"
    claims.write(str(data), "stent", 200_000, seed=3)
    policy = load_policy("cn/gd/stent-2020", str(POLICIES))
    outs = {}
    for limit in (None, "256MB"):
        out = tmp_path / f"out-{limit}.csv"
        result = run_file(policy, str(data), str(out), as_of=dt.date(2021, 6, 1), threads=2, memory_limit=limit)
        assert result.rows == 200_000
        outs[limit] = out.read_bytes()
    assert outs[None] == outs["256MB"]
    with pytest.raises(BatchError) as too_small:
        run_file(policy, str(data), str(tmp_path / "small.csv"), as_of=dt.date(2021, 6, 1), threads=2,
                 memory_limit="16MB")
    assert "--memory-limit" in str(too_small.value) and "SET " not in str(too_small.value)
    assert "--memory-limit" in too_small.value.zh
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".policylang-spill-")]
    with pytest.raises(BatchError) as nowhere:  # no folder to spill to: said, not a traceback
        run_file(policy, str(data), str(tmp_path / "missing" / "out.csv"), as_of=dt.date(2021, 6, 1),
                 memory_limit="1GB")
    assert "--memory-limit" in str(nowhere.value) and "missing" in str(nowhere.value)
    assert memory_size(" 512 mib ") == "512MiB" and memory_size("1.5GB") == "1.5GB"
    for bad in ("", "0GB", "1XB", "1GB'; SELECT 1; --", "GB", "-1GB"):
        with pytest.raises(BatchError):
            memory_size(bad)


def input_forms_policy(tmp_path):
    from samples import INPUT_FORMS_POLICY

    policy = resolve_tree(write_tree(tmp_path, {"cn/forms": INPUT_FORMS_POLICY}))["cn/forms"]
    assert not policy.has_errors, policy
    return policy


def assert_input_forms(policy, engine, **kw):
    """Every form of input text is accepted or refused as the Python module does, to the value."""
    from samples import INPUT_FORMS, input_form_rows

    rows = input_form_rows()
    day = dt.date(2022, 1, 1)
    got = evaluate_rows(policy, rows, as_of=day, columns=list(INPUT_FORMS), engine=engine, **kw)
    want = reference_rows(policy, rows, as_of=day)
    assert_same(policy, rows, day, got, want)
    accepted = sum(1 for w in want if w["_error"] is None)
    assert 40 < accepted < len(rows) - 20  # both sides of the line are exercised


def test_input_text_forms_match_the_python_module_on_duckdb(tmp_path):
    assert_input_forms(input_forms_policy(tmp_path), "duckdb")


def test_a_policy_not_in_force_fails_every_row_as_the_python_module_does():
    policy = resolve_tree(POLICIES)["cn/gd/stent-2020"]
    rows = [{"selected": "true", "selected_price": "469", "price": "469"}, {"selected": "maybe"}]
    day = dt.date(2019, 1, 1)
    got = evaluate_rows(policy, rows, as_of=day, columns=["selected", "selected_price", "price"])
    want = reference_rows(policy, rows, as_of=day)
    assert_same(policy, rows, day, got, want)
    assert [g["_error"] for g in got] == ["not_in_force", "not_in_force"]
    assert all(g["_error_field"] == "as_of" and g["fund_pays"] is None for g in got)
    assert "is not in force on 2019-01-01" in want[0]["_error_message"]


DATE_PLUS_PERIOD = header("national") + """
input d: date
input n: count
decision when_due: date = d + 3 months
decision soon: date = d + 10 days
decision amount_n: count = n
"""


def test_a_missing_date_fails_the_decision_that_adds_a_period_to_it(tmp_path):
    """The date's own error comes first in `date + period` (it was dropped, so a later decision's
    error was reported instead, unlike the Python module)."""
    policy = resolve_tree(write_tree(tmp_path, {"cn/dates": DATE_PLUS_PERIOD}))["cn/dates"]
    assert not policy.has_errors, policy
    rows = [{}, {"n": "3"}, {"d": "2022-01-31"}, {"d": "2022-01-31", "n": "2"}]
    day = dt.date(2022, 1, 1)
    got = evaluate_rows(policy, rows, as_of=day, columns=["d", "n"])
    want = reference_rows(policy, rows, as_of=day)
    assert_same(policy, rows, day, got, want)
    assert [g["_error_decision"] for g in got] == ["when_due", "when_due", "amount_n", None]
    assert got[3]["when_due"] == dt.date(2022, 4, 30)


def test_the_written_out_whitespace_is_what_str_strip_removes():
    # the validation trims exactly Python's whitespace; the set is written out in the compiler (computing
    # it at import cost 0.4 s a run), so a Python with another Unicode table must show up here
    from policylang.backends.sql.compiler import PY_SPACE

    assert PY_SPACE == "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    assert ("x" + PY_SPACE + "y" + PY_SPACE).strip() == "x" + PY_SPACE + "y"


@pytest.mark.parametrize("scale", [0, 2, 10, 12, 17, 20])
def test_decimals_written_as_text_are_the_text_of_decimal_38(scale):
    # run writes a CSV file's money, decimal and percent decisions as text, through DECIMAL(18, s) where
    # the value fits one: the same text as DECIMAL(38, s) on either side of that bound, signs and zeros
    import decimal

    from sqlglot import exp

    from policylang.backends.sql.compiler import SqlGen

    with decimal.localcontext() as ctx:
        ctx.prec = 60  # 38 digits and a scale: more than the default 28
        fits = Decimal(10) ** (18 - scale) if scale < 18 else None
        ulp = Decimal(1).scaleb(-scale)
        values = [Decimal(0), ulp, -ulp, Decimal("0.5"), Decimal("-0.5"), Decimal(123), Decimal(-7)]
        if fits is not None:
            values += [fits - ulp, -(fits - ulp), fits, -fits, fits * 10 + ulp]
        values += [Decimal(10) ** (38 - scale) - ulp, -(Decimal(10) ** (38 - scale)) + ulp]
        texts = [format(v.quantize(ulp), "f") for v in values]
        small = [t for v, t in zip(values, texts) if fits is not None and abs(v) < fits]
    con = duckdb.connect()
    for digits in (None, 38 - scale):
        text = SqlGen.decimal_text(exp.column("x", quoted=True), scale, digits).sql("duckdb")
        for literal in texts + ["NULL"]:
            got, want = con.execute(f"SELECT {text}, CAST(x AS VARCHAR) FROM (SELECT CAST({literal} AS "
                                    f"DECIMAL(38, {scale})) AS x)").fetchone()
            assert got == want, (scale, literal, got, want)
    # a bound that says the value always fits DECIMAL(18, s): the narrow rendering without a test
    if fits is not None:
        text = SqlGen.decimal_text(exp.column("x", quoted=True), scale, 18 - scale).sql("duckdb")
        assert "CASE" not in text
        for literal in small:
            got, want = con.execute(f"SELECT {text}, CAST(CAST(x AS DECIMAL(38, {scale})) AS VARCHAR) FROM "
                                    f"(SELECT CAST({literal} AS DECIMAL(18, {scale})) AS x)").fetchone()
            assert got == want, (scale, literal, got, want)


STENT_HEADER = ("claim,city,selected,selected_price,lowest_purchase_price,price,in_fund_scope,reimbursement_ratio,"
                "agreed_amount,acceptance_date,payment_date")
STENT_ROW = "true,469,469,469,true,80%,100000,2021-03-10,2021-04-30"


def _run_csv(tmp_path, text: str, **kw):
    data, out = tmp_path / "cases.csv", tmp_path / "out.csv"
    data.write_bytes(text.encode("utf-8"))
    result = run_file(load_policy("cn/gd/stent-2020", str(POLICIES)), str(data), str(out),
                      as_of=dt.date(2021, 3, 1), rule_columns=False, **kw)
    with open(out, newline="", encoding="utf-8") as fh:
        return result, list(csv.DictReader(fh))


def test_csv_is_read_as_eval_reads_it_not_as_sniffed(tmp_path):
    # RFC 4180 with commas, told to DuckDB: a quoted cell far past the sniffer's sample (which, seeing
    # no quote, read such a cell as text and split it) is one cell
    rows = [f"c{n},Foshan,{STENT_ROW}" for n in range(25_000)] + [f'"last, quoted","Foshan, ""Guangdong""",{STENT_ROW}']
    result, out = _run_csv(tmp_path, STENT_HEADER + "\n" + "\n".join(rows) + "\n")
    assert result.rows == 25_001 and result.failed == 0
    assert out[-1]["claim"] == "last, quoted" and out[-1]["city"] == 'Foshan, "Guangdong"'
    assert out[-1]["fund_pays"] == out[0]["fund_pays"] == "375.20"
    # a byte order mark, CRLF and names with spaces around them, as `eval` reads them
    spaced = "\ufeff" + ",".join(f" {name} " for name in STENT_HEADER.split(",")) + "\r\n"
    result, out = _run_csv(tmp_path, spaced + f"a,Foshan,{STENT_ROW}\r\n")
    assert result.failed == 0 and out[0]["claim"] == "a" and out[0]["fund_pays"] == "375.20"
    # a file that is not comma-separated is still read, by DuckDB's sniffer
    semi = STENT_HEADER.replace(",", ";") + "\n" + f"a;Foshan;{STENT_ROW}".replace(",", ";") + "\n"
    result, out = _run_csv(tmp_path, semi)
    assert result.failed == 0 and out[0]["fund_pays"] == "375.20"


def test_a_record_that_is_not_csv_is_said_with_its_line(tmp_path):
    from policylang.batch import BatchError

    for body, english, chinese in (
            (f"a,Foshan,{STENT_ROW}\nb\n", "line 3 is not valid CSV: it has 1 cell where the header has 11",
             "第 3 行不是有效的 CSV：该行有 1 个单元格，表头有 11 个"),
            (f'a,"Foshan,{STENT_ROW}\n', "line 2 is not valid CSV: a quoted cell is not closed",
             "第 2 行不是有效的 CSV：有带引号的单元格没有闭合")):
        with pytest.raises(BatchError) as caught:
            _run_csv(tmp_path, STENT_HEADER + "\n" + body)
        assert english in str(caught.value) and chinese in caught.value.zh, caught.value
        assert "strict_mode" not in str(caught.value)  # not the reader options `run` does not take
