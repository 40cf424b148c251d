"""What a change touches: the changed policy files (from git, or as given), and the policies
`policylang check --changed-since REF` / `--changed FILE…` checks because of them, each with
the reason (the rule is the pipeline's: `policylang.pipeline.affected_with_reasons`)."""

from __future__ import annotations

import os
import subprocess
from typing import Iterable, Optional

import attrs

from ..semantics.loader import UsageError
from ..syntax.parser import POLICY_SUFFIX, policy_id_for


def _say(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


@attrs.define
class Change:
    """The policy ids a change touches under a tree root.

    changed: ids whose file was added or modified (or is the new name of a renamed file);
    deleted: ids whose file no longer exists (deleted, or the old name of a renamed file);
    configuration: the tree's pyproject.toml changed (everything is checked);
    renamed: new id -> old id."""

    changed: list[str] = attrs.Factory(list)
    deleted: list[str] = attrs.Factory(list)
    configuration: bool = False
    renamed: dict[str, str] = attrs.Factory(dict)

    def ids(self) -> list[str]:
        return list(dict.fromkeys(self.changed + self.deleted))


def _real(path: str) -> str:
    return os.path.realpath(os.path.abspath(path))


def _policy_id(path: str, root: str) -> Optional[str]:
    """The id of a policy file path under root (whether or not it still exists), else None."""
    if not path.endswith(POLICY_SUFFIX):
        return None
    return policy_id_for(_real(path), _real(root))


def _configuration_path(root: str) -> Optional[str]:
    try:
        from ..config import find_pyproject
    except ImportError:
        return None
    found = find_pyproject(root)
    return _real(found) if found else None


def change_from_files(paths: Iterable[str], root: str) -> Change:
    """`--changed FILE…`: the files as given; one that does not exist is taken as deleted."""
    change = Change()
    config = _configuration_path(root)
    for path in paths:
        if config is not None and _real(path) == config:
            change.configuration = True
            continue
        pid = _policy_id(path, root)
        if pid is None:
            continue  # not a policy file of this tree
        (change.changed if os.path.exists(path) else change.deleted).append(pid)
    return change


def _git(args: list[str], cwd: str, lang: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise UsageError(_say(lang, "--changed-since needs git, which is not installed (or not on PATH)",
                              "--changed-since 需要 git，但没有找到 git 命令")) from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise UsageError(_say(lang, f"could not run git: {exc}", f"无法运行 git：{exc}")) from None
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["git exited with status %d" % proc.returncode])[-1]
        raise GitError(detail)
    return proc.stdout


class GitError(Exception):
    pass


def change_since(ref: str, root: str, lang: str = "en") -> Change:
    """`--changed-since REF`: what differs between the working tree (staged, unstaged and
    untracked files) and the commit where the current branch left REF (their merge base; REF
    itself when there is none, e.g. in a shallow clone)."""
    if ref.startswith("-"):
        raise UsageError(_say(lang, f"not a git revision: {ref}", f"不是 git 版本：{ref}"))
    try:
        top = _git(["rev-parse", "--show-toplevel"], root, lang).strip()
    except GitError:
        raise UsageError(_say(lang, f"--changed-since: {root} is not in a git repository",
                              f"--changed-since：{root} 不在 git 仓库中")) from None
    try:
        _git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], top, lang)
    except GitError:
        raise UsageError(_say(lang, f"--changed-since: no such git revision: {ref}",
                              f"--changed-since：git 中没有这个版本：{ref}")) from None
    try:
        base = _git(["merge-base", ref, "HEAD"], top, lang).strip() or ref
    except GitError:
        base = ref
    try:
        diff = _git(["diff", "--name-status", "-z", "-M", "--no-color", "--no-ext-diff", base, "--"], top, lang)
        untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top, lang)
    except GitError as exc:
        raise UsageError(_say(lang, f"--changed-since: git failed: {exc}", f"--changed-since：git 出错：{exc}")) from None
    change = Change()
    config = _configuration_path(root)

    def note(rel: str, deleted: bool) -> Optional[str]:
        path = os.path.join(top, rel)
        if config is not None and _real(path) == config:
            change.configuration = True
            return None
        pid = _policy_id(path, root)
        if pid is not None:
            (change.deleted if deleted else change.changed).append(pid)
        return pid

    fields = diff.split("\0")
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status[:1] in ("R", "C"):
            old, new = fields[i + 1], fields[i + 2]
            i += 3
            new_id = note(new, False)
            old_id = note(old, True) if status[0] == "R" else None
            if new_id and old_id:
                change.renamed[new_id] = old_id
            continue
        note(fields[i + 1], status[:1] == "D")
        i += 2
    for rel in untracked.split("\0"):
        if rel:
            note(rel, False)
    change.changed = list(dict.fromkeys(change.changed))
    change.deleted = [pid for pid in dict.fromkeys(change.deleted) if pid not in change.changed]
    return change


def describe(pid: str, reason, change: Change, lang: str) -> str:
    """Why `pid` is checked, in a few words."""
    if reason is None:  # the configuration changed
        return _say(lang, "the tree's configuration (pyproject.toml) changed", "政策树的配置（pyproject.toml）已改动")
    if reason.kind == "changed":
        old = change.renamed.get(pid)
        if old:
            return _say(lang, f"renamed from {old}", f"由 {old} 改名而来")
        return _say(lang, "changed", "已改动")
    gone = reason.via in change.deleted
    if reason.kind in ("extends", "uses"):
        if reason.kind == "extends":
            text = _say(lang, f"extends {reason.via}", f"继承 {reason.via}")
        else:
            text = _say(lang, f"uses {reason.via}", f"引用 {reason.via}")
        return text + (_say(lang, ", which was deleted", "（该文件已删除）") if gone else "")
    if reason.relation == "extends":
        return _say(lang, f"{reason.via} extends it", f"被 {reason.via} 继承")
    return _say(lang, f"{reason.via} uses it", f"被 {reason.via} 引用")


def heading(count: int, source: str, lang: str) -> str:
    if lang == "zh":
        return f"{source}涉及 {count} 项政策，均完整检查："
    return f"{count} polic{'ies' if count != 1 else 'y'} touched by {source}, checked in full:"
