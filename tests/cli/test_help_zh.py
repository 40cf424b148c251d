"""--help in Chinese: every command and option has its Chinese text."""

from __future__ import annotations

import re

import click
from click.testing import CliRunner

from policylang.cli import cli
from policylang.commands.help_zh import COMMANDS, OPTIONS
from zh_text import foreign


def _commands() -> dict[str, click.Command]:
    """Every command by its key in COMMANDS ("cache clean" for a subcommand)."""
    found = {}
    for name, command in cli.commands.items():
        found[name] = command
        if isinstance(command, click.Group):
            found.update({f"{name} {sub}": c for sub, c in command.commands.items()})
    return found


def test_every_command_and_option_has_a_chinese_help():
    assert set(COMMANDS) == {""} | set(_commands())
    for name, command in _commands().items():
        _, options = COMMANDS[name]
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.name in options or param.name in OPTIONS, (name, param.name)


def test_the_chinese_help_names_every_format_the_english_one_names():
    # a format added to --format and described in English only would be missing from the Chinese page
    for name, command in _commands().items():
        _, options = COMMANDS[name]
        for param in command.params:
            if not isinstance(param, click.Option) or not isinstance(param.type, click.Choice) or not param.help \
                    or "--format" not in param.opts:
                continue
            zh = options.get(param.name) or OPTIONS.get(param.name) or ""
            for choice in param.type.choices:
                if re.search(rf"(?<![\w-]){re.escape(choice)}(?![\w-])", param.help):
                    assert re.search(rf"(?<![\w-]){re.escape(choice)}(?![\w-])", zh), (name, param.name, choice)


# What a --help page shows in Latin by right: option names, metavars, command names in usage lines,
# the formats and tools it names.
HELP_EXTRA = (
    r"(\b\w*_\w*\b|JSON Lines|[（(]\.\w+[）)]|--?[\w-]+|\[[^\]]*\]|[A-Z_]{2,}|\$\w+"
    r"|policylang( \w+)?|\[tool\.policylang\]|Jinja2|JSON Lines|JSON|CSV|Markdown|Python|github|git|html|md|policies"
    r"|both|text|json|junit|github|sarif|zh|en|lang|null|OUT|\"[^\"]*\"|pre-commit|JSON Schema|Schema|DuckDB|Spark"
    r"|Parquet|SQL|duckdb|spark|sql|python|local|master|\b[A-Z]+\d+\b"
    r"|[\w./-]*/[\w./-]*|\w+\.(json|jsonl|csv|py|css|js|toml)"
    r"|\b(cli|check|fmt|build|compile|eval|run|test|docs|explain|diff|lsp|serve|schema|init|claims|stent|spine|impact|cache|clean)\b)",
)


def _english_words(text: str) -> list[str]:
    """English words outside option names, metavars, paths, ids and examples of commands."""
    return foreign(text, extra=HELP_EXTRA)


def test_help_pages_are_chinese_under_lang_zh():
    runner = CliRunner()
    for args in (["--lang", "zh", "--help"], *[["--lang", "zh", *name.split(), "--help"] for name in _commands()]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert "用法：" in result.output and "选项：" in result.output and "选项:" not in result.output
        assert "[OPTIONS]" not in result.output
        assert _english_words(result.output) == [], (args, result.output)


def test_help_stays_english_by_default(monkeypatch):
    monkeypatch.delenv("POLICYLANG_LANG", raising=False)
    result = CliRunner().invoke(cli, ["check", "--help"])
    assert "Usage:" in result.output and "用法" not in result.output
