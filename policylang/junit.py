"""Check findings as JUnit XML, the report format CI servers (Jenkins, GitLab, Azure, CircleCI)
read: one `testcase` per policy checked, a `failure` per error in it (an `error` per check that
failed inside policylang, PL990), warnings and notes in its `system-out`. A finding about no
single policy goes to a test case named after the tree. The document follows the common JUnit
schema (Jenkins' junit-10.xsd): no attributes or elements beyond it.

File paths are relative to the report's root (see `commands.common.report_root`)."""

from __future__ import annotations

import datetime
import os
import socket
import xml.etree.ElementTree as ET
from typing import Iterable, Optional, Sequence

from .diagnostics import _WORDS, ERROR, INTERNAL_ERROR_CODE, Diagnostic, Suppressed


def relative_path(path: str, root: Optional[str]) -> str:
    """path relative to root, with '/', when it lies inside it; else the absolute path."""
    if not root:
        return path
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, os.path.abspath(root))
    except ValueError:
        return absolute
    if rel == ".." or rel.startswith(".." + os.sep):
        return absolute
    return rel.replace(os.sep, "/")


def _where(d: Diagnostic, root: Optional[str]) -> str:
    if d.span is None:
        return ""
    return f"{relative_path(d.span.file, root)}:{d.span.line}:{d.span.column}"


def _detail(d: Diagnostic, root: Optional[str], lang: str) -> str:
    title = d.title_zh if lang == "zh" and d.title_zh else d.title
    words = _WORDS.get(lang, _WORDS["en"])
    lines = [f"{words.get(d.severity, d.severity)}[{d.code}] {title}{words['colon']}{d.text(lang)}".replace("[] ", "")]
    if d.span is not None:
        lines.append(f"  --> {_where(d, root)}")
    for rel in d.related:
        lines.append(f"  {words['note']}{words['colon']}{rel.text(lang)} ({relative_path(rel.span.file, root)}:"
                     f"{rel.span.line}:{rel.span.column})")
    hint = d.hint_text(lang)
    if hint:
        lines.append(f"  {words['help']}{words['colon']}{hint}")
    return "\n".join(lines)


def render_junit(diags: Iterable[Diagnostic], policies: Sequence[tuple[str, Optional[str]]],
                 root: Optional[str] = None, lang: str = "en", suppressed: Iterable[Suppressed] = (),
                 suite: str = "policylang check", timestamp: Optional[datetime.datetime] = None) -> str:
    """policies: (policy id, its file) for each policy checked, in order."""
    diags = list(diags)
    files = {pid: path for pid, path in policies}
    by_policy: dict[str, list[Diagnostic]] = {pid: [] for pid, _ in policies}
    by_file = {os.path.abspath(path): pid for pid, path in policies if path}
    tree_level: list[Diagnostic] = []
    for d in diags:
        pid = d.policy_id if d.policy_id in by_policy else None
        if pid is None and d.span is not None:
            pid = by_file.get(os.path.abspath(d.span.file))
        (by_policy[pid] if pid is not None else tree_level).append(d)
    quiet: dict[str, list[Suppressed]] = {}
    for s in suppressed:
        quiet.setdefault(s.policy_id if s.policy_id in by_policy else "", []).append(s)
    cases = [(pid, files.get(pid), by_policy[pid]) for pid, _ in policies]
    if tree_level or quiet.get(""):
        cases.append((("政策树" if lang == "zh" else "policy tree"), None, tree_level))
    stamp = (timestamp or datetime.datetime.now(datetime.timezone.utc)).replace(microsecond=0, tzinfo=None)
    failures = sum(1 for _, _, ds in cases for d in ds if d.severity == ERROR and d.code != INTERNAL_ERROR_CODE)
    errors = sum(1 for _, _, ds in cases for d in ds if d.code == INTERNAL_ERROR_CODE)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": str(errors)}
    top = ET.Element("testsuites", {"name": suite, **counts, "time": "0"})
    element = ET.SubElement(top, "testsuite", {
        "name": suite, **counts, "skipped": "0", "time": "0", "timestamp": stamp.isoformat(),
        "hostname": socket.gethostname() or "localhost", "id": "0", "package": "policylang",
    })
    for pid, path, ds in cases:
        case = ET.SubElement(element, "testcase", {
            "name": pid, "classname": relative_path(path, root) if path else "policylang", "time": "0"})
        for d in ds:
            if d.code == INTERNAL_ERROR_CODE:
                ET.SubElement(case, "error", {"message": d.text(lang), "type": d.code}).text = _detail(d, root, lang)
        for d in ds:
            if d.severity == ERROR and d.code != INTERNAL_ERROR_CODE:
                where = _where(d, root)
                message = f"{d.code} {d.text(lang)}" + (f" ({where})" if where else "")
                ET.SubElement(case, "failure", {"message": message, "type": d.code}).text = _detail(d, root, lang)
        notes = [_detail(d, root, lang) for d in ds if d.severity != ERROR]
        notes += [_suppressed(s, root, lang) for s in quiet.get(pid if path else "", ())]
        if notes:
            ET.SubElement(case, "system-out").text = "\n\n".join(notes)
    ET.indent(top)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="unicode")


def _suppressed(s: Suppressed, root: Optional[str], lang: str) -> str:
    head = "已忽略" if lang == "zh" else "suppressed"
    if lang == "zh":
        return f"{head}（理由：{s.reason}）：" + _detail(s.diagnostic, root, lang)
    return f"{head} ({s.reason}): " + _detail(s.diagnostic, root, lang)
