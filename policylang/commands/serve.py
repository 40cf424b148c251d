"""`policylang serve`: the HTTP decision service over a policy tree (policylang/services/http.py)."""

from __future__ import annotations

import os

import click

from .common import EXIT_USAGE


@click.command("serve")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="The policy tree's root (default: ./policies).")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="The port to listen on.")
@click.option("--max-body", type=click.IntRange(1), default=1024 * 1024, show_default=True,
              help="The largest request body accepted, in bytes (larger: 413).")
@click.option("--max-cases", type=click.IntRange(1), default=1000, show_default=True,
              help="The most cases one evaluate request may carry (more: 422).")
def serve_command(root, host, port, max_body, max_cases):
    """Serve the policies' evaluators over HTTP: GET /policies, GET /policies/ID,
    POST /policies/ID/evaluate (the JSON `policylang eval` prints), GET /policies/ID/schema,
    GET /openapi.json. Evaluators are compiled once and reloaded when the tree changes.

    Needs the `serve` extra: pip install 'policylang[serve]'.
    """
    try:
        from ..services.http import serve
    except ImportError as exc:
        click.echo(f"policylang serve: the service needs starlette and uvicorn ({exc.name} is missing); "
                   "install them with: pip install 'policylang[serve]'", err=True)
        raise SystemExit(EXIT_USAGE)
    root = root or "policies"
    if not os.path.isdir(root):
        click.echo(f"policylang serve: no policy tree at {root}", err=True)
        raise SystemExit(EXIT_USAGE)
    click.echo(f"policylang serve: {os.path.abspath(root)} on http://{host}:{port}", err=True)
    serve(root, host, port, max_body, max_cases)
