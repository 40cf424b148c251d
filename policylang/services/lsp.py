"""`policylang lsp`: a language server for policy files (pygls, over standard input and output).

- Diagnostics as a file changes: the tree holding the document is checked by the same pipeline
  as `policylang check` (pipeline.check), with the text of every open document read in place
  of its file on disk (syntax.files.overlay), so the on-disk cache is reused and stays right.
  Findings are written in the configured language (--lang, $POLICYLANG_LANG, pyproject), and
  the places that explain them (the parent's rule) come as relatedInformation.
- Hover on a name: its label, kind and type, the value in force, the level and article that set
  it and how each level of the chain changed it (semantics/explain.py, as `policylang explain`).
- Go to definition: the declaration in force and, for an override, the parent's rule; on an
  `extends` or `uses` line, the policy named.
- Completion: keywords, names in scope (the inherited ones too), enum members, units (both forms).
- Formatting: syntax/formatter.py's `format_source`, as `policylang fmt`.

A request never fails on what the author typed: a document that does not parse is answered
from the last analysis in which its policy resolved, or not at all.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
from typing import Optional
from urllib.parse import unquote, urlparse

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path

from .. import __version__
from ..config import output_language
from ..diagnostics import ERROR, INFO, WARNING, Diagnostic
from ..semantics.loader import find_root
from ..syntax.ast import Span
from ..syntax.parser import POLICY_SUFFIX, TOP_KEYWORDS, policy_id_for

log = logging.getLogger(__name__)

# How long the author may pause before a change is checked (a check per keystroke is wasted work).
DEBOUNCE_SECONDS = 0.25

# Keywords after the top-level ones: statements, meta, expressions, provisions, examples.
OTHER_KEYWORDS = (
    "fixed", "floor", "ceiling", "default", "delegated", "to", "at", "least", "most", "in principle",
    "article", "note", "because", "optional", "when", "then", "otherwise", "columns", "row", "from",
    "by", "as_of", "given", "expect", "needs", "must", "may", "should", "not", "if", "else", "and",
    "or", "in", "true", "false", "none", "as", "holiday", "workday",
)
# Units as written in English and in Chinese (grammar.lark `unit`), and round()'s options.
UNITS = (("yuan", "元"), ("元", "yuan"), ("day", "天"), ("days", "天"), ("天", "days"), ("month", "个月"),
         ("months", "个月"), ("个月", "months"), ("year", "年"), ("years", "年"), ("年", "years"),
         ("working", "个工作日"), ("个工作日", "working days"), ("工作日", "working days"))
ROUND_OPTIONS = ("fen", "jiao", "yuan", "unit", "half_up", "half_even", "up", "down")
TYPES = ("money", "percent", "decimal", "count", "bool", "date", "text", "duration")
KEYWORD_ZH = {
    "policy": "政策标题", "level": "层级", "region": "地区", "issuer": "发文机关", "document": "文号",
    "issued": "发文日期", "effective": "生效日期", "ends": "失效日期", "extends": "上级政策",
    "uses": "引用政策", "summary": "摘要", "status": "状态", "override": "覆盖上级规定", "enum": "枚举",
    "calendar": "节假日安排（工作日日历的一年）", "holiday": "放假", "workday": "调休上班",
    "input": "输入", "param": "参数", "decision": "决策", "table": "决策表", "schedule": "过渡安排",
    "require": "要求", "example": "示例", "provision": "条款", "fixed": "固定", "floor": "下限",
    "ceiling": "上限", "default": "默认值", "delegated": "授权下级", "in principle": "原则上",
    "article": "条款号", "note": "说明", "because": "理由", "optional": "可选", "when": "当",
    "then": "则", "otherwise": "否则", "must": "必须", "may": "可以", "should": "应当",
}

_WORD = re.compile(r"[^\W\d]\w*|\d\w*")
_POLICY_REF = re.compile(r"^\s*(extends|uses)\s+([a-z0-9_][a-z0-9_\-/]*)")

# The parser is not safe to run in two threads at once: checks, resolutions and formatting take turns.
_WORK = threading.RLock()


def _exclusive(fn, *args):
    with _WORK:
        return fn(*args)


SEVERITY = {ERROR: T.DiagnosticSeverity.Error, WARNING: T.DiagnosticSeverity.Warning,
            INFO: T.DiagnosticSeverity.Information}


# ---------------------------------------------------------------- positions


def uri_to_path(uri: str) -> Optional[str]:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return os.path.abspath(unquote(parsed.path))


def path_to_uri(path: str) -> str:
    return from_fs_path(os.path.abspath(path)) or "file://" + os.path.abspath(path)


def _utf16(line: str, column: int) -> int:
    """A 0-based character column as UTF-16 code units (what LSP positions count)."""
    head = line[:column]
    return column + sum(1 for ch in head if ord(ch) > 0xFFFF)


def _from_utf16(line: str, units: int) -> int:
    """UTF-16 code units as a 0-based character column."""
    count = 0
    for index, ch in enumerate(line):
        if count >= units:
            return index
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


class Lines:
    """The lines of a file, for converting columns (its open text, else what is on disk)."""

    def __init__(self, texts: dict[str, str]):
        self.texts = texts
        self.cache: dict[str, list[str]] = {}

    def get(self, path: str) -> list[str]:
        lines = self.cache.get(path)
        if lines is None:
            text = self.texts.get(path)
            if text is None:
                try:
                    with open(path, encoding="utf-8", errors="replace") as fh:
                        text = fh.read()
                except OSError:
                    text = ""
            lines = self.cache[path] = text.split("\n")
        return lines

    def position(self, path: str, line: int, column: int) -> T.Position:
        """A 1-based (line, column) of a Span as an LSP position."""
        lines = self.get(path)
        row = max(line - 1, 0)
        text = lines[row] if row < len(lines) else ""
        return T.Position(line=row, character=_utf16(text, max(column - 1, 0)))

    def range(self, span: Span) -> T.Range:
        start = self.position(span.file, span.line, span.column)
        if span.end_line > span.line or (span.end_line == span.line and span.end_column > span.column):
            end = self.position(span.file, span.end_line, span.end_column)
        else:
            end = T.Position(line=start.line, character=start.character + 1)
        return T.Range(start=start, end=end)


def to_lsp(diag: Diagnostic, lines: Lines, lang: str) -> T.Diagnostic:
    message = diag.text(lang)
    hint = diag.hint_text(lang)
    if hint:
        message += ("\n提示：" if lang == "zh" else "\nhint: ") + hint
    related = [T.DiagnosticRelatedInformation(location=T.Location(uri=path_to_uri(r.span.file),
                                                                  range=lines.range(r.span)),
                                              message=r.text(lang))
               for r in diag.related if r.span is not None and r.span.line > 0]
    return T.Diagnostic(range=lines.range(diag.span), message=message, severity=SEVERITY.get(diag.severity),
                        code=diag.code, source="policylang", related_information=related or None)


# ---------------------------------------------------------------- one analysis of a tree


class Analysis:
    """A checked tree as it stood with the open documents' text: findings, and (on first use) the
    resolution and parsed files, built under the same text."""

    def __init__(self, root: str, texts: dict[str, str], run, lang: str):
        self.root = root
        self.texts = texts
        self.run = run
        self.lang = lang
        self._resolution = None
        self._lock = threading.Lock()

    @property
    def resolution(self):
        from ..syntax.files import overlay

        with self._lock, _WORK:
            if self._resolution is None:
                with overlay(self.texts):
                    self._resolution = self.run.resolution
                    self.run.workspace.files  # noqa: B018 - read under the same text
            return self._resolution

    def policy(self, policy_id: Optional[str]):
        if policy_id is None:
            return None
        try:
            return self.resolution.policies.get(policy_id)
        except Exception:  # noqa: BLE001 - a tree that cannot be resolved has no answers
            log.exception("resolving %s failed", self.root)
            return None


def analyse(root: str, texts: dict[str, str], lang_choice: Optional[str]) -> Analysis:
    from ..pipeline import check
    from ..syntax.files import overlay

    with _WORK, overlay(texts):
        run = check([root], root, progress=False)
    return Analysis(root, texts, run, output_language(root, lang_choice))


# ---------------------------------------------------------------- the server


class PolicyServer(LanguageServer):
    def __init__(self, lang: Optional[str] = None):
        super().__init__("policylang", __version__, text_document_sync_kind=T.TextDocumentSyncKind.Incremental)
        self.lang_choice = lang
        self.analyses: dict[str, Analysis] = {}  # tree root -> its latest analysis
        self.resolved: dict[str, object] = {}  # policy id (per root) -> the last policy that resolved
        self.published: dict[str, set[str]] = {}  # tree root -> uris given diagnostics
        self.pending: dict[str, asyncio.Task] = {}

    # -- documents

    def open_texts(self, root: str) -> dict[str, str]:
        texts = {}
        for uri, doc in list(self.workspace.text_documents.items()):
            path = uri_to_path(uri)
            if path and path.endswith(POLICY_SUFFIX) and path.startswith(root + os.sep):
                texts[path] = doc.source
        return texts

    def document(self, uri: str) -> tuple[Optional[str], str]:
        doc = self.workspace.get_text_document(uri)
        return uri_to_path(uri), doc.source

    # -- checking

    def schedule(self, uri: str, delay: float = DEBOUNCE_SECONDS) -> None:
        path = uri_to_path(uri)
        if path is None or not path.endswith(POLICY_SUFFIX):
            return
        root = find_root(path)
        previous = self.pending.get(root)
        if previous is not None and not previous.done():
            previous.cancel()
        self.pending[root] = asyncio.get_event_loop().create_task(self._check_later(root, delay))

    async def _check_later(self, root: str, delay: float) -> None:
        await asyncio.sleep(delay)
        texts = self.open_texts(root)
        try:
            analysis = await asyncio.to_thread(analyse, root, texts, self.lang_choice)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the author's tree must never stop the server
            log.exception("checking %s failed", root)
            self.window_log_message(T.LogMessageParams(type=T.MessageType.Error,
                                                       message=f"policylang: checking {root} failed: {exc}"))
            return
        self.analyses[root] = analysis
        self.publish(analysis)

    def publish(self, analysis: Analysis) -> None:
        lines = Lines(analysis.texts)
        by_uri: dict[str, list[T.Diagnostic]] = {}
        for diag in analysis.run.diagnostics:
            if diag.span is None or diag.span.line <= 0 or not diag.span.file.endswith(POLICY_SUFFIX):
                continue
            by_uri.setdefault(path_to_uri(diag.span.file), []).append(to_lsp(diag, lines, analysis.lang))
        for uri in analysis.texts:
            by_uri.setdefault(path_to_uri(uri), [])
        before = self.published.get(analysis.root, set())
        for uri in before - set(by_uri):
            by_uri[uri] = []
        for uri, diags in by_uri.items():
            self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=diags))
        self.published[analysis.root] = {uri for uri, diags in by_uri.items() if diags}

    # -- what a position names

    def analysis_for(self, path: str) -> Optional[Analysis]:
        return self.analyses.get(find_root(path))

    def policy_at(self, path: str):
        """(analysis, the resolved policy of the file), the last one that resolved when the file
        has errors now."""
        analysis = self.analysis_for(path)
        if analysis is None:
            return None, None
        pid = policy_id_for(path, analysis.root)
        key = f"{analysis.root}\0{pid}"
        policy = analysis.policy(pid)
        if policy is not None and not policy.has_errors:
            self.resolved[key] = policy
        return analysis, policy or self.resolved.get(key)


def word_at(line: str, column: int) -> tuple[Optional[str], Optional[str]]:
    """(the name under the cursor, the alias before it when it is written alias.name)."""
    for match in _WORD.finditer(line):
        if match.start() <= column <= match.end():
            before = line[:match.start()]
            alias = re.search(r"([^\W\d]\w*)\.$", before)
            return match.group(0), alias.group(1) if alias else None
    return None, None


def find_name(policy, name: str, alias: Optional[str]):
    """(kind, item) that `name` denotes in the policy, or (None, None)."""
    if alias is not None:
        param = policy.externals.get((alias, name))
        if param is not None:
            return "external", param
        enum = policy.enums.get(alias)
        if enum is not None and name in enum.member_names:
            return "member", enum
    for kind, table in (("decision", policy.decisions), ("param", policy.params), ("input", policy.inputs),
                        ("enum", policy.enums), ("schedule", policy.schedules),
                        ("requirement", policy.requirements), ("provision", policy.provisions)):
        if name in table:
            return kind, table[name]
    for enum in policy.enums.values():
        if name in enum.member_names:
            return "member", enum
    return None, None


LEVEL_ZH = {"national": "国家", "provincial": "省", "municipal": "市", "county": "县"}
ZH_WORDS = {"set": "设定", "tightened": "收紧", "filled": "填写", "replaced": "替换", "restated": "重申",
            "delegated": "授权下级", "loosened": "放宽（违反上级）", "inherited": "沿用",
            "tightened, proved": "收紧（已证明）", "restated, proved": "重申（已证明）", "not proved": "未能证明"}


def hover_text(analysis: Analysis, policy, name: str, alias: Optional[str], lang: str) -> Optional[str]:
    from ..semantics.explain import ExplainError, explain_item

    kind, item = find_name(policy, name, alias)
    if kind is None:
        return None
    zh = lang == "zh"
    if kind == "member":
        label = dict(item.members).get(name)
        head = f"**{label}** `{name}`" if label else f"`{name}`"
        return f"{head}\n\n{'枚举' if zh else 'member of enum'} `{item.name}`" + (
            f"（{item.label}）" if item.label else "")
    if kind == "external":
        binding = policy.bindings.get(alias)
        where = binding.bound if binding is not None else alias
        owner, item_name = where, name
    else:
        owner, item_name = policy.policy_id, name
    try:
        data = explain_item(analysis.resolution, owner, item_name, sources=analysis.run.workspace.sources)
    except ExplainError:
        return None
    except Exception:  # noqa: BLE001 - an answer of less, never a failed request
        log.exception("explain %s %s failed", owner, item_name)
        data = None
    parts = []
    label = item.label
    title = f"**{label}** `{name}`" if label else f"`{name}`"
    typ = getattr(item, "type", None)
    parts.append(f"{title} — {kind}" + (f": `{typ}`" if typ else ""))
    if kind == "external":
        parts.append(("经 `uses` 引用自 " if zh else "read through `uses` from ") + f"`{owner}`")
    if data is not None:
        force = data.get("in_force")
        # Who set it: the lowest level that wrote it (the levels below only inherit it).
        setter = next((e for e in reversed(data.get("chain") or []) if e.get("action") != "inherited"), force)
        if force:
            value = force.get("value")
            statement = force.get("statement")
            shown = " ".join(x for x in (statement, value) if x)
            article = f"（条款 {setter['article']}）" if zh and setter.get("article") else (
                f", article {setter['article']}" if setter.get("article") else "")
            if zh:
                level = LEVEL_ZH.get(setter["level"], setter["level"])
                parts.append(f"现行：{shown or '（未填写）'} —— 由{level}级 `{setter['policy']}`{article}设定")
            else:
                parts.append(f"In force: {shown or '(blank)'} — set at the {setter['level']} level by "
                             f"`{setter['policy']}`{article}")
        if data.get("blank"):
            parts.append("⚠ 尚未填写的授权事项" if zh else "⚠ a delegated blank no level has filled")
        chain = data.get("chain") or []
        if len(chain) > 1 or (chain and chain[0].get("action") != "set"):
            rows = []
            for entry in chain:
                action = entry.get("action") or ""
                action = ZH_WORDS.get(action, action) if zh else action
                value = " ".join(x for x in (entry.get("statement"), entry.get("value")) if x)
                article = f" ({'条款' if zh else 'art.'} {entry['article']})" if entry.get("article") else ""
                mark = " ❌" if entry.get("error") else ""
                level = LEVEL_ZH.get(entry["level"], entry["level"]) if zh else entry["level"]
                rows.append(f"- {level} `{entry['policy']}`: {action}{mark} {value}{article}".rstrip())
            parts.append(("沿继承链：\n" if zh else "Through the chain:\n") + "\n".join(rows))
    note = item.note
    if note:
        parts.append(note)
    return "\n\n".join(parts)


def definitions(analysis: Analysis, policy, path: str, name: str, alias: Optional[str],
                line: int) -> list[T.Location]:
    """The declaration in force, and for an override the definition it overrides (the parent's rule).
    On the name of this file's own override: the parent's rule first."""
    kind, item = find_name(policy, name, alias)
    if kind is None:
        return []
    lines = Lines(analysis.texts)
    origins = list(getattr(item, "history", ()) or ())
    if not origins:
        return []
    if kind == "member":
        decl = item.origin.decl
        member = next((m for m in getattr(decl, "members", ()) if m.name == name), None)
        span = member.span if member is not None else _name_span(item.origin)
        return [T.Location(uri=path_to_uri(span.file), range=lines.range(span))]
    ordered = list(reversed(origins))  # the lowest level first: the definition in force
    own = next((o for o in ordered if os.path.abspath(o.path) == path and _name_span(o).line == line), None)
    if own is not None:
        index = ordered.index(own)
        ordered = ordered[index + 1:] + [own]
    else:
        ordered = ordered[:2]
    out = []
    for origin in ordered:
        span = _name_span(origin)
        location = T.Location(uri=path_to_uri(span.file), range=lines.range(span))
        if location not in out:
            out.append(location)
    return out


def _name_span(origin) -> Span:
    span = getattr(origin.decl, "name_span", None)
    return span if span is not None and span.line > 0 else origin.span


def completions(policy, line_prefix: str) -> list[T.CompletionItem]:
    items: list[T.CompletionItem] = []
    seen: set[str] = set()

    def add(label: str, kind: T.CompletionItemKind, detail: Optional[str] = None,
            documentation: Optional[str] = None) -> None:
        if label in seen:
            return
        seen.add(label)
        items.append(T.CompletionItem(label=label, kind=kind, detail=detail, documentation=documentation))

    dotted = re.search(r"([^\W\d]\w*)\.\w*$", line_prefix)
    if dotted and policy is not None:
        alias = dotted.group(1)
        enum = policy.enums.get(alias)
        if enum is not None:
            for member, label in enum.members:
                add(member, T.CompletionItemKind.EnumMember, label)
        for (used_alias, pname), param in policy.externals.items():
            if used_alias == alias:
                add(pname, T.CompletionItemKind.Field, param.label)
        if items:
            return items
    if policy is not None:
        for kind, table, what in ((T.CompletionItemKind.Variable, policy.inputs, "input"),
                                  (T.CompletionItemKind.Constant, policy.params, "param"),
                                  (T.CompletionItemKind.Function, policy.decisions, "decision"),
                                  (T.CompletionItemKind.Enum, policy.enums, "enum")):
            for name, item in table.items():
                inherited = item.origin.policy_id != policy.policy_id
                detail = " · ".join(x for x in (item.label, what + (" (inherited from " + item.origin.policy_id + ")"
                                                                    if inherited else "")) if x)
                add(name, kind, detail)
        for enum in policy.enums.values():
            for member, label in enum.members:
                add(member, T.CompletionItemKind.EnumMember, " · ".join(x for x in (label, f"{enum.name} member") if x))
        for alias in policy.bindings:
            add(alias, T.CompletionItemKind.Module, f"uses {policy.bindings[alias].bound}")
    for word in TOP_KEYWORDS + OTHER_KEYWORDS:
        add(word, T.CompletionItemKind.Keyword, KEYWORD_ZH.get(word))
    for unit, other in UNITS:
        add(unit, T.CompletionItemKind.Unit, f"unit (= {other})")
    for word in ROUND_OPTIONS:
        add(word, T.CompletionItemKind.EnumMember, "round() option")
    for word in TYPES:
        add(word, T.CompletionItemKind.TypeParameter, "type")
    return items


def create_server(lang: Optional[str] = None) -> PolicyServer:
    server = PolicyServer(lang)

    @server.feature(T.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PolicyServer, params: T.DidOpenTextDocumentParams):
        ls.schedule(params.text_document.uri, delay=0)

    @server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PolicyServer, params: T.DidChangeTextDocumentParams):
        ls.schedule(params.text_document.uri)

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PolicyServer, params: T.DidSaveTextDocumentParams):
        ls.schedule(params.text_document.uri, delay=0)

    @server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PolicyServer, params: T.DidCloseTextDocumentParams):
        ls.schedule(params.text_document.uri, delay=0)  # the file on disk counts again

    def _at(ls: PolicyServer, params):
        path, text = ls.document(params.text_document.uri)
        if path is None:
            return None
        rows = text.split("\n")
        row = params.position.line
        if row >= len(rows):
            return None
        line = rows[row]
        return path, line, _from_utf16(line, params.position.character), row

    @server.feature(T.TEXT_DOCUMENT_HOVER)
    async def hover(ls: PolicyServer, params: T.HoverParams):
        try:
            at = _at(ls, params)
            if at is None:
                return None
            path, line, column, _row = at
            name, alias = word_at(line, column)
            analysis, policy = await asyncio.to_thread(ls.policy_at, path)
            if name is None or policy is None:
                return None
            text = await asyncio.to_thread(hover_text, analysis, policy, name, alias, analysis.lang)
            if text is None:
                return None
            return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=text))
        except Exception:  # noqa: BLE001
            log.exception("hover failed")
            return None

    @server.feature(T.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls: PolicyServer, params: T.DefinitionParams):
        try:
            at = _at(ls, params)
            if at is None:
                return None
            path, line, column, row = at
            analysis, policy = await asyncio.to_thread(ls.policy_at, path)
            if analysis is None:
                return None
            ref = _POLICY_REF.match(line)
            if ref and ref.start(2) <= column <= ref.end(2):
                target = os.path.join(analysis.root, *ref.group(2).split("/")) + POLICY_SUFFIX
                if os.path.isfile(target) or target in analysis.texts:
                    start = T.Position(line=0, character=0)
                    return [T.Location(uri=path_to_uri(target), range=T.Range(start=start, end=start))]
                return None
            name, alias = word_at(line, column)
            if name is None or policy is None:
                return None
            found = await asyncio.to_thread(definitions, analysis, policy, path, name, alias, row + 1)
            return found or None
        except Exception:  # noqa: BLE001
            log.exception("definition failed")
            return None

    @server.feature(T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=["."]))
    async def completion(ls: PolicyServer, params: T.CompletionParams):
        try:
            at = _at(ls, params)
            if at is None:
                return T.CompletionList(is_incomplete=False, items=completions(None, ""))
            path, line, column, _row = at
            _analysis, policy = await asyncio.to_thread(ls.policy_at, path)
            return T.CompletionList(is_incomplete=False, items=completions(policy, line[:column]))
        except Exception:  # noqa: BLE001
            log.exception("completion failed")
            return T.CompletionList(is_incomplete=False, items=[])

    @server.feature(T.TEXT_DOCUMENT_FORMATTING)
    async def formatting(ls: PolicyServer, params: T.DocumentFormattingParams):
        from ..syntax.formatter import format_source

        try:
            path, text = ls.document(params.text_document.uri)
            formatted, _diags = await asyncio.to_thread(_exclusive, format_source, text, path or "<editor>")
        except Exception:  # noqa: BLE001
            log.exception("formatting failed")
            return None
        if formatted is None or formatted == text:
            return []  # text that does not parse is left as it is (its diagnostics say why)
        rows = text.split("\n")
        end = T.Position(line=len(rows) - 1, character=_utf16(rows[-1], len(rows[-1])))
        return [T.TextEdit(range=T.Range(start=T.Position(line=0, character=0), end=end), new_text=formatted)]

    return server


def serve_stdio(lang: Optional[str] = None) -> None:
    create_server(lang).start_io()
