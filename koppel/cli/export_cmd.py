"""``koppel export``."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from ..atomic import replacing
from ..export import EXPORT_FORMATS, export_tables
from ..outputs import check_folder_output
from ..progress import activity
from ..stdin_input import readable
from . import cli
from .options import (
    encoding_option,
    force_option,
    input_format_option,
    read_options,
    read_options_option,
    read_with_progress,
    reading_workers_option,
    source_options,
    source_reader_options,
)


@cli.command("export")
@click.argument("path", type=click.Path(path_type=Path), metavar="INPUT|-")
@click.option("-o", "--output", "outdir", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True,
              help="One file per table in this format (parquet keeps the column types).")
@input_format_option
@encoding_option
@source_options
@reading_workers_option
@read_options_option
@force_option
def export_command(
    path: Path,
    outdir: Path,
    fmt: str,
    from_format: str | None,
    encoding: str | None,
    read_option_pairs: tuple[str, ...],
    force: bool,
    **source,
) -> None:
    """Write the canonical tables (accounts, relations, ..., lines) of an input, one file per table.

    -o names a new or empty folder; --force replaces an earlier export there whole. INPUT '-' reads stdin.
    """
    from_format, options = source_reader_options(from_format, **source)
    replace_whole = check_folder_output(outdir, option="-o", force=force, markers=("summary.json",))
    with readable(path) as given:  # summary.json names stdin "stdin": the copy is a file of that name
        options.update(read_options(given, from_format, read_option_pairs))
        with activity("export"), replacing(outdir) if replace_whole else contextlib.nullcontext():
            adm = read_with_progress(given, from_format, encoding, **options)
            written = export_tables(adm, outdir, fmt, input_path=given)
    click.echo(f"wrote {len(written)} files to {outdir}/ ({adm.stats.lines} lines)")
