"""`policylang explain <id> <item>` and `policylang diff <id>`: the reviewer's views of a policy chain."""

from __future__ import annotations

import json
import os
import sys

import click

from ..diagnostics import escape_surrogates
from ..pipeline import check
from ..semantics.explain import (
    ExplainError,
    diff_policy,
    explain_item,
    render_diff_text,
    render_explain_text,
)
from ..semantics.loader import UsageError
from ..diagnostics import ERROR
from ..messages import P
from .common import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_USAGE, chosen_language, internal_error_note, lang_option

_format = click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text",
                       show_default=True, help="text for people, json for tools.")
_root = click.option("--root", type=click.Path(file_okay=False), default=None,
                     help="The policy tree's root folder (default: the 'policies' folder here).")


def _check_tree(root):
    root = root or os.path.join(os.getcwd(), "policies")
    if not os.path.isdir(root):
        _usage(f"there is no policy folder at {root}; give one with --root")
    try:
        return check([root], root=root)
    except UsageError as exc:
        _usage(str(exc))


def _finish(run, policy_id: str, root) -> None:
    """After the view: exit 2 when a check failed inside policylang (its verdicts may be missing),
    1 when a level above the policy has errors (the view shows only what resolved: a parent that
    does not resolve makes a child look unchanged)."""
    note = internal_error_note(run.diagnostics)
    if note:
        click.echo(note, err=True)
        sys.exit(EXIT_INTERNAL)
    above = _chain_of(run, policy_id) - {policy_id}  # its own errors are part of the view (diff lists them)
    errors = [d for d in run.diagnostics if d.severity == ERROR and d.policy_id in above]
    if errors:
        where = list(dict.fromkeys(d.policy_id for d in errors))
        en, zh = P("phrase.view.chain_errors", policy=policy_id, count=len(errors),
                   plural="" if len(errors) == 1 else "s", where=", ".join(where))
        lang = chosen_language(root or os.path.join(os.getcwd(), "policies"))
        click.echo(escape_surrogates(zh if lang == "zh" and zh else en), err=True)
        sys.exit(EXIT_FINDINGS)


def _chain_of(run, policy_id: str) -> set[str]:
    """The policy and the policies its file extends, up to the root (as written, resolved or not)."""
    return set(run.workspace.written_chain(policy_id))


def _usage(message: str):
    click.echo(f"policylang: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _emit(data: dict, output_format: str, render, root) -> None:
    if output_format == "json":
        click.echo(escape_surrogates(json.dumps(data, ensure_ascii=False, indent=2)))
    else:
        click.echo(render(data, chosen_language(root or os.path.join(os.getcwd(), "policies"))), nl=False)


@click.command("explain")
@click.argument("policy_id")
@click.argument("item")
@_root
@_format
@lang_option
def explain(policy_id, item, root, output_format):
    """Show how ITEM of POLICY_ID is defined down the chain, national first:
    each level's file, line, article, statement and value, and what the level did."""
    run = _check_tree(root)
    resolution = run.resolution
    try:
        data = explain_item(resolution, policy_id, item)
    except ExplainError as exc:
        _usage(exc.zh if chosen_language(root or os.path.join(os.getcwd(), "policies")) == "zh" else str(exc))
    _emit(data, output_format, render_explain_text, root)
    _finish(run, policy_id, root)


@click.command("diff")
@click.argument("policy_id")
@_root
@_format
@lang_option
def diff(policy_id, root, output_format):
    """Show what POLICY_ID changes relative to its parent and to the national root:
    added, tightened, filled, replaced, loosened (an error)."""
    run = _check_tree(root)
    resolution = run.resolution
    try:
        data = diff_policy(resolution, policy_id)
    except ExplainError as exc:
        _usage(exc.zh if chosen_language(root or os.path.join(os.getcwd(), "policies")) == "zh" else str(exc))
    _emit(data, output_format, render_diff_text, root)
    _finish(run, policy_id, root)
