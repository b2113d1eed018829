"""The XML and template targets' part of IMPORTEREN.md (``koppel/importeren.py``): route, files, set-up and
fields, from the target's descriptor (``schemas/<target>/format.toml``); an XML target's fields are the elements
of its layouts, the ones its writer writes (:func:`koppel.format_folders.read_descriptor`)."""

from __future__ import annotations

from .. import importeren
from ..atomic import AtomicDir
from ..format_folders import descriptor
from ..writejob import WriteJob, WriteResult

NAME = importeren.NAME


def render_text(job: WriteJob, target: str, files: list[str], result: WriteResult, extra: dict | None = None) -> str:
    return importeren.render(
        "importeren_pakket.md.j2", job, result, d=descriptor(target), files=files, options=job.options,
        extra=extra or {},
    )  # fmt: skip


def render_instructions(
    out: AtomicDir, job: WriteJob, target: str, files: list[str], result: WriteResult, extra: dict | None = None
) -> str:
    """Write IMPORTEREN.md into ``out`` and return its name. Call it last: it lists ``result``'s not-carried."""
    return importeren.write(out, render_text(job, target, files, result, extra))
