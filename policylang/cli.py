"""The `policylang` command line."""

from __future__ import annotations

import importlib
import os
import sys

import click

from . import __version__
from .commands.common import EXIT_INTERNAL, EXIT_USAGE, lang_option
from .commands.help_zh import localized
from .semantics.loader import UsageError

# The commands in the order `policylang --help` lists them.
COMMAND_ORDER = ("check", "fmt", "build", "compile", "eval", "run", "impact", "schema", "test", "docs", "explain", "diff",
                 "claims")

# Each command and the module of policylang.commands that defines it: a command imports its own
# module only (`policylang check` does not load the code generators or the batch engine). A test
# keeps this in step with the package.
COMMAND_MODULES = {
    "build": "build", "cache": "cache", "check": "check", "claims": "claims", "compile": "compile",
    "diff": "explain", "docs": "docs", "eval": "eval", "explain": "explain", "fmt": "fmt", "impact": "impact",
    "init": "init", "lsp": "lsp", "run": "run", "schema": "schema", "serve": "serve", "test": "test",
}


def _load_module(module_name: str, into: dict) -> None:
    module = importlib.import_module(f"{__package__}.commands.{module_name}")
    for value in vars(module).values():
        if isinstance(value, click.Command) and value.name and not dict.__contains__(into, value.name):
            value.__class__ = localized(type(value))  # --help in Chinese when Chinese is chosen
            dict.__setitem__(into, value.name, value)


class _Commands(dict):
    """The group's commands, each module imported when one of its commands is first looked up;
    listing them (help, tests) imports them all."""

    def _one(self, name) -> None:
        if not dict.__contains__(self, name) and name in COMMAND_MODULES:
            _load_module(COMMAND_MODULES[name], self)

    def _all(self) -> None:
        for name in COMMAND_MODULES:
            self._one(name)

    def get(self, name, default=None):
        self._one(name)
        return dict.get(self, name, default)

    def __getitem__(self, name):
        self._one(name)
        return dict.__getitem__(self, name)

    def __contains__(self, name) -> bool:
        self._one(name)
        return dict.__contains__(self, name)

    def __iter__(self):
        self._all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._all()
        return dict.__len__(self)

    def keys(self):
        self._all()
        return dict.keys(self)

    def values(self):
        self._all()
        return dict.values(self)

    def items(self):
        self._all()
        return dict.items(self)


class _Group(click.Group):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = _Commands(self.commands)

    def list_commands(self, ctx):
        return sorted(self.commands, key=lambda n: (COMMAND_ORDER.index(n) if n in COMMAND_ORDER else 99, n))


@click.group(cls=localized(_Group), context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="policylang")
@lang_option
def cli():
    """policylang: write medical-insurance policy as code, check every regional
    override against the levels above it, compile evaluators, and publish docs.

    \b
    Typical use:
      policylang check                 check the policies/ tree
      policylang explain cn/gd/stent-2020 prepayment_ratio
      policylang eval cn/gd/stent-2020 --input cases.json
      policylang build                 check, compile to _policylang/python, docs to _policylang/docs
    """


def _register_commands() -> None:
    """Import every command now (the group imports each when it is first used)."""
    cli.commands.keys()


def main(argv=None) -> int:
    """Run the CLI. Bad input gives diagnostics; only a bug in policylang itself reaches the last handler.

    Exit status (the same for every command; see commands/common.py and README): 0 no errors,
    1 errors found in the policies, 2 no verdict — a usage or I/O problem, or an internal error
    (a check that failed, PL990, or a crash of the command, reported here). 130 when interrupted.
    """
    # Expressions are nested at most 100 deep (PL104); passes that walk them recursively need some head room.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    from .commands.common import CHOSEN

    CHOSEN["lang"] = None  # this run's --lang, once the option is read (not an earlier run's, in the same process)
    try:
        cli.main(args=argv, prog_name="policylang", standalone_mode=False)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return _exit(code)
    except click.exceptions.Exit as exc:
        return _exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return _exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("已中止" if _language() == "zh" else "aborted", err=True)
        return _exit(130)
    except UsageError as exc:
        click.echo(f"policylang：{exc.zh}" if _language() == "zh" else f"policylang: {exc}", err=True)
        return _exit(EXIT_USAGE)
    except KeyboardInterrupt:
        click.echo("已中断" if _language() == "zh" else "interrupted", err=True)
        return _exit(130)
    except BrokenPipeError:
        return _exit(0)
    except Exception as exc:  # a bug in policylang: say so plainly, keep the traceback for developers
        if os.environ.get("POLICYLANG_DEBUG"):
            raise
        if _language() == "zh":
            click.echo(f"policylang：内部错误：{exc.__class__.__name__}: {exc}\n"
                       "这是 policylang 程序本身的缺陷，不是政策文件的问题。设置环境变量 POLICYLANG_DEBUG=1 后重新运行"
                       "可看到详细的出错信息，请报告给维护者。", err=True)
        else:
            click.echo(f"policylang: internal error: {exc.__class__.__name__}: {exc}\n"
                       "This is a bug in policylang, not in your policy. Run again with POLICYLANG_DEBUG=1 "
                       "to see the details, and please report it.", err=True)
        return _exit(EXIT_INTERNAL)
    return _exit(0)


def _language() -> str:
    from .commands.common import CHOSEN
    from .config import output_language

    try:
        return output_language(None, CHOSEN["lang"])
    except Exception:  # noqa: BLE001 - a broken configuration: it has been reported; say the rest in English
        return "en"


def _exit(code: int) -> int:
    sys.stdout.flush()
    return code


def entry_point() -> None:
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry_point()
