"""The reproductions of the hostile-input issues, through the command line and the compiled
modules: a finding or a named input error every time, exit 0/1/2 as documented, never an internal
error or a traceback, and no time to speak of."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import subprocess
import sys
import time

import pytest

from helpers import header, write_tree

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def policylang(*args, cwd=None, timeout=120):
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1", POLICYLANG_NO_CACHE="1")
    env.pop("POLICYLANG_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "policylang", *args], cwd=cwd, capture_output=True,
                          env=env, timeout=timeout)
    proc.out = proc.stdout.decode("utf-8")  # strict: the output must be UTF-8
    proc.err = proc.stderr.decode("utf-8")
    assert "Traceback" not in proc.out + proc.err and "internal error" not in proc.out + proc.err, proc.err
    assert proc.returncode in (0, 1, 2), proc.returncode
    return proc


def _import_package(out_dir, names):
    sys.path.insert(0, str(out_dir))
    try:
        for name in [n for n in sys.modules if n == "cn" or n.startswith("cn.")]:
            del sys.modules[name]
        return {name: importlib.import_module(name) for name in names}
    finally:
        sys.path.remove(str(out_dir))
        for name in [n for n in sys.modules if n == "cn" or n.startswith("cn.")]:
            del sys.modules[name]


# ---------------------------------------------------------------- compiled packages (issue 21, 1)


def test_module_names_that_would_collide_are_refused_naming_both(tmp_path):
    root = write_tree(tmp_path, {"cn/a-b": header("national"), "cn/a_b": header("national")})
    proc = policylang("compile", "-o", str(tmp_path / "out"), str(root), cwd=tmp_path)
    assert proc.returncode == 1
    assert "cn/a-b" in proc.err and "cn/a_b" in proc.err and "cn/a_b.py" in proc.err
    assert not (tmp_path / "out" / "cn").exists()  # nothing written
    proc = policylang("build", "-o", str(tmp_path / "built"), str(root), cwd=tmp_path)
    assert proc.returncode == 1 and "cn/a-b" in proc.err


def test_every_policy_of_a_tree_stays_importable(tmp_path):
    param = "param p: percent fixed 30%\ndecision d: percent = p\n"
    root = write_tree(tmp_path, {
        "cn/__init__": header("national") + param,
        "cn/__main__": header("national") + param,
        "cn/gd": header("national") + param,
        "cn/gd/x": header("provincial", extends="cn/gd"),
        "cn/_policyruntime": header("national") + param,
        "cn/class": header("national") + param,
    })
    out = tmp_path / "out"
    proc = policylang("compile", "-o", str(out), str(root), cwd=tmp_path)
    assert proc.returncode == 0, proc.err
    modules = _import_package(out, ["cn.p___init__", "cn.p___main__", "cn.gd", "cn.gd.x", "cn.p__policyruntime",
                                    "cn.p_class"])
    assert {name: m.POLICY_ID for name, m in modules.items()} == {
        "cn.p___init__": "cn/__init__", "cn.p___main__": "cn/__main__", "cn.gd": "cn/gd", "cn.gd.x": "cn/gd/x",
        "cn.p__policyruntime": "cn/_policyruntime", "cn.p_class": "cn/class"}
    assert all(str(m.evaluate({}).as_dict()["d"]) == "0.3" for m in modules.values())


# ---------------------------------------------------------------- aliases (issue 21, 2)


ALIASES = ["class", "def", "None", "True", "lambda", "match", "_", "__import__", "self", "Decimal", "date",
           "evaluate", "inputs", "result", "os", "decide_each", "InputError", "sys", "print", "type"]


@pytest.mark.parametrize("alias", ALIASES)
def test_uses_alias_named_like_python_compiles(tmp_path, alias):
    root = write_tree(tmp_path, {
        "cn/u": header("national") + "param r: percent fixed 30%\n",
        "cn/m": header("national") + f"uses cn/u as {alias}\ndecision d: percent = {alias}.r\n",
    })
    out = tmp_path / "out"
    proc = policylang("compile", "-o", str(out), str(root), cwd=tmp_path)
    assert proc.returncode == 0, proc.err
    module = _import_package(out, ["cn.m"])["cn.m"]
    assert str(module.evaluate({}).as_dict()["d"]) == "0.3"


# ---------------------------------------------------------------- long files, literals (issue 21, 3 and 4)


@pytest.mark.parametrize("long", ['param r: percent fixed 30% "' + "长" * 1_100_000 + '"\n',
                                  "# " + "c" * 1_100_000 + "\nparam r: percent fixed 30%\n"], ids=["text", "comment"])
def test_a_file_of_one_long_text_is_checked(tmp_path, long):
    root = write_tree(tmp_path, {"cn/x": header("national") + long + "decision d: percent = r\n"})
    proc = policylang("check", str(root), cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.out


@pytest.mark.parametrize("command", [("explain", "cn/x", "r"), ("diff", "cn/gd/x"), ("check",), ("docs", "-o", "d")])
def test_number_literals_of_29_digits_are_a_finding(tmp_path, command):
    root = write_tree(tmp_path, {
        "cn/x": header("national") + "param r: percent floor 12345678901234567890123456789%\ndecision d: percent = r\n",
        "cn/gd/x": header("provincial", extends="cn/x"),
    })
    proc = policylang(*command, "--root" if command[0] in ("explain", "diff") else str(root),
                      *([str(root)] if command[0] in ("explain", "diff") else []), cwd=tmp_path)
    if command[0] == "check":  # the others show what they can, without crashing (policylang() checks that)
        assert proc.returncode == 1 and "PL105" in proc.out and "29 digits" in proc.out


# ---------------------------------------------------------------- eval and case files (21, 5; 16, 7 and 8)


STENT = {"selected": True, "selected_price": "469", "price": "469", "in_fund_scope": True, "reimbursement_ratio": "80%",
         "agreed_amount": "200000", "acceptance_date": "2021-01-15", "payment_date": "2021-02-26",
         "lowest_purchase_price": "469"}


def _eval(tmp_path, text: str, name="cases.json"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    started = time.monotonic()
    proc = policylang("eval", "cn/gd/stent-2020", "--root", os.path.join(REPO, "policies"), "-i", str(path),
                      "-d", "fund_pays", "--as-of", "2021-03-01", cwd=tmp_path)
    proc.took = time.monotonic() - started
    return proc


def test_a_lone_surrogate_key_costs_only_its_own_case(tmp_path):
    proc = _eval(tmp_path, json.dumps([dict(STENT, **{"\ud800": 1}), STENT]))
    assert proc.returncode == 1
    results = json.loads(proc.out)
    assert results[0]["_error"]["field"] == "\ud800" and results[1] == {"fund_pays": "375.20"}
    assert "\\ud800" in proc.err


@pytest.mark.parametrize("value, words", [
    ('"1e999999"', "must be an amount"), ('"1e999999999%"', "must be an amount"), ("1e999999999", "too large"),
    ("1" * 4301, "too large"), ('"' + "1" * 5000 + '"', "too long"), ('"+5"', "must be an amount"),
    ('"1e3"', "must be an amount"), ('"٣"', "must be an amount"), ('"-0"', "negative"),
])
def test_hostile_numbers_name_the_field_at_once(tmp_path, value, words):
    proc = _eval(tmp_path, '[{"price": %s}]' % value)
    assert proc.returncode == 1, proc.err
    error = json.loads(proc.out)[0]["_error"]
    assert error["field"] == "price" and words in error["message"], error


def test_lenient_numbers_that_are_accepted(tmp_path):
    proc = _eval(tmp_path, json.dumps([dict(STENT, price=" 469 ", selected_price="４６９"),
                                       dict(STENT, reimbursement_ratio="８０％")]))
    assert proc.returncode == 0, proc.err
    assert json.loads(proc.out) == [{"fund_pays": "375.20"}, {"fund_pays": "375.20"}]


def test_json_nested_100000_deep_names_the_case_and_field(tmp_path):
    proc = _eval(tmp_path, '[{"price": "469"}, {"price": ' + "[" * 100_000 + "]" * 100_000 + "}]")
    assert proc.returncode == 1
    assert "case 1, field 'price' is nested more than 32 levels" in proc.err


def test_a_count_of_11_characters_takes_no_time(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + "input n: count\ndecision d: count = n + 1\n"})
    for value in ('"1e999999"', '"1e999999999"', "1e999999", "1" * 4301):
        path = tmp_path / "c.json"
        path.write_text('[{"n": %s}]' % value)
        started = time.monotonic()
        proc = policylang("eval", "cn/x", "--root", str(root), "-i", str(path), cwd=tmp_path)
        assert time.monotonic() - started < 30 and proc.returncode == 1
        assert json.loads(proc.out)[0]["_error"]["field"] == "n"


def test_the_module_bounds_numbers_too(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + "input n: count\ninput m: money\n"
                                 "decision d: count = n + 1\ndecision e: money = m\n"})
    out = tmp_path / "out"
    assert policylang("compile", "-o", str(out), str(root), cwd=tmp_path).returncode == 0
    module = _import_package(out, ["cn.x"])["cn.x"]
    from decimal import Decimal

    for case in ({"n": "1e999999", "m": 1}, {"n": Decimal("1e999999"), "m": 1}, {"n": 10 ** 100_000, "m": 1},
                 {"n": 1, "m": "1e999999"}, {"n": 1, "m": -0.0}, {"n": 1, "m": Decimal("-0")}):
        started = time.monotonic()
        with pytest.raises(module.InputError):
            module.evaluate(case, as_of=dt.date(2021, 6, 1))
        assert time.monotonic() - started < 1


# ---------------------------------------------------------------- as_of (issue 21, 8)


def test_as_of_is_one_rule_in_every_module(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + "param p: percent fixed 30%\ndecision d: percent = p\n",
                                 "cn/y": header("national") + "input a: date\ndecision d: bool = a <= as_of\n"})
    out = tmp_path / "out"
    assert policylang("compile", "-o", str(out), str(root), cwd=tmp_path).returncode == 0
    modules = _import_package(out, ["cn.x", "cn.y"])
    for module in modules.values():
        for as_of in (20210601, dt.datetime(2021, 6, 1), "2021-06-01"):
            with pytest.raises(module.InputError) as caught:
                module.evaluate({"a": "2021-01-01"} if module.POLICY_ID == "cn/y" else {}, as_of=as_of)
            assert caught.value.field == "as_of"


# ---------------------------------------------------------------- lenient policy values (issue 21, 6)


def test_lenient_policy_values_are_findings(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + (
        "input price: money\ninput \u0440rice: money\n"
        "param settlement_lag_months: count ceiling -5\nparam share: percent floor -0%\n"
        "decision \ufb01nal: money = price + \u0440rice\n"
        "decision lag: count = settlement_lag_months\ndecision s: percent = share\n")})
    proc = policylang("check", str(root), cwd=tmp_path)
    assert proc.returncode == 1
    codes = [line.split("]")[0].split("[")[1] for line in proc.out.splitlines() if line.startswith(("error[", "warning["))]
    assert codes.count("PL214") == 2 and "PL114" in codes and codes.count("PL115") == 2, proc.out


# ---------------------------------------------------------------- deep chains (issue 21, 7)


def test_a_chain_of_10000_is_refused_in_seconds(tmp_path):
    files = {"cn/p0": header("national")}
    files.update({f"cn/p{i}": header("county", extends=f"cn/p{i - 1}") for i in range(1, 10_000)})
    root = write_tree(tmp_path, files)
    from policylang.semantics.loader import load_workspace
    from policylang.semantics.resolve import resolve

    ws = load_workspace([str(root)])
    started = time.monotonic()
    res = resolve(ws)
    assert time.monotonic() - started < 20  # resolution: linear in the chain (seconds on a loaded machine)
    assert [d.code for d in res.diagnostics].count("PL323") == 1
    assert len(res.policies) == 16  # levels 1 to 16 of the chain


# ---------------------------------------------------------------- a uses blank (issue 16, 3)


def test_a_decision_reading_an_unfilled_uses_blank_is_a_finding(tmp_path):
    root = write_tree(tmp_path, {
        "cn/u": header("national") + "param r: percent delegated\n",
        "cn/m": header("national") + "uses cn/u as u\ndecision d: percent = u.r\n",
        "cn/gd/m": header("provincial", extends="cn/m"),
    })
    proc = policylang("check", str(root), cwd=tmp_path)
    assert proc.returncode == 0
    assert "u.r is a blank of cn/u" in proc.out and "policies/cn/gd/m.policy" in proc.out
    for command in (("test", str(root)), ("compile", "-o", str(tmp_path / "out"), str(root))):
        assert policylang(*command, cwd=tmp_path).returncode == 0
    (tmp_path / "c.json").write_text("[{}]")
    proc = policylang("eval", "cn/gd/m", "--root", str(root), "-i", str(tmp_path / "c.json"), cwd=tmp_path)
    assert proc.returncode == 1 and json.loads(proc.out)[0]["_error"]["error"] == "blank_not_filled"


# ---------------------------------------------------------------- file names that are not UTF-8 (issue 16, 5)


@pytest.mark.skipif(sys.platform == "win32", reason="file names are bytes on POSIX only")
def test_a_gbk_file_name_in_every_output(tmp_path):
    root = write_tree(tmp_path, {"cn/ok": header("national") + "param r: percent fixed 30%\ndecision d: percent = r\n"})
    bad = os.path.join(os.fsencode(str(root)), b"cn", "广东".encode("gbk"))
    os.makedirs(bad)
    with open(os.path.join(bad, b"x.policy"), "wb") as fh:
        fh.write(header("provincial", extends="cn/ok").encode())
    for fmt in ("text", "json", "sarif", "github", "junit"):
        proc = policylang("check", "--format", fmt, str(root), cwd=tmp_path)
        assert proc.returncode == 1 and "PL004" in proc.out
        if fmt in ("json", "sarif"):
            json.loads(proc.out)
    sarif = json.loads(policylang("check", "--format", "sarif", str(root), cwd=tmp_path).out)
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for run in sarif["runs"] for r in run["results"]
            for loc in r["locations"]]
    assert any("%B9%E3%B6%AB" in uri for uri in uris), uris
    proc = policylang("docs", "-o", str(tmp_path / "d"), str(root), cwd=tmp_path)
    assert proc.returncode in (0, 1)
