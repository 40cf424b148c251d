"""Each item's piece of a page rendered once per distinct content, not once per page.

A county's page shows every item in force there, and nearly all of them are inherited: the
national limits, the province's tables, the city's filled blanks. The view of such an item
(views.ItemView) comes out the same on every page at the same depth below the same ancestors,
so its rendered article is the same too. The page templates ask for an item's article with
`fragment(template, macro, item, w)`: the macro of the items template is called the first time
an item with that content is seen, and its output is reused after that.

The key is the whole content of the view (content_key), not where it came from, so a reused
article is byte for byte the one the macro would render again: views with equal keys render
equally because the items macros read nothing but their arguments (and the environment's
globals and filters). `w` is keyed by its language, the only part of it the package's items
macros read (w.t, the page's word table); with a user's template folder, whose macros may read
anything of `w`, by its region as well.
"""

from __future__ import annotations

import datetime as _dt
import operator
from decimal import Decimal
from typing import Any, Callable

import attrs
from markupsafe import Markup

from .formula import Rich, Seg

# Values keyed as (type, value): equal values of these types print the same.
_EXACT = (int, bool, _dt.date, _dt.datetime)
# Values keyed as (type, text): Decimal('1.0') == Decimal('1'), but they print differently.
_BY_TEXT = (Decimal, float, Markup)
# Per attrs class of the views: a getter of all its fields at once.
_GETTERS: dict[type, Callable] = {}


class _Unique:
    """A key part equal only to itself: a value of a type not known here is never shared."""

    __slots__ = ()


def _getter(t: type) -> Callable:
    names = tuple(a.name for a in attrs.fields(t))
    if len(names) == 1:
        one = names[0]
        return lambda value: (getattr(value, one),)
    return operator.attrgetter(*names)


def content_key(value: Any):
    """A hashable value equal for two views exactly when they hold the same content of the same types."""
    t = type(value)
    if t is str or value is None:
        return value
    if t is list or t is tuple:
        return (t, *[v if type(v) is str else content_key(v) for v in value])
    if t is dict:
        return (dict, *[(k if type(k) is str else content_key(k), v if type(v) is str else content_key(v))
                        for k, v in value.items()])
    if t is Rich or t is Seg:
        # frozen, fields all text: equal exactly when they print the same (a Markup text is keyed apart)
        segs = value.segs if t is Rich else (value,)
        for s in segs:
            if type(s.text) is not str:
                return _Unique()
        return value
    if t in _EXACT:
        return (t, value)
    if t in _BY_TEXT:
        return (t, str(value))
    getter = _GETTERS.get(t)
    if getter is None:
        if not attrs.has(t):
            return _Unique()
        getter = _GETTERS[t] = _getter(t)
    return (t, *[v if type(v) is str else content_key(v) for v in getter(value)])


class Fragments:
    """The `fragment` global of the page templates: a memo of the items macros' output."""

    def __init__(self, env, by_region: bool):
        self.env = env
        self.by_region = by_region
        self.memo: dict = {}
        # Views that stay alive for the whole run (set by the site: the shared views' ids), and
        # their output by id.
        self.pinned: set[int] = set()
        self.by_id: dict = {}
        self._macros: dict[tuple[str, str], Callable] = {}
        self.hits = 0

    def __call__(self, template: str, macro: str, item, w):
        region = w.region if self.by_region else None
        pinned = id(item) in self.pinned
        if pinned:
            # A view shared by many pages (views.SiteModel.shared_views, which keeps it alive, so
            # its id names it alone): its content is keyed once.
            out = self.by_id.get((template, macro, w.lang, region, id(item)))
            if out is not None:
                self.hits += 1
                return out
        key = (template, macro, w.lang, region, content_key(item))
        out = self.memo.get(key)
        if out is None:
            function = self._macros.get((template, macro))
            if function is None:
                function = self._macros[(template, macro)] = getattr(self.env.get_template(template).module, macro)
            out = self.memo[key] = function(item, w)
        else:
            self.hits += 1
        if pinned:
            self.by_id[(template, macro, w.lang, region, id(item))] = out
        return out
