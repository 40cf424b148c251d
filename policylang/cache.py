"""The on-disk cache that makes repeated checks of a large tree fast.

Where: $POLICYLANG_CACHE_DIR if set, else `.policylang-cache/` beside the tree's
root folder (for policies/ that is the repository's top level, already ignored
by git).

What: pickled Python objects (our own, never shared between machines), one file
per entry under `<namespace>/<key[:2]>/<key>.pkl`:

- parse/  the parse result (AST and syntax diagnostics) of one file, keyed by a
          hash of its bytes and its policy id;
- runs/   the final diagnostics of a whole tree, keyed by the hashes of all its
          files and of the configuration;
- latest/ per tree root, the checker's findings per policy of the last run,
          for re-checking only what a change touches.

Every key also includes `code_fingerprint()`: the package version, the Python
version and a hash of the package's own source files and grammar, so an entry
written by other code is never read. An entry is therefore never stale; any
entry can be deleted at any time (the whole folder too); an entry that cannot be
read back (truncated, corrupted, written by an incompatible pickle) is ignored
and removed. Writes go to a temporary file renamed into place, so a crash or a
concurrent run never leaves a half-written entry under a real name.

File paths inside entries (in spans) are stored as written; an entry records the
root it was written under, and when it is read under another root (the tree was
moved or copied) every path below the old root is rewritten to the new one.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
import sys
import tempfile
from typing import Any, Optional

from . import __version__

CACHE_FORMAT = 1
ENV_DIR = "POLICYLANG_CACHE_DIR"
ENV_DISABLE = "POLICYLANG_NO_CACHE"
DEFAULT_DIR_NAME = ".policylang-cache"


def cache_enabled() -> bool:
    return not os.environ.get(ENV_DISABLE)


def cache_dir_for(root: str) -> str:
    configured = os.environ.get(ENV_DIR)
    if configured:
        return os.path.abspath(configured)
    return os.path.join(os.path.dirname(os.path.abspath(root)), DEFAULT_DIR_NAME)


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of everything that decides what the tool computes: version, Python, own sources."""
    digest = hashlib.sha256()
    digest.update(f"policylang {__version__}\0format {CACHE_FORMAT}\0{sys.version}\0".encode())
    package_dir = os.path.dirname(os.path.abspath(__file__))
    for dirpath, dirnames, filenames in os.walk(package_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        for name in sorted(filenames):
            if name.endswith((".py", ".lark")):
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


# ---------------------------------------------------------------- moving paths between roots


class _PathPickler(pickle.Pickler):
    """Pickles every string under `old_root` as a reference to its path relative to it."""

    def __init__(self, stream, old_root: str):
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)
        self.prefix = old_root.rstrip(os.sep) + os.sep

    def persistent_id(self, obj):
        if type(obj) is str and obj.startswith(self.prefix):
            return obj[len(self.prefix):]
        return None


class _PathUnpickler(pickle.Unpickler):
    def __init__(self, stream, new_root: str):
        super().__init__(stream)
        self.prefix = new_root.rstrip(os.sep) + os.sep

    def persistent_load(self, pid):
        return self.prefix + pid


def repath(value: Any, old_root: str, new_root: str) -> Any:
    """A copy of `value` with every path below old_root moved below new_root."""
    if os.path.abspath(old_root) == os.path.abspath(new_root):
        return value
    buffer = io.BytesIO()
    _PathPickler(buffer, os.path.abspath(old_root)).dump(value)
    buffer.seek(0)
    return _PathUnpickler(buffer, os.path.abspath(new_root)).load()


# ---------------------------------------------------------------- the store


class DiskCache:
    """A folder of pickled entries. Every failure to read or write is a miss, never an error."""

    def __init__(self, directory: str):
        self.directory = directory
        self.hits = 0
        self.misses = 0
        self.writes = 0

    def _path(self, namespace: str, key: str) -> str:
        return os.path.join(self.directory, namespace, key[:2], key + ".pkl")

    def get(self, namespace: str, key: str, root: Optional[str] = None) -> Any:
        """The value stored under key, re-pathed to `root`; None when absent or unreadable."""
        path = self._path(namespace, key)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            self.misses += 1
            return None
        try:
            stored_format, stored_key, stored_root, value = pickle.loads(data)
            if stored_format != CACHE_FORMAT or stored_key != key:
                raise ValueError("entry does not belong to this key")
            if root is not None and stored_root is not None and stored_root != root:
                value = repath(value, stored_root, root)
        except Exception:  # noqa: BLE001 - any damage to a cache entry just means "not cached"
            self.misses += 1
            self.discard(namespace, key)
            return None
        self.hits += 1
        return value

    def put(self, namespace: str, key: str, value: Any, root: Optional[str] = None) -> bool:
        try:
            data = pickle.dumps((CACHE_FORMAT, key, root, value), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an unpicklable value is simply not cached
            return False
        return self.put_bytes(namespace, key, data)

    def put_bytes(self, namespace: str, key: str, data: bytes) -> bool:
        path = self._path(namespace, key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError:
            return False  # read-only or full disk: run uncached
        self.writes += 1
        return True

    def discard(self, namespace: str, key: str) -> None:
        try:
            os.unlink(self._path(namespace, key))
        except OSError:
            pass
