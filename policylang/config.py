"""Configuration: per-code severity from pyproject.toml, and inline suppressions with a stated reason.

In pyproject.toml (the nearest one at or above the policy tree's root):

    [tool.policylang]
    severity = { PL207 = "off", PL402 = "error" }

Each value is error, warning, info or off (off drops the finding). An unknown
code, value or key is itself a finding (PL903), located in pyproject.toml.

A finding that a lower level breaks a binding rule of a level above it (the codes
in diagnostics.BINDING_CODES: a floor lowered, a ceiling raised, a fixed rule
changed…) cannot be lowered below error by configuration: such a setting is
ignored and reported (PL904, at the key), because it would silence the check for
every policy of the tree at once. Nor can the configuration touch an internal
error (PL990) or its own findings (PL903, PL904).

In a policy file, a comment on the line before a flagged line, or at the end of
it, suppresses the named codes there — but only when it says why:

    # policylang: ignore[PL402] because "本通知未规定该情形，已报自治区医保局"

Without `because "…"` it suppresses nothing and is reported (PL901); a
suppression that matches no finding is reported as unused (PL902), so stale
suppressions do not pile up. This is also the one way to accept a binding
finding (PL304…) on one line, with its reason: what it suppresses is not
dropped but kept as a `Suppressed` record (finding, reason, comment), and
every suppressed binding finding is listed in the check's summary, in the JSON
and SARIF outputs, and on the policy's documentation page and override report.
"""

from __future__ import annotations

import os
import re
import tomllib
from typing import Iterable, Optional

import attrs

from .diagnostics import (
    BINDING_CODES,
    CODES,
    ERROR,
    INFO,
    INTERNAL_ERROR_CODE,
    LANGUAGES,
    WARNING,
    Diagnostic,
    Suppressed,
)
from .messages import M, P
from .span import Span

SEVERITY_VALUES = (ERROR, WARNING, INFO, "off")
KNOWN_KEYS = ("severity", "lang", "help_url")

SUPPRESSION = re.compile(r"#\s*policylang\s*:\s*ignore\s*\[(?P<codes>[^\]]*)\](?P<rest>.*)$")
REASON = re.compile(r"""(?:because|理由)\s*(?:"(?P<a>[^"]*)"|“(?P<b>[^”]*)”)""")
# Findings about suppressions and configuration cannot themselves be suppressed inline, nor can
# an internal error of policylang.
UNSUPPRESSIBLE = {"PL901", "PL902", "PL903", "PL904", INTERNAL_ERROR_CODE}
# Findings whose severity the configuration cannot change at all.
NOT_CONFIGURABLE = {"PL903", "PL904", INTERNAL_ERROR_CODE}


@attrs.define
class Config:
    path: Optional[str] = None  # the pyproject.toml read, if any
    severity: dict[str, str] = attrs.Factory(dict)
    lang: Optional[str] = None  # the language findings are printed in: en | zh
    help_url: Optional[str] = None  # where the pages of the codes are published (codes_help.py)
    diagnostics: list[Diagnostic] = attrs.Factory(list)  # PL903/PL904 problems in the configuration itself


def find_pyproject(start: str) -> Optional[str]:
    probe = os.path.abspath(start)
    if not os.path.isdir(probe):
        probe = os.path.dirname(probe)
    while True:
        candidate = os.path.join(probe, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(probe)
        if parent == probe:
            return None
        probe = parent


def output_language(root: Optional[str], chosen: Optional[str] = None) -> str:
    """The language findings are printed in: --lang, else $POLICYLANG_LANG, else `lang` in
    [tool.policylang] of the tree's pyproject.toml, else the user's locale (Chinese where
    $LC_ALL, $LC_MESSAGES or $LANG says zh_…, as on an official's computer), else English
    (a CI runner's and a developer's usual locale)."""
    for value in (chosen, os.environ.get("POLICYLANG_LANG")):
        if value in LANGUAGES:
            return value
    config = load_config(root or os.getcwd())
    return config.lang or locale_language()


def locale_language() -> str:
    """zh when the user's locale is Chinese, else en (the first of LC_ALL, LC_MESSAGES, LANG that is set)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def help_url_setting(root: Optional[str]) -> Optional[str]:
    """`help_url` under [tool.policylang] of the tree's pyproject.toml, if any."""
    return load_config(root or os.getcwd()).help_url


def _line_of(lines: list[str], needle: str, default: int) -> int:
    for number, line in enumerate(lines, 1):
        if needle in line:
            return number
    return default


def load_config(root_dir: str) -> Config:
    path = find_pyproject(root_dir)
    config = Config(path=path)
    if path is None:
        return config
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        config.diagnostics.append(Diagnostic(**M("PL903.unreadable", error=exc), span=Span(path, 1, 1, 1, 1)))
        return config
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+), column (\d+)", str(exc))
        line, column = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        config.diagnostics.append(Diagnostic(**M("PL903.not_toml", error=exc),
                                             span=Span(path, line, column, line, column + 1)))
        return config
    lines = text.splitlines()  # pyproject.toml: TOML's own line breaks
    section = data.get("tool", {}).get("policylang") if isinstance(data.get("tool"), dict) else None
    if section is None:
        return config
    section_line = _line_of(lines, "[tool.policylang", 1)

    def problem(entry: str, needle: Optional[str], /, **params):
        line = _line_of(lines, needle, section_line) if needle else section_line
        width = len(lines[line - 1]) if 0 < line <= len(lines) else 1
        config.diagnostics.append(Diagnostic(**M(entry, **params), span=Span(path, line, 1, line, width + 1)))

    if not isinstance(section, dict):
        problem("PL903.not_a_table", None)
        return config
    for key in section:
        if key not in KNOWN_KEYS:
            problem("PL903.unknown_setting", key, key=key, known=", ".join(KNOWN_KEYS), known_zh="、".join(KNOWN_KEYS))
    lang = section.get("lang")
    if lang is not None:
        if lang in LANGUAGES:
            config.lang = lang
        else:
            problem("PL903.bad_lang", "lang", lang=lang, choices=", ".join(LANGUAGES), choices_zh="、".join(LANGUAGES))
    help_url = section.get("help_url")
    if help_url is not None:
        if isinstance(help_url, str) and help_url:
            config.help_url = help_url
        else:
            problem("PL903.bad_help_url", "help_url")
    severity = section.get("severity", {})
    if not isinstance(severity, dict):
        problem("PL903.severity_not_a_table", "severity")
        return config
    for code, value in severity.items():
        if code not in CODES:
            close = [c for c in CODES if c[:4] == code[:4]]
            near, near_zh = P("phrase.PL903.codes_near", codes=", ".join(close[:5]), codes_zh="、".join(close[:5])) \
                if close else ("", "")
            problem("PL903.unknown_code", code, code=code, near=near, near_zh=near_zh)
            continue
        if not isinstance(value, str) or value not in SEVERITY_VALUES:
            problem("PL903.bad_severity", code, code=code, value=value, choices=", ".join(SEVERITY_VALUES),
                    choices_zh="、".join(SEVERITY_VALUES))
            continue
        if code in NOT_CONFIGURABLE:
            problem("PL903.not_configurable", code, code=code, title=CODES[code].title, title_zh=CODES[code].title_zh)
            continue
        if code in BINDING_CODES and value != ERROR:
            config.diagnostics.append(_binding_not_lowered(path, lines, section_line, code, value))
            continue
        config.severity[code] = value
    return config


def _key_span(path: str, lines: list[str], after: int, code: str) -> Span:
    """Where `CODE = …` is written in pyproject.toml (at or below the [tool.policylang] line)."""
    pattern = re.compile(r"(?<![\w\"'])[\"']?" + re.escape(code) + r"[\"']?\s*=")
    for number in range(max(after, 1), len(lines) + 1):
        match = pattern.search(lines[number - 1])
        if match:
            start = lines[number - 1].index(code, match.start()) + 1
            return Span(path, number, start, number, start + len(code))
    line = after if 0 < after <= len(lines) else 1
    return Span(path, line, 1, line, len(lines[line - 1]) + 1 if 0 < line <= len(lines) else 2)


def _binding_not_lowered(path: str, lines: list[str], section_line: int, code: str, value: str) -> Diagnostic:
    """PL904: configuration tried to lower a binding finding below error."""
    entry = CODES[code]
    lowered, lowered_zh = P("phrase.PL904.off") if value == "off" else \
        P("phrase.PL904.lower", value=value, level_zh="警告" if value == WARNING else "提示")
    return Diagnostic(**M("PL904.binding_not_lowered", code=code, title=entry.title, title_zh=entry.title_zh,
                          value=value, lowered=lowered, lowered_zh=lowered_zh),
                      span=_key_span(path, lines, section_line, code))


# ---------------------------------------------------------------- suppressions


@attrs.define
class Suppression:
    path: str
    line: int  # the comment's line
    target: int  # the line whose findings it suppresses
    codes: tuple[str, ...]
    reason: Optional[str]
    span: Span
    used: bool = False


def _target_line(ws, path: str, line: int, column: int) -> int:
    text = ws.sources.line(path, line) or ""
    if text[: max(column - 1, 0)].strip():
        return line  # a comment at the end of a line: that line
    number = line + 1
    while True:
        following = ws.sources.line(path, number)
        if following is None:
            return line + 1
        stripped = following.strip()
        if stripped and not stripped.startswith("#"):
            return number
        number += 1


def collect_suppressions(ws) -> tuple[list[Suppression], list[Diagnostic]]:
    suppressions: list[Suppression] = []
    problems: list[Diagnostic] = []
    for pid, pf in ws.files.items():
        for comment in pf.comments:
            match = SUPPRESSION.search(comment.text)
            if match is None:
                continue
            span = Span(pf.path, comment.line, comment.column, comment.line, comment.column + len(comment.text))
            codes = tuple(c.strip() for c in match.group("codes").split(",") if c.strip())
            reason_match = REASON.search(match.group("rest"))
            reason = (reason_match.group("a") or reason_match.group("b") or "").strip() if reason_match else ""
            unknown = [c for c in codes if c not in CODES]
            if unknown:
                problems.append(Diagnostic(**M("PL903.unknown_suppressed_code", codes=", ".join(unknown),
                                               codes_zh="、".join(unknown)), span=span, policy_id=pid))
            if not reason:
                problems.append(Diagnostic(**M("PL901.no_reason", codes=",".join(codes)), span=span, policy_id=pid))
                continue
            target = _target_line(ws, pf.path, comment.line, comment.column)
            suppressions.append(Suppression(pf.path, comment.line, target, codes, reason, span))
    return suppressions, problems


def _policies_under_errors(ws, diags: list[Diagnostic]) -> set[str]:
    """The policies that have an error in their own files, or a level above them (by `extends`)
    that has one (an internal error is not counted: the run exits 2 for it anyway)."""
    with_errors = {d.policy_id for d in diags
                   if d.severity == "error" and d.policy_id is not None and d.code != INTERNAL_ERROR_CODE}
    if not with_errors:
        return set()
    return {pid for pid in ws.files if any(c in with_errors for c in ws.written_chain(pid))}


def apply_config(diags: Iterable[Diagnostic], config: Config, ws) -> list[Diagnostic]:
    """Apply inline suppressions, then per-code severities; add configuration and suppression findings."""
    return configure(diags, config, ws)[0]


def configure(diags: Iterable[Diagnostic], config: Config, ws) -> tuple[list[Diagnostic], list[Suppressed]]:
    """apply_config, and what the inline suppressions suppressed: (findings, suppressed records).

    A suppressed finding is not dropped: it is kept, with the suppression's reason and
    place, for the outputs that list suppressions (the check summary, JSON, SARIF, the docs)."""
    suppressions, problems = collect_suppressions(ws)
    by_place: dict[tuple[str, int], list[Suppression]] = {}
    for s in suppressions:
        by_place.setdefault((s.path, s.target), []).append(s)
    kept: list[Diagnostic] = []
    suppressed: list[Suppressed] = []
    diags = list(diags)
    for d in diags:
        if d.span is not None and d.code not in UNSUPPRESSIBLE:
            matching = [s for s in by_place.get((d.span.file, d.span.line), ()) if d.code in s.codes]
            if matching:
                for s in matching:
                    s.used = True
                first = matching[0]
                suppressed.append(Suppressed(d, first.reason or "", first.span))
                continue
        kept.append(d)
    broken = _policies_under_errors(ws, diags)
    for s in suppressions:
        # Under a level with errors the finding a suppression names may simply not have been
        # reached: calling it unused then would be a follow-on of that error, and wrong once it is fixed.
        if not s.used and _policy_of(ws, s.path) not in broken:
            problems.append(Diagnostic(**M("PL902.unused", codes=", ".join(s.codes), codes_zh="、".join(s.codes),
                                           line=s.target), span=s.span, policy_id=_policy_of(ws, s.path)))
    result = []
    for d in kept + problems + list(config.diagnostics):
        level = config.severity.get(d.code)
        if level is None or d.code in NOT_CONFIGURABLE:
            result.append(d)
        elif level != "off":
            result.append(attrs.evolve(d, severity=level))
    return result, suppressed


def _policy_of(ws, path: str) -> Optional[str]:
    for pid, pf in ws.files.items():
        if pf.path == path:
            return pid
    return None
