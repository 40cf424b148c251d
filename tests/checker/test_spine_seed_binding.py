"""The Inner Mongolia spine notice (内医保办字〔2023〕63号) binds a league or city below it: a 盟市 notice
written under the real seed tree may not charge patients or pay at the without-service price (七),
nor list components above the ceilings of 四; it may make a ceiling stricter."""

from __future__ import annotations

import os
import shutil

import pytest

from policylang.pipeline import check

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

HEADER = """\
policy "呼和浩特市医疗保障局关于落实脊柱集采的通知（测试）"
level municipal
region "内蒙古自治区呼和浩特市"
effective 2023-05-01
extends cn/nm/spine-2023

override param retention_ratio: percent fixed 50% because "本市规定留用比例"
"""


def _check(tmp_path, body: str):
    root = tmp_path / "policies"
    shutil.copytree(os.path.join(REPO, "policies"), root)
    city = root / "cn" / "nm" / "hohhot"
    city.mkdir()
    (city / "spine-2023.policy").write_text(HEADER + body, encoding="utf-8")
    run = check([str(root)], cache=False)
    return [d for d in run.diagnostics if d.policy_id == "cn/nm/hohhot/spine-2023"
            and d.severity in ("error", "warning") and d.code not in ("PL402",)]


def test_a_city_charging_patients_the_without_service_price_fails_check(tmp_path):
    found = _check(tmp_path, """
override decision patient_charge_price: money "向患者收费的价格" article "七" because "按不含伴随服务价收费" {
    when not in_scope then none
    otherwise without_service_price
}
""")
    assert [(d.code, d.severity) for d in found] == [("PL306", "error")]
    assert "patient_charge_price" in found[0].message
    assert found[0].related and found[0].related[0].span.file.endswith(os.path.join("nm", "spine-2023.policy"))


def test_a_city_paying_at_the_without_service_price_fails_check(tmp_path):
    found = _check(tmp_path, """
override decision payment_standard: money "医保支付标准" article "七" because "按不含伴随服务价支付" {
    when not in_scope then none
    when not components_deviate then without_service_price
}
""")
    assert [(d.code, d.severity) for d in found] == [("PL306", "error")]
    assert "payment_standard" in found[0].message


def test_a_city_listing_components_above_their_selected_price_fails_check(tmp_path):
    found = _check(tmp_path, """
override decision component_listing_within_cap: bool "非中选产品系统所含中选部件是否均不高于该部件的中选价格挂网"
    article "四" because "每个部件放宽10元" =
    all(nonselected_system_components where selected_component, listing_price <= component_selected_price + 10 yuan)
""")
    assert [(d.code, d.severity) for d in found] == [("PL317", "error")]
    assert "component_listing_within_cap" in found[0].message and "nonselected_system_components = [" in found[0].message


def test_a_city_raising_the_assembled_system_cap_fails_check(tmp_path):
    found = _check(tmp_path, """
override decision assembled_system_listing_cap: money ceiling "折算后系统总价的上限" article "四" because "放宽上限" {
    when assembled_from_selected_components then same_company_selected_system_price + 100 yuan
    otherwise none
}
""")
    errors = [d for d in found if d.severity == "error"]
    assert [d.code for d in errors] == ["PL317"] and "assembled_system_listing_cap" in errors[0].message
    # the check of the comparison that reads the cap multiplies two unknowns (price x quantity): a
    # warning that it could not be proved, never a silent pass
    assert {d.code for d in found if d.severity == "warning"} <= {"PL318"}


@pytest.mark.parametrize("body", [
    # a stricter component ceiling: 10 yuan under each component's selected price
    """
override decision component_listing_within_cap: bool "非中选产品系统所含中选部件是否均不高于该部件的中选价格挂网"
    article "四" because "本市从严" =
    all(nonselected_system_components where selected_component, listing_price + 10 yuan <= component_selected_price)
""",
    # a stricter total: 100 yuan under the same company's selected system price
    """
override decision assembled_system_listing_cap: money ceiling "折算后系统总价的上限" article "四" because "本市从严" {
    when assembled_from_selected_components and same_company_selected_system_price >= 100 yuan
        then same_company_selected_system_price - 100 yuan
    otherwise none
}
""",
])
def test_a_stricter_city_ceiling_passes(tmp_path, body):
    assert [(d.code, d.message) for d in _check(tmp_path, body) if d.severity == "error"] == []
