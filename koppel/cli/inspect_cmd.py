"""``koppel inspect``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..progress import activity
from ..summary import summarize, summary_text
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
@click.argument("path", type=click.Path(path_type=Path))
@input_format_option
@encoding_option
@source_options
@reading_workers_option
@read_options_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def inspect_command(
    path: Path,
    from_format: str | None,
    encoding: str | None,
    as_json: bool,
    read_option_pairs: tuple[str, ...],
    **source,
) -> None:
    """Version, producer, counts and totals of an auditfile or any readable input."""
    from_format, options = source_reader_options(from_format, **source)
    options.update(read_options(path, from_format, read_option_pairs))
    with activity("inspect"):
        adm = read_with_progress(path, from_format, encoding, **options)
        summary = summarize(adm)
    summary["file"] = str(path)
    if as_json:
        from ..provenance import stamp

        click.echo(json.dumps(stamp(summary, path), indent=2, ensure_ascii=False))
    else:
        click.echo(summary_text(summary))
