"""Find and parse the policy files of a tree.

A policy's id is its path under the tree's root (the nearest folder named
`policies`, or the folder given) without `.policy`. The whole tree under the
root is always loaded, because parents and children of the files asked for
are needed to resolve and check them.
"""

from __future__ import annotations

import os
from typing import Callable, Iterable, Optional

import attrs

from ..diagnostics import Diagnostic, SourceCache
from ..gcpause import gc_paused
from ..syntax.ast import PolicyFile
from ..syntax.parser import POLICY_SUFFIX, ParseResult, parse_file, policy_id_for


class UsageError(Exception):
    """A problem with how the tool was called (missing path…): exit status 2, no diagnostic.
    `zh`: the message in Chinese (the English when none is given)."""

    def __init__(self, message: str = "", zh: str = None):
        super().__init__(message)
        self.zh = zh or message


@attrs.define
class Workspace:
    root: str
    files: dict[str, PolicyFile]  # id -> parsed file (possibly partial when it had syntax errors)
    paths: dict[str, str]  # id -> path
    sources: SourceCache
    diagnostics: list[Diagnostic]  # reading and syntax diagnostics
    syntax_errors: set[str]  # ids whose file had syntax errors
    targets: list[str]  # ids the user asked about, in order

    def written_chain(self, policy_id: Optional[str]) -> list[str]:
        """The policy and the ids its file extends, up to the root, as written (resolved or not):
        it ends at a file that extends nothing, at an id no file has (included), or where the
        chain would come back on itself."""
        out, seen, cur = [], set(), policy_id
        while cur and cur not in seen:
            seen.add(cur)
            out.append(cur)
            pf = self.files.get(cur)
            cur = pf.extends if pf is not None else None
        return out


def find_root(path: str) -> str:
    """The tree root for a path: the nearest enclosing folder named `policies`, else the folder itself."""
    path = os.path.abspath(path)
    start = path if os.path.isdir(path) else os.path.dirname(path)
    probe = start
    while True:
        if os.path.basename(probe) == "policies":
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return start
        probe = parent


def discover(root: str) -> list[str]:
    """Every .policy file under root, in a stable order.

    Whatever is named like a policy file is listed, file or not (a folder named x.policy, a
    FIFO, a link to a device): reading it gives a finding that says why it was skipped. Links
    to folders are not followed."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        names = filenames + [d for d in dirnames if d.endswith(POLICY_SUFFIX)]
        for name in sorted(names):
            if name.endswith(POLICY_SUFFIX):
                found.append(os.path.join(dirpath, name))
    return found + _unsaved_under(root, found)


def _unsaved_under(root: str, found: list[str]) -> list[str]:
    """Policy files of the overlay in force (an editor's unsaved buffers) that are not on disk yet."""
    from ..syntax.files import overlay_paths

    extra = overlay_paths()
    if not extra:
        return []
    base = os.path.abspath(root) + os.sep
    known = {os.path.abspath(p) for p in found}
    return [p for p in extra if p.startswith(base) and p.endswith(POLICY_SUFFIX) and p not in known
            and not os.path.exists(p) and not any(part.startswith(".") for part in p[len(base):].split(os.sep)[:-1])]


# The parse step is pluggable so that a cached or parallel parser can replace it.
ParseMany = Callable[[list[str], str], list[ParseResult]]


def parse_sequential(paths: list[str], root: str) -> list[ParseResult]:
    return [parse_file(p, root) for p in paths]


def load_workspace(paths: Iterable[str] = ("policies",), root: Optional[str] = None,
                   parse_many: Optional[ParseMany] = None, discovered: Optional[list[str]] = None) -> Workspace:
    """discovered: `discover(root)`, when the caller has listed the tree already."""
    paths = list(paths) or ["policies"]
    for p in paths:
        if not os.path.exists(p):
            raise UsageError(f"no such file or folder: {p}", f"文件或文件夹不存在：{p}")
    root = os.path.abspath(root) if root else find_root(paths[0])
    all_files = discover(root) if discovered is None else discovered
    requested: list[str] = []
    for p in paths:
        ap = os.path.abspath(p)
        if ap == root:
            requested.extend(all_files)  # the usual case: the whole tree (walked once)
        elif os.path.isdir(ap):
            requested.extend(discover(ap))
        else:
            requested.append(ap)
    # Files asked for explicitly but outside the root (or not named .policy) are loaded too.
    known = set(all_files)
    extra = [p for p in requested if p not in known]
    ordered = all_files + extra
    with gc_paused():
        results = (parse_many or parse_sequential)(ordered, root)
    files: dict[str, PolicyFile] = {}
    id_paths: dict[str, str] = {}
    sources = SourceCache()
    diags: list[Diagnostic] = []
    syntax_errors: set[str] = set()
    for path, result in zip(ordered, results):
        pid = policy_id_for(path, root) or os.path.splitext(os.path.basename(path))[0]
        if result.text:
            sources.add(path, result.text)
        elif any(d.code == "PL001" for d in result.diagnostics):
            sources.add(path, "")  # not read: never opened again to show a line of it
        tagged = [attrs.evolve(d, policy_id=pid) for d in result.diagnostics]
        diags.extend(tagged)
        if any(d.severity == "error" for d in tagged):
            syntax_errors.add(pid)
        if result.file is not None:
            files[pid] = result.file
            id_paths[pid] = path
        else:
            id_paths.setdefault(pid, path)
    targets = []
    seen = set()
    for path in requested:
        pid = policy_id_for(path, root) or os.path.splitext(os.path.basename(path))[0]
        if pid not in seen:
            seen.add(pid)
            targets.append(pid)
    return Workspace(root, files, id_paths, sources, diags, syntax_errors, targets)


def policy_path_for(spec: str, root: Optional[str]) -> str:
    """POLICY given as an id (cn/gd/stent-2020, under the root) or as a path to a .policy file."""
    if os.path.exists(spec) and os.path.isfile(spec):
        return spec
    base = root or "policies"
    candidate = os.path.join(base, *spec.split("/")) + ".policy"
    if os.path.isfile(candidate):
        return candidate
    return spec
