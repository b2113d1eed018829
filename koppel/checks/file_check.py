"""``koppel check``: is an auditfile complete and consistent? Every rule of formats.md §2.8, with places.

Layers, in order: bytes and encoding (F01–F04) → well-formedness (F01) → version and namespace (F05–F07) → XSD
(S01–S04) → content rules (U, T, K, O, D, V). The content rules run in the one streaming content pass over an
auditfile (:mod:`koppel.xaf.events`; the checker's handlers are in :mod:`.scan`). Files up to
:data:`.xsd.TREE_LIMIT` are validated as a tree, so every libxml2 error is listed (plus the complete xmlschema
pass, XAF-S03); larger files are validated streaming (lxml ``iterparse(schema=...)``) in a lean process of its
own beside the content pass, which reports the first schema error only.

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

__all__ = ["CheckRun", "begin_check", "check_file"]


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
    begun = begin_check(path, schema_dir=schema_dir, encoding=encoding, xsd=xsd, max_places=max_places)
    return begun if isinstance(begun, dict) else begun.own_pass()


class CheckRun:
    """A check whose byte, version and XSD layers have run (a large file's XSD still runs, in its own process):
    its content pass is to come, on a pass of its own (:func:`check_file`) or on one it shares with a reader
    (:meth:`subscribe`, e.g. a job that checks and converts the same file), then :meth:`finish`."""

    def __init__(self, path: Path, info, out: Collector, schema_file, translate, parallel, forced, max_places: int):
        self.path, self.info, self.out, self.schema_file = path, info, out, schema_file
        self.translate, self.parallel, self.forced = translate, parallel, forced
        self.scan_out = Collector(max_places)
        self.scanner = Scanner(info.version, self.scan_out)
        self.subscribed = False  # the scanner is on a pass (which must then run to its end before finish)

    def subscribe(self, records: RecordPass) -> None:
        """Put the content rules on ``records`` (before the other consumers: handlers run in subscription order)."""
        self.scanner.subscribe(records)
        self.subscribed = True

    def own_pass(self) -> dict:
        """The content pass on a pass of its own, to its end; the result."""
        try:
            records = RecordPass(open_source(self.info), self.info.namespace, encoding=self.forced)
            self.subscribe(records)
            records.run_to_end()
        except etree.XMLSyntaxError as exc:
            return self.broken(exc)
        except BaseException:
            self.cancel()
            raise
        return self.finish()

    def cancel(self) -> None:
        """The pass failed for another reason than the file's XML: stop the XSD process."""
        if self.parallel is not None:
            self.parallel.cancel()

    def broken(self, exc: etree.XMLSyntaxError) -> dict:
        """The result of a file that is not well-formed (the pass stopped on it)."""
        self.cancel()
        _xml_error(self.path, exc, self.forced or self.info.encoding, self.out)
        return unusable_result(self.path, self.out, version=self.info.version, info=self.info)

    def finish(self) -> dict:
        """The XSD findings and the content findings of the pass that has run to its end, and the result."""
        path, info, out, schema_file = self.path, self.info, self.out, self.schema_file
        if schema_file is not None and self.parallel is None:
            doc = xsd_layer.parse_tree(open_for_parser(path, self.translate), self.forced)
            errors = xsd_layer.validate_tree(doc, xsd_layer.load_xsd(schema_file))
            _report_xsd(info.version, errors, out)
            if errors:  # libxml2 stops inside an element after its first error: list the rest (S03)
                reported = xsd_layer.Reported(errors)
                xsd_layer.drop_reported_attributes(doc, errors)
                for err in xsd_layer.second_pass(doc, schema_file):
                    if not reported.restates(err):
                        out.add("XAF-S03", err.line, err.element, _xsd_values(err))
            del doc
        elif self.parallel is not None:
            first = self.parallel.result()
            if first is not None:
                _report_xsd(info.version, [first], out)
                for code in ("XAF-S01", "XAF-S02"):
                    if code in out.groups:
                        out.groups[code].hint = (
                            "bestanden boven 64 MB worden stromend gevalideerd; libxml2 stopt dan bij de eerste "
                            "schemafout. Herstel die en controleer opnieuw"
                        )

        for group in self.scan_out.groups.values():  # content findings after the byte/XSD layers
            out.groups[group.code] = group
        run_file_rules(self.scanner.f, out)
        return build_result(path, info, self.scanner.f, out, schema_file)


def begin_check(
    path: str | Path,
    *,
    schema_dir: str | Path | None = None,
    encoding: str | None = None,
    xsd: bool = True,
    max_places: int = 20,
) -> CheckRun | dict:
    """The layers before the content pass; the result itself (a dict) when the file ends the check there (not
    readable, not XML, a zipped or ADF auditfile, checked whole)."""
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
        parallel = xsd_layer.ParallelValidation(path, translate, schema_file, forced)
    return CheckRun(path, info, out, schema_file, translate, parallel, forced, max_places)


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
