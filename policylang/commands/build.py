"""`policylang build`: check the tree, then compile evaluators and write the docs."""

from __future__ import annotations

import os

import click

from ..pipeline import check as run_pipeline
from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    default_paths,
    exit_status,
    format_option,
    paths_argument,
    report,
    root_option,
    why_stopped,
)


@click.command("build")
@paths_argument
@click.option("-o", "--out", "out_dir", default="_policylang", show_default=True, type=click.Path(file_okay=False),
              help="Output folder: evaluators go to OUT/python, documentation to OUT/docs.")
@format_option
@root_option
@click.option("--no-docs", is_flag=True, help="Skip the documentation stage.")
@click.option("--no-compile", is_flag=True, help="Skip the compile stage.")
@click.option("--standalone", is_flag=True, help="Compile self-contained modules, each with its own copy of the runtime.")
def build_command(paths, out_dir, output_format, root, no_docs, no_compile, standalone):
    """Check every policy, then compile it to Python and write its documentation.

    Stops after the check when it finds errors (nothing is written then): exit status 1,
    or 2 when a check failed inside policylang (PL990).
    """
    run = run_pipeline(default_paths(paths), root)
    diags = run.diagnostics_for_targets()
    report(diags, run.workspace.sources, output_format, files=len(run.workspace.targets),
           root=run.workspace.root, suppressed=run.suppressed_for_targets())
    status = exit_status(diags)
    if status != EXIT_OK:
        click.echo(f"build stopped: {why_stopped(diags)}", err=True)
        raise SystemExit(status)
    policies = [p for p in run.target_policies() if not p.has_errors]
    if not no_compile:
        from ..backends.pycodegen import CodegenError, write_modules

        try:
            written = write_modules(policies, os.path.join(out_dir, "python"), standalone=standalone)
        except CodegenError as exc:
            click.echo(f"build stopped: {exc}", err=True)
            raise SystemExit(EXIT_FINDINGS)
        click.echo(f"compiled {len(policies)} polic{'ies' if len(policies) != 1 else 'y'} into "
                   f"{os.path.join(out_dir, 'python')} ({len(written)} files)", err=True)
    if not no_docs:
        from ..backends.docs import render_site

        pages = render_site(run, os.path.join(out_dir, "docs"))
        click.echo(f"wrote {len(pages)} documentation files into {os.path.join(out_dir, 'docs')}", err=True)
    raise SystemExit(EXIT_OK)
