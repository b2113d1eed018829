"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import KoppelError
from ..format_options import reader_options, validate
from ..model import Administration
from ..progress import current
from ..registry import detect_format, get_format, read_input

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
    help="Processes that parse a large auditfile, this one included (default: 2 for inspect of a file from 64 MB "
    "on, else 1; N uses N cores, at more memory).",
)
force_option = click.option(
    "--force", is_flag=True, help="Replace an existing output (a folder: the earlier output of koppel there, whole)."
)
lang_option = click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Language of the reports and findings a person reads (HTML, Excel, the findings on the terminal); "
    "JSON keeps its keys.",
)
read_options_option = click.option(
    "--read-option",
    "read_option_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Reader option (repeatable), e.g. clair2_negative_credit=abs; see 'koppel formats NAME'.",
)


def read_options(path: Path, from_format: str | None, pairs: tuple[str, ...]) -> dict:
    """``--read-option KEY=VALUE`` pairs as a dict, checked against the options of the reader of ``path``."""
    if not pairs:
        return {}
    from ..archive import is_zip_input
    from ..pipeline import parse_options

    options = parse_options(pairs, field="--read-option")
    if from_format is None:
        if not path.exists():
            raise KoppelError("file not found", file=path)
        from_format = "xaf" if is_zip_input(path) else detect_format(path)  # a zip holds an auditfile
    info = get_format(from_format)
    validate(options, reader_options(info.name), field="--read-option", what=f"the {info.name} reader")
    return options


def source_options(func):
    """--profile/--until/--aggregate: read an ERP/POS/shop/bank export through a source profile."""
    func = click.option(
        "--aggregate",
        type=click.Choice(["none", "day", "month"]),
        default=None,
        help="Override the profile's aggregation.",
    )(func)
    func = click.option(
        "--until", metavar="DATE", default=None,
        help="Hold back periods not closed by this date, 31-12-2024 or 2024-12-31 (reported)."
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
    """Read any input; the command's progress line (when shown) follows the bytes read."""
    if encoding:
        options["encoding"] = encoding
    act = current()
    if act is not None:
        act.phase("reading", total=path.stat().st_size if path.is_file() else None)
        if from_format is None or get_format(from_format).reader_progress:  # readers that report bytes read
            options["progress"] = act
    return read_input(path, from_format, **options)
