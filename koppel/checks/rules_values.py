"""Value rules (XAF-V01 … XAF-V07, code lists V05 aside): an amount, side or text that the format does not allow.

The amount rules return what the scanner needs next (the cents, the side), so an amount is parsed once: the
rule is where its value is read. Amounts are parsed exactly (:func:`koppel.money.parse_cents`), never as floats.
"""

from __future__ import annotations

from ..errors import KoppelError
from ..money import parse_cents
from .findings import Collector

MAX_REFERENCE = 255


def text_of(elem) -> str | None:
    """Text of an element; empty elements count as absent."""
    if elem is None:
        return None
    text = elem.text
    if text is None:
        return None
    text = text.strip()
    return text or None


def _two_decimals(text: str) -> bool:
    return len(text) >= 3 and text[-3] == "." and text[-2:].isdigit()


def rule_v01_reference_length(name: str, elem, path: str, out: Collector) -> None:
    """A reference (docRef, invRef, …) of at most 255 characters."""
    if elem.text is not None and len(elem.text) > MAX_REFERENCE:
        out.add("XAF-V01", elem.sourceline, f"{path}/{name}", {"length": len(elem.text)})


def rule_v03_amount(elem, path: str, out: Collector) -> int | None:
    """An amount (obLine/amnt, CLAIR2 debitAmount/creditAmount) with two decimals; its cents, None if none."""
    text = text_of(elem)
    if text is None:
        return None
    if not _two_decimals(text):
        out.add("XAF-V03", elem.sourceline, path, {"found": text, "expected": "two decimals"})
    try:
        return parse_cents(text)
    except KoppelError as exc:
        out.add("XAF-V03", elem.sourceline, path, {"found": text, "problem": exc.message})
        return None


def rule_v03_line_amount(elem, path: str, out: Collector) -> int | None:
    """trLine/amnt written with a decimal point two places from the end; its cents, None if none."""
    if elem is None or elem.text is None:
        return None
    text = elem.text.strip()
    if len(text) < 3 or text[-3] != ".":
        out.add("XAF-V03", elem.sourceline, path + "/amnt", {"found": text, "expected": "two decimals"})
    try:
        return parse_cents(text)
    except KoppelError as exc:
        out.add("XAF-V03", elem.sourceline, path + "/amnt", {"found": text, "problem": exc.message})
        return None


def rule_v02_amount_not_negative(
    cents: int, elem, path: str, out: Collector, *, side: str | None = None, clair2: bool = False
) -> None:
    """An amount is not negative: its side says debit or credit (a warning in CLAIR2, which has no side)."""
    if cents >= 0:
        return
    if clair2:
        out.add("XAF-V02", elem.sourceline, path, {"found": text_of(elem)}, severity="warning")
    elif side is None:
        out.add("XAF-V02", elem.sourceline, path, {"found": text_of(elem)})
    else:
        out.add("XAF-V02", elem.sourceline, path, {"found": elem.text.strip(), "amntTp": side})


def rule_v04_side(elem, line: int | None, path: str, out: Collector) -> str | None:
    """amntTp is D or C; returns it, or None after the finding."""
    side = elem.text if elem is not None else None
    if side == "D" or side == "C":
        return side
    side = side.strip() if side else side
    if side == "D" or side == "C":
        return side
    out.add("XAF-V04", line, path + "/amntTp", {"found": side or "(ontbreekt)", "expected": "D of C"})
    return None


def rule_v06_clair2_one_side(debit, credit, line: int | None, path: str, out: Collector) -> None:
    """A CLAIR2 line has a debitAmount or a creditAmount, not both."""
    d, c = text_of(debit), text_of(credit)
    if d is not None and c is not None:
        out.add("XAF-V06", line, path, {"debitAmount": d, "creditAmount": c})


def rule_v07_negative_vat(elem, path: str, out: Collector) -> bool:
    """A negative VAT amount (information, as pyxaf's XAF7001 for any amount); True when reported."""
    text = text_of(elem)
    if text is not None and text.startswith("-"):
        try:
            negative = parse_cents(text) < 0
        except KoppelError:
            return False  # not an amount: the XSD layer reports it
        if negative:
            out.add("XAF-V07", elem.sourceline, path, {"found": text})
            return True
    return False
