"""SARIF output: valid against the official SARIF 2.1.0 schema, and faithful to the diagnostics."""

from __future__ import annotations

import json
import os

import jsonschema
import pytest

from policylang.diagnostics import CODES, Diagnostic, Related
from policylang.sarif import SARIF_VERSION, render_sarif
from policylang.syntax.ast import Span
from policylang.syntax.parser import parse_source

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

with open(os.path.join(DATA, "sarif-schema-2.1.0.json"), encoding="utf-8") as _fh:
    SCHEMA = json.load(_fh)


def _validate(text: str) -> dict:
    log = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    return log


@pytest.fixture
def diagnostics(tmp_path):
    child = str(tmp_path / "policies" / "cn" / "gd" / "冠脉支架-2020.policy")
    parent = str(tmp_path / "policies" / "cn" / "stent-2020.policy")
    return [
        Diagnostic("PL304", "prepayment_ratio lowers the parent's floor of 30% to 20%", Span(child, 12, 1, 12, 58),
                   hint="a floor can only be raised: write 30% or more",
                   related=(Related(Span(parent, 20, 1, 20, 40), "the national floor is set here"),),
                   policy_id="cn/gd/冠脉支架-2020"),
        Diagnostic("PL207", "input unused_flag is never used", Span(child, 3, 7, 3, 18)),
        Diagnostic("PL316", "check skipped: the bound is a delegated blank", Span(child, 30, 1, 31, 5),
                   severity="info"),
        Diagnostic("PL003", "the file has no policy in it", None),
    ]


def test_output_validates_against_the_sarif_schema(diagnostics, tmp_path):
    _validate(render_sarif(diagnostics, "0.1.0", root=str(tmp_path)))


def test_empty_run_validates():
    log = _validate(render_sarif([], "0.1.0"))
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []


def test_rules_cover_every_code_used_once(diagnostics, tmp_path):
    log = _validate(render_sarif(diagnostics, "0.1.0", root=str(tmp_path)))
    assert log["version"] == SARIF_VERSION and "$schema" in log
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "policylang" and driver["version"] == "0.1.0"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) == {"PL003", "PL207", "PL304", "PL316"}
    assert rules["PL304"]["shortDescription"]["text"] == CODES["PL304"].title
    assert CODES["PL304"].title_zh in rules["PL304"]["fullDescription"]["text"]
    assert rules["PL207"]["defaultConfiguration"]["level"] == "warning"
    assert rules["PL316"]["defaultConfiguration"]["level"] == "note"
    for result in log["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_results_carry_level_message_hint_and_locations(diagnostics, tmp_path):
    log = _validate(render_sarif(diagnostics, "0.1.0", root=str(tmp_path)))
    first, unused, skipped, no_location = log["runs"][0]["results"]
    assert first["ruleId"] == "PL304" and first["level"] == "error"
    assert first["message"]["text"].startswith("prepayment_ratio lowers")
    assert "help: a floor can only be raised" in first["message"]["text"]
    assert first["properties"]["hint"] == "a floor can only be raised: write 30% or more"
    assert first["properties"]["policy"] == "cn/gd/冠脉支架-2020"
    physical = first["locations"][0]["physicalLocation"]
    # Relative to the root, percent-encoded, under the source-root base id.
    assert physical["artifactLocation"] == {
        "uri": "policies/cn/gd/%E5%86%A0%E8%84%89%E6%94%AF%E6%9E%B6-2020.policy", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 12, "startColumn": 1, "endLine": 12, "endColumn": 58}
    [related] = first["relatedLocations"]
    assert related["message"]["text"] == "the national floor is set here"
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "policies/cn/stent-2020.policy"
    assert unused["level"] == "warning"
    assert skipped["level"] == "note"
    assert skipped["locations"][0]["physicalLocation"]["region"]["endLine"] == 31
    assert "locations" not in no_location
    assert "fixes" not in first


def test_columns_are_code_points_and_parser_diagnostics_render(tmp_path):
    text = 'input 是否中选％bool\n'
    path = str(tmp_path / "fullwidth.policy")
    diags = parse_source(text, path).diagnostics
    log = _validate(render_sarif(diags, "0.1.0", root=str(tmp_path)))
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (1, 11)
    assert run["results"][0]["ruleId"] == "PL110"


def test_file_outside_the_root_gets_an_absolute_uri(tmp_path):
    outside = Diagnostic("PL101", "unexpected 'x' here", Span("/elsewhere/a b.policy", 1, 1, 1, 2))
    log = _validate(render_sarif([outside], "0.1.0", root=str(tmp_path)))
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "file:///elsewhere/a%20b.policy"}


def test_the_schema_check_is_real(diagnostics, tmp_path):
    log = json.loads(render_sarif(diagnostics, "0.1.0", root=str(tmp_path)))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(log)
