"""`policylang docs`: write the human-readable documentation of a policy tree."""

from __future__ import annotations

import click

from ..diagnostics import summary_line
from ..pipeline import check as run_pipeline
from .common import default_paths, exit_status, internal_error_note, paths_argument, root_option, stage_progress

FORMAT_CHOICES = {"md": ("md",), "html": ("html",), "both": ("md", "html")}


@click.command("docs")
@paths_argument
@click.option("-o", "--out", "out_dir", default="_policylang/docs", show_default=True, type=click.Path(file_okay=False),
              help="Folder to write the pages into.")
@click.option("--format", "doc_format", type=click.Choice(sorted(FORMAT_CHOICES)), default="both", show_default=True,
              help="md: Markdown for review in git; html: a static site that opens from disk; both.")
@click.option("--templates", type=click.Path(file_okay=False), default=None,
              help="A folder of Jinja2 templates (and style.css / site.js) used before the built-in ones.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Processes that render pages (default: one per core for a large tree). Output is the same.")
@click.option("--impact", "impacts", multiple=True, type=click.Path(file_okay=False), metavar="DIR",
              help="An impact report folder (`policylang impact -o DIR`), copied to OUT/impact/<policy id>/ and "
                   "linked from that policy's page (repeatable). Reports already there are linked too.")
@root_option
def docs_command(paths, out_dir, doc_format, templates, jobs, impacts, root):
    """Write one page per policy, an override report per regional policy and an index.

    Pages show every rule that applies in a region, which level set it, and what is
    still left blank; checker findings appear next to the items they concern. Pages
    are written even when the checker finds errors (the errors are shown on them);
    the exit status is then 1 (2 when a check failed inside policylang, PL990).
    """
    from ..backends.docs import render_site

    for folder in impacts:
        _copy_impact(folder, out_dir)
    run = run_pipeline(default_paths(paths, root), root)
    with stage_progress("docs") as bar:
        written = render_site(run, out_dir, FORMAT_CHOICES[doc_format], templates, jobs=jobs, progress=bar.update)
    diags = run.diagnostics_for_targets()
    click.echo(f"wrote {len(written)} documentation files into {out_dir}", err=True)
    suppressed = run.suppressed_for_targets()
    if diags or any(s.binding for s in suppressed):
        click.echo(summary_line(diags, len(run.workspace.targets), suppressed=suppressed), err=True)
    note = internal_error_note(diags)
    if note:
        click.echo(note, err=True)
    raise SystemExit(exit_status(diags))


def _copy_impact(folder: str, out_dir: str) -> None:
    """An impact report into OUT/impact/<policy id>/, where the policy's page links to it."""
    import json
    import os
    import shutil

    from ..backends.docs.views import impact_page
    from .common import EXIT_USAGE

    try:
        with open(os.path.join(folder, "impact.json"), encoding="utf-8") as fh:
            policy_id = json.load(fh)["policy"]
        if not isinstance(policy_id, str) or ".." in policy_id.split("/") or policy_id.startswith("/"):
            raise ValueError(policy_id)
    except (OSError, ValueError, KeyError, TypeError):
        click.echo(f"policylang docs: --impact {folder}: not an impact report (no readable impact.json); "
                   "write one with `policylang impact -o DIR`", err=True)
        raise SystemExit(EXIT_USAGE)
    dest = os.path.join(out_dir, os.path.dirname(impact_page(policy_id)))
    if os.path.abspath(dest) != os.path.abspath(folder):
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(folder, dest)
