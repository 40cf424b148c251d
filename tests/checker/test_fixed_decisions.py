"""`fixed` decisions and cases: lower levels may add after them, never change them."""

from __future__ import annotations

from helpers import header, write_tree
from policylang.pipeline import check

NATIONAL = header("national") + """
input selected: bool
input selected_price: money
input price: money
decision standard: money "支付标准" {
    when selected then selected_price fixed "中选产品以中选价为支付标准"
    otherwise price
}
decision fee: money fixed = price
"""


def findings(tmp_path, child: str):
    root = write_tree(tmp_path, {"cn/x": NATIONAL, "cn/gd/x": header("provincial", extends="cn/x") + child})
    return [(d.code, d.span.line, d.policy_id) for d in check([root]).diagnostics]


def test_changing_a_fixed_case_is_pl306(tmp_path):
    out = findings(tmp_path, """
override decision standard: money {
    when selected then selected_price + 10 yuan
    otherwise price
}
""")
    assert out == [("PL306", 7, "cn/gd/x")]  # the changed case


def test_a_case_inserted_before_a_fixed_case_is_pl306(tmp_path):
    out = findings(tmp_path, """
override decision standard: money {
    when price > 1000 yuan then 1000 yuan
    when selected then selected_price
    otherwise price
}
""")
    assert [code for code, _, _ in out] == ["PL306"]


def test_changing_a_fixed_decision_is_pl306(tmp_path):
    out = findings(tmp_path, "override decision fee: money = price + 1 yuan\n")
    assert out == [("PL306", 5, "cn/gd/x")]


def test_replacing_only_what_follows_the_fixed_cases_is_allowed(tmp_path):
    out = findings(tmp_path, """
override decision standard: money "支付标准（本省）" {
    when selected then selected_price "中选产品以中选价为支付标准"
    when price <= 5000 yuan then price
    otherwise 5000 yuan
}
override decision fee: money fixed = price
""")
    assert out == []


def test_a_grandchild_is_held_to_the_national_fixed_case(tmp_path):
    root = write_tree(tmp_path, {
        "cn/x": NATIONAL,
        "cn/gd/x": header("provincial", extends="cn/x") + """
override decision standard: money {
    when selected then selected_price
    otherwise price
}
""",
        "cn/gd/sz/x": header("municipal", extends="cn/gd/x") + """
override decision standard: money {
    when selected then price
    otherwise price
}
""",
    })
    out = [(d.code, d.policy_id) for d in check([root]).diagnostics]
    assert out == [("PL306", "cn/gd/sz/x")]
