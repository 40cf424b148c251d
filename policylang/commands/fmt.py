"""`policylang fmt`: rewrite policy files in the one canonical layout."""

from __future__ import annotations

import difflib
import os

import click

from ..diagnostics import SourceCache
from ..semantics.loader import UsageError, discover, find_root
from ..syntax.formatter import format_source
from ..syntax.parser import read_source
from .common import (EXIT_FINDINGS, EXIT_OK, chosen_language, default_paths, format_option, paths_argument, render,
                     report_root)


def _files(paths) -> list[str]:
    found = []
    for p in paths:
        if os.path.isdir(p):
            found.extend(discover(p))
        elif os.path.exists(p):
            found.append(p)
        else:
            raise UsageError(f"no such file or folder: {p}", f"文件或文件夹不存在：{p}")
    return found


@click.command("fmt")
@paths_argument
@click.option("--check", "check_only", is_flag=True, help="Change nothing; exit 1 if a file is not formatted.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Change nothing; print what would change as a unified diff, and exit 1 if a file would change.")
@click.option("--keywords", type=click.Choice(("en", "zh")), default=None,
              help="Write the keywords in English (en) or Chinese (zh); the meaning does not change. "
                   "Default: the language most of each file's keywords are written in.")
@format_option
def fmt_command(paths, check_only, show_diff, keywords, output_format):
    """Format policy files in place (comments are kept; formatting twice changes nothing).

    With --check, report the files that would change and exit 1 if there are any; with
    --diff, also print the changes as a unified diff. Neither writes anything.
    With --keywords zh (or en), rewrite the keywords in Chinese (or English).
    Files with syntax errors are reported and left untouched.
    """
    files = _files(default_paths(paths))
    dry_run = check_only or show_diff
    lang = chosen_language()
    sources = SourceCache()
    diags = []
    changed = []
    for path in files:
        text, read_diags = read_source(path)
        if text is None:
            diags.extend(read_diags)
            continue
        sources.add(path, text)
        formatted, parse_diags = format_source(text, path, keywords)
        if formatted is None:
            diags.extend(parse_diags)
            continue
        if formatted == text:
            continue
        changed.append(path)
        if show_diff:
            click.echo("".join(difflib.unified_diff(text.splitlines(True), formatted.splitlines(True),
                                                    fromfile=path, tofile=path)), nl=False)
        if not dry_run:
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(formatted)
    if diags:
        click.echo(render(diags, sources, output_format, lang=lang,
                          root=report_root(find_root(files[0]))), nl=False)
    for path in changed:
        if lang == "zh":
            click.echo(f"{'将重新格式化' if dry_run else '已重新格式化'} {path}", err=True)
        else:
            click.echo(f"{'would reformat' if dry_run else 'reformatted'} {path}", err=True)
    broken = len({d.span.file for d in diags if d.span})
    unchanged = max(len(files) - len(changed) - broken, 0)
    if lang == "zh":
        line = f"{len(changed)} 个文件{'将被重新格式化' if dry_run else '已重新格式化'}，{unchanged} 个无需改动"
        line += f"，{broken} 个有错误" if diags else ""
    else:
        verb = "would be reformatted" if dry_run else "reformatted"
        line = f"{len(changed)} file{'s' if len(changed) != 1 else ''} {verb}, {unchanged} unchanged"
        line += f", {broken} with errors" if diags else ""
    click.echo(line, err=True)
    if diags or (dry_run and changed):
        raise SystemExit(EXIT_FINDINGS)
    raise SystemExit(EXIT_OK)
