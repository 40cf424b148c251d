"""What every command shares: options, diagnostic output in each format, exit codes."""

from __future__ import annotations

import os
import sys
from typing import Iterable, Optional, Sequence

import click

from .. import __version__
from ..diagnostics import (
    ERROR,
    INTERNAL_ERROR_CODE,
    LANGUAGES,
    WARNING,
    Diagnostic,
    escape_surrogates,
    SourceCache,
    Suppressed,
    render_github,
    render_json,
    render_suppressed,
    render_text,
    summary_line,
    use_colour,
)

# Exit statuses, the same for every command (README, "Exit status"):
# 0 the policies were checked and nothing is wrong (warnings only, unless --strict);
# 1 the check found errors in the policies (or warnings, with --strict);
# 2 policylang could not give a verdict: a usage or I/O problem (a path that does not exist,
#   an unknown option), or an internal error (a check failed, PL990, or the command crashed).
#   The message says which: an internal error always says "internal error".
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 2

FORMATS = ("text", "json", "github", "sarif", "junit")

LANG_KEY = "policylang.lang"


# The --lang of the command being run, for the messages printed after its context is gone (cli.main).
CHOSEN = {"lang": None}


def _remember_language(ctx, param, value):
    if value:
        ctx.meta[LANG_KEY] = value  # meta is shared by the group's context and the command's
        CHOSEN["lang"] = value
    return value


lang_option = click.option(
    "--lang", type=click.Choice(LANGUAGES), default=None, expose_value=False, is_eager=True,
    callback=_remember_language,
    help="The language of findings: zh (中文) or en. Default: $POLICYLANG_LANG, else `lang` in "
         "[tool.policylang] of pyproject.toml, else en.",
)
_format = click.option(
    "--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
    help="How to print findings: text for people, json for tools, github for workflow annotations, sarif for code "
         "scanning, junit for a CI server's test report (JSON, SARIF and JUnit paths are relative to the "
         "project root: the git work tree holding the policies, else the folder above policies/).",
)


def format_option(command):
    """--format and --lang: how and in which language findings are printed."""
    return _format(lang_option(command))


def chosen_language(root: Optional[str] = None) -> str:
    ctx = click.get_current_context(silent=True)
    from ..config import output_language

    return output_language(root, ctx.meta.get(LANG_KEY) if ctx is not None else None)


def phrase(key: str, /, root: Optional[str] = None, **params) -> str:
    """A phrase of the message catalogue in the language chosen for this run (see chosen_language)."""
    from ..messages import P

    en, zh = P(key, **params)
    return zh if chosen_language(root) == "zh" and zh is not None else en


root_option = click.option(
    "--root", type=click.Path(file_okay=False), default=None,
    help="The policy tree's root folder (default: the nearest folder named 'policies').",
)
paths_argument = click.argument("paths", nargs=-1, type=click.Path())


def default_paths(paths: Iterable[str], root: Optional[str] = None) -> list[str]:
    """The files and folders to work on: those given, each of which may also be a policy id
    (cn/gd/stent-2020, found under --root or ./policies, as `eval` and `run` take it); else ./policies."""
    from ..semantics.loader import policy_path_for

    paths = [p if os.path.exists(p) else policy_path_for(p, root) for p in paths]
    if paths:
        return paths
    if os.path.isdir("policies"):
        return ["policies"]
    raise click.UsageError("no policy files given, and there is no 'policies' folder here")


def report_root(tree_root: Optional[str]) -> Optional[str]:
    """The folder JSON, SARIF and JUnit paths are relative to: the nearest folder at or above the
    policy tree that is a git work tree (what code scanning and CI servers resolve paths
    against), else the folder holding the tree when it is named `policies`, else the tree itself."""
    if not tree_root:
        return None
    tree = os.path.abspath(tree_root)
    probe = tree
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    return os.path.dirname(tree) if os.path.basename(tree) == "policies" else tree


def render(diags: list[Diagnostic], sources: SourceCache, output_format: str, stream=None,
           lang: str = "en", suppressed: Sequence[Suppressed] = (), root: Optional[str] = None,
           policies: Optional[Sequence[tuple[str, Optional[str]]]] = None) -> str:
    """Findings in a format; `suppressed` (what in-line suppressions suppressed) goes with them:
    a list of the binding ones after the text, an array in JSON, results with `suppressions`
    in SARIF, notices in GitHub annotations, `system-out` in JUnit. root: the folder the paths of
    JSON, SARIF and JUnit are relative to (JSON: absolute paths without it; SARIF: the working
    directory). policies: (id, file) of each policy checked, the test cases of JUnit."""
    if output_format != "text":  # the text output shows them escaped already (printable)
        return escape_surrogates(_render(diags, sources, output_format, stream, lang, suppressed, root, policies))
    return _render(diags, sources, output_format, stream, lang, suppressed, root, policies)


def _render(diags, sources, output_format, stream, lang, suppressed, root, policies) -> str:
    stream = stream or sys.stdout
    if output_format == "json":
        return render_json(diags, suppressed, root=root) + "\n"  # both languages, in separate fields
    if output_format == "github":
        return render_github(diags, lang, suppressed)
    if output_format == "sarif":
        from ..sarif import render_sarif

        return render_sarif(diags, __version__, root=root, suppressed=suppressed, lang=lang) + "\n"
    if output_format == "junit":
        from ..junit import render_junit

        if policies is None:  # one test case per file with findings
            policies = list({d.span.file: (d.policy_id or d.span.file, d.span.file)
                             for d in diags if d.span is not None}.values())
        return render_junit(diags, policies, root=root, lang=lang, suppressed=suppressed) + "\n"
    text = render_text(diags, sources, colour=use_colour(stream), lang=lang)
    listed = render_suppressed(suppressed, lang)
    return text + (listed + "\n" if listed else "")


def report(diags: list[Diagnostic], sources: SourceCache, output_format: str, files: Optional[int] = None,
           quiet: bool = False, root: Optional[str] = None, suppressed: Sequence[Suppressed] = (),
           policies: Optional[Sequence[tuple[str, Optional[str]]]] = None) -> None:
    """Print findings to stdout; for text, the suppressed binding findings and a summary line
    follow (quiet: no summary line; the suppressed binding findings are still listed).
    root: the policy tree, whose pyproject.toml may choose the language and whose project root
    (report_root) the paths of JSON, SARIF and JUnit are relative to. policies: (id, file) of the
    policies checked (JUnit's test cases)."""
    lang = chosen_language(root)
    out = render(diags, sources, output_format, lang=lang, suppressed=suppressed, root=report_root(root),
                 policies=policies)
    if out:
        click.echo(out, nl=False)
    if output_format == "text" and files is not None and not quiet:
        click.echo(summary_line(diags, files, lang, suppressed))


def exit_status(diags: Iterable[Diagnostic], strict: bool = False) -> int:
    """EXIT_INTERNAL when a check failed (PL990), else EXIT_FINDINGS on errors (and warnings with
    strict), else EXIT_OK."""
    diags = list(diags)
    if any(d.code == INTERNAL_ERROR_CODE for d in diags):
        return EXIT_INTERNAL
    if any(d.severity == ERROR for d in diags):
        return EXIT_FINDINGS
    if strict and any(d.severity == WARNING for d in diags):
        return EXIT_FINDINGS
    return EXIT_OK


def why_stopped(diags: Iterable[Diagnostic], lang: str = "en") -> str:
    """Why a command that needs a clean check stops: the policies' errors, or a failure of policylang."""
    if any(d.code == INTERNAL_ERROR_CODE for d in diags):
        if lang == "zh":
            return "内部错误：有一项检查在 policylang 内部出错（见上面的 PL990）；这是 policylang 程序的缺陷，不是政策的问题，请报告"
        return ("internal error: a check failed inside policylang (PL990 above); this is a bug in policylang, "
                "not in the policies; please report it")
    return "请先改正上面的错误" if lang == "zh" else "fix the errors above first"


def stopped_line(command: str, diags: Iterable[Diagnostic], lang: str) -> str:
    """`build stopped: …` / 「build 已停止：请先改正上面的错误」."""
    if lang == "zh":
        what = "没有生成任何计算程序" if command == "compile" else f"policylang {command} 已停止"
        return f"{what}：{why_stopped(diags, lang)}"
    what = "nothing compiled" if command == "compile" else f"{command} stopped"
    return f"{what}: {why_stopped(diags)}"


def internal_error_note(diags: Iterable[Diagnostic]) -> Optional[str]:
    """For commands whose output is not a list of findings (explain, diff, docs): what to say on
    standard error when a check failed inside policylang, or None."""
    failed = [d for d in diags if d.code == INTERNAL_ERROR_CODE]
    if not failed:
        return None
    lines = [f"policylang: internal error: {len(failed)} check{'s' if len(failed) != 1 else ''} failed inside "
             "policylang, so what is shown may be incomplete; this is a bug in policylang, not in the "
             "policies; please report it:"]
    lines += [f"  {d.message}" for d in failed]
    return "\n".join(lines)


def stage_progress(stage: str):
    """The progress line of a long stage ('compile', 'docs'), drawn on a terminal outside CI only;
    give its `update` to the stage as progress(done, total)."""
    from ..progress import Progress, stage_label

    return Progress(stage_label(stage, chosen_language()))
