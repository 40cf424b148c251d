"""A requirement binds a policy only on the days it is in force; PL404 points at the value that breaks it."""

from __future__ import annotations

from .conftest import MUNICIPAL_HEADER, NATIONAL_HEADER, PROVINCIAL_HEADER, codes, only
from .test_blanks_requirements import CAP_TOO_HIGH, LATE_SCHEDULE, NATIONAL, PROVINCE, RISES_AFTER_DEADLINE

# The national deadline: its effective date (2021-01-01) + 2 years.
DEADLINE = "2023-01-01"


def city(body: str, effective: str = "2021-03-01", ends: str | None = None) -> str:
    head = MUNICIPAL_HEADER.replace("effective 2021-03-01", f"effective {effective}")
    if ends:
        head += f"ends {ends}\n"
    return head + body


def tree(city_text: str, province: str = PROVINCE) -> dict:
    return {"cn/base": NATIONAL, "cn/p/base": province, "cn/p/c/base": city_text}


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_a_policy_that_ends_before_the_deadline_is_not_held_to_it(run):
    for body in (CAP_TOO_HIGH, LATE_SCHEDULE):
        assert "PL404" not in codes(run(tree(city(body, ends="2022-12-31")))), body
    # In force on the deadline itself: held to it.
    assert "PL404" in codes(run(tree(city(CAP_TOO_HIGH, ends=DEADLINE))))


def test_pl404_points_at_the_value_that_breaks_the_requirement(run):
    text = city(CAP_TOO_HIGH)
    d = only(run(tree(text)), "PL404")[0]
    # payment_cap (3000 yuan) is too high, not highest_selected_price (798 yuan), although that sorts first
    assert d.span.line == line_of(text, "override param payment_cap") and d.span.file.endswith("c/base.policy")
    assert d.related[0].span.file.endswith("cn/base.policy") and "cap_within_highest" in d.related[0].message
    assert d.related[0].message_zh


def test_a_schedule_that_starts_too_late_points_at_its_first_step(run):
    body = """
override param highest_selected_price: money fixed 798 yuan because "中选结果"
schedule payment_cap "调整" {
    from 2023-06-01: 798 yuan "迟于两年期限"
}
"""
    province = PROVINCIAL_HEADER + 'override param payment_cap: money ceiling 3000 yuan because "本省设定"\n'
    text = city(body)
    d = only(run(tree(text, province)), "PL404")[0]
    assert d.span.line == line_of(text, "from 2023-06-01")


def test_a_value_the_province_sets_is_a_related_location(run):
    province = PROVINCIAL_HEADER + 'override param payment_cap: money ceiling 3000 yuan because "本省设定"\n'
    text = city('override param highest_selected_price: money fixed 798 yuan because "中选结果"\n')
    d = only(run(tree(text, province)), "PL404")[0]
    assert d.policy_id == "cn/p/c/base" and d.span.line == line_of(text, "highest_selected_price")
    upper = [r for r in d.related if r.span.file.endswith("p/base.policy")]
    assert upper and "payment_cap = 3000 yuan" in upper[0].message and upper[0].message_zh


def test_a_policy_taking_effect_after_the_deadline_is_held_to_it_from_its_first_day(run):
    body = CAP_TOO_HIGH + """schedule payment_cap "逐步调整" {
    from 2022-07-01: 1200 yuan "本市文件生效前的安排，不适用"
    from 2023-02-01: 798 yuan
}
"""
    assert "PL404" not in codes(run(tree(city(body, effective="2023-03-01"))))
    d = only(run(tree(city(body.replace("2023-02-01", "2023-04-01"), effective="2023-03-01"))), "PL404")[0]
    assert "2023-03-01" in d.message and "1200 yuan" in d.message


def test_a_rise_after_the_policy_ends_is_not_checked(run):
    assert "PL404" in codes(run(tree(city(RISES_AFTER_DEADLINE))))
    assert "PL404" not in codes(run(tree(city(RISES_AFTER_DEADLINE, ends="2023-12-31"))))


def test_requirements_over_inputs_respect_the_window(run):
    base = NATIONAL_HEADER + """
input price: money "价格"
param cap: money default 1000 yuan "上限"
decision paid: money "支付" = min(price, cap)
require paid_within_cap: paid <= cap by 2022-01-01 "支付不超过上限"
"""
    child = PROVINCIAL_HEADER + 'override decision paid: money "支付" = price\n'
    found = only(run({"cn/base": base, "cn/p/base": child}), "PL406")
    assert [d.policy_id for d in found] == ["cn/p/base"]
    ended = child.replace("extends cn/base\n", "extends cn/base\nends 2021-12-31\n")
    assert "PL406" not in codes(run({"cn/base": base, "cn/p/base": ended}))


def test_a_contradicting_redefinition_binds_only_while_in_force(run):
    base = NATIONAL_HEADER + """
input ratio: percent "比例"
decision r: percent "比例" = ratio
require ratio_high: r >= 30% by 2022-01-01 "不低于30%"
"""
    child = PROVINCIAL_HEADER + 'override require ratio_high: r < 20% by 2022-01-01 because "本省"\n'
    assert "PL407" in codes(run({"cn/base": base, "cn/p/base": child}))
    ended = child.replace("extends cn/base\n", "extends cn/base\nends 2021-12-31\n")
    assert "PL407" not in codes(run({"cn/base": base, "cn/p/base": ended}))
