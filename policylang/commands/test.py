"""`policylang test`: run the `example` blocks of the policies and report like pytest."""

from __future__ import annotations

import click

from ..pipeline import check as run_pipeline
from ..semantics.examples import EXAMPLE_FAILED
from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    chosen_language,
    default_paths,
    exit_status,
    lang_option,
    paths_argument,
    report,
    root_option,
    why_stopped,
)


@click.command("test")
@lang_option
@paths_argument
@root_option
def test_command(paths, root):
    """Run every example of the policies (given … expect …) through the compiled evaluators.

    (`policylang check` runs them too, with the reference interpreter, and reports a failed
    expectation as PL601; this command runs the generated code that users embed.)

    One line per policy file with a dot per passing example and F per failing one, then
    each failing expectation with its file:line, the expected and the actual value.
    """
    from ..backends.pycodegen import CodegenError, compile_module
    from ..backends.runner import format_report, run_examples

    run = run_pipeline(default_paths(paths, root), root)
    # A failed example (PL601, from the check) is what this command reports, its own way.
    errors = [d for d in run.diagnostics_for_targets() if d.severity == "error" and d.code != EXAMPLE_FAILED]
    status = exit_status(errors)
    if status != EXIT_OK:
        report(errors, run.workspace.sources, "text", root=run.workspace.root)
        if chosen_language(run.workspace.root) == "zh":
            click.echo("示例未运行：" + ("检查程序内部出错（见上面的 PL990），这是 policylang 的缺陷，请报告"
                                     if any(d.code == "PL990" for d in errors) else "请先改正上面的错误"), err=True)
        else:
            click.echo(f"examples not run: {why_stopped(errors)}", err=True)
        raise SystemExit(status)
    results = []
    for policy in run.target_policies():
        if not policy.examples or policy.has_errors:
            continue
        try:
            module = compile_module(policy)
        except CodegenError as exc:
            click.echo(f"policylang test: {exc}", err=True)
            raise SystemExit(EXIT_FINDINGS)
        outcomes = run_examples(policy, module)
        results.append((outcomes[0].path, outcomes))
    text, passed, failed = format_report(results, chosen_language(run.workspace.root))
    click.echo(text, nl=False)
    raise SystemExit(EXIT_FINDINGS if failed else EXIT_OK)
