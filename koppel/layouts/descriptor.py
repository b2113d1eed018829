"""Layout descriptors as data: ``schemas/<target>/target.toml`` (dialect, steps) + one TOML per output file.

A column: ``name``, ``source`` (what it carries, see :mod:`koppel.layouts.sources`), ``head`` (source on
an entry's head line, for layouts with one), ``type`` (code, text, int, decimal, cents, date), ``width``,
``required``, ``format`` (dates), ``evidence`` (V, 3P, A), ``truncate`` (text only: may be cut when the user
opts in), ``on_invalid`` ("blank": an optional attribute such as a BIC that does not fit is left empty when
the user opts in — reported, never silent), ``identity`` (how the package reads an id: ``text``, ``number`` — leading
zeros do not count, the default of ``int`` columns — or ``upper``), ``note``, ``target_field``. A column without
a source is written empty.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from ..errors import KoppelError
from ..evidence import is_mark, weakest
from ..identity import IDENTITIES
from ..resources import schema_dir

SCHEMA_DIR = schema_dir()
TYPES = ("code", "text", "int", "decimal", "cents", "date")
CONTENTS = ("entries", "opening", "debtors", "creditors", "relations", "accounts")
DIALECT_KEYS = ("encoding", "delimiter", "quoting", "decimal", "date", "header", "line_end")


@dataclass(frozen=True)
class Dialect:
    encoding: str = "utf-8"
    delimiter: str = ";"
    quoting: str = "minimal"  # quote a field only when it holds the delimiter, a quote or a line break
    decimal: str = "."
    date: str = "%Y-%m-%d"
    header: bool = True
    line_end: str = "\r\n"
    evidence: tuple[tuple[str, str], ...] = ()

    def mark(self, key: str) -> str:
        return dict(self.evidence).get(key, "A")

    def merged(self, overrides: dict, evidence: dict | None = None) -> Dialect:
        unknown = set(overrides) - set(DIALECT_KEYS)
        if unknown:
            raise KoppelError(f"unknown dialect setting(s) {sorted(unknown)}", hint=f"known: {', '.join(DIALECT_KEYS)}")
        marks = dict(self.evidence)
        marks.update(evidence or {})
        return replace(self, **overrides, evidence=tuple(sorted(marks.items())))


@dataclass(frozen=True)
class Column:
    name: str
    source: str = ""
    head: str = ""
    type: str = "code"
    width: int | None = None
    required: bool = False
    format: str | None = None
    evidence: str = "A"
    truncate: bool | None = None
    note: str = ""
    target_field: str = ""
    on_invalid: str = ""  # "blank": an optional attribute that does not fit is left empty when the user opts in
    identity: str = ""  # how the package reads an id here: text, number (no leading zeros), upper; int: number

    @property
    def may_truncate(self) -> bool:
        return self.type == "text" if self.truncate is None else bool(self.truncate)

    @property
    def reads_as(self) -> str:
        """How the package compares the ids of this column (see koppel/identity.py)."""
        return self.identity or ("number" if self.type == "int" else "text")


@dataclass(frozen=True)
class FileLayout:
    id: str
    name: str
    content: str
    title: str
    evidence: str
    columns: tuple[Column, ...]
    dialect: Dialect
    head: bool = False
    group: tuple[str, ...] = ()
    line_id: str = ""
    key: str = ""
    manual: bool = False
    skip_zero: bool = False

    def file_name(self, admin: str) -> str:
        return self.name.format(admin=admin)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def by_source(self, source: str) -> Column | None:
        return next((c for c in self.columns if c.source == source), None)


@dataclass(frozen=True)
class TargetLayout:
    name: str
    title: str
    evidence: str
    files: tuple[FileLayout, ...]
    dialect: Dialect
    intro: str = ""
    steps: tuple[str, ...] = ()
    experimental: bool = False
    template: str = ""  # a record format rendered by a jinja2 template in templates/ instead of delimited text

    def file(self, file_id: str) -> FileLayout:
        for f in self.files:
            if f.id == file_id:
                return f
        raise KeyError(file_id)

    def for_content(self, content: str) -> list[FileLayout]:
        return [f for f in self.files if f.content == content]

    def with_overrides(self, dialect: dict | None, columns: dict[str, dict[str, str]] | None) -> TargetLayout:
        """The layout with a mapping file's ``[dialect]`` and ``[columns.<file>]`` renames applied."""
        if not dialect and not columns:
            return self
        files = []
        for f in self.files:
            d = f.dialect.merged(dialect or {}, {k: "A" for k in (dialect or {})})
            renames = (columns or {}).get(f.id, {})
            unknown = set(renames) - {c.name for c in f.columns}
            if unknown:
                raise KoppelError(
                    f"[columns.{f.id}] renames unknown column(s) {sorted(unknown)}", field=f"columns.{f.id}"
                )
            cols = tuple(replace(c, name=str(renames.get(c.name, c.name))) for c in f.columns)
            files.append(replace(f, dialect=d, columns=cols))
        return replace(self, files=tuple(files))


def _column(data: dict, where: str) -> Column:
    unknown = set(data) - set(Column.__dataclass_fields__)
    if unknown:
        raise ValueError(f"{where}: unknown column keys {sorted(unknown)}")
    col = Column(**data)
    if col.type not in TYPES:
        raise ValueError(f"{where}: column {col.name!r} has unknown type {col.type!r}")
    if not is_mark(col.evidence):
        raise ValueError(f"{where}: column {col.name!r} has evidence {col.evidence!r}; use V, 3P or A")
    if col.required and not col.source:
        raise ValueError(f"{where}: required column {col.name!r} has no source")
    if col.identity and col.identity not in IDENTITIES:
        raise ValueError(f"{where}: column {col.name!r} has identity {col.identity!r}; use {', '.join(IDENTITIES)}")
    return col


@cache
def load_target(name: str, schema_dir: Path = SCHEMA_DIR) -> TargetLayout:
    """Load and check ``schemas/<name>/``: every file listed in target.toml, ``like`` resolved."""
    folder = schema_dir / name
    meta_path = folder / "target.toml"
    if not meta_path.exists():
        raise KoppelError(f"no layout for target {name!r}", file=meta_path)
    meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    t = meta["target"]
    base = Dialect().merged(meta.get("dialect", {}), meta.get("dialect_evidence", {}))
    raw: dict[str, dict] = {}
    for file_id in t["files"]:
        raw[file_id] = tomllib.loads((folder / f"{file_id}.toml").read_text(encoding="utf-8"))
    files = []
    for file_id, data in raw.items():
        where = f"{folder.name}/{file_id}.toml"
        f = dict(data["file"])
        like = f.pop("like", None)
        source = raw[like] if like else data
        dialect = base.merged(source.get("dialect", {}), source.get("dialect_evidence", {}))
        dialect = dialect.merged(data.get("dialect", {}) if like else {}, data.get("dialect_evidence", {}))
        columns = tuple(_column(c, where) for c in source.get("column", []))
        if not columns:
            raise ValueError(f"{where}: no columns")
        names = [c.name for c in columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{where}: duplicate column names")
        if like:
            for key in ("head", "group", "line_id", "skip_zero"):
                if key in raw[like]["file"] and key not in f:
                    f[key] = raw[like]["file"][key]
        if f.get("content") not in CONTENTS:
            raise ValueError(f"{where}: content must be one of {CONTENTS}")
        if not is_mark(f.get("evidence")):
            raise ValueError(f"{where}: file evidence must be V, 3P or A")
        f["group"] = tuple(f.get("group", ()))
        for g in f["group"]:
            if g not in names:
                raise ValueError(f"{where}: group column {g!r} is not a column")
        files.append(FileLayout(columns=columns, dialect=dialect, **f))
    return TargetLayout(
        name=t["name"],
        title=t["title"],
        evidence=t["evidence"],
        files=tuple(files),
        dialect=base,
        intro=t.get("intro", "").strip(),
        steps=tuple(t.get("steps", ())),
        experimental=bool(t.get("experimental", False)),
        template=t.get("template", ""),
    )


def evidence_counts(layout: FileLayout) -> dict[str, int]:
    """How many columns of a file carry each evidence mark."""
    out = {"V": 0, "3P": 0, "A": 0}
    for col in layout.columns:
        out[col.evidence] += 1
    return out


def column_index(layout: FileLayout) -> dict[str, int]:
    return {c.name: i for i, c in enumerate(layout.columns)}


def check_layouts(schema_dir: Path = SCHEMA_DIR) -> list[str]:
    """Load every target under ``schema_dir``; return the problems found (empty when all are sound)."""
    problems = []
    for folder in sorted(p for p in schema_dir.iterdir() if (p / "target.toml").exists()):
        try:
            load_target.__wrapped__(folder.name, schema_dir)
        except (ValueError, KeyError, tomllib.TOMLDecodeError, FileNotFoundError) as exc:
            problems.append(f"{folder.name}: {exc}")
    return problems


__all__ = [
    "SCHEMA_DIR",
    "Column",
    "Dialect",
    "FileLayout",
    "TargetLayout",
    "check_layouts",
    "evidence_counts",
    "load_target",
    "weakest",
]
