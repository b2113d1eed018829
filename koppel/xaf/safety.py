"""Safe XML parsing: parser settings for untrusted files and one clear error for broken ones."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from ..errors import KoppelError


def parser_options(huge_tree: bool = False) -> dict:
    """iterparse options: no DTD, no entity expansion, no network; huge text nodes only when asked.

    Called as a parse starts, it also empties this thread's libxml2 error log, which otherwise keeps the
    errors of earlier parses: :func:`xml_error` then finds this parse's cause, not an older file's.
    """
    etree.clear_error_log()
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": huge_tree,
        "remove_comments": True,
        "remove_pis": True,
    }


_PROLOG_LIMIT = 64 << 20  # a prolog (declaration, comments, PIs) longer than this is not a bookkeeping file


def _prolog_text(path: Path) -> Iterator[str]:
    """The file's text in chunks, decoded by its byte-order mark (UTF-8 without one: the prolog is ASCII)."""
    with Path(path).open("rb") as handle:
        head = handle.read(4)
        codec = "utf-8"
        for bom, name in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                          (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
                          (codecs.BOM_UTF8, "utf-8")):
            if head.startswith(bom):
                codec, head = name, head[len(bom):]
                break
        decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        yield decoder.decode(head)
        read = len(head)
        while read < _PROLOG_LIMIT and (chunk := handle.read(1 << 16)):
            read += len(chunk)
            yield decoder.decode(chunk)


UTF32_HINT = "save it as UTF-8, the encoding bookkeeping packages write, and read that file"


def refuse_utf32(path: Path, hint: str = UTF32_HINT) -> None:
    """libxml2 reads UTF-8 and UTF-16 but not UTF-32 ("Document is empty", "Start tag expected"): name it."""
    from ..sources.bom import bom_of, utf32_without_bom  # at call time: koppel.sources imports this module

    with Path(path).open("rb") as handle:
        head = handle.read(4)
    mark = bom_of(head)
    name = mark[1] if mark and mark[0] == "utf-32" else utf32_without_bom(head)
    if name:
        raise KoppelError(f"the file is {name}, which XML readers do not take", file=path, line=1, hint=hint)


def refuse_dtd(path: Path) -> None:
    """Refuse a file whose prolog declares a DOCTYPE or ENTITY, before any XML parser sees it.

    Every XML reader calls this first, so what the user reads for an entity attack does not depend on which
    limit of which libxml2 release trips first. The prolog is scanned up to the root element's start tag:
    the XML declaration, comments and processing instructions are skipped, whatever their length.
    A UTF-32 file, which libxml2 cannot read, is named here too."""
    refuse_utf32(path)
    text = ""
    line = 1
    for chunk in _prolog_text(path):
        text += chunk
        while True:
            stripped = text.lstrip(" \t\r\n\ufeff")
            line += text[: len(text) - len(stripped)].count("\n")
            text = stripped
            if text.startswith(("<!DOCTYPE", "<!ENTITY", "<!doctype")):
                raise KoppelError(
                    "the file contains a DOCTYPE/ENTITY declaration, which bookkeeping files never need",
                    file=path,
                    line=line,
                    hint="refused for safety (entity expansion, external files); export the file again",
                )
            end_mark = "-->" if text.startswith("<!--") else "?>" if text.startswith("<?") else None
            if end_mark is None:
                if len(text) < 9 and text.startswith("<"):
                    break  # a start that may still become <!DOCTYPE: read on
                return  # the root element (or not XML at all: the parser says so)
            end = text.find(end_mark)
            if end < 0:
                break  # the comment or PI goes on in the next chunk
            line += text[: end].count("\n")
            text = text[end + len(end_mark):]


def refuse_doctype(elem: etree._Element, path: Path) -> None:
    """Raise when the document of ``elem`` declared a DOCTYPE (call at the first parse event).

    The parsers never expand entities or load DTDs, but a DOCTYPE found after the first bytes (for instance
    behind a long comment) would leave entity references as silently empty text: refused instead."""
    info = elem.getroottree().docinfo
    if info.internalDTD is not None or info.externalDTD is not None or info.doctype:
        raise KoppelError(
            "the file contains a DOCTYPE/ENTITY declaration, which these files never need",
            file=path,
            line=1,
            hint="refused for safety (entity expansion, external files); export the file again",
        )


def first_undecodable_byte(path: Path, encoding: str) -> tuple[int, int] | None:
    """Offset and value of the first byte that is invalid in ``encoding``, or None."""
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError:
        return None
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                # the decoder may hold back up to 3 bytes of an unfinished sequence from the last chunk
                held = len(decoder.getstate()[0]) if hasattr(decoder, "getstate") else 0
                bad = offset + exc.start - held
                if bad < 0:
                    bad = offset + exc.start
                return bad, exc.object[exc.start]
            offset += len(chunk)
    return None


TEXT_LIMIT = 10_000_000  # libxml2's longest text node or attribute value without huge_tree (XML_MAX_TEXT_LENGTH)


def _cause(exc: etree.XMLSyntaxError) -> tuple[str, int | None]:
    """libxml2's first fatal error of this parse: the cause, not what followed from it.

    lxml's error log collects every parse of the thread, so only the entries at its end that belong to the
    file of the last one are this parse's. An undefined entity on line 7 is followed by a "Start tag
    expected" on line 1 (libxml2 parsing the entity's missing replacement): the first entry names it.
    """
    message, line = str(exc.msg or exc).split(", line ")[0], exc.lineno or None
    log = list(getattr(exc, "error_log", None) or [])
    if not log:
        return message, line
    last = log[-1]
    if message != "no element found" and not message.startswith(last.message.strip()):
        return message, line  # lxml's own message, not libxml2's
    run = []
    for entry in reversed(log):
        if entry.filename != last.filename:
            break
        run.append(entry)
    fatal = [e for e in reversed(run) if e.level_name == "FATAL"]
    if fatal:
        return fatal[0].message, fatal[0].line or line
    return message, line


def xml_error(path: Path, exc: etree.XMLSyntaxError, encoding: str | None = None) -> KoppelError:
    """Turn a libxml2 syntax error into one clear line with the place and a fix."""
    message, line = _cause(exc)
    message = " ".join(message.split())  # libxml2 ends some messages with a newline
    low = message.lower()
    if "not proper utf-8" in low or "invalid bytes" in low or ("encoding" in low and "error" in low):
        in_force = encoding or "utf-8"
        where = first_undecodable_byte(path, "utf-8" if "utf-8" in low else in_force)
        detail = f" (byte 0x{where[1]:02X} at offset {where[0]})" if where else ""
        return KoppelError(
            f"bytes that are not valid {in_force.upper()}{detail}: the declared encoding does not match the content",
            file=path,
            line=line,
            hint="the text is probably ISO-8859-1/Windows-1252; re-run with --encoding iso-8859-1 "
            "if that is right, or ask for a new export",
        )
    if "entity" in low and "not defined" in low:
        return KoppelError(
            f"not well-formed XML: {message}",
            file=path,
            line=line,
            hint="XML knows only &amp; &lt; &gt; &quot; &apos; and numeric ones such as &#160;: "
            "the exporting program must write the character itself",
        )
    if "excessive depth" in low:
        return KoppelError(f"refused: {message}", file=path, line=line, hint="the file exceeds koppel's safety limits")
    if "limit exceeded" in low or "huge" in low or "xmlsax2characters" in low:
        found = _long_run(path)
        return KoppelError(
            f"refused: a text or attribute value longer than {TEXT_LIMIT:,} bytes (libxml2: {message.split(',')[0]})",
            file=path,
            line=found or line,
            hint="the file exceeds koppel's safety limits; no bookkeeping field is that long",
        )
    if "premature end" in low or "eof" in low or (line is not None and line >= _line_count(path)):
        return KoppelError(
            f"the XML ends too early ({message})",
            file=path,
            line=line,
            hint="the file is truncated; copy or export it again",
        )
    return KoppelError(f"not well-formed XML: {message}", file=path, line=line, hint="the file is damaged")


def _long_run(path: Path, limit: int = TEXT_LIMIT) -> int | None:
    """The line where the first stretch of more than ``limit`` bytes without a ``<`` starts (a text node or a
    start tag with a giant attribute); libxml2 reports such an error wherever its buffer happened to be."""
    line = 1
    start_line, run = 1, 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            pos = 0
            while True:
                lt = chunk.find(b"<", pos)
                end = len(chunk) if lt < 0 else lt
                run += end - pos
                if run > limit:
                    return start_line
                line += chunk.count(b"\n", pos, end)
                if lt < 0:
                    break
                start_line, run, pos = line, 0, lt + 1
    return None


def _line_count(path: Path) -> int:
    """Number of lines of a file (CR-only files counted by CR), for telling truncation from damage."""
    newlines = crs = 0
    last = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            newlines += chunk.count(b"\n")
            crs += chunk.count(b"\r")
            last = chunk
    count = newlines if newlines else crs
    return count + (0 if last.endswith((b"\n", b"\r")) else 1)
