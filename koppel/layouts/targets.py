"""The formats whose home is a folder: every ``schemas/<name>/target.toml`` with a ``[format]`` table.

Nothing here names a format: the folders are discovered, and the spec says what the registry needs (title,
what the format carries, notes, options, whether it reads, the field that carries open items). Its files are
driven by the delimited layout engine (``koppel/layouts/package.py`` writes, ``reader.py`` reads back) unless
the spec names a Python hook (``writer = "module:function"``) for what the layouts cannot express.
"""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

from ..errors import KoppelError
from ..format_options import OPTION_SETS, Option, options_from_data
from ..registry import FormatInfo, register
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


def _hook(reference: str, where: Path):
    """``module:function`` of a spec, imported."""
    module, _, name = reference.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise KoppelError(f"hook {reference!r} not found", file=where, hint="write it as module:function") from None


def _options(spec: dict, sets_key: str, own_key: str, where: Path) -> tuple[Option, ...]:
    options: list[Option] = []
    for name in spec.get(sets_key, ()):
        if name not in OPTION_SETS:
            raise KoppelError(f"unknown option set {name!r}", file=where, hint=f"known: {', '.join(OPTION_SETS)}")
        options.extend(OPTION_SETS[name])
    options.extend(options_from_data(list(spec.get(own_key, ())), str(where)))
    return tuple(options)


def format_from_folder(folder: Path) -> FormatInfo | None:
    """The format a folder of layouts describes; None when its target.toml has no ``[format]`` table."""
    where = folder / "target.toml"
    meta = tomllib.loads(where.read_text(encoding="utf-8"))
    spec = meta.get("format")
    if spec is None:
        return None
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise KoppelError(f"unknown [format] keys {sorted(unknown)}", file=where, hint=f"known: {sorted(SPEC_KEYS)}")
    name = folder.name
    layout = load_target(name) if folder.parent == SCHEMA_DIR else load_target(name, folder.parent)
    reads = bool(spec.get("reads", True))
    return FormatInfo(
        name=name,
        title=spec.get("title", layout.title),
        evidence=layout.evidence,
        reader=(_hook(spec["reader"], where) if "reader" in spec else make_reader(name)) if reads else None,
        writer=_hook(spec["writer"], where) if "writer" in spec else make_writer(name),
        carries=dict(spec.get("carries", {})),
        notes=spec.get("notes", "{columns}").replace("{columns}", _marks(layout)),
        experimental=layout.experimental,
        write_options=_options(spec, "option_sets", "option", where),
        read_options=_options(spec, "read_option_sets", "read_option", where) if reads else None,
        opening_items=spec.get("opening_items", ""),
        home=folder,
    )


def register_folders(schema_dir: Path = SCHEMA_DIR) -> None:
    """Register every format folder under ``schema_dir``."""
    for meta in sorted(schema_dir.glob("*/target.toml")):
        info = format_from_folder(meta.parent)
        if info is not None:
            register(info)


register_folders()
