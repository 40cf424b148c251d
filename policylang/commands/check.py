"""`policylang check`: parse, resolve and check a policy tree."""

from __future__ import annotations

import os

import click

from ..pipeline import affected_with_reasons, structure_of
from ..pipeline import check as run_pipeline
from ..semantics.loader import UsageError, find_root
from .common import chosen_language, default_paths, exit_status, format_option, paths_argument, report, root_option


@click.command("check")
@paths_argument
@format_option
@root_option
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary line.")
@click.option("--changed-since", "changed_since", metavar="REF", default=None,
              help="Check only what the changes since git revision REF touch (committed, staged, unstaged "
                   "and untracked; from where the branch left REF): the changed policies, everything that "
                   "extends or uses them, and what those build on.")
@click.option("--changed", "changed_files", is_flag=True,
              help="PATHS are the files that changed (as pre-commit passes them; a missing one was "
                   "deleted): check what they touch, as with --changed-since.")
def check_command(paths, output_format, root, strict, quiet, changed_since, changed_files):
    """Check policy files: syntax, inheritance, overrides, types, tables, schedules.

    PATHS are policy files, folders or ids such as cn/gd/stent-2020 (default: policies/). The whole tree under the
    root is loaded so that parents and children are known; findings are reported for
    the files asked about. With --changed-since REF or --changed, findings are reported
    for the policies the change touches, and the output lists them with the reason.
    Exit status: 0 no errors, 1 errors found (or warnings with --strict), 2 no verdict:
    a usage or I/O error, or an internal error of policylang (a check that failed, PL990).
    """
    if changed_since is not None or changed_files:
        _check_change(paths, output_format, root, strict, quiet, changed_since, changed_files)
    run = run_pipeline(default_paths(paths, root), root)
    diags = run.diagnostics_for_targets()
    ws = run.workspace
    report(diags, ws.sources, output_format, files=len(ws.targets), quiet=quiet, root=ws.root,
           suppressed=run.suppressed_for_targets(), policies=[(pid, ws.paths.get(pid)) for pid in ws.targets])
    raise SystemExit(exit_status(diags, strict))


def _tree_root(paths, root, changed_files) -> str:
    if root:
        if not os.path.isdir(root):
            raise UsageError(f"no such folder: {root}", f"文件夹不存在：{root}")
        return os.path.abspath(root)
    if changed_files:
        if os.path.isdir("policies"):
            return os.path.abspath("policies")
        return find_root(paths[0])
    tree = default_paths(paths, root)[0]
    if not os.path.exists(tree):
        raise UsageError(f"no such file or folder: {tree}", f"文件或文件夹不存在：{tree}")
    return find_root(tree)


def _check_change(paths, output_format, root, strict, quiet, changed_since, changed_files):
    from . import changes

    lang = chosen_language(root)
    if changed_since is not None and changed_files:
        raise click.UsageError(changes._say(lang, "give --changed-since REF or --changed FILE…, not both",
                                            "--changed-since 与 --changed 只能选一个"))
    if changed_files and not paths:
        raise click.UsageError(changes._say(lang, "--changed needs the files that changed",
                                            "--changed 需要给出改动的文件"))
    tree_root = _tree_root(paths, root, changed_files)
    lang = chosen_language(tree_root)
    if changed_files:
        change = changes.change_from_files(paths, tree_root)
        source = changes._say(lang, "the changed files", "改动的文件")
    else:
        change = changes.change_since(changed_since, tree_root, lang)
        source = changes._say(lang, f"the changes since {changed_since}", f"自 {changed_since} 以来的改动")
    run = run_pipeline([tree_root], tree_root)
    ws = run.workspace
    if change.configuration:
        reasons = {pid: None for pid in ws.paths}
    else:
        structure = structure_of(ws)
        reasons = {pid: r for pid, r in affected_with_reasons(change.ids(), structure).items() if pid in ws.paths}
    ws.targets = [pid for pid in ws.paths if pid in reasons]
    lines = [changes.heading(len(ws.targets), source, lang)] if ws.targets else [
        changes._say(lang, f"no policy is touched by {source}", f"{source}未涉及任何政策")]
    width = max((len(pid) for pid in ws.targets), default=0)
    lines += [f"  {pid.ljust(width)}  {changes.describe(pid, reasons[pid], change, lang)}" for pid in ws.targets]
    for pid in change.deleted:
        left = sorted(p for p, r in reasons.items() if r is not None and r.via == pid and r.kind != "base")
        if left:
            lines.append(changes._say(lang, f"  deleted: {pid} (still extended or used by {', '.join(left)})",
                                      f"  已删除：{pid}（仍被 {'、'.join(left)} 继承或引用）"))
        else:
            lines.append(changes._say(lang, f"  deleted: {pid}", f"  已删除：{pid}"))
    # The list goes with text findings; for a tool's format it goes to stderr, out of the way.
    if not quiet:
        click.echo("\n".join(lines), err=output_format != "text")
    diags = run.diagnostics_for_targets()
    report(diags, ws.sources, output_format, files=len(ws.targets), quiet=quiet, root=ws.root,
           suppressed=run.suppressed_for_targets(), policies=[(pid, ws.paths.get(pid)) for pid in ws.targets])
    raise SystemExit(exit_status(diags, strict))
