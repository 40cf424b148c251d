"""Folders of the user's own: where policylang may keep what it reads back later.

Anything read back from disk and trusted (the check cache's entries, the parser's analysed grammar)
must come from a folder no other user can write, or a local user could plant a file there (the shared
temp folder is not one). Both are JSON besides, rebuilt only into known shapes: a planted file could
at worst be wrong, never run code."""

from __future__ import annotations

import os
import stat
from typing import Optional


def user_cache_home() -> Optional[str]:
    """$XDG_CACHE_HOME when it is an absolute path (as the XDG spec requires), else ~/.cache."""
    configured = os.environ.get("XDG_CACHE_HOME")
    if configured and os.path.isabs(configured):
        return configured
    home = os.path.expanduser("~")
    if not home or home.startswith("~") or not os.path.isabs(home):
        return None
    return os.path.join(home, ".cache")


def make_private_dirs(path: str) -> None:
    """Create path and any missing folder above it, readable and writable by this user only."""
    missing = []
    while not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass


def _ours(st: os.stat_result, kind) -> bool:
    return kind(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def private_file(name: str) -> Optional[str]:
    """A path for `name` in policylang's folder of the user's cache directory, when that folder is
    this user's and only this user can write it (and the file, if there, is too); else None."""
    base = user_cache_home()
    if base is None or not hasattr(os, "getuid"):
        return None
    folder = os.path.join(base, "policylang")
    try:
        make_private_dirs(folder)
        if not _ours(os.lstat(folder), stat.S_ISDIR):
            return None
        path = os.path.join(folder, name)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return path
        return path if _ours(st, stat.S_ISREG) else None
    except OSError:
        return None
