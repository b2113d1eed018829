"""A small JSON Schema checker for koppel's own schemas (schemas/json): the keywords they use, nothing more.

jsonschema is not among koppel's dependencies; this covers type, const, enum, pattern, required, properties,
items and minimum, which is all schemas/json/*.schema.json use (a test checks that too).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas" / "json"
KEYWORDS = {"$schema", "$id", "title", "description", "type", "const", "enum", "pattern", "required", "properties",
            "items", "minimum"}  # fmt: skip
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def load(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def errors(value: Any, schema: dict, where: str = "$") -> list[str]:
    """Every way ``value`` breaks ``schema``, as 'path: problem' (empty when it conforms)."""
    out: list[str] = []
    types = schema.get("type")
    if types is not None:
        wanted = [types] if isinstance(types, str) else types
        if not any(_TYPES[t](value) for t in wanted):
            return [f"{where}: {type(value).__name__} is not {'/'.join(wanted)}"]
    if "const" in schema and value != schema["const"]:
        out.append(f"{where}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        out.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if "minimum" in schema and isinstance(value, int | float) and value < schema["minimum"]:
        out.append(f"{where}: {value} < {schema['minimum']}")
    if isinstance(value, dict):
        out += [f"{where}: missing {key!r}" for key in schema.get("required", ()) if key not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                out += errors(value[key], sub, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            out += errors(item, schema["items"], f"{where}[{index}]")
    return out


def keywords(schema: Any) -> set[str]:
    """Every keyword a schema uses (property names excluded)."""
    if not isinstance(schema, dict):
        return set()
    found = set(schema) - {"properties"}
    for sub in schema.get("properties", {}).values():
        found |= keywords(sub)
    return found | keywords(schema.get("items"))
