"""IMPORTEREN.md for the package targets, rendered from the layout descriptor the writer uses."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from ..atomic import AtomicDir
from ..convert import WriteJob
from .descriptors import descriptor

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NAME = "IMPORTEREN.md"


@cache
def _environment() -> jinja2.Environment:
    """One environment per process: it keeps the compiled templates (a batch job converts thousands of files)."""
    loader = jinja2.FileSystemLoader(str(TEMPLATES))
    return jinja2.Environment(loader=loader, keep_trailing_newline=True, autoescape=False)


def render_text(job: WriteJob, target: str, files: list[str], extra: dict | None = None) -> str:
    template = _environment().get_template("importeren_pakket.md.j2")
    return template.render(
        d=descriptor(target),
        files=files,
        admin=job.admin_name,
        options=job.options,
        extra=extra or {},
    )


def render_instructions(out: AtomicDir, job: WriteJob, target: str, files: list[str], extra: dict | None = None) -> str:
    """Write IMPORTEREN.md into ``out`` and return its name."""
    out.path(NAME).write_text(render_text(job, target, files, extra), encoding="utf-8")
    return NAME
