"""`policylang schema`: the JSON Schema of a policy evaluator's inputs and results."""

from __future__ import annotations

import json
import os

import click

from ..diagnostics import escape_surrogates
from ..pipeline import check as run_pipeline
from ..semantics.examples import EXAMPLE_FAILED
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, chosen_language, exit_status, lang_option, report, why_stopped


@click.command("schema")
@lang_option
@click.argument("policy")
@click.option("--only", type=click.Choice(("inputs", "results")), default=None,
              help="A schema of the inputs alone, or of the results alone (default: both, under $defs).")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="The policy tree's root, where ids are looked up (default: ./policies).")
def schema_command(policy, only, root):
    """Print the JSON Schema (2020-12) of POLICY's evaluator: its inputs (types, enums, optional
    inputs, the blanks the caller must supply) and its results, as `policylang eval` reads and
    prints them (money as decimal strings). POLICY is an id such as cn/gd/stent-2020, or a path.
    """
    from ..semantics.loader import policy_path_for
    from ..schema import policy_schema

    path = policy_path_for(policy, root)
    if not os.path.isfile(path):
        lang = chosen_language(root)
        message = (f"policylang schema：没有政策“{policy}”（查找了 {path}）" if lang == "zh"
                   else f"policylang schema: no policy {policy!r} (looked for {path})")
        click.echo(message, err=True)
        raise SystemExit(EXIT_USAGE)
    run = run_pipeline([path], root)
    diags = [d for d in run.diagnostics_for_targets() if d.severity == "error" and d.code != EXAMPLE_FAILED]
    targets = run.target_policies()
    status = exit_status(diags)
    if status != EXIT_OK or not targets or targets[0].has_errors:
        report(diags, run.workspace.sources, "text", root=run.workspace.root)
        lang = chosen_language(run.workspace.root)
        if status != EXIT_OK and status != EXIT_FINDINGS:
            click.echo(f"policylang schema：{why_stopped(diags, lang)}" if lang == "zh" else
                       f"policylang schema: {why_stopped(diags)}", err=True)
            raise SystemExit(status)
        click.echo(f"policylang schema：{policy} 有错误，请先修正" if lang == "zh"
                   else f"policylang schema: {policy} has errors; fix them first", err=True)
        raise SystemExit(EXIT_FINDINGS)
    click.echo(escape_surrogates(json.dumps(policy_schema(targets[0], only), ensure_ascii=False, indent=2)))
    raise SystemExit(EXIT_OK)
