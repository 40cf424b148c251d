"""The on-disk cache that makes repeated checks of a large tree fast.

Where: $POLICYLANG_CACHE_DIR if set, else a folder of the user's cache directory
($XDG_CACHE_HOME/policylang/, or ~/.cache/policylang/) named by a hash of the
tree root's absolute path; never inside the checked tree. $POLICYLANG_NO_CACHE
turns it off. A folder that someone else could have written is not used: one
owned by another user, writable by everyone, or tracked by git (a cache
committed into a policy repository); `open_cache` says so on stderr and the
check runs without a cache.

What: JSON, one file per entry under `<namespace>/<key[:2]>/<key>.json`:

- parse/  the parse of one file, keyed by a hash of its bytes and its policy id,
          in two parts decoded separately: its outline (header, `uses`,
          comments, syntax diagnostics) and its declarations;
- runs/   the final diagnostics of a whole tree, keyed by the hashes of all its
          files and of the configuration;
- latest/ per tree root, the checker's findings per policy of the last run,
          for re-checking only what a change touches;
- outlines/ per tree root, a bundle of the outlines (the first part of the
          parse entry) of every file of the tree, read with one call and each
          record decoded only when its file is looked up (`Bundle`);
- proofs/ the binding proofs' verdicts (semantics/checks/binding.py), keyed by
          the content of the definitions both sides of a proof read.

Entries not used for 30 days are removed (see "pruning" below; `policylang
cache clean`).

An entry is a header line [magic, format, key, root, path table, number of
parts], then one line per part. Reading one never runs code and never imports
anything: the JSON holds plain values and tagged objects ({"T": [...]} a
tuple, {"D": "1.5"} a Decimal, {"A": ["Span", ...]} an instance of a
registered class...; see "encoding" below), and objects are rebuilt only as
instances of the classes of `_registry()` (the AST nodes of
policylang.syntax.ast, Diagnostic, Related, Suppressed and the pipeline's own
entry classes), each field checked against the class's type annotations.
Anything else (an unknown tag or class, a wrong field, a float, a truncated
file, an entry that is not a regular file of this user's that only this user
may write) is a miss: the entry is ignored and removed.

Every key also includes `code_fingerprint()`: the package version, the Python
version and a hash of the package's own source files and grammar, so an entry
written by other code is never read. An entry is therefore never stale; any
entry can be deleted at any time (the whole folder too). Writes go to a
temporary file renamed into place, so a crash or a concurrent run never leaves a
half-written entry under a real name.

File paths inside entries are stored relative to the root they were written
under ({"P": n} names the n-th path of the entry's table), so when an entry is
read under another root (the tree was moved or copied) every path below the old
root points below the new one.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import itertools
import json
import os
import re
import stat
import subprocess
import sys
import threading
import time as _time
import typing
from decimal import Decimal
from typing import Any, Callable, Optional

import attrs

from . import __version__
from .userdirs import make_private_dirs as _make_private_dirs, user_cache_home

CACHE_FORMAT = 2
MAGIC = "policylang-cache"
ENV_DIR = "POLICYLANG_CACHE_DIR"
ENV_DISABLE = "POLICYLANG_NO_CACHE"
# Where the cache used to live (beside the tree's root). Never read any more.
LEGACY_DIR_NAME = ".policylang-cache"
ENTRY_SUFFIX = ".json"
# An entry larger than this is not read (the largest, a 10,000-policy tree's findings, is ~10 MB).
MAX_ENTRY_BYTES = 256 * 1024 * 1024


def cache_enabled() -> bool:
    return not os.environ.get(ENV_DISABLE)


def cache_dir_for(root: str) -> Optional[str]:
    """The cache folder for a tree root: $POLICYLANG_CACHE_DIR, else one per root in the user's
    cache directory; None when there is no user cache directory (no home)."""
    configured = os.environ.get(ENV_DIR)
    if configured:
        return os.path.abspath(configured)
    base = user_cache_home()
    if base is None:
        return None
    root = os.path.abspath(root)
    name = hashlib.sha256(root.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return os.path.join(base, "policylang", name)


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of everything that decides what the tool computes: version, Python, own sources and the
    data shipped with them (the working-day calendar, semantics/data/*.json)."""
    digest = hashlib.sha256()
    digest.update(f"policylang {__version__}\0format {CACHE_FORMAT}\0{sys.version}\0".encode())
    package_dir = os.path.dirname(os.path.abspath(__file__))
    for dirpath, dirnames, filenames in os.walk(package_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        for name in sorted(filenames):
            if name.endswith((".py", ".lark", ".json")):
                path = os.path.join(dirpath, name)
                digest.update(os.path.relpath(path, package_dir).encode() + b"\0")
                try:
                    with open(path, "rb") as fh:
                        digest.update(hashlib.sha256(fh.read()).digest())
                except OSError:
                    digest.update(b"unreadable")
    return digest.hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_key(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


# ---------------------------------------------------------------- the classes an entry may hold


class BadEntry(ValueError):
    """An entry that is not one this code wrote: unknown tag or class, wrong fields, bad header."""


# How a field of a registered class is written and checked, from its type annotation:
_ANY = 0  # any value (an annotation that says nothing checkable, e.g. `object`)
_TYPES = 1  # an instance of these types
_SPAN = 2  # a Span, written as a list [file, line, column, end line, end column, start, end]
_OPT_SPAN = 3  # None or a Span as above
_TUPLE_OF = 4  # a tuple whose items are instances of these types, written as a list
_TUPLE = 5  # a tuple whose items a predicate checks, written as a list
_PREDICATE = 6  # anything else a predicate checks (dicts, sets...), written tagged
_SIMPLE = (str, int, bool, Decimal, _dt.date, tuple, list, dict, set, frozenset)


def _check_for(hint, registered, span_class) -> tuple:
    """(kind, argument) for a type annotation. Annotations it does not understand accept any
    value: rebuilding is safe either way, the check keeps damaged entries out."""
    if hint is Any or hint is object:
        return (_ANY, None)
    if hint is None or hint is type(None):
        return (_TYPES, (type(None),))
    if hint is span_class:
        return (_SPAN, None)
    if isinstance(hint, type):
        return (_TYPES, (hint,)) if hint in _SIMPLE or hint in registered else (_ANY, None)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union:
        if set(args) == {span_class, type(None)}:
            return (_OPT_SPAN, None)
        parts = [_value_check(a, registered, span_class) for a in args]
        if any(kind == _ANY for kind, _ in parts):
            return (_ANY, None)
        if all(kind == _TYPES for kind, _ in parts):
            return (_TYPES, tuple(t for _, types in parts for t in types))
        return (_PREDICATE, lambda v: any(_ok(p, v) for p in parts))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _value_check(args[0], registered, span_class)
        if item[0] == _ANY:
            return (_TUPLE, lambda v: True)
        if item[0] == _TYPES:
            return (_TUPLE_OF, item[1])
        return (_TUPLE, lambda v: all(_ok(item, x) for x in v))
    if origin is tuple and args:
        items = [_value_check(a, registered, span_class) for a in args]
        return (_TUPLE, lambda v: len(v) == len(items) and all(map(_ok, items, v)))
    if origin in (tuple, list, set, frozenset):
        item = _value_check(args[0], registered, span_class) if args else (_ANY, None)
        return (_PREDICATE, lambda v: type(v) is origin and all(_ok(item, x) for x in v))
    if origin is dict:
        key, value = ([_value_check(a, registered, span_class) for a in args] if len(args) == 2
                      else [(_ANY, None)] * 2)
        return (_PREDICATE, lambda v: type(v) is dict and all(_ok(key, k) and _ok(value, x) for k, x in v.items()))
    return (_ANY, None)


def _value_check(hint, registered, span_class) -> tuple:
    """A check of a value nested in a container (written tagged, like any value)."""
    kind, arg = _check_for(hint, registered, span_class)
    if kind in (_SPAN, _OPT_SPAN):
        return (_TYPES, (span_class,) if kind == _SPAN else (span_class, type(None)))
    if kind == _TUPLE_OF:
        return (_PREDICATE, lambda v: type(v) is tuple and all(map(isinstance, v, itertools.repeat(arg, len(v)))))
    if kind == _TUPLE:
        return (_PREDICATE, lambda v: type(v) is tuple and arg(v))
    return (kind, arg)


def _ok(check: tuple, value) -> bool:
    kind, arg = check
    if kind == _ANY:
        return True
    if kind == _TYPES:
        return isinstance(value, arg)
    return arg(value)


class _Layout:
    """How instances of one registered class are written and rebuilt."""

    def __init__(self, cls: type, names: tuple[str, ...], kinds: tuple[tuple, ...]):
        self.cls = cls
        self.tag = cls.__name__
        self.names = names
        self.kinds = kinds
        self.count = len(names) + 1  # a payload is [tag, *fields]
        self.checked = tuple((i + 1, kind, arg) for i, (kind, arg) in enumerate(kinds) if kind != _ANY)
        # The fields checked by type alone and the fields that are spans: most classes have no
        # others, and are rebuilt by the short path of `build`.
        self.typed = tuple((i, arg) for i, kind, arg in self.checked if kind == _TYPES)
        self.spans = tuple(i for i, kind, _ in self.checked if kind == _SPAN)
        self.simple = all(kind in (_TYPES, _SPAN) for _, kind, _ in self.checked)

    def build(self, payload: list, span):
        """The instance a payload describes (payload is a fresh list: its items are replaced)."""
        if len(payload) != self.count:
            raise BadEntry(f"{self.tag} takes {self.count - 1} fields")
        if self.simple:
            for i, arg in self.typed:
                if not isinstance(payload[i], arg):
                    raise BadEntry(f"{self.tag}.{self.names[i - 1]}")
            for i in self.spans:
                payload[i] = span(payload[i])
            return self.cls(*payload[1:])
        for i, kind, arg in self.checked:
            v = payload[i]
            if kind == _TYPES:
                if not isinstance(v, arg):
                    raise BadEntry(f"{self.tag}.{self.names[i - 1]}")
            elif kind == _SPAN:
                payload[i] = span(v)
            elif kind == _TUPLE_OF:
                if type(v) is not list or not all(map(isinstance, v, itertools.repeat(arg, len(v)))):
                    raise BadEntry(f"{self.tag}.{self.names[i - 1]}")
                payload[i] = tuple(v)
            elif kind == _OPT_SPAN:
                if v is not None:
                    payload[i] = span(v)
            elif kind == _TUPLE:
                if type(v) is not list or not arg(v):
                    raise BadEntry(f"{self.tag}.{self.names[i - 1]}")
                payload[i] = tuple(v)
            elif not arg(v):
                raise BadEntry(f"{self.tag}.{self.names[i - 1]}")
        return self.cls(*payload[1:])


@functools.lru_cache(maxsize=1)
def _registry() -> dict:
    """The only classes an entry may hold, by class and by tag: the AST nodes of
    policylang.syntax.ast, Diagnostic, Related and Suppressed, and the pipeline's own entry classes. Each
    field is checked against the class's annotations. Nothing else is ever instantiated, and
    nothing is imported by name."""
    from . import diagnostics, pipeline
    from .syntax import ast

    classes = [c for c in vars(ast).values()
               if isinstance(c, type) and attrs.has(c) and c.__module__ == ast.__name__]
    classes += [diagnostics.Diagnostic, diagnostics.Related, diagnostics.Suppressed]
    classes += list(pipeline.CACHED_CLASSES)
    if len({c.__name__ for c in classes}) != len(classes):
        raise RuntimeError("two cached classes share a name")
    registry: dict = {}
    for cls in classes:
        names = tuple(f.name for f in attrs.fields(cls) if f.init)
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # noqa: BLE001 - an annotation that cannot be evaluated checks nothing
            hints = {}
        kinds = tuple(_check_for(hints.get(n, Any), classes, ast.Span) for n in names)
        layout = _Layout(cls, names, kinds)
        registry[cls] = registry[layout.tag] = layout
    return registry


# ---------------------------------------------------------------- encoding
#
# Plain JSON values stand for themselves (strings, integers, true/false/null, lists). Every JSON
# object has exactly one key, its tag:
#   {"A": [class, field...]}  an instance of a registered class, fields in declaration order;
#                             a field annotated as a Span is the list [file, line, column, end
#                             line, end column, start, end] and one annotated as a tuple a list
#   {"s": [file, line...]}    a Span anywhere else
#   {"P": n}                  the n-th path of the entry's table, below the root it is read
#                             under (a span's file may be that index itself)
#   {"R": [text, text...]}    a text that mentions the root: the pieces around each mention
#   {"T": [...]} tuple   {"S": [...]} set   {"F": [...]} frozenset   {"M": [k, v, k, v...]} dict
#   {"D": "1.50"} Decimal   {"d": "2021-01-01"} date
# Floats, NaN and infinities never occur; reading one is a miss.


def _root_mention(root: str):
    """Where a text mentions the root folder itself (not a longer name starting the same way)."""
    return re.compile(re.escape(root) + r"(?![\w.\-])")


class _Encoder:
    """Values -> JSON-ready values; paths below the root go into a table of relative paths."""

    def __init__(self, root: Optional[str]):
        from .syntax.ast import Span

        self.root = root
        self.prefix = None if root is None else root + os.sep
        self.mention = None if root is None else _root_mention(root)
        self.paths: dict[str, int] = {}
        self.table: list[str] = []
        self.registry = _registry()
        self.span_class = Span
        # id -> (instance, its encoded form) when several entries are encoded together
        # (`encode_entries`): the same finding in the run's findings and in its snapshot is encoded
        # once. The instances are frozen and kept alive here, so an id cannot be reused meanwhile.
        self.memo: Optional[dict[int, tuple]] = None

    def text(self, v: str):
        prefix = self.prefix
        if prefix is None or self.root not in v:
            return v
        if v.startswith(prefix):
            index = self.paths.get(v)
            if index is None:
                index = self.paths[v] = len(self.table)
                self.table.append(v[len(prefix):])
            return {"P": index}
        pieces = self.mention.split(v)
        return v if len(pieces) == 1 else {"R": pieces}

    def span(self, v) -> list:
        if type(v) is not self.span_class:
            raise TypeError("not a Span")
        file = self.text(v.file)
        if type(file) is dict and "P" in file:
            file = file["P"]
        return [file, v.line, v.column, v.end_line, v.end_column, v.start_pos, v.end_pos]

    def encode(self, v):
        t = type(v)
        if t is str:
            return self.text(v)
        if v is None or t is bool or t is int:
            return v
        enc = self.encode
        layout = self.registry.get(t)
        if layout is not None:
            memo = self.memo
            if memo is not None:
                seen = memo.get(id(v))
                if seen is not None and seen[0] is v:
                    return seen[1]
            payload = [layout.tag]
            for name, (kind, _) in zip(layout.names, layout.kinds):
                value = getattr(v, name)
                if kind == _SPAN or (kind == _OPT_SPAN and value is not None):
                    payload.append(self.span(value))
                elif kind == _TUPLE_OF or kind == _TUPLE:
                    if type(value) is not tuple:
                        raise TypeError(f"{layout.tag}.{name} is not a tuple")
                    payload.append([enc(x) for x in value])
                else:
                    payload.append(enc(value))
            if memo is not None:
                memo[id(v)] = (v, {"A": payload})
                return memo[id(v)][1]
            return {"A": payload}
        if t is self.span_class:
            return {"s": self.span(v)}
        if t is tuple:
            return {"T": [enc(x) for x in v]}
        if t is list:
            return [enc(x) for x in v]
        if t is dict:
            return {"M": [enc(x) for item in v.items() for x in item]}
        if t is set:
            return {"S": [enc(x) for x in v]}
        if t is frozenset:
            return {"F": [enc(x) for x in v]}
        if t is Decimal:
            return {"D": str(v)}
        if t is _dt.date:
            return {"d": v.isoformat()}
        raise TypeError(f"a {t.__name__} cannot be cached")


def _normal_root(root: Optional[str]) -> Optional[str]:
    return None if root is None else os.path.abspath(root).rstrip(os.sep) or os.sep


def encode_entry(key: str, parts: list, root: Optional[str]) -> bytes:
    """The bytes of an entry: a header line [magic, format, key, root, path table, number of
    parts], then each part on a line of its own (JSON never holds a raw newline), so that a
    reader can decode the parts it needs and leave the others."""
    return encode_entries([(key, parts)], root)[0]


def encode_entries(entries: list[tuple[str, list]], root: Optional[str]) -> list[bytes]:
    """The bytes of several entries (each as `encode_entry` gives it), with one encoder: an object
    that several of them hold is encoded once, and they share one path table."""
    root = _normal_root(root)
    encoder = _Encoder(root)
    if len(entries) > 1:
        encoder.memo = {}
    bodies = [[encoder.encode(part) for part in parts] for _key, parts in entries]
    return [_entry_bytes([MAGIC, CACHE_FORMAT, key, root, encoder.table, len(own)], own)
            for (key, _parts), own in zip(entries, bodies)]


def _entry_bytes(header: list, bodies: list) -> bytes:
    lines = []
    for value in (header, *bodies):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), check_circular=False, allow_nan=False)
        try:
            lines.append(text.encode("utf-8"))
        except UnicodeEncodeError:  # a lone surrogate in some text: \u-escape everything instead
            lines.append(json.dumps(value, separators=(",", ":"), check_circular=False,
                                    allow_nan=False).encode("ascii"))
    return b"\n".join(lines)


# ---------------------------------------------------------------- decoding


def _reject_number(text: str):
    raise BadEntry(f"not a value an entry holds: {text[:20]}")


def _list(payload) -> list:
    if type(payload) is not list:
        raise BadEntry("expected a list")
    return payload


def _mapping(payload) -> dict:
    if type(payload) is not list or len(payload) % 2:
        raise BadEntry("mapping")
    items = iter(payload)
    return dict(zip(items, items))


def _decimal(payload) -> Decimal:
    if type(payload) is not str:
        raise BadEntry("decimal")
    return Decimal(payload)


def _date(payload) -> _dt.date:
    if type(payload) is not str:
        raise BadEntry("date")
    return _dt.date.fromisoformat(payload)


class _Decoder:
    """Turns the JSON of one part into values: the hook of a single JSONDecoder, reading the
    path table of the entry being decoded (decoding is serialised by a lock)."""

    def __init__(self):
        from .syntax.ast import Span

        self.registry = _registry()
        self.span_class = Span
        self.paths: list[str] = []
        self.root: Optional[str] = None
        self.lock = threading.Lock()
        self.tags = {"A": self.instance, "s": self.span, "P": self.path, "R": self.mention,
                     "T": lambda p: tuple(_list(p)), "S": lambda p: set(_list(p)),
                     "F": lambda p: frozenset(_list(p)), "M": _mapping, "D": _decimal, "d": _date}
        # object_pairs_hook: the scanner hands over the pairs of each object without building a dict
        self.json = json.JSONDecoder(object_pairs_hook=self.hook, parse_float=_reject_number,
                                     parse_constant=_reject_number)

    def decode(self, line: bytes, paths: list[str], root: Optional[str]):
        text = line.decode("utf-8")
        with self.lock:
            self.paths, self.root = paths, root
            try:
                return self.json.decode(text)
            finally:
                self.paths, self.root = [], None

    def hook(self, pairs: list):
        (tag, payload), = pairs  # exactly one key, or a ValueError
        if tag == "A":
            return self.instance(payload)
        return self.tags[tag](payload)

    def path(self, index) -> str:
        paths = self.paths
        if type(index) is not int or not 0 <= index < len(paths):
            raise BadEntry("path")
        return paths[index]

    def mention(self, pieces) -> str:
        if (type(pieces) is not list or len(pieces) < 2 or not all(type(p) is str for p in pieces)
                or self.root is None):
            raise BadEntry("text")
        return self.root.join(pieces)

    def span(self, p):
        if type(p) is not list or len(p) != 7:
            raise BadEntry("span")
        file, line, column, end_line, end_column, start, end = p
        if (type(line) is not int or type(column) is not int or type(end_line) is not int
                or type(end_column) is not int or type(start) is not int or type(end) is not int):
            raise BadEntry("span")
        if type(file) is int:
            paths = self.paths
            if not 0 <= file < len(paths):
                raise BadEntry("path")
            file = paths[file]
        elif type(file) is not str:
            raise BadEntry("span file")
        return self.span_class(file, line, column, end_line, end_column, start, end)

    def instance(self, payload):
        if type(payload) is not list or not payload or type(payload[0]) is not str:
            raise BadEntry("instance")
        layout = self.registry.get(payload[0])
        if layout is None:
            raise BadEntry(f"not a class an entry may hold: {payload[0][:80]!r}")
        return layout.build(payload, self.span)


@functools.lru_cache(maxsize=1)
def _decoder() -> _Decoder:
    return _Decoder()


_HEADER = json.JSONDecoder(parse_float=_reject_number, parse_constant=_reject_number)


class Entry:
    """An entry read back: its header checked; each part decoded when asked for.

    Decoding raises (BadEntry, ValueError, TypeError…) on anything this code would not have
    written; callers treat any exception as a miss."""

    __slots__ = ("lines", "root", "paths", "table")

    def __init__(self, data: bytes, key: str, root: Optional[str]):
        lines = data.split(b"\n")
        header = _HEADER.decode(lines[0].decode("utf-8"))
        if (type(header) is not list or len(header) != 6 or header[0] != MAGIC or header[1] != CACHE_FORMAT
                or header[2] != key or not (header[3] is None or type(header[3]) is str)
                or type(header[4]) is not list or not all(type(p) is str for p in header[4])
                or header[5] != len(lines) - 1):
            raise BadEntry("not an entry of this format and key")
        stored_root, table = header[3], header[4]
        if stored_root is None and table:
            raise BadEntry("paths without a root")
        self.lines = lines
        self.table = table
        self.root = _normal_root(root) if root is not None else stored_root
        prefix = "" if self.root is None else self.root + os.sep
        self.paths = [prefix + p for p in table]

    def __len__(self) -> int:
        return len(self.lines) - 1

    def part(self, index: int, expect: Optional[type] = None) -> Any:
        value = _decoder().decode(self.lines[index + 1], self.paths, self.root)
        if expect is not None and type(value) is not expect:
            raise BadEntry(f"not a {expect.__name__}")
        return value


def first_part(data: bytes) -> Optional[tuple[list, bytes]]:
    """(path table, first part's line) of the bytes of an entry this code wrote, for a bundle
    (`Bundle`); None when it has no first part."""
    head, _, rest = data.partition(b"\n")
    line = rest.partition(b"\n")[0]
    if not line:
        return None
    table = _HEADER.decode(head.decode("utf-8"))[4]
    return table, line


class Bundle:
    """The first parts of many entries of one namespace in one file (the outlines of every file of
    a tree: one read instead of thousands). Written as a header line [magic, format, key, root,
    [], number of records], then two lines per record: [entry key, path table] and the entry's
    first part as it was in the entry. A record is decoded only when asked for, exactly as the
    entry's own part would be (`Entry.part`); a record that cannot be decoded is a miss."""

    __slots__ = ("lines", "root", "prefix", "index")

    def __init__(self, data: bytes, key: str, root: Optional[str]):
        lines = data.split(b"\n")
        header = _HEADER.decode(lines[0].decode("utf-8"))
        if (type(header) is not list or len(header) != 6 or header[0] != MAGIC or header[1] != CACHE_FORMAT
                or header[2] != key or header[4] != [] or type(header[5]) is not int
                or 2 * header[5] != len(lines) - 1):
            raise BadEntry("not a bundle of this format and key")
        self.lines = lines
        self.root = _normal_root(root) if root is not None else header[3]
        self.prefix = "" if self.root is None else self.root + os.sep
        index: dict[str, int] = {}
        for i in range(1, len(lines), 2):
            # the record's key: the JSON line starts ["<64 hex digits>", (checked again when decoded)
            index[lines[i][2:66].decode("ascii", "replace")] = i
        self.index = index

    def record(self, key: str) -> Optional[tuple[list, bytes]]:
        """(path table, first part's line) stored for `key`, or None."""
        i = self.index.get(key)
        if i is None:
            return None
        meta = _HEADER.decode(self.lines[i].decode("utf-8"))
        if (type(meta) is not list or len(meta) != 2 or meta[0] != key or type(meta[1]) is not list
                or not all(type(p) is str for p in meta[1])):
            raise BadEntry("bundle record")
        return meta[1], self.lines[i + 1]

    def decode(self, table: list, line: bytes, expect: Optional[type] = None) -> Any:
        if table and self.root is None:
            raise BadEntry("paths without a root")
        prefix = self.prefix
        value = _decoder().decode(line, [prefix + p for p in table], self.root)
        if expect is not None and type(value) is not expect:
            raise BadEntry(f"not a {expect.__name__}")
        return value


# ---------------------------------------------------------------- compact outlines
#
# Most files' outlines are a header, `uses` lines and comments, every span in the file itself,
# no syntax diagnostic and nothing unreadable. Such an outline is kept in a bundle as one flat
# JSON array, read by the plain JSON decoder (no hook per object) and rebuilt by `decode_outline`
# with every value's type checked:
#   ["O", path below the root, policy id,
#    [key, value, line, column, end line, end column, start, end, ...]   the header items
#    [policy id, alias, line, column, end line, end column, start, end, ...]   the `uses` lines
#    [text, line, column, ...]]   the comments
# where a header value is a text or {"d": "2021-01-01"} (a date). Any other outline is kept in
# the general form (the entry's own first part).

OUTLINE_TAG = "O"
_COMPACT_START = b'["O",'


def encode_outline(file, root: Optional[str]) -> Optional[bytes]:
    """The compact line of an outline (a PolicyFile without declarations), or None when it does
    not have that simple form (see above)."""
    from .syntax.ast import Comment, HeaderItem, PolicyFile, Span, Uses

    root = _normal_root(root)
    if root is None or type(file) is not PolicyFile or file.decls or file.unreadable:
        return None
    path = file.path
    prefix = root + os.sep
    if type(path) is not str or not path.startswith(prefix) or type(file.policy_id) is not str:
        return None

    def plain(text) -> bool:
        return type(text) is str and root not in text

    def span_ok(s) -> bool:
        # (its numbers are the parser's integers; one that is not would make the line a miss when read)
        return type(s) is Span and s.file == path

    header: list = []
    for item in file.header:
        if type(item) is not HeaderItem or not plain(item.key) or not span_ok(item.span):
            return None
        value = item.value
        if type(value) is _dt.date:
            value = {"d": value.isoformat()}
        elif not plain(value):
            return None
        s = item.span
        header += [item.key, value, s.line, s.column, s.end_line, s.end_column, s.start_pos, s.end_pos]
    uses: list = []
    for use in file.uses:
        if type(use) is not Uses or not plain(use.policy_id) or not plain(use.alias) or not span_ok(use.span):
            return None
        s = use.span
        uses += [use.policy_id, use.alias, s.line, s.column, s.end_line, s.end_column, s.start_pos, s.end_pos]
    comments: list = []
    for comment in file.comments:
        if (type(comment) is not Comment or not plain(comment.text) or type(comment.line) is not int
                or type(comment.column) is not int):
            return None
        comments += [comment.text, comment.line, comment.column]
    if not plain(file.policy_id) or not plain(path[len(prefix):]):
        return None
    value = [OUTLINE_TAG, path[len(prefix):], file.policy_id, header, uses, comments]
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        return None


def is_compact_outline(line: bytes) -> bool:
    return line.startswith(_COMPACT_START)


def _ints(values) -> bool:
    return all(type(v) is int for v in values)


def decode_outline(line: bytes, path: str, policy_id: str, root: Optional[str]):
    """The outline a compact line holds (a PolicyFile without declarations), for the file at
    `path` (below `root`) with id `policy_id`; BadEntry (or another exception) for anything this
    code would not have written, or a line written for another file."""
    from .syntax.ast import Comment, HeaderItem, PolicyFile, Span, Uses

    root = _normal_root(root)
    value = _HEADER.decode(line.decode("utf-8"))
    if type(value) is not list or len(value) != 6 or value[0] != OUTLINE_TAG or root is None:
        raise BadEntry("not a compact outline")
    _tag, rel, pid, header, uses, comments = value
    if (type(rel) is not str or root + os.sep + rel != path or pid != policy_id or type(header) is not list
            or type(uses) is not list or type(comments) is not list or len(header) % 8 or len(uses) % 8
            or len(comments) % 3):
        raise BadEntry("compact outline")
    items = []
    date = _dt.date.fromisoformat
    for i in range(0, len(header), 8):
        key, v = header[i], header[i + 1]
        numbers = header[i + 2:i + 8]
        if type(key) is not str or not _ints(numbers):
            raise BadEntry("header item")
        if type(v) is dict:
            if len(v) != 1 or type(v.get("d")) is not str:
                raise BadEntry("header value")
            v = date(v["d"])
        elif type(v) is not str:
            raise BadEntry("header value")
        items.append(HeaderItem(key, v, Span(path, *numbers)))
    used = []
    for i in range(0, len(uses), 8):
        target, alias = uses[i], uses[i + 1]
        numbers = uses[i + 2:i + 8]
        if type(target) is not str or type(alias) is not str or not _ints(numbers):
            raise BadEntry("uses")
        used.append(Uses(target, alias, Span(path, *numbers)))
    notes = []
    for i in range(0, len(comments), 3):
        text, at, column = comments[i], comments[i + 1], comments[i + 2]
        if type(text) is not str or type(at) is not int or type(column) is not int:
            raise BadEntry("comment")
        notes.append(Comment(text, at, column))
    return PolicyFile(path, pid, tuple(items), tuple(used), (), tuple(notes))


def encode_bundle(key: str, records: list[tuple[str, list, bytes]], root: Optional[str]) -> bytes:
    """The bytes of a `Bundle` of (entry key, path table, first part's line) records."""
    lines = [json.dumps([MAGIC, CACHE_FORMAT, key, _normal_root(root), [], len(records)],
                        ensure_ascii=True, separators=(",", ":")).encode("ascii")]
    for entry_key, table, line in records:
        if len(entry_key) != 64 or b"\n" in line:
            raise ValueError("not a record")
        lines.append(json.dumps([entry_key, table], ensure_ascii=True, separators=(",", ":")).encode("ascii"))
        lines.append(line)
    return b"\n".join(lines)


def decode_entry(data: bytes, key: str, root: Optional[str]) -> list:
    """Every part of an entry's bytes, its paths moved below `root` (default: where it was written)."""
    entry = Entry(data, key, root)
    return [entry.part(i) for i in range(len(entry))]


def repath(value: Any, old_root: str, new_root: str) -> Any:
    """A copy of `value` with every path below old_root moved below new_root."""
    if os.path.abspath(old_root) == os.path.abspath(new_root):
        return value
    return decode_entry(encode_entry("", [value], old_root), "", new_root)[0]


# ---------------------------------------------------------------- whose folder is it


def _printable(text: str) -> str:
    """A path as it can be shown on a terminal: control and invisible characters escaped."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


_warned: set[str] = set()


def warn(message: str) -> None:
    """One line on stderr (once per process): never on stdout, which may be JSON or SARIF."""
    if message in _warned:
        return
    _warned.add(message)
    try:
        sys.stderr.write(f"policylang: warning: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _git_work_tree(path: str) -> Optional[str]:
    """The folder holding `.git` at or above path, if any."""
    probe = os.path.abspath(path)
    while True:
        if os.path.lexists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return None
        probe = parent


def tracked_by_git(folder: str) -> bool:
    """Whether git tracks any file in folder (False when it cannot tell: no git, no repository)."""
    if _git_work_tree(folder) is None:
        return False
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    try:
        out = subprocess.run(["git", "-c", "core.fsmonitor=false", "-C", folder, "ls-files", "-z", "--", "."],
                             capture_output=True, timeout=10, env=env, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError, ValueError):
        return False
    return out.returncode == 0 and bool(out.stdout.strip(b"\0"))


def folder_problem(folder: str) -> Optional[str]:
    """Why an existing cache folder must not be used (someone else could have written it), or None."""
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"it cannot be examined ({exc.strerror or exc})"
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return "it belongs to another user"
    if info.st_mode & stat.S_IWOTH:
        return "everyone may write in it"
    if tracked_by_git(folder):
        return "it is tracked by git (a cache is never committed; remove it from the repository)"
    return None


def open_cache(root: str) -> Optional["DiskCache"]:
    """The cache for a tree, or None (no place for it, or a folder not to be trusted)."""
    legacy = os.path.join(os.path.dirname(os.path.abspath(root)), LEGACY_DIR_NAME)
    if os.path.isdir(legacy) and tracked_by_git(legacy):
        warn(f"ignoring {_printable(legacy)}: it is tracked by git, and policylang never reads a cache "
             f"from the checked tree (remove it from the repository)")
    folder = cache_dir_for(root)
    if folder is None:
        return None
    problem = folder_problem(folder)
    if problem is not None:
        warn(f"not using the cache folder {_printable(folder)}: {problem}; checking without a cache")
        return None
    return DiskCache(folder)


# ---------------------------------------------------------------- the store


_ENTRY_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
                | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
_WRITE_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
                | getattr(os, "O_BINARY", 0))
_UID = os.geteuid() if hasattr(os, "geteuid") else None


def _read_entry(path: str) -> Optional[bytes]:
    """An entry file's bytes; None when absent; b"" when it is not a regular file of this user's
    that only this user may write, or too large (a miss either way)."""
    try:
        fd = os.open(path, _ENTRY_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES or info.st_mode & 0o022
                or (_UID is not None and info.st_uid != _UID)):
            return b""
        if _time.time() - info.st_mtime > TOUCH_AFTER_SECONDS:
            try:  # marked as used, for pruning (see "pruning" below); at most once an hour
                os.utime(fd)
            except OSError:
                pass
        chunks = []
        want = info.st_size + 1  # one byte more than stat says: a file that grew is read to its end
        size = 0
        while True:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_ENTRY_BYTES:
                return b""
            if len(chunk) < want:
                break  # a short read of a regular file is its end: one read call, not two
            want = max(want - len(chunk), 65536)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError:
        return b""
    finally:
        os.close(fd)


class DiskCache:
    """A folder of JSON entries. Every failure to read or write is a miss, never an error."""

    def __init__(self, directory: str):
        self.directory = directory
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self._folders: set[str] = set()
        self._written = 0

    def _path(self, namespace: str, key: str) -> str:
        return os.path.join(self.directory, namespace, key[:2], key + ENTRY_SUFFIX)

    def entry(self, namespace: str, key: str, root: Optional[str] = None) -> Optional[Entry]:
        """The entry stored under key, its header checked, its parts not yet decoded; None when
        absent or not one of ours (then it is removed)."""
        data = _read_entry(self._path(namespace, key))
        if data is None:
            self.misses += 1
            return None
        try:
            entry = Entry(data, key, root)
        except Exception:  # noqa: BLE001 - any damage to a cache entry just means "not cached"
            self.misses += 1
            self.discard(namespace, key)
            return None
        self.hits += 1
        return entry

    def get(self, namespace: str, key: str, root: Optional[str] = None, expect: Optional[type] = None) -> Any:
        """The (first) value stored under key, its paths moved below `root`; None when absent or
        not readable back (damaged, foreign, or not an instance of `expect`)."""
        entry = self.entry(namespace, key, root)
        if entry is None:
            return None
        try:
            return entry.part(0, expect)
        except Exception:  # noqa: BLE001 - any damage to a cache entry just means "not cached"
            self.hits -= 1
            self.misses += 1
            self.discard(namespace, key)
            return None

    def bundle(self, namespace: str, key: str, root: Optional[str] = None) -> Optional[Bundle]:
        """The bundle stored under key (see `Bundle`), or None (absent or damaged: removed)."""
        data = _read_entry(self._path(namespace, key))
        if not data:
            return None
        try:
            return Bundle(data, key, root)
        except Exception:  # noqa: BLE001 - any damage just means "not cached"
            self.discard(namespace, key)
            return None

    def put(self, namespace: str, key: str, value: Any, root: Optional[str] = None) -> bool:
        return self.put_parts(namespace, key, [value], root)

    def put_parts(self, namespace: str, key: str, parts: list, root: Optional[str] = None) -> bool:
        """Store several values under one key, each decodable on its own (`Entry.part`)."""
        try:
            data = encode_entry(key, parts, root)
        except Exception:  # noqa: BLE001 - a value that cannot be encoded is simply not cached
            return False
        return self.put_bytes(namespace, key, data)

    def put_many(self, items: list[tuple[str, str, Any]], root: Optional[str] = None) -> list[bool]:
        """Store several (namespace, key, value) at once, encoding what they share once
        (`encode_entries`)."""
        try:
            encoded = encode_entries([(key, [value]) for _namespace, key, value in items], root)
        except Exception:  # noqa: BLE001 - values that cannot be encoded are simply not cached
            return [False] * len(items)
        return [self.put_bytes(namespace, key, data) for (namespace, key, _value), data in zip(items, encoded)]

    def put_bytes(self, namespace: str, key: str, data: bytes) -> bool:
        path = self._path(namespace, key)
        folder = os.path.dirname(path)
        try:
            if folder not in self._folders:  # made (or found) once per run, not once per entry
                _make_private_dirs(folder)
                self._folders.add(folder)
            # A name of this process's own (pid and a counter; O_EXCL, so never an existing file or
            # link) instead of tempfile.mkstemp, whose random names cost more than the write itself.
            while True:
                self._written += 1
                tmp = os.path.join(folder, f".tmp-{os.getpid()}-{self._written}")
                try:
                    fd = os.open(tmp, _WRITE_FLAGS, 0o600)
                    break
                except FileExistsError:  # left by a process of the same pid that was killed
                    continue
            try:
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view):]
                finally:
                    os.close(fd)
                os.replace(tmp, path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError:
            self._folders.discard(folder)
            return False  # read-only or full disk: run uncached
        self.writes += 1
        return True

    def discard(self, namespace: str, key: str) -> None:
        try:
            os.unlink(self._path(namespace, key))
        except OSError:
            pass


# ---------------------------------------------------------------- pruning
#
# Every key holds the code fingerprint and every tree root has a folder of its own, so entries
# written by an older version of policylang, or for a tree that has since moved or gone, are never
# read again and would accumulate. As a build cache does (Go's, for one), entries are marked when
# used (their modification time is brought forward when it is over an hour old, `_read_entry`),
# and entries not used for `PRUNE_AFTER_DAYS` days are removed, at most once a day, after a check
# that used policylang's own folder (`prune_if_due`); `policylang cache clean` does it on demand.
# Pruning removes only regular files of this user's with the names policylang gives (entries,
# its temporary files, the grammar tables), inside policylang's folder, without following a
# symbolic link, and then the folders left empty.

PRUNE_AFTER_DAYS = 30
PRUNE_EVERY_SECONDS = 24 * 3600
TOUCH_AFTER_SECONDS = 3600
_PRUNE_MARKER = "last-pruned"
_ROOT_FOLDER_NAME = re.compile(r"[0-9a-f]{24}\Z")
_ENTRY_NAME = re.compile(r"(?:[0-9a-f]{64}\.json|\.tmp-[0-9]+-[0-9]+)\Z")
_TOP_FILE_NAME = re.compile(r"(?:grammar-[0-9a-f]{16}\.json|\.grammar-.*\.tmp)\Z")


def policylang_cache_home() -> Optional[str]:
    """policylang's folder of the user's cache directory (every tree root's folder is inside it)."""
    base = user_cache_home()
    return None if base is None else os.path.join(base, "policylang")


@attrs.frozen
class Pruned:
    files: int
    bytes: int
    folders: int


def _removable(entry: os.DirEntry, cutoff: float, pattern: "re.Pattern[str]") -> int:
    """The size of `entry` when it is one of policylang's files of this user's, not used since
    `cutoff`, and was removed; else -1."""
    if not pattern.match(entry.name):
        return -1
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return -1
    if not stat.S_ISREG(info.st_mode) or (_UID is not None and info.st_uid != _UID) or info.st_mtime >= cutoff:
        return -1
    try:
        os.unlink(entry.path)
    except OSError:
        return -1
    return info.st_size


def _private_folder(path: str) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and not info.st_mode & 0o022
            and (_UID is None or info.st_uid == _UID))


def prune_folder(folder: str, older_than_seconds: float, now: Optional[float] = None) -> Pruned:
    """Remove the entries of one tree's cache folder (`<namespace>/<xx>/<key>.json`) not used for
    `older_than_seconds`, and the folders left empty (the tree's own folder included)."""
    cutoff = (_time.time() if now is None else now) - older_than_seconds
    files = size = folders = 0
    if not _private_folder(folder):
        return Pruned(0, 0, 0)
    try:
        namespaces = [e for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return Pruned(0, 0, 0)
    for namespace in namespaces:
        try:
            shards = [e for e in os.scandir(namespace.path) if e.is_dir(follow_symlinks=False)]
        except OSError:
            continue
        for shard in shards:
            try:
                entries = list(os.scandir(shard.path))
            except OSError:
                continue
            for entry in entries:
                removed = _removable(entry, cutoff, _ENTRY_NAME)
                if removed >= 0:
                    files += 1
                    size += removed
            folders += _remove_if_empty(shard.path)
        folders += _remove_if_empty(namespace.path)
    return Pruned(files, size, folders)


def _remove_if_empty(path: str) -> int:
    try:
        os.rmdir(path)  # only an empty folder (never a link: rmdir does not follow one)
    except OSError:
        return 0
    return 1


def prune(older_than_seconds: float, home: Optional[str] = None, now: Optional[float] = None) -> Pruned:
    """Prune every tree's folder in policylang's cache folder (`home`, by default
    `policylang_cache_home()`), its grammar tables too, and remove the tree folders left empty."""
    home = policylang_cache_home() if home is None else home
    if home is None or not _private_folder(home):
        return Pruned(0, 0, 0)
    now = _time.time() if now is None else now
    files = size = folders = 0
    try:
        children = list(os.scandir(home))
    except OSError:
        return Pruned(0, 0, 0)
    for child in children:
        if _ROOT_FOLDER_NAME.match(child.name) and child.is_dir(follow_symlinks=False):
            done = prune_folder(child.path, older_than_seconds, now)
            files, size, folders = files + done.files, size + done.bytes, folders + done.folders
            folders += _remove_if_empty(child.path)
        else:
            removed = _removable(child, now - older_than_seconds, _TOP_FILE_NAME)
            if removed >= 0:
                files += 1
                size += removed
    return Pruned(files, size, folders)


def prune_if_due(folder: str) -> Optional[Pruned]:
    """After a check that used `folder`: when it is a tree's folder in policylang's own cache folder
    and that was last pruned over a day ago, prune what was not used for PRUNE_AFTER_DAYS."""
    home = policylang_cache_home()
    if home is None or os.path.dirname(folder) != home or not _private_folder(home):
        return None  # $POLICYLANG_CACHE_DIR: a folder of the user's choosing (`cache clean` cleans it)
    marker = os.path.join(home, _PRUNE_MARKER)
    now = _time.time()
    try:
        info = os.lstat(marker)
        if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < PRUNE_EVERY_SECONDS:
            return None
        os.utime(marker, follow_symlinks=False)
    except FileNotFoundError:
        try:
            os.close(os.open(marker, _WRITE_FLAGS, 0o600))
        except OSError:
            return None
    except OSError:
        return None
    return prune(PRUNE_AFTER_DAYS * 86400, home, now)
