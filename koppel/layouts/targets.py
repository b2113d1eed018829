"""What the delimited layout engine contributes to a format whose home holds layouts (``schemas/<name>/
target.toml`` and one TOML per file; :mod:`koppel.format_folders` reads the ``[format]`` table).

Nothing here names a format. The layouts give the title, the evidence (the weakest mark), the column counts
for the notes (``{columns}``) and whether the format is experimental; the engine writes the files
(``koppel/layouts/package.py``) and reads them back (``reader.py``) unless the spec names a Python hook for
what the layouts cannot express.
"""

from __future__ import annotations

from pathlib import Path

from .descriptor import SCHEMA_DIR, TargetLayout, evidence_counts, load_target
from .package import make_writer
from .reader import make_reader


def _marks(layout: TargetLayout) -> str:
    """How many columns of the target's files are verified (V), third-party (3P) or assumed (A)."""
    total = {"V": 0, "3P": 0, "A": 0}
    for f in layout.files:
        for mark, n in evidence_counts(f).items():
            total[mark] += n
    return f"columns: {total['V']} verified (V), {total['3P']} third-party (3P), {total['A']} assumed (A)"


def layout_facts(folder: Path, reads: bool) -> dict:
    """The FormatInfo fields the layouts in ``folder`` decide; ``notes`` is the text for ``{columns}``."""
    name = folder.name
    layout = load_target(name) if folder.parent == SCHEMA_DIR else load_target(name, folder.parent)
    return {
        "title": layout.title,
        "evidence": layout.evidence,
        "notes": _marks(layout),
        "experimental": layout.experimental,
        "writer": make_writer(name),
        "reader": make_reader(name) if reads else None,
    }
