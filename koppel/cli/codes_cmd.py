"""``koppel codes``: every rule code the checker reports, from the checker's own catalogue."""

from __future__ import annotations

import json

import click

from ..checks.catalogue import codes_markdown, codes_text, rule_rows
from . import cli
from .options import lang_option


@cli.command("codes")
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON on stdout.")
@click.option("--markdown", is_flag=True, help="Print the catalogue as a Markdown table (docs/codes.md).")
@lang_option
def codes_command(as_json: bool, markdown: bool, lang: str = "nl") -> None:
    """List every rule code of 'koppel check': severity, title (what is wrong) and the tip (--lang en: English)."""
    if as_json:
        click.echo(json.dumps(rule_rows(lang), indent=2, ensure_ascii=False))
    elif markdown:
        click.echo(codes_markdown(), nl=False)
    else:
        click.echo(codes_text(lang), nl=False)
