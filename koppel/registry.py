"""One registry of formats: what koppel reads and writes, and how sure we are of each layout.

``koppel formats``, ``convert --from/--to``, option checking, the open-items capability and the docs all read
this registry. Every format has one home, a folder ``schemas/<name>/`` whose spec (the ``[format]`` table of
its ``target.toml`` or ``format.toml``) says what the registry needs; :mod:`koppel.format_folders` finds the
folders, so no code lists format names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import KoppelError
from .evidence import MEANING
from .format_options import Option
from .logs import log
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
    home: Path | None = None  # the folder that holds its spec and layouts (schemas/<name>/)
    # what drives its files: "delimited" (the layout engine, schemas/<name>/target.toml) or "hooks" (Python
    # functions its format.toml names)
    engine: str = "hooks"
    # capabilities the pipeline and the CLI ask for instead of a name (see the spec keys, koppel/format_folders.py)
    upgrade_report: bool = False  # a file target that reports what the source has and it drops (XAF 4.0)
    rgs_version: bool = False  # has a field for the RGS release of the chart
    needs_account_kind: bool = False  # refuses an account of unknown kind (balance sheet / profit and loss)
    xml_root: str = ""  # an input whose root element starts with this name is this format
    detect: Callable[[bytes], bool] | None = None  # recognises an input by its first 4 KB (an own syntax)
    chart: Callable[[Path], Any] | None = None  # reads only the chart of accounts (koppel.rgs.accounts.Chart)
    fallback_suffixes: tuple[str, ...] = ()  # an XML or a file with such a suffix no marker claims is read as this
    reader_progress: bool = False  # its reader reports bytes read (the progress line follows them)
    subledgers: bool = False  # its reader collects subledgers in its own pass when asked (koppel.xaf.consumers)

    @property
    def reads(self) -> bool:
        return self.reader is not None

    @property
    def writes(self) -> bool:
        return self.writer is not None


_REGISTRY: dict[str, FormatInfo] = {}
_loaded = False


def register(info: FormatInfo) -> FormatInfo:
    _REGISTRY[info.name] = info
    return info


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        from .format_folders import discover

        for info in discover():
            register(info)


def all_formats() -> list[FormatInfo]:
    _load()
    return sorted(_REGISTRY.values(), key=lambda f: f.name)


# Names that are no package format but that people (and job files) use for koppel's own tables.
TABLE_FORMATS = ("csv", "xlsx", "parquet")


def _did_you_mean(name: str, names: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


def get_format(name: str) -> FormatInfo:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        names = sorted(_REGISTRY)
        raise KoppelError(
            f"unknown format {name!r}", hint=f"{_did_you_mean(name, names)}known formats: {', '.join(names)}"
        ) from None


def writable_names() -> list[str]:
    return [f.name for f in all_formats() if f.writer is not None]


def readable_names() -> list[str]:
    return [f.name for f in all_formats() if f.reader is not None]


def target_format(name: str, field: str = "--to") -> FormatInfo:
    """The format ``name`` as a conversion target; refused with what to use instead when koppel cannot write it."""
    _load()
    info = _REGISTRY.get(name)
    targets = writable_names()
    if info is None:
        if name.lower() in TABLE_FORMATS:
            raise KoppelError(
                f"{name!r} is not a package target",
                field=field,
                hint=f"koppel's own tables as {name.lower()}: koppel export INPUT -o DIR --format {name.lower()}, "
                f'or target = "{name.lower()}" in a job file; package targets: {", ".join(targets)}',
            )
        raise KoppelError(
            f"unknown target {name!r}", field=field, hint=f"{_did_you_mean(name, targets)}targets: {', '.join(targets)}"
        )
    if info.writer is None:
        if info.reader is not None:
            raise KoppelError(
                f"{name!r} is an input format: koppel reads it but cannot write it",
                field=field,
                hint=f"targets: {', '.join(targets)}",
            )
        raise KoppelError(
            f"koppel can neither read nor write {info.title} files: no file import is published for it",
            field=field,
            hint=f"it imports XAF: convert with --to xaf32 or --to xaf40; koppel formats {info.name} says more",
        )
    return info


def source_format(name: str, field: str = "--from") -> FormatInfo:
    """The format ``name`` as an input; refused with the formats koppel reads when it cannot read it."""
    info = get_format(name)
    if info.reader is None:
        what = (
            f"{name!r} is a target: koppel writes it but cannot read it"
            if info.writer is not None
            else f"koppel can neither read nor write {info.title} files"
        )
        raise KoppelError(what, field=field, hint=f"koppel reads: {', '.join(readable_names())}")
    return info


def detect_format(path: Path) -> str:
    """Guess the input format from content (what the file says, never its name): a format's own syntax
    (``detect``), XML by its root element (``xml_root``), koppel's own output folders by the target their
    control.json names; what none claims but looks like XML goes to the reader that explains best
    (``fallback_suffixes``)."""
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
        if not any(path.iterdir()):
            raise KoppelError("the folder is empty", file=path, hint="name the file to read, or the folder it is in")
        raise KoppelError(
            "a folder that koppel did not write: cannot tell the format of its files",
            file=path,
            hint="name one file in it, or the package whose files these are with --from FORMAT (see 'koppel formats')",
        )
    if path.is_file():
        with path.open("rb") as handle:
            head = handle.read(4096)
        from .format_folders import recognitions  # the specs alone: no writer or reader is imported

        formats = recognitions()
        for info in formats:
            if info.detect is not None and info.detect(head):
                return info.name
        from .profile_inputs import export_kind

        export = export_kind(path, head)  # a statement or table: read with a source profile, never guessed
        if export is not None:
            raise KoppelError(
                f"{export[0]}: koppel reads it with a source profile", file=path, hint=f"add {export[1]}"
            )
        from .xml_head import root_name

        root = root_name(head)  # the root element, not a name somewhere in the head (an auditfile has <transactions>)
        for info in formats:
            if info.xml_root and root is not None and root.startswith(info.xml_root):
                return info.name
        looks_xml = head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
        for info in formats:  # an XML file or one named like this format's: its reader explains what is wrong
            if info.fallback_suffixes and (path.suffix.lower() in info.fallback_suffixes or looks_xml):
                return info.name
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

    given = path
    if is_zip_input(path):  # a zipped auditfile: its one member, checked against zip-slip and zip bombs
        path = extract_single(path)
    name = from_format or detect_format(path)
    info = source_format(name) if from_format else get_format(name)
    log.info("read %s as %s (%s)", given, info.name, "--from" if from_format else "detected from its content")
    if info.reader is None:
        raise KoppelError(f"koppel writes {info.title} but cannot read it", file=path)
    if options.get("workers") is None:
        options.pop("workers", None)  # None: the reader's own default (all cores for a large auditfile)
    elif "workers" not in {o.name for o in info.read_options or ()}:  # a reader that parses in processes
        raise KoppelError(
            f"--workers applies to auditfiles (XAF), not to {info.title}", file=path, hint="leave out --workers"
        )
    return as_read_result(info.reader(path, **options), path)
