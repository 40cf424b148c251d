"""`policylang cache clean`: remove cache entries not used for a while (or all of them)."""

from __future__ import annotations

import os

import click

from ..cache import ENV_DIR, Pruned, folder_problem, policylang_cache_home, prune, prune_folder
from .common import EXIT_OK, chosen_language
from .help_zh import localized


@click.group("cache", cls=localized(click.Group))
def cache_command():
    """The on-disk cache of `check` (parses, findings, proofs; see docs/performance.md)."""


@cache_command.command("clean", cls=localized(click.Command))
@click.option("--older-than", "older_than", type=click.FloatRange(min=0), default=0, show_default=True,
              metavar="DAYS", help="Remove only the entries not used for DAYS days (0: every entry).")
def clean_command(older_than):
    """Remove cached entries not used for --older-than days: of every tree in policylang's folder of
    the user's cache directory, or of $POLICYLANG_CACHE_DIR when it is set. Only policylang's own
    files are removed (never a link or what it leads to); any entry may be removed at any time,
    the next check just computes it again. `check` itself removes entries not used for 30 days,
    at most once a day."""
    configured = os.environ.get(ENV_DIR)
    zh = chosen_language() == "zh"
    if configured:
        folder = os.path.abspath(configured)
        problem = folder_problem(folder)
        if problem is not None:
            click.echo(f"没有清理 {folder}：{problem}" if zh else f"not cleaning {folder}: {problem}")
            return EXIT_OK
        done = prune_folder(folder, older_than * 86400)
    else:
        folder = policylang_cache_home() or ""
        done = prune(older_than * 86400) if folder else Pruned(0, 0, 0)
    megabytes = done.bytes / (1024 * 1024)
    if zh:
        click.echo(f"已从 {folder} 删除 {done.files} 个文件（{megabytes:.1f} MB）。")
    else:
        click.echo(f"removed {done.files} files ({megabytes:.1f} MB) from {folder}")
    return EXIT_OK


del clean_command  # a subcommand of `cache`, not a command of its own (cli.py registers every module-level one)
