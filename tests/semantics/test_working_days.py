"""`N working days` and `calendar YEAR { … }` end to end: syntax in both keyword languages, the formatter,
the resolver's calendar of a policy (inherited, overridden), the checks that compare working days with
calendar days by the dates they give, the interpreter, the compiled module, explain and the SQL refusal.
The arithmetic itself is in test_workdays.py; the differential test of generated policies in
tests/codegen/test_differential.py."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "codegen"))

from helpers import header, write_tree  # noqa: E402
from policylang.pipeline import check  # noqa: E402
from policylang.semantics import judgment as J  # noqa: E402
from policylang.semantics.evaluate import EvaluationError, Interpreter  # noqa: E402
from policylang.semantics.explain import explain_item, render_explain_text  # noqa: E402
from policylang.semantics.model import Duration  # noqa: E402
from policylang.syntax.formatter import format_source  # noqa: E402
from policylang.syntax.parser import parse_source  # noqa: E402
from policylang.backends.pycodegen import generate_module  # noqa: E402
from support import compile_module  # noqa: E402

NATIONAL = header("national", "2024-01-01") + """\
input signing_date: date "协议签订日期"
param prepay_within: duration ceiling 30 days "预付期限" article "三"
param review_within: duration floor 10 days "审核期限"
decision prepay_deadline: date ceiling "预付最晚日期" article "三" = signing_date + prepay_within
decision review_deadline: date floor "审核最早完成日期" = signing_date + review_within
"""

CALENDAR_2027 = """\
calendar 2027 "国务院办公厅关于2027年部分节假日安排的通知" note "示例" {
    document "国办发明电〔2026〕99号"
    issued 2026-11-01
    holiday 2027-01-01 to 2027-01-03 "元旦"
    workday 2027-01-09 "调休上班"
}
"""


def province(body: str, effective="2024-03-01", ends="2026-06-30") -> str:
    return header("provincial", effective, "cn/prepay") + (f"ends {ends}\n" if ends else "") + body


def _run(tmp_path, files):
    run = check([write_tree(tmp_path, files)])
    return run, [(d.code, d.message) for d in run.diagnostics if d.severity in ("error", "warning")]


# ---------------------------------------------------------------- syntax


EN = """\
policy "示例"
level provincial
effective 2024-01-01

param a: duration ceiling 15 working days "预付期限"
param b: duration ceiling 1 working day

calendar 2027 "国务院办公厅关于2027年部分节假日安排的通知" {
    document "国办发明电〔2026〕99号"
    issued 2026-11-01
    holiday 2027-01-01 to 2027-01-03 "元旦"  # 三天
    workday 2027-01-09
}
"""

ZH = """\
政策 “示例”
层级 省
生效日期 2024-01-01

参数 a：期间 上限 15个工作日 “预付期限”
参数 b：期间 上限 1个工作日

节假日安排 2027 “国务院办公厅关于2027年部分节假日安排的通知” {
    文号 “国办发明电〔2026〕99号”
    印发日期 2026-11-01
    放假 2027-01-01 至 2027-01-03 “元旦”  # 三天
    上班 2027-01-09
}
"""


def _shape(text):
    result = parse_source(text, "x.policy")
    assert not result.diagnostics, result.diagnostics
    out = []
    for d in result.file.decls:
        if d.kind == "param":
            out.append((d.name, d.value.value, d.value.unit))
        else:
            out.append((d.year, d.document, d.issued, [(h.first, h.last, h.label) for h in d.holidays],
                        [w.first for w in d.workdays], d.meta.label))
    return out


def test_both_keyword_languages_give_the_same_declarations():
    assert _shape(EN) == _shape(ZH)
    assert _shape(EN)[0] == ("a", 15, "working_days")
    assert _shape("policy \"x\"\nlevel national\neffective 2024-01-01\nparam c: duration fixed 3工作日\n") == [
        ("c", 3, "working_days")]


def test_fmt_writes_each_language_and_round_trips():
    en, _ = format_source(ZH, "x.policy", keywords="en")
    zh, _ = format_source(EN, "x.policy", keywords="zh")
    assert en == EN and zh == ZH
    for text in (EN, ZH):
        once, _ = format_source(text, "x.policy")
        assert format_source(once, "x.policy")[0] == once == text


def test_a_fraction_of_a_working_day_is_refused():
    result = parse_source("policy \"x\"\nlevel national\neffective 2024-01-01\n"
                          "param c: duration fixed 1.5 working days\n", "x.policy")
    assert [d.code for d in result.diagnostics] == ["PL105"]
    assert "a whole number of working days" in result.diagnostics[0].message


# ---------------------------------------------------------------- the checks


def test_fifteen_working_days_tighten_thirty_days_proved(tmp_path):
    run, found = _run(tmp_path, {"cn/prepay": NATIONAL, "cn/sc/prepay": province(
        'override param prepay_within: duration ceiling 15 working days because "15个工作日内预付"\n'
        'override param review_within: duration floor 10 working days because "10个工作日"\n')})
    assert found == []
    data = explain_item(run.resolution, "cn/sc/prepay", "prepay_within")
    assert data["chain"][-1]["action"] == "tightened, proved"
    text = render_explain_text(data)
    assert "15 working days after 2024-03-01 (its effective date), i.e. 2024-03-22" in text
    assert "2024: 国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号，2023-10-25）" in text
    zh = render_explain_text(data, "zh")
    assert "prepay_within：自生效日期 2024-03-01 起 15个工作日，即 2024-03-22" in zh
    assert explain_item(run.resolution, "cn/sc/prepay", "review_within")["chain"][-1]["action"] == "tightened, proved"


def test_working_days_that_run_past_the_calendar_days_are_found_with_their_start_date(tmp_path):
    run, found = _run(tmp_path, {"cn/prepay": NATIONAL, "cn/sc/prepay": province(
        'override param prepay_within: duration ceiling 20 working days because "20个工作日"\n'
        'override param review_within: duration floor 8 working days because "8个工作日"\n')})
    codes = sorted(code for code, _ in found)
    assert codes == ["PL304", "PL305"]
    ceiling = next(m for c, m in found if c == "PL305")
    # from 2024-03-07 the 20th working day is Sunday 2024-04-07, worked after Qingming: 31 days
    assert "For counting from 2024-03-07: this policy has 20 working days (to 2024-04-07)" in ceiling
    assert "allows at most 30 days (to 2024-04-06)" in ceiling
    floor = next(m for c, m in found if c == "PL304")
    assert "8 working days" in floor
    d = next(d for d in run.diagnostics if d.code == "PL305")
    assert "holidays and their make-up days (调休)" in d.hint


def test_a_decision_counting_working_days_is_proved_exactly(tmp_path):
    run, found = _run(tmp_path, {"cn/prepay": NATIONAL, "cn/sc/prepay": province(
        'override decision prepay_deadline: date "预付最晚日期" because "21个工作日" = signing_date + 21 working days\n')})
    assert [c for c, _ in found] == ["PL317"]
    message = found[0][1]
    # a Saturday start: the 21st working day is after Qingming 2025, one day past 30 days
    assert "For signing_date = 2025-03-15: this policy gives 2025-04-15; cn/prepay allows at most 2025-04-14." in message
    run, found = _run(tmp_path / "ok", {"cn/prepay": NATIONAL, "cn/sc/prepay": province(
        'override decision prepay_deadline: date "预付最晚日期" because "15个工作日" = signing_date + 15 working days\n')})
    assert found == []
    assert explain_item(run.resolution, "cn/sc/prepay", "prepay_deadline")["chain"][-1]["action"] == "tightened, proved"


def test_periods_compare_without_a_calendar_only_where_every_date_agrees():
    wd, days, months = (lambda n: Duration(n, "working_days")), (lambda n: Duration(n, "days")), \
        (lambda n: Duration(n, "months"))
    assert J.order(wd(15), wd(10)) == 1 and J.order(wd(3), wd(3)) == 0
    assert J.order(wd(15), days(14)) == 1  # every working day is a day
    assert J.order(days(14), wd(15)) == -1
    assert J.order(wd(15), days(15)) is None  # equal in a week without holidays, later with them
    assert J.order(wd(32), months(1)) == 1 and J.order(wd(20), months(1)) is None
    assert J.judge("ceiling", days(30), wd(15)) == J.UNDECIDED  # decided with the calendar by the checks


def test_a_policy_past_the_calendar_is_warned_and_a_declared_year_covers_it(tmp_path):
    _, found = _run(tmp_path, {"cn/prepay": NATIONAL, "cn/sc/prepay": province(
        'override param prepay_within: duration ceiling 15 working days because "x"\n', ends="2027-06-30")})
    assert [c for c, _ in found] == ["PL503"]
    assert "covers 2019–2026: from 2027-01-01 on" in found[0][1]
    run, found = _run(tmp_path / "declared", {"cn/prepay": NATIONAL + CALENDAR_2027, "cn/sc/prepay": province(
        'override param prepay_within: duration ceiling 15 working days because "x"\n', ends="2027-06-30")})
    assert found == []
    policy = run.resolution.policies["cn/sc/prepay"]
    assert 2027 in policy.workdays.covered and "2027" in policy.calendars  # inherited from the national notice
    interp = Interpreter(policy)
    result = interp.evaluate({"signing_date": "2026-12-31"}, dt.date(2027, 1, 2))
    # 1–3 January 2027 off (the declared year), Monday the 4th is the first working day
    assert result.values["prepay_deadline"] == Interpreter(policy).policy.workdays.add(dt.date(2026, 12, 31), 15)
    assert policy.workdays.add(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)
    module = compile_module(policy)
    assert module.evaluate({"signing_date": "2026-12-31"}, as_of=dt.date(2027, 1, 2)).as_dict() == result.values
    assert "国办发明电〔2026〕99号" in generate_module(policy)


def test_an_inherited_year_is_changed_only_by_an_override(tmp_path):
    child = ('override param prepay_within: duration ceiling 15 working days because "x"\n'
             + CALENDAR_2027.replace("workday 2027-01-09", "workday 2027-01-10"))
    _, found = _run(tmp_path, {"cn/prepay": NATIONAL + CALENDAR_2027,
                               "cn/sc/prepay": province(child, ends="2027-12-31")})
    assert [c for c, _ in found] == ["PL307"]
    run, found = _run(tmp_path / "override", {"cn/prepay": NATIONAL + CALENDAR_2027, "cn/sc/prepay": province(
        child.replace("calendar 2027", "override calendar 2027").replace('note "示例"', 'because "更正调休日"'),
        ends="2027-12-31")})
    assert found == []
    policy = run.resolution.policies["cn/sc/prepay"]
    assert policy.workdays.is_working_day(dt.date(2027, 1, 10)) and not policy.workdays.is_working_day(dt.date(2027, 1, 9))
    assert [o.policy_id for o in policy.calendars["2027"]] == ["cn/prepay", "cn/sc/prepay"]
    assert run.resolution.policies["cn/prepay"].workdays.is_working_day(dt.date(2027, 1, 9))


def test_a_tree_corrects_a_shipped_year(tmp_path):
    fix = """\
calendar 2024 "国务院办公厅关于2024年部分节假日安排的通知" because "示例：更正" {
    document "国办发明电〔2023〕7号"
    issued 2023-10-25
    holiday 2024-10-01 to 2024-10-03 "国庆节"
}
"""
    run, found = _run(tmp_path, {"cn/prepay": NATIONAL + fix})
    assert found == []  # it counts no working days itself: no PL503 for its open end
    cal = run.resolution.policies["cn/prepay"].workdays
    assert cal.is_working_day(dt.date(2024, 10, 4)) and not cal.is_working_day(dt.date(2024, 10, 3))
    assert cal.year(2024).source.startswith("cn/prepay (")


# ---------------------------------------------------------------- evaluation


def test_interpreter_and_module_agree_and_refuse_the_same_dates(tmp_path):
    run, found = _run(tmp_path, {"cn/prepay": NATIONAL, "cn/sc/prepay": province(
        'override param prepay_within: duration ceiling 15 working days because "x"\n')})
    assert found == []
    policy = run.resolution.policies["cn/sc/prepay"]
    assert sorted(policy.workdays.covered) == [2023, 2024, 2025, 2026]
    interp, module = Interpreter(policy), compile_module(policy)
    day = dt.date(2024, 9, 30)
    assert interp.evaluate({"signing_date": "2024-09-27"}, day).values["prepay_deadline"] == dt.date(2024, 10, 23)
    assert module.evaluate({"signing_date": "2024-09-27"}, as_of=day).prepay_deadline == dt.date(2024, 10, 23)
    source = generate_module(policy)
    assert "2023: ((" in source and "2019: ((" not in source  # only the years of its window
    assert "# 国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号，2023-10-25）" in source
    for signing, words in (("2027-03-01", "no arrangement of the State Council for 2027 (it covers 2019–2026)"),
                           ("2021-05-06", "this policy counts them on the years of its window and one either side "
                                          "(2023–2026), and 2021 is not one of them")):
        with pytest.raises(EvaluationError) as mine:
            interp.evaluate({"signing_date": signing}, day)
        with pytest.raises(module.EvaluationError) as theirs:
            module.evaluate({"signing_date": signing}, as_of=day)
        assert mine.value.to_dict() == theirs.value.to_dict()
        assert mine.value.code == "calendar_not_covered" and words in mine.value.message
        assert mine.value.decision == "prepay_deadline"


def test_a_policy_without_working_days_embeds_no_calendar(tmp_path):
    run, _ = _run(tmp_path, {"cn/prepay": NATIONAL})
    assert "_WORKDAYS = " not in generate_module(run.resolution.policies["cn/prepay"])


def test_sql_refuses_working_days_by_name(tmp_path):
    from policylang.backends.sql import UnsupportedInSql, compile_sql

    run, _ = _run(tmp_path, {"cn/wd": header("national", "2024-01-01") + "ends 2026-06-30\n"
                             "input signing_date: date\n"
                             "decision due: date = signing_date + 15 working days\n"})
    with pytest.raises(UnsupportedInSql, match=r"working days \(15 working days\)"):
        compile_sql(run.resolution.policies["cn/wd"], "duckdb")


# ---------------------------------------------------------------- docs pages

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "clean" / "province_prepays_in_working_days" / "policies"


def test_docs_pages_show_working_days_and_the_calendar_counted_on(tmp_path):
    from policylang.backends.docs import render_site

    run = check([str(FIXTURE)])
    render_site(run, str(tmp_path))
    md = (tmp_path / "policies" / "cn" / "sc" / "prepay-2024.md").read_text(encoding="utf-8")
    assert "取值：15个工作日，性质：不高于（上限）" in md
    assert ("## 工作日日历\n\n本政策按工作日计算期限：工作日依国务院办公厅每年的节假日安排通知（含调休上班日），"
            "使用以下年份：2023–2026\n\n- 2023：国务院办公厅关于2023年部分节假日安排的通知（国办发明电〔2022〕16号，2022-12-08）\n") in md
    html = (tmp_path / "policies" / "cn" / "sc" / "prepay-2024.html").read_text(encoding="utf-8")
    assert '<section class="kind" id="workdays">' in html and "国办发明电〔2025〕7号" in html
    national = (tmp_path / "policies" / "cn" / "prepay-2024.md").read_text(encoding="utf-8")
    assert "工作日日历" not in national  # it counts calendar days only


def test_a_shipped_year_is_corrected_without_override(tmp_path):
    text = NATIONAL + 'override calendar 2026 "更正" because "示例" {\n    document "x"\n    issued 2025-11-04\n}\n'
    run, found = _run(tmp_path, {"cn/prepay": text})
    assert [c for c, _ in found] == ["PL308"]
    d = next(d for d in run.diagnostics if d.code == "PL308")
    assert d.message == "calendar 2026 is marked override, but no level above declares that year"
    assert "without override" in d.hint and "不写覆盖" in d.hint_zh


def test_a_deadline_in_working_days_is_fixed_on_the_declaring_policys_calendar(tmp_path):
    body = ("param cap: money ceiling 1500 yuan\n"
            "schedule cap {\n    from effective_date + 3 working days: 1000 yuan\n}\n"
            "require capped: cap <= 1000 yuan by effective_date + 3 working days\n")
    run, found = _run(tmp_path, {"cn/x": header("national", "2026-12-30") + "ends 2027-06-30\n" + body
                                 + CALENDAR_2027})
    assert found == []
    policy = run.resolution.policies["cn/x"]
    # 2026-12-31, then 1–3 January 2027 off (the declared year): the 3rd working day is 2027-01-05
    assert policy.schedules["cap"].entries[0].start == dt.date(2027, 1, 5)
    assert policy.requirements["capped"].deadline_date == dt.date(2027, 1, 5)
