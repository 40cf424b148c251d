"""What every command shares: options, diagnostic output in each format, exit codes."""

from __future__ import annotations

import os
import sys
from typing import Iterable, Optional

import click

from .. import __version__
from ..diagnostics import (
    ERROR,
    WARNING,
    Diagnostic,
    SourceCache,
    render_github,
    render_json,
    render_text,
    summary_line,
    use_colour,
)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

FORMATS = ("text", "json", "github", "sarif")

format_option = click.option(
    "--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
    help="How to print findings: text for people, json for tools, github for workflow annotations, sarif for code scanning.",
)
root_option = click.option(
    "--root", type=click.Path(file_okay=False), default=None,
    help="The policy tree's root folder (default: the nearest folder named 'policies').",
)
paths_argument = click.argument("paths", nargs=-1, type=click.Path())


def default_paths(paths: Iterable[str]) -> list[str]:
    paths = list(paths)
    if paths:
        return paths
    if os.path.isdir("policies"):
        return ["policies"]
    raise click.UsageError("no policy files given, and there is no 'policies' folder here")


def render(diags: list[Diagnostic], sources: SourceCache, output_format: str, stream=None) -> str:
    stream = stream or sys.stdout
    if output_format == "json":
        return render_json(diags) + "\n"
    if output_format == "github":
        return render_github(diags)
    if output_format == "sarif":
        from ..sarif import render_sarif

        return render_sarif(diags, __version__) + "\n"
    return render_text(diags, sources, colour=use_colour(stream))


def report(diags: list[Diagnostic], sources: SourceCache, output_format: str, files: Optional[int] = None,
           quiet: bool = False) -> None:
    """Print findings to stdout; for text, a summary line follows (on stderr when quiet about success)."""
    out = render(diags, sources, output_format)
    if out:
        click.echo(out, nl=False)
    if output_format == "text" and files is not None and not quiet:
        click.echo(summary_line(diags, files))


def exit_status(diags: Iterable[Diagnostic], strict: bool = False) -> int:
    diags = list(diags)
    if any(d.severity == ERROR for d in diags):
        return EXIT_FINDINGS
    if strict and any(d.severity == WARNING for d in diags):
        return EXIT_FINDINGS
    return EXIT_OK
