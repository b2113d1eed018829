"""Every format has one home, a folder under ``schemas/``; the registry learns the formats from these folders.

Two kinds of folder, and nothing here names a format:

- ``target.toml`` with a ``[format]`` table: a package whose files the delimited layout engine writes and reads
  back (one TOML per file beside it); :mod:`koppel.layouts.targets` says what its layouts decide.
- ``format.toml`` with a ``[format]`` table: a format whose files Python writes or reads. The table names the
  hooks (``writer = "module:function"``, ``reader = ...``) and says what the registry needs (title, evidence,
  what the format carries, notes, options, ``output``); a package's descriptor (route, setup, files, fields,
  unknowns: IMPORTEREN.md and ``koppel formats``) sits in the same file, and its evidence marks and unknowns
  count in the format's evidence and notes. An XML package names its XML layouts (``xml_layouts``, one TOML per
  written file beside it, :mod:`koppel.layouts.xml_layout`): their elements are its field list.

This module is the one reader of these files: the registry's spec (:func:`format_from_folder`) and the
descriptor a writer renders its instructions from (:func:`descriptor`). The layouts of the delimited engine are
read by :mod:`koppel.layouts.descriptor`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .errors import KoppelError
from .evidence import is_mark, weakest
from .format_options import OPTION_SETS, Option, options_from_data
from .layouts.xml_layout import field_rows, load_xml_layout
from .registry import FormatInfo
from .resources import read_schema_toml, schema_dir

SPEC_FILE = "format.toml"  # a format whose files Python writes or reads
LAYOUT_FILE = "target.toml"  # a package whose files the delimited layout engine writes and reads
# Yes/no capabilities a spec may state (FormatInfo fields of the same name; all default to false).
CAPABILITIES = ("upgrade_report", "rgs_version", "needs_account_kind", "reader_progress", "subledgers")
SPEC_KEYS = {
    "title", "evidence", "writer", "reader", "output", "carries", "notes", "option_sets", "option",
    "read_option_sets", "read_option", "opening_items", *CAPABILITIES, "detect", "xml_root", "fallback_suffixes",
    "chart",
}  # fmt: skip


def read_descriptor(path: Path) -> dict[str, Any]:
    """The parsed spec or descriptor at ``path`` (checked: every file and field has a known evidence mark)."""
    data = read_schema_toml(path, "layout descriptor")
    if "xml_layouts" in data:  # the field list is what the layouts write, not prose beside them
        if "fields" in data:
            raise KoppelError("a descriptor with xml_layouts has no [[fields]]: its layouts are the field list",
                              file=path, field="fields")  # fmt: skip
        layouts = [load_xml_layout(path.parent.name, stem, path.parent.parent) for stem in data["xml_layouts"]]
        data["fields"] = [row for layout in layouts for row in field_rows(layout)]
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


def descriptor_path(name: str) -> Path:
    """``schemas/<name>/format.toml``; a descriptor of one part of a format is ``<folder>/<part>``
    (``exact-globe/xml`` is ``schemas/exact-globe/xml.toml``)."""
    return schema_dir() / f"{name}.toml" if "/" in name else schema_dir() / name / SPEC_FILE


def descriptor(name: str) -> dict[str, Any]:
    """The descriptor ``name`` a writer renders IMPORTEREN.md from (see :func:`descriptor_path`)."""
    return load_descriptor(descriptor_path(name))


def check_keys(spec: dict, known: set[str], where: Path) -> None:
    """Refuse a ``[format]`` key the registry does not know (a typo would otherwise be ignored)."""
    unknown = set(spec) - known
    if unknown:
        raise KoppelError(f"unknown [format] keys {sorted(unknown)}", file=where, hint=f"known: {sorted(known)}")


def hook(reference: str, where: Path):
    """``module:function`` of a spec, imported."""
    module, _, name = reference.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise KoppelError(f"hook {reference!r} not found", file=where, hint="write it as module:function") from None


def spec_options(spec: dict, sets_key: str, own_key: str, where: Path) -> tuple[Option, ...]:
    """The options a spec declares: the engine sets it names first, then its own (which may name sets too)."""
    options: list[Option] = []
    for name in spec.get(sets_key, ()):
        if name not in OPTION_SETS:
            raise KoppelError(f"unknown option set {name!r}", file=where, hint=f"known: {', '.join(OPTION_SETS)}")
        options.extend(OPTION_SETS[name])
    options.extend(options_from_data(list(spec.get(own_key, ())), str(where)))
    return tuple(options)


def _declared(spec: dict, sets_key: str, own_key: str, where: Path) -> tuple[Option, ...] | None:
    """The options of one side, or None when the spec declares none (``koppel formats`` then says "none")."""
    if sets_key not in spec and own_key not in spec:
        return None
    return spec_options(spec, sets_key, own_key, where)


def format_from_folder(folder: Path) -> FormatInfo | None:
    """The format ``folder`` is the home of; None when its spec has no ``[format]`` table.

    One reading for both kinds of folder: the layout engine's facts (:func:`koppel.layouts.targets.layout_facts`)
    are the defaults of a folder with layouts, the descriptor's title, marks and unknowns those of the other.
    """
    delimited = (folder / LAYOUT_FILE).is_file()
    where = folder / (LAYOUT_FILE if delimited else SPEC_FILE)
    data = read_descriptor(where)  # a descriptor's files and fields checked for their marks
    spec = data.get("format")
    if spec is None:
        return None
    check_keys(spec, SPEC_KEYS | {"reads"} if delimited else SPEC_KEYS, where)
    if delimited:
        from .layouts.targets import layout_facts

        reads = bool(spec.get("reads", True))
        facts = layout_facts(folder, reads)
        notes = spec.get("notes", "{columns}").replace("{columns}", facts["notes"])
        writer = hook(spec["writer"], where) if "writer" in spec else facts["writer"]
        reader = (hook(spec["reader"], where) if "reader" in spec else facts["reader"]) if reads else None
        evidence = facts["evidence"]
    else:
        facts = {"title": data.get("title", folder.name), "experimental": False}
        marks = [f["evidence"] for f in data.get("fields", [])]
        evidence = weakest([*marks, spec.get("evidence", data.get("evidence", "A"))])
        notes = spec.get("notes", "")
        if "xml_layouts" in data:  # as the delimited engine counts its columns (layouts/targets.py)
            count = {mark: marks.count(mark) for mark in ("V", "3P", "A")}
            elements = (f"elements: {count['V']} verified (V), {count['3P']} third-party (3P), {count['A']} assumed "
                        "(A), as written")  # fmt: skip
            notes = (notes + " " if notes else "") + elements + "."
        unknown = data.get("unknown", [])
        if unknown:
            notes = (notes + " " if notes else "") + "Unknown: " + "; ".join(u.rstrip(".") for u in unknown) + "."
        writer = hook(spec["writer"], where) if "writer" in spec else None
        reader = hook(spec["reader"], where) if "reader" in spec else None
    return FormatInfo(
        name=folder.name,
        title=spec.get("title", facts["title"]),
        evidence=evidence,
        reader=reader,
        writer=writer,
        carries=dict(spec.get("carries", {})),
        notes=notes,
        experimental=facts["experimental"],
        output=spec.get("output", "folder"),
        write_options=_declared(spec, "option_sets", "option", where) if writer else None,
        read_options=_declared(spec, "read_option_sets", "read_option", where) if reader else None,
        opening_items=spec.get("opening_items", ""),
        home=folder,
        engine="delimited" if delimited else "hooks",
        detect=hook(spec["detect"], where) if "detect" in spec else None,
        chart=hook(spec["chart"], where) if "chart" in spec else None,
        xml_root=spec.get("xml_root", ""),
        fallback_suffixes=tuple(spec.get("fallback_suffixes", ())),
        **{key: bool(spec.get(key, False)) for key in CAPABILITIES},
    )


@dataclass(frozen=True)
class Recognition:
    """How a format recognises an input by its content (``detect``, ``xml_root``, ``fallback_suffixes`` of its
    spec), read without importing its writer and reader: telling an input's format stays cheap."""

    name: str
    detect: Callable[[bytes], bool] | None
    xml_root: str
    fallback_suffixes: tuple[str, ...]


@cache
def recognitions() -> tuple[Recognition, ...]:
    """Every format's way of recognising an input, by name (formats that state none are left out)."""
    found = []
    for home in sorted(p for p in schema_dir().iterdir() if p.is_dir()):
        where = home / (LAYOUT_FILE if (home / LAYOUT_FILE).is_file() else SPEC_FILE)
        if not where.is_file():
            continue
        spec = read_descriptor(where).get("format") or {}
        if {"detect", "xml_root", "fallback_suffixes"} & set(spec):
            detect = hook(spec["detect"], where) if "detect" in spec else None
            found.append(Recognition(home.name, detect, spec.get("xml_root", ""),
                                     tuple(spec.get("fallback_suffixes", ()))))  # fmt: skip
    return tuple(found)


def discover(folder: Path | None = None) -> list[FormatInfo]:
    """Every format whose folder is under ``folder`` (default: koppel's ``schemas/``), by name."""
    found: list[FormatInfo] = []
    for home in sorted(p for p in (folder or schema_dir()).iterdir() if p.is_dir()):
        if (home / LAYOUT_FILE).is_file() or (home / SPEC_FILE).is_file():
            info = format_from_folder(home)
            if info is not None:
                found.append(info)
    return found
