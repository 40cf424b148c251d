"""`policylang build`: check the tree, then compile evaluators and write the docs."""

from __future__ import annotations

import os
from typing import Optional

import click

from ..diagnostics import ERROR, render_digest, summary_line
from ..messages import Bi
from ..pipeline import check as run_pipeline
from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    chosen_language,
    default_paths,
    exit_status,
    format_option,
    paths_argument,
    phrase,
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
@click.option("--force", is_flag=True,
              help="Generate every module and page again, whatever the last build into OUT recorded.")
def build_command(paths, out_dir, output_format, root, no_docs, no_compile, standalone, verbose, force):
    """Check every policy, then compile it to Python and write its documentation.

    Errors are printed in full; warnings and infos are counted by code (--verbose, or
    `policylang check`, prints each). Stops after the check when it finds errors (nothing is
    written then): exit status 1, or 2 when a check failed inside policylang (PL990).

    Each build remembers, in the check's cache, what every policy's module and pages were made
    from: the next build into the same folder writes only the modules and pages of the policies
    that changed (or whose files were changed or removed since), rewrites the index and the search
    index, and removes the files of policies that are gone; with nothing changed it writes
    nothing. The output is the same bytes as a build into an empty folder. --force ignores the
    record and writes everything (a file already holding the same bytes is still left as it is).
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
    from ..build_manifest import Manifest, TreeInputs

    manifest = Manifest(out_dir, run.workspace.root, force=force)
    inputs = TreeInputs(run)
    docs = None if no_docs else _DocsPlan(run, inputs, manifest, os.path.join(out_dir, "docs"))
    if not no_compile:
        # While the compile stage's workers run, this process works out the docs (nothing written).
        _compile_stage(run, inputs, manifest, os.path.join(out_dir, "python"), standalone,
                       started=docs.start_in_background if docs is not None else None)
    if docs is not None:
        docs.write()
    raise SystemExit(EXIT_OK)


def _compile_stage(run, inputs, manifest, folder: str, standalone: bool, started=None) -> None:
    from ..backends.pycodegen import CodegenError, package_layout, write_modules
    from ..build_manifest import module_keys
    from ..cache import make_key

    options = make_key("python", standalone)
    record = manifest.up_to_date("python", options, inputs.tree_key)
    if record is not None:  # nothing to resolve, nothing to write
        click.echo(phrase("phrase.build.unchanged", folder=folder, files=len(record["states"])), err=True)
        return
    policies = [p for p in run.target_policies() if not p.has_errors]
    try:
        layout = package_layout(p.policy_id for p in policies)
        keys = module_keys(inputs, layout, standalone)
        stale = manifest.stale("python", options, keys)
        with stage_progress("compile") as bar:
            written = write_modules(policies, folder, standalone=standalone, progress=bar.update,
                                    only=None if len(stale) == len(keys) else stale, started=started)
    except CodegenError as exc:
        click.echo(phrase("phrase.build.codegen_failed", what=Bi(str(exc), exc.zh)), err=True)
        raise SystemExit(EXIT_FINDINGS)
    mine = {pid: [os.path.join(folder, *rel.split("/"))] for pid, rel in layout.items()}
    own = {path for paths in mine.values() for path in paths}
    removed = manifest.remove_gone("python", written)
    manifest.record("python", options, inputs.tree_key, keys, mine, [f for f in written if f not in own])
    click.echo(phrase("phrase.build.compiled", count=len(policies), plural="ies" if len(policies) != 1 else "y",
                      folder=folder, files=len(written)), err=True)
    _say_incremental(manifest, "python", folder, len(stale), len(keys), removed)


class _DocsPlan:
    """The docs stage in two steps: working out what to write (the record of the last build, the
    stale policies, the prepared site: backends.docs.site.prepare_site), which writes nothing, and
    writing it. The first may run in a thread while the compile stage's workers run (this process
    only waits for them then); the second runs after the compile stage, in this thread alone, so
    the docs' own workers are forked from a process running one thread (see processes)."""

    def __init__(self, run, inputs, manifest, folder: str):
        self.run, self.inputs, self.manifest, self.folder = run, inputs, manifest, folder
        self._thread = None
        self._outcome = None  # ("unchanged", record) | ("write", options, keys, stale, prepared)
        self._failure: Optional[BaseException] = None

    def start_in_background(self) -> None:
        import threading

        def work() -> None:
            try:
                self._outcome = self._plan()
            except BaseException as exc:  # raised again in the building thread, by write()
                self._failure = exc

        self._thread = threading.Thread(target=work, name="policylang-docs-plan", daemon=True)
        self._thread.start()

    def _plan(self):
        from ..backends.docs.site import DEFAULT_FORMATS, policies_to_render, prepare_site
        from ..build_manifest import page_keys, templates_fingerprint
        from ..cache import make_key

        folder, inputs, manifest = self.folder, self.inputs, self.manifest
        impact = [pid for pid in sorted(inputs.paths)
                  if os.path.isfile(os.path.join(folder, "impact", *pid.split("/"), "index.html"))]
        options = make_key("docs", templates_fingerprint(), *DEFAULT_FORMATS, "impact", *impact)
        record = manifest.up_to_date("docs", options, inputs.tree_key)
        if record is not None:
            return ("unchanged", record)
        keys = page_keys(inputs, policies_to_render(self.run), DEFAULT_FORMATS, None, folder)
        stale = manifest.stale("docs", options, keys)
        prepared = prepare_site(self.run, folder, only=None if len(stale) == len(keys) else stale)
        return ("write", options, keys, stale, prepared)

    def write(self) -> None:
        if self._thread is not None:
            self._thread.join()
            if self._failure is not None:
                raise self._failure
        outcome = self._outcome if self._outcome is not None else self._plan()
        manifest, folder = self.manifest, self.folder
        if outcome[0] == "unchanged":
            click.echo(phrase("phrase.build.unchanged", folder=folder, files=len(outcome[1]["states"])), err=True)
            return
        _, options, keys, stale, prepared = outcome
        with stage_progress("docs") as bar:
            site = prepared.write(progress=bar.update)
        removed = manifest.remove_gone("docs", site.all)
        manifest.record("docs", options, self.inputs.tree_key, keys, site.by_policy, site.site_files)
        click.echo(phrase("phrase.build.wrote_docs", files=len(site.all), folder=folder), err=True)
        _say_incremental(manifest, "docs", folder, len(stale), len(keys), removed)


def _say_incremental(manifest, stage: str, folder: str, changed: int, count: int, removed: list) -> None:
    if changed == count and not removed:
        return  # a full build: nothing more to say
    gone = phrase("phrase.build.removed", files=len(removed)) if removed else ""
    click.echo(phrase("phrase.build.incremental", folder=folder, changed=changed, count=count, removed=gone), err=True)
