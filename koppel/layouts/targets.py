"""The formats whose home is a folder of delimited layouts: ``schemas/<name>/target.toml`` with a ``[format]``
table (:mod:`koppel.format_folders` finds the folders).

Nothing here names a format: the spec says what the registry needs (title, what the format carries, notes,
options, whether it reads, the field that carries open items). Its files are driven by the delimited layout
engine (``koppel/layouts/package.py`` writes, ``reader.py`` reads back) unless the spec names a Python hook
(``writer = "module:function"``) for what the layouts cannot express.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from ..format_folders import check_keys, hook, spec_options
from ..registry import FormatInfo
from .descriptor import SCHEMA_DIR, TargetLayout, evidence_counts, load_target
from .package import make_writer
from .reader import make_reader

SPEC_KEYS = {
    "title", "reads", "writer", "reader", "carries", "notes", "option_sets", "option", "read_option_sets",
    "read_option", "opening_items",
}  # fmt: skip


def _marks(layout: TargetLayout) -> str:
    """How many columns of the target's files are verified (V), third-party (3P) or assumed (A)."""
    total = {"V": 0, "3P": 0, "A": 0}
    for f in layout.files:
        for mark, n in evidence_counts(f).items():
            total[mark] += n
    return f"columns: {total['V']} verified (V), {total['3P']} third-party (3P), {total['A']} assumed (A)"


def format_from_folder(folder: Path) -> FormatInfo | None:
    """The format a folder of layouts describes; None when its target.toml has no ``[format]`` table."""
    where = folder / "target.toml"
    meta = tomllib.loads(where.read_text(encoding="utf-8"))
    spec = meta.get("format")
    if spec is None:
        return None
    check_keys(spec, SPEC_KEYS, where)
    name = folder.name
    layout = load_target(name) if folder.parent == SCHEMA_DIR else load_target(name, folder.parent)
    reads = bool(spec.get("reads", True))
    return FormatInfo(
        name=name,
        title=spec.get("title", layout.title),
        evidence=layout.evidence,
        reader=(hook(spec["reader"], where) if "reader" in spec else make_reader(name)) if reads else None,
        writer=hook(spec["writer"], where) if "writer" in spec else make_writer(name),
        carries=dict(spec.get("carries", {})),
        notes=spec.get("notes", "{columns}").replace("{columns}", _marks(layout)),
        experimental=layout.experimental,
        write_options=spec_options(spec, "option_sets", "option", where),
        read_options=spec_options(spec, "read_option_sets", "read_option", where) if reads else None,
        opening_items=spec.get("opening_items", ""),
        home=folder,
        engine="delimited",
    )
