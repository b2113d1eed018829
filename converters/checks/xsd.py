"""The XSD layer: find the official schema of a version, validate, and list every structural error.

Schemas are never shipped with koppel: they come from ``--schema-dir`` or from the installed PyPI
package ``pyxaf`` (folder ``pyxaf/schemas/``; it has CLAIR2, 3.2, 3.2.1 and 4.0, not 3.1).

XAF-S01 counts what libxml2 reports (that is what EXPECTED.md and the Belastingdienst tools count).
libxml2 stops checking an element's remaining children after the first error in it, so a second,
complete pass with ``xmlschema`` over the same lxml tree lists the rest as XAF-S03. It runs only for
files that fail libxml2 and fit :data:`TREE_LIMIT`; larger files are validated streaming (libxml2 stops
at the first error there), because xmlschema is pure Python and would need minutes per 100 MB.
Errors caused only by a known defect of the 3.2.1 schema (formats.md §2.7 item 3) are XAF-S02.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

SCHEMA_FILES = {
    "2.0": "clair2-auditfile.xsd",
    "3.1": "AuditfileFinancieelVersie3.1.xsd",
    "3.2": "XmlAuditfileFinancieel3.2.xsd",
    "3.2.1": "XmlAuditfileFinancieel3.2.1.xsd",
    "4.0": "XmlAuditfileFinancieel4.0.xsd",
}
TREE_LIMIT = 64 * 1024 * 1024  # up to this size the file is validated as a tree (every libxml2 error)
_SAFE = {"resolve_entities": False, "no_network": True, "load_dtd": False}
_NS = re.compile(r"\{[^}]*\}")


@dataclass
class XsdError:
    line: int | None
    message: str
    element: str = ""


def schema_path(version: str, schema_dir: str | Path | None = None) -> Path | None:
    """The official XSD of ``version`` from ``schema_dir`` or the installed pyxaf package, or None."""
    name = SCHEMA_FILES.get(version)
    if name is None:
        return None
    if schema_dir is not None:
        path = Path(schema_dir) / name
        return path if path.is_file() else None
    try:
        from importlib import resources

        path = Path(str(resources.files("pyxaf").joinpath("schemas", name)))
    except (ImportError, ModuleNotFoundError, TypeError):
        return None
    return path if path.is_file() else None


@lru_cache(maxsize=8)
def load_schema(path: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(**_SAFE)
    return etree.XMLSchema(etree.parse(str(path), parser))


def clean(message: str) -> str:
    """``{namespace}local`` → ``local`` in libxml2 messages."""
    return _NS.sub("", message)


def parse_tree(source, encoding: str | None):
    """The whole document as an lxml tree (only for files up to :data:`TREE_LIMIT`)."""
    parser = etree.XMLParser(encoding=encoding, huge_tree=False, **_SAFE)
    return etree.parse(source, parser)


def validate_tree(doc, schema: etree.XMLSchema) -> list[XsdError]:
    """Every error libxml2 reports for the whole document."""
    if schema.validate(doc):
        return []
    return [XsdError(e.line or None, clean(e.message), _element(e.message)) for e in schema.error_log]


def is_schema_error(exc: etree.XMLSyntaxError) -> bool:
    """Whether an iterparse(schema=...) failure is a validity error rather than broken XML."""
    log = exc.error_log
    last = log.last_error if log else None
    return last is not None and last.domain == etree.ErrorDomains.SCHEMASV


def stream_error(exc: etree.XMLSyntaxError) -> XsdError:
    last = exc.error_log.last_error
    return XsdError(last.line or None, clean(last.message), _element(last.message))


def _element(message: str) -> str:
    match = re.match(r"Element '([^']+)'", message)
    return clean(match.group(1)) if match else ""


def duplicate_of(err: XsdError, first: list[XsdError]) -> bool:
    """Whether a second-pass error restates one libxml2 already reported.

    Same line and element; or the parent's "unexpected child X" for an element X libxml2 flagged
    on a later line (libxml2 names the child, xmlschema the parent).
    """
    for e in first:
        if e.line == err.line and (e.element == err.element or not err.element or not e.element):
            return True
        if (
            e.element
            and e.line is not None
            and err.line is not None
            and err.line <= e.line
            and f"'{e.element}'" in err.message
        ):
            return True
    return False


def known_defect(version: str, err: XsdError) -> bool:
    """XAF-S02: an error that only the 3.2.1 schema's known defects cause (formats.md §2.7 item 3)."""
    if version != "3.2.1":
        return False
    msg = err.message
    if err.element in ("linesCount", "qntity", "periodNumber") and ("maxInclusive" in msg or "minInclusive" in msg):
        return True
    return err.element == "curCode" and any(f"'{c}'" in msg for c in ("SHP", "TZS"))


def second_pass(doc, schema_file: Path, limit: int = 5000) -> list[XsdError]:
    """All structural errors, with xmlschema on the lxml tree (its elements carry line numbers)."""
    schema = _xmlschema(schema_file)
    out: list[XsdError] = []
    for err in schema.iter_errors(doc):
        elem = getattr(err, "elem", None)
        line = getattr(elem, "sourceline", None) if elem is not None else None
        name = clean(elem.tag) if elem is not None and isinstance(elem.tag, str) else ""
        reason = err.reason or err.message
        out.append(XsdError(line, clean(str(reason)).split("\n")[0], name))
        if len(out) >= limit:
            break
    return out


@lru_cache(maxsize=8)
def _xmlschema(path: Path):
    import xmlschema

    return xmlschema.XMLSchema(str(path))
