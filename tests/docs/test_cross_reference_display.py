"""The docs pages, `explain` and the generated modules show the version a cross-reference reads in
each region: "drug.retention_ratio = 50% from cn/gd/drug-vbp-2019"."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest

from helpers import header, write_tree
from policylang.backends.docs import render_site
from policylang.backends.pycodegen import compile_module, generate_module
from policylang.pipeline import check
from policylang.semantics.explain import explain_item, render_explain_text

FILES = {
    "cn/drug-vbp-2019": header("national", "2019-01-01") + 'param retention_ratio: percent delegated "药品集采结余留用比例"\n',
    "cn/gd/drug-vbp-2019": header("provincial", "2019-06-01", extends="cn/drug-vbp-2019")
    + 'override param retention_ratio: percent fixed 50% "药品集采结余留用比例" because "本省规定"\n',
    "cn/stent-2020": header("national", "2020-12-15") + """\
uses cn/drug-vbp-2019 as drug
input fund_savings: money "节约额"
param retention_ratio: percent delegated at most drug.retention_ratio "结余留用比例"
decision drug_share: money "按药品比例计算的留用额" = round(fund_savings * drug.retention_ratio, fen, down)
decision retained: money "结余留用" = round(fund_savings * retention_ratio, fen, down)
""",
    "cn/gd/stent-2020": header("provincial", "2020-12-25", extends="cn/stent-2020"),
    "cn/gd/shantou/stent-2020": header("municipal", "2021-01-20", extends="cn/gd/stent-2020")
    + 'override param retention_ratio: percent fixed 40% "结余留用比例" because "本市定"\n',
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("xref"), FILES)
    return root, check([root], cache=False)


def read(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def test_docs_pages_name_the_version_in_force(tree, tmp_path):
    root, run = tree
    render_site(run, str(tmp_path), formats=("md",))
    page = read(os.path.join(str(tmp_path), "policies", "cn", "gd", "stent-2020.md"))
    assert "[cn/gd/drug-vbp-2019](drug-vbp-2019.md) (`drug`，即本地区适用的 `cn/drug-vbp-2019`)" in page
    # the inherited bound and formula show Guangdong's value and where it comes from
    assert "【50%，取自 cn/gd/drug-vbp-2019】" in page
    national = read(os.path.join(str(tmp_path), "policies", "cn", "stent-2020.md"))
    assert "(`drug`)" in national and "【未填写】" in national and "取自" not in national


def test_explain_names_the_version_and_judges_with_it(tree):
    root, run = tree
    data = explain_item(run.resolution, "cn/gd/shantou/stent-2020", "retention_ratio")
    ref = data["cross_references"][0]
    assert ref["name"] == "drug.retention_ratio" and ref["value"] == "50%" and ref["policy"] == "cn/gd/drug-vbp-2019"
    assert ref["declared"] == "cn/drug-vbp-2019" and ref["declared_in"] == "cn/stent-2020" and ref["rebound"]
    assert ref["location"].endswith("gd/drug-vbp-2019.policy:5")
    assert data["chain"][-1]["action"] == "filled"  # 40% is within Guangdong's 50%
    text = render_explain_text(data)
    assert "drug.retention_ratio = 50% from cn/gd/drug-vbp-2019" in text
    assert "“药品集采结余留用比例”（drug.retention_ratio） = 50%，取自 cn/gd/drug-vbp-2019" in render_explain_text(data, "zh")


def test_explain_shows_a_rebound_violation(tmp_path):
    files = dict(FILES)
    files["cn/gd/shantou/stent-2020"] = files["cn/gd/shantou/stent-2020"].replace("fixed 40%", "fixed 60%")
    run = check([write_tree(tmp_path, files)], cache=False)
    data = explain_item(run.resolution, "cn/gd/shantou/stent-2020", "retention_ratio")
    assert data["chain"][-1]["action"] == "outside bound" and data["chain"][-1]["error"]


def test_the_generated_module_reads_the_version_in_force(tree):
    root, run = tree
    policy = run.resolution.policies["cn/gd/shantou/stent-2020"]
    source = generate_module(policy)
    assert "Reads values of: cn/gd/drug-vbp-2019 (as drug, the version of cn/drug-vbp-2019 in force here)" in source
    module = compile_module(policy)
    result = module.evaluate({"fund_savings": "1000"}, as_of=dt.date(2021, 6, 1))
    assert result.drug_share == Decimal("500.00") and result.retained == Decimal("400.00")
