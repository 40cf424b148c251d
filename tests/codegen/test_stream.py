"""`policylang eval` streaming: CSV and JSON Lines in batches, in this process and in workers, the
same results as the module evaluated case by case; invalid rows get their own error and the run
goes on; synthetic claims (policylang/claims.py) are reproducible and evaluate."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from click.testing import CliRunner

from policylang import claims
from policylang.backends.pycodegen import compile_module
from policylang.backends.runner import evaluate_case
from policylang.commands.claims import claims_command
from policylang.commands.eval import eval_command
from policylang.pipeline import check
from support import POLICIES

ROOT = ["--root", str(POLICIES)]
GD = "cn/gd/stent-2020"
CONTEXT = ",".join(claims.STENT_CONTEXT)
AS_OF = dt.date(2021, 6, 1)


def _eval(args, stdin=None):
    return CliRunner().invoke(eval_command, [*args, *ROOT], input=stdin)


@pytest.fixture(scope="module")
def module():
    run = check([str(POLICIES / "cn/gd/stent-2020.policy")], str(POLICIES))
    return compile_module(run.target_policies()[0])


def _expected(module, rows: list[dict], decisions=None) -> list[dict]:
    """What evaluating each claim on its own gives (runner.evaluate_case, the general path)."""
    out = []
    for row in rows:
        case = {k: v for k, v in row.items() if v.strip() != "" and k not in claims.STENT_CONTEXT}
        slot, _ = evaluate_case(module, case, AS_OF, decisions, False)
        out.append({**{k: row[k] for k in claims.STENT_CONTEXT}, **slot})
    return out


def test_claims_are_seeded_and_documented(tmp_path):
    first = list(claims.generate("stent", 500, seed=3))
    assert first == list(claims.generate("stent", 500, seed=3))
    assert first != list(claims.generate("stent", 500, seed=4))
    assert list(first[0]) == list(claims.COLUMNS["stent"])
    selected = [r for r in first if r["selected"] == "true"]
    assert 0.7 < len(selected) / len(first) < 0.97
    assert {r["price"] for r in selected} <= {p for _, p in claims.SELECTED_STENTS}
    assert all(469 <= float(r["price"]) <= 798 for r in selected)
    assert max(float(r["price"]) for r in first if r["selected"] == "false") > 7000
    assert {r["insurance_type"] for r in first} == {"employee", "retired", "resident"}
    spine = list(claims.generate("spine", 300, seed=3))
    assert {r["institution_type"] for r in spine} <= {"public", "military", "private_designated", "private_other"}
    # The command writes the same bytes for the same seed, and says the data is synthetic.
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for path in (a, b):
        result = CliRunner().invoke(claims_command, ["stent", "-n", "200", "--seed", "9", "-o", str(path)])
        assert result.exit_code == 0 and "synthetic" in result.stderr
    assert a.read_bytes() == b.read_bytes() and a.read_text(encoding="utf-8").startswith("claim_id,city,")
    jsonl = tmp_path / "c.jsonl"
    assert CliRunner().invoke(claims_command, ["spine", "-n", "5", "-o", str(jsonl)]).exit_code == 0
    assert json.loads(jsonl.read_text(encoding="utf-8").splitlines()[0])["rod_plate_used"] in (True, False)


@pytest.mark.parametrize("jobs, batch", [("1", "7"), ("2", "50"), ("1", "5000")])
def test_streamed_csv_equals_case_by_case(tmp_path, module, jobs, batch):
    rows = list(claims.generate("stent", 400, seed=5))
    path = tmp_path / "claims.csv"
    claims.write(str(path), "stent", 400, seed=5)
    result = _eval([GD, "-i", str(path), "--as-of", "2021-06-01", "--keep", CONTEXT, "-j", jobs,
                    "--batch-size", batch])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 402  # one case per line
    assert json.loads(result.stdout) == _expected(module, rows)
    # JSON Lines out, and CSV out: the same values.
    result = _eval([GD, "-i", str(path), "--as-of", "2021-06-01", "--keep", CONTEXT, "-f", "jsonl",
                    "-j", jobs, "--batch-size", batch])
    assert [json.loads(line) for line in result.stdout.splitlines()] == _expected(module, rows)
    out = tmp_path / "out.csv"
    result = _eval([GD, "-i", str(path), "--as-of", "2021-06-01", "--keep", CONTEXT, "-f", "csv", "-o", str(out),
                    "-j", jobs, "--batch-size", batch])
    assert result.exit_code == 0 and result.stdout == ""
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    expected = _expected(module, rows)
    assert [r["fund_pays"] for r in table] == [e["fund_pays"] or "" for e in expected]  # unlisted: none
    assert [r["settlement_on_time"] for r in table] == [str(e["settlement_on_time"]).lower() for e in expected]
    assert [r["retained_surplus_max"] for r in table] == [e["retained_surplus_max"] or "" for e in expected]
    assert [r["claim_id"] for r in table] == [e["claim_id"] for e in expected]


def test_invalid_rows_get_their_own_error_and_the_batch_goes_on(tmp_path, module):
    path = tmp_path / "claims.csv"
    claims.write(str(path), "stent", 300, seed=11, invalid=0.1)
    rows = list(claims.generate("stent", 300, seed=11, invalid=0.1))
    result = _eval([GD, "-i", str(path), "--as-of", "2021-06-01", "--keep", CONTEXT, "--batch-size", "16", "-j", "2"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out == _expected(module, rows) and len(out) == 300
    failed = [i for i, slot in enumerate(out) if "_error" in slot and "fund_pays" not in slot]
    assert 10 < len(failed) < 60
    errors = [line for line in result.stderr.splitlines() if line.startswith("case ")]
    assert [int(line.split()[1].rstrip(":")) for line in errors] == failed
    summary = result.stderr.splitlines()[-1]
    assert summary.startswith(f"policylang eval: {len(failed)} of 300 cases failed (invalid_input ")
    for i in failed:
        assert out[i]["claim_id"] == rows[i]["claim_id"] and out[i]["_error"]["error"] == "invalid_input"


def test_row_problems_are_one_cases_error(tmp_path):
    table = tmp_path / "cases.csv"
    table.write_text("selected,lowest_purchase_price,selected_price\nfalse,7000.01,\ntrue,1,2,3\n\ntrue,,590.5\n",
                     encoding="utf-8")
    result = _eval([GD, "-i", str(table), "-d", "listing_price"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out[0] == {"listing_price": None} and out[2] == {"listing_price": "590.50"}
    assert out[1]["_error"] == {"error": "invalid_row", "field": None, "decision": None,
                                "message": "CSV line 3 has 4 cells but the header has 3"}
    assert "case 1: CSV line 3 has 4 cells" in result.stderr
    lines = tmp_path / "cases.jsonl"
    lines.write_text('{"selected": true, "selected_price": "1"}\n{"selected": \n[1]\n{"selected": false, '
                     '"lowest_purchase_price": "5", "as_of": "2021-02-30"}\n', encoding="utf-8")
    result = _eval([GD, "-i", str(lines), "-d", "listing_price", "-f", "jsonl"])
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0] == {"listing_price": "1.00"}
    assert out[1]["_error"]["message"].startswith("line 2 is not valid JSON")
    assert out[2]["_error"]["message"] == "line 3 is not an object mapping input names to values"
    assert out[3]["_error"]["field"] == "as_of"
    assert "3 of 4 cases failed" in result.stderr
    zh = _eval([GD, "-i", str(lines), "-d", "listing_price", "--lang", "zh"])
    assert "第 2 个案例：第 3 行不是一个对象" in zh.stderr and "4 个案例中 3 个无法计算" in zh.stderr


def test_stdin_is_sniffed_and_empty_inputs(tmp_path):
    case = {"selected": True, "selected_price": "469"}
    result = _eval([GD, "-i", "-", "-d", "listing_price"], stdin=json.dumps(case) + "\n" + json.dumps(case) + "\n")
    assert result.exit_code == 0 and json.loads(result.stdout) == [{"listing_price": "469.00"}] * 2
    result = _eval([GD, "-i", "-", "-d", "listing_price"], stdin=json.dumps(case, indent=2))
    assert result.exit_code == 0 and json.loads(result.stdout) == [{"listing_price": "469.00"}]
    result = _eval([GD, "-i", "-", "-d", "listing_price", "-f", "csv"], stdin="selected,selected_price\ntrue,469\n")
    assert result.stdout == ("listing_price,_error,_error_field,_error_message,_violations\n469.00,,,,\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("selected,price\n", encoding="utf-8")
    result = _eval([GD, "-i", str(empty)])
    assert result.exit_code == 0 and result.stdout == "[]\n"


def test_explain_streams_in_batches(tmp_path, module):
    path = tmp_path / "claims.csv"
    claims.write(str(path), "stent", 30, seed=2)
    result = _eval([GD, "-i", str(path), "--as-of", "2021-06-01", "--keep", CONTEXT, "--explain", "-f", "jsonl",
                    "--batch-size", "4", "-j", "2"])
    assert result.exit_code == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 30
    step = out[0]["_explain"]["fund_pays"][-1]
    assert step["policy"] == "cn/stent-2020" and step["article"] == "二(三)"
    csv_out = _eval([GD, "-i", str(path), "--as-of", "2021-06-01", "--keep", CONTEXT, "--explain", "-f", "csv"])
    table = list(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert json.loads(table[0]["_explain"]) == out[0]["_explain"]


def test_keep_must_not_name_an_input():
    result = _eval([GD, "-i", "-", "--keep", "price"], stdin="{}")
    assert result.exit_code == 2 and "--keep price" in result.stderr


def test_the_readme_claims_example_runs(tmp_path):
    import re
    import shutil
    import subprocess
    import sys

    from support import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("**Claims at volume.**", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    shutil.copytree(POLICIES, tmp_path / "policies")
    commands = [line.split()[1:] for line in block.strip().splitlines()]
    assert [c[0] for c in commands] == ["claims", "eval"]
    commands[0][commands[0].index("100000")] = "2000"  # the same command, smaller
    for args in commands:
        proc = subprocess.run([sys.executable, "-m", "policylang", *args], cwd=tmp_path, capture_output=True,
                              text=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=300)
        assert proc.returncode == 0, proc.stderr
    table = list(csv.DictReader(io.StringIO((tmp_path / "results.csv").read_text(encoding="utf-8"))))
    assert len(table) == 2000 and re.fullmatch(r"\d+\.\d\d", table[0]["fund_pays"])


def _awkward_claims(tmp_path, newline="\n") -> str:
    """Synthetic claims with hostile rows, then records the fast ways must hand over or quote:
    kept cells with commas, quotes and line breaks, a requirement broken, too many cells, blank
    lines, an unknown column's cell."""
    path = tmp_path / "claims.csv"
    claims.write(str(path), "stent", 600, seed=13, invalid=0.15)
    text = path.read_text(encoding="utf-8")
    rows = text.splitlines(keepends=True)
    good = rows[1].rstrip("\n").split(",")
    broken = list(good)
    broken[6:9] = ["true", "498.00", "500.00"]  # selected at a price that is not its selected price
    quoted = ['"S1,x"', '"广州\n市"', '"a ""b"""'] + good[3:]
    extra = [",".join(good) + ",surplus\n", "\n", "   \n", ",".join(broken) + "\n", ",".join(quoted) + "\n"]
    body = rows[1:300] + extra + rows[300:] + extra
    out = tmp_path / "awkward.csv"
    out.write_text((rows[0] + "".join(body)).replace("\n", newline), encoding="utf-8", newline="")
    return str(out)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_files_by_ranges_and_by_lines_write_the_same_bytes(tmp_path, newline, monkeypatch):
    from policylang.backends import stream

    path = _awkward_claims(tmp_path, newline)
    for fmt in ("csv", "jsonl", "json"):
        base = [GD, "--as-of", "2021-06-01", "--keep", CONTEXT, "-f", fmt, "-i", path]
        with monkeypatch.context() as patched:  # the file read line by line, as standard input is
            patched.setattr(stream, "lone_carriage_return", lambda path: True)
            reference = _eval([*base, "-j", "1", "--batch-size", "5000"])
        assert reference.exit_code == 1 and "cases failed" in reference.stderr
        if newline == "\n":
            with open(path, encoding="utf-8", newline="") as fh:
                assert _eval([*base[:-2], "-i", "-"], stdin=fh.read()).stdout == reference.stdout
        for jobs, batch in (("1", "7"), ("2", "33"), ("2", "5000")):
            out = tmp_path / f"out-{jobs}-{batch}.{fmt}"
            result = _eval([*base, "-j", jobs, "--batch-size", batch, "-o", str(out)])
            assert out.read_text(encoding="utf-8") == reference.stdout
            assert result.stderr == reference.stderr and result.exit_code == 1


def test_row_function_writes_what_the_general_writer_writes(tmp_path, module):
    from policylang.backends import stream

    path = _awkward_claims(tmp_path)
    with open(path, encoding="utf-8", newline="") as fh:
        header_line = fh.readline()
        text = fh.read()
    header, _ = stream.csv_header(iter([header_line]))
    for fmt in ("csv", "jsonl"):
        opts = stream.Options(AS_OF, None, False, claims.STENT_CONTEXT, fmt, lambda exc, case: str(exc))
        fast = stream.Batcher(module, opts, "csv", header)
        assert fast.row_plain is not None and fast.row_quoted is not None
        plain = stream.Batcher(module, opts, "csv", header)
        plain.row_plain = plain.row_quoted = None  # the record-by-record way: _fast, then Writer
        for cut in (text, text.replace('"', "")):  # with quotes (csv.reader) and without (split)
            a, b = fast.csv_batch(cut, 2), plain.csv_batch(cut, 2)
            assert a.text == b.text and a.cases == b.cases and a.messages == b.messages
            assert a.failures == b.failures and sum(a.failures.values()) > 50
        # a requirement that reads only the case's inputs is checked without the lazy evaluator
        assert "_Run(" not in fast.row_plain.source and "_r0(h)" in fast.row_plain.source
