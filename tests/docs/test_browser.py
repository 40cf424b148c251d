"""The HTML site in a real browser (headless Chromium): no console errors, the tables and the
schedule chart render, the search box finds items, and it all works opened from disk (file://).

Chromium is Debian's `chromium` package. When it is missing and this runs as root with apt
available, the set-up installs it; otherwise the tests are skipped with the reason.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess

import pytest

from helpers import missing_system_tool

from policylang.backends.docs import render_site
from policylang.pipeline import check

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data", "policies")
SEEDS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "policies")

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]

# Runs first in <head>: records every script error and console.error call.
CAPTURE = """<script>
window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push("error: " + e.message); }, true);
(function () { var original = console.error; console.error = function () {
  window.__errors.push("console.error: " + Array.prototype.join.call(arguments, " "));
  return original.apply(console, arguments); }; })();
</script>"""

# Runs last in <body>, after the site's own script: types into the search box and reports what
# the page shows, as JSON in a data attribute that --dump-dom prints.
PROBE = """<script>
(function () {
  var box = document.getElementById("search-box");
  box.value = %(query)s;
  box.dispatchEvent(new Event("input"));
  var results = Array.prototype.map.call(document.querySelectorAll("#search-results a"),
    function (a) { return a.textContent + "|" + a.getAttribute("href"); });
  var chart = document.querySelector("svg.step-chart");
  var chartBox = chart ? chart.getBoundingClientRect() : null;
  var path = chart ? chart.querySelector("path.step") : null;
  var tables = Array.prototype.map.call(document.querySelectorAll("table"), function (t) {
    var r = t.getBoundingClientRect(); return [t.className, t.rows.length, Math.round(r.width), Math.round(r.height)]; });
  var report = {
    errors: window.__errors,
    results: results,
    resultsVisible: !document.getElementById("search-results").hidden,
    chart: chartBox ? [Math.round(chartBox.width), Math.round(chartBox.height)] : null,
    chartPathLength: path ? Math.round(path.getTotalLength()) : 0,
    tables: tables,
    headerPosition: getComputedStyle(document.querySelector(".site-header")).position,
    lang: document.documentElement.lang
  };
  document.body.setAttribute("data-test-report", JSON.stringify(report));
})();
</script>"""


def _find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def chromium():
    path = _find_chromium()
    if not path:
        missing_system_tool("Chromium", "install Debian's 'chromium' package to run the browser tests")
    return path


def _run_chromium(chromium, tmp_path, *args, timeout=90):
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def _probe(chromium, tmp_path, page_path: str, query: str) -> dict:
    """Open a copy of the page (same folder, so relative links still work) with the probe injected."""
    with open(page_path, encoding="utf-8") as fh:
        text = fh.read()
    text = text.replace("<head>", "<head>\n" + CAPTURE, 1)
    text = text.replace("</body>", PROBE % {"query": json.dumps(query)} + "\n</body>", 1)
    probe_path = page_path[: -len(".html")] + ".probe.html"
    with open(probe_path, "w", encoding="utf-8") as fh:
        fh.write(text)
    result = _run_chromium(chromium, tmp_path, "--dump-dom", "file://" + probe_path)
    match = re.search(r'data-test-report="([^"]*)"', result.stdout)
    assert match, f"the page did not run its probe; chromium said:\n{result.stderr[-3000:]}"
    report = json.loads(html.unescape(match.group(1)))
    # Console errors also reach Chromium's log (e.g. a script that failed to load).
    report["log_errors"] = [line for line in result.stderr.splitlines()
                            if "CONSOLE" in line and ("Uncaught" in line or ":ERROR:" in line or "Error" in line)]
    return report


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser_fixture")
    render_site(check([DATA]), str(out), formats=("html",))
    return out


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser_seeds")
    render_site(check([SEEDS]), str(out), formats=("html",))
    return out


def test_national_page_renders_chart_tables_and_search(chromium, fixture_site, tmp_path):
    report = _probe(chromium, tmp_path, str(fixture_site / "policies" / "cn" / "demo-2024.html"), "预付")
    assert report["errors"] == [] and report["log_errors"] == [], report
    assert report["headerPosition"] == "sticky"  # the relative stylesheet loaded from disk
    assert report["lang"] == "zh"
    # The schedule's step chart is drawn at its full size with a real line.
    assert report["chart"] == [560, 200]
    assert report["chartPathLength"] > 300
    # Tables are laid out (non-zero size), including the decision table with its three rows.
    decision = [t for t in report["tables"] if t[0] == "decision-table"]
    assert decision and decision[0][1] == 4 and decision[0][2] > 200 and decision[0][3] > 50
    assert all(t[2] > 0 and t[3] > 0 for t in report["tables"])
    # The search box finds items across every level, with working links relative to this page.
    assert report["resultsVisible"]
    assert any(r.startswith("医保基金预付比例|../../policies/cn/demo-2024.html#item-prepayment_ratio") for r in report["results"])
    assert any("cn/zj/demo-2024.html#item-prepayment_ratio" in r for r in report["results"])


def test_search_by_name_and_no_match(chromium, fixture_site, tmp_path):
    page = str(fixture_site / "policies" / "cn" / "zj" / "hz" / "demo-2024.html")
    report = _probe(chromium, tmp_path, page, "city_bonus_ratio")
    assert report["errors"] == [], report
    assert any(r.startswith("市级激励比例|") for r in report["results"])
    assert not _probe(chromium, tmp_path, page, "no such thing anywhere")["results"]


def test_chaozhou_page_in_the_browser(chromium, seed_site, tmp_path):
    page = seed_site / "policies" / "cn" / "gd" / "chaozhou" / "stent-2020.html"
    report = _probe(chromium, tmp_path, str(page), "挂网")
    assert report["errors"] == [] and report["log_errors"] == [], report
    assert any(r.startswith("挂网价格|") for r in report["results"])
    overview = [t for t in report["tables"] if t[0] == "overview"]
    assert overview and overview[0][1] >= 8  # header + every parameter in force in Chaozhou
    # A screenshot for people to look at (kept in the test's temporary folder).
    shot = tmp_path / "chaozhou.png"
    _run_chromium(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", "file://" + str(page))
    assert shot.exists() and shot.stat().st_size > 10000


def test_index_and_override_report_load_cleanly(chromium, seed_site, tmp_path):
    for page in (seed_site / "index.html", seed_site / "overrides" / "cn" / "gd" / "stent-2020.html"):
        report = _probe(chromium, tmp_path, str(page), "结余")
        assert report["errors"] == [] and report["log_errors"] == [], (page, report)
        assert report["results"], page


# Measures what a reader sees: the narrowest column of each override table (in characters of its
# font size), and every Chinese character of the page drawn in the page's own font against the box
# a font draws for a character it lacks (U+10FFFD has a glyph in no font).
LAYOUT_PROBE = """<script>
(function () {
  var narrowest = {};
  Array.prototype.forEach.call(document.querySelectorAll("table.changes, table.blanks"), function (t, i) {
    var size = parseFloat(getComputedStyle(t).fontSize);
    var cells = t.rows.length ? t.rows[0].cells : [];
    var least = Infinity;
    Array.prototype.forEach.call(cells, function (c) { least = Math.min(least, c.getBoundingClientRect().width / size); });
    narrowest[t.className + "#" + i] = Math.round(least * 10) / 10;
  });
  var font = getComputedStyle(document.body).fontFamily;
  var canvas = document.createElement("canvas"); canvas.width = 40; canvas.height = 40;
  var ctx = canvas.getContext("2d");
  function pixels(ch) {
    ctx.clearRect(0, 0, 40, 40); ctx.font = "30px " + font; ctx.fillStyle = "#000"; ctx.fillText(ch, 2, 32);
    return Array.prototype.join.call(ctx.getImageData(0, 0, 40, 40).data, ",");
  }
  var missing = pixels(String.fromCodePoint(0x10FFFD));
  var seen = {}, boxes = [], text = document.body.innerText;
  for (var i = 0; i < text.length && Object.keys(seen).length < 400; i++) {
    var ch = text[i];
    if (ch < "\\u3400" || ch > "\\u9fff" || seen[ch]) { continue; }
    seen[ch] = true;
    if (pixels(ch) === missing) { boxes.push(ch); }
  }
  document.body.setAttribute("data-test-report", JSON.stringify({
    narrowest: narrowest, checked: Object.keys(seen).length, boxes: boxes, font: font,
    toc: document.querySelectorAll("nav.toc li").length,
    folds: document.querySelectorAll("details.fold").length,
    height: document.documentElement.scrollHeight}));
})();
</script>"""


def _layout(chromium, tmp_path, page) -> dict:
    with open(page, encoding="utf-8") as fh:
        text = fh.read()
    probe = str(page)[: -len(".html")] + ".layout.html"
    with open(probe, "w", encoding="utf-8") as fh:
        fh.write(text.replace("</body>", LAYOUT_PROBE + "\n</body>", 1))
    result = _run_chromium(chromium, tmp_path, "--window-size=1280,900", "--dump-dom", "file://" + probe)
    match = re.search(r'data-test-report="([^"]*)"', result.stdout)
    assert match, f"the page did not run its probe; chromium said:\n{result.stderr[-3000:]}"
    return json.loads(html.unescape(match.group(1)))


@pytest.fixture(scope="session")
def cjk_font():
    """A font with Chinese glyphs (Debian's fonts-noto-cjk, which .ci/run installs)."""
    def has_font():
        try:
            out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=60).stdout
        except (OSError, subprocess.SubprocessError):
            return False
        return bool(out.strip())
    if not has_font():
        missing_system_tool("A font with Chinese glyphs (fc-list :lang=zh is empty)",
                            "install Debian's 'fonts-noto-cjk' to run this test")
    return True


@pytest.mark.parametrize("page", ["overrides/cn/gd/chaozhou/stent-2020.html", "overrides/cn/gd/stent-2020.html",
                                  "policies/cn/nm/spine-2023.html", "index.html"])
def test_pages_show_chinese_glyphs_and_readable_columns_at_1280px(chromium, cjk_font, seed_site, tmp_path, page):
    report = _layout(chromium, tmp_path, seed_site / page)
    assert report["checked"] > 30, report
    assert report["boxes"] == [], f"rendered as missing-glyph boxes: {''.join(report['boxes'])} ({report['font']})"
    for table, width in report["narrowest"].items():
        assert width >= 10, f"a column of {table} on {page} is {width} characters wide at 1280 px"


def test_long_pages_have_contents_and_folding_sections(chromium, seed_site, tmp_path):
    report = _layout(chromium, tmp_path, seed_site / "policies/cn/nm/spine-2023.html")
    assert report["toc"] >= 5 and report["folds"] >= 5
    assert report["height"] < 17400, report["height"]
