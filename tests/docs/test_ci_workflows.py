"""docs/ci.md: each workflow parses as YAML and every policylang command in it is a real command
with real options (parsed by the CLI itself, without running it)."""

from __future__ import annotations

import os
import re
import shlex

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML is in the test extra: pip install -e '.[test]'")

from policylang.cli import cli  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CI_DOC = os.path.join(REPO, "docs", "ci.md")


def blocks(language: str) -> list[str]:
    with open(CI_DOC, encoding="utf-8") as fh:
        text = fh.read()
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def commands(lines) -> list[list[str]]:
    """The policylang invocations in shell lines (variables replaced by sample values)."""
    out = []
    for line in lines:
        line = re.sub(r"\$\{\{[^}]*\}\}", "main", line)
        line = re.sub(r"\$\{?[A-Z_]+\}?", "main", line)
        for part in re.split(r"\|\||&&|[|;>]", line.split(" #")[0]):
            words = shlex.split(part)
            if words and words[0] == "policylang":
                out.append(words[1:])
    return out


def assert_parses(args: list[str]) -> None:
    """The CLI accepts these arguments: the command exists and its options and values are valid."""
    ctx = cli.make_context("policylang", list(args))
    rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
    name, command, rest = cli.resolve_command(ctx, rest)
    assert command is not None, args
    command.make_context(name, rest, parent=ctx)


def run_lines_github(workflow) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def run_lines_gitlab(pipeline) -> list[str]:
    lines = list(pipeline.get("default", {}).get("before_script", []))
    for name, job in pipeline.items():
        if isinstance(job, dict) and "script" in job:
            lines += job["script"]
    return lines


def workflows():
    found = [yaml.safe_load(text) for text in blocks("yaml")]
    github = [w for w in found if "jobs" in w]
    gitlab = [w for w in found if "stages" in w]
    return github, gitlab


def test_the_workflows_parse():
    github, gitlab = workflows()
    assert len(github) == 1 and len(gitlab) == 1
    steps = github[0]["jobs"]["check"]["steps"]
    uses = {step.get("uses", "").split("@")[0] for step in steps}
    assert {"actions/checkout", "github/codeql-action/upload-sarif", "actions/upload-artifact"} <= uses
    assert gitlab[0]["check-changed"]["artifacts"]["reports"]["junit"] == "policylang-junit.xml"
    for job in gitlab[0].values():
        if isinstance(job, dict) and "stage" in job:
            assert job["stage"] in gitlab[0]["stages"]


def test_every_command_is_real():
    github, gitlab = workflows()
    invoked = commands(run_lines_github(github[0])) + commands(run_lines_gitlab(gitlab[0]))
    invoked += commands(line for block in blocks("sh") for line in block.splitlines())
    names = {args[0] for args in invoked}
    assert {"check", "test", "build", "fmt"} <= names
    flags = {word for args in invoked for word in args if word.startswith("--")}
    assert {"--changed-since", "--format"} <= flags
    formats = {args[args.index("--format") + 1] for args in invoked if "--format" in args}
    assert formats == {"github", "sarif", "junit"}
    for args in invoked:
        assert_parses(args)


def test_the_checker_rejects_a_made_up_command():
    with pytest.raises(Exception):
        assert_parses(["check", "--no-such-option"])
    with pytest.raises(Exception):
        assert_parses(["check", "--format", "xml"])
