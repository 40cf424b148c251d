"""Diagnostics: stable codes, located messages, and their renderings.

Every problem policylang finds in a policy is a Diagnostic; nothing else is
shown to a policy author. Codes are stable: tools and suppressions refer to them.
"""

from __future__ import annotations

import json
import os
import sys
import re
import unicodedata
from typing import Iterable, Optional

import attrs

from .span import Span

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)
_RANK = {ERROR: 0, WARNING: 1, INFO: 2}


@attrs.frozen(slots=True)
class Code:
    code: str
    severity: str
    title: str  # short English title
    title_zh: str  # short Chinese title, shown to authors beside the code


# The registry of every diagnostic code. Append only; never renumber.
# PL0xx files and input, PL1xx syntax, PL2xx names and types, PL3xx inheritance
# and overrides, PL4xx decision logic (tables, cases, schedules, requirements),
# PL5xx dates, PL6xx examples, PL9xx configuration and suppression.
CODES: dict[str, Code] = {}


def _code(code: str, severity: str, title: str, title_zh: str) -> None:
    CODES[code] = Code(code, severity, title, title_zh)


_code("PL001", ERROR, "file cannot be read", "文件无法读取")
_code("PL002", ERROR, "file is not valid UTF-8 text", "文件不是有效的 UTF-8 文本")
_code("PL003", ERROR, "file is empty", "文件为空")
_code("PL004", ERROR, "policy id is not valid", "政策编号无效")
_code("PL101", ERROR, "syntax error", "语法错误")
_code("PL102", ERROR, "declaration ends before it is complete", "声明不完整")
_code("PL103", ERROR, "unknown keyword", "未知关键字")
_code("PL104", ERROR, "expression nested too deeply", "表达式嵌套过深")
_code("PL105", ERROR, "invalid literal", "字面值无效")
_code("PL106", ERROR, "duplicate header line", "文件头重复")
_code("PL107", ERROR, "missing header line", "缺少文件头")
_code("PL108", ERROR, "unknown level", "未知层级")
_code("PL109", ERROR, "duplicate declaration", "重复声明")
_code("PL110", ERROR, "invalid character", "非法字符")
_code("PL111", ERROR, "label, article or note given twice", "说明信息重复")
_code("PL113", WARNING, "invisible or control character in the file", "文件中有不可见字符或控制字符")
_code("PL114", WARNING, "name written in a compatibility form", "名称使用了兼容写法")
_code("PL115", WARNING, "name mixes lookalike alphabets", "名称混用了形近的字母表")
_code("PL112", ERROR, "unknown status", "未知的文件状态")
_code("PL201", ERROR, "unknown name", "未知名称")
_code("PL202", ERROR, "unknown type", "未知类型")
_code("PL203", ERROR, "type mismatch", "类型不匹配")
_code("PL204", ERROR, "comparison of unlike types", "比较的类型不一致")
_code("PL205", ERROR, "percent outside 0-100%", "百分比超出 0–100% 范围")
_code("PL206", ERROR, "money with more than two decimals", "金额超过两位小数")
_code("PL207", WARNING, "unused input or parameter", "未使用的输入或参数")
_code("PL208", ERROR, "unknown function or wrong arguments", "未知函数或参数错误")
_code("PL209", ERROR, "circular definition", "循环定义")
_code("PL210", ERROR, "ambiguous name", "名称有歧义")
_code("PL213", ERROR, "percent range (up to) misplaced", "百分比范围（可达）用错")
_code("PL214", ERROR, "negative count, amount or percentage", "数量、金额或百分比为负")
_code("PL212", ERROR, "parameter value must be a constant", "参数值必须是常量")
_code("PL230", ERROR, "keyed parameter written wrongly", "分类参数写法有误")
_code("PL231", ERROR, "list, record or aggregate written wrongly", "列表、记录或汇总写法有误")
_code("PL240", ERROR, "calendar year written wrongly", "节假日安排写法有误")
_code("PL301", ERROR, "unknown parent policy", "上级政策不存在")
_code("PL302", ERROR, "inheritance cycle", "继承循环")
_code("PL303", ERROR, "level does not sit below its parent", "层级不低于上级")
_code("PL304", ERROR, "floor lowered", "下限被降低")
_code("PL305", ERROR, "ceiling raised", "上限被提高")
_code("PL306", ERROR, "fixed rule changed", "固定规则被修改")
_code("PL307", ERROR, "redefinition without override", "未声明“覆盖”的重定义")
_code("PL308", ERROR, "override of nothing inherited", "override 的项目并未继承")
_code("PL309", ERROR, "statement kind changed", "条款性质被改变")
_code("PL310", ERROR, "type changed by override", "override 改变了类型")
_code("PL311", ERROR, "provision weakened", "义务性条款被削弱")
_code("PL312", WARNING, "delegated blank left unfilled", "授权事项未填写")
_code("PL325", ERROR, "compulsory blank left unfilled", "必填的授权事项未填写")
_code("PL313", ERROR, "value outside its bound", "取值超出限定范围")
_code("PL314", ERROR, "unknown cross-referenced policy", "引用的政策不存在")
_code("PL315", ERROR, "kind of item changed", "项目种类被改变")
_code("PL316", INFO, "check skipped: bound not yet known", "约束暂无法检查")
_code("PL317", ERROR, "bound rule loosened", "受约束的规则被放宽")
_code("PL318", WARNING, "bound could not be proved", "无法证明是否符合上级约束")
_code("PL319", WARNING, "provision text or actors changed", "条款文字或主体被改动")
_code("PL320", WARNING, "unused cross-reference", "未使用的引用")
_code("PL321", ERROR, "cross-reference name already stands for another policy", "引用名称已指向其他政策")
_code("PL322", WARNING, "departure from an in-principle rule, with its reason", "偏离“原则上”规定（已说明理由）")
_code("PL323", ERROR, "extends chain too deep", "继承链过深")
_code("PL340", ERROR, "amending notice written wrongly", "修订通知写法有误")
_code("PL341", ERROR, "two amendments change the same item on the same day", "两项修订在同一天修改同一事项")
_code("PL401", ERROR, "overlapping rows or cases", "规则重叠")
_code("PL402", WARNING, "gap: inputs no row or case covers", "规则未覆盖的情形")
_code("PL403", ERROR, "table row does not match its columns", "表格行与列不一致")
_code("PL404", ERROR, "schedule misses its deadline", "过渡安排未按期达标")
_code("PL405", ERROR, "schedule entries out of order", "过渡安排日期顺序错误")
_code("PL406", WARNING, "requirement can be violated", "要求可能不被满足")
_code("PL407", ERROR, "requirement contradicts the parent's", "要求与上级矛盾")
_code("PL408", ERROR, "schedule of an unknown parameter", "过渡安排对应的参数不存在")
_code("PL501", ERROR, "effective before the parent policy", "生效日期早于上级政策")
_code("PL502", ERROR, "end date before start date", "失效日期早于生效日期")
_code("PL503", WARNING, "working days counted outside the calendar's years", "工作日超出日历覆盖的年份")
_code("PL601", ERROR, "example expectation failed", "示例结果不符")
_code("PL602", ERROR, "example names an unknown input or decision", "示例引用了未知名称")
_code("PL901", ERROR, "suppression without a reason", "忽略指令缺少理由")
_code("PL902", WARNING, "unused suppression", "未使用的忽略指令")
_code("PL903", ERROR, "invalid configuration", "配置无效")
_code("PL904", WARNING, "binding finding cannot be lowered by configuration", "约束类问题不能通过配置降级")
_code("PL990", ERROR, "internal error in a check", "检查程序内部错误")

# Findings that say a lower level breaks a binding rule of a level above it. Configuration
# cannot lower them below error (PL904 says so); an in-line `ignore` with its reason can,
# and every such suppression is listed in the check summary and on the policy's pages.
BINDING_CODES = frozenset({"PL304", "PL305", "PL306", "PL311", "PL313", "PL317"})
# A check that raised: reported with this code and exit status 2, never as "ok".
INTERNAL_ERROR_CODE = "PL990"


# The languages findings can be written in. Every message has English; most also have
# Chinese (message_zh), for policy authors; where it is missing, the English is shown.
LANGUAGES = ("en", "zh")


def in_language(english: Optional[str], chinese: Optional[str], lang: str) -> Optional[str]:
    return chinese if lang == "zh" and chinese else english


@attrs.frozen(slots=True)
class Related:
    """Another place that explains a diagnostic, typically the parent rule a child violates."""

    span: Span
    message: str
    message_zh: Optional[str] = None

    def text(self, lang: str = "en") -> str:
        return in_language(self.message, self.message_zh, lang)


@attrs.frozen(slots=True)
class Diagnostic:
    code: str
    message: str
    span: Optional[Span]
    severity: str = ""
    hint: Optional[str] = None
    related: tuple[Related, ...] = ()
    policy_id: Optional[str] = None
    message_zh: Optional[str] = None  # the message in Chinese, for policy authors
    hint_zh: Optional[str] = None

    def __attrs_post_init__(self):
        if not self.severity:
            object.__setattr__(self, "severity", CODES[self.code].severity if self.code in CODES else ERROR)

    @property
    def title(self) -> str:
        entry = CODES.get(self.code)
        return entry.title if entry else ""

    @property
    def title_zh(self) -> str:
        entry = CODES.get(self.code)
        return entry.title_zh if entry else ""

    def text(self, lang: str = "en") -> str:
        """The message in lang (English where it has no translation)."""
        return in_language(self.message, self.message_zh, lang)

    def hint_text(self, lang: str = "en") -> Optional[str]:
        return in_language(self.hint, self.hint_zh, lang)

    def sort_key(self):
        span = self.span
        if span is None:
            return ("", 0, 0, self.code, self.message)
        return (span.file, span.line, span.column, self.code, self.message)

    def to_dict(self) -> dict:
        out = {
            "code": self.code,
            "severity": self.severity,
            "title": self.title,
            "title_zh": self.title_zh,
            "message": self.message,
            "message_zh": self.message_zh,
            "hint": self.hint,
            "hint_zh": self.hint_zh,
            "policy": self.policy_id,
            "url": help_url(self.code) if self.code in CODES else None,
            "location": _span_dict(self.span),
            "related": [{"message": r.message, "message_zh": r.message_zh, "location": _span_dict(r.span)}
                        for r in self.related],
        }
        return out


@attrs.frozen(slots=True)
class Suppressed:
    """A finding an in-line `# policylang: ignore[CODE] because "…"` suppressed: kept, not dropped,
    so that the outputs can list it (every suppressed binding finding must be visible)."""

    diagnostic: Diagnostic
    reason: str
    span: Span  # the suppression comment

    @property
    def code(self) -> str:
        return self.diagnostic.code

    @property
    def policy_id(self) -> Optional[str]:
        return self.diagnostic.policy_id

    @property
    def binding(self) -> bool:
        """A lower level breaking a binding rule of a level above (BINDING_CODES)."""
        return self.diagnostic.code in BINDING_CODES

    def to_dict(self) -> dict:
        out = self.diagnostic.to_dict()
        out.update(binding=self.binding, reason=self.reason, suppression=_span_dict(self.span))
        return out


def _span_dict(span: Optional[Span]):
    if span is None:
        return None
    return {
        "file": span.file,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    unique = {}
    for d in diags:
        key = (d.code, d.message, d.span, d.related)
        unique.setdefault(key, d)
    return sorted(unique.values(), key=Diagnostic.sort_key)


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.severity == ERROR for d in diags)


# ---------------------------------------------------------------- sources


def source_lines(text: str) -> list[str]:
    """The lines of a policy file as the parser and editors number them: split at line feeds only
    (a form feed, NEL, or file separator inside a text does not start a line), '\r' of CRLF dropped."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def hidden_character(ch: str) -> bool:
    """A character that acts on a terminal (a control character) or on the order and look of what is
    shown (a bidirectional or zero-width character), without being seen: a finding in policy text."""
    return ch in _INVISIBLE or unicodedata.category(ch) == "Cc"


def printable(text: str) -> str:
    """Text safe to show on a terminal: control characters (ESC, BEL…), bidirectional and
    invisible format characters, and lone surrogates written as \\uXXXX escapes instead of
    acting on the terminal or reordering what is read (Trojan Source)."""
    if text.isprintable() and not any(ch in _INVISIBLE for ch in text):
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _INVISIBLE or unicodedata.category(ch) in _HIDDEN_CATEGORIES:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_surrogates(text: str) -> str:
    """Text that UTF-8 can carry: each lone surrogate (from a file name that is not UTF-8, or a
    "\\ud800" in a case file) written as its \\uXXXX escape. In JSON this is the escape of the same
    string; in XML and workflow annotations it reads as printable() shows it."""
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _LONE_SURROGATE.search(text) else text


# Controls, format characters, surrogates, line and paragraph separators; spaces (a full-width
# 　 included) stay as they are.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Format characters that change how text is shown without being seen: bidirectional embeddings,
# overrides and isolates, marks, zero-width characters and the byte-order mark.
_INVISIBLE = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
                       "\u200b\u200c\u200d\u2060\ufeff")


class SourceCache:
    """The text of every file a diagnostic may point into, read at most once."""

    def __init__(self):
        self._lines: dict[str, list[str]] = {}

    def add(self, path: str, text: str) -> None:
        self._lines[path] = source_lines(text)

    def line(self, path: str, number: int) -> Optional[str]:
        lines = self._lines.get(path)
        if lines is None:
            try:
                with open(path, "rb") as fh:
                    lines = source_lines(fh.read().decode("utf-8", errors="replace"))
            except OSError:
                lines = []
            self._lines[path] = lines
        if 1 <= number <= len(lines):
            return lines[number - 1]
        return None


def display_width(text: str) -> int:
    """Terminal columns: CJK characters are two columns wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# ---------------------------------------------------------------- renderers


_COLOURS = {ERROR: "\033[1;31m", WARNING: "\033[1;33m", INFO: "\033[1;36m"}
_BOLD = "\033[1m"
_BLUE = "\033[1;34m"
_RESET = "\033[0m"


def _display_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _snippet(span: Span, sources: SourceCache, colour: bool, marker: str = "^") -> list[str]:
    text = sources.line(span.file, span.line)
    if text is None:
        return []
    text = text.replace("\t", "    ")  # a tab is never more than one column in the spans here
    gutter = str(span.line)
    pad = " " * len(gutter)
    start = max(span.column - 1, 0)
    if span.end_line == span.line:
        end = max(span.end_column - 1, start + 1)
    else:
        end = len(text)
    end = max(end, start + 1)
    if len(text) > 160:  # show a window around the span, not a whole generated line
        cut = max(0, start - 60)
        tail = min(len(text), start + 100)
        text = ("…" if cut else "") + text[cut:tail] + ("…" if tail < len(text) else "")
        shift = cut - (1 if cut else 0)
        start, end = start - shift, min(end - shift, len(text))
    # What is shown is made printable piece by piece, so the caret still sits under the span.
    before, inside, after = printable(text[:start]), printable(text[start:end]), printable(text[end:])
    text = before + inside + after
    lead = display_width(before)
    width = max(display_width(inside), 1)
    caret = " " * lead + marker * width
    blue = _BLUE if colour else ""
    reset = _RESET if colour else ""
    return [
        f"{pad} {blue}|{reset}",
        f"{blue}{gutter} |{reset} {text}",
        f"{pad} {blue}|{reset} {caret}",
    ]


_WORDS = {
    "en": {ERROR: "error", WARNING: "warning", INFO: "info", "note": "note", "help": "help", "colon": ": ",
           "see": "see"},
    "zh": {ERROR: "错误", WARNING: "警告", INFO: "提示", "note": "说明", "help": "建议", "colon": "：",
           "see": "详见"},
}


def render_text(diags: Iterable[Diagnostic], sources: SourceCache, colour: bool = False, lang: str = "en") -> str:
    words = _WORDS.get(lang, _WORDS["en"])
    colon = words["colon"]
    out: list[str] = []
    for d in diags:
        sev_colour = _COLOURS.get(d.severity, "") if colour else ""
        bold = _BOLD if colour else ""
        reset = _RESET if colour else ""
        title_zh = f" {d.title_zh}" if d.title_zh else ""
        severity = words.get(d.severity, d.severity)
        out.append(f"{sev_colour}{severity}[{d.code}]{reset}{bold}{title_zh}{colon}{printable(d.text(lang))}{reset}")
        if d.span is not None:
            out.append(f"  --> {printable(_display_path(d.span.file))}:{d.span.line}:{d.span.column}")
            out.extend(_snippet(d.span, sources, colour))
        for rel in d.related:
            out.append(f"  {words['note']}{colon}{printable(rel.text(lang))}")
            if rel.span is not None and rel.span.line > 0:
                out.append(f"  --> {printable(_display_path(rel.span.file))}:{rel.span.line}:{rel.span.column}")
                out.extend(_snippet(rel.span, sources, colour, marker="-"))
        hint = d.hint_text(lang)
        url = help_url(d.code) if d.code in CODES else None
        if hint:
            more = "" if url is None else (f"（详见 {url}）" if lang == "zh" else f" (see {url})")
            out.append(f"  {words['help']}{colon}{printable(hint)}{more}")
        elif url is not None:
            out.append(f"  {words['see']}{colon}{url}")
        out.append("")
    return "\n".join(out)


def help_url(code: str) -> str:
    """Where the page explaining a code is (codes_help.py)."""
    from .codes_help import help_url as url

    return url(code)


def render_suppressed(suppressed: Iterable["Suppressed"], lang: str = "en") -> str:
    """The text list of suppressed binding findings that follows the findings (empty when none):

        suppressed binding findings (1):
          policies/cn/gd/shantou/stent-2020.policy:11 PL304 下限被降低 — 本市……
    """
    binding = [s for s in suppressed if s.binding]
    if not binding:
        return ""
    if lang == "zh":
        lines = [f"已忽略的约束类问题（{len(binding)} 项）："]
    else:
        lines = [f"suppressed binding findings ({len(binding)}):"]
    for s in binding:
        d = s.diagnostic
        where = f"{_display_path(d.span.file)}:{d.span.line}" if d.span is not None else "?"
        title = f" {d.title_zh}" if d.title_zh else ""
        lines.append(f"  {where} {d.code}{title}——理由：{s.reason}" if lang == "zh"
                     else f"  {where} {d.code}{title} — {s.reason}")
    return "\n".join(lines) + "\n"


def render_json(diags: Iterable[Diagnostic], suppressed: Iterable["Suppressed"] = (),
                root: Optional[str] = None) -> str:
    """Findings as JSON; `suppressed` lists what in-line suppressions suppressed (each with
    "binding", "reason" and the "suppression" comment's location). With root, file paths are
    relative to it (with '/'; a file outside it keeps its absolute path) and "root" says which
    folder that is."""
    diags = list(diags)
    suppressed = list(suppressed)
    summary = summary_counts(diags)
    summary["suppressed"] = len(suppressed)
    summary["suppressed_binding"] = sum(1 for s in suppressed if s.binding)
    payload = {
        "version": 1,
        "summary": summary,
        "diagnostics": [d.to_dict() for d in diags],
        "suppressed": [s.to_dict() for s in suppressed],
    }
    if root is not None:
        from .junit import relative_path

        payload = {"version": 1, "root": os.path.abspath(root), **{k: v for k, v in payload.items() if k != "version"}}
        for item in payload["diagnostics"] + payload["suppressed"]:
            for loc in [item.get("location"), item.get("suppression")] + [r["location"] for r in item["related"]]:
                if loc is not None:
                    loc["file"] = relative_path(loc["file"], root)
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _github_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _github_props(d: Diagnostic, title: str) -> list[str]:
    props = []
    if d.span is not None:
        props.append(f"file={_github_escape(_display_path(d.span.file), True)}")
        props.append(f"line={d.span.line}")
        props.append(f"col={d.span.column}")
        if d.span.end_line:
            props.append(f"endLine={d.span.end_line}")
        if d.span.end_line == d.span.line and d.span.end_column:
            props.append(f"endColumn={d.span.end_column}")
    props.append(f"title={_github_escape(title, True)}")
    return props


def render_github(diags: Iterable[Diagnostic], lang: str = "en", suppressed: Iterable["Suppressed"] = ()) -> str:
    """GitHub Actions workflow commands: one annotation per diagnostic, and a notice for each
    suppressed binding finding (so that a review sees it)."""
    kinds = {ERROR: "error", WARNING: "warning", INFO: "notice"}
    lines = []
    for d in diags:
        title = d.title_zh if lang == "zh" and d.title_zh else d.title
        props = _github_props(d, d.code + " " + title)
        message = d.text(lang)
        for rel in d.related:
            if rel.span is not None:
                message += f"\n{rel.text(lang)} ({_display_path(rel.span.file)}:{rel.span.line}:{rel.span.column})"
        hint = d.hint_text(lang)
        if hint:
            message += f"\n{_WORDS.get(lang, _WORDS['en'])['help']}: {hint}"
        lines.append(f"::{kinds.get(d.severity, 'error')} {','.join(props)}::{_github_escape(message)}")
    for s in suppressed:
        if not s.binding:
            continue
        d = s.diagnostic
        title = d.title_zh if lang == "zh" and d.title_zh else d.title
        if lang == "zh":
            head, message = f"{d.code} {title}（已忽略）", f"已忽略：{d.text(lang)}\n理由：{s.reason}"
        else:
            head, message = f"{d.code} {title} (suppressed)", f"suppressed: {d.text(lang)}\nreason: {s.reason}"
        lines.append(f"::notice {','.join(_github_props(d, head))}::{_github_escape(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def summary_counts(diags: Iterable[Diagnostic]) -> dict:
    counts = {ERROR: 0, WARNING: 0, INFO: 0}
    for d in diags:
        counts[d.severity] = counts.get(d.severity, 0) + 1
    return counts


def internal_error_count(diags: Iterable[Diagnostic]) -> int:
    """How many checks failed inside policylang (PL990): the findings are then incomplete."""
    return sum(1 for d in diags if d.code == INTERNAL_ERROR_CODE)


def render_digest(diags: list[Diagnostic], lang: str = "en", limit: int = 3) -> str:
    """Findings counted by code, for a run whose reader wants the gist (`build`): one line per code,
    most serious first, with the policies it concerns ('warning PL312 授权事项未填写 ×3:
    cn/gd/chaozhou/stent-2020, cn/nm/spine-2023'), then where to see them in full."""
    if not diags:
        return ""
    groups: dict[tuple[str, str], list[Diagnostic]] = {}
    for d in diags:
        groups.setdefault((d.severity, d.code), []).append(d)
    rank = {ERROR: 0, WARNING: 1, INFO: 2}
    words = {ERROR: "错误", WARNING: "警告", INFO: "提示"} if lang == "zh" else {}
    lines = []
    for (severity, code), found in sorted(groups.items(), key=lambda kv: (rank.get(kv[0][0], 3), kv[0][1])):
        title = (found[0].title_zh if lang == "zh" else found[0].title) or ""
        policies = list(dict.fromkeys(d.policy_id or (d.span.file if d.span else "") for d in found))
        shown = ("、" if lang == "zh" else ", ").join(p for p in policies[:limit] if p)
        if len(policies) > limit:
            shown += f" (+{len(policies) - limit})" if lang != "zh" else f"（另 {len(policies) - limit} 项）"
        sep = "：" if lang == "zh" else ": "
        lines.append(f"  {words.get(severity, severity)} {code} {title} ×{len(found)}{sep if shown else ''}{shown}")
    tail = ("每条的位置和说明：policylang check（或加 --verbose）" if lang == "zh"
            else "each in full, with its place and explanation: policylang check (or --verbose)")
    return "\n".join(lines + [f"  {tail}"]) + "\n"


def summary_line(diags: list[Diagnostic], files: int, lang: str = "en", suppressed: Iterable["Suppressed"] = ()) -> str:
    """'ok: 6 policies checked, 0 errors, 5 warnings, 1 info'; 'failed: …' when there are errors;
    'internal error: …' when a check failed inside policylang (never 'ok' then). Suppressed
    binding findings are counted at the end ('…, 1 binding finding suppressed')."""
    c = summary_counts(diags)
    internal = internal_error_count(diags)
    binding = sum(1 for s in suppressed if s.binding)
    if lang == "zh":
        parts = [f"{c[ERROR]} 个错误", f"{c[WARNING]} 个警告"] + ([f"{c[INFO]} 条提示"] if c[INFO] else [])
        if binding:
            parts.append(f"已忽略 {binding} 个约束类问题")
        if internal:
            verdict = "内部错误"
            tail = f"——policylang 的检查程序有 {internal} 处出错（PL990），检查结果不完整，请报告此问题"
        else:
            verdict = "未通过" if c[ERROR] else "通过"
            tail = ""
        return f"{verdict}：检查了 {files} 项政策，" + "，".join(parts) + tail
    parts = [f"{c[ERROR]} error{'s' if c[ERROR] != 1 else ''}", f"{c[WARNING]} warning{'s' if c[WARNING] != 1 else ''}"]
    if c[INFO]:
        parts.append(f"{c[INFO]} info")
    if binding:
        parts.append(f"{binding} binding finding{'s' if binding != 1 else ''} suppressed")
    if internal:
        verdict = "internal error"
        tail = (f" — {internal} check{'s' if internal != 1 else ''} failed inside policylang (PL990), so these "
                "results are incomplete; please report it")
    else:
        verdict = "failed" if c[ERROR] else "ok"
        tail = ""
    return f"{verdict}: {files} polic{'ies' if files != 1 else 'y'} checked, " + ", ".join(parts) + tail


def use_colour(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()
