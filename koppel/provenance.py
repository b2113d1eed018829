"""Which koppel made an output, from which input, and when: the keys every JSON document of koppel starts with.

``schema_version`` names the shape of the document (``schemas/json/*.schema.json``); it changes when a key is
removed or changes meaning, not when one is added. ``input.sha256`` ties a report to the exact bytes it was
made from (read in chunks: memory stays flat).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from . import __version__

SCHEMA_VERSION = "1"
# control.json is at 2: ``source.company`` became {name, id, kvk, vat_number} (was the name as a string), the shape
# inspect, check and run have.
CONTROL_SCHEMA_VERSION = "2"
_CHUNK = 1 << 20


def sha256_of(path: str | Path) -> str | None:
    """The SHA-256 of the file's bytes, or None when it is not a readable file (a folder, gone)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def now_utc() -> str:
    """The time now, ISO 8601 in UTC to the second (2026-12-07T03:35:00Z)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def provenance_lines(input_path: str | Path | None, *, timed: bool = True) -> list[tuple[str, str]]:
    """The same facts as (label, value) rows for a sheet a person reads: koppel's version, the input and its
    SHA-256, the time (UTC)."""
    rows = [("koppel", __version__)]
    if input_path is not None:
        rows += [("input", Path(input_path).name), ("SHA-256", sha256_of(input_path) or "")]
    if timed:
        rows.append(("UTC", now_utc()))
    return rows


def stamp(
    document: dict[str, Any],
    input_path: str | Path | None = None,
    *,
    shown_as: str | None = None,
    timed: bool = True,
    schema_version: str = SCHEMA_VERSION,
) -> dict:
    """``document`` with ``schema_version``, ``koppel_version``, ``generated_at`` and, for a file input,
    ``input`` (``name`` as the user gave it, ``sha256``) first. Keys the document has already are kept.

    ``timed=False`` leaves out the time, for outputs that must be the same bytes each time they are made from the
    same input (export's tables and summary.json: a job run after a crash compares them byte for byte)."""
    head: dict[str, Any] = {"schema_version": schema_version, "koppel_version": __version__}
    if timed:
        head["generated_at"] = now_utc()
    if input_path is not None:
        name = shown_as or Path(input_path).name
        head["input"] = {"name": name, "sha256": sha256_of(input_path) if Path(input_path).is_file() else None}
    return {**head, **document}
