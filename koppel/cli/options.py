"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

from ..model import Administration
from ..progress import ProgressBar
from ..registry import read_input

input_format_option = click.option(
    "--from", "from_format", metavar="FORMAT", default=None, help="Input format (default: detected from content)."
)
encoding_option = click.option(
    "--encoding",
    default=None,
    metavar="NAME",
    help="Read the input in this encoding, whatever its declaration says (e.g. iso-8859-1).",
)

reading_workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Processes that parse a large auditfile (default: all cores from 64 MB on; 1: one process).",
)


def source_options(func):
    """--profile/--until/--aggregate: read an ERP/POS/shop/bank export through a source profile."""
    func = click.option(
        "--aggregate",
        type=click.Choice(["none", "day", "month"]),
        default=None,
        help="Override the profile's aggregation.",
    )(func)
    func = click.option(
        "--until", metavar="YYYY-MM-DD", default=None, help="Hold back periods not closed by this date (reported)."
    )(func)
    return click.option(
        "--profile", default=None, metavar="P", help="Source profile (name or .toml); implies --from profile."
    )(func)


def source_reader_options(
    from_format: str | None,
    profile: str | None,
    until: str | None,
    aggregate: str | None,
    workers: int | None = None,
):
    """(from_format, reader options) for the source-profile options (and ``--workers``)."""
    options: dict = {}
    if workers is not None:
        options["workers"] = workers
    if profile:
        from_format = from_format or "profile"
        options["profile"] = profile
    if until:
        options["until"] = until
    if aggregate:
        options["aggregate"] = aggregate
    return from_format, options


def read_with_progress(path: Path, from_format: str | None, encoding: str | None, **options) -> Administration:
    """Read any input, with a progress bar on stderr when it is a terminal."""
    bar = ProgressBar(path.stat().st_size if path.is_file() else 0, label=f"reading {path.name}")
    try:
        if encoding:
            options["encoding"] = encoding
        if bar.enabled:
            options["progress"] = bar
        return read_input(path, from_format, **options)
    finally:
        bar.close()
