"""Amending notices (`amends ID`): resolution, the checks against the parent, the diagnostics of
amendments written wrongly, evaluation by as_of, provenance in explain, formatting, SQL and the
policies a change to an amendment affects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from helpers import header, write_tree
from policylang.pipeline import affected_policies, check, structure_of
from policylang.semantics.evaluate import Interpreter, NotInForce
from policylang.semantics.explain import explain_item, render_explain_text
from policylang.syntax.formatter import format_source
from policylang.syntax.parser import parse_source

NATIONAL = header("national", effective="2020-01-01") + """
input amount: money
param ratio: percent floor 30% "预付比例"
param start: date fixed 2021-01-01 "执行时间"
decision prepay: money floor "预付金额" = round(amount * ratio, fen, up)
decision begins: date = start
"""

PROVINCE = header("provincial", effective="2021-03-01", extends="cn/x") + """region "某省"
override param ratio: percent floor 40% "预付比例" because "本省提高"
param local_start: date fixed 2021-04-10 "本省执行时间"
decision local_begins: date = local_start
"""

POSTPONED = """policy "关于推迟执行时间的通知"
level provincial
region "某省"
effective 2021-04-01
amends cn/p
override effective 2021-05-20

override param local_start: date fixed 2021-05-20 "本省执行时间" because "执行时间由4月10日推迟至5月20日"
"""


def tree(tmp_path, **extra):
    files = {"cn/x": NATIONAL, "cn/p": PROVINCE, "cn/p-postponed": POSTPONED}
    files.update(extra)
    root = write_tree(tmp_path, {k: v for k, v in files.items() if v is not None})
    return root, check([root], root)


def codes(run, policy=None):
    return sorted((d.code, d.policy_id) for d in run.diagnostics
                  if d.severity == "error" and (policy is None or d.policy_id == policy))


def test_an_amendment_is_checked_and_versions_are_chosen_by_as_of(tmp_path):
    root, run = tree(tmp_path)
    assert codes(run) == []
    policy = run.resolution.policies["cn/p"]
    assert [(start, v.policy_id) for start, v in policy.versions] == [(dt.date(2021, 4, 1), "cn/p-postponed")]
    amended = run.resolution.policies["cn/p-postponed"]
    assert (amended.effective, amended.amends, amended.parent, amended.level) == \
        (dt.date(2021, 5, 20), "cn/p", "cn/x", "provincial")
    interp = Interpreter(policy)
    # before the amendment: the notice as written
    before = interp.evaluate({"amount": "100"}, dt.date(2021, 3, 15))
    assert before.values["local_begins"] == dt.date(2021, 4, 10)
    assert before.values["prepay"] == Decimal("40.00")
    # after the amendment's date, before the postponed date: not in force, naming the policy in force
    with pytest.raises(NotInForce) as caught:
        interp.evaluate({"amount": "100"}, dt.date(2021, 4, 15))
    assert caught.value.policy_id == "cn/p"
    assert "2021-05-20" in str(caught.value) and "cn/x" in str(caught.value)
    after = interp.evaluate({"amount": "100"}, dt.date(2021, 6, 1))
    assert after.values["local_begins"] == dt.date(2021, 5, 20)


def test_an_amendment_is_held_to_the_parent_not_to_the_notice_it_amends(tmp_path):
    # Lowering the province's own floor (40%) to 35% is the province's to do; below the national 30% is not.
    ok = POSTPONED + 'override param ratio: percent floor 35% "预付比例" because "调整"\n'
    _, run = tree(tmp_path, **{"cn/p-postponed": ok})
    assert codes(run) == []
    bad = POSTPONED + 'override param ratio: percent floor 20% "预付比例" because "调整"\n'
    _, run = tree(tmp_path / "bad", **{"cn/p-postponed": bad})
    assert codes(run) == [("PL304", "cn/p-postponed")]
    # A fixed value of the amended notice itself may change (it is the same office's), a national one not.
    fixed = POSTPONED + 'override param start: date fixed 2021-02-01 because "调整"\n'
    _, run = tree(tmp_path / "fixed", **{"cn/p-postponed": fixed})
    assert codes(run) == [("PL306", "cn/p-postponed")]


@pytest.mark.parametrize("text, key", [
    (POSTPONED.replace("amends cn/p", "amends cn/nothing"), "does not exist"),
    (POSTPONED.replace("level provincial", "level municipal"), "at the level of the notice it amends"),
    (POSTPONED.replace("amends cn/p", "amends cn/p\nextends cn/x"), "no 'extends' line"),
    (POSTPONED.replace('region "某省"', 'region "另一省"'), "covers the region"),
    (POSTPONED.replace("effective 2021-04-01", "effective unknown"), "must be known"),
])
def test_amendments_written_wrongly(tmp_path, text, key):
    _, run = tree(tmp_path, **{"cn/p-postponed": text})
    found = [d for d in run.diagnostics if d.code == "PL340"]
    assert len(found) == 1 and key in found[0].message and found[0].message_zh
    assert found[0].policy_id == "cn/p-postponed"


def test_dates_moved_without_amends_and_amendments_in_a_circle(tmp_path):
    alone = header("provincial", extends="cn/x") + "override effective 2021-05-20\n"
    circle = POSTPONED.replace("amends cn/p", "amends cn/p-again")
    again = POSTPONED.replace("amends cn/p", "amends cn/p-postponed")
    _, run = tree(tmp_path, **{"cn/q": alone, "cn/p-postponed": circle, "cn/p-again": again})
    messages = sorted(d.message for d in run.diagnostics if d.code == "PL340")
    assert any("amends none" in m for m in messages)
    assert any("in a circle" in m for m in messages)


def test_a_chain_of_amendments_and_a_conflict(tmp_path):
    later = POSTPONED.replace("effective 2021-04-01", "effective 2021-05-01").replace(
        "amends cn/p", "amends cn/p-postponed").replace("2021-05-20", "2021-06-30")
    root, run = tree(tmp_path, **{"cn/p-later": later})
    assert codes(run) == []
    policy = run.resolution.policies["cn/p"]
    assert [v.policy_id for _, v in policy.versions] == ["cn/p-postponed", "cn/p-later"]
    interp = Interpreter(policy)
    assert interp.evaluate({"amount": "1"}, dt.date(2021, 7, 1)).values["local_begins"] == dt.date(2021, 6, 30)
    with pytest.raises(NotInForce):
        interp.evaluate({"amount": "1"}, dt.date(2021, 6, 1))  # postponed again, to 2021-06-30
    same_day = later.replace("effective 2021-05-01", "effective 2021-04-01")
    _, run = tree(tmp_path / "conflict", **{"cn/p-later": same_day})
    conflict = [d for d in run.diagnostics if d.code == "PL341"]
    assert len(conflict) == 1 and "local_start" in conflict[0].message and conflict[0].related


def test_explain_says_who_set_and_who_amended(tmp_path):
    root, run = tree(tmp_path)
    data = explain_item(run.resolution, "cn/p-postponed", "local_start")
    text = render_explain_text(data)
    assert "until cn/p-postponed amends it, from 2021-04-01" in text
    assert "amends the definition of cn/p, from 2021-04-01" in text
    original = render_explain_text(explain_item(run.resolution, "cn/p", "local_start"), "zh")
    assert "自 2021-04-01 起由 cn/p-postponed 修订" in original and "推迟" in original


def test_formatting_an_amendment_round_trips_in_both_languages():
    text, problems = format_source(POSTPONED, "cn/p-postponed.policy")
    assert not problems and format_source(text, "cn/p-postponed.policy")[0] == text
    assert "amends cn/p\noverride effective 2021-05-20\n" in text
    zh, _ = format_source(text, "cn/p-postponed.policy", keywords="zh")
    assert "修订 cn/p" in zh and "覆盖 生效日期 2021-05-20" in zh
    a, b = parse_source(text, "x.policy").file, parse_source(zh, "x.policy").file
    assert [(h.key, h.value) for h in a.header] == [(h.key, h.value) for h in b.header]


def test_a_change_to_an_amendment_rechecks_the_amended_policy_and_its_descendants(tmp_path):
    city = header("municipal", effective="2021-06-01", extends="cn/p")
    root, run = tree(tmp_path, **{"cn/p/c": city})
    structure = structure_of(run.workspace)
    assert {"cn/p", "cn/p/c", "cn/p-postponed"} <= affected_policies({"cn/p-postponed"}, structure)
    assert "cn/p-postponed" in affected_policies({"cn/p"}, structure)


def test_sql_compiles_the_version_of_the_day_and_refuses_without_one(tmp_path):
    pytest.importorskip("sqlglot")
    from policylang.backends.sql.compiler import UnsupportedInSql, compile_sql

    root, run = tree(tmp_path)
    policy = run.resolution.policies["cn/p"]
    with pytest.raises(UnsupportedInSql, match="amended policy"):
        compile_sql(policy)
    before = compile_sql(policy, as_of=dt.date(2021, 3, 15)).sql
    after = compile_sql(policy, as_of=dt.date(2021, 6, 1)).sql
    assert "2021-04-10" in before and "2021-05-20" in after and "2021-04-10" not in after


# ---------------------------------------------------------------- policies below an amended notice

PAY = 'decision pay: money ceiling "支付金额" = min(amount, 1000 yuan)\n'
PAY_AMENDED = POSTPONED + 'override param ratio: percent floor 50% "预付比例" because "调整"\n' + \
    'override decision pay: money ceiling "支付金额" = min(amount, 800 yuan)\n'


def city(effective: str, body: str) -> str:
    return header("municipal", effective=effective, extends="cn/p") + 'region "某市"\n' + body


def test_a_city_below_an_amended_province_is_held_to_the_amended_version_from_its_date(tmp_path):
    # Within the province as written (floor 40%, pay at most 1000 yuan), beyond it as amended from
    # 2021-04-01 (floor 50%, at most 800 yuan): rejected, at the city's override, with the
    # amendment's item as the related location and the day named.
    body = 'override param ratio: percent floor 45% "预付比例" because "本市"\n' + \
        'override decision pay: money ceiling "支付金额" = min(amount, 900 yuan)\n'
    root, run = tree(tmp_path, **{"cn/p": PROVINCE + PAY, "cn/p-postponed": PAY_AMENDED,
                                  "cn/p/c": city("2021-03-15", body)})
    found = {d.code: d for d in run.diagnostics if d.policy_id == "cn/p/c"}
    assert sorted(found) == ["PL304", "PL317"]
    for d in found.values():
        assert d.message.startswith("from 2021-04-01, when cn/p-postponed amends cn/p above this policy: ")
        assert d.message_zh.startswith("自 2021-04-01 起（cn/p-postponed 修订上级的 cn/p 之后）：")
        assert d.span.file.endswith("c.policy")
        assert [r.span.file.endswith("p-postponed.policy") for r in d.related] == [True]
    assert found["PL304"].span.line == 6 and found["PL304"].related[0].span.line == 9
    assert found["PL317"].span.line == 7 and found["PL317"].related[0].span.line == 10
    assert "amount = 899 yuan" in found["PL317"].message and "at most 800 yuan" in found["PL317"].message
    # Evaluated on a day: the inherited items of the province's version of that day.
    policy = run.resolution.policies["cn/p/c"]
    assert [(start, v.amended_by) for start, v in policy.versions] == [(dt.date(2021, 4, 1), "cn/p-postponed")]


def test_a_city_that_takes_effect_after_the_amendment_is_checked_against_the_amended_version_only(tmp_path):
    # 35%: below the province as written (40%) and above the national 30%; the amendment lowers
    # the province's floor to 35%. A city in force only after the amendment is right; one in force
    # before it is held to the 40% of the notice as written then.
    lowered = POSTPONED + 'override param ratio: percent floor 35% "预付比例" because "调整"\n'
    body = 'override param ratio: percent floor 35% "预付比例" because "本市"\n'
    root, run = tree(tmp_path, **{"cn/p-postponed": lowered, "cn/p/c": city("2021-06-01", body)})
    assert codes(run) == []
    root, run = tree(tmp_path / "before", **{"cn/p-postponed": lowered, "cn/p/c": city("2021-03-15", body)})
    assert codes(run) == [("PL304", "cn/p/c")]
    d = next(d for d in run.diagnostics if d.code == "PL304")
    assert not d.message.startswith("from ") and d.related[0].span.file.endswith("cn/p.policy")


def test_evaluation_below_an_amended_notice_uses_the_version_of_the_day(tmp_path):
    body = 'decision city_begins: date = local_start\n'
    root, run = tree(tmp_path, **{"cn/p/c": city("2021-03-15", body)})
    assert codes(run) == []
    interp = Interpreter(run.resolution.policies["cn/p/c"])
    assert interp.evaluate({"amount": "1"}, dt.date(2021, 3, 20)).values["city_begins"] == dt.date(2021, 4, 10)
    assert interp.evaluate({"amount": "1"}, dt.date(2021, 4, 2)).values["city_begins"] == dt.date(2021, 5, 20)


def test_an_amended_end_before_the_amended_effective_date_is_PL502(tmp_path):
    both = POSTPONED.replace("override effective 2021-05-20", "override effective 2021-05-20\noverride ends 2021-05-01")
    _, run = tree(tmp_path, **{"cn/p-postponed": both})
    found = [d for d in run.diagnostics if d.code == "PL502"]
    assert len(found) == 1 and found[0].policy_id == "cn/p-postponed" and found[0].span.line == 7
    assert found[0].message == "as amended, cn/p ends (2021-05-01) before it takes effect (2021-05-20)"
    assert found[0].message_zh == "按本修订通知，cn/p 的失效日期（2021-05-01）早于生效日期（2021-05-20）"
    assert found[0].related[0].span.line == 6  # the effective date as amended
    # only the end moved, before the notice's own effective date: related to that date's line
    ends_only = POSTPONED.replace("override effective 2021-05-20", "override ends 2021-02-01")
    _, run = tree(tmp_path / "ends", **{"cn/p-postponed": ends_only})
    found = [d for d in run.diagnostics if d.code == "PL502"]
    assert len(found) == 1 and found[0].related[0].span.file.endswith("cn/p.policy")
    assert "2021-03-01" in found[0].message


def test_the_notice_as_written_is_checked_over_its_days_before_the_amendment(tmp_path):
    # A requirement from 2021-06-01 the notice as written breaks (its cap stays 1500 yuan): from
    # 2021-04-01 the amended version applies, which lowers the cap, so the notice as written is not
    # reported; without the amendment it is.
    base = PROVINCE + ('param cap: money ceiling 1500 yuan "支付标准"\n'
                       'require cap_down: cap <= 798 yuan by 2021-06-01 "支付标准降至798元以下"\n')
    lowered = POSTPONED + 'override param cap: money ceiling 798 yuan "支付标准"\n'
    _, alone = tree(tmp_path / "alone", **{"cn/p": base, "cn/p-postponed": None})
    assert [d.code for d in alone.diagnostics if d.policy_id == "cn/p" and d.severity == "error"] == ["PL404"]
    _, run = tree(tmp_path, **{"cn/p": base, "cn/p-postponed": lowered})
    assert codes(run) == []


def test_explain_and_sql_below_an_amended_notice(tmp_path):
    pytest.importorskip("sqlglot")
    from policylang.backends.sql.compiler import UnsupportedInSql, compile_sql

    body = 'decision city_begins: date = local_start\noverride param ratio: percent floor 45% "预付比例" because "本市"\n'
    root, run = tree(tmp_path, **{"cn/p/c": city("2021-03-15", body)})
    # an inherited item the amendment changed: amended from its date; the city's own item: not
    text = render_explain_text(explain_item(run.resolution, "cn/p/c", "local_start"))
    assert "amended by cn/p-postponed from 2021-04-01" in text
    assert "amended by" not in render_explain_text(explain_item(run.resolution, "cn/p/c", "ratio"))
    policy = run.resolution.policies["cn/p/c"]
    with pytest.raises(UnsupportedInSql, match="cn/p-postponed from 2021-04-01"):
        compile_sql(policy)
    before = compile_sql(policy, as_of=dt.date(2021, 3, 20)).sql
    after = compile_sql(policy, as_of=dt.date(2021, 6, 1)).sql
    assert "2021-04-10" in before and "2021-05-20" in after and "2021-04-10" not in after


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_amended_PL502_golden_text(tmp_path, lang):
    import os

    from helpers import assert_golden
    from policylang.diagnostics import render_text

    both = POSTPONED.replace("override effective 2021-05-20", "override effective 2021-05-20\noverride ends 2021-05-01")
    _, run = tree(tmp_path, **{"cn/p-postponed": both})
    found = [d for d in run.diagnostics if d.code == "PL502"]
    text = render_text(found, run.workspace.sources, lang=lang).replace(str(tmp_path), "<tmp>")
    assert_golden(os.path.join(os.path.dirname(__file__), "golden", f"PL502.amended.{lang}.txt"), text)


def test_a_citys_examples_run_on_the_version_of_their_day(tmp_path):
    body = ('decision city_begins: date = local_start\n'
            'example "修订前" {\n    as_of 2021-03-20\n    given amount = 1 yuan\n    expect city_begins = 2021-04-10\n}\n'
            'example "修订后" {\n    as_of 2021-06-01\n    given amount = 1 yuan\n    expect city_begins = 2021-05-20\n}\n')
    root, run = tree(tmp_path, **{"cn/p/c": city("2021-03-15", body)})
    assert codes(run) == []
    wrong = body.replace("expect city_begins = 2021-05-20", "expect city_begins = 2021-04-10")
    root, run = tree(tmp_path / "wrong", **{"cn/p/c": city("2021-03-15", wrong)})
    found = [d for d in run.diagnostics if d.code == "PL601"]
    assert len(found) == 1 and "修订后" in found[0].message and not found[0].message.startswith("from ")


# ---------------------------------------------------------------- an amended city below an amended province

def city_amendment(effective: str, body: str) -> str:
    return (f'policy "关于调整本市支付标准的通知"\nlevel municipal\nregion "某市"\neffective {effective}\n'
            f'amends cn/p/c\n\n{body}')


CITY_BODY = ('decision city_begins: date = local_start\n'
             'param city_cap: money ceiling 700 yuan "本市支付标准"\n'
             'override decision pay: money ceiling "支付金额" = min(amount, city_cap)\n')


def combined_tree(tmp_path, city_amended: str, amendment_day: str = "2021-05-01"):
    return tree(tmp_path, **{"cn/p": PROVINCE + PAY, "cn/p-postponed": PAY_AMENDED,
                             "cn/p/c": city("2021-03-15", CITY_BODY),
                             "cn/p/c-amended": city_amendment(amendment_day, city_amended)})


def test_an_amended_city_below_an_amended_province_combines_both_timelines(tmp_path):
    # The province is amended from 2021-04-01 (local_start postponed to 2021-05-20, pay at most
    # 800 yuan), the city from 2021-05-01 (its cap raised from 700 to 750 yuan, within 800).
    raised = 'override param city_cap: money ceiling 750 yuan "本市支付标准" because "调整"\n'
    root, run = combined_tree(tmp_path, raised)
    assert codes(run) == []
    policy = run.resolution.policies["cn/p/c"]
    assert [(start, v.policy_id, v.amended_by) for start, v in policy.versions] == [
        (dt.date(2021, 4, 1), "cn/p/c", "cn/p-postponed"),
        (dt.date(2021, 5, 1), "cn/p/c-amended", "cn/p-postponed")]
    interp = Interpreter(policy)
    day = {d: interp.evaluate({"amount": "2000"}, dt.date(2021, *d)).values for d in ((3, 20), (4, 2), (5, 2))}
    assert [v["city_begins"] for v in day.values()] == [dt.date(2021, 4, 10), dt.date(2021, 5, 20), dt.date(2021, 5, 20)]
    assert [v["pay"] for v in day.values()] == [Decimal("700.00"), Decimal("700.00"), Decimal("750.00")]
    assert [v["prepay"] for v in day.values()] == [Decimal("800.00"), Decimal("1000.00"), Decimal("1000.00")]
    # explain lists each amending definition once, from the day it first applies
    text = render_explain_text(explain_item(run.resolution, "cn/p/c", "local_start"))
    assert text.count("amended by cn/p-postponed from 2021-04-01") == 1 and "from 2021-05-01" not in text
    text = render_explain_text(explain_item(run.resolution, "cn/p/c", "city_cap"))
    assert text.count("amended by cn/p/c-amended from 2021-05-01") == 1
    # the compiled module chooses the same versions, and names the notice each applies from
    from policylang.backends.pycodegen import compile_module

    module = compile_module(policy)
    assert module.AMENDMENTS == (("cn/p-postponed", dt.date(2021, 4, 1)), ("cn/p/c-amended", dt.date(2021, 5, 1)))
    for (month, dd), values in day.items():
        got = module.evaluate({"amount": "2000"}, as_of=dt.date(2021, month, dd)).as_dict()
        assert {k: got[k] for k in ("city_begins", "pay", "prepay")} == \
            {k: values[k] for k in ("city_begins", "pay", "prepay")}


def test_a_city_amendment_is_held_to_the_amended_province(tmp_path):
    # 900 yuan is within the province as written (1000) and beyond it as amended (800) from
    # 2021-04-01; the city's amendment applies from 2021-05-01, when only the amended version is
    # in force: rejected, at the amendment's line, with the province's amendment as related.
    loosened = 'override param city_cap: money ceiling 900 yuan "本市支付标准" because "调整"\n'
    root, run = combined_tree(tmp_path, loosened)
    found = [d for d in run.diagnostics if d.severity == "error"]
    assert [(d.code, d.policy_id) for d in found] == [("PL317", "cn/p/c-amended")], found
    d = found[0]
    assert d.message.startswith("from 2021-05-01, when cn/p-postponed amends cn/p above this policy: ")
    assert d.span.file.endswith("c-amended.policy")
    assert [r.span.file.endswith("p-postponed.policy") for r in d.related] == [True]
    assert "at most 800 yuan" in d.message
    # the same amendment from before the province's (2021-03-20): within the notice as written
    # until 2021-04-01, and beyond it as amended from then
    root, run = combined_tree(tmp_path / "earlier", loosened, amendment_day="2021-03-20")
    policy = run.resolution.policies["cn/p/c"]
    assert [(start, v.policy_id, v.amended_by) for start, v in policy.versions] == [
        (dt.date(2021, 3, 20), "cn/p/c-amended", None),
        (dt.date(2021, 4, 1), "cn/p/c-amended", "cn/p-postponed")]
    found = [d for d in run.diagnostics if d.severity == "error"]
    assert [(d.code, d.policy_id) for d in found] == [("PL317", "cn/p/c-amended")], found
    assert found[0].message.startswith("from 2021-04-01, when cn/p-postponed amends cn/p above this policy: ")


def test_a_city_amendment_in_force_only_over_the_amended_province_is_not_held_to_it_as_written(tmp_path):
    # The province's amendment raises its ceiling to 1200 yuan from 2021-04-01; the city's
    # amendment of 2021-05-01 sets 1100: beyond the province as written, which no longer applies
    # then, within it as amended.
    raised = POSTPONED + 'override decision pay: money ceiling "支付金额" = min(amount, 1200 yuan)\n'
    city_raise = 'override param city_cap: money ceiling 1100 yuan "本市支付标准" because "调整"\n'
    _, run = tree(tmp_path, **{"cn/p": PROVINCE + PAY, "cn/p-postponed": raised,
                               "cn/p/c": city("2021-03-15", CITY_BODY),
                               "cn/p/c-amended": city_amendment("2021-05-01", city_raise)})
    assert codes(run) == []
    # from before the province's amendment, the city's is held to the province as written then
    _, run = tree(tmp_path / "earlier", **{"cn/p": PROVINCE + PAY, "cn/p-postponed": raised,
                                           "cn/p/c": city("2021-03-15", CITY_BODY),
                                           "cn/p/c-amended": city_amendment("2021-03-20", city_raise)})
    found = [d for d in run.diagnostics if d.severity == "error"]
    assert [(d.code, d.policy_id) for d in found] == [("PL317", "cn/p/c-amended")], found
    assert not found[0].message.startswith("from ") and "at most 1000 yuan" in found[0].message
