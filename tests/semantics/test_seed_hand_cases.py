"""Hand-computed cases of the seed notices that an `example` block cannot hold (lists of parts, days
a policy is not in force), each through `policylang eval` and through the compiled module, which
must agree with the figures worked out here by hand."""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "codegen"))

from policylang.cli import _register_commands, cli  # noqa: E402
from support import POLICIES, compile_module, resolve_tree  # noqa: E402

SEEDS = resolve_tree(POLICIES)
SPINE = "cn/nm/spine-2023"
GD = "cn/gd/stent-2020"

# a public hospital, the rod/plate system used as configured (the first example of the spine file)
HOSPITAL = {
    "institution_type": "public", "last_year_actual_use": 101, "last_year_agreed_volume": 80,
    "rod_plate_system": True, "rod_plate_used": True, "system_complete": True,
    "uses_outside_main_component": False, "outside_component_company": "same", "company_makes_component": True,
    "with_service_price": "5200", "without_service_price": "4900", "hospital_chose_service": True,
    "agreed_amount": "100.01", "acceptance_date": "2023-04-30", "payment_date": "2023-05-31",
}
SCREWS = {"component": "椎弓根螺钉", "configured_quantity": 4, "with_service_component_price": "650",
          "without_service_component_price": "600"}
ROD = {"component": "连接棒", "configured_quantity": 2, "used_quantity": 2, "with_service_component_price": "420",
       "without_service_component_price": "400"}


def _listed(price_rod: str, quantity_rod: int = 2, selected_rod: bool = True):
    return [{"component": "椎弓根螺钉", "selected_component": True, "component_selected_price": "600",
             "listing_price": "600", "quantity": 4},
            {"component": "连接棒", "selected_component": selected_rod, "component_selected_price": "400",
             "listing_price": price_rod, "quantity": quantity_rod}]


# (name, policy, as_of, inputs, {decision: expected}, [violated requirements])
CASES = [
    # 七: six screws instead of the set's four. With service: 650 x 6 + 420 x 2 = 4740.00; without:
    # 600 x 6 + 400 x 2 = 4400.00. Which of the two is the payment standard the notice does not say.
    ("spine: two screws more than the set", SPINE, "2023-06-01",
     dict(HOSPITAL, used_components=[dict(SCREWS, used_quantity=6), ROD]),
     {"components_deviate": True, "payment_standard": None,
      "component_payment_standard_with_service": "4740.00",
      "component_payment_standard_without_service": "4400.00",
      "patient_charge_price": "5200.00", "company_settlement_price": "5200.00"}, []),
    # 七: fewer parts: 650 x 3 + 420 x 2 = 2790.00; 600 x 3 + 400 x 2 = 2600.00
    ("spine: one screw fewer than the set", SPINE, "2023-06-01",
     dict(HOSPITAL, hospital_chose_service=False, used_components=[dict(SCREWS, used_quantity=3), ROD]),
     {"components_deviate": True, "payment_standard": None,
      "component_payment_standard_with_service": "2790.00",
      "component_payment_standard_without_service": "2600.00",
      "patient_charge_price": "5200.00", "company_settlement_price": "4900.00"}, []),
    # 七: exactly the set: the system's with-service price
    ("spine: the set as configured", SPINE, "2023-06-01",
     dict(HOSPITAL, used_components=[dict(SCREWS, used_quantity=4), ROD]),
     {"components_deviate": False, "payment_standard": "5200.00",
      "component_payment_standard_with_service": None, "component_payment_standard_without_service": None}, []),
    # 四: each selected part at its selected price exactly: 600 x 4 + 400 x 2 = 3200.00 = the same
    # company's selected system: both ceilings met (不高于: equal is allowed)
    ("spine: parts listed exactly at the ceilings", SPINE, "2023-06-01",
     dict(HOSPITAL, nonselected_system_components=_listed("400"), same_company_selected_system_price="3200"),
     {"component_listing_within_cap": True, "assembled_from_selected_components": True,
      "assembled_system_price": "3200.00", "assembled_system_listing_cap": "3200.00",
      "assembled_system_within_cap": True}, []),
    # 四: one fen above the rod's selected price: 400.01 > 400; the total 3200.02 > 3200.00
    ("spine: a part listed one fen above its selected price", SPINE, "2023-06-01",
     dict(HOSPITAL, nonselected_system_components=_listed("400.01"), same_company_selected_system_price="3200"),
     {"component_listing_within_cap": False, "assembled_system_price": "3200.02",
      "assembled_system_within_cap": False},
     ["component_listed_within_selected_price", "assembled_listed_within_company_price"]),
    # 四: a non-selected part in the system: the total ceiling does not apply (attachment 4's caps are
    # not in hand); the selected part is still held to its price
    ("spine: a system with a non-selected part", SPINE, "2023-06-01",
     dict(HOSPITAL, nonselected_system_components=_listed("900", selected_rod=False),
          same_company_selected_system_price="3200"),
     {"component_listing_within_cap": True, "assembled_from_selected_components": False,
      "assembled_system_price": "4200.00", "assembled_system_listing_cap": None,
      "assembled_system_within_cap": None}, []),
    # 一(一): a private hospital outside the medical-insurance network: none of the rules apply
    ("spine: an institution outside the scope", SPINE, "2023-06-01",
     dict(HOSPITAL, institution_type="private_other", used_components=[dict(SCREWS, used_quantity=6), ROD]),
     {"in_scope": False, "renewal_min_total_volume": None, "renewal_min_company_volume": None,
      "counts_toward_agreed_volume": None, "patient_charge_price": None, "company_settlement_price": None,
      "payment_standard": None, "component_payment_standard_with_service": None, "prepayment_min": None,
      "settlement_deadline": None, "settlement_on_time": None}, []),
    # 一(一): military and designated private hospitals are inside it; renewal 90% of 101 = 90.9 -> 91
    ("spine: a military hospital", SPINE, "2023-04-26",
     dict(HOSPITAL, institution_type="military"),
     {"in_scope": True, "renewal_min_total_volume": 91, "renewal_min_company_volume": 80,
      "prepayment_min": "30.01", "settlement_deadline": "2023-05-31"}, []),
    # 51号 二(三): a non-selected stent outside the fund's payment scope: no payment standard, no fund
    # payment, even with the city's cap given
    ("stent: a non-selected stent outside the fund's scope", GD, "2021-03-01",
     {"selected": False, "selected_price": "469", "lowest_purchase_price": "1200", "price": "1200",
      "in_fund_scope": False, "reimbursement_ratio": "80%", "agreed_amount": "0",
      "acceptance_date": "2021-01-31", "payment_date": "2021-02-28", "nonselected_payment_cap": "1500"},
     {"listing_price": "1200.00", "payment_standard": None, "fund_pays": None, "patient_pays": None}, []),
    # the same stent inside it: min(1200, 1500) x 80% = 960.00; the patient 240.00
    ("stent: the same stent inside the fund's scope", GD, "2021-03-01",
     {"selected": False, "selected_price": "469", "lowest_purchase_price": "1200", "price": "1200",
      "in_fund_scope": True, "reimbursement_ratio": "80%", "agreed_amount": "0",
      "acceptance_date": "2021-01-31", "payment_date": "2021-02-28", "nonselected_payment_cap": "1500"},
     {"payment_standard": "1200.00", "fund_pays": "960.00", "patient_pays": "240.00"}, []),
    # a selected stent marked outside the scope: still paid at the selected price (469 x 80% = 375.20),
    # and the case breaks 「全额纳入医保支付范围」
    ("stent: a selected stent marked outside the scope", GD, "2021-03-01",
     {"selected": True, "selected_price": "469", "lowest_purchase_price": "469", "price": "469",
      "in_fund_scope": False, "reimbursement_ratio": "80%", "agreed_amount": "0",
      "acceptance_date": "2021-01-31", "payment_date": "2021-02-28"},
     {"payment_standard": "469.00", "fund_pays": "375.20", "patient_pays": "93.80"}, ["selected_in_fund_scope"]),
]


def _plain(value):
    if value is None or isinstance(value, bool) or isinstance(value, int):
        return value
    if isinstance(value, (Decimal, dt.date)):
        return str(value)
    return str(value)


@pytest.fixture(scope="module")
def modules():
    return {pid: compile_module(SEEDS[pid]) for pid in (SPINE, GD)}


def _eval(policy, as_of, case, tmp_path):
    _register_commands()
    path = tmp_path / "case.json"
    path.write_text(json.dumps([case], ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", policy, "-i", str(path), "--as-of", as_of, "--root", str(POLICIES)])
    assert result.exit_code == 0, result.output
    (out,) = json.loads(result.stdout)
    return out


@pytest.mark.parametrize("name,policy,as_of,case,expected,violated", CASES, ids=[c[0] for c in CASES])
def test_hand_computed_case(name, policy, as_of, case, expected, violated, modules, tmp_path):
    out = _eval(policy, as_of, case, tmp_path)
    assert {k: out[k] for k in expected} == expected
    assert [v["requirement"] for v in out.get("_violations", [])] == violated
    compiled = modules[policy].evaluate(case, as_of=dt.date.fromisoformat(as_of))
    assert {k: _plain(getattr(compiled, k)) for k in expected} == expected
    assert [v.requirement for v in compiled.violations] == violated


def test_the_day_before_execution_is_not_in_force(modules, tmp_path):
    """一(二) 执行时间 2023年4月26日零时: the day before, the spine notice is not in force, in eval
    and in the compiled module (no provincial or national rule is in force to name instead)."""
    _register_commands()
    path = tmp_path / "case.json"
    path.write_text(json.dumps([HOSPITAL]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", SPINE, "-i", str(path), "--as-of", "2023-04-25",
                                      "--root", str(POLICIES)])
    assert result.exit_code == 1
    (out,) = json.loads(result.stdout)
    assert out["_error"]["error"] == "not_in_force" and out["_error"]["field"] == "as_of"
    assert "takes effect on 2023-04-26" in out["_error"]["message"]
    module = modules[SPINE]
    with pytest.raises(module.EvaluationError) as caught:
        module.evaluate(HOSPITAL, as_of=dt.date(2023, 4, 25))
    assert "not in force on 2023-04-25" in str(caught.value)
    assert module.evaluate(HOSPITAL, as_of=dt.date(2023, 4, 26)).in_force is True
