"""The official XAF schemas at run time: found in the installed pyxaf package (or a user folder), never
committed; streaming validation of a written file; code lists (countries, currencies) read from the XSD.

The one place that knows which XSD file belongs to which version and where to find it: the checks
(``koppel/checks/xsd.py``) and the writers look schemas up here."""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path

from lxml import etree

from ..errors import KoppelError
from .safety import parser_options
from .versions import NAMESPACE_OF

XSD_FILES = {
    "2.0": "clair2-auditfile.xsd",
    "3.1": "AuditfileFinancieelVersie3.1.xsd",
    "3.2": "XmlAuditfileFinancieel3.2.xsd",
    "3.2.1": "XmlAuditfileFinancieel3.2.1.xsd",
    "4.0": "XmlAuditfileFinancieel4.0.xsd",
}
XS = "{http://www.w3.org/2001/XMLSchema}"
MAX_ERRORS = 5
_RECORDS = ("transaction", "customerSupplier", "ledgerAccount", "obLine", "vatCode", "period", "basic", "line")


def find_schema(version: str, schema_dir: str | Path | None = None) -> Path | None:
    """The XSD of ``version`` from ``schema_dir`` when given, else from the installed pyxaf package; None
    when the version has no known schema or the file is not there."""
    name = XSD_FILES.get(version)
    if name is None:
        return None
    if schema_dir is not None:
        path = Path(schema_dir) / name
        return path if path.is_file() else None
    try:
        path = Path(str(importlib.resources.files("pyxaf") / "schemas" / name))
    except (ImportError, TypeError):
        return None
    return path if path.is_file() else None


def schema_path(version: str, schema_dir: str | Path | None = None) -> Path:
    """The XSD of ``version`` as :func:`find_schema` finds it, or a KoppelError saying how to provide it."""
    name = XSD_FILES.get(version)
    if name is None:
        raise KoppelError(f"no schema known for XAF version {version!r}")
    path = find_schema(version, schema_dir)
    if path is not None:
        return path
    if schema_dir is not None:
        raise KoppelError(f"schema {name} not found", file=schema_dir, hint="point --schema-dir at the XSD folder")
    raise KoppelError(
        f"schema {name} not found in the installed pyxaf package",
        hint="install pyxaf>=0.2 or give --schema-dir with the official XSDs",
    )


@functools.lru_cache(maxsize=16)
def load_xsd(path: str | Path) -> etree.XMLSchema:
    """An XSD file as a schema, parsed once (no entities, no network: a schema folder is user input)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


def load_schema(version: str, schema_dir: str | Path | None = None) -> etree.XMLSchema:
    return load_xsd(schema_path(version, schema_dir))


def validate_file(path: str | Path, version: str, schema_dir: str | Path | None = None, label: str | None = None):
    """Validate ``path`` against the XSD of ``version`` while streaming it (memory stays flat).

    Raises :class:`KoppelError` naming the first errors libxml2 reports.
    """
    schema = load_schema(version, schema_dir)
    ns = NAMESPACE_OF.get(version)
    records = [f"{{{ns}}}{name}" if ns else name for name in _RECORDS]
    try:
        # only the repeating records come to Python (to be freed); libxml2 validates every element
        context = etree.iterparse(
            str(path), events=("end",), tag=records, schema=schema, **parser_options(huge_tree=True)
        )
        for _event, elem in context:
            elem.clear(keep_tail=True)
            parent = elem.getparent()
            while elem.getprevious() is not None:
                parent.remove(elem.getprevious())
    except etree.XMLSyntaxError as exc:
        errors = [e for e in exc.error_log if e.level_name in ("ERROR", "FATAL")][:MAX_ERRORS] or [exc]
        first = errors[0]
        message = getattr(first, "message", str(first))
        raise KoppelError(
            f"the written file is not valid against the XAF {version} schema: {message}",
            file=label or path,
            line=getattr(first, "line", None),
            hint="this is a bug in koppel's writer or an unreported value; the output was not published",
        ) from None


@functools.lru_cache(maxsize=8)
def _code_lists(path: str) -> dict[str, frozenset[str]]:
    tree = etree.parse(path)
    lists: dict[str, frozenset[str]] = {}
    for simple in tree.iter(f"{XS}simpleType"):
        values = frozenset(e.get("value") for e in simple.iter(f"{XS}enumeration"))
        if "NL" in values and "DE" in values:
            lists["country"] = values
        elif "EUR" in values and "USD" in values:
            lists["currency"] = values
    return lists


def code_list(version: str, name: str, schema_dir: str | Path | None = None) -> frozenset[str] | None:
    """The enumerated ``country`` or ``currency`` codes of a version's XSD; None when it has no list (4.0)."""
    return _code_lists(str(schema_path(version, schema_dir))).get(name)
