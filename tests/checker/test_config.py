"""Per-code severity in pyproject.toml and inline suppressions with a reason."""

from __future__ import annotations

from .conftest import NATIONAL_HEADER, PROVINCIAL_HEADER, codes, only

GAP = NATIONAL_HEADER + """
input used: bool "使用"
input complete: bool "齐全"
{comment}
table counts: bool "记入" {{
    columns used, complete
    row false, - => false
    row true, true => true
}}
"""


def gap_tree(comment: str = "") -> dict:
    return {"cn/base": GAP.format(comment=comment)}


def test_suppression_with_a_reason_suppresses(run):
    diags = run(gap_tree('# policylang: ignore[PL402] because "本通知未规定该情形，已报自治区医保局"'))
    assert not codes(diags, ("error", "warning", "info"))


def test_suppression_at_the_end_of_the_line(run):
    files = {"cn/base": GAP.format(comment="").replace(
        'table counts: bool "记入" {', 'table counts: bool "记入" {  # policylang: ignore[PL402] because "已报上级"')}
    assert "PL402" not in codes(run(files))


def test_suppression_without_a_reason_does_not_suppress(run):
    diags = run(gap_tree("# policylang: ignore[PL402]"))
    assert {"PL402", "PL901"} <= codes(diags)
    assert only(diags, "PL901")[0].severity == "error"


def test_unused_suppression(run):
    diags = run(gap_tree('# policylang: ignore[PL401] because "不重叠"'))
    d = only(diags, "PL902")[0]
    assert d.severity == "warning" and "PL401" in d.message
    assert "PL402" in codes(diags)


def test_no_unused_suppression_under_a_level_with_errors(run):
    # The parent does not type-check, so the child's gap finding is never reached: its
    # suppression is not "unused" (that would be a follow-on of the parent's error), and it
    # is again once the parent is fixed.
    child = PROVINCIAL_HEADER + """
input used: bool "使用"
input complete: bool "齐全"
# policylang: ignore[PL402] because "本通知未规定该情形"
table counts: bool "记入" {
    columns used, complete
    row false, - => false
    row true, true => true
}
"""
    broken = {"cn/base": NATIONAL_HEADER + 'param cap: money ceiling 7000 yuan + "x" "上限"\n', "cn/p/base": child}
    diags = run(broken)
    assert "PL203" in codes(diags)
    assert "PL902" not in codes(diags)
    fixed = {"cn/base": NATIONAL_HEADER + 'param cap: money ceiling 7000 yuan "上限"\n',
             "cn/p/base": child.replace("row true, true => true", "row true, true => true\n    row true, false => false")}
    diags = run(fixed)
    assert only(diags, "PL902")[0].policy_id == "cn/p/base"


def test_severity_from_pyproject(run):
    diags = run(gap_tree(), extra={"pyproject.toml": '[tool.policylang]\nseverity = { PL402 = "error" }\n'})
    assert only(diags, "PL402")[0].severity == "error"
    diags = run(gap_tree(), extra={"pyproject.toml": '[tool.policylang]\nseverity = { PL402 = "off" }\n'})
    assert "PL402" not in codes(diags)


def test_invalid_configuration_is_reported_in_pyproject(run):
    toml = '[project]\nname = "x"\n\n[tool.policylang]\nseverity = { PL999 = "off", PL402 = "loud" }\ncolour = true\n'
    diags = run(gap_tree(), extra={"pyproject.toml": toml})
    found = only(diags, "PL903")
    assert len(found) == 3
    assert all(d.span.file.endswith("pyproject.toml") and d.span.line in (5, 6) for d in found)
    # The valid part of the file still works; the invalid value leaves the default severity.
    assert only(diags, "PL402")[0].severity == "warning"


def test_valid_configuration_is_silent(run):
    diags = run(gap_tree(), extra={"pyproject.toml": '[tool.policylang]\nseverity = { PL207 = "info" }\n'})
    assert "PL903" not in codes(diags)
