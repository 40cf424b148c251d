"""Comparing syntax trees by meaning: spans and comments aside.

The formatter moves text around, so two parses of the same policy differ in
their spans and, when the header was out of order, in the order of header lines.
"""

from __future__ import annotations

import attrs

from . import ast as A


def strip_spans(node):
    """A copy of node with every Span replaced by NO_SPAN (expressions are at most ~100 deep)."""
    if isinstance(node, A.Span):
        return A.NO_SPAN
    if isinstance(node, tuple):
        return tuple(strip_spans(item) for item in node)
    if attrs.has(type(node)):
        changes = {}
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name)
            stripped = strip_spans(value)
            if stripped is not value:
                changes[field.name] = stripped
        return attrs.evolve(node, **changes) if changes else node
    return node


def _canonical_file(policy: A.PolicyFile) -> A.PolicyFile:
    from .formatter import HEADER_ORDER

    def rank(item: A.HeaderItem) -> int:
        return HEADER_ORDER.index(item.key) if item.key in HEADER_ORDER else len(HEADER_ORDER)

    return attrs.evolve(
        strip_spans(policy),
        path="",
        comments=(),
        header=tuple(sorted(strip_spans(policy.header), key=rank)),
    )


def ast_equal(a, b) -> bool:
    """Whether two nodes (or two PolicyFiles) say the same thing, ignoring spans,
    comments, file paths and the order of header lines."""
    if isinstance(a, A.PolicyFile) and isinstance(b, A.PolicyFile):
        return _canonical_file(a) == _canonical_file(b)
    return strip_spans(a) == strip_spans(b)
