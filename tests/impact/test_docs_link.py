"""An impact report in the docs output is linked from its policy's page (`policylang docs --impact`)."""

from __future__ import annotations

import json
import subprocess
import sys


def _run(*args):
    return subprocess.run([sys.executable, "-m", "policylang", *args], capture_output=True, text=True, timeout=300)


def test_docs_copy_and_link_the_impact_report(tree, claims_csv, tmp_path):
    report = tmp_path / "report"
    done = _run("impact", "cn/gd/foshan/stent-2020", "--root", tree, "--data", claims_csv, "--as-of", "2021-06-01",
                "-o", str(report))
    assert done.returncode == 0, done.stderr
    docs = tmp_path / "docs"
    done = _run("docs", tree, "--impact", str(report), "-o", str(docs))
    assert done.returncode == 0, done.stderr
    copied = docs / "impact" / "cn" / "gd" / "foshan" / "stent-2020"
    assert json.loads((copied / "impact.json").read_text(encoding="utf-8"))["policy"] == "cn/gd/foshan/stent-2020"
    href = "../../../../impact/cn/gd/foshan/stent-2020/index.html"
    page = (docs / "policies" / "cn" / "gd" / "foshan" / "stent-2020.html").read_text(encoding="utf-8")
    assert f'<a class="impact-link" href="{href}">调整影响测算</a>' in page
    md = (docs / "policies" / "cn" / "gd" / "foshan" / "stent-2020.md").read_text(encoding="utf-8")
    assert f"[调整影响测算]({href})" in md
    # only the policy the report is about
    assert "impact-link" not in (docs / "policies" / "cn" / "gd" / "stent-2020.html").read_text(encoding="utf-8")
    # a report already in the output is linked on the next run without --impact
    again = _run("docs", tree, "-o", str(docs))
    assert again.returncode == 0 and "impact-link" in (
        docs / "policies" / "cn" / "gd" / "foshan" / "stent-2020.html").read_text(encoding="utf-8")


def test_docs_impact_needs_a_report_folder(tree, tmp_path):
    (tmp_path / "empty").mkdir()
    done = _run("docs", tree, "--impact", str(tmp_path / "empty"), "-o", str(tmp_path / "docs"))
    assert done.returncode == 2 and "not an impact report" in done.stderr and "Traceback" not in done.stderr
