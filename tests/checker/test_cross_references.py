"""Cross-references bind in each region's own version (PL313, PL316) and unused `uses` lines (PL320)."""

from __future__ import annotations

from .conftest import codes, only

DRUG = """\
policy "国家药品集采结余留用"
level national
region "全国"
effective 2019-01-01

param retention_ratio: percent {national} "药品集采医保资金结余留用比例"
"""
GD_DRUG = """\
policy "广东药品集采结余留用"
level provincial
region "广东省"
effective 2019-06-01
extends cn/drug

override param retention_ratio: percent {value} "药品集采医保资金结余留用比例" because "本省规定"
"""
STENT = """\
policy "国家冠脉支架"
level national
region "全国"
effective 2020-12-15
uses cn/drug as drug

input fund_savings: money optional "节约额"
param retention_ratio: percent delegated at most drug.retention_ratio "医保资金结余留用比例" article "二(四)"
decision retained_surplus_max: money "可结余留用的最高金额" = round(fund_savings * retention_ratio, fen, down)
"""
GD_STENT = """\
policy "广东冠脉支架"
level provincial
region "广东省"
effective 2020-12-25
extends cn/stent

{body}
"""
CITY = """\
policy "汕头冠脉支架"
level municipal
region "汕头市"
effective 2021-01-20
extends cn/gd/stent

{body}
"""
DELEGATE = 'override param retention_ratio: percent delegated to municipal "医保资金结余留用比例" because "各市定"'


def fill(value: str) -> str:
    return f'override param retention_ratio: percent fixed {value} "医保资金结余留用比例" because "本市定"'


def tree(city_body, national="delegated", gd_drug="fixed 50%", gd_body=DELEGATE, extra=None):
    files = {
        "cn/drug": DRUG.format(national=national),
        "cn/stent": STENT,
        "cn/gd/stent": GD_STENT.format(body=gd_body),
        "cn/gd/shantou/stent": CITY.format(body=city_body),
    }
    if gd_drug is not None:
        files["cn/gd/drug"] = GD_DRUG.format(value=gd_drug)
    files.update(extra or {})
    return files


def test_the_provinces_drug_vbp_ratio_binds_the_city(run):
    diags = run(tree(fill("60%")))
    assert codes(diags) == {"PL313"}
    d = only(diags, "PL313")[0]
    assert d.policy_id == "cn/gd/shantou/stent" and d.span.file.endswith("shantou/stent.policy")
    assert "60%" in d.message and "at most 50%" in d.message and "from cn/gd/drug" in d.message
    assert d.related[0].span.file.endswith("gd/drug.policy")  # the version that binds, first
    assert d.related[1].span.file.endswith("cn/stent.policy")  # then the bound
    assert "取自 cn/gd/drug" in d.message_zh and d.hint_zh and all(r.message_zh for r in d.related)


def test_a_ratio_within_the_provinces_is_accepted(run):
    assert codes(run(tree(fill("40%"))), ("error", "warning", "info")) == set()
    assert codes(run(tree(fill("50%"))), ("error", "warning", "info")) == set()


def test_one_finding_even_when_the_national_ratio_is_also_exceeded(run):
    diags = run(tree(fill("60%"), national="fixed 55%"))
    found = only(diags, "PL313")
    assert len(found) == 1 and "from cn/gd/drug" in found[0].message


def test_the_national_version_still_binds_where_the_region_has_none(run):
    diags = run(tree(fill("60%"), national="fixed 50%", gd_drug=None))
    found = only(diags, "PL313")
    assert len(found) == 1 and "from" not in found[0].message  # the ordinary bound check, as before
    assert found[0].related[0].span.file.endswith("cn/stent.policy")


def test_a_rebound_blank_cannot_be_checked_yet(run):
    gd_drug = 'delegated to municipal'
    diags = run(tree(fill("60%"), national="fixed 70%", gd_drug=gd_drug))
    infos = only(diags, "PL316")
    assert len(infos) == 1 and "cn/gd/drug" in infos[0].message
    assert "PL313" not in codes(diags)


def test_scheduled_values_are_judged_too(run):
    body = fill("40%") + "\nschedule retention_ratio {\n    from 2022-01-01: 45%\n    from 2023-01-01: 55%\n}\n"
    diags = run(tree(body))
    found = only(diags, "PL313")
    assert len(found) == 1 and "55%" in found[0].message and found[0].span.line == 10


def test_an_inherited_value_is_judged_where_another_version_binds(run):
    """The province sets 50% (within its own 50%); a city with its own drug-VBP at 40% inherits it."""
    city_drug = """\
policy "汕头药品集采结余留用"
level municipal
region "汕头市"
effective 2020-01-01
extends cn/gd/drug

override param retention_ratio: percent fixed 40% "药品集采医保资金结余留用比例" because "本市规定"
"""
    gd_body = 'override param retention_ratio: percent fixed 50% "医保资金结余留用比例" because "本省定"'
    diags = run(tree("", gd_body=gd_body, extra={"cn/gd/shantou/drug": city_drug}))
    found = only(diags, "PL313")
    assert len(found) == 1 and found[0].policy_id == "cn/gd/shantou/stent"
    assert "set by cn/gd/stent" in found[0].message and "from cn/gd/shantou/drug" in found[0].message
    assert found[0].hint.startswith("set this region's own value")


def test_an_unused_uses_line_is_a_warning(run):
    stent = STENT.replace("uses cn/drug as drug\n", "uses cn/drug as drug\nuses cn/gd/drug as spare\n")
    diags = run(tree(fill("40%"), extra={"cn/stent": stent}))
    found = only(diags, "PL320")
    assert len(found) == 1 and found[0].severity == "warning" and found[0].span.line == 6
    assert "spare" in found[0].message and found[0].message_zh and found[0].hint_zh


def test_a_uses_line_read_only_below_is_used(run):
    gd_body = DELEGATE.replace("override param retention_ratio", "override param retention_ratio") + \
        "\n" + 'param local_cap: percent fixed 30% at most base.retention_ratio "本省上限"\n' + \
        'decision d: percent = local_cap\n'
    files = tree(fill("40%"), gd_body=gd_body)
    files["cn/gd/stent"] = files["cn/gd/stent"].replace("extends cn/stent\n", "extends cn/stent\nuses cn/drug as base\n")
    assert "PL320" not in codes(run(files))
    # The province declares an alias only its city reads.
    files = tree(fill("40%") + '\nparam city_cap: percent fixed 20% at most base.retention_ratio "本市上限"\n'
                 'decision d: percent = city_cap\n')
    files["cn/gd/stent"] = files["cn/gd/stent"].replace("extends cn/stent\n", "extends cn/stent\nuses cn/drug as base\n")
    assert "PL320" not in codes(run(files))
