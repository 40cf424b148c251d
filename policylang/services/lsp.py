"""`policylang lsp`: a language server for policy files (pygls, over standard input and output).

- Diagnostics as a file changes: the tree holding the document is checked by the same pipeline
  as `policylang check` (pipeline.check), with the text of every open document read in place
  of its file on disk (syntax.files.overlay), so the on-disk cache is reused and stays right.
  Findings are written in the configured language (--lang, $POLICYLANG_LANG, pyproject), and
  the places that explain them (the parent's rule) come as relatedInformation.
- Hover on a name: its label, kind and type, the value in force, the level and article that set
  it and how each level of the chain changed it (semantics/explain.py, as `policylang explain`).
- Go to definition: the declaration in force and, for an override, the parent's rule; on an
  `extends`, `amends` or `uses` line, the policy named.
- Completion: names in scope (the inherited ones too), enum members, and the words of the language
  (keywords, types, functions, units…, syntax/keywords.py) in the file's keyword language: the
  Chinese forms in a file written with them, the English in an English one, both when it mixes
  them or is empty.
- Formatting: syntax/formatter.py's `format_source`, as `policylang fmt`.
- A policy file changed on disk (workspace/didChangeWatchedFiles) has its tree checked again.

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
from ..syntax import keywords as K
from ..syntax.parser import POLICY_SUFFIX, keyword_counts, policy_id_for

log = logging.getLogger(__name__)

# How long the author may pause before a change is checked (a check per keystroke is wasted work).
DEBOUNCE_SECONDS = 0.25

# Completion offers the words of the language from its one table (syntax/keywords.py): keywords,
# types, functions, round()'s units and modes, built-in values, levels and units, in the file's
# keyword language (keyword_languages).
_NAME_TABLES = (  # (the table, its kind of completion item, what the detail calls it, in English and Chinese)
    (K.TYPES, T.CompletionItemKind.TypeParameter, "type", "类型"),
    (K.FUNCTIONS, T.CompletionItemKind.Function, "function", "函数"),
    (K.ROUND_WORDS, T.CompletionItemKind.EnumMember, "round() option", "取整选项"),
    (K.BUILTINS, T.CompletionItemKind.Constant, "built-in value", "内置值"),
    (K.LEVELS, T.CompletionItemKind.EnumMember, "level", "层级"),
)

_WORD = re.compile(r"[^\W\d]\w*|\d\w*")
_REF_WORDS = [w for english in ("extends", "amends", "uses") for w in (english, *dict(K.KEYWORDS)[english])]
_POLICY_REF = re.compile(r"^\s*(" + "|".join(map(re.escape, _REF_WORDS)) + r")\s+([a-z0-9_][a-z0-9_\-/]*)")

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
    """A checked tree as it stood with the open documents' text: its findings, and the resolved
    policies hover, definition and completion read (from the tree's KeptPolicies)."""

    def __init__(self, root: str, texts: dict[str, str], run, lang: str, kept: Optional["KeptPolicies"] = None):
        self.root = root
        self.texts = texts
        self.run = run
        self.lang = lang
        self.kept = kept if kept is not None else KeptPolicies()
        self._proofs = None

    def proofs(self):
        """The check's cache, where its binding proofs are: hover's verdicts (tightened, proved) are
        read from it rather than proved again (None without a cache)."""
        from ..cache import cache_enabled, open_cache

        if self._proofs is None:
            self._proofs = (open_cache(self.root) if cache_enabled() else None) or False
        return self._proofs or None

    def policy(self, policy_id: Optional[str]):
        """(the resolved policy, a resolution holding it and what it builds on), or (None, None)."""
        if policy_id is None:
            return None, None
        try:
            return self.kept.lookup(self, policy_id)
        except Exception:  # noqa: BLE001 - a tree that cannot be resolved has no answers
            log.exception("resolving %s in %s failed", policy_id, self.root)
            return None, None


class KeptPolicies:
    """The resolved policies of one tree, kept from one analysis to the next.

    A policy's resolution depends on its own file and those it builds on (its chain and the
    policies it uses, transitively: pipeline.upward_closure), and on the tree's structure (who
    extends and uses whom, which version a `uses` binds). Each kept policy holds the hashes of
    the files it was resolved from; it is reused while the structure is the same and those files
    are unchanged, so hover after an edit re-resolves nothing that the edit cannot have changed.
    What a check resolved (all of it, or after a small change the affected policies) is kept as
    it comes; a policy asked for and not kept is resolved alone with what it builds on
    (CheckRun.resolve_some), never the whole tree.
    """

    MAX_STRUCTURES = 16
    VERSIONS = 4  # resolutions kept per policy (newest first): undoing an edit finds the one before it

    def __init__(self):
        self.lock = threading.Lock()
        self.entries: dict[str, list[tuple[object, dict[str, Optional[str]]]]] = {}
        self.structure: Optional[dict] = None
        # The structures of tree states seen (by their files' hashes): a check that came whole from
        # the cache (an edit undone) does not compute the structure again.
        self.structures: dict[tuple, dict] = {}
        self.stats = {"kept": 0, "resolved": 0}

    @staticmethod
    def _key(hashes: dict) -> tuple:
        return tuple(sorted(hashes.items(), key=lambda kv: kv[0]))

    def _remember(self, hashes: dict, structure: dict) -> None:
        self.structures[self._key(hashes)] = structure
        while len(self.structures) > self.MAX_STRUCTURES:
            self.structures.pop(next(iter(self.structures)))

    def _adopt(self, structure: dict) -> None:
        if structure is not self.structure and structure != self.structure:
            self.entries.clear()
        self.structure = structure

    def _keep(self, resolution, hashes: dict, structure: dict) -> None:
        from ..pipeline import upward_closure

        for pid, policy in resolution.policies.items():
            deps = {d: hashes.get(d) for d in upward_closure({pid}, structure)}
            versions = self.entries.get(pid, [])
            same = next((v for v in versions if v[1] == deps), None)
            if same is not None:  # resolved again from the same files: keep the one kept (and its identity)
                policy = same[0]
            self.entries[pid] = [(policy, deps)] + [v for v in versions if v is not same][:self.VERSIONS - 1]

    def _valid(self, pid: str, hashes: dict):
        for entry in self.entries.get(pid, ()):
            if all(hashes.get(d) == h and h is not None for d, h in entry[1].items()):
                return entry
        return None

    def _view(self, pid: str, hashes: dict):
        from ..semantics.resolve import Resolution

        entry = self._valid(pid, hashes)
        if entry is None:
            return None
        policies = {}
        for dep in entry[1]:
            found = self._valid(dep, hashes)
            if found is not None:
                policies[dep] = found[0]
            elif dep in (self.structure or {}) and (self.structure[dep][2]):
                return None  # something it builds on was resolved under other text
        return entry[0], Resolution(policies=policies, diagnostics=[], order=list(policies), unresolved=set(),
                                    partial=True)

    def lookup(self, analysis: "Analysis", pid: str):
        from ..syntax.files import overlay

        run = analysis.run
        with self.lock:
            structure = run.structure
            if structure is not None:
                self._remember(run.hashes, structure)
            else:
                structure = self.structures.get(self._key(run.hashes))
            if structure is not None:
                self._adopt(structure)
                if not getattr(run, "kept", False) and run.checked_resolution is not None:
                    run.kept = True
                    self._keep(run.checked_resolution, run.hashes, structure)
                found = self._view(pid, run.hashes)
                if found is not None:
                    self.stats["kept"] += 1
                    return found
            with _WORK, overlay(analysis.texts):
                resolution, structure = run.resolve_some({pid})
                run.workspace.sources  # noqa: B018 - read under the same text
            self.stats["resolved"] += 1
            self._remember(run.hashes, structure)
            self._adopt(structure)
            self._keep(resolution, run.hashes, structure)
            found = self._view(pid, run.hashes)
            if found is not None:
                return found
            return resolution.policies.get(pid), resolution


def analyse(root: str, texts: dict[str, str], lang_choice: Optional[str],
            kept: Optional[KeptPolicies] = None) -> Analysis:
    from ..pipeline import check
    from ..syntax.files import overlay

    with _WORK, overlay(texts):
        run = check([root], root, progress=False)
    return Analysis(root, texts, run, output_language(root, lang_choice), kept)


# ---------------------------------------------------------------- the server


class PolicyServer(LanguageServer):
    def __init__(self, lang: Optional[str] = None):
        super().__init__("policylang", __version__, text_document_sync_kind=T.TextDocumentSyncKind.Incremental)
        self.lang_choice = lang
        self.analyses: dict[str, Analysis] = {}  # tree root -> its latest analysis
        self.resolved: dict[str, object] = {}  # policy id (per root) -> the last policy that resolved
        self.published: dict[str, set[str]] = {}  # tree root -> uris given diagnostics
        self.pending: dict[str, asyncio.Task] = {}
        self.kept: dict[str, KeptPolicies] = {}  # tree root -> its resolved policies, kept between checks

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
            kept = self.kept.setdefault(root, KeptPolicies())
            analysis = await asyncio.to_thread(analyse, root, texts, self.lang_choice, kept)
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
        """(analysis, the resolved policy of the file, a resolution holding it and what it builds
        on); the last policy that resolved when the file has errors now."""
        analysis = self.analysis_for(path)
        if analysis is None:
            return None, None, None
        pid = policy_id_for(path, analysis.root)
        key = f"{analysis.root}\0{pid}"
        policy, resolution = analysis.policy(pid)
        if policy is not None and not policy.has_errors:
            self.resolved[key] = (policy, resolution)
        if policy is None:
            policy, resolution = self.resolved.get(key, (None, None))
        return analysis, policy, resolution


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


def hover_text(analysis: Analysis, policy, name: str, alias: Optional[str], lang: str,
               resolution=None) -> Optional[str]:
    from ..semantics.checks.binding import proof_store
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
        with proof_store(analysis.proofs()):
            data = explain_item(resolution, owner, item_name, sources=analysis.run.workspace.sources)
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


def keyword_languages(text: str) -> tuple[str, ...]:
    """The keyword languages completion offers in a file: the one its keywords are written in, both
    when it mixes them or has none yet."""
    zh, en = keyword_counts(text)
    if zh and not en:
        return ("zh",)
    if en and not zh:
        return ("en",)
    return ("en", "zh")


def _add_words(add, lang: str) -> None:
    """The words of the language in one keyword language (syntax/keywords.py): each with its twin
    in the other language as detail, a Chinese synonym with its canonical form."""
    zh = lang == "zh"

    def offer(english: str, forms: tuple[str, ...], kind: T.CompletionItemKind, what: str, what_zh: str) -> None:
        if not zh:
            add(english, kind, " · ".join(x for x in (what, "/".join(forms)) if x))
            return
        for rank, form in enumerate(forms):
            synonym = f"（同“{forms[0]}”）" if rank else ""
            add(form, kind, " · ".join(x for x in (what_zh, english + synonym) if x))

    for english, forms in K.KEYWORDS:
        offer(english, forms, T.CompletionItemKind.Keyword, "", "关键字")
    for english, chinese in K.UNITS_ZH.items():
        offer(english.replace("_", " "), (chinese,), T.CompletionItemKind.Unit, "unit", "单位")  # `working days`
    for table, kind, what, what_zh in _NAME_TABLES:
        for english, forms in table.items():
            offer(english, forms, kind, what, what_zh)


def completions(policy, line_prefix: str, languages: tuple[str, ...] = ("en", "zh")) -> list[T.CompletionItem]:
    """What may be written at the end of line_prefix: the members after `enum.` or the params after
    `alias.`; else the names in scope (the inherited ones too), enum members, aliases, then the
    words of the language in the given keyword languages."""
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
    for lang in languages:
        _add_words(add, lang)
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

    @server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: PolicyServer, params: T.DidChangeWatchedFilesParams):
        # A policy file changed, appeared or went on disk (a checkout, another editor): its tree is
        # checked again (one check per tree, however many files changed).
        roots = {}
        for change in params.changes:
            path = uri_to_path(change.uri)
            if path is not None and path.endswith(POLICY_SUFFIX):
                roots.setdefault(find_root(path), change.uri)
        for uri in roots.values():
            ls.schedule(uri, delay=0)

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
            analysis, policy, resolution = await asyncio.to_thread(ls.policy_at, path)
            if name is None or policy is None:
                return None
            text = await asyncio.to_thread(hover_text, analysis, policy, name, alias, analysis.lang, resolution)
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
            analysis, policy, _resolution = await asyncio.to_thread(ls.policy_at, path)
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
            _analysis, policy, _resolution = await asyncio.to_thread(ls.policy_at, path)
            _path, text = ls.document(params.text_document.uri)
            return T.CompletionList(is_incomplete=False,
                                    items=completions(policy, line[:column], keyword_languages(text)))
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
