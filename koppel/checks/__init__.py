"""``koppel check``: is an auditfile complete and consistent? Every rule of formats.md §2.8, with places.

Layers, in order: bytes and encoding (F01–F04) → well-formedness (F01) → version and namespace (F05–F07) → XSD
(S01–S04) → content rules (U, T, K, O, D, V). The content rules run in the one streaming content pass over an
auditfile (:mod:`koppel.xaf.events`; the checker's handlers are in :mod:`.scan`). Files up to
:data:`.xsd.TREE_LIMIT` are validated as a tree, so every libxml2 error is listed (plus the complete xmlschema
pass, XAF-S03); larger files are validated streaming (lxml ``iterparse(schema=...)``) in a forked process beside
the content pass, which reports the first schema error only.

:func:`check_file` returns one plain dict (the contract with the report writers, see ``result.py``). ``summary``
counts finding *groups* (one per code) per severity, as the "E / W / I findings" column of EXPECTED.md does;
each group's ``count`` is the number of occurrences.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from lxml import etree

from ..archive import extract_single, is_zip_input
from ..errors import KoppelError
from ..xaf.events import RecordPass, open_source
from ..xaf.versions import WRONG_40_NAMESPACES, sniff_xaf
from . import xsd as xsd_layer
from .findings import Collector
from .hints import dutch_hint
from .result import build_result, unusable_result
from .rules import run_file_rules
from .scan import Scanner
from .source import cr_only, open_for_parser

ALLOWED_ENCODINGS = ("utf-8", "iso8859-1")

__all__ = ["check_file"]


def _encoding_layer(info, out: Collector) -> None:
    """XAF-F02/F03/F04 from the first bytes."""
    if info.bom:
        out.add("XAF-F04", 1, "(bytes 1–3)", {"bom": "EF BB BF"})
    if not info.has_declaration:
        out.add("XAF-F03", 1, "(begin van het bestand)", {"assumed": "UTF-8"})
    try:
        in_force = codecs.lookup(info.encoding).name
    except LookupError:
        in_force = info.encoding
    if in_force not in ALLOWED_ENCODINGS:
        out.add("XAF-F02", 1, "(XML-declaratie)", {"found": info.encoding, "expected": "UTF-8 of ISO-8859-1"})


def _forced_decoding(path: Path, info, forced: str, out: Collector) -> None:
    """XAF-F01 still holds when the user re-decodes a file whose bytes do not fit its own encoding."""
    from ..xaf.safety import first_undecodable_byte

    own = info.declared_encoding or "utf-8"
    try:
        if codecs.lookup(own).name == codecs.lookup(forced).name:
            return
    except LookupError:
        return
    where = first_undecodable_byte(path, own)
    if where is not None:
        out.add("XAF-F01", None, "", {"declared": own, "byte": f"0x{where[1]:02X} at offset {where[0]}",
                                       "read as": forced},
                message=f"bytes passen niet in de gedeclareerde tekenset {own}; op verzoek gelezen als {forced}",
                hint="vraag een export waarvan declaratie en inhoud overeenkomen")


def _xml_error(path: Path, exc: etree.XMLSyntaxError, encoding: str | None, out: Collector) -> None:
    from ..xaf.safety import xml_error

    err = xml_error(path, exc, encoding)
    out.add("XAF-F01", err.line, "", {"problem": err.message}, hint=dutch_hint(err.hint))  # the report is Dutch


def check_file(
    path: str | Path,
    *,
    schema_dir: str | Path | None = None,
    encoding: str | None = None,
    xsd: bool = True,
    max_places: int = 20,
) -> dict:
    """Check one auditfile; never raises for problems in the data (only for a missing file)."""
    path = Path(path)
    out = Collector(max_places)
    if not path.exists():
        raise KoppelError("file not found", file=path)
    if path.is_dir():
        raise KoppelError("is a folder, not an auditfile", file=path)
    if is_zip_input(path):  # a zipped auditfile: its one member, after the zip-slip and zip-bomb checks
        try:
            member = extract_single(path)
        except KoppelError as exc:
            out.add("XAF-F01", None, "", {"problem": exc.message}, hint=dutch_hint(exc.hint))
            return unusable_result(path, out, version=None)
        result = check_file(member, schema_dir=schema_dir, encoding=encoding, xsd=xsd, max_places=max_places)
        result["file"] = f"{path} ({member.name})"
        return result
    if _is_adf(path):  # the fixed-width auditfile of 1999: its own rules (koppel/adf/check.py)
        from ..adf.check import check_adf

        return check_adf(path, encoding=encoding, max_places=max_places)
    try:
        info = sniff_xaf(path, encoding)
    except KoppelError as exc:
        low = exc.message.lower()
        code = "XAF-F01" if any(w in low for w in ("well-formed", "bytes", "ends too early", "empty")) else "XAF-F05"
        out.add(code, exc.line, "", {"problem": exc.message}, hint=dutch_hint(exc.hint))
        return unusable_result(path, out, version=None)
    _encoding_layer(info, out)
    if info.namespace in WRONG_40_NAMESPACES:
        out.add("XAF-F06", 1, "auditfile/@xmlns", {"found": info.namespace})
    if info.continuation is not None:
        x, y = info.continuation
        out.add("XAF-F08", 1, "(commentaar Vervolgbestand)", {"deel": x, "van": y})
    forced = encoding or None
    if forced:
        _forced_decoding(path, info, forced, out)

    schema_file = xsd_layer.find_schema(info.version, schema_dir) if xsd else None
    if xsd and schema_file is None:
        out.add("XAF-S04", None, "", {"version": info.version},
                message=f"schemacontrole (XSD) niet uitgevoerd: geen officieel schema voor versie {info.version}")
    elif xsd and info.namespace in WRONG_40_NAMESPACES:
        out.add("XAF-S04", None, "", {"namespace": info.namespace},
                message="schemacontrole (XSD) niet uitgevoerd: de naamruimte is niet die van het officiële schema")
        schema_file = None

    translate = cr_only(path)
    parallel = None
    if schema_file is not None and info.size > xsd_layer.TREE_LIMIT:
        # large file: libxml2 validates streaming in a second process while this one runs the content pass
        parallel = xsd_layer.background_validation(lambda: open_for_parser(path, translate), schema_file, forced)
    scan_out = Collector(max_places)
    try:
        records = RecordPass(open_source(info), info.namespace, encoding=forced)
        facts = Scanner(info.version, scan_out).run(records)
    except etree.XMLSyntaxError as exc:
        if parallel is not None:
            parallel.cancel()
        _xml_error(path, exc, forced or info.encoding, out)
        return unusable_result(path, out, version=info.version, info=info)
    except BaseException:
        if parallel is not None:
            parallel.cancel()
        raise

    if schema_file is not None and parallel is None:
        doc = xsd_layer.parse_tree(open_for_parser(path, translate), forced)
        errors = xsd_layer.validate_tree(doc, xsd_layer.load_xsd(schema_file))
        _report_xsd(info.version, errors, out)
        if errors:  # libxml2 stops inside an element after its first error: list the rest (S03)
            reported = xsd_layer.Reported(errors)
            xsd_layer.drop_reported_attributes(doc, errors)
            for err in xsd_layer.second_pass(doc, schema_file):
                if not reported.restates(err):
                    out.add("XAF-S03", err.line, err.element, _xsd_values(err))
        del doc
    elif parallel is not None:
        first = parallel.result()
        if first is not None:
            _report_xsd(info.version, [first], out)
            for code in ("XAF-S01", "XAF-S02"):
                if code in out.groups:
                    out.groups[code].hint = (
                        "bestanden boven 64 MB worden stromend gevalideerd; libxml2 stopt dan bij de eerste "
                        "schemafout. Herstel die en controleer opnieuw"
                    )

    for group in scan_out.groups.values():  # content findings after the byte/XSD layers
        out.groups[group.code] = group
    run_file_rules(facts, out)
    return build_result(path, info, facts, out, schema_file)


def _is_adf(path: Path) -> bool:
    from ..adf.parse import is_adf

    try:
        with path.open("rb") as handle:
            return is_adf(handle.read(16))
    except OSError:
        return False  # sniff_xaf reports the OS error


def _xsd_values(err) -> dict:
    values = {"melding": err.message}
    if err.element:
        values["element"] = err.element
    if err.approximate:
        values["regel"] = "bij benadering: eerste voorkomen van dit element"
    return values


def _report_xsd(version: str, errors: list, out: Collector) -> None:
    """XAF-S01 per libxml2 error; XAF-S02 for errors that only a known schema defect causes."""
    for err in errors:
        code = "XAF-S02" if xsd_layer.known_defect(version, err) else "XAF-S01"
        out.add(code, err.line, err.element, _xsd_values(err))
