"""Counterparty and payment text of an MT940 transaction, from its ``:86:`` and ``:61:`` in the Dutch layouts.

The ``:86:`` layouts Dutch banks write (the banks' MT940 descriptions; shapes in tests/test_mt940_dialects.py):

* structured with codes between slashes — ING since 2014 ``/EREF/…//CNTP/iban/bic/name/city///REMI/USTD//text/``;
  ABN AMRO, Knab, Van Lanschot, Bunq ``/TRTP/SEPA OVERBOEKING/IBAN/…/BIC/…/NAME/…/REMI/…/EREF/…``; Rabobank
  ``/EREF/…/ORDP//NAME/…/ADDR/…/REMI/…/ISDT/…`` (the counter account on the line after ``:61:``);
* labelled text — ABN AMRO's older ``SEPA OVERBOEKING  IBAN: … BIC: … NAAM: … OMSCHRIJVING: … KENMERK: …`` and
  Knab's ``REK: NL…/NAAM: …``;
* Triodos ``000>100000000000>20…>21…>22…`` sub-fields of fixed width;
* free text — SNS, ASN and RegioBank start it with the counter IBAN and name (which their ``:61:`` line holds
  too), ING before 2014, card payments.

Lines are joined as the bank wrapped them: a line of 65 characters (the SWIFT maximum, ``:86:`` included) was
cut mid-word and goes on without a space; a shorter one ended a phrase.
"""

from __future__ import annotations

import re

from .mt940_text import Transaction, is_iban, reference

_CODES = (
    "CDTRREFTP|CDTRREF|TRTP|IBAN|BIC|NAME|ADDR|REMI|EREF|MARF|CSID|CNTP|ORDP|BENM|ISDT|PREF|RTRN|PURP|ULTC|ULTD|"
    "ULTB|KREF|IREF|SVCL|BUSP|CHGS|EXCH|OCMT|NRTX|TRCD"
)
_STRUCTURED = re.compile(rf"/({_CODES})/")
# no word boundary before a label: a line of 65 characters goes on without a space ("…TECHNIEKOMSCHRIJVING:")
_LABELS = re.compile(r"(IBAN|BIC|NAAM|OMSCHRIJVING|KENMERK|REK|MACHTIGING|INCASSANT)\s*:", re.IGNORECASE)
_SUBFIELD = re.compile(r">(\d{2})")
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
_OLD_ACCOUNT = re.compile(r"P?\d{1,10}")  # Rabobank's counter account before IBAN (Postbank numbers with a P)
_REMI_FORM = re.compile(r"^(?:USTD|STRD)/(?:CUR/|/)?|^(?:USTD|STRD)$")
WIDTH = 65


def joined(lines: list[str], first_width: int = 4) -> str:
    """The lines of a field as one text: no space after a full line (wrapped), one after a shorter one."""
    out: list[str] = []
    previous = WIDTH
    for i, line in enumerate(lines):
        if i:
            out.append("" if previous >= WIDTH else " ")
        out.append(line)
        previous = len(line) + (first_width if i == 0 else 0)
    return "".join(out)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _structured(text: str) -> dict[str, str]:
    parts = _STRUCTURED.split(text)
    codes: dict[str, str] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=False):
        codes.setdefault(code, value)
    out: dict[str, str] = {}
    if "CNTP" in codes:
        pieces = codes["CNTP"].split("/")
        out["counter_iban"] = pieces[0].strip()
        out["counter_bic"] = pieces[1].strip() if len(pieces) > 1 else ""
        out["counter_name"] = _clean(pieces[2]) if len(pieces) > 2 else ""
    for code, key in (("IBAN", "counter_iban"), ("BIC", "counter_bic"), ("NAME", "counter_name")):
        if not out.get(key) and codes.get(code, "").strip("/ "):
            out[key] = _clean(codes[code].strip("/"))
    remi = _REMI_FORM.sub("", codes.get("REMI", "").strip())
    out["description"] = _clean(remi.rstrip("/"))
    eref = codes.get("EREF", "").strip("/ ")
    if eref and eref.upper() != "NOTPROVIDED":
        out["reference"] = _clean(eref)
    return out


def _labelled(text: str) -> dict[str, str]:
    parts = _LABELS.split(text)
    values = {label.upper(): _clean(value).strip("/ ") for label, value in zip(parts[1::2], parts[2::2], strict=False)}
    out = {
        "counter_iban": values.get("IBAN") or values.get("REK", ""),
        "counter_bic": values.get("BIC", ""),
        "counter_name": values.get("NAAM", ""),
        "description": values.get("OMSCHRIJVING") or _clean(parts[0]),
    }
    if values.get("KENMERK"):
        out["reference"] = values["KENMERK"]
    return out


def _subfields(text: str) -> dict[str, str]:
    """Triodos: ``>20``–``>29`` hold the counterparty and the text in pieces of fixed width."""
    parts = _SUBFIELD.split(text)
    out: dict[str, str] = {}
    words: list[str] = []
    for code, value in zip(parts[1::2], parts[2::2], strict=False):
        if code[0] != "2":  # >10 a transaction number, >3x the own account
            continue
        if is_iban(value.strip()) and "counter_iban" not in out:
            out["counter_iban"] = value.strip()
        elif _BIC.fullmatch(value.strip()) and "counter_bic" not in out:
            out["counter_bic"] = value.strip()
        else:
            words.append(value)  # as written: a word may go on in the next sub-field ("PO>23STBUS")
    out["description"] = _clean("".join(words))
    return out


def details(tx: Transaction) -> dict[str, str]:
    """``counter_iban``, ``counter_bic``, ``counter_name``, ``description`` and ``reference`` of a transaction."""
    text = joined(tx.details)
    body = text.strip()
    free = False  # free text: none of the layouts
    if _STRUCTURED.match(body):
        out = _structured(body)
    elif _SUBFIELD.search(body) and re.match(r"\d{3}>", body):
        out = _subfields(body)
    elif _LABELS.search(body):
        out = _labelled(body)
    else:
        out, free = {"description": _clean(body)}, True
    first = body.split(" ", 1)[0] if body else ""
    if free and is_iban(first):
        out["counter_iban"] = first  # SNS, ASN, RegioBank: free text that starts with the counter IBAN
        out["description"] = _clean(body[len(first) :])
    for line in tx.supplementary:  # the lines after :61:
        if line.startswith("/"):  # ING's /TRCD/00100/: a transaction code
            continue
        if is_iban(line.replace(" ", "")) or _OLD_ACCOUNT.fullmatch(line):
            if not out.get("counter_iban"):
                out["counter_iban"] = line.replace(" ", "")  # Rabobank: the counter account
        elif not out.get("counter_name"):
            out["counter_name"] = _clean(line)  # SNS, ASN, RegioBank
    ref = tx.customer_reference.replace(" ", "")
    if not out.get("counter_iban") and is_iban(ref):
        out["counter_iban"] = ref  # SNS and ASN put the counter IBAN where the customer reference goes
    name = out.get("counter_name", "")
    description = out.get("description", "")
    if free and name and description.casefold().startswith(name.casefold()):
        out["description"] = description[len(name) :].strip()  # SNS repeats the name before the text
    if not out.get("reference"):
        out["reference"] = reference(tx)
    return out
