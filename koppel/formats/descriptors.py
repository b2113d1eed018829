"""Layout descriptors of the package targets (``schemas/<target>.toml``): files, fields, evidence, unknowns.

One descriptor feeds the writer's IMPORTEREN.md, ``koppel formats`` and the README, so the instructions
can never disagree with the layout. Evidence marks per field as in formats.md: V, 3P, A.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import KoppelError
from ..evidence import is_mark, weakest
from ..resources import schema_dir

SCHEMAS = schema_dir()


def descriptor_path(target: str) -> Path:
    return SCHEMAS / f"{target.replace('-', '_')}.toml"


@cache
def descriptor(target: str) -> dict[str, Any]:
    """The parsed descriptor of ``target`` (checked: every field has a known evidence mark)."""
    path = descriptor_path(target)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KoppelError(f"no layout descriptor for {target}", file=path) from None
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


def weakest_mark(target: str) -> str:
    """The weakest evidence mark among the descriptor's fields (what `koppel formats` shows)."""
    data = descriptor(target)
    return weakest([*(f["evidence"] for f in data.get("fields", [])), data.get("evidence", "A")])
