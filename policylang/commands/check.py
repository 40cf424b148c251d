"""`policylang check`: parse, resolve and check a policy tree."""

from __future__ import annotations

import click

from ..pipeline import check as run_pipeline
from .common import default_paths, exit_status, format_option, paths_argument, report, root_option


@click.command("check")
@paths_argument
@format_option
@root_option
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary line.")
def check_command(paths, output_format, root, strict, quiet):
    """Check policy files: syntax, inheritance, overrides, types, tables, schedules.

    PATHS are policy files or folders (default: policies/). The whole tree under the
    root is loaded so that parents and children are known; findings are reported for
    the files asked about. Exit status: 0 no errors, 1 errors found (or warnings with
    --strict), 2 no verdict: a usage or I/O error, or an internal error of policylang
    (a check that failed, PL990).
    """
    run = run_pipeline(default_paths(paths), root)
    diags = run.diagnostics_for_targets()
    report(diags, run.workspace.sources, output_format, files=len(run.workspace.targets), quiet=quiet,
           root=run.workspace.root, suppressed=run.suppressed_for_targets())
    raise SystemExit(exit_status(diags, strict))
