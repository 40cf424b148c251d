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
