"""What the last `policylang build` into a folder wrote, and from what: the next build writes only what changed.

`policylang build` keeps, in the check's cache (cache.py: one entry per output folder, namespace
`builds/`), a manifest of each stage's output: for every policy, a key of everything its module
(compile) or its pages (docs) read, and the files they are; for the output as a whole, a key of
the tree it was built from and the size and modification time of every file written. A build then

- writes nothing, and resolves nothing, when the tree, the configuration, policylang itself and
  the options are what they were and every file is as that build left it;
- otherwise generates the modules and renders the pages only of the policies whose key changed
  or whose files are missing or were changed since, rewrites the site-wide pages (the index,
  the search index: they list every policy) and removes the files of policies that are gone.

The output is the same bytes as a build into an empty folder in every case. A policy's key holds,
for the policy and every policy it builds on (`pipeline.upward_closure`: its parent chain, the
policies it uses, and theirs), the id, the file's path and content hash and its place in the
tree's structure (`pipeline.structure_of`: what it extends and uses, with the versions bound in its
region); with the code fingerprint (cache.code_fingerprint), the configuration file, and for the
pages the templates, the formats, the policies extending it (its page lists them), whether each
policy it links to gets a page, the findings that are about it or point into its file, the ones
suppressed in it, and whether an impact report sits next to it. A module's key also has its place
in the package and whether it is standalone. Anything missing from the manifest, unreadable or of
another shape means a full build (`--force` asks for one); without a cache (POLICYLANG_NO_CACHE) every
build is a full one.

The manifest is plain JSON read through the cache's decoder (never executed or unpickled), in the
cache's private folder; the only thing a build does with a path it names is remove a file it wrote
earlier, and only a regular file below the output folder, named by a plain relative path.
"""

from __future__ import annotations

import hashlib
import os
import stat
from typing import Iterable, Optional

from .cache import DiskCache, cache_enabled, code_fingerprint, content_hash, make_key, open_cache
from .pipeline import configuration_bytes, structure_of, upward_closure

FORMAT = 1
NAMESPACE = "builds"
STAGES = ("python", "docs")


def _fingerprint_folder(digest, folder: str) -> None:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            digest.update(os.path.relpath(path, folder).encode("utf-8", "surrogatepass") + b"\0")
            try:
                with open(path, "rb") as fh:
                    digest.update(content_hash(fh.read()).encode())
            except OSError:
                digest.update(b"unreadable")


def templates_fingerprint(templates: Optional[str] = None) -> str:
    """A hash of the documentation's templates and assets (the package's, and a user's folder)."""
    from .backends.docs.site import STATIC_DIR, TEMPLATE_DIR

    digest = hashlib.sha256()
    for folder in (TEMPLATE_DIR, STATIC_DIR) + ((templates,) if templates else ()):
        digest.update(b"folder\0" + folder.encode("utf-8", "surrogatepass") + b"\0")
        _fingerprint_folder(digest, folder)
    return digest.hexdigest()


def _is_plain_relative(rel: str) -> bool:
    if not rel or rel.startswith("/") or "\\" in rel or "\0" in rel:
        return False
    return all(part not in ("", ".", "..") for part in rel.split("/"))


def file_state(path: str) -> Optional[list]:
    """[size, modification time in ns] of a regular file (not followed if a link), or None."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return [info.st_size, info.st_mtime_ns]


class TreeInputs:
    """The facts of a checked tree the keys are made of, computed once per build."""

    def __init__(self, run, previous: Optional[dict] = None):
        ws = run.workspace
        self.run = run
        self.root = ws.root
        self.paths: dict[str, str] = dict(ws.paths)
        self.hashes: dict[str, Optional[str]] = dict(run.hashes)
        self.targets = list(ws.targets)
        self.config = configuration_bytes(self.root)
        self.tree_key = make_key(
            "tree", FORMAT, code_fingerprint(), self.config, self.root,
            *[f"{pid}\0{self.rel(pid)}\0{self.hashes.get(pid) or ''}" for pid in sorted(self.paths)],
            "targets", *self.targets)
        self._structure: Optional[dict[str, tuple]] = None
        self._closures: dict[str, str] = {}
        self._findings: Optional[dict[str, list[str]]] = None
        self._children: Optional[dict[str, list[str]]] = None

    def rel(self, pid: str) -> str:
        path = self.paths.get(pid)
        if path is None:
            return ""
        try:
            return os.path.relpath(path, self.root)
        except ValueError:
            return path

    @property
    def structure(self) -> dict[str, tuple]:
        if self._structure is None:
            self._structure = self.run.structure if self.run.structure is not None else structure_of(self.run.workspace)
        return self._structure

    def closure_text(self, pid: str) -> str:
        """The ids, paths, content hashes and structure of the policy and all it builds on."""
        found = self._closures.get(pid)
        if found is None:
            structure = self.structure
            found = self._closures[pid] = "\n".join(
                f"{q}\0{self.rel(q)}\0{self.hashes.get(q) or ''}\0{structure.get(q)!r}"
                for q in sorted(upward_closure([pid], structure)))
        return found

    def closure(self, pid: str) -> set[str]:
        return upward_closure([pid], self.structure)

    def children(self, pid: str) -> list[str]:
        if self._children is None:
            below: dict[str, list[str]] = {}
            for q, (parent, _uses, _parsed) in self.structure.items():
                if parent:
                    below.setdefault(parent, []).append(q)
            self._children = {k: sorted(v) for k, v in below.items()}
        return self._children.get(pid, [])

    def findings(self, pid: str) -> list[str]:
        """The findings a page of the policy may show (about it, or pointing into its file), and
        those its file suppresses, as text; a superset of what the docs' site model matches."""
        if self._findings is None:
            ids_by_path: dict[str, list[str]] = {}
            for q, path in self.paths.items():
                ids_by_path.setdefault(path, []).append(q)
            grouped: dict[str, list[str]] = {}
            everywhere: list[str] = []
            for d in self.run.diagnostics:
                text = repr(d)
                if d.policy_id is None:
                    everywhere.append(text)
                    continue
                concerned = [d.policy_id]
                for span in [d.span] + [r.span for r in d.related]:
                    if span is not None:
                        concerned.extend(ids_by_path.get(span.file, ()))
                for q in dict.fromkeys(concerned):
                    grouped.setdefault(q, []).append(text)
            for record in getattr(self.run, "suppressed", ()):
                if record.policy_id is not None:
                    grouped.setdefault(record.policy_id, []).append("suppressed\0" + repr(record))
                else:
                    everywhere.append("suppressed\0" + repr(record))
            self._findings = grouped
            self._everywhere = everywhere
        return self._everywhere + self._findings.get(pid, [])


def module_keys(inputs: TreeInputs, layout: dict[str, str], standalone: bool) -> dict[str, str]:
    """Per compiled policy, the key of its module."""
    common = make_key("module", FORMAT, code_fingerprint(), standalone, os.path.basename(inputs.root))
    return {pid: make_key(common, rel, inputs.closure_text(pid)) for pid, rel in layout.items()}


def page_keys(inputs: TreeInputs, rendered: Iterable[str], formats, templates: Optional[str],
              out_dir: str) -> dict[str, str]:
    """Per rendered policy, the key of its pages (both its page and its override report)."""
    from .backends.docs.views import impact_page

    rendered = list(rendered)
    shown = set(rendered)
    common = make_key("pages", FORMAT, code_fingerprint(), templates_fingerprint(templates), inputs.config,
                      ",".join(formats))
    keys = {}
    for pid in rendered:
        linked = sorted(inputs.closure(pid) | set(inputs.children(pid)))
        keys[pid] = make_key(
            common, inputs.closure_text(pid),
            "children", *inputs.children(pid),
            "shown", *[q for q in linked if q in shown],
            "impact", os.path.isfile(os.path.join(out_dir, *impact_page(pid).split("/"))),
            "findings", *inputs.findings(pid))
    return keys


class Manifest:
    """The manifest of one output folder, read at the start of a build and written after each stage."""

    def __init__(self, out_dir: str, root: str, force: bool = False):
        self.out_dir = os.path.abspath(out_dir)
        # The paths the stages name start with the folder as it was given (or as it is absolute).
        self._prefixes = tuple(dict.fromkeys((os.path.join(out_dir, ""), os.path.join(self.out_dir, ""))))
        self.store: Optional[DiskCache] = open_cache(root) if cache_enabled() else None
        self.root = root
        self.key = make_key("build", FORMAT, self.out_dir)
        self.data: dict = {}
        if self.store is not None and not force:
            found = self.store.get(NAMESPACE, self.key, expect=dict)
            if isinstance(found, dict) and found.get("format") == FORMAT:
                self.data = found

    def stage(self, name: str) -> dict:
        """What the last build recorded of a stage ({} when nothing usable): its options' key,
        the tree's key, per policy [key, files], the shared files, and every file's state."""
        section = self.data.get(name)
        if not isinstance(section, dict):
            return {}
        try:
            ok = (isinstance(section["options"], str) and isinstance(section["tree"], str)
                  and isinstance(section["states"], dict) and isinstance(section["shared"], list)
                  and all(isinstance(k, str) and isinstance(v, list) and len(v) == 2 and isinstance(v[0], str)
                          and isinstance(v[1], list) for k, v in section["policies"].items()))
        except (KeyError, AttributeError, TypeError):
            ok = False
        return section if ok else {}

    def up_to_date(self, name: str, options: str, tree_key: str) -> Optional[dict]:
        """The stage's record when nothing needs writing: the same options and tree, and every
        file as the last build left it; else None."""
        section = self.stage(name)
        if not section or section["options"] != options or section["tree"] != tree_key:
            return None
        for rel, state in section["states"].items():
            if not _is_plain_relative(rel) or file_state(os.path.join(self.out_dir, *rel.split("/"))) != state:
                return None
        return section

    def stale(self, name: str, options: str, keys: dict[str, str]) -> set[str]:
        """The policies whose output must be written again: new, changed key, or a file of theirs
        missing or changed since the last build."""
        section = self.stage(name)
        if not section or section["options"] != options:
            return set(keys)
        states = section["states"]
        out = set()
        for pid, key in keys.items():
            old = section["policies"].get(pid)
            if old is None or old[0] != key:
                out.add(pid)
                continue
            for rel in old[1]:
                if not isinstance(rel, str) or not _is_plain_relative(rel) \
                        or file_state(os.path.join(self.out_dir, *rel.split("/"))) != states.get(rel):
                    out.add(pid)
                    break
        return out

    def rel(self, path: str) -> str:
        for prefix in self._prefixes:  # (os.path.relpath costs more than the rest of the record)
            if path.startswith(prefix) and ".." not in path:
                rel = path[len(prefix):]
                return rel.replace(os.sep, "/") if os.sep != "/" else rel
        return os.path.relpath(path, self.out_dir).replace(os.sep, "/")

    def remove_gone(self, name: str, files: Iterable[str]) -> list[str]:
        """Remove the files the stage wrote last time that it does not write now (the pages and
        modules of deleted policies), and the folders that leaves empty; returns them."""
        section = self.stage(name)
        if not section:
            return []
        keep = {self.rel(f) for f in files}
        old = set(section["states"])
        removed = []
        for rel in sorted(old - keep):
            if not _is_plain_relative(rel):
                continue
            path = os.path.join(self.out_dir, *rel.split("/"))
            if file_state(path) is None:  # gone already, or not a regular file: left alone
                continue
            try:
                os.unlink(path)
            except OSError:
                continue
            removed.append(path)
            folder = os.path.dirname(path)
            while os.path.abspath(folder) != self.out_dir and folder.startswith(self.out_dir + os.sep):
                try:
                    os.rmdir(folder)  # only when empty
                except OSError:
                    break
                folder = os.path.dirname(folder)
        return removed

    def record(self, name: str, options: str, tree_key: str, keys: dict[str, str],
               files_by_policy: dict[str, list[str]], shared: list[str]) -> None:
        """Keep what the stage wrote (written after the stage, so a build that stops before
        leaves the earlier record, whose file states then no longer match)."""
        if self.store is None:
            return
        policies = {pid: [keys[pid], [self.rel(f) for f in files]] for pid, files in files_by_policy.items()
                    if pid in keys}
        states = {}
        for path in [f for files in files_by_policy.values() for f in files] + list(shared):
            state = file_state(path)
            if state is not None:
                states[self.rel(path)] = state
        self.data["format"] = FORMAT
        self.data[name] = {"options": options, "tree": tree_key, "policies": policies,
                           "shared": [self.rel(f) for f in shared], "states": states}
        self.store.put(NAMESPACE, self.key, self.data)

    def forget(self, name: str) -> None:
        """Drop a stage's record (before it writes: a build that stops half-way is then a full one next)."""
        if self.store is not None and name in self.data:
            del self.data[name]
            self.store.put(NAMESPACE, self.key, self.data)
