"""`uses POLICY as x` reads the version of POLICY in force in the using policy's own region."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from helpers import header, write_tree
from policylang.pipeline import affected_policies, check, structure_of
from policylang.semantics.evaluate import Interpreter
from policylang.semantics.loader import load_workspace
from policylang.semantics.resolve import bind_cross_references, resolve

DRUG = header("national", "2019-01-01") + 'param retention_ratio: percent delegated "药品集采结余留用比例"\n'
STENT = header("national", "2020-12-15") + """\
uses cn/drug as drug
input fund_savings: money
param retention_ratio: percent delegated at most drug.retention_ratio "结余留用比例"
decision drug_share: money = round(fund_savings * drug.retention_ratio, fen, down)
"""


def drug_version(level: str, effective: str, ratio: str, extends: str = "cn/drug", ends: str | None = None) -> str:
    text = header(level, effective, extends=extends)
    if ends:
        text += f"ends {ends}\n"
    return text + f'override param retention_ratio: percent fixed {ratio} "药品集采结余留用比例" because "本地规定"\n'


def province(effective: str = "2020-12-25") -> str:
    return header("provincial", effective, extends="cn/stent")


def city(parent: str = "cn/gd/stent", effective: str = "2021-01-20", body: str = "") -> str:
    return header("municipal", effective, extends=parent) + body


def run(tmp_path, files):
    root = write_tree(tmp_path, files)
    ws = load_workspace([root])
    return ws, resolve(ws)


def bound(res, pid, alias="drug"):
    return res.policies[pid].bindings[alias].bound


def test_a_province_version_binds_its_cities_and_itself(tmp_path):
    ws, res = run(tmp_path, {
        "cn/drug": DRUG, "cn/stent": STENT,
        "cn/gd/drug": drug_version("provincial", "2019-06-01", "50%"),
        "cn/gd/stent": province(), "cn/gd/shantou/stent": city(),
        "cn/fj/stent": province(), "cn/fj/xm/stent": city("cn/fj/stent"),
    })
    assert not res.diagnostics
    assert bound(res, "cn/stent") == "cn/drug"
    assert bound(res, "cn/gd/stent") == "cn/gd/drug"
    assert bound(res, "cn/gd/shantou/stent") == "cn/gd/drug"  # the deepest folder above the city with a version
    assert bound(res, "cn/fj/xm/stent") == "cn/drug"  # Fujian has none: the national one
    shantou = res.policies["cn/gd/shantou/stent"]
    b = shantou.bindings["drug"]
    assert (b.declared, b.declared_in, b.rebound) == ("cn/drug", "cn/stent", True)
    # The inherited decision and the inherited bound read Guangdong's ratio.
    assert shantou.external_values[("drug", "retention_ratio")] == Decimal("0.5")
    assert shantou.externals[("drug", "retention_ratio")].origin.policy_id == "cn/gd/drug"
    result = Interpreter(shantou).evaluate({"fund_savings": "1000"}, as_of=dt.date(2021, 6, 1),
                                           decisions=["drug_share"])
    assert result.values["drug_share"] == Decimal("500.00")
    # Fujian's city still reads the national blank.
    assert ("drug", "retention_ratio") in res.policies["cn/fj/xm/stent"].externals


def test_the_latest_version_in_force_on_the_users_effective_date(tmp_path):
    files = {
        "cn/drug": DRUG, "cn/stent": STENT, "cn/gd/stent": province(),
        "cn/gd/old-drug": drug_version("provincial", "2019-06-01", "50%"),
        "cn/gd/new-drug": drug_version("provincial", "2021-01-01", "40%"),
        "cn/gd/later-drug": drug_version("provincial", "2021-06-01", "30%"),  # after the city's notice
        "cn/gd/shantou/stent": city(effective="2021-01-20"),
    }
    _, res = run(tmp_path, files)
    assert bound(res, "cn/gd/stent") == "cn/gd/old-drug"  # 2020-12-25: only the 2019 one was in force
    assert bound(res, "cn/gd/shantou/stent") == "cn/gd/new-drug"
    # A version that ended before the user took effect does not bind.
    files["cn/gd/new-drug"] = drug_version("provincial", "2021-01-01", "40%", ends="2021-01-10")
    _, res = run(tmp_path / "ended", files)
    assert bound(res, "cn/gd/shantou/stent") == "cn/gd/old-drug"


def test_ties_go_to_the_version_further_down_the_chain_then_by_id(tmp_path):
    base = header("provincial", "2020-01-01", extends="cn/drug") + "\n"
    files = {
        "cn/drug": DRUG, "cn/stent": STENT, "cn/gd/stent": province(),
        "cn/gd/a-drug": base,
        "cn/gd/z-drug": drug_version("provincial", "2020-01-01", "45%", extends="cn/gd/a-drug"),
    }
    files["cn/gd/z-drug"] = files["cn/gd/z-drug"].replace("level provincial", "level municipal")
    _, res = run(tmp_path, files)
    assert bound(res, "cn/gd/stent") == "cn/gd/z-drug"  # same day: the one that extends the other
    files["cn/gd/z-drug"] = base
    _, res = run(tmp_path / "ids", files)
    assert bound(res, "cn/gd/stent") == "cn/gd/a-drug"  # then the first by id


def test_a_version_below_the_user_never_binds_it(tmp_path):
    """A drug-VBP notice that itself uses the stent policy must not read its own stent version."""
    _, res = run(tmp_path, {
        "cn/drug": DRUG, "cn/stent": STENT, "cn/gd/drug": drug_version("provincial", "2019-06-01", "50%"),
        "cn/gd/drug-city": drug_version("municipal", "2020-01-01", "40%", extends="cn/gd/drug")
        .replace("extends cn/gd/drug\n", "extends cn/gd/drug\nuses cn/drug as base\n")
        + "param same: percent fixed base.retention_ratio\n",
    })
    assert not [d for d in res.diagnostics if d.severity == "error"]
    assert bound(res, "cn/gd/drug-city", "base") == "cn/gd/drug"


def test_a_lower_level_reads_an_inherited_alias_and_may_restate_it(tmp_path):
    ws, res = run(tmp_path, {
        "cn/drug": DRUG, "cn/stent": STENT, "cn/gd/drug": drug_version("provincial", "2019-06-01", "50%"),
        "cn/gd/stent": province().replace("extends cn/stent\n", "extends cn/stent\nuses cn/gd/drug as drug\n"),
        "cn/gd/shantou/stent": city(body="override param retention_ratio: percent fixed drug.retention_ratio "
                                         'because "按本省药品集采比例"\n'),
    })
    assert not res.diagnostics
    shantou = res.policies["cn/gd/shantou/stent"]
    assert shantou.bindings["drug"].declared_in == "cn/gd/stent"
    assert Interpreter(shantou).param_value("retention_ratio") == Decimal("0.5")


def test_an_inherited_alias_cannot_name_an_unrelated_policy(tmp_path):
    ws, res = run(tmp_path, {
        "cn/drug": DRUG, "cn/stent": STENT, "cn/other": header("national") + "param retention_ratio: percent fixed 1%\n",
        "cn/gd/stent": province().replace("extends cn/stent\n", "extends cn/stent\nuses cn/other as drug\n"),
    })
    found = [d for d in res.diagnostics if d.code == "PL321"]
    assert len(found) == 1 and found[0].policy_id == "cn/gd/stent"
    assert "'drug' already stands for the policy 'cn/drug'" in found[0].message
    assert found[0].message_zh and found[0].hint_zh and found[0].related[0].span.file.endswith("stent.policy")
    assert bound(res, "cn/gd/stent") == "cn/drug"  # the inherited meaning stays


def test_a_circle_made_by_rebinding_is_reported_not_raised(tmp_path):
    ws, res = run(tmp_path, {
        "cn/drug": DRUG, "cn/stent": STENT,
        "cn/gd/stent": province(),
        "cn/gd/drug": drug_version("provincial", "2020-12-25", "50%").replace(
            "extends cn/drug\n", "extends cn/drug\nuses cn/stent as stent\n")
        + "param copy: percent delegated at most stent.retention_ratio\n",
    })
    # cn/gd/stent reads cn/gd/drug (its region's drug-VBP), which reads cn/gd/stent (its region's stent policy)
    assert any(d.code == "PL302" for d in res.diagnostics)


def test_changing_a_regional_version_affects_the_policies_bound_to_it(tmp_path):
    root = write_tree(tmp_path, {
        "cn/drug": DRUG, "cn/stent": STENT, "cn/gd/drug": drug_version("provincial", "2019-06-01", "50%"),
        "cn/gd/stent": province(), "cn/gd/shantou/stent": city(),
        "cn/fj/stent": province(), "cn/fj/xm/stent": city("cn/fj/stent"),
    })
    structure = structure_of(load_workspace([root]))
    assert "cn/gd/drug" in structure["cn/gd/shantou/stent"][1]  # the inherited `uses`, rebound
    affected = affected_policies({"cn/gd/drug"}, structure)
    assert {"cn/gd/stent", "cn/gd/shantou/stent"} <= affected
    assert not {"cn/fj/stent", "cn/fj/xm/stent"} & affected
    assert bind_cross_references(load_workspace([root]).files)[1] == []


def test_incremental_check_after_a_regional_version_changes_equals_a_cold_one(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))
    others = {f"cn/fj/c{i}/stent": city("cn/fj/stent") for i in range(8)}  # untouched
    root = write_tree(tmp_path, {
        "cn/drug": DRUG, "cn/stent": STENT, "cn/gd/drug": drug_version("provincial", "2019-06-01", "70%"),
        "cn/gd/stent": province(), "cn/fj/stent": province(),
        "cn/gd/shantou/stent": city(body='override param retention_ratio: percent fixed 60% because "本市"\n'),
        **others,
    })
    assert not [d for d in check([root]).diagnostics if d.code == "PL313"]
    path = os.path.join(root, "cn", "gd", "drug.policy")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text.replace("fixed 70%", "fixed 50%"))
    incremental = check([root])
    assert incremental.stats["mode"] == "incremental"
    assert [(d.code, d.policy_id) for d in incremental.diagnostics if d.code == "PL313"] == [
        ("PL313", "cn/gd/shantou/stent")]
    cold = check([root], cache=False)
    assert sorted((d.code, d.policy_id, d.message) for d in incremental.diagnostics) == \
        sorted((d.code, d.policy_id, d.message) for d in cold.diagnostics)
