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

from ..xaf.schema import find_schema, load_xsd  # noqa: F401  (find_schema: the checks look schemas up here)

TREE_LIMIT = 64 * 1024 * 1024  # up to this size the file is validated as a tree (every libxml2 error)
_SAFE = {"resolve_entities": False, "no_network": True, "load_dtd": False}
_NS = re.compile(r"\{[^}]*\}")


@dataclass
class XsdError:
    line: int | None
    message: str
    element: str = ""
    approximate: bool = False  # line found by searching the text (streaming validation gives none)


def clean(message: str) -> str:
    """``{namespace}local`` → ``local`` in libxml2 messages, on one line (libxml2 ends some with a newline)."""
    return _NS.sub("", message).strip().replace("\n", " ")


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


class Reported:
    """The libxml2 errors, indexed so that checking a second-pass error costs the same however many there are."""

    def __init__(self, first: list[XsdError]) -> None:
        self.elements_at: dict[int | None, set[str]] = {}
        self.last_line_of: dict[str, int] = {}  # element name -> last line libxml2 flagged it on
        for e in first:
            self.elements_at.setdefault(e.line, set()).add(e.element)
            if e.element and e.line is not None:
                self.last_line_of[e.element] = max(e.line, self.last_line_of.get(e.element, e.line))

    def restates(self, err: XsdError) -> bool:
        """Whether a second-pass error restates one libxml2 already reported.

        Same line and element; or the parent's "unexpected child X" for an element X libxml2 flagged
        on a later line (libxml2 names the child, xmlschema the parent).
        """
        at_line = self.elements_at.get(err.line)
        if at_line is not None and (err.element in at_line or not err.element or "" in at_line):
            return True
        if err.line is None:
            return False
        return any(self.last_line_of.get(name, -1) >= err.line for name in _QUOTED.findall(err.message))


def duplicate_of(err: XsdError, first: list[XsdError]) -> bool:
    """Whether ``err`` restates one of ``first`` (see :class:`Reported`; build that once for many errors)."""
    return Reported(first).restates(err)


_QUOTED = re.compile(r"'([^']+)'")
_ATTRIBUTE = re.compile(r"^Element '([^']+)', attribute '([^']+)':")


def drop_reported_attributes(doc, first: list[XsdError]) -> int:
    """Remove from ``doc`` the attributes libxml2 already reported; return how many were removed.

    libxml2 checks every attribute of an element (it only stops among the children), so its report on
    attributes is complete; left in, the second pass would restate each of them at a cost that grows
    with the element's number of attributes (quadratic for one element with thousands of them).
    """
    wanted: dict[tuple[int, str], set[str]] = {}
    for e in first:
        match = _ATTRIBUTE.match(e.message)
        if match and e.line is not None:
            wanted.setdefault((e.line, match.group(1)), set()).add(match.group(2))
    if not wanted:
        return 0
    removed = 0
    for elem in doc.iter():
        if not elem.attrib or not isinstance(elem.tag, str):
            continue
        names = wanted.get((elem.sourceline, clean(elem.tag)))
        if names:
            # keys() is linear, but reading a value walks the attribute list (values() is quadratic): read only
            # the few kept ones (attributes the schema declares), then clear the list in one pass
            keys = elem.keys()
            keep = {k: elem.get(k) for k in keys if clean(k) not in names}
            removed += len(keys) - len(keep)
            elem.attrib.clear()
            elem.attrib.update(keep)
    return removed


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


def stream_validate(make_source, schema_file: Path, encoding: str | None) -> XsdError | None:
    """Validate a large file streaming (libxml2 stops at the first schema error); None when valid.

    Streaming validation errors carry no line number (libxml2 raises them at the end of a feed), so the
    offending element is looked up in the text (:func:`_locate`). Well-formedness errors are not
    reported here: the content pass reports them as XAF-F01.
    """
    schema = load_xsd(schema_file)
    tags = ("{*}transaction", "{*}customerSupplier", "{*}ledgerAccount", "{*}obLine", "{*}subledger", "line")
    try:
        for _event, elem in etree.iterparse(make_source(), events=("end",), tag=tags, schema=schema,
                                            encoding=encoding, remove_comments=True, **_SAFE):
            elem.clear()
            parent = elem.getparent()
            if parent is not None:
                parent.remove(elem)
    except etree.XMLSyntaxError as exc:
        if not is_schema_error(exc):
            return None
        err = stream_error(exc)
        if err.line is None:
            err.line, err.approximate = _locate(make_source(), err)
        return err
    return None


def _locate(source, err: XsdError) -> tuple[int | None, bool]:
    """Line of the first ``<element`` holding the bad value the message names (exact: an earlier one
    would have failed first); without a value, the first ``<element`` at all (approximate)."""
    value = re.search(r"^Element '[^']+': '([^']*)' is not", err.message)
    name = re.escape(err.element.encode("ascii", "replace"))
    pattern = re.compile(rb"<(?:\w+:)?" + name + rb"[\s/>]")
    want = value.group(1).encode("utf-8") if value else None
    handle = open(source, "rb") if isinstance(source, str) else source  # noqa: SIM115 - closed below
    try:
        for number, text in enumerate(handle, 1):
            if pattern.search(text) and (want is None or want in text):
                return number, want is None
    finally:
        handle.close()
    return None, True


class ParallelValidation:
    """:func:`stream_validate` in its own interpreter (:mod:`.xsd_process`), beside the content pass on another core.

    A command of its own rather than a fork: it loads lxml and no pandas or pyarrow (a 1.2M-line check's process
    tree: 214 -> 176 MB), it works alike where the OS cannot fork (Windows validated after the content pass), and it
    never imports the caller's main script again, as ``multiprocessing``'s spawn would."""

    def __init__(self, path: Path, translate: bool, schema_file: Path, encoding: str | None) -> None:
        import os
        import subprocess
        import sys

        import koppel

        argv = [sys.executable, "-m", "koppel.checks.xsd_process", str(path), str(schema_file)]
        argv += ["--translate"] * translate + (["--encoding", encoding] if encoding else [])
        env = dict(os.environ)  # this koppel, however the caller found it
        home = str(Path(koppel.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (home, env.get("PYTHONPATH")) if p)
        self._process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )

    def result(self) -> XsdError | None:
        """Wait for the child; its first schema error or None. A child that failed raises RuntimeError."""
        import json

        out, err = self._process.communicate()
        if self._process.returncode != 0:
            last = err.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
            raise RuntimeError(f"XSD validation failed (exit {self._process.returncode}): {last[0]}")
        found = json.loads(out)
        return XsdError(**found) if found is not None else None

    def cancel(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
        self._process.communicate()
