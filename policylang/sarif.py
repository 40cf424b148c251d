"""SARIF 2.1.0 output, for code-scanning tools (GitHub code scanning, IDE viewers).

One run per call, in the language of findings (--lang). Every diagnostic code used becomes a rule of the driver, with
its English title as the short description and the Chinese title in the full
description. Columns are counted in Unicode code points (policy files are full of
Chinese text), which the run declares with ``columnKind``. The hint goes into the
message text (after "help:") and into the result's properties: SARIF ``fixes``
are for machine-applicable edits, which a hint is not. A finding suppressed in
the policy file (``# policylang: ignore[…] because "…"``) is a result with a
``suppressions`` entry (kind inSource, its reason as the justification), not
left out.
"""

from __future__ import annotations

import json
import os
from typing import Iterable, Optional
from urllib.parse import quote

from .diagnostics import CODES, ERROR, INFO, WARNING, Diagnostic, Suppressed
from .syntax.ast import Span

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "policylang"
SRCROOT = "%SRCROOT%"

_LEVELS = {ERROR: "error", WARNING: "warning", INFO: "note"}


def sarif_level(severity: str) -> str:
    return _LEVELS.get(severity, "error")


def artifact_uri(path: str, root: Optional[str] = None) -> tuple[str, bool]:
    """(uri, relative?) for a file: relative to root (default: the working directory)
    when it lies inside it, else an absolute file: URI. Non-ASCII is percent-encoded."""
    root = os.path.abspath(root or os.getcwd())
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute, root)
    # A file name that is not UTF-8 holds lone surrogates here (Python's surrogateescape): its
    # own bytes are percent-encoded, which is the URI of the file as it is on disk.
    if not rel.startswith(".."):
        return quote(os.fsencode(rel.replace(os.sep, "/")), safe="/-_.~"), True
    return "file://" + quote(os.fsencode(absolute.replace(os.sep, "/")), safe="/-_.~:"), False


def _location(span: Optional[Span], root: Optional[str], message: Optional[str] = None) -> Optional[dict]:
    if span is None or span.line < 1:
        return None
    uri, relative = artifact_uri(span.file, root)
    artifact = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = SRCROOT
    region = {"startLine": span.line, "startColumn": max(span.column, 1)}
    if span.end_line >= span.line:
        region["endLine"] = span.end_line
        end_column = span.end_column
        if span.end_line == span.line:
            end_column = max(end_column, region["startColumn"] + 1)
        if end_column >= 1:
            region["endColumn"] = end_column
    location: dict = {"physicalLocation": {"artifactLocation": artifact, "region": region}}
    if message:
        location["message"] = {"text": message}
    return location


def _rule(code: str, lang: str = "en") -> dict:
    entry = CODES.get(code)
    title = entry.title if entry else code
    title_zh = entry.title_zh if entry else ""
    severity = entry.severity if entry else ERROR
    rule = {
        "id": code,
        "shortDescription": {"text": title_zh if lang == "zh" and title_zh else title},
        "fullDescription": {"text": title_zh if lang == "zh" and title_zh else f"{title_zh}（{title}）" if title_zh else title},
        "defaultConfiguration": {"level": sarif_level(severity)},
    }
    if entry is not None:
        from .codes_help import HELP, help_url

        rule["helpUri"] = help_url(code)
        if code in HELP:
            h = HELP[code]
            rule["help"] = {"text": f"{h.zh}怎样改正：{h.fix_zh}" if lang == "zh" else f"{h.en} How to fix it: {h.fix_en}"}
    if title_zh:
        rule["properties"] = {"title_zh": title_zh}
    return rule


def _message_text(diag: Diagnostic, lang: str = "en") -> str:
    text = diag.text(lang)
    hint = diag.hint_text(lang)
    if hint:
        text += f"\n建议：{hint}" if lang == "zh" else f"\nhelp: {hint}"
    return text


def _result(diag: Diagnostic, rule_index: int, root: Optional[str], lang: str = "en") -> dict:
    result: dict = {
        "ruleId": diag.code,
        "ruleIndex": rule_index,
        "level": sarif_level(diag.severity),
        "message": {"text": _message_text(diag, lang)},
    }
    location = _location(diag.span, root)
    if location is not None:
        result["locations"] = [location]
    related = []
    for rel in diag.related:
        loc = _location(rel.span, root, rel.text(lang))
        if loc is None:
            continue
        loc["id"] = len(related)
        related.append(loc)
    if related:
        result["relatedLocations"] = related
    properties = {}
    if diag.hint:
        properties["hint"] = diag.hint
    if diag.title_zh:
        properties["title_zh"] = diag.title_zh
    if diag.message_zh:
        properties["message_zh"] = diag.message_zh
    if diag.hint_zh:
        properties["hint_zh"] = diag.hint_zh
    if diag.policy_id:
        properties["policy"] = diag.policy_id
    if properties:
        result["properties"] = properties
    return result


def _suppressed_result(s: Suppressed, rule_index: int, root: Optional[str], lang: str = "en") -> dict:
    """A finding an in-line `# policylang: ignore[…] because "…"` suppressed: the result as it
    would be, with a SARIF suppression (in source, accepted, the reason as its justification,
    the comment as its location). Viewers show it as suppressed rather than hiding it."""
    result = _result(s.diagnostic, rule_index, root, lang)
    suppression: dict = {"kind": "inSource", "status": "accepted", "justification": s.reason}
    location = _location(s.span, root)
    if location is not None:
        suppression["location"] = location
    result["suppressions"] = [suppression]
    properties = result.setdefault("properties", {})
    properties["binding"] = s.binding
    return result


def render_sarif(diags: Iterable[Diagnostic], tool_version: str, root: Optional[str] = None,
                 suppressed: Iterable[Suppressed] = (), lang: str = "en") -> str:
    """The diagnostics as a SARIF 2.1.0 log (JSON text). File URIs are relative to
    root (default: the working directory), under the base id %SRCROOT%. Suppressed
    findings follow, each with its `suppressions` entry."""
    diags = list(diags)
    suppressed = list(suppressed)
    codes = sorted({d.code for d in diags} | {s.code for s in suppressed})
    rule_index = {code: i for i, code in enumerate(codes)}
    run = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": tool_version,
                "rules": [_rule(code, lang) for code in codes],
            }
        },
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(root)}},
        "results": [_result(d, rule_index[d.code], root, lang) for d in diags]
                   + [_suppressed_result(s, rule_index[s.code], root, lang) for s in suppressed],
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, ensure_ascii=False, indent=2)


def _directory_uri(root: Optional[str]) -> str:
    path = os.path.abspath(root or os.getcwd()).replace(os.sep, "/")
    if not path.endswith("/"):
        path += "/"
    return "file://" + quote(path, safe="/-_.~:")
