"""The impact report in headless Chromium, opened from disk: it renders, no console errors, and the
charts (plotly, inlined) are drawn: totals side by side, a histogram, the sweep as a line."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest

from impact_support import AS_OF
from helpers import missing_system_tool

from policylang.batch import load_policy
from policylang.impact import scenarios_for, simulate, sweep
from policylang.impact_report import write_report

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--virtual-time-budget=5000"]

CAPTURE = """<script>
window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push("error: " + e.message); }, true);
(function () { var original = console.error; console.error = function () {
  window.__errors.push("console.error: " + Array.prototype.join.call(arguments, " "));
  return original.apply(console, arguments); }; })();
</script>"""

# After the page's own scripts: what each chart drew (plotly's SVG: bars, lines), as JSON.
PROBE = """<script>
window.addEventListener("load", function () { setTimeout(function () {
  var charts = {};
  Array.prototype.forEach.call(document.querySelectorAll(".js-plotly-plot"), function (div) {
    var box = div.getBoundingClientRect();
    charts[div.id] = {width: Math.round(box.width), height: Math.round(box.height),
      bars: div.querySelectorAll("g.point path").length,
      lines: div.querySelectorAll("g.scatterlayer path.js-line").length,
      title: (div.querySelector(".gtitle") || {}).textContent || ""};
  });
  document.body.setAttribute("data-test-report", JSON.stringify({errors: window.__errors, charts: charts,
    synthetic: !!document.getElementById("synthetic-note"), lang: document.documentElement.lang,
    external: Array.prototype.filter.call(document.querySelectorAll("script[src], link[href]"),
      function (e) { return /^https?:/.test(e.getAttribute("src") || e.getAttribute("href")); }).length}));
}, 500); });
</script>"""


@pytest.fixture(scope="module")
def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    missing_system_tool("Chromium", "install Debian's 'chromium' package to run the browser tests")


def _probe(chromium, tmp_path, page) -> dict:
    text = page.read_text(encoding="utf-8")
    text = text.replace("<head>", "<head>\n" + CAPTURE, 1).replace("</body>", PROBE + "\n</body>", 1)
    probe = page.with_name("probe.html")
    probe.write_text(text, encoding="utf-8")
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                           "--dump-dom", "file://" + str(probe)], capture_output=True, text=True, timeout=120)
    match = re.search(r'data-test-report="([^"]*)"', done.stdout)
    assert match, f"the page did not run its probe; chromium said:\n{done.stderr[-3000:]}"
    report = json.loads(html.unescape(match.group(1)))
    report["log_errors"] = [line for line in done.stderr.splitlines()
                            if "CONSOLE" in line and ("Uncaught" in line or ":ERROR:" in line or "Error" in line)]
    return report


def test_override_report_renders_with_charts(chromium, tree, claims_csv, tmp_path):
    city, province = load_policy("cn/gd/foshan/stent-2020", tree), load_policy("cn/gd/stent-2020", tree)
    result = simulate(scenarios_for(city, province), claims_csv, as_of=AS_OF, by=["selected"])
    write_report(result, str(tmp_path / "report"))
    report = _probe(chromium, tmp_path, tmp_path / "report" / "index.html")
    assert report["errors"] == [] and report["log_errors"] == [], report
    assert report["lang"] == "zh" and report["synthetic"] and report["external"] == 0
    charts = report["charts"]
    totals = charts["chart-totals"]
    # the three money decisions that changed, two scenarios: six bars
    assert totals["width"] > 400 and totals["height"] > 300 and totals["bars"] == 6, charts
    assert totals["title"] == "合计对比"
    hist = [c for k, c in charts.items() if k.startswith("chart-hist-")]
    assert len(hist) == 3  # payment_standard, fund_pays, patient_pays changed
    assert all(c["bars"] > 3 and c["height"] > 300 for c in hist), charts
    assert "chart-sweep" not in charts


def test_sweep_report_draws_the_line(chromium, tree, claims_csv, tmp_path):
    city = load_policy("cn/gd/foshan/stent-2020", tree)
    result = simulate(sweep(city, "nonselected_payment_cap", ["1000", "1500", "2000", "3000"]), claims_csv,
                      as_of=AS_OF, synthetic=False, swept="nonselected_payment_cap")
    write_report(result, str(tmp_path / "sweep"))
    report = _probe(chromium, tmp_path, tmp_path / "sweep" / "index.html")
    assert report["errors"] == [] and report["log_errors"] == [], report
    assert not report["synthetic"]
    line = report["charts"]["chart-sweep"]
    assert line["lines"] == 6 and line["width"] > 400, report["charts"]  # one line per money decision
    assert report["charts"]["chart-totals"]["bars"] == 3 * 5  # three decisions change, five scenarios
