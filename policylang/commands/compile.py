"""`policylang compile`: check the policies, then write one Python evaluator module per policy."""

from __future__ import annotations

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
    stage_progress,
    why_stopped,
)


@click.command("compile")
@paths_argument
@click.option("-o", "--out", "out_dir", default="_policylang/python", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the generated modules (cn/gd/stent-2020 -> OUT/cn/gd/stent_2020.py).")
@click.option("--standalone", is_flag=True,
              help="Give each module its own copy of the runtime (one file per policy, nothing shared) instead of "
                   "writing it once as OUT/_PolicyRuntime.py for every module of the package.")
@format_option
@root_option
def compile_command(paths, out_dir, standalone, output_format, root):
    """Compile policies into Python evaluator modules (standard library only).

    The modules form a package with one shared runtime (OUT/_PolicyRuntime.py: one EvaluationError
    for all); --standalone writes self-contained one-file modules instead. Nothing is written when
    the check finds errors: fix them first.
    """
    from ..backends.pycodegen import CodegenError, write_modules

    run = run_pipeline(default_paths(paths), root)
    diags = run.diagnostics_for_targets()
    status = exit_status(diags)
    suppressed = run.suppressed_for_targets()
    if status != EXIT_OK or diags or any(s.binding for s in suppressed):
        report(diags, run.workspace.sources, output_format, files=len(run.workspace.targets),
               root=run.workspace.root, suppressed=suppressed)
    if status != EXIT_OK:
        click.echo(f"nothing compiled: {why_stopped(diags)}", err=True)
        raise SystemExit(status)
    policies = run.target_policies()
    broken = [p.policy_id for p in policies if p.has_errors]
    if broken:
        click.echo("nothing compiled: these policies have errors (in them or a level above): "
                   + ", ".join(broken), err=True)
        raise SystemExit(EXIT_FINDINGS)
    try:
        with stage_progress("compile") as bar:
            written = write_modules(policies, out_dir, standalone=standalone, progress=bar.update)
    except CodegenError as exc:
        click.echo(f"policylang compile: {exc}", err=True)
        raise SystemExit(EXIT_FINDINGS)
    count = len(policies)
    click.echo(f"compiled {count} polic{'ies' if count != 1 else 'y'} into {out_dir} ({len(written)} files)", err=True)
    raise SystemExit(EXIT_OK)
