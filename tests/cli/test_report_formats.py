"""`check --format junit`, and the paths of JSON, SARIF and JUnit: relative to the project root."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import jsonschema

from helpers import header, write_tree
from test_cli import assert_no_traceback, policylang

SARIF_SCHEMA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "syntax", "data",
                            "sarif-schema-2.1.0.json")

# The common JUnit schema CI servers read (Jenkins' junit-10.xsd, which GitLab, Azure Pipelines
# and CircleCI accept): for each element, its attributes (required ones first) and its children,
# in order, with how many of each may occur.
JUNIT = {
    "testsuites": ({"name", "time", "tests", "failures", "disabled", "errors"}, set(),
                   [("testsuite", 0, None)]),
    "testsuite": ({"name", "tests", "failures", "errors", "time", "disabled", "skipped", "timestamp", "hostname",
                   "id", "package"}, {"name", "tests", "failures", "errors"},
                  [("properties", 0, 1), ("testcase", 0, None), ("system-out", 0, 1), ("system-err", 0, 1)]),
    "testcase": ({"name", "assertions", "time", "classname", "status"}, {"name"},
                 [("skipped", 0, 1), ("error", 0, None), ("failure", 0, None), ("system-out", 0, None),
                  ("system-err", 0, None)]),
    "failure": ({"type", "message"}, set(), []),
    "error": ({"type", "message"}, set(), []),
    "system-out": (set(), set(), []),
}
INTEGER_ATTRIBUTES = {"tests", "failures", "errors", "skipped", "disabled"}


def validate_junit(text: str) -> ET.Element:
    """Check a JUnit report against the schema above; the counts must add up."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    top = ET.fromstring(text.encode("utf-8"))
    assert top.tag == "testsuites"

    def walk(element):
        allowed, required, children = JUNIT[element.tag]
        assert set(element.attrib) <= allowed, (element.tag, set(element.attrib) - allowed)
        assert required <= set(element.attrib), (element.tag, required - set(element.attrib))
        for name, value in element.attrib.items():
            if name in INTEGER_ATTRIBUTES:
                assert value.isdigit(), (element.tag, name, value)
            if name == "time":
                float(value)
        if not children:
            assert len(element) == 0
            return
        position = 0
        for name, low, high in children:
            count = 0
            while position < len(element) and element[position].tag == name:
                walk(element[position])
                position += 1
                count += 1
            assert count >= low and (high is None or count <= high), (element.tag, name, count)
        assert position == len(element), (element.tag, [c.tag for c in element][position:])

    walk(top)
    for suite in top:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(len(c.findall("failure")) for c in cases)
        assert int(suite.get("errors")) == sum(len(c.findall("error")) for c in cases)
    return top


NATIONAL = header("national") + """input amount: money "金额"
param ratio: percent floor 30% "预付比例"
param cap: money ceiling 100 yuan "上限"
decision pre: money "预付" = round(min(amount, cap) * ratio, fen, up)
"""


def tree(tmp_path):
    (tmp_path / ".git").mkdir()  # the project root: a git work tree
    write_tree(tmp_path, {
        "cn/n": NATIONAL,
        "cn/gd/p": header("provincial", extends="cn/n") + 'override param ratio: percent floor 20% because "降低"\n'
                   + 'override param cap: money ceiling 200 yuan because "提高"\n',
        "cn/gd/ok": header("provincial", extends="cn/n"),
    })
    return tmp_path


def test_junit_one_test_case_per_policy_and_a_failure_per_error(tmp_path):
    root = tree(tmp_path)
    proc = policylang("check", "--format", "junit", str(root / "policies"), cwd=str(root / "policies" / "cn"))
    assert_no_traceback(proc)
    assert proc.returncode == 1, proc.stderr
    top = validate_junit(proc.stdout)
    cases = {c.get("name"): c for c in top.iter("testcase")}
    assert set(cases) == {"cn/n", "cn/gd/p", "cn/gd/ok"}
    assert cases["cn/gd/p"].get("classname") == "policies/cn/gd/p.policy"
    failures = cases["cn/gd/p"].findall("failure")
    assert len(failures) == 2 and all(f.get("type").startswith("PL") for f in failures)
    assert {f.get("type") for f in failures} == {"PL304", "PL305"}
    assert "policies/cn/gd/p.policy:" in failures[0].get("message")
    assert not cases["cn/gd/ok"].findall("failure") and not cases["cn/n"].findall("failure")
    assert str(tmp_path) not in proc.stdout  # no absolute paths


def test_junit_in_chinese_and_for_a_clean_tree(tmp_path):
    root = tree(tmp_path)
    proc = policylang("--lang", "zh", "check", "--format", "junit", "policies/cn/gd/p.policy", cwd=root)
    top = validate_junit(proc.stdout)
    assert [c.get("name") for c in top.iter("testcase")] == ["cn/gd/p"]
    assert "说明" in proc.stdout or "建议" in proc.stdout
    proc = policylang("check", "--format", "junit", "policies/cn/n.policy", cwd=root)
    assert proc.returncode == 0
    top = validate_junit(proc.stdout)
    assert top.get("failures") == "0" and top.get("tests") == "1"


def test_junit_for_an_unreadable_file(tmp_path):
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "bad.policy").write_bytes(b"\xff\xfe garbage")
    proc = policylang("check", "--format", "junit", cwd=tmp_path)
    assert_no_traceback(proc)
    assert proc.returncode == 1
    top = validate_junit(proc.stdout)
    assert int(top.get("failures")) >= 1


def test_json_paths_are_relative_to_the_project_root(tmp_path):
    root = tree(tmp_path)
    proc = policylang("check", "--format", "json", str(root / "policies"), cwd=str(root / "policies" / "cn"))
    payload = json.loads(proc.stdout)
    assert payload["root"] == str(root)
    files = {d["location"]["file"] for d in payload["diagnostics"]}
    files |= {r["location"]["file"] for d in payload["diagnostics"] for r in d["related"]}
    assert files and all(f.startswith("policies/cn/") for f in files), files


def test_without_git_the_root_is_the_folder_above_policies(tmp_path):
    write_tree(tmp_path, {"cn/gd/p": header("provincial", extends="cn/missing")})
    proc = policylang("check", "--format", "json", str(tmp_path / "policies"), cwd="/")
    payload = json.loads(proc.stdout)
    if payload["root"] != str(tmp_path):  # the temporary folder is inside some git work tree
        return
    assert payload["diagnostics"][0]["location"]["file"] == "policies/cn/gd/p.policy"


def test_sarif_paths_are_relative_to_the_project_root_and_valid(tmp_path):
    root = tree(tmp_path)
    proc = policylang("check", "--format", "sarif", str(root / "policies"), cwd="/")
    log = json.loads(proc.stdout)
    with open(SARIF_SCHEMA, encoding="utf-8") as fh:
        jsonschema.Draft4Validator(json.load(fh)).validate(log)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file://" + str(root) + "/"
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"] for loc in r["locations"]}
    assert uris and all(u.startswith("policies/cn/") for u in uris), uris
