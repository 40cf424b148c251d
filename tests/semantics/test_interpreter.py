"""The reference interpreter: exact money, dates, blanks, schedules, validation, explanations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import header, write_tree
from policylang.semantics.evaluate import (
    BlankNotFilled,
    EvaluationError,
    InputError,
    Interpreter,
    add_months,
    coerce_value,
    end_of_month,
)
from policylang.semantics.loader import load_workspace
from policylang.semantics.resolve import resolve
from policylang.semantics.types import MONEY, PERCENT, Type

POLICY = header("national", "2020-12-15") + """
enum Kind { public "公立", private_other "其他" }
input kind: Kind
input selected: bool
input selected_price: money
input price: money
input ratio: percent
input agreed_amount: money
input acceptance_date: date
input payment_date: date
input last_use: count
input last_agreed: count
param prepayment_ratio: percent floor 30% "预付比例" article "二(二)"
param cap: money delegated to municipal "支付标准高限"
param listing_cap: money default 7000 yuan
schedule listing_cap {
    from 2022-01-01: 5000 yuan "第二年"
}
decision prepayment_min: money = round(agreed_amount * prepayment_ratio, fen, up)
decision standard: money {
    when selected then selected_price "中选"
    otherwise min(price, cap)
}
decision fund_pays: money = round(min(price, standard) * ratio, fen)
decision patient_pays: money = price - fund_pays
decision deadline: date = end_of_month(add_months(acceptance_date, 1))
decision on_time: bool = payment_date <= deadline
decision renewal_min: count = max(ceil(last_use * 90%), last_agreed)
decision in_scope: bool = kind in {public}
decision listing_price: money {
    when price <= listing_cap then price
    otherwise none
}
decision listed: bool = listing_price != none
table size: text {
    columns selected, price
    row true, - => "中选"
    row false, > 1000 yuan => "贵"
}
"""

BASE = {
    "kind": "public", "selected": True, "selected_price": "469", "price": "469.00", "ratio": "80%",
    "agreed_amount": "100.01", "acceptance_date": "2021-01-31", "payment_date": "2021-02-28",
    "last_use": 101, "last_agreed": 50,
}


@pytest.fixture(scope="module")
def interp(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("interp"), {"cn/x": POLICY})
    res = resolve(load_workspace([root]))
    assert not res.diagnostics, res.diagnostics
    return Interpreter(res.policies["cn/x"])


def ev(interp, as_of=dt.date(2021, 6, 1), **changes):
    inputs = dict(BASE)
    inputs.update(changes)
    return interp.evaluate(inputs, as_of=as_of).values


def test_selected_case(interp):
    v = ev(interp)
    assert v["standard"] == Decimal("469.00")
    assert v["fund_pays"] == Decimal("375.20")
    assert v["patient_pays"] == Decimal("93.80")
    assert v["prepayment_min"] == Decimal("30.01")  # 30.003 rounded UP at the fen
    assert v["deadline"] == dt.date(2021, 2, 28)
    assert v["on_time"] is True
    assert v["renewal_min"] == 91  # ceil(90.9)
    assert v["in_scope"] is True


@pytest.mark.parametrize("accepted, deadline", [
    ("2021-01-31", dt.date(2021, 2, 28)),
    ("2024-01-31", dt.date(2024, 2, 29)),
    ("2021-12-15", dt.date(2022, 1, 31)),
    ("2021-02-28", dt.date(2021, 3, 31)),
])
def test_month_ends(interp, accepted, deadline):
    assert ev(interp, acceptance_date=accepted)["deadline"] == deadline


def test_payment_on_the_deadline_is_on_time(interp):
    assert ev(interp, acceptance_date="2021-01-31", payment_date="2021-02-28")["on_time"] is True
    assert ev(interp, acceptance_date="2021-01-31", payment_date="2021-03-01")["on_time"] is False


def test_blank_is_needed_only_when_read(interp):
    with pytest.raises(BlankNotFilled) as err:
        ev(interp, selected=False, price="900")
    assert err.value.blank == "cap" and err.value.expected_level == "municipal"
    assert ev(interp, selected=False, price="900", cap="800")["standard"] == Decimal("800.00")


def test_schedule_follows_as_of(interp):
    assert ev(interp, price="6000", as_of=dt.date(2021, 12, 31))["listing_price"] == Decimal("6000.00")
    v = ev(interp, price="6000", as_of=dt.date(2022, 1, 1))
    assert v["listing_price"] is None and v["listed"] is False


def test_table_rows_and_gap(interp):
    assert ev(interp)["size"] == "中选"
    assert ev(interp, selected=False, price="1500", cap="2000")["size"] == "贵"
    assert ev(interp, selected=False, price="500", cap="2000")["size"] is None  # no row covers it


@pytest.mark.parametrize("field, value, fragment", [
    ("price", "-1", "negative"),
    ("price", "1.005", "fractions of a fen"),
    ("price", float("nan"), "finite"),
    ("price", True, "must be"),
    ("ratio", "120%", "outside"),
    ("kind", "publik", "did you mean 'public'"),
    ("acceptance_date", "2021-02-30", "YYYY-MM-DD"),
    ("last_use", "1.5", "whole number"),
    ("selected", "maybe", "true or false"),
    ("selectd", True, "did you mean 'selected'"),
])
def test_bad_inputs_name_the_field(interp, field, value, fragment):
    with pytest.raises(InputError) as err:
        ev(interp, **{field: value})
    assert err.value.field == field
    assert fragment in err.value.message


def test_missing_input_is_reported_when_needed(interp):
    inputs = dict(BASE)
    del inputs["price"]
    with pytest.raises(InputError) as err:
        interp.evaluate(inputs, as_of=dt.date(2021, 6, 1))
    assert err.value.field == "price"
    # a decision that does not read the price still computes
    assert interp.evaluate(inputs, decisions=["deadline"]).values["deadline"] == dt.date(2021, 2, 28)


def test_explanations_name_level_article_and_line(interp):
    result = interp.evaluate(BASE, as_of=dt.date(2021, 6, 1), explain=True)
    steps = result.trace["prepayment_min"]
    param = next(s for s in steps if s.kind == "param")
    assert param.name == "prepayment_ratio" and param.article == "二(二)" and param.level == "national"
    rule = next(s for s in result.trace["standard"] if s.kind == "rule")
    assert rule.detail == "case 1" and rule.label == "中选" and rule.line > 0


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)), st.integers(-240, 240))
@settings(max_examples=200)
def test_add_months_clamps_and_round_trips_month_index(d, n):
    out = add_months(d, n)
    assert (out.year * 12 + out.month) - (d.year * 12 + d.month) == n
    assert out.day == min(d.day, end_of_month(out).day)


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_money_coercion_is_exact(amount):
    assert coerce_value("m", MONEY, str(amount)) == amount
    assert coerce_value("m", MONEY, amount) == amount


def test_percent_forms():
    assert coerce_value("r", PERCENT, "80%") == Decimal("0.8")
    assert coerce_value("r", PERCENT, "0.8") == Decimal("0.8")
    assert coerce_value("r", PERCENT, Decimal("0.75")) == Decimal("0.75")
    with pytest.raises(InputError):
        coerce_value("r", PERCENT, "80")


def test_unknown_decision_is_an_error(interp):
    with pytest.raises(EvaluationError, match="did you mean 'deadline'"):
        interp.evaluate(BASE, decisions=["deadlin"])


def test_huge_amounts_are_input_errors_not_crashes(interp):
    with pytest.raises(InputError, match="too large"):
        ev(interp, price=Decimal("1e60"))
    with pytest.raises(InputError, match="too large"):
        ev(interp, price=10 ** 4301)
    with pytest.raises(InputError, match="must be an amount"):  # a text is plain decimal notation
        ev(interp, price="1e60")


def test_cross_referenced_values_are_evaluated_in_their_own_policy(tmp_path):
    root = write_tree(tmp_path, {
        "cn/drug": header("national") + "param base: percent fixed 40%\nparam retention: percent ceiling base + 10%\n",
        "cn/x": header("national") + "uses cn/drug as drug\ninput saved: money\n"
        "decision kept_max: money = round(saved * drug.retention, fen, down)\n",
    })
    res = resolve(load_workspace([root]))
    assert not res.diagnostics
    values = Interpreter(res.policies["cn/x"]).evaluate({"saved": "1000.01"}).values
    assert values["kept_max"] == Decimal("500.00")


def test_durations_cannot_be_ordered(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + "param a: duration fixed 1 month\n"
                                 "param b: duration fixed 30 days\ndecision d: bool = a < b\n"})
    res = resolve(load_workspace([root]))
    assert [d.code for d in res.diagnostics] == ["PL204"]
