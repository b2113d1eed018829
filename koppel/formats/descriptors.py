"""Descriptors of the package formats written by Python (``schemas/<name>/format.toml``): route, setup, files,
fields with their evidence marks, unknowns, limits.

One descriptor feeds the writer's IMPORTEREN.md, ``koppel formats`` (:mod:`koppel.format_folders` reads its
``[format]`` table) and ``mapping init``, so the instructions can never disagree with the layout. Evidence marks
per field as in formats.md: V, 3P, A.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import KoppelError
from ..evidence import is_mark
from ..resources import schema_dir

SCHEMAS = schema_dir()


def descriptor_path(name: str) -> Path:
    """``schemas/<name>/format.toml``; a descriptor of one part of a format is ``<folder>/<part>``
    (``exact-globe/xml`` is ``schemas/exact-globe/xml.toml``)."""
    return SCHEMAS / f"{name}.toml" if "/" in name else SCHEMAS / name / "format.toml"


def descriptor(name: str) -> dict[str, Any]:
    """The parsed descriptor ``name`` (see :func:`descriptor_path`)."""
    return load_descriptor(descriptor_path(name))


def read_descriptor(path: Path) -> dict[str, Any]:
    """The parsed descriptor at ``path`` (checked: every file and field has a known evidence mark)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KoppelError(f"no layout descriptor {path.parent.name}/{path.name}", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise KoppelError(f"layout descriptor is not valid TOML: {exc}", file=path) from None
    for section in ("files", "fields"):
        for item in data.get(section, []):
            if not is_mark(item.get("evidence")):
                raise KoppelError(
                    f"{section} item {item.get('name')!r} has evidence {item.get('evidence')!r}",
                    file=path,
                    hint="use V, 3P or A (formats.md)",
                )
    return data


load_descriptor = cache(read_descriptor)  # what the writers render from: read once per run
