"""`policylang lsp`: the language server, over standard input and output (policylang/services/lsp.py)."""

from __future__ import annotations

import os
import sys

import click

from .common import EXIT_USAGE, LANG_KEY, lang_option


@click.command("lsp")
@lang_option
@click.option("--stdio", is_flag=True, help="Talk over standard input and output (the default and only transport).")
def lsp_command(stdio):
    """Run the language server for editors: diagnostics as you type, hover, go to definition,
    completion and formatting. Editors start it themselves (see editors/vscode).

    Needs the `lsp` extra: pip install 'policylang[lsp]'.
    """
    try:
        from ..services.lsp import serve_stdio
    except ImportError as exc:
        click.echo(f"policylang lsp: the language server needs pygls and lsprotocol ({exc.name} is missing); "
                   "install them with: pip install 'policylang[lsp]'", err=True)
        raise SystemExit(EXIT_USAGE)
    ctx = click.get_current_context()
    serve_stdio(ctx.meta.get(LANG_KEY))
    # The client has closed the streams: nothing more is written to them.
    sys.stdout = open(os.devnull, "w")
