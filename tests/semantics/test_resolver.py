"""The resolver: chains merge with provenance, names and types bind, and each problem is one located diagnostic."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest

from helpers import assert_golden, header, write_tree
from policylang.diagnostics import SourceCache, render_text
from policylang.semantics.loader import load_workspace
from policylang.semantics.resolve import resolve
from policylang.semantics.types import COUNT, DECIMAL, MONEY, PERCENT

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")

NATIONAL = header("national", "2020-12-15") + """
input price: money "价格"
input agreed_amount: money "约定采购金额"
param prepayment_ratio: percent floor 30% "预付比例" article "二(二)"
param cap: money delegated "支付标准高限"
decision prepayment_min: money "预付下限" = round(agreed_amount * prepayment_ratio, fen, up)
decision standard: money = min(price, cap)
provision no_offline: 医疗机构 must not "线下采购" article "三"
"""


def run(tmp_path, files):
    root = write_tree(tmp_path, files)
    ws = load_workspace([root])
    res = resolve(ws)
    return ws, res


def codes(res):
    return sorted(d.code for d in res.diagnostics)


def test_chain_merges_with_provenance(tmp_path):
    ws, res = run(tmp_path, {
        "cn/x": NATIONAL,
        "cn/gd/x": header("provincial", extends="cn/x") + """
override param prepayment_ratio: percent floor 40% because "本省提高"
override param cap: money fixed 6000 yuan article "三"
input extra: count
decision doubled: count = extra * 2
""",
    })
    assert codes(res) == []
    p = res.policies["cn/gd/x"]
    assert [c.policy_id for c in p.chain] == ["cn/x", "cn/gd/x"]
    ratio = p.params["prepayment_ratio"]
    assert [o.policy_id for o in ratio.history] == ["cn/x", "cn/gd/x"]
    assert ratio.origin.meta.reason == "本省提高"
    assert ratio.label == "预付比例"  # inherited from the national definition
    assert p.params["cap"].history[-1].action == "filled"
    assert not p.params["cap"].is_blank
    assert p.is_leaf and not res.policies["cn/x"].is_leaf
    assert [b.name for b in res.policies["cn/x"].blanks] == ["cap"]
    assert p.decisions["doubled"].type == COUNT
    assert p.decision_order.index("prepayment_min") < len(p.decision_order)


def test_types_of_expressions(tmp_path):
    ws, res = run(tmp_path, {"cn/x": header("national") + """
input amount: money
input n: count
input r: percent
decision a: money = amount * r
decision b: decimal = n * r
decision c: percent = r * r
decision d: decimal = amount / amount
decision e: count = ceil(n * 90%)
decision f: date = 2024-01-31 + 1 month
"""})
    assert codes(res) == []
    d = res.policies["cn/x"].decisions
    assert d["a"].expr.type == MONEY
    assert d["b"].expr.type == DECIMAL
    assert d["c"].expr.type == PERCENT
    assert d["e"].expr.type == COUNT


CASES = {
    # code: (files, fragment expected in the message)
    "PL106": ({"cn/x": header("national") + "level national\n"}, "appears twice"),
    "PL107": ({"cn/x": 'policy "x"\nlevel national\n'}, "no 'effective' line"),
    "PL108": ({"cn/x": 'policy "x"\nlevel provincal\neffective 2021-01-01\n'}, "not a level"),
    "PL109": ({"cn/x": header("national") + "input a: money\ninput a: count\n"}, "declared twice"),
    "PL201": ({"cn/x": header("national") + "input price: money\ndecision d: money = prise\n"}, "not defined"),
    "PL202": ({"cn/x": header("national") + "input price: mony\n"}, "not a type"),
    "PL203": ({"cn/x": header("national") + "input price: money\ndecision d: date = price\n"}, "must be date"),
    "PL204": ({"cn/x": header("national") + "input price: money\ndecision d: bool = price <= 7000\n"}, "cannot compare"),
    "PL205": ({"cn/x": header("national") + "param r: percent fixed 130%\n"}, "outside 0–100%"),
    "PL214": ({"cn/x": header("national") + "param lag: count ceiling -5\nparam share: percent floor -0%\n"},
              "never negative"),
    "PL206": ({"cn/x": header("national") + "param m: money fixed 10.005 yuan\n"}, "more than two decimals"),
    "PL208": ({"cn/x": header("national") + "input d: date\ndecision e: date = end_of_mnth(d)\n"}, "not a function"),
    "PL209": ({"cn/x": header("national") + "decision a: count = b + 1\ndecision b: count = a + 1\n"}, "circle"),
    "PL210": ({"cn/x": header("national") + "enum A { x, y }\nenum B { x, z }\ninput a: A\ndecision d: bool = a == x\n"},
              "several enumerations"),
    "PL212": ({"cn/x": header("national") + "input price: money\nparam p: money fixed price\n"}, "cannot depend"),
    "PL301": ({"cn/gd/x": header("provincial", extends="cn/nope")}, "does not exist"),
    "PL302": ({"cn/a": header("provincial", extends="cn/b"), "cn/b": header("provincial", extends="cn/a")}, "circle"),
    "PL303": ({"cn/x": header("national"), "cn/y": header("national", extends="cn/x")}, "cannot extend"),
    "PL323": ({"cn/p0": header("national"),
               **{f"cn/p{i}": header("county", extends=f"cn/p{i - 1}") for i in range(1, 18)}}, "level 17"),
    "PL307": ({"cn/x": NATIONAL, "cn/gd/x": header("provincial", extends="cn/x")
               + "param prepayment_ratio: percent floor 40%\n"}, "needs 'override'"),
    "PL308": ({"cn/x": NATIONAL, "cn/gd/x": header("provincial", extends="cn/x")
               + "override param prepaymnt_ratio: percent floor 40%\n"}, "no level above defines it"),
    "PL310": ({"cn/x": NATIONAL, "cn/gd/x": header("provincial", extends="cn/x")
               + "override param prepayment_ratio: decimal floor 0.4\n"}, "cannot make it decimal"),
    "PL314": ({"cn/x": header("national") + "uses cn/nope as other\n"}, "does not exist"),
    "PL315": ({"cn/x": NATIONAL, "cn/gd/x": header("provincial", extends="cn/x")
               + "override decision prepayment_ratio: percent = 40%\n"}, "cannot become"),
    "PL403": ({"cn/x": header("national") + "input a: bool\ninput b: bool\ntable t: bool {\n    columns a, b\n"
               "    row true => true\n}\n"}, "cells but the table has 2 columns"),
    "PL405": ({"cn/x": header("national") + "param p: money default 10 yuan\nschedule p {\n"
               "    from 2022-01-01: 5 yuan\n    from 2021-01-01: 6 yuan\n}\n"}, "must increase"),
    "PL408": ({"cn/x": header("national") + "schedule nothing {\n    from 2022-01-01: 5 yuan\n}\n"}, "not a parameter"),
    "PL501": ({"cn/x": header("national", "2021-01-01"), "cn/gd/x": header("provincial", "2020-06-01", extends="cn/x")},
              "before its parent"),
    "PL502": ({"cn/x": header("national", "2021-01-01") + "ends 2020-01-01\n"}, "ends"),
    "PL602": ({"cn/x": header("national") + "input a: count\ndecision d: count = a\n"
               "example { given b = 1 expect d = 1 }\n"}, "not an input"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_code_is_reported_with_golden_text(tmp_path, code):
    files, fragment = CASES[code]
    ws, res = run(tmp_path, files)
    found = [d for d in ws.diagnostics + res.diagnostics if d.code == code]
    assert found, f"{code} not reported; got {codes(res)}"
    assert fragment in found[0].message
    assert found[0].span is not None and found[0].span.line >= 1
    text = render_text(found[:1], ws.sources).replace(str(tmp_path), "<tmp>")
    golden = os.path.join(GOLDEN, f"{code}.txt")
    assert_golden(golden, text)


NEAR_MISSES = {
    "PL204": header("national") + "input price: money\ndecision d: bool = price <= 7000 yuan\n",
    "PL206": header("national") + "param m: money fixed 10.50 yuan\n",
    "PL205": header("national") + "param r: percent fixed 100%\n",
    "PL212": header("national") + "param base: money fixed 10 yuan\nparam p: money fixed base * 2\n",
    "PL210": header("national") + "enum A { x, y }\nenum B { x, z }\ninput a: A\ndecision d: bool = a == A.x\n",
}


@pytest.mark.parametrize("code", sorted(NEAR_MISSES))
def test_near_miss_is_clean(tmp_path, code):
    ws, res = run(tmp_path, {"cn/x": NEAR_MISSES[code]})
    assert codes(res) == []


def test_parent_errors_are_not_repeated_for_children(tmp_path):
    ws, res = run(tmp_path, {
        "cn/x": header("national") + "input a: count\ndecision d: count = a + missing\n",
        "cn/gd/x": header("provincial", extends="cn/x"),
        "cn/gd/sz/x": header("municipal", extends="cn/gd/x"),
    })
    assert codes(res) == ["PL201"]
    assert res.diagnostics[0].policy_id == "cn/x"
    assert res.policies["cn/gd/sz/x"].has_errors


def test_cycle_names_its_path(tmp_path):
    ws, res = run(tmp_path, {"cn/a": header("provincial", extends="cn/b"),
                             "cn/b": header("provincial", extends="cn/a")})
    cyc = [d for d in res.diagnostics if d.code == "PL302"]
    assert len(cyc) == 1
    assert "cn/a -> cn/b -> cn/a" in cyc[0].message or "cn/b -> cn/a -> cn/b" in cyc[0].message
    assert not res.policies


def test_schedule_dates_fold_from_effective_date(tmp_path):
    ws, res = run(tmp_path, {"cn/x": header("national", "2020-12-15") + """
param cap: money default 2000 yuan
schedule cap {
    from effective_date + 1 year: 1500 yuan
    from 2022-12-15: 798 yuan
}
"""})
    assert codes(res) == []
    sched = res.policies["cn/x"].params["cap"].schedule
    assert [e.start for e in sched.entries] == [dt.date(2021, 12, 15), dt.date(2022, 12, 15)]


def test_cross_reference_through_uses(tmp_path):
    ws, res = run(tmp_path, {
        "cn/drug": header("national") + "param retention_ratio: percent ceiling 50%\n",
        "cn/x": header("national") + "uses cn/drug as drug\nparam r: percent delegated at most drug.retention_ratio\n",
    })
    assert codes(res) == []
    p = res.policies["cn/x"]
    assert p.params["r"].bounds[0].expr.kind == "external"
    assert p.externals[("drug", "retention_ratio")].value.value == Decimal("0.5")


def test_deadlines_and_schedule_dates_are_reckoned_from_the_declaring_policy(tmp_path):
    ws, res = run(tmp_path, {
        "cn/x": header("national", "2020-12-15") + """
param cap: money delegated
param highest: money delegated
require within_two_years: cap <= highest by effective_date + 2 years
""",
        "cn/gd/x": header("provincial", "2021-03-01", extends="cn/x") + """
override param highest: money fixed 798 yuan
override param cap: money default 2000 yuan
schedule cap {
    from effective_date + 1 year: 798 yuan
}
""",
    })
    assert codes(res) == []
    national_deadline = dt.date(2022, 12, 15)
    assert res.policies["cn/x"].requirements["within_two_years"].deadline_date == national_deadline
    assert res.policies["cn/gd/x"].requirements["within_two_years"].deadline_date == national_deadline
    assert res.policies["cn/gd/x"].params["cap"].schedule.entries[0].start == dt.date(2022, 3, 1)


def test_unknown_parent_hint_in_a_large_tree_names_the_id_under_another_folder():
    """A tree checked from the folder above its root names every parent without its leading folder;
    among thousands of alike ids the hint is the one that differs only by that folder, and a typo
    still finds its near miss."""
    from policylang.semantics.resolve import _closest

    ids = [f"policies/cn/p{p:02d}/c{c:03d}/stent-2020" for p in range(1, 32) for c in range(1, 120)]
    assert _closest("cn/p07/c042/stent-2020", ids) == "policies/cn/p07/c042/stent-2020"
    plain = [i.removeprefix("policies/") for i in ids]
    assert _closest("cn/p07/c042/stent-2002", plain) == "cn/p07/c042/stent-2020"
    assert _closest("something/else/entirely", plain) is None
