"""XAF versions, their namespaces, and detection by content (never by file name)."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import KoppelError

NAMESPACES: dict[str, str] = {
    "http://www.auditfiles.nl/XAF/3.0": "3.0",
    "http://www.auditfiles.nl/XAF/3.1": "3.1",
    "http://www.auditfiles.nl/XAF/3.2": "3.2",
    "http://www.odb.belastingdienst.nl/Belastingdienst/BCPP/1.0/structures/XmlAuditfileFinancieel3.2.1": "3.2.1",
    "http://www.odb.belastingdienst.nl/Belastingdienst/BCPP/1.1/structures/XmlauditfileXAF_4.0": "4.0",
}
NAMESPACE_OF = {version: ns for ns, version in NAMESPACES.items()}
# Namespaces that some exporters (and the 4.0 Toelichting) write although the 4.0 XSD says otherwise.
WRONG_40_NAMESPACES = frozenset({"http://www.auditfiles.nl/XAF/4.0", "http://www.odb.belastingdienst.nl/XAF/4.0"})
VERSIONS = ("2.0", "3.0", "3.1", "3.2", "3.2.1", "4.0")

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_HAS_DECLARATION = re.compile(rb"^\s*<\?xml\s")
_CONTINUATION = re.compile(rb"<!--\s*Vervolgbestand\s+(\d+)\s+van\s+(\d+)\s*-->", re.IGNORECASE)
SNIFF_BYTES = 1 << 16


@dataclass
class XafFile:
    """What the first bytes and the root element of a file say about it."""

    path: Path
    version: str  # "2.0" (CLAIR2), "3.0", "3.1", "3.2", "3.2.1", "4.0"
    namespace: str | None
    encoding: str  # the encoding in force: BOM, else declaration, else UTF-8
    declared_encoding: str | None
    bom: bool
    has_declaration: bool
    size: int
    notes: list[str] = field(default_factory=list)
    continuation: tuple[int, int] | None = None  # (x, y) of a "Vervolgbestand x van y" comment


def _normal_encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def sniff_xaf(path: str | Path, encoding: str | None = None) -> XafFile:
    """Identify the XAF version and encoding of ``path`` from its content.

    Raises :class:`KoppelError` for files that are not (readable) auditfiles.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise KoppelError("file not found", file=path) from None
    except IsADirectoryError:
        raise KoppelError("is a folder, not an auditfile", file=path) from None
    except OSError as exc:
        raise KoppelError(f"cannot read the file: {exc.strerror}", file=path) from None
    if not head.strip():
        raise KoppelError("the file is empty", file=path, hint="export the auditfile again")
    if head.startswith(b"CLAIR1.00.00"):
        raise KoppelError(
            "this is an ADF auditfile (CLAIR1, 1999), not an XML auditfile",
            file=path,
            line=1,
            hint="read it as ADF: leave out --from, or give --from adf",
        )
    if path.suffix.lower() == ".xsc" or b"<" not in head[:512]:
        raise KoppelError(
            "this does not look like XML (an encrypted .xsc auditfile, or another kind of file)",
            file=path,
            hint="export an unencrypted .xaf auditfile",
        )
    from .safety import refuse_dtd

    refuse_dtd(path)
    bom = head.startswith(codecs.BOM_UTF8)
    if bom and head[3:].lstrip(b" \t\r\n").startswith(codecs.BOM_UTF8):
        raise KoppelError(
            "the file starts with two byte-order marks (bytes EF BB BF twice at offset 0)",
            file=path,
            line=1,
            hint="a tool added a BOM to a file that had one; remove the second one or export the file again",
        )
    body = head[3:] if bom else head
    declared = _DECLARATION.match(body)
    declared_encoding = declared.group(1).decode("ascii") if declared else None
    has_declaration = bool(_HAS_DECLARATION.match(body))
    if encoding:
        in_force = _normal_encoding(encoding)
    elif bom:
        in_force = "utf-8"
    elif declared_encoding:
        in_force = _normal_encoding(declared_encoding)
    else:
        in_force = "utf-8"
    namespace, root = _root(path, encoding)
    if etree.QName(root).localname != "auditfile":
        raise KoppelError(
            f"the root element is <{etree.QName(root).localname}>, not <auditfile>",
            file=path,
            hint="this is not an XML Auditfile Financieel",
        )
    notes: list[str] = []
    if namespace is None:
        version = "2.0"
    elif namespace in NAMESPACES:
        version = NAMESPACES[namespace]
    elif namespace in WRONG_40_NAMESPACES:
        version = "4.0"
        notes.append(f"known-wrong 4.0 namespace {namespace!r} read as XAF 4.0")
    else:
        raise KoppelError(
            f"unknown auditfile namespace {namespace!r}",
            file=path,
            hint="koppel reads CLAIR2, XAF 3.0, 3.1, 3.2, 3.2.1 and 4.0",
        )
    cont = _CONTINUATION.search(head)
    return XafFile(
        path=path,
        version=version,
        namespace=namespace,
        encoding=in_force,
        declared_encoding=declared_encoding,
        bom=bom,
        has_declaration=has_declaration,
        size=size,
        notes=notes,
        continuation=(int(cont.group(1)), int(cont.group(2))) if cont else None,
    )


def _root(path: Path, encoding: str | None) -> tuple[str | None, str]:
    """Namespace and tag of the root element, read from the first start event only."""
    from .safety import parser_options, refuse_doctype, xml_error

    try:
        with path.open("rb") as handle:
            for _event, elem in etree.iterparse(handle, events=("start",), encoding=encoding, **parser_options()):
                refuse_doctype(elem, path)
                return etree.QName(elem).namespace, elem.tag
    except etree.XMLSyntaxError as exc:
        raise xml_error(path, exc, encoding) from None
    raise KoppelError("no root element found", file=path)
