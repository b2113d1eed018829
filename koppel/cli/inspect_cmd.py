"""``koppel inspect``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..progress import activity
from ..provenance import stamp
from ..stdin_input import SHOWN, is_stdin, readable
from ..summary import summarize, summary_text
from ..xaf.consumers import wanted_in_pass
from . import cli
from .options import (
    encoding_option,
    input_format_option,
    read_options,
    read_options_option,
    read_with_progress,
    reading_workers_option,
    source_options,
    source_reader_options,
)


@cli.command("inspect")
@click.argument("path", type=click.Path(path_type=Path), metavar="INPUT|-")
@input_format_option
@encoding_option
@source_options
@reading_workers_option
@read_options_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout instead of text.")
def inspect_command(
    path: Path,
    from_format: str | None,
    encoding: str | None,
    as_json: bool,
    read_option_pairs: tuple[str, ...],
    **source,
) -> None:
    """Version, producer, counts and totals of an auditfile or any readable input ('-': read it from stdin)."""
    from_format, options = source_reader_options(from_format, **source)
    with readable(path) as given:
        options.update(read_options(given, from_format, read_option_pairs))
        with activity("inspect"), wanted_in_pass(lines=False):  # counts and totals only: no line is kept
            adm = read_with_progress(given, from_format, encoding, **options)
            summary = summarize(adm)
        summary["file"] = SHOWN if is_stdin(path) else str(path)
        if as_json:  # the hash of the bytes read, while the copy of stdin still exists
            stamped = stamp(summary, given, shown_as=SHOWN if is_stdin(path) else None)
            click.echo(json.dumps(stamped, indent=2, ensure_ascii=False))
            return
    click.echo(summary_text(summary))
