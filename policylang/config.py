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
from .syntax.ast import Span

SEVERITY_VALUES = (ERROR, WARNING, INFO, "off")
KNOWN_KEYS = ("severity", "lang", "help_url")

SUPPRESSION = re.compile(r"#\s*policylang\s*:\s*ignore\s*\[(?P<codes>[^\]]*)\](?P<rest>.*)$")
REASON = re.compile(r"""because\s*(?:"(?P<a>[^"]*)"|“(?P<b>[^”]*)”)""")
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
        config.diagnostics.append(Diagnostic("PL903", f"pyproject.toml cannot be read: {exc}",
                                             Span(path, 1, 1, 1, 1),
                                             message_zh=f"无法读取 pyproject.toml：{exc}"))
        return config
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+), column (\d+)", str(exc))
        line, column = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        config.diagnostics.append(Diagnostic("PL903", f"pyproject.toml is not valid TOML: {exc}",
                                             Span(path, line, column, line, column + 1),
                                             message_zh=f"pyproject.toml 不是有效的 TOML 文件：{exc}"))
        return config
    lines = text.splitlines()
    section = data.get("tool", {}).get("policylang") if isinstance(data.get("tool"), dict) else None
    if section is None:
        return config
    section_line = _line_of(lines, "[tool.policylang", 1)

    def problem(message: str, message_zh: str, needle: Optional[str], hint: Optional[str] = None,
                hint_zh: Optional[str] = None):
        line = _line_of(lines, needle, section_line) if needle else section_line
        width = len(lines[line - 1]) if 0 < line <= len(lines) else 1
        config.diagnostics.append(Diagnostic("PL903", message, Span(path, line, 1, line, width + 1), hint=hint,
                                             message_zh=message_zh, hint_zh=hint_zh))

    if not isinstance(section, dict):
        problem("[tool.policylang] must be a table", "[tool.policylang] 必须是一个 TOML 表（table）", None)
        return config
    for key in section:
        if key not in KNOWN_KEYS:
            problem(f"unknown setting '{key}' in [tool.policylang]", f"[tool.policylang] 中的设置项“{key}”无法识别",
                    key, hint="the settings are: " + ", ".join(KNOWN_KEYS),
                    hint_zh="可以使用的设置项有：" + "、".join(KNOWN_KEYS))
    lang = section.get("lang")
    if lang is not None:
        if lang in LANGUAGES:
            config.lang = lang
        else:
            problem(f"lang is {lang!r}; it must be one of: {', '.join(LANGUAGES)}",
                    f"lang 的值是 {lang!r}，只能是下列之一：{'、'.join(LANGUAGES)}", "lang",
                    hint='lang = "zh" prints findings in Chinese, lang = "en" in English',
                    hint_zh='lang = "zh" 用中文显示检查结果，lang = "en" 用英文显示')
    help_url = section.get("help_url")
    if help_url is not None:
        if isinstance(help_url, str) and help_url:
            config.help_url = help_url
        else:
            problem("help_url must be a text: where the pages of the codes are, such as \"https://example.org/codes/\"",
                    "help_url 必须是文字：检查代码说明页所在的地址，例如 \"https://example.org/codes/\"", "help_url")
    severity = section.get("severity", {})
    if not isinstance(severity, dict):
        problem("'severity' must be a table such as { PL207 = \"off\" }",
                "“severity”必须是一个 TOML 表（table），例如 { PL207 = \"off\" }", "severity")
        return config
    for code, value in severity.items():
        if code not in CODES:
            close = [c for c in CODES if c[:4] == code[:4]]
            problem(f"'{code}' in [tool.policylang] severity is not a policylang code",
                    f"[tool.policylang] severity 中的“{code}”不是 policylang 的代码", code,
                    hint=("codes look like PL207" + (f"; codes near it: {', '.join(close[:5])}" if close else "")),
                    hint_zh=("代码的写法如 PL207" + (f"；与它相近的代码有：{'、'.join(close[:5])}" if close else "")))
            continue
        if not isinstance(value, str) or value not in SEVERITY_VALUES:
            problem(f"the severity of {code} is {value!r}; it must be one of: {', '.join(SEVERITY_VALUES)}",
                    f"{code} 的严重程度设为 {value!r}，只能是下列之一：{'、'.join(SEVERITY_VALUES)}", code)
            continue
        if code in NOT_CONFIGURABLE:
            title, title_zh = CODES[code].title, CODES[code].title_zh
            problem(f"the severity of {code} ({title}) cannot be configured; the setting is ignored",
                    f"{code}（{title_zh}）的严重程度不能通过配置修改，这项设置不起作用", code,
                    hint=f"remove {code} from [tool.policylang] severity",
                    hint_zh=f"请从 [tool.policylang] severity 中删除 {code}")
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
    lowered = "turn it off" if value == "off" else f"make it {value}"
    lowered_zh = "关闭" if value == "off" else f"降为{'警告' if value == WARNING else '提示'}（{value}）"
    return Diagnostic(
        "PL904",
        f"{code} ({entry.title}) says that a lower level breaks a binding rule of a level above it; the "
        f"configuration cannot {lowered} for the whole tree, so '{code} = \"{value}\"' is ignored and {code} "
        "stays an error",
        _key_span(path, lines, section_line, code),
        hint=f"remove the setting; where a finding is really acceptable, put "
             f"'# policylang: ignore[{code}] because \"…\"' on that line (or the line before), with the reason: it "
             "is then listed as a suppressed binding finding in the check's summary and on the policy's pages",
        message_zh=f"{code}（{entry.title_zh}）表示下级违反了上级的约束性规定，不能通过配置对整个政策目录一律"
                   f"{lowered_zh}，因此“{code} = \"{value}\"”这项设置不起作用，{code} 仍按错误处理",
        hint_zh=f"请删除这项设置；如果某处问题确实可以接受，请在该行（或上一行）写上 "
                f"'# policylang: ignore[{code}] because \"…\"' 并写明理由：它会作为“已忽略的约束类问题”列在检查摘要和"
                "该政策的文档页上",
    )


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
                problems.append(Diagnostic("PL903", f"the suppression names unknown code(s): {', '.join(unknown)}",
                                           span, hint="codes look like PL402", policy_id=pid,
                                           message_zh=f"这条忽略指令写了不存在的代码：{'、'.join(unknown)}",
                                           hint_zh="代码的写法如 PL402"))
            if not reason:
                problems.append(Diagnostic(
                    "PL901", "this suppression gives no reason, so it suppresses nothing",
                    span, policy_id=pid,
                    hint='say why the finding is acceptable: # policylang: ignore[' + ",".join(codes) +
                         '] because "…"',
                    message_zh="这条忽略指令没有写明理由，因此不会忽略任何问题",
                    hint_zh='请写明为什么可以接受这个问题：# policylang: ignore[' + ",".join(codes) +
                            '] because "…"'))
                continue
            target = _target_line(ws, pf.path, comment.line, comment.column)
            suppressions.append(Suppression(pf.path, comment.line, target, codes, reason, span))
    return suppressions, problems


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
    for s in suppressions:
        if not s.used:
            problems.append(Diagnostic(
                "PL902", f"this suppression of {', '.join(s.codes)} matches no finding on line {s.target}",
                s.span, hint="remove it (the finding it was for is gone), or move it to the line before the finding",
                policy_id=_policy_of(ws, s.path),
                message_zh=f"这条针对 {'、'.join(s.codes)} 的忽略指令在第 {s.target} 行没有对应的问题",
                hint_zh="请删除它（它原先针对的问题已经不存在），或把它移到该问题所在行的上一行"))
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
