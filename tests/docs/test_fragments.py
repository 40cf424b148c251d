"""The memo of item articles (backends/docs/fragments.py): views share an article only when their
content is the same, types included; a shared article is the one the macro renders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
from markupsafe import Markup

from policylang.backends.docs.formula import Rich, Seg, plain
from policylang.backends.docs.fragments import Fragments, content_key
from policylang.backends.docs.i18n import Words
from policylang.backends.docs.site import make_environment


@attrs.define
class Box:
    a: object
    b: object = None


def same(x, y) -> bool:
    return content_key(x) == content_key(y)


def test_equal_content_gives_equal_keys():
    assert same(Box("x", [plain("a"), {"k": Rich((Seg("ref", "L", "n", "param", "#item-n"),))}]),
                Box("x", [plain("a"), {"k": Rich((Seg("ref", "L", "n", "param", "#item-n"),))}]))
    assert same(Box(dt.date(2024, 1, 1)), Box(dt.date(2024, 1, 1)))


def test_values_that_print_differently_get_different_keys():
    assert not same(Box(Decimal("1.0")), Box(Decimal("1")))
    assert not same(Box(1), Box(True))
    assert not same(Box(1), Box("1"))
    assert not same(Box(Markup("<b>")), Box("<b>"))
    assert not same(Box(plain("<b>")), Box("<b>"))
    assert not same(Box(Rich((Seg("text", Markup("<b>")),))), Box(Rich((Seg("text", "<b>"),))))
    assert not same(Box(["a", "b"]), Box(("a", "b")))
    assert not same(Box({"a": "b"}), Box([("a", "b")]))
    assert not same(Box("x", None), Box("x", ""))
    assert not same(Box(plain("a")), Box(plain("b")))


def test_unknown_values_are_never_shared():
    thing = object()
    assert not same(Box(thing), Box(thing))


def test_a_shared_article_is_the_macro_output_and_escaped(tmp_path):
    (tmp_path / "mine.html.j2").write_text(
        "{% macro show(item, w) %}<p>{{ item.a }} {{ w.t.value }}</p>{% endmacro %}", encoding="utf-8")
    env = make_environment(str(tmp_path))
    fragments = env.globals["fragment"]
    assert isinstance(fragments, Fragments) and fragments.by_region  # a user's folder: keyed by region too
    page = env.from_string('{{ fragment("mine.html.j2", "show", item, w) }}')
    here, there = Words("en", "Region A"), Words("en", "Region B")
    first = page.render(item=Box("<script>"), w=here)
    assert first == "<p>&lt;script&gt; Value</p>"
    assert page.render(item=Box("<script>"), w=here) == first and fragments.hits == 1
    assert page.render(item=Box("<script>"), w=there) == first and fragments.hits == 1  # another region
    assert page.render(item=Box(Markup("<i>")), w=here) == "<p><i> Value</p>" and fragments.hits == 1


def test_package_templates_share_articles_across_regions():
    fragments = make_environment().globals["fragment"]
    assert not fragments.by_region


# ---------------------------------------------------------------- views shared between pages

def _site_bytes(run, out) -> dict:
    from policylang.backends.docs import render_site

    files = render_site(run, str(out), jobs=1)
    return {str(f)[len(str(out)):]: open(f, "rb").read() for f in files}


def _generated_tree(tmp_path) -> str:
    import os
    import subprocess
    import sys

    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    tree = str(tmp_path / "tree")
    subprocess.run([sys.executable, os.path.join(repo, "benchmarks", "gen_tree.py"), tree, "--provinces", "2",
                    "--cities", "3", "--counties", "7", "--conflicts", "2"], check=True, capture_output=True)
    return tree


def test_shared_item_views_give_the_pages_each_page_builds_alone(tmp_path, monkeypatch):
    """An inherited item's view is built once and reused by the pages that show it alike: every
    page is byte for byte what it is with each page building all its views itself, on a tree whose
    counties fill and change what their city and province set (a formula then shows another value)
    and which has findings, and on the docs fixtures (amendments, suppressions, uses)."""
    import os

    from policylang.backends.docs import site as S
    from policylang.backends.docs import views as V
    from policylang.pipeline import check

    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "policies")
    for tree in (_generated_tree(tmp_path), data):
        run = check([tree], cache=False, progress=False)
        reused = []
        original = V.PolicyPageBuilder.shared

        def counting(self, method, item, build):
            before = len(self.site.shared_views)
            view = original(self, method, item, build)
            if len(self.site.shared_views) == before and id(view) in self.site.shared_view_ids:
                reused.append(item.name)
            return view

        rows = []
        original_change = V.PolicyPageBuilder.shared_change

        def counting_change(self, item, *rest):
            before = len(self.site.shared_views)
            view = original_change(self, item, *rest)
            if len(self.site.shared_views) == before and id(view) in self.site.shared_view_ids:
                rows.append(item.name)
            return view

        monkeypatch.setattr(V.PolicyPageBuilder, "shared", counting)
        monkeypatch.setattr(V.PolicyPageBuilder, "shared_change", counting_change)
        shared = _site_bytes(run, tmp_path / "shared" / os.path.basename(tree))
        # Alone: every view and every override row built for its page and format (its links
        # written with the format's extension, as for a user's templates), and the override reports
        # written with their real links all along (no own-page token).
        monkeypatch.setattr(V.PolicyPageBuilder, "shared", lambda self, method, item, build: build(item))
        monkeypatch.setattr(V.PolicyPageBuilder, "shared_change",
                            lambda self, item, change, base, trail, changer:
                            self.change_view(item, change, base, trail, changer, []))
        monkeypatch.setattr(S, "_plain_link", lambda link: False)
        renderer_init = S._PageRenderer.__init__

        def per_format(self, *args, **options):
            renderer_init(self, *args, **{**options, "by_format": True})

        monkeypatch.setattr(S._PageRenderer, "__init__", per_format)
        alone = _site_bytes(run, tmp_path / "alone" / os.path.basename(tree))
        monkeypatch.undo()
        assert shared.keys() == alone.keys()
        for name in alone:
            assert shared[name] == alone[name], name
            text = shared[name].decode("utf-8", "replace")
            assert S.OWN_PAGE not in text and V.ANY_FORMAT not in text, name
        if tree != data:
            # One view serves a page in both formats: these count views built once for both.
            assert len(reused) > 50  # the generated tree's pages do share most inherited items
            assert len(rows) > 10  # and the override reports their rows of items changed above


def test_a_view_is_not_shared_where_the_page_holds_another_definition_it_reads(tmp_path):
    """Two counties inherit the same decision; one fills the parameter the formula reads with
    another value: its page shows its own value, not the other county's."""
    from policylang.backends.docs import render_site
    from policylang.pipeline import check

    root = tmp_path / "cn"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir(parents=True)
    (root / "p.policy").write_text(
        'policy "National"\nlevel national\neffective 2024-01-01\n\n'
        'param rate: percent floor 10% "Rate"\n'
        'input amount: money "Amount"\n'
        'decision pay: money "Pay" =\n    amount * rate\n', encoding="utf-8")
    for county, rate in (("a", "10%"), ("b", "35%")):
        (root / county / "p.policy").write_text(
            f'policy "County {county}"\nlevel county\neffective 2024-01-01\nextends cn/p\n\n'
            f'override param rate: percent floor {rate} "Rate"\n', encoding="utf-8")
    run = check([str(tmp_path)], cache=False, progress=False)
    assert not [d for d in run.diagnostics if d.severity == "error"], run.diagnostics
    render_site(run, str(tmp_path / "out"), formats=("md",), jobs=1)
    a = (tmp_path / "out" / "policies" / "cn" / "a" / "p.md").read_text(encoding="utf-8")
    b = (tmp_path / "out" / "policies" / "cn" / "b" / "p.md").read_text(encoding="utf-8")
    assert "Pay = Amount × Rate \\[10%\\]" in a
    assert "Pay = Amount × Rate \\[35%\\]" in b
