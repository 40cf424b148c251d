"""`policylang claims`: write synthetic (made-up) stent or spine claims, seeded and reproducible."""

from __future__ import annotations

import sys

import click

from .common import EXIT_OK, EXIT_USAGE, lang_option


@click.command("claims")
@lang_option
@click.argument("kind", type=click.Choice(["stent", "spine"]))
@click.option("--rows", "-n", type=click.IntRange(min=0), default=1000, show_default=True, help="How many claims.")
@click.option("--seed", type=int, default=0, show_default=True, help="The random seed.")
@click.option("--year", type=click.IntRange(2000, 2100), default=None,
              help="The year of the claims (default: 2021 for stents, 2024 for spine).")
@click.option("--invalid", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="The share of rows given one hostile cell (a negative amount, an impossible date, a percent "
                   "over 100%, an unknown enum member...), to try per-row errors.")
@click.option("--out", "-o", "out", default="-", metavar="PATH",
              help="Write to PATH (.csv or .jsonl; default: standard output, CSV).")
def claims_command(kind, rows, seed, year, invalid, out):
    """Write synthetic claims of KIND (stent or spine): made-up rows, not real data, with the
    distributions documented in docs/claims.md; the same arguments give the same bytes.
    The columns are the policy chain's inputs (and the blanks its cities fill) plus claim_id,
    city, hospital, month and a few more to break results down by (pass those to `eval --keep`)."""
    from .. import claims

    try:
        if out == "-":
            claims.write(sys.stdout, kind, rows, seed, year, invalid, "csv")
        else:
            claims.write(out, kind, rows, seed, year, invalid)
    except OSError as exc:
        click.echo(f"policylang claims: cannot write {out}: {exc.strerror or exc}", err=True)
        raise SystemExit(EXIT_USAGE)
    click.echo(f"policylang claims: {rows:,} {kind} claims written ({claims.SYNTHETIC_NOTE})", err=True)
    raise SystemExit(EXIT_OK)
