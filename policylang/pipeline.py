"""The front half of every command: load a tree, resolve its chains, run the checks.

Passes run in one direction: syntax (loader/parser) -> semantics (resolver,
checker) -> whatever backend the command drives. Backends receive a CheckRun
and never re-parse.

Large trees (a national deployment holds thousands of policies per topic) are
kept fast by the on-disk cache of `policylang.cache`:

1. Every file is read and hashed once. When the hashes of all files, the tool
   and the configuration match a previous run, its diagnostics are reused
   as they are; the parsed files and the resolution are then built only if a
   backend asks for them (`CheckRun.workspace.files`, `CheckRun.resolution`).
2. Otherwise each file's parse comes from the cache when its bytes are known
   (first its outline only: header, `uses`, comments), and the files not yet
   parsed are parsed in parallel when there are enough of them to pay for
   starting worker processes.
3. The policies a change can affect are found from the outlines (see
   `affected_policies` for the rule); only they, and what they build on, get
   their declarations and are resolved and checked; the others keep the
   findings of the previous run. A change to the shape of the tree (a file
   added, removed, renamed, no longer parsed, an `extends` or `uses` changed)
   checks the whole tree again.

`check(..., cache=False)` or POLICYLANG_NO_CACHE=1 runs everything from scratch.
"""

from __future__ import annotations

import os
import typing
from typing import Callable, Iterable, Optional

import attrs

from .cache import (DiskCache, cache_enabled, code_fingerprint, content_hash, decode_outline, encode_bundle,
                    encode_entry, encode_outline, first_part, is_compact_outline, make_key, open_cache, prune_if_due)
from .diagnostics import INTERNAL_ERROR_CODE, Diagnostic, Suppressed, sort_diagnostics
from .gcpause import gc_paused
from .processes import fork_context, fresh_context, worker_pool
from .progress import Progress, progress_wanted, stage_label
from .semantics.loader import UsageError, Workspace, discover, find_root, load_workspace
from .semantics.resolve import Resolution, Scope, ScopeMismatch, resolve
from .semantics.followons import drop_follow_ons
from .syntax.ast import Decl, PolicyFile
from .syntax.files import SkippedFile, overlaid, read_policy_bytes
from .syntax.parser import ParseResult, parse_file, policy_id_for

# The outline bundle is written again when more files than this are missing from it.
BUNDLE_SLACK = 32
# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 100
# When a change touches more than this share of the tree, check everything at once.
INCREMENTAL_MAX_SHARE = 0.5


class CheckRun:
    """A checked tree: the workspace, its resolution and every finding (sorted, configuration applied).

    `workspace` and `resolution` may be built on first use when the diagnostics
    came from the cache; to callers they are ordinary attributes.
    """

    def __init__(self, workspace: Workspace, resolution: Optional[Resolution], diagnostics: list[Diagnostic],
                 resolve_later: Optional[Callable[[Workspace], Resolution]] = None,
                 suppressed: Optional[list[Suppressed]] = None):
        self.workspace = workspace
        self._resolution = resolution
        self._resolve_later = resolve_later
        self.diagnostics = diagnostics
        # The findings in-line `ignore` comments suppressed, with their reasons (config.configure).
        self.suppressed: list[Suppressed] = list(suppressed or ())
        self.stats: dict[str, object] = {}  # how the run was obtained (cache hits, policies checked…)
        # For a caller that keeps resolved policies from run to run (the language server): each
        # policy's file hash, the tree's structure (structure_of; None when the run came whole from
        # the cache), the resolution the check made (after a small change: of the affected
        # policies only) and `resolve_some`.
        self.hashes: dict[str, Optional[str]] = {}
        self.structure: Optional[dict[str, tuple]] = None
        self.checked_resolution: Optional[Resolution] = resolution
        self._resolve_some: Optional[Callable[[set[str]], tuple[Resolution, dict[str, tuple]]]] = None

    @property
    def resolution(self) -> Resolution:
        if self._resolution is None:
            self._resolution = (self._resolve_later or resolve)(self.workspace)
        return self._resolution

    @resolution.setter
    def resolution(self, value: Resolution) -> None:
        self._resolution = value

    def resolve_some(self, ids: Iterable[str]) -> tuple[Resolution, dict[str, tuple]]:
        """(the resolution of `ids` and of what they build on, the tree's structure), reading the
        declarations of those files only (the others' outlines come from the parse cache)."""
        ids = set(ids)
        if self._resolve_some is None:
            return self.resolution, structure_of(self.workspace)
        return self._resolve_some(ids)

    @property
    def policies(self):
        return self.resolution.policies

    def target_policies(self):
        """The resolved policies the user asked about, in dependency order."""
        targets = set(self.workspace.targets)
        return [self.resolution.policies[p] for p in self.resolution.order
                if p in targets and p in self.resolution.policies]

    def diagnostics_for_targets(self) -> list[Diagnostic]:
        """The findings about the policies asked for; an internal error (PL990) wherever it
        happened, since the findings it stopped may be the targets' own."""
        targets = set(self.workspace.targets)
        return [d for d in self.diagnostics
                if d.policy_id is None or d.policy_id in targets or d.code == INTERNAL_ERROR_CODE]

    def suppressed_for_targets(self) -> list[Suppressed]:
        targets = set(self.workspace.targets)
        return [s for s in self.suppressed if s.policy_id is None or s.policy_id in targets]

    @property
    def internal_errors(self) -> list[Diagnostic]:
        """Checks that failed (PL990): the findings are incomplete, and commands exit with status 2."""
        return [d for d in self.diagnostics if d.code == INTERNAL_ERROR_CODE]

    def __repr__(self) -> str:
        return f"CheckRun(root={self.workspace.root!r}, diagnostics={len(self.diagnostics)})"


def run_checks(ws: Workspace, resolution: Resolution, used=None) -> list[Diagnostic]:
    """The checker's findings (overrides, blanks, tables, schedules, requirements…)."""
    try:
        from .semantics.checker import run_checks as checker
    except ImportError:  # the checker is optional while it is being built
        return []
    with gc_paused():
        return checker(ws, resolution, used)


def apply_configuration(ws: Workspace, diags: list[Diagnostic]) -> tuple[list[Diagnostic], list[Suppressed]]:
    """(the findings with the tree's configuration applied, the findings in-line suppressions suppressed)."""
    try:
        from .config import configure, load_config
    except ImportError:
        return diags, []
    return configure(diags, load_config(ws.root), ws)


def configuration_bytes(root: str) -> bytes:
    """The configuration file that applies to a tree (part of what a cached run depends on)."""
    try:
        from .config import find_pyproject
    except ImportError:
        return b""
    path = find_pyproject(root)
    if path is None:
        return b""
    try:
        return path.encode() + b"\0" + read_policy_bytes(path)
    except (OSError, SkippedFile):
        return path.encode() + b"\0unreadable"


# ---------------------------------------------------------------- which files


class TreePlan:
    """The files a check reads, in the loader's order, with their bytes and hashes."""

    def __init__(self, paths: Iterable[str], root: Optional[str]):
        paths = list(paths) or ["policies"]
        for p in paths:
            if not os.path.exists(p):
                raise UsageError(f"no such file or folder: {p}", f"文件或文件夹不存在：{p}")
        self.paths = paths
        self.root = os.path.abspath(root) if root else find_root(paths[0])
        self.all_files = all_files = discover(self.root)
        requested: list[str] = []
        for p in paths:
            ap = os.path.abspath(p)
            if ap == self.root:
                requested.extend(all_files)  # the usual case: the whole tree (walked once)
            else:
                requested.extend(discover(ap) if os.path.isdir(ap) else [ap])
        known = set(all_files)
        self.ordered = all_files + [p for p in requested if p not in known]
        self.requested = requested
        self.contents: dict[str, Optional[bytes]] = {}
        self.hashes: dict[str, Optional[str]] = {}
        for path in self.ordered:
            try:
                data = read_policy_bytes(path)
            except (OSError, SkippedFile):  # the parser reports why (PL001)
                data = None
            self.contents[path] = data
            self.hashes[path] = content_hash(data) if data is not None else None

    def policy_id(self, path: str) -> str:
        return policy_id_for(path, self.root) or os.path.splitext(os.path.basename(path))[0]

    def targets(self) -> list[str]:
        seen: dict[str, None] = {}  # in order, each once (a list here made a warm check quadratic)
        for path in self.requested:
            seen.setdefault(self.policy_id(path), None)
        return list(seen)

    @property
    def cacheable(self) -> bool:
        return all(h is not None for h in self.hashes.values())

    def tree_key(self) -> str:
        parts = [code_fingerprint(), configuration_bytes(self.root)]
        for path in self.ordered:
            rel = policy_id_for(path, self.root)
            parts.append(rel if rel is not None else "outside:" + path)
            parts.append(self.hashes[path] or "unreadable")
        return make_key("tree", *parts)

    def root_key(self) -> str:
        return make_key("root", code_fingerprint(), self.root)


# ---------------------------------------------------------------- parsing with the cache


@attrs.frozen
class ParseEntry:
    """The first part of a file's parse entry: its outline (the parsed file without its
    declarations: header, `uses`, comments) and its syntax diagnostics. The second part is the
    declarations. Its text is the file's, read anyway."""

    file: Optional[PolicyFile]
    diagnostics: tuple[Diagnostic, ...]


DECL_TYPES = typing.get_args(Decl)


class DamagedOutline(Exception):
    """A compact outline of the bundle could not be decoded when it was first looked up: the
    check is run again without the bundle."""


class Undecoded:
    """A file's outline as the bundle holds it (a compact line), not decoded yet (OutlineFiles)."""

    __slots__ = ("line", "path", "policy_id", "root")

    def __init__(self, line: bytes, path: str, policy_id: str, root: Optional[str]):
        self.line, self.path, self.policy_id, self.root = line, path, policy_id, root

    def decode(self) -> PolicyFile:
        try:
            return decode_outline(self.line, self.path, self.policy_id, self.root)
        except Exception as exc:  # noqa: BLE001 - any damage: see DamagedOutline
            raise DamagedOutline(self.path) from exc


_ABSENT = object()


class OutlineFiles(dict):
    """Policy id -> parsed file, where a file the bundle gave as a compact outline is decoded when
    it is first looked up. A check after a small change reads the headers of the affected chains
    only (see `_check`); anything that goes through every file gets every file, decoded."""

    __slots__ = ()

    def _file(self, pid, pf):
        if type(pf) is Undecoded:
            pf = pf.decode()
            dict.__setitem__(self, pid, pf)
        return pf

    def __getitem__(self, pid):
        return self._file(pid, dict.__getitem__(self, pid))

    def get(self, pid, default=None):
        pf = dict.get(self, pid, _ABSENT)
        return default if pf is _ABSENT else self._file(pid, pf)

    def __iter__(self):  # defined in Python, so that dict(files) and {**files} go through __getitem__
        return iter(list(dict.keys(self)))

    def items(self):
        return [(pid, self[pid]) for pid in list(dict.keys(self))]

    def values(self):
        return [self[pid] for pid in list(dict.keys(self))]

    def copy(self):
        return {pid: self[pid] for pid in list(dict.keys(self))}

    def pop(self, pid, *default):
        pf = dict.pop(self, pid, *default)
        return self._file(pid, pf) if type(pf) is Undecoded else pf

    def setdefault(self, pid, default=None):
        if pid in self:
            return self[pid]
        dict.__setitem__(self, pid, default)
        return default

    def popitem(self):
        pid, pf = dict.popitem(self)
        return pid, (pf.decode() if type(pf) is Undecoded else pf)

    def __eq__(self, other):
        return dict(self.items()) == other

    __hash__ = None

    def decoded(self, pid) -> bool:
        return type(dict.get(self, pid)) is not Undecoded

    def undecoded_count(self) -> int:
        return sum(1 for pf in dict.values(self) if type(pf) is Undecoded)


def _store_parse(store: DiskCache, key: str, result: ParseResult, root: str) -> Optional[tuple[list, bytes]]:
    """Store a file's parse; (its path table, its outline's line) for the outline bundle, or None."""
    outline = None if result.file is None else attrs.evolve(result.file, decls=())
    decls = () if result.file is None else result.file.decls
    try:
        data = encode_entry(key, [ParseEntry(outline, result.diagnostics), decls], root)
    except Exception:  # noqa: BLE001 - a value that cannot be encoded is simply not cached
        return None
    if not store.put_bytes("parse", key, data):
        return None
    if outline is not None and not result.diagnostics:
        compact = encode_outline(outline, root)
        if compact is not None:
            return [], compact
    return first_part(data)


def _parse_key(plan_root: str, path: str, digest: str) -> str:
    pid = policy_id_for(path, plan_root)
    # A file outside the root is named by its file name, so its place is part of what it parses to.
    where = pid if pid is not None else "outside:" + os.path.abspath(path)
    return make_key("parse", code_fingerprint(), where, digest)


def _parse_result_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return ""


_WORKER_CACHE: Optional[DiskCache] = None


def _worker_init(cache_dir: Optional[str]) -> None:
    global _WORKER_CACHE
    import gc

    gc.disable()  # see gcpause: parsing builds trees, the collector finds nothing
    _WORKER_CACHE = DiskCache(cache_dir) if cache_dir else None


def _parse_in_worker(job: tuple[str, str, str, Optional[str]]) -> tuple[str, ParseResult, Optional[tuple]]:
    path, root, digest, key = job
    result = parse_file(path, root)
    record = None
    if _WORKER_CACHE is not None and key is not None and _verified(result, digest):
        record = _store_parse(_WORKER_CACHE, key, result, root)
    return path, result, record


def _parse_jobs_in_worker(jobs: list) -> list:
    return [_parse_in_worker(job) for job in jobs]


def _verified(result: ParseResult, digest: Optional[str]) -> bool:
    """The parsed text is the one that was hashed (the file did not change in between)."""
    return bool(result.text) and digest is not None and content_hash(result.text.encode("utf-8")) == digest


class CachedParser:
    """A `parse_many` for the loader: cached parses first, then the rest, in parallel when worth it.

    outlines=True: a file found in the cache is given as its outline only (no declarations),
    which is all that deciding what a change affects needs; `complete` then puts in the
    declarations of the files that are to be resolved. Files parsed now are always whole.

    The outlines of a tree's files are also kept together in one bundle (namespace "outlines",
    one per tree root: `cache.Bundle`), read with one call instead of one per file; it is written
    again whenever a file's outline came from elsewhere (its own entry, or parsed now).
    """

    def __init__(self, plan: TreePlan, cache: Optional[DiskCache], jobs: Optional[int] = None,
                 progress: Optional[bool] = None, outlines: bool = False, bundle: bool = True):
        self.plan = plan
        self.use_bundle = bundle
        self.cache = cache
        self.jobs = jobs if jobs is not None else available_cores()
        self.progress = progress
        self.outlines = outlines
        self.pending: dict[str, tuple] = {}  # path -> (entry, key) of a file given as its outline
        self.parsed = 0
        self.from_cache = 0
        self.unstable = False  # a file changed while the run read it: do not record this run
        self.bundle = None  # the outline bundle read at the start of the run
        # path -> (parse key, path table, outline line) of every outline known in this run
        self.records: dict[str, tuple[str, list, bytes]] = {}
        self.bundle_stale = False
        self.bundle_misses = 0  # files whose outline did not come from the bundle

    def __call__(self, paths: list[str], root: str) -> list[ParseResult]:
        results: dict[str, ParseResult] = {}
        todo: list[tuple[str, str, Optional[str], Optional[str]]] = []
        bar = _bar("parse", len(paths), self.progress)
        if self.cache is not None and self.bundle is None and self.use_bundle:
            self.bundle = self.cache.bundle("outlines", self.plan.root_key(), root=root)
        with gc_paused():
            for path in paths:
                digest = self.plan.hashes.get(path)
                key = _parse_key(root, path, digest) if digest is not None else None
                if self.cache is not None and key is not None:
                    result = self._from_cache(path, key, root)
                    if result is not None:
                        results[path] = result
                        self.from_cache += 1
                        bar.advance()
                        continue
                todo.append((path, root, digest, key if self.cache is not None else None))
            for path, result, record in self._parse(todo, bar):
                results[path] = result
                if not _verified(result, self.plan.hashes.get(path)) and result.text:
                    self.unstable = True
                self.parsed += 1
                self.bundle_stale = True
                self.bundle_misses += 1
                if record is not None and self.cache is not None:
                    key = _parse_key(root, path, self.plan.hashes[path])
                    self.records[path] = (key, *record)
            self._store_bundle(paths, root)
        bar.close()
        return [results[p] for p in paths]

    def _store_bundle(self, paths: list[str], root: str) -> None:
        if self.cache is None or self.unstable:
            return
        if not self.bundle_stale and self.bundle is not None and len(self.bundle.index) == len(self.records):
            return
        if (self.bundle is not None and self.bundle_misses <= BUNDLE_SLACK
                and len(self.bundle.index) <= len(paths) + BUNDLE_SLACK):
            # A few files changed: their outlines come from their own entries until more have
            # (writing the whole bundle again would cost more), and the bundle keeps the outlines
            # of their last versions, which the next run compares them with (_unchanged_structure).
            return
        records = [self.records[p] for p in paths if p in self.records]
        try:
            data = encode_bundle(self.plan.root_key(), records, root)
        except Exception:  # noqa: BLE001 - not cached then
            return
        self.cache.put_bytes("outlines", self.plan.root_key(), data)

    def _from_bundle(self, path: str, key: str) -> Optional[ParseResult]:
        try:
            record = self.bundle.record(key)
            if record is None:
                return None
            table, line = record
            if is_compact_outline(line):
                pid = self.plan.policy_id(path)
                if self.outlines:
                    # decoded when first looked up (OutlineFiles): most are never needed
                    self.pending[path] = (None, key)
                    self.records[path] = (key, table, line)
                    return ParseResult(Undecoded(line, path, pid, self.bundle.root), (),
                                       _parse_result_text(self.plan.contents[path]))
                head = ParseEntry(decode_outline(line, path, pid, self.bundle.root), ())
            else:
                head = self.bundle.decode(table, line, ParseEntry)
            file = head.file
            if file is not None and file.decls:
                raise ValueError("an outline has no declarations")
        except Exception:  # noqa: BLE001 - a damaged record: the file's own entry is read instead
            return None
        if file is not None and self.outlines:
            self.pending[path] = (None, key)
        elif file is not None:
            entry = self.cache.entry("parse", key, root=self.bundle.root)
            if entry is None:
                return None
            try:
                file = attrs.evolve(file, decls=self._declarations(entry))
            except Exception:  # noqa: BLE001 - a damaged entry is parsed again
                self.cache.discard("parse", key)
                return None
        self.records[path] = (key, table, line)
        return ParseResult(file, head.diagnostics, _parse_result_text(self.plan.contents[path]))

    def _from_cache(self, path: str, key: str, root: str) -> Optional[ParseResult]:
        if self.bundle is not None:
            result = self._from_bundle(path, key)
            if result is not None:
                return result
        self.bundle_stale = True
        self.bundle_misses += 1
        entry = self.cache.entry("parse", key, root=root)
        if entry is None:
            return None
        try:
            head = entry.part(0, ParseEntry)
            file = head.file
            if file is not None and file.decls:
                raise ValueError("an outline has no declarations")
            if file is not None and self.outlines:
                self.pending[path] = (entry, key)
            elif file is not None:
                file = attrs.evolve(file, decls=self._declarations(entry))
        except Exception:  # noqa: BLE001 - a damaged entry is parsed again
            self.cache.discard("parse", key)
            return None
        if len(entry) > 0:
            self.records[path] = (key, entry.table, entry.lines[1])
        return ParseResult(file, head.diagnostics, _parse_result_text(self.plan.contents[path]))

    @staticmethod
    def _declarations(entry) -> tuple:
        decls = entry.part(1, tuple)
        if not all(isinstance(d, DECL_TYPES) for d in decls):
            raise ValueError("not a declaration")
        return decls

    def complete(self, ws: Workspace, ids: Optional[Iterable[str]] = None) -> None:
        """Give the files of `ids` (default: every one) their declarations, in place."""
        with gc_paused():
            for pid in (list(ws.files) if ids is None else ids):
                path = ws.paths.get(pid)
                pending = self.pending.pop(path, None) if path is not None else None
                if pending is None or pid not in ws.files:
                    continue
                entry, key = pending
                try:
                    if entry is None:  # the outline came from the bundle: the declarations from the entry
                        entry = self.cache.entry("parse", key, root=ws.root)
                        if entry is None:
                            raise ValueError("no entry")
                    ws.files[pid] = attrs.evolve(ws.files[pid], decls=self._declarations(entry))
                except Exception:  # noqa: BLE001 - a damaged entry: parse the file again
                    self.cache.discard("parse", key)
                    result = parse_file(path, ws.root)
                    self.parsed += 1
                    if result.file is not None:
                        ws.files[pid] = result.file
        if ids is None:
            self.pending.clear()

    def _parse(self, todo, bar):
        # Files read from an overlay (unsaved editor buffers) are parsed here: a worker reads the disk.
        here = [job for job in todo if overlaid(job[0])]
        todo = [job for job in todo if not overlaid(job[0])]
        if len(todo) >= PARALLEL_MIN_FILES and self.jobs > 1:
            done: set[str] = set()
            try:
                for parsed in self._parse_parallel(todo, bar):
                    done.add(parsed[0])
                    yield parsed
            except (OSError, ImportError, RuntimeError):
                # no processes here (a sandbox), or a worker died (BrokenProcessPool): the files not
                # yet parsed are parsed in this one
                pass
            todo = [job for job in todo if job[0] not in done]
        store = self.cache
        todo = here + todo
        for path, root, digest, key in todo:
            result = parse_file(path, root)
            record = None
            if store is not None and key is not None and _verified(result, digest):
                record = _store_parse(store, key, result, root)
            bar.advance()
            yield path, result, record

    def _parse_parallel(self, todo, bar):
        # Forked workers where this process may fork (see processes: one thread running); any
        # other (a language server, with its I/O threads) starts its workers afresh.
        from concurrent.futures import as_completed

        context = fork_context() or fresh_context()
        cache_dir = self.cache.directory if self.cache is not None else None
        chunk = max(1, min(64, len(todo) // (self.jobs * 8)))
        with worker_pool(self.jobs, context, initializer=_worker_init, initargs=(cache_dir,)) as pool:
            futures = [pool.submit(_parse_jobs_in_worker, todo[i:i + chunk]) for i in range(0, len(todo), chunk)]
            for future in as_completed(futures):
                for path, result, record in future.result():
                    bar.advance()
                    yield path, result, record


def _bar(stage: str, total: Optional[int], enabled: Optional[bool]) -> Progress:
    """A stage's progress line; its words are looked up only when it is shown (that looks for the
    command line's language option, which would import click in a library call)."""
    if enabled is None:
        enabled = progress_wanted()
    return Progress(stage_label(stage) if enabled else stage, total=total, enabled=enabled)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# ---------------------------------------------------------------- what a change touches


def structure_of(ws: Workspace) -> dict[str, tuple]:
    """For each policy: its parent, the policies it uses (what links findings across files) and
    whether its file could be parsed at all (the ids of parsed files are what the resolver
    suggests for a misspelt parent, so a file that stops or starts parsing changes the shape).

    The policies it uses include the versions its `uses` lines (its own and the inherited ones)
    are bound to in its region: a change to Guangdong's drug-VBP notice affects the Guangdong
    policies that read it through the national `uses cn/drug-vbp-2019`. Which version binds
    depends on the files' headers, so a change of binding is a change of structure (the whole
    tree is checked again). An amending notice and the notice it amends each count as using the other.
    """
    from .semantics.resolve import bind_cross_references, policy_windows

    files = {pid: pf for pid, pf in ws.files.items() if pf is not None}
    bindings, _conflicts = bind_cross_references(files)
    windows = policy_windows(files)
    # An amending notice and the notice it amends depend on each other: the amendment is merged onto
    # it, and its versions (and the policies extending it, held to each version) follow the amendment.
    amended_by: dict[str, set[str]] = {}
    for pid, pf in files.items():
        if pf.amends:
            amended_by.setdefault(pf.amends, set()).add(pid)
    out: dict[str, tuple] = {}
    for pid in ws.paths:
        pf = ws.files.get(pid)
        if pf is None:
            out[pid] = (None, (), False)
        else:
            used = {u.policy_id for u in pf.uses}
            used.update(b.bound for b in bindings.get(pid, {}).values() if b.bound != pid)
            # the policies that may be named when it is evaluated on a day it is not in force (its
            # chain is linked by `extends` already: only the others of its tree, such as a successor)
            chain, cur = set(), pid
            while cur in files and cur not in chain:
                chain.add(cur)
                cur = files[cur].extends
            used.update(w[0] for w in windows.get(pid, ()) if w[0] not in chain)
            used.update(amended_by.get(pid, ()))
            if pf.amends:
                used.add(pf.amends)
            out[pid] = (pf.extends, tuple(sorted(used)), True)
    return out


def upward_closure(ids: Iterable[str], structure: dict[str, tuple]) -> set[str]:
    """`ids` and everything they build on: their parents and the policies they use, transitively."""
    out: set[str] = set()
    todo = list(ids)
    while todo:
        pid = todo.pop()
        if pid in out:
            continue
        out.add(pid)
        parent, uses, _parsed = structure.get(pid, (None, (), False))
        todo.extend(((parent,) if parent else ()) + tuple(uses))
    return out


def affected_policies(changed: set[str], structure: dict[str, tuple]) -> set[str]:
    """The policies whose findings a change to `changed` can alter.

    A policy's findings depend on its own file, the files above it (its chain
    and the policies it uses, and theirs), and the files that build on it (the
    policies extending it, or using it, down to the leaves: whether a name is
    used, whether a blank is ever filled). So the affected set is: the changed
    policies, everything that extends or uses them (transitively), and
    everything those depend on.
    """
    return set(affected_with_reasons(changed, structure))


@attrs.frozen
class Reason:
    """Why a policy is affected by a change (see `affected_with_reasons`).

    kind: "changed" (its own file), "extends" / "uses" (it extends or uses `via`, which is
    affected, possibly a policy that no longer exists), or "base" (`via`, an affected policy,
    extends or uses it: its findings depend on what is below it). `relation` is "extends" or
    "uses" for the last two kinds."""

    kind: str
    via: Optional[str] = None
    relation: Optional[str] = None


def affected_with_reasons(changed: Iterable[str], structure: dict[str, tuple]) -> dict[str, Reason]:
    """The policies `affected_policies` gives, each with the first reason found for it
    (breadth first, so the reason is a shortest path to a changed policy).

    `changed` may hold ids that are not in `structure` (a deleted or renamed file), and a
    policy may extend or use one that does not exist: such ids are in the result as they are
    in `affected_policies`; a caller that wants the policies to check keeps those in `structure`."""
    from collections import deque

    below: dict[str, list[str]] = {}
    for pid, (parent, uses, _parsed) in structure.items():
        for upper in ((parent,) if parent else ()) + tuple(uses):
            below.setdefault(upper, []).append(pid)
    reasons: dict[str, Reason] = {}
    queue = deque()
    for pid in changed:
        if pid not in reasons:
            reasons[pid] = Reason("changed")
            queue.append(pid)
    down: list[str] = []
    while queue:
        pid = queue.popleft()
        down.append(pid)
        for lower in below.get(pid, ()):
            if lower not in reasons:
                parent = structure[lower][0]
                reasons[lower] = Reason("extends" if parent == pid else "uses", pid)
                queue.append(lower)
    queue = deque(down)
    while queue:
        pid = queue.popleft()
        parent, uses, _parsed = structure.get(pid, (None, (), False))
        for upper in ((parent,) if parent else ()) + tuple(uses):
            if upper not in reasons:
                reasons[upper] = Reason("base", pid, "extends" if upper == parent else "uses")
                queue.append(upper)
    return reasons


@attrs.define
class Findings:
    """The findings of one run, per policy, with what they were computed from.

    What each policy reads is kept compactly (most policies read the same declarations of the
    levels above them): `read_pairs` the distinct (declaring policy, name), `read_sets` the
    distinct sets of them (as indices), `read_set_of` policy id -> index of its set."""

    hashes: dict[str, Optional[str]]  # policy id -> content hash
    structure: dict[str, tuple[Optional[str], tuple[str, ...], bool]]  # see structure_of
    by_policy: dict[str, list[Diagnostic]]  # the checker's findings
    resolved_by_policy: dict[str, list[Diagnostic]]  # the resolver's diagnostics
    read_pairs: tuple[tuple[str, str], ...]
    read_sets: tuple[tuple[int, ...], ...]
    read_set_of: dict[str, int]
    # the dependency order of the tree's policies (Resolution.order), for resolving only the files
    # of the affected chains next time (resolve.Scope)
    order: tuple[str, ...] = ()

    @classmethod
    def make(cls, hashes, structure, by_policy, resolved_by_policy, reads: dict[str, frozenset],
             order: tuple = ()) -> "Findings":
        pair_index: dict[tuple[str, str], int] = {}
        set_index: dict[frozenset, int] = {}
        sets: list[tuple[int, ...]] = []
        set_of: dict[str, int] = {}
        for pid, pairs in reads.items():
            index = set_index.get(pairs)
            if index is None:
                index = set_index[pairs] = len(sets)
                sets.append(tuple(sorted(pair_index.setdefault(p, len(pair_index)) for p in pairs)))
            set_of[pid] = index
        return cls(hashes, structure, by_policy, resolved_by_policy, tuple(pair_index), tuple(sets), set_of,
                   tuple(order))

    def reads(self) -> dict[str, frozenset]:
        """Policy id -> the (declaring policy, name) of the inputs and parameters it reads."""
        pairs = self.read_pairs
        sets = [frozenset(pairs[i] for i in members) for members in self.read_sets]
        return {pid: sets[index] for pid, index in self.read_set_of.items()}

    def changed_and_affected(self, hashes: dict[str, Optional[str]], structure: dict[str, tuple]) -> Optional[set]:
        """The policies a change since this run affects, or None when everything must be re-checked."""
        if self.structure != structure:
            return None
        changed = {pid for pid in structure if self.hashes.get(pid) != hashes.get(pid) or hashes.get(pid) is None}
        affected = affected_policies(changed, structure)
        if len(affected) > INCREMENTAL_MAX_SHARE * max(len(structure), 1):
            return None
        return affected

    def as_list(self) -> list[Diagnostic]:
        return [d for pid in sorted(self.by_policy) for d in self.by_policy[pid]]


def group_by_policy(diags: list[Diagnostic]) -> Optional[dict[str, list[Diagnostic]]]:
    grouped: dict[str, list[Diagnostic]] = {}
    for d in diags:
        if d.policy_id is None:
            return None  # a finding about no single policy: cannot be reused piecewise
        grouped.setdefault(d.policy_id, []).append(d)
    return grouped


def check_incrementally(ws: Workspace, resolution: Resolution, hashes: dict[str, Optional[str]],
                        structure: dict[str, tuple], affected: Optional[set[str]],
                        previous: Optional[Findings]) -> tuple[list[Diagnostic], Optional[Findings], int]:
    """(every finding, what to remember, how many policies were examined).

    affected None: resolve and check everything (the resolution is complete). Otherwise the
    resolution holds only the affected policies and what they depend on; the other policies keep
    their findings, their resolver diagnostics and what they read from the previous run.
    """
    from .semantics.reads import reads_of

    refs_of: dict = {}
    reads = {pid: frozenset(reads_of(policy, refs_of)) for pid, policy in resolution.policies.items()}
    if affected is None:
        examined = set(resolution.order)
        fresh = run_checks(ws, resolution, set().union(*reads.values()) if reads else set())
        reuse_checks: dict[str, list[Diagnostic]] = {}
        reuse_resolved: dict[str, list[Diagnostic]] = {}
    else:
        examined = affected & set(resolution.order)
        # What an unaffected policy reads is what it read last time. An affected policy is
        # never carried over: if it no longer resolves (its file broke), it reads nothing now.
        for pid, pid_reads in previous.reads().items():
            if pid not in affected and pid not in resolution.policies:
                reads[pid] = pid_reads
        used = set().union(*reads.values()) if reads else set()
        restricted = Resolution(resolution.policies, resolution.diagnostics,
                                [p for p in resolution.order if p in examined], resolution.unresolved)
        fresh = [d for d in run_checks(ws, restricted, used)
                 if d.policy_id is None or d.policy_id in examined or d.code == INTERNAL_ERROR_CODE]
        reuse_checks = {pid: diags for pid, diags in previous.by_policy.items() if pid not in affected}
        reuse_resolved = {pid: diags for pid, diags in previous.resolved_by_policy.items() if pid not in affected}
    grouped = group_by_policy(fresh)
    resolved = group_by_policy(list(resolution.diagnostics))
    if grouped is None or resolved is None:
        return [*resolution.diagnostics, *fresh], None, len(examined)  # not reusable piecewise
    checks = dict(reuse_checks)
    checks.update(grouped)
    resolved_all = dict(reuse_resolved)
    for pid, diags in resolved.items():
        # An affected policy: exactly its fresh diagnostics, whether it resolves now or not (a
        # policy whose file broke has only header or graph diagnostics, and none it had before).
        # An unaffected one was not resolved now: the fresh run has only its header and graph
        # diagnostics, which depend on nothing that changed and which the kept list (from when
        # it was last resolved) already holds along with the rest.
        if affected is None or pid in affected or pid not in resolved_all:
            resolved_all[pid] = diags
    remembered = Findings.make(hashes, structure, checks, resolved_all, reads, resolution.order)
    merged = [d for pid in sorted(resolved_all) for d in resolved_all[pid]] + remembered.as_list()
    return merged, remembered, len(examined)


# ---------------------------------------------------------------- the entry point


def check(paths: Iterable[str] = ("policies",), root: Optional[str] = None, *, cache: Optional[bool] = None,
          jobs: Optional[int] = None, progress: Optional[bool] = None) -> CheckRun:
    """Load, resolve and check the tree holding `paths`.

    cache: use the on-disk cache (default: yes, unless POLICYLANG_NO_CACHE is set).
    jobs: worker processes for parsing (default: the available cores).
    progress: show progress on stderr (default: on a terminal outside CI).
    """
    # Everything a check builds is trees (files, ASTs, findings, cache entries): the collector
    # would only walk them again and again.
    with gc_paused():
        return _check(paths, root, cache, jobs, progress)


def _check(paths, root, cache, jobs, progress) -> CheckRun:
    plan = TreePlan(paths, root)
    use_cache = cache_enabled() if cache is None else cache
    store = open_cache(plan.root) if use_cache else None
    try:
        return _check_plan(plan, store, jobs, progress)
    except DamagedOutline:
        # A compact outline of the bundle was damaged: the bundle is a miss, as any damaged entry.
        store.discard("outlines", plan.root_key())
        return _check_plan(plan, store, jobs, progress, bundle=False)


def _check_plan(plan: "TreePlan", store: Optional[DiskCache], jobs, progress, bundle: bool = True) -> CheckRun:

    def load() -> Workspace:
        """The whole workspace (for a backend that asks after a warm or incremental run)."""
        return load_workspace(plan.paths, plan.root, parse_many=CachedParser(plan, store, jobs, progress),
                              discovered=plan.all_files)

    def resolve_some(ids: set[str]) -> tuple[Resolution, dict[str, tuple]]:
        try:
            return _resolve_some(ids, True)
        except DamagedOutline:
            store.discard("outlines", plan.root_key())
            return _resolve_some(ids, False)

    def _resolve_some(ids: set[str], bundle: bool) -> tuple[Resolution, dict[str, tuple]]:
        parser = CachedParser(plan, store, jobs, False, outlines=store is not None, bundle=bundle)
        ws = load_workspace(plan.paths, plan.root, parse_many=parser, discovered=plan.all_files)
        _lazy_files(ws)
        structure = structure_of(ws)
        parser.complete(ws, upward_closure(ids, structure))
        return resolve(ws, only=ids), structure

    id_hashes = {plan.policy_id(path): plan.hashes[path] for path in plan.ordered}
    tree_key = plan.tree_key() if store is not None and plan.cacheable else None
    if tree_key is not None:
        snapshot = store.get("runs", tree_key, root=plan.root, expect=Snapshot)
        if snapshot is not None:
            ws = _workspace_from_snapshot(plan, snapshot, load)
            run = CheckRun(ws, None, snapshot.diagnostics, suppressed=snapshot.suppressed)
            run.stats.update(mode="warm", parsed=0, examined=0, cache=store.directory)
            run.hashes, run._resolve_some = id_hashes, resolve_some
            prune_if_due(store.directory)
            return run

    # Cached files come as outlines first: what a change affects is decided from headers alone,
    # and only the files to be resolved get their declarations.
    parser = CachedParser(plan, store, jobs, progress, outlines=store is not None, bundle=bundle)
    ws = load_workspace(plan.paths, plan.root, parse_many=parser, discovered=plan.all_files)
    lazy = _lazy_files(ws)
    previous = store.get("latest", plan.root_key(), root=plan.root, expect=Findings) if store is not None else None
    structure = None
    if lazy and previous is not None:
        structure = _unchanged_structure(plan, ws, previous, parser, id_hashes)
    if structure is None:
        structure = structure_of(ws)
    affected = previous.changed_and_affected(id_hashes, structure) if previous is not None else None
    parser.complete(ws, affected)
    # After a small change only the affected policies (and what they build on) are resolved;
    # a backend that needs every policy resolves the rest when it asks (CheckRun.resolution).
    resolution = _resolve_affected(ws, affected, structure, previous, lazy)
    bar = _bar("check", None, progress)
    from .semantics.checks.binding import proof_store

    with proof_store(store):
        findings, remembered, examined = check_incrementally(ws, resolution, id_hashes, structure, affected,
                                                             previous)
    bar.advance(examined)
    bar.close()
    diags = list(ws.diagnostics) + findings
    if not lazy or _may_have_follow_ons(ws):
        diags = drop_follow_ons(ws, diags)
    diags, suppressed = apply_configuration(_configuration_view(ws, plan, structure) if lazy else ws, diags)
    diags = sort_diagnostics(diags)
    suppressed.sort(key=lambda s: s.diagnostic.sort_key())
    # A run in which a check failed is not remembered: the next run tries the check again.
    failed = any(d.code == INTERNAL_ERROR_CODE for d in diags)
    if store is not None and not parser.unstable and not failed:
        # Both entries hold most of the same findings: encoded together, each finding once.
        entries = []
        if remembered is not None:
            entries.append(("latest", plan.root_key(), remembered))
        if tree_key is not None:
            entries.append(("runs", tree_key, Snapshot(diags, suppressed, dict(ws.paths), set(ws.syntax_errors),
                                                       list(ws.diagnostics))))
        if entries:
            store.put_many(entries, root=plan.root)
    if store is not None:
        prune_if_due(store.directory)  # at most once a day: entries not used for a month
    if parser.pending:  # some files are outlines: a backend that needs them whole loads them then
        parser.pending.clear()
        ws = LazyWorkspace(ws.root, None, ws.paths, ws.sources, ws.diagnostics, ws.syntax_errors, ws.targets,
                           load=load)
    run = CheckRun(ws, None if resolution.partial else resolution, diags, suppressed=suppressed)
    run.hashes, run.structure, run.checked_resolution = id_hashes, structure, resolution
    run._resolve_some = resolve_some if store is not None else None
    run.stats.update(mode="incremental" if examined < len(resolution.order) else "full",
                     parsed=parser.parsed, from_cache=parser.from_cache, examined=examined,
                     cache=store.directory if store is not None else None)
    return run


def _lazy_files(ws: Workspace) -> bool:
    """Whether some files came as compact outlines not decoded yet: ws.files is then an
    OutlineFiles, which decodes each when it is first looked up."""
    if not any(type(pf) is Undecoded for pf in ws.files.values()):
        return False
    ws.files = OutlineFiles(ws.files)
    return True


def _shape(pf: PolicyFile) -> tuple:
    """All of a file that `structure_of`, the bindings of `uses` lines, the policy windows and the
    resolver's header and graph checks read: its header items and `uses` lines (without places)."""
    return (tuple((item.key, item.value) for item in pf.header),
            tuple((use.policy_id, use.alias) for use in pf.uses))


def _unchanged_structure(plan: TreePlan, ws: Workspace, previous: "Findings", parser: "CachedParser",
                         id_hashes: dict[str, Optional[str]]) -> Optional[dict[str, tuple]]:
    """The last run's structure when it is this tree's too (`structure_of` would give it again):
    the same policies, and each changed file parsed then and now with the same header and `uses`
    lines (its outline of then is in the bundle). None when that is not known."""
    old = previous.structure
    if parser.bundle is None or len(old) != len(ws.paths) or any(pid not in old for pid in ws.paths):
        return None
    for pid in ws.paths:
        digest, before_digest = id_hashes.get(pid), previous.hashes.get(pid)
        if digest == before_digest and digest is not None:
            continue
        path = ws.paths[pid]
        now = ws.files.get(pid)
        if now is None or digest is None or before_digest is None or not old[pid][2]:
            return None
        key = _parse_key(plan.root, path, before_digest)
        try:
            record = parser.bundle.record(key)
            if record is None:  # not in the bundle: in the file's own entry, unless pruned
                entry = parser.cache.entry("parse", key, root=plan.root)
                if entry is None:
                    return None
                before = entry.part(0, ParseEntry).file
            else:
                table, line = record
                if is_compact_outline(line):
                    before = decode_outline(line, path, pid, parser.bundle.root)
                else:
                    before = parser.bundle.decode(table, line, ParseEntry).file
        except Exception:  # noqa: BLE001 - a damaged record: the structure is computed instead
            return None
        if before is None or _shape(before) != _shape(now):
            return None
    return old


def _resolve_affected(ws: Workspace, affected: Optional[set[str]], structure: dict[str, tuple],
                      previous: Optional["Findings"], lazy: bool) -> Resolution:
    """resolve(ws, only=affected), reading only the files of the affected chains when the last run
    says that is the same (resolve.Scope): it resolved every policy without an error and gave the
    tree's order, and the structure is the same (so every header is)."""
    if (affected is None or not lazy or previous is None or not previous.order
            or previous.structure is not structure
            or any(d.severity == "error" for diags in previous.resolved_by_policy.values() for d in diags)):
        return resolve(ws, only=affected)
    ids = upward_closure(affected, structure)
    outside = {pid: entry[0] for pid, entry in structure.items() if pid not in ids and entry[2] and entry[0]}
    try:
        return resolve(ws, only=affected, scope=Scope(frozenset(ids), outside, previous.order))
    except ScopeMismatch:
        return resolve(ws, only=affected)


def _may_have_follow_ons(ws: Workspace) -> bool:
    """Whether drop_follow_ons can drop anything: a syntax error, or a file with unreadable names
    (a compact outline has none, so the files not decoded need not be)."""
    if ws.syntax_errors:
        return True
    files = ws.files
    return any(getattr(files[pid], "unreadable", None) for pid in list(dict.keys(files)) if files.decoded(pid))


class _ConfigurationView(Workspace):
    """The workspace as configuration needs it (config.configure): the files that may hold an
    in-line `ignore` comment (those decoded already, and those whose bytes say `ignore`), and
    each policy's chain as written, from the structure."""

    __slots__ = ("_parents",)

    def __init__(self, root, files, paths, sources, diagnostics, syntax_errors, targets, parents):
        super().__init__(root, files, paths, sources, diagnostics, syntax_errors, targets)
        self._parents = parents

    def written_chain(self, policy_id: Optional[str]) -> list[str]:
        out, seen, cur = [], set(), policy_id
        while cur and cur not in seen:
            seen.add(cur)
            out.append(cur)
            entry = self._parents.get(cur)
            cur = entry[0] if entry is not None and entry[2] else None
        return out


def _configuration_view(ws: Workspace, plan: TreePlan, structure: dict[str, tuple]) -> Workspace:
    files = ws.files
    shown: dict[str, PolicyFile] = {}
    for pid in list(dict.keys(files)):
        if not files.decoded(pid):
            data = plan.contents.get(ws.paths.get(pid))
            if data is not None and b"ignore" not in data:
                continue  # no comment of it can be a suppression (config.SUPPRESSION)
        shown[pid] = files[pid]
    return _ConfigurationView(ws.root, shown, ws.paths, ws.sources, ws.diagnostics, ws.syntax_errors, ws.targets,
                              structure)


@attrs.frozen
class Snapshot:
    """What the cache keeps of a whole run: its findings and what a workspace is rebuilt from."""

    diagnostics: list[Diagnostic]
    suppressed: list[Suppressed]
    paths: dict[str, str]
    syntax_errors: set[str]
    load_diagnostics: list[Diagnostic]


# The pipeline's own classes a cache entry may hold (see policylang.cache._registry).
CACHED_CLASSES = (ParseEntry, Findings, Snapshot)


def _workspace_from_snapshot(plan: TreePlan, snapshot: Snapshot, load: Callable[[], Workspace]) -> Workspace:
    from .diagnostics import SourceCache

    sources = SourceCache()
    for path in plan.ordered:
        data = plan.contents[path]
        if data is None:
            sources.add(path, "")  # not read (PL001): never opened again to show a line of it
        else:
            text = _parse_result_text(data)
            if text:
                sources.add(path, text)
    return LazyWorkspace(plan.root, None, snapshot.paths, sources, snapshot.load_diagnostics,
                         snapshot.syntax_errors, plan.targets(), load=load)


class LazyWorkspace(Workspace):
    """A Workspace whose parsed files are read (from the parse cache) only when first asked for."""

    __slots__ = ("_files", "_load")

    def __init__(self, root, files, paths, sources, diagnostics, syntax_errors, targets, load=None):
        self._files = files
        self._load = load
        super().__init__(root, files, paths, sources, diagnostics, syntax_errors, targets)

    @property
    def files(self):
        if self._files is None and self._load is not None:
            self._files = self._load().files
        return self._files

    @files.setter
    def files(self, value):
        self._files = value
