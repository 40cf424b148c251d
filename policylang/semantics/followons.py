"""One mistake, one finding: findings that only follow from a syntax error are dropped.

When the parser cannot read a declaration (a misspelt keyword, `7,000`, an impossible
date), it reports that once and records the names the declaration writes
(PolicyFile.unreadable). A later finding about one of those names — it is unknown,
unused, a blank it was to fill is empty, an example gives it — says nothing new: the
author fixes the syntax error and the name is read again. Such findings are dropped
here, for the policy whose file (or whose parent's, up the chain) had the error.
"""

from __future__ import annotations

import re
from typing import Optional

from ..diagnostics import Diagnostic

# Findings that a declaration the parser could not read can cause elsewhere.
FOLLOW_ON_CODES = frozenset({"PL201", "PL207", "PL312", "PL325", "PL320", "PL602", "PL208", "PL308", "PL402"})
_WORD = re.compile(r"[^\W\d]\w*")


def _chain(ws, policy_id: Optional[str]) -> list:
    files = ws.files or {}
    return [files[i] for i in ws.written_chain(policy_id) if i in files]


def _span_words(ws, span) -> set[str]:
    if span is None:
        return set()
    line = ws.sources.line(span.file, span.line)
    if line is None:
        return set()
    end = span.end_column if span.end_line == span.line else len(line) + 1
    return set(_WORD.findall(line[span.column - 1:end - 1]))


def drop_follow_ons(ws, diags: list[Diagnostic]) -> list[Diagnostic]:
    if not ws.syntax_errors and not any(getattr(f, "unreadable", None) for f in (ws.files or {}).values()):
        return diags
    out = []
    for diag in diags:
        if diag.code in FOLLOW_ON_CODES:
            unreadable: set = set()
            for pf in _chain(ws, diag.policy_id):
                unreadable |= getattr(pf, "unreadable", frozenset())
            if unreadable:
                words = _span_words(ws, diag.span)
                if diag.code in ("PL312", "PL325"):  # reported on the leaf's header: the blank is the related place
                    words = set().union(*(_span_words(ws, r.span) for r in diag.related)) if diag.related else set()
                if words & unreadable:
                    continue
        out.append(diag)
    return out
