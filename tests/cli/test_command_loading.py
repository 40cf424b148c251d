"""The command line imports a command's module only when that command runs."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import click

from policylang import commands
from policylang.cli import COMMAND_MODULES


def test_the_command_map_names_every_command_of_the_package_and_only_those():
    found = {}
    for info in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        for value in vars(module).values():
            # a command defined in this module (not one it imports, nor a subcommand of a group)
            if isinstance(value, click.Command) and value.callback is not None \
                    and value.callback.__module__ == module.__name__ and value.name not in found:
                found[value.name] = info.name
    subcommands = {sub for value in found for sub in getattr(_command(value), "commands", {})}
    assert {name: mod for name, mod in found.items() if name not in subcommands} == COMMAND_MODULES


def _command(name):
    from policylang.cli import cli

    return cli.commands[name]


def test_check_does_not_import_the_backends_and_help_lists_every_command():
    code = ("import sys\nfrom policylang.cli import main\n"
            "status = main(['check', '--root', 'policies', '-q', 'cn/stent-2020'])\n"
            "print(status, sorted(m for m in sys.modules if m.startswith(('policylang.backends', 'policylang.commands.'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=str(_repo()))
    status, loaded = done.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status in ("0", "1"), done.stderr
    assert "policylang.backends.pycodegen" not in loaded and "policylang.backends.stream" not in loaded, loaded
    assert "policylang.commands.eval" not in loaded and "policylang.commands.check" in loaded, loaded
    listed = subprocess.run([sys.executable, "-m", "policylang", "--help"], capture_output=True, text=True,
                            timeout=120, cwd=str(_repo())).stdout
    for name in COMMAND_MODULES:
        assert f"\n  {name} " in listed, name


def _repo():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]
