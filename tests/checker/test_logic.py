"""Decision tables and cases: overlaps, dead cases and gaps, with concrete example inputs."""

from __future__ import annotations

from .conftest import NATIONAL_HEADER, PROVINCIAL_HEADER, codes, only

INPUTS = """
enum Company "企业" { same "本企业", other "其他企业" }
input used: bool "使用"
input complete: bool "齐全"
input company: Company "企业"
input price: money "价格"
input count: count "数量"
"""


def national(body: str) -> dict:
    return {"cn/base": NATIONAL_HEADER + INPUTS + body}


def test_table_gap_is_shown_as_a_general_region(run):
    body = """
table counts: bool "记入" {
    columns used, complete, company
    row false, -, - => false
    row true, true, - => true
    row true, false, same => true
}
"""
    gap = only(run(national(body)), "PL402")[0]
    assert gap.severity == "warning"
    # The region fixes the three columns; the example names each column's value.
    assert "used = true, complete = false, company = other" in gap.message


def test_gap_regions_are_merged(run):
    body = """
table counts: bool "记入" {
    columns used, complete, company
    row true, true, same => true
}
"""
    gap = only(run(national(body)), "PL402")[0]
    # Seven uncovered inputs are shown as three general regions, each fixing one column.
    assert "(1) complete = false (any value of the other 2 columns)" in gap.message
    assert "(2) used = false (any value of the other 2 columns)" in gap.message
    assert "(3) company = other (any value of the other 2 columns)" in gap.message
    assert "For example:" in gap.message


def test_table_with_otherwise_row_or_full_cover_has_no_gap(run):
    body = """
table counts: bool "记入" {
    columns used, complete
    row false, - => false
    row true, true => true
    row true, false => false
}
table counts2: bool "记入2" {
    columns used, complete
    row true, true => true
    row otherwise => false
}
"""
    assert not codes(run(national(body))) & {"PL401", "PL402"}


def test_overlapping_rows_with_different_results(run):
    body = """
table counts: bool "记入" {
    columns used, complete, company
    row false, -, - => false
    row true, -, - => true
    row true, false, other => false
}
"""
    d = only(run(national(body)), "PL401")[0]
    assert d.severity == "error"
    assert "rows 2 and 3" in d.message and "used = true, complete = false, company = other" in d.message
    assert d.related[0].message.startswith("row 2")


def test_overlapping_rows_with_the_same_result_are_not_a_conflict(run):
    body = """
table counts: bool "记入" {
    columns used, complete
    row false, - => false
    row true, - => true
    row true, false => true
}
"""
    assert "PL401" not in codes(run(national(body)))


def test_numeric_table_gap_and_overlap_with_z3(run):
    body = """
table band: count "档次" {
    columns price
    row < 1000 yuan => 1
    row >= 1000 yuan => 2
    row >= 5000 yuan => 3
}
table band2: count "档次2" {
    columns price, count
    row < 1000 yuan, - => 1
    row > 1000 yuan, >= 1 => 2
}
"""
    diags = run(national(body))
    overlap = only(diags, "PL401")
    assert len(overlap) == 1 and "rows 2 and 3" in overlap[0].message
    assert "price = " in overlap[0].message
    gap = only(diags, "PL402")
    assert len(gap) == 1 and "档次2" in gap[0].message
    assert "price = 1000 yuan" in gap[0].message  # the only uncovered price: exactly 1000


def test_dead_case_is_reported_with_the_covering_case(run):
    body = """
decision tier: count "档次" {
    when price >= 1000 yuan then 2
    when price >= 5000 yuan then 3
    otherwise 1
}
"""
    d = only(run(national(body)), "PL401")[0]
    assert "case 2" in d.message and "case 1" in d.message
    assert d.related[0].message.startswith("case 1")


def test_ordered_cases_that_can_apply_are_fine(run):
    body = """
decision tier: count "档次" {
    when price >= 5000 yuan then 3
    when price >= 1000 yuan then 2
    otherwise 1
}
decision flag: bool "标记" {
    when used and complete then true
    when used then false
    otherwise false
}
"""
    assert not codes(run(national(body))) & {"PL401", "PL402"}


def test_cases_without_otherwise_report_a_gap_with_an_example(run):
    body = """
decision tier: count "档次" {
    when price >= 1000 yuan then 2
    when price < 500 yuan then 1
}
"""
    d = only(run(national(body)), "PL402")[0]
    assert "price = " in d.message
    # Near miss: cases that cover every price.
    body2 = body.replace("when price < 500 yuan", "when price < 1000 yuan")
    assert "PL402" not in codes(run(national(body2)))


def test_conditions_the_solver_cannot_read_are_opaque_and_never_crash(run):
    body = """
decision rounded: count "取整" = ceil(count * 90%)
decision tier: count "档次" {
    when rounded >= 10 then 2
    when round(price, yuan) > 3 yuan then 1
}
"""
    d = only(run(national(body)), "PL402")[0]
    assert "may" in d.message


def test_child_table_replacing_the_parent_is_checked_on_the_child(run):
    base = """
table counts: bool "记入" {
    columns used, complete
    row false, - => false
    row true, true => true
}
"""
    child = PROVINCIAL_HEADER + """
override table counts: bool "记入" because "补充规定" {
    columns used, complete
    row false, - => false
    row true, true => true
    row true, false => true
}
"""
    diags = run({"cn/base": NATIONAL_HEADER + INPUTS + base, "cn/p/base": child})
    gaps = only(diags, "PL402")
    assert [d.policy_id for d in gaps] == ["cn/base"]
