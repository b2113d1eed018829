"""IMPORTEREN.md for the package targets, rendered from the layout descriptor the writer uses."""

from __future__ import annotations

from ..atomic import AtomicDir
from ..format_folders import descriptor
from ..templating import text_templates
from ..writejob import WriteJob

NAME = "IMPORTEREN.md"


def render_text(job: WriteJob, target: str, files: list[str], extra: dict | None = None) -> str:
    template = text_templates().get_template("importeren_pakket.md.j2")
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
