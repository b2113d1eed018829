"""The ADF layout as data: ``schemas/adf/layout.toml`` read once into fields with positions and evidence marks."""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass
from functools import cache

from ..resources import schema_dir

SIGNATURE = "CLAIR1.00.00"


@dataclass(frozen=True)
class AdfField:
    """One fixed-width field; ``start`` is 1-based as in the manual."""

    name: str
    start: int
    length: int
    type: str = "text"  # text, number, date
    decimals: int = 0
    required: bool = False
    to: str | None = None  # canonical column or header fact it fills (None: not carried)
    evidence: str = "A"

    @property
    def end(self) -> int:
        """Last position (1-based, inclusive)."""
        return self.start + self.length - 1

    @property
    def columns(self) -> str:
        """Where the field is, as a user reads it: ``kolom 286-301``."""
        return f"kolom {self.start}-{self.end}"

    def cut(self, line: str) -> str:
        return line[self.start - 1 : self.end]


@dataclass(frozen=True)
class AdfLayout:
    header: tuple[AdfField, ...]
    line: tuple[AdfField, ...]
    encoding: str
    evidence: str

    @property
    def line_length(self) -> int:
        return max(f.end for f in self.line)

    @property
    def header_length(self) -> int:
        return max(f.end for f in self.header)

    def field(self, name: str) -> AdfField:
        for f in (*self.line, *self.header):
            if f.name == name:
                return f
        raise KeyError(name)


@cache
def adf_layout() -> AdfLayout:
    """The layout of ``schemas/adf/layout.toml`` (checked: fields in order, no overlaps)."""
    data = tomllib.loads((schema_dir() / "adf" / "layout.toml").read_text(encoding="utf-8"))
    keys = set(AdfField.__dataclass_fields__)

    def fields(rows: list[dict]) -> tuple[AdfField, ...]:
        out = tuple(AdfField(**{k: v for k, v in row.items() if k in keys}) for row in rows)
        for a, b in itertools.pairwise(out):
            if b.start != a.end + 1:
                raise ValueError(f"adf/layout.toml: {b.name} starts at {b.start}, expected {a.end + 1}")
        return out

    return AdfLayout(
        header=fields(data["header"]),
        line=fields(data["line"]),
        encoding=data["file"]["encoding"],
        evidence=data["file"]["evidence"],
    )
