"""Read King XML (KING_JOURNAAL, KING_DEBITEUREN, KING_CREDITEUREN, KING_GROOTBOEKREKENINGEN) into the model.

Accepts one file or a folder of them (e.g. koppel's own output). Amounts are JR_VALUTABEDRAG with the
side from JR_BOEKZIJDE; lines in another currency than the administration's are read as that currency.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import KoppelError
from ..kinds import UNKNOWN, record_unknown
from ..model import Administration, Header
from .xml_reading import LineSink, cents, child_text, iso_date, iter_records, master, xml_inputs

ROOTS = {"KING_JOURNAAL", "KING_DEBITEUREN", "KING_CREDITEUREN", "KING_GROOTBOEKREKENINGEN"}
RECORDS = {"JOURNAALPOST", "DEBITEUR", "CREDITEUR", "REKENING"}
PARENTS = {"JOURNAALPOSTEN", "DEBITEUREN", "CREDITEUREN", "GROOTBOEKREKENINGEN"}


def _entry(jp, path: Path, sink: LineSink, state: dict) -> None:
    journal = child_text(jp, "JP_DAGBOEKCODE") or "?"
    state["journals"].setdefault(journal, {"journal_id": journal})
    nr = child_text(jp, "JP_STUKNUMMER")
    if not nr:
        state["seq"] += 1
        nr = str(state["seq"])
    date = iso_date(child_text(jp, "JP_BOEKDATUM"), path, jp.sourceline, "JP_BOEKDATUM")
    desc = child_text(jp, "JP_OMSCHRIJVING")
    for i, jr in enumerate(jp.findall("JOURNAALREGELS/JOURNAALREGEL"), start=1):
        where = jr.sourceline
        side = child_text(jr, "JR_BOEKZIJDE")
        if side not in ("DEB", "CRED"):
            raise KoppelError(
                f"JR_BOEKZIJDE is {side!r}", file=path, line=where, field="JR_BOEKZIJDE", hint="DEB or CRED"
            )
        value = cents(child_text(jr, "JR_VALUTABEDRAG"), path, where, "JR_VALUTABEDRAG")
        value = value if side == "DEB" else -value
        currency = child_text(jr, "JR_VALUTACODE")
        base = state.setdefault("currency", currency)
        if currency != base:
            adm_note = "JR_VALUTABEDRAG in another currency, read as an amount in the administration currency"
            state["foreign"][adm_note] = state["foreign"].get(adm_note, 0) + 1
        sink.add(
            {
                "journal_id": journal,
                "entry_nr": nr,
                "line_nr": child_text(jr, "JR_VOLGNUMMER") or str(i),
                "date": iso_date(child_text(jr, "JR_BOEKDATUM"), path, where, "JR_BOEKDATUM") or date,
                "entry_description": desc,
                "account_id": child_text(jr, "JR_REKENINGNUMMER"),
                "amount": value,
                "description": child_text(jr, "JR_OMSCHRIJVING"),
                "invoice_ref": child_text(jr, "JR_FACTUURNUMMER"),
                "effective_date": iso_date(child_text(jr, "JR_FACTUURDATUM"), path, where, "JR_FACTUURDATUM"),
                "due_date": iso_date(child_text(jr, "JR_VERVALDATUM"), path, where, "JR_VERVALDATUM"),
                "currency": currency if currency != base else None,
                "currency_amount": value if currency != base else None,
            }
        )


def _relation(rec, state: dict) -> None:
    code = child_text(rec, "NAW_NUMMER")
    kind = "customer" if rec.tag == "DEBITEUR" else "supplier"
    known = state["relations"].get(code)
    if known is not None:
        known["kind"] = "both" if known["kind"] != kind else kind
        return
    state["relations"][code] = {
        "relation_id": code,
        "kind": kind,
        "name": child_text(rec, "NAW_VESTIGINGADRES/ADR_NAAM1"),
        "contact": child_text(rec, "NAW_CONTACTPERSONEN/NAW_CONTACTPERSOON/CP_VOLLEDIGENAAM"),
        "street": child_text(rec, "NAW_VESTIGINGADRES/ADR_STRAAT"),
        "house_nr": child_text(rec, "NAW_VESTIGINGADRES/ADR_HUISNUMMER"),
        "postal_code": child_text(rec, "NAW_VESTIGINGADRES/ADR_POSTCODE"),
        "city": child_text(rec, "NAW_VESTIGINGADRES/ADR_WOONPLAATS"),
        "country": child_text(rec, "NAW_VESTIGINGADRES/ADR_LAND"),
        "phone": child_text(rec, "NAW_VESTIGINGADRES/ADR_TELEFOON"),
        "email": child_text(rec, "NAW_VESTIGINGADRES/ADR_EMAIL"),
        "website": child_text(rec, "NAW_WEBSITE"),
        "vat_number": child_text(rec, "NAW_BTWNUMMER"),
        "kvk": child_text(rec, "NAW_KVKNUMMER"),
        "iban": child_text(rec, "NAW_BANKREKENINGEN/NAW_BANKREKENING/BANK_REKENINGNUMMER"),
    }


def _account(rec, state: dict) -> None:
    soort = (child_text(rec, "RKS_SOORT") or "").strip()
    kind = {"BAL": "B", "ACT": "B", "PAS": "B", "DEB": "B", "CRED": "B", "RES": "P", "KOS": "P", "OPB": "P"}.get(
        soort.upper()
    )
    if soort and kind is None:  # kept unknown, never read as a balance account
        kind = UNKNOWN
        record_unknown(state["unknown"], "REKENING/RKS_SOORT", soort)
    state["accounts"].append(
        {"account_id": child_text(rec, "RKS_NUMMER"), "name": child_text(rec, "RKS_OMSCHRIJVING"), "kind": kind}
    )


def read_king(path: str | Path, **_options) -> Administration:
    """Read a King XML file, or a folder of them, into an :class:`Administration`."""
    path = Path(path)
    adm = Administration(header=Header(source_format="king", software="King XML", encoding="utf-8"))
    sink = LineSink(adm)
    state: dict = {"journals": {}, "seq": 0, "relations": {}, "accounts": [], "foreign": {}, "unknown": {}}
    for file in xml_inputs(path, ROOTS):
        for rec in iter_records(file, RECORDS, PARENTS):
            if rec.tag == "JOURNAALPOST":
                _entry(rec, file, sink, state)
            elif rec.tag == "REKENING":
                _account(rec, state)
            else:
                _relation(rec, state)
    sink.flush()
    adm.header.currency = state.get("currency")
    adm.not_carried.update(state["foreign"])
    adm.unknown_codes = state["unknown"]
    adm.accounts = master("accounts", state["accounts"])
    adm.relations = master("relations", list(state["relations"].values()))
    adm.journals = master("journals", list(state["journals"].values()))
    return adm


def cents_by_account(path: Path) -> dict[str, int]:
    """Money per account in a journal file (read-back check of control.json): one light pass."""
    out: dict[str, int] = {}
    for jp in iter_records(path, {"JOURNAALPOST"}, {"JOURNAALPOSTEN"}):
        for jr in jp.iterfind("JOURNAALREGELS/JOURNAALREGEL"):
            value = cents(child_text(jr, "JR_VALUTABEDRAG"), path, jr.sourceline, "JR_VALUTABEDRAG")
            account = child_text(jr, "JR_REKENINGNUMMER") or ""
            out[account] = out.get(account, 0) + (value if child_text(jr, "JR_BOEKZIJDE") == "DEB" else -value)
    return out
