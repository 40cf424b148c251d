"""The documentation generator: golden pages, determinism, escaping, language, the docs command.

Golden files live in tests/docs/golden/. Regenerate them with
    UPDATE_GOLDEN=1 python -m pytest tests/docs -q
and review the diff: it is exactly what a reader of the pages will see change.
"""

from __future__ import annotations

import json
import os
import re
import textwrap

import pytest
from click.testing import CliRunner

from helpers import assert_golden

from policylang.backends.docs import render_site
from policylang.commands.docs import docs_command
from policylang.pipeline import check

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data", "policies")
GOLDEN = os.path.join(HERE, "golden")
REPO = os.path.dirname(os.path.dirname(HERE))
SEEDS = os.path.join(REPO, "policies")


def read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def compare_golden(actual: str, name: str) -> None:
    assert_golden(os.path.join(GOLDEN, name), actual)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("fixture_docs"))
    run = check([DATA])
    files = render_site(run, out)
    return out, files, run


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("seed_docs"))
    run = check([SEEDS])
    render_site(run, out, formats=("md",))
    return out


# ---------------------------------------------------------------- golden pages


@pytest.mark.parametrize("page", [
    "policies/cn/demo-2024.md",
    "policies/cn/zj/demo-2024.md",
    "policies/cn/zj/hz/demo-2024.md",
    "overrides/cn/zj/demo-2024.md",
    "overrides/cn/zj/hz/demo-2024.md",
    "index.md",
])
def test_fixture_pages_match_golden(fixture_site, page):
    out, _, _ = fixture_site
    compare_golden(read(os.path.join(out, page)), "fixture/" + page)


@pytest.mark.parametrize("page", [
    "policies/cn/stent-2020.md",
    "policies/cn/gd/stent-2020.md",
    "policies/cn/gd/chaozhou/stent-2020.md",
    "overrides/cn/gd/stent-2020.md",
])
def test_seed_pages_match_golden(seed_site, page):
    compare_golden(read(os.path.join(seed_site, page)), "seeds/" + page)


# ---------------------------------------------------------------- what the pages say


def test_a_fixed_case_restated_below_is_shown_fixed_there(seed_site):
    """The national 'selected products are listed at the selected price' is fixed; Guangdong
    restates it in its own words of the case list, and is still bound by it (PL306)."""
    for page in ("policies/cn/gd/stent-2020.md", "policies/cn/gd/chaozhou/stent-2020.md"):
        md = read(os.path.join(seed_site, page))
        section = md[md.index("### 挂网价格 `listing_price`"):]
        numbered = [line for line in section.splitlines()[1:] if line[:1].isdigit()]
        assert "*本项为上限" in section.split("1. ")[0]  # Guangdong's listing price is a ceiling for its cities
        first, second = numbered[:2]
        assert first.startswith("1. ") and "（固定规则，下级不得修改）" in first
        assert second.startswith("2. ") and "固定规则" not in second


def test_formula_uses_labels_values_and_rounding_words(fixture_site):
    out, _, _ = fixture_site
    page = read(os.path.join(out, "policies/cn/demo-2024.md"))
    assert "预付金额下限 = 取整(年度约定采购金额 × 医保基金预付比例【30%】, 分, 向上)" in page
    # Cases read as "当…时 → …; 否则 → …"
    assert "1. 当 是否中选产品 时 → **中选价格**：中选产品以中选价为支付标准" in page
    assert "3. 否则 → **不适用**" in page
    # Enum members by their labels, set membership in words.
    assert "医疗机构类型 属于 {公立医疗机构、医保定点社会办医疗机构}" in page


def test_each_level_action_is_named(fixture_site):
    out, _, _ = fixture_site
    province = read(os.path.join(out, "policies/cn/zj/demo-2024.md"))
    for word in ("收紧", "填写", "替换", "本级设定", "继承"):
        assert f"**{word}**" in province, word
    report = read(os.path.join(out, "overrides/cn/zj/demo-2024.md"))
    assert "| **收紧**（省级） | 不低于（下限） 30% | 不低于（下限） 40% |" in report
    assert "**填写**（省级）" in report and "固定 6000元" in report
    assert "**本级新增**（省级）" in report


def test_blank_left_to_this_level_is_highlighted(fixture_site):
    out, _, _ = fixture_site
    city = read(os.path.join(out, "policies/cn/zj/hz/demo-2024.md"))
    assert "`city_bonus_ratio`：**未填写 — 由市级确定**（应由本级填写）" in city
    assert "缺少此项无法计算：市级激励金额" in city
    # The checker's finding sits next to the item and in the findings section.
    item_section = city.split('<a id="item-city_bonus_ratio"></a>')[1].split("<a id=")[0]
    assert "`PL312`" in item_section
    assert city.count("`PL312`") == 2


def test_schedule_has_table_and_deterministic_svg_chart(fixture_site):
    out, _, _ = fixture_site
    page = read(os.path.join(out, "policies/cn/demo-2024.html"))
    assert page.count('<svg class="step-chart"') == 1
    svg = re.search(r'<svg class="step-chart".*?</svg>', page, re.S).group(0)
    assert "<script" not in svg
    assert re.search(r'<path class="step" d="M[\d. HV]+"/>', svg)
    assert ">2024-07-01<" in svg and ">600元<" in svg and ">1000元<" in svg
    md = read(os.path.join(out, "policies/cn/demo-2024.md"))
    assert "| 2024-07-01 | 800元 | 第一步 |" in md


def test_decision_table_renders_any_as_words(fixture_site):
    out, _, _ = fixture_site
    md = read(os.path.join(out, "policies/cn/demo-2024.md"))
    assert "| 1 | 否 | 任意 | **否** | 非中选产品不记入 |" in md
    assert "| 2 | 是 | ≥ 1 | **是** |" in md
    assert "| 3 | 其他情形 | | **否** | 其余情形不记入 |" in md


def test_requirement_deadline_is_computed(fixture_site):
    out, _, _ = fixture_site
    md = read(os.path.join(out, "policies/cn/demo-2024.md"))
    assert "期限：本政策生效日期 + 2年，即 **2026-02-01**" in md


def test_index_shows_region_tree_and_status(fixture_site):
    out, _, _ = fixture_site
    index = read(os.path.join(out, "index.md"))
    lines = [line for line in index.splitlines() if line.lstrip().startswith("- **")]
    assert [len(line) - len(line.lstrip()) for line in lines] == [0, 2, 4]
    assert "警告 1" in lines[2] and "市级激励比例 (`city_bonus_ratio`)" in lines[2]


def test_html_site_is_self_contained(fixture_site):
    out, files, _ = fixture_site
    html_files = [f for f in files if f.endswith(".html")]
    assert html_files
    assets = [os.path.join(out, "assets", name) for name in ("style.css", "site.js", "search-index.js")]
    for path in html_files + assets:
        text = read(path)
        assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "https://" not in text
        assert "fetch(" not in text
        assert "@import" not in text and "@font-face" not in text
    page = read(os.path.join(out, "policies/cn/zj/hz/demo-2024.html"))
    assert '<html lang="zh">' in page
    assert 'href="../../../../assets/style.css"' in page
    # The search index is one shared script, loaded relatively, never a copy inside each page.
    assert '<script src="../../../../assets/search-index.js"></script>' in page
    assert 'id="search-index"' not in page
    assert sum(1 for f in files if f.endswith("search-index.js")) == 1


def test_search_index_is_one_shared_script_listing_every_item(fixture_site):
    out, _, _ = fixture_site
    script = read(os.path.join(out, "assets", "search-index.js"))
    prefix = "window.POLICYLANG_SEARCH_INDEX = "
    body = script.splitlines()[1]
    assert body.startswith(prefix) and body.endswith(";")
    entries = json.loads(body[len(prefix):-1])
    urls = {e["url"] for e in entries}
    assert "policies/cn/demo-2024.html#item-prepayment_ratio" in urls
    assert "policies/cn/zj/demo-2024.html#item-prepayment_ratio" in urls
    # Pages stay small: no page carries the index.
    page = read(os.path.join(out, "policies", "cn", "demo-2024.html"))
    assert "POLICYLANG_SEARCH_INDEX" not in page and '"url":' not in page


# ---------------------------------------------------------------- determinism


def test_rendering_twice_gives_identical_bytes(tmp_path):
    run = check([DATA])
    first, second = tmp_path / "a", tmp_path / "b"
    files_a = render_site(run, str(first))
    files_b = render_site(check([DATA]), str(second))
    rel_a = sorted(os.path.relpath(f, first) for f in files_a)
    rel_b = sorted(os.path.relpath(f, second) for f in files_b)
    assert rel_a == rel_b
    for rel in rel_a:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_pages_rendered_in_worker_processes_are_the_same_bytes(tmp_path):
    run = check([DATA])
    alone, workers = tmp_path / "one", tmp_path / "two"
    files_alone = render_site(run, str(alone), jobs=1)
    files_workers = render_site(run, str(workers), jobs=2)
    # Same files, listed in the same order, with the same bytes.
    assert [os.path.relpath(f, alone) for f in files_alone] == [os.path.relpath(f, workers) for f in files_workers]
    for path in files_alone:
        rel = os.path.relpath(path, alone)
        assert (workers / rel).read_bytes() == (alone / rel).read_bytes(), rel


def test_a_template_failing_in_a_worker_is_a_usage_problem(tmp_path):
    from policylang.backends.docs import TemplateProblem

    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "policy.md.j2").write_text("{{ view.no_such_field }}", encoding="utf-8")
    with pytest.raises(TemplateProblem, match="policy.md.j2"):
        render_site(check([DATA]), str(tmp_path / "out"), formats=("md",), templates=str(templates), jobs=2)


# ---------------------------------------------------------------- hostile input


HOSTILE = textwrap.dedent('''\
    policy "<script>alert('title')</script>"
    level national
    region "全国 <b>bold</b>"
    issuer "Issuer \\"quoted\\" & co"
    document "X〔2024〕1号"
    effective 2024-01-01
    summary "</script><script>alert(2)</script>"

    input amount: money "<img src=x onerror=alert(3)>" article "一"
    param ratio: percent floor 30% "比例\\" onmouseover=\\"alert(4)" note "<script>alert(5)</script> | pipe *star*"
    decision due: money "<iframe>应付</iframe>" = round(amount * ratio, fen)
    provision p1: 机构 must "不得 <script>x</script>"
    ''')


@pytest.fixture
def hostile_site(tmp_path):
    root = tmp_path / "policies" / "cn"
    root.mkdir(parents=True)
    (root / "evil-2024.policy").write_text(HOSTILE, encoding="utf-8")
    run = check([str(tmp_path / "policies")])
    out = tmp_path / "out"
    render_site(run, str(out))
    return out


def test_hostile_labels_are_escaped_in_html(hostile_site):
    page = (hostile_site / "policies" / "cn" / "evil-2024.html").read_text(encoding="utf-8")
    # The only script elements are the site's own two.
    assert page.count("<script") == 2
    assert "<img" not in page and "<iframe" not in page and "<b>" not in page
    assert "onmouseover=\"alert" not in page
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(3)&gt;" in page
    index_script = (hostile_site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert "<" not in index_script and "\\u003cimg" in index_script


def test_hostile_labels_are_escaped_in_markdown(hostile_site):
    page = (hostile_site / "policies" / "cn" / "evil-2024.md").read_text(encoding="utf-8")
    # No tag survives unescaped; the only raw HTML is the generator's own anchors.
    tags = re.findall(r"(?<!\\)<(/?[a-zA-Z]+)", page)
    assert set(tags) <= {"a", "/a"}, tags
    assert "\\<img src=x onerror=alert(3)\\>" in page
    assert "不得 \\<script\\>x\\</script\\>" in page
    assert "\\| pipe \\*star\\*" in page


# ---------------------------------------------------------------- language


ENGLISH = textwrap.dedent('''\
    policy "Demo national policy"
    level national
    region "Nationwide"
    issuer "Demo bureau"
    document "D-1"
    effective 2024-01-01

    input amount: money "Agreed amount"
    param ratio: percent floor 30% "Prepayment ratio"
    param cap: money delegated "Payment cap"
    decision prepay: money "Prepayment" = round(amount * ratio, fen, up)
    decision capped: money = min(amount, cap)
    ''')


def test_english_labels_give_an_english_page(tmp_path):
    root = tmp_path / "policies" / "cn"
    root.mkdir(parents=True)
    (root / "demo.policy").write_text(ENGLISH, encoding="utf-8")
    out = tmp_path / "out"
    render_site(check([str(tmp_path / "policies")]), str(out))
    html = (out / "policies" / "cn" / "demo.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    md = (out / "policies" / "cn" / "demo.md").read_text(encoding="utf-8")
    assert "## Parameters" in md and "## Decisions" in md
    assert "Prepayment = round(Agreed amount × Prepayment ratio \\[30%\\], fen, up)" in md
    # No label: the name stands in, and the blank says who fills it.
    assert "### capped `capped`" in md
    assert "not filled — to be set locally" in md
    assert not re.search(r"[\u4e00-\u9fff]", md)


# ---------------------------------------------------------------- the command


def test_docs_command_writes_chosen_format(tmp_path):
    out = tmp_path / "docs"
    result = CliRunner().invoke(docs_command, [DATA, "-o", str(out), "--format", "md", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert (out / "index.md").exists()
    assert not (out / "index.html").exists()
    assert "wrote" in result.output


def test_docs_command_uses_user_templates_first(tmp_path):
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "index.md.j2").write_text("# Custom index\n{% for n in view.roots %}- {{ n.policy_id }}\n{% endfor %}",
                                           encoding="utf-8")
    out = tmp_path / "docs"
    result = CliRunner().invoke(docs_command, [DATA, "-o", str(out), "--format", "md", "--templates", str(templates)])
    assert result.exit_code == 0, result.output
    assert (out / "index.md").read_text(encoding="utf-8") == "# Custom index\n- cn/demo-2024\n"
    # Templates the user did not replace come from the package.
    assert "## 参数" in (out / "policies" / "cn" / "demo-2024.md").read_text(encoding="utf-8")


def test_docs_command_reports_a_broken_template_without_traceback(tmp_path):
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "index.md.j2").write_text("{% if %}", encoding="utf-8")
    from policylang.cli import main

    code = main(["docs", DATA, "-o", str(tmp_path / "docs"), "--templates", str(templates)])
    assert code == 2


def test_chinese_pages_word_things_as_the_notices_do(seed_site):
    """Drafting words: modalities as the notices say them, sentences built from the provision text,
    the region's own level names, no word said twice, no function names in English."""
    national = read(os.path.join(seed_site, "policies/cn/stent-2020.md"))
    assert "患者原则上自付非中选产品价格超出医保支付标准高限的部分" in national  # not 原则上应原则上
    assert "协议采购量完成后，医疗机构应当仍优先使用中选品种" in national  # the condition first (仍应: a duty)
    assert "医疗机构不得线下采购等不规范采购" in national
    assert not re.search(r"\b(round|min|max)\(", national)
    chaozhou = read(os.path.join(seed_site, "overrides/cn/gd/chaozhou/stent-2020.md"))
    assert "应由本级填写（应由本级填写）" not in chaozhou and "**市级（应由本级填写）**" in chaozhou
    spine = read(os.path.join(seed_site, "policies/cn/nm/spine-2023.md"))
    assert "自治区级" in spine and "类型：期限" not in spine and "\\`" not in spine


def test_an_inherited_deadline_is_the_declaring_policys_on_every_page(seed_site):
    # The national "within two years" counts from the national notice (2020-12-15), on the
    # province's and the city's pages too, as the checker counts it.
    for page in ("policies/cn/stent-2020.md", "policies/cn/gd/stent-2020.md", "policies/cn/gd/chaozhou/stent-2020.md"):
        md = read(os.path.join(seed_site, page))
        assert "**2022-12-15**" in md, page
        assert "2022-12-25" not in md and "2022-12-28" not in md, page
    city = read(os.path.join(seed_site, "policies/cn/gd/chaozhou/stent-2020.md"))
    assert "期限：国家级政策 cn/stent-2020 的生效日期 + 2年" in city


def test_an_amended_item_says_who_set_it_and_who_amended_it_from_when(fixture_site):
    # cn/zj/demo-2024-amended lowers the province's payment cap from 2024-09-01: the province's page,
    # the amendment's and the city's below it say so, as explain does.
    out, _, _ = fixture_site
    line = "由 cn/zj/demo-2024 设定，自 2024-09-01 起由 cn/zj/demo-2024-amended 修订"
    for page in ("cn/zj/demo-2024", "cn/zj/demo-2024-amended", "cn/zj/hz/demo-2024"):
        html = read(os.path.join(out, "policies", page + ".html"))
        assert f'<span class="amended">{line}</span>' in html, page
        assert f"- {line}" in read(os.path.join(out, "policies", page + ".md")), page
    # an item no amendment changed has no such line
    html = read(os.path.join(out, "policies", "cn/zj/demo-2024.html"))
    assert html.count('class="amended"') == 1


def test_the_amended_line_in_english():
    from policylang.backends.docs.i18n import Words

    t = Words("en").t
    assert t.amended_sep.join([t.amended_set_by.format(policy="cn/p"),
                               t.amended_by.format(policy="cn/p-postponed", day="2021-04-01")]) == \
        "set by cn/p, amended by cn/p-postponed from 2021-04-01"


def test_a_failure_of_the_checkers_explanation_is_not_dropped_from_the_pages(tmp_path, monkeypatch):
    """The pages show the checker's verdict on each override (semantics.explain.diff_policy). A
    policy it cannot explain (ExplainError: the policy has errors) falls back to the pages' own
    comparison; any other exception is a bug and reaches the caller, never a page without verdicts."""
    from policylang.backends.docs import views
    from policylang.semantics import explain

    run = check([DATA])
    pid = next(p for p, policy in run.resolution.policies.items() if policy.parent)
    assert views.checker_verdicts(run.resolution, pid) != {}

    def unexplained(resolution, policy_id):
        raise explain.ExplainError("has errors")

    monkeypatch.setattr(explain, "diff_policy", unexplained)
    assert views.checker_verdicts(run.resolution, pid) == {}

    def broken(resolution, policy_id):
        raise KeyError("a bug")

    monkeypatch.setattr(explain, "diff_policy", broken)
    with pytest.raises(KeyError):
        render_site(check([DATA]), str(tmp_path / "out"))
