"""koppel's Python API: the main jobs as plain functions (``import koppel; koppel.read(...)``).

Thin wrappers over the functions the ``koppel`` command calls, so Python and the command line do the same thing.
Every heavy import (pandas, lxml, pyarrow) happens inside the call, so ``import koppel`` stays cheap. Problems
with the input raise :class:`koppel.KoppelError` (one message: file, line, field, what is wrong, how to fix it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .jobs.runner import RunReport
    from .model import Administration
    from .pipeline import ConvertResult

PathLike = str | Path


def _input_format(from_format: str | None, read_options: dict[str, Any]) -> str | None:
    """A ``profile`` option implies the profile reader, as ``--profile`` does on the command line."""
    return from_format or ("profile" if read_options.get("profile") else None)


def read(path: PathLike, *, from_format: str | None = None, **read_options: Any) -> Administration:
    """Read any input koppel knows (an auditfile of any version, a package's files, an export through a profile).

    The format is detected from the content unless ``from_format`` names it (see ``koppel formats``). Reader
    options are keywords, as in a job file's ``[job.read]``: ``encoding="iso-8859-1"``, ``profile="pos-z"``,
    ``until="2024-03-02"``, ``workers=1``, ``clair2_negative_credit="abs"``, …
    """
    from .registry import read_input

    return read_input(path, _input_format(from_format, read_options), **read_options)


def check(
    path: PathLike,
    *,
    schema_dir: PathLike | None = None,
    encoding: str | None = None,
    xsd: bool = True,
    max_places: int = 20,
    html: PathLike | None = None,
    xlsx: PathLike | None = None,
    lang: str = "nl",
) -> dict[str, Any]:
    """Check one auditfile as ``koppel check`` does; the result as a dict (what ``--json`` writes).

    ``result["verdict"]`` is the verdict, ``result["findings"]`` the findings per rule code (``XAF-*``) and
    ``result["summary"]`` the count per severity. Problems in the data are findings, never exceptions; a missing
    file raises :class:`koppel.KoppelError`. ``html``/``xlsx`` also write the accountant's reports there, in Dutch
    (``lang="en"``: English).
    """
    from .checks import check_file
    from .checks.contract import shared_shape
    from .provenance import stamp

    result = check_file(path, schema_dir=schema_dir, encoding=encoding, xsd=xsd, max_places=max_places)
    result = stamp(shared_shape(result), path)
    if html is not None or xlsx is not None:
        from .reports import write_html_report, write_xlsx_report

        if html is not None:
            write_html_report(result, Path(html), lang=lang)
        if xlsx is not None:
            write_xlsx_report(result, Path(xlsx), lang=lang)
    return result


def convert(
    input: PathLike,
    *,
    to: str,
    out: PathLike,
    from_format: str | None = None,
    mapping: PathLike | None = None,
    strict_mapping: bool = False,
    options: dict[str, Any] | None = None,
    read_options: dict[str, Any] | None = None,
) -> ConvertResult:
    """Convert ``input`` to the import files of target ``to`` in ``out``, with control.json, as ``koppel convert``.

    ``options`` go to the writer (``--option KEY=VALUE``), ``read_options`` to the reader (see :func:`read`).
    The result has ``files``, ``control`` (control.json as a dict) and ``equal``: True when money in equals
    money out on every account (``koppel convert`` exits 1 otherwise).
    """
    from .pipeline import convert as convert_input

    return convert_input(
        input,
        to,
        out,
        from_format=_input_format(from_format, read_options or {}),
        mapping=mapping,
        strict_mapping=strict_mapping,
        options=options,
        reader_options=read_options,
    )


def run_job(
    job_file: PathLike, *, dry_run: bool = False, workers: int | None = None, scheduler: str | None = None
) -> RunReport:
    """Process a job file's inboxes once, as ``koppel run``: each new input converted exactly once.

    ``workers=0`` runs every input in this process; ``None`` one worker process per CPU. The report lists an
    outcome per input (``report.outcomes``), ``report.counts()`` and ``report.exit_code`` (1 when some input
    was quarantined). A job that cannot run at all (bad job file, another run holds it) raises
    :class:`koppel.KoppelError`.
    """
    from .jobs.runner import run_job_file

    return run_job_file(job_file, dry_run=dry_run, workers=workers, scheduler=scheduler)
