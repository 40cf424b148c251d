"""Reading policy files without trusting what sits in the tree.

Only regular files are read (a symbolic link is followed when it leads to one), never more than
MAX_POLICY_FILE_BYTES: a FIFO named `x.policy` would block a check forever, a link to /dev/zero
would fill the memory, a device or a socket has nothing to say. What is not read is said in
English and Chinese, for the PL001 finding ("file cannot be read") that reports it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import threading
from typing import Iterator, Mapping, Optional

from ..messages import M, P

# The largest policy file read. Real ones are kilobytes; Lark parses ~0.3 MB a second per core.
MAX_POLICY_FILE_BYTES = 16 * 1024 * 1024

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))



class SkippedFile(Exception):
    """A file not read, and why (for a PL001 finding)."""

    def __init__(self, message: str, message_zh: str, hint: Optional[str] = None, hint_zh: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh
        self.hint = hint
        self.hint_zh = hint_zh


def _skipped(key: str, /, **params) -> SkippedFile:
    """SkippedFile with the texts of the catalogue's entry `key`."""
    m = M(key, **params)
    return SkippedFile(m["message"], m["message_zh"], m["hint"], m["hint_zh"])


def _printable(text: str) -> str:
    """A path as it can be shown: control and invisible characters escaped."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _kind(mode: int) -> Optional[tuple[str, str]]:
    """What a file that is not a regular one is, in English and Chinese."""
    if stat.S_ISDIR(mode):
        return P("phrase.PL001.folder")
    if stat.S_ISFIFO(mode):
        return P("phrase.PL001.fifo")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return P("phrase.PL001.device")
    if stat.S_ISSOCK(mode):
        return P("phrase.PL001.socket")
    if not stat.S_ISREG(mode):
        return P("phrase.PL001.special")
    return None


def _not_regular(path: str, mode: int) -> SkippedFile:
    what, what_zh = _kind(mode)
    folder = "_folder" if stat.S_ISDIR(mode) else ""
    if os.path.islink(path):
        try:
            target = _printable(os.readlink(path))
        except OSError:
            target = "?"
        return _skipped(f"PL001.link_to_special{folder}", target=target, what=what, what_zh=what_zh)
    if stat.S_ISDIR(mode):  # as the parser has always said it
        return _skipped("PL001.folder")
    return _skipped("PL001.special", what=what, what_zh=what_zh)


def _too_large(size: int, limit: int) -> SkippedFile:
    return _skipped("PL001.too_large", size=_size(size), limit=_size(limit))


# Unsaved editor buffers (the language server's open documents): absolute path -> bytes, read
# instead of the file on disk while `overlay` is in force. Everything downstream (hashes, the
# parse cache, findings) is keyed by content, so an overlay needs nothing else to stay correct.
_OVERLAY: dict[str, bytes] = {}
_OVERLAY_LOCK = threading.RLock()


@contextlib.contextmanager
def overlay(texts: Mapping[str, str]) -> Iterator[None]:
    """Read `texts` (path -> text) instead of those files on disk, in this process, for the
    duration of the block. One overlay at a time: a second one waits for the first."""
    with _OVERLAY_LOCK:
        _OVERLAY.clear()
        _OVERLAY.update({os.path.abspath(p): t.encode("utf-8") for p, t in texts.items()})
        try:
            yield
        finally:
            _OVERLAY.clear()


def overlaid(path: str) -> bool:
    """`path` is read from the overlay in force, not from disk."""
    return bool(_OVERLAY) and os.path.abspath(path) in _OVERLAY


def overlay_paths() -> list[str]:
    return sorted(_OVERLAY)


def read_policy_bytes(path: str, limit: int = MAX_POLICY_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (or of the overlay in force).

    Raises SkippedFile for anything else (a folder, FIFO, device, socket, a link to one, a
    link loop, a file too large), OSError when the file cannot be opened or read."""
    if _OVERLAY:
        data = _OVERLAY.get(os.path.abspath(path))
        if data is not None:
            if len(data) > limit:
                raise _too_large(len(data), limit)
            return data
    try:
        info = os.stat(path)  # follows a symbolic link: what it leads to must be a regular file
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _skipped("PL001.link_loop") from None
        raise
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(path, info.st_mode)
    if info.st_size > limit:
        raise _too_large(info.st_size, limit)
    # Opened without blocking (the file may have been replaced by a FIFO since), checked again.
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(path, info.st_mode)
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, min(max(info.st_size + 1 - size, 65536), limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise _too_large(size, limit)
    finally:
        os.close(fd)
    return b"".join(chunks)
