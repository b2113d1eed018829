"""Process one input: the unit of work a pool worker or a Dask worker runs.

A worker receives a :class:`Task` (a file path, its content hash, a staging folder to create inside the
outbox and the conversion settings) and returns a :class:`Result`. The staged files are not fsynced
one by one: the coordinator syncs the filesystem once per batch before renaming them into place.
It never touches the state database, the inbox, the archive or the quarantine: publishing is the
coordinator's job. It never raises either:
every failure comes back as ``Result.error`` (what, where, how to fix) for the quarantine's error file.

Row ids (de-duplication across overlapping exports) — the interface expected from a reader:
the reader returns a :class:`~koppel.read_result.ReadResult` with ``row_ids`` (str: the stable ids of the
source rows it booked, from the profile's ``row_id``) and ``rows_skipped`` (int); the reader accepts
``skip_row_ids`` (a set of str) and leaves those rows out before aggregating. For targets written via
``koppel.api.convert`` the same attributes are read from the ConvertResult when it carries them.
"""

from __future__ import annotations

import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..archive import release_unpacked
from ..atomic import deferred_fsync
from ..diskfull import DiskFull, disk_full, is_disk_full
from ..errors import KoppelError
from .config import ConvertSpec

if TYPE_CHECKING:
    from ..pipeline import ConvertResult
    from ..read_result import ReadResult

TABLE_TARGETS = ("csv", "parquet", "xlsx")  # the canonical tables, as `koppel export` writes them


@dataclass(frozen=True)
class Task:
    """One input to convert into ``staging`` (a folder that does not exist yet)."""

    job: str
    input: str
    sha256: str
    staging: str
    spec: ConvertSpec
    skip_rows: frozenset[str] = frozenset()


@dataclass
class Result:
    """What became of one task: the files written to the staging folder, or the error."""

    input: str
    sha256: str
    ok: bool
    files: list[str] = field(default_factory=list)  # paths relative to the staging folder
    lines: int = 0
    row_ids: tuple[str, ...] = ()
    rows_skipped: int = 0
    seconds: float = 0.0
    error: dict | None = None
    source: dict | None = None  # format, version, software, company of the input (koppel.summary.source_facts)
    check: dict | None = None  # with the job's check: verdict and findings per severity (koppel.checks)


def process_input(task: Task) -> Result:
    """Convert one input into its staging folder; failures come back as an error, never as an exception."""
    start = time.perf_counter()
    staging = Path(task.staging)
    try:
        staging.mkdir(parents=True, exist_ok=False)
        with deferred_fsync():  # the coordinator makes a whole batch durable with one sync before publishing
            try:
                if task.spec.check:
                    (lines, row_ids, skipped, source), checked = check_and_convert(
                        Path(task.input), staging, task.spec, task.skip_rows
                    )
                else:
                    checked = None
                    lines, row_ids, skipped, source = convert_into(
                        Path(task.input), staging, task.spec, task.skip_rows
                    )
            finally:
                release_unpacked()  # a zipped input's temp copy goes now, not when the worker exits
        files = sorted(str(p.relative_to(staging)) for p in staging.rglob("*") if p.is_file())
        seconds = time.perf_counter() - start
        return Result(
            task.input, task.sha256, True, files, lines, row_ids, skipped, seconds, source=source, check=checked
        )
    except KoppelError as exc:
        error = error_dict(exc, task.input)
        if isinstance(exc, DiskFull):
            error["disk_full"] = True
    except MemoryError:
        error = {"message": "out of memory", "hint": "convert this file alone with `koppel convert`"}
    except Exception as exc:  # a bug in koppel or a reader: quarantine the input, keep the traceback for a report
        if is_disk_full(exc):  # not the input's fault: the coordinator leaves it in the inbox for the next run
            error = {**error_dict(disk_full(exc, staging.parent), task.input), "disk_full": True}
        else:
            error = {
                "message": f"internal error: {type(exc).__name__}: {exc}",
                "hint": "please report it with the traceback below; the other inputs were not affected",
                "traceback": traceback.format_exc(),
            }
    shutil.rmtree(staging, ignore_errors=True)
    return Result(task.input, task.sha256, False, seconds=time.perf_counter() - start, error=error)


def process_many(tasks: list[Task]) -> list[Result]:
    """Several tasks in one call: fewer round trips to the workers for small files."""
    return [process_input(t) for t in tasks]


def error_dict(exc: KoppelError, input_path: str) -> dict:
    return {
        "message": exc.message,
        "file": str(exc.file) if exc.file is not None else input_path,
        "line": exc.line,
        "field": exc.field,
        "hint": exc.hint,
    }


def check_and_convert(path: Path, staging: Path, spec: ConvertSpec, skip_rows: frozenset[str]) -> tuple:
    """``koppel check`` and the conversion of one auditfile, on one parse where the reader allows it: the check's
    content rules join the reader's pass (:func:`koppel.xaf.consumers.joined_to_pass`). A read in pieces or with a
    forced encoding leaves them out, and the check then runs its own pass. The report goes into ``staging`` as
    ``<stem>.check.html`` and ``<stem>.check.json``; returned: the conversion's facts and the verdict with the
    findings per severity, for the run's report. The check never stops the conversion: the conversion refuses
    what it cannot carry on its own (and a failed conversion leaves no report: the input is quarantined)."""
    from ..checks import begin_check
    from ..xaf.consumers import joined_to_pass

    begun = begin_check(path)
    if isinstance(begun, dict):  # the check ended before the content (not readable, zipped, ADF)
        return convert_into(path, staging, spec, skip_rows), _write_check(begun, path, staging)
    try:
        if "encoding" in dict(spec.read):  # the reader decodes otherwise than the check: each its own pass
            converted = convert_into(path, staging, spec, skip_rows)
        else:
            with joined_to_pass(begun.subscribe, path):
                converted = convert_into(path, staging, spec, skip_rows)
    except BaseException:
        begun.cancel()
        raise
    result = begun.finish() if begun.subscribed else begun.own_pass()
    return converted, _write_check(result, path, staging)


def _write_check(result: dict, path: Path, staging: Path) -> dict:
    """The report as `koppel check FILE` makes it (XAF 4.0: with its RGS note), as HTML and JSON in ``staging``."""
    import json

    from ..checks.contract import shared_shape
    from ..provenance import stamp
    from ..reports import write_html_report
    from ..rgs.check import add_rgs_findings

    result = stamp(shared_shape(add_rgs_findings(result, path, None)), path)
    write_html_report(result, staging / f"{path.stem}.check.html")
    with (staging / f"{path.stem}.check.json").open("w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return {"verdict": result["verdict"], **result["summary"]}


def convert_into(
    path: Path, staging: Path, spec: ConvertSpec, skip_rows: frozenset[str]
) -> tuple[int, tuple, int, dict]:
    """Convert ``path`` into the folder ``staging``; return (lines, row ids booked, rows skipped, what was read:
    format, version, software, company)."""
    reader_options = _reader_options(spec, skip_rows)
    from_format = "profile" if spec.profile else spec.from_format
    options = dict(spec.options)
    if spec.target in TABLE_TARGETS:
        from ..export import export_tables
        from ..registry import read_result

        read = read_result(path, from_format, **reader_options)
        export_tables(read.adm, staging, spec.target, input_path=path)
        from ..summary import source_facts

        return read.adm.stats.lines, _row_ids(read), read.rows_skipped, source_facts(read.adm.header)
    else:
        from ..api import convert
        from ..registry import get_format

        single_file = getattr(get_format(spec.target), "output", "folder") == "file"
        result = convert(
            path,
            to=spec.target,
            out=staging / f"{path.stem}.xaf" if single_file else staging,  # an auditfile, named as packages look for it
            from_format=from_format,
            mapping=spec.mapping,
            options=options,
            read_options=reader_options,
        )
        if not result.equal:
            diffs = result.control["money"].get("differences", {})
            first = next(iter(diffs), None)
            raise KoppelError(
                f"money in ≠ money out on {len(diffs)} account(s)"
                + (f", first {first}: {diffs[first]}" if first else ""),
                file=path,
                field="amount",
                hint="see control.json of `koppel convert` on this file; nothing was delivered",
            )
        lines = int(result.control["counts"]["lines"][1])
        source = {key: result.control["source"].get(key) for key in ("format", "version", "software", "company")}
        return lines, _row_ids(result), result.rows_skipped, source


def _row_ids(source: ReadResult | ConvertResult) -> tuple[str, ...]:
    """The ids of the source rows booked, from a read or a conversion that carries them."""
    return tuple(str(r) for r in (source.row_ids or ()))


def _reader_options(spec: ConvertSpec, skip_rows: frozenset[str]) -> dict:
    opts: dict = dict(spec.read)
    if spec.profile:
        opts["profile"] = spec.profile
        opts["want_row_ids"] = True  # a profile with [row_id] lets overlapping exports be recognised
        if spec.aggregation:
            opts["aggregate"] = spec.aggregation
    if skip_rows:
        opts["skip_row_ids"] = skip_rows
    return opts
