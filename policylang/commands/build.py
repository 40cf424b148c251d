"""`policylang build`: check the tree, then compile evaluators and write the docs."""

from __future__ import annotations

import os

import click

from ..diagnostics import ERROR, render_digest, summary_line
from ..messages import P
from ..pipeline import check as run_pipeline
from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    chosen_language,
    default_paths,
    exit_status,
    format_option,
    paths_argument,
    report,
    root_option,
    stage_progress,
    stopped_line,
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
@click.option("-v", "--verbose", is_flag=True,
              help="Print every warning and info in full, as check does (default: errors in full, the rest counted by code).")
def build_command(paths, out_dir, output_format, root, no_docs, no_compile, standalone, verbose):
    """Check every policy, then compile it to Python and write its documentation.

    Errors are printed in full; warnings and infos are counted by code (--verbose, or
    `policylang check`, prints each). Stops after the check when it finds errors (nothing is
    written then): exit status 1, or 2 when a check failed inside policylang (PL990).
    """
    run = run_pipeline(default_paths(paths, root), root)
    diags = run.diagnostics_for_targets()
    files = len(run.workspace.targets)
    if output_format == "text" and not verbose:
        errors = [d for d in diags if d.severity == ERROR]
        report(errors, run.workspace.sources, output_format, root=run.workspace.root,
               suppressed=run.suppressed_for_targets())
        click.echo(render_digest([d for d in diags if d.severity != ERROR], chosen_language(run.workspace.root)),
                   nl=False)
        click.echo(summary_line(diags, files, chosen_language(run.workspace.root), run.suppressed_for_targets()))
    else:
        report(diags, run.workspace.sources, output_format, files=files,
               root=run.workspace.root, suppressed=run.suppressed_for_targets())
    status = exit_status(diags)
    if status != EXIT_OK:
        click.echo(stopped_line("build", diags, chosen_language(run.workspace.root)), err=True)
        raise SystemExit(status)
    policies = [p for p in run.target_policies() if not p.has_errors]
    if not no_compile:
        from ..backends.pycodegen import CodegenError, write_modules

        try:
            with stage_progress("compile") as bar:
                written = write_modules(policies, os.path.join(out_dir, "python"), standalone=standalone,
                                        progress=bar.update)
        except CodegenError as exc:
            click.echo(f"build stopped: {exc}", err=True)
            raise SystemExit(EXIT_FINDINGS)
        click.echo(_say("phrase.build.compiled", count=len(policies), plural="ies" if len(policies) != 1 else "y",
                        folder=os.path.join(out_dir, "python"), files=len(written)), err=True)
    if not no_docs:
        from ..backends.docs import render_site

        with stage_progress("docs") as bar:
            pages = render_site(run, os.path.join(out_dir, "docs"), progress=bar.update)
        click.echo(_say("phrase.build.wrote_docs", files=len(pages), folder=os.path.join(out_dir, "docs")), err=True)
    raise SystemExit(EXIT_OK)


def _say(key: str, **params) -> str:
    en, zh = P(key, **params)
    return zh if chosen_language() == "zh" else en
