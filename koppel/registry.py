"""One registry of formats: what koppel reads and writes, and how sure we are of each layout.

``koppel formats``, ``convert --from/--to``, option checking, the open-items capability and the docs all read
this registry. A format with a folder (``schemas/<name>/target.toml`` with a ``[format]`` table) is found by
``koppel/layouts/targets.py``, which names no format; the formats written by Python register themselves when
their module is imported; ``FORMAT_MODULES`` lists those modules (engines, not formats).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import KoppelError
from .evidence import MEANING
from .format_options import Option
from .model import Administration
from .read_result import ReadResult, as_read_result

Reader = Callable[..., Administration | ReadResult]  # read(path, **options); see koppel/read_result.py
Writer = Callable[..., object]  # write(adm, out: AtomicDir, job: WriteJob) -> WriteResult; see koppel/writejob.py

EVIDENCE = MEANING  # evidence levels (formats.md): V vendor, 3P third party, A assumed by us


@dataclass
class FormatInfo:
    """A file format koppel knows, with what it can carry and how well its layout is known."""

    name: str
    title: str
    evidence: str  # V, 3P or A (the weakest mark of its layout)
    reader: Reader | None = None
    writer: Writer | None = None
    # what the format carries: entries, relations, accounts, opening -> "rw", "r", "w" or ""
    carries: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    experimental: bool = False
    output: str = "folder"  # what -o names for a writer: "folder" (package files) or "file" (e.g. one XAF)
    # the options of its writer (--option) and reader (--read-option) when its spec declares them
    write_options: tuple[Option, ...] | None = None
    read_options: tuple[Option, ...] | None = None
    # the fields that carry relation and invoice number on each opening line (--opening-with-open-items), as
    # checked on real output by tests/test_openitems_targets.py; empty: the target cannot carry open items
    opening_items: str = ""
    home: Path | None = None  # the folder that holds its spec and layouts (schemas/<name>/), when it has one

    @property
    def reads(self) -> bool:
        return self.reader is not None

    @property
    def writes(self) -> bool:
        return self.writer is not None


FORMAT_MODULES: tuple[str, ...] = (
    "koppel.xaf.format",
    "koppel.adf.format",
    "koppel.formats.packages",
    "koppel.sources.format",
    "koppel.relations.format",
    "koppel.layouts.targets",
    "koppel.xaf.target",
)

_REGISTRY: dict[str, FormatInfo] = {}
_loaded = False


def register(info: FormatInfo) -> FormatInfo:
    _REGISTRY[info.name] = info
    return info


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in FORMAT_MODULES:
            importlib.import_module(module)


def all_formats() -> list[FormatInfo]:
    _load()
    return sorted(_REGISTRY.values(), key=lambda f: f.name)


def get_format(name: str) -> FormatInfo:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KoppelError(f"unknown format {name!r}", hint=f"known formats: {known}") from None


# Root elements of the package XML files koppel reads (what the file says, never its name).
_XML_ROOTS = ((b"<eExact", "exact-online"), (b"<KING_", "king"))


def detect_format(path: Path) -> str:
    """Guess the input format from content: XML by its root element, koppel's own output folders by the
    target their control.json names."""
    path = Path(path)
    if path.is_dir():
        control = path / "control.json"
        if control.is_file():
            import json

            try:
                target = json.loads(control.read_text(encoding="utf-8")).get("target")
            except (ValueError, OSError):
                target = None
            _load()
            if target in _REGISTRY and _REGISTRY[target].reader is not None:
                return target
    if path.is_file():
        with path.open("rb") as handle:
            head = handle.read(4096)
        from .adf.parse import is_adf

        if is_adf(head):
            return "adf"
        if b"<auditfile" in head:
            return "xaf"
        for marker, name in _XML_ROOTS:
            if marker in head:
                return name
        # an XML file or an auditfile by name: the XAF reader explains best what is wrong with it
        if path.suffix.lower() in (".xaf", ".xml", ".xsc") or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return "xaf"
    raise KoppelError(
        "cannot tell the format of this input",
        file=path,
        hint="name it with --from FORMAT (see 'koppel formats')",
    )


def read_input(path: str | Path, from_format: str | None = None, **options) -> Administration:
    """Read any input koppel knows into an :class:`Administration`."""
    return read_result(path, from_format, **options).adm


def read_result(path: str | Path, from_format: str | None = None, **options) -> ReadResult:
    """Read any input koppel knows: its Administration and where it came from (path, row ids)."""
    path = Path(path)
    if not path.exists():
        raise KoppelError("file not found", file=path)
    from .archive import extract_single, is_zip_input

    if is_zip_input(path):  # a zipped auditfile: its one member, checked against zip-slip and zip bombs
        path = extract_single(path)
    name = from_format or detect_format(path)
    info = get_format(name)
    if info.reader is None:
        raise KoppelError(f"koppel writes {info.title} but cannot read it", file=path)
    if options.get("workers") is None:
        options.pop("workers", None)  # None: the reader's own default (all cores for a large auditfile)
    elif info.name != "xaf":
        raise KoppelError(
            f"--workers applies to auditfiles (XAF), not to {info.title}", file=path, hint="leave out --workers"
        )
    return as_read_result(info.reader(path, **options), path)
