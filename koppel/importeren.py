"""IMPORTEREN.md, one renderer for every target that writes a folder: how to import the files, in Dutch.

A target's own part comes from its layout (the delimited engine: ``layouts/importeren.py``) or its descriptor
(XML and template targets: ``formats/instructions.py``); what every IMPORTEREN.md says the same way — where it
came from, the control file, what could not be carried, in Dutch (``importeren_nl.py``) — is set here,
and the templates share it (``templates/importeren_niet_meegenomen.md.j2``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .atomic import AtomicDir
from .importeren_nl import not_carried_nl, sentence_nl
from .templating import text_templates
from .writejob import CONTROL_NAME, WriteJob, WriteResult

NAME = "IMPORTEREN.md"


def control_name(job: WriteJob) -> str:
    """The control file beside the output: control.json in a folder, NAME.control.json beside a file."""
    return CONTROL_NAME if job.output.suffix == "" else job.output.stem + ".control.json"


def render(template: str, job: WriteJob, result: WriteResult, **context: Any) -> str:
    """``template`` with the facts every IMPORTEREN.md shares and the target's own ``context``."""
    shared = {
        "admin": job.admin_name,
        "source_file": Path(str(job.source_path or "")).name,
        "company": job.adm.header.company_name,
        "control_name": control_name(job),
        "not_carried": not_carried_nl(result.not_carried),
        "notes": [sentence_nl(note) for note in result.notes],
    }
    return text_templates(strict=True).get_template(template).render(**shared, **context)


def write(out: AtomicDir, text: str) -> str:
    """IMPORTEREN.md into ``out`` (renamed into place with the other files); its name."""
    out.path(NAME).write_text(text, encoding="utf-8")
    return NAME
