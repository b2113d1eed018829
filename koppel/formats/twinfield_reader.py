"""Read Twinfield XML (transactions and dimensions) into the canonical model.

Accepts one file or a folder (e.g. koppel's own output). Transactions in period 00 are the opening
balance; dimensions DEB/CRD become relations (a code in both: ``both``), BAS/PNL become accounts.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..errors import KoppelError
from ..model import Administration, Header
from ..xaf.safety import parser_options
from .readkit import LineSink, cents, child_text, iso_date, iter_records, master, root_tag, xml_inputs

ROOTS = {"transactions", "transaction", "dimensions", "dimension"}


def _amount(line, path: Path) -> int:
    value = cents(child_text(line, "value"), path, line.sourceline, "line/value")
    side = child_text(line, "debitcredit")
    if side not in ("debit", "credit"):
        raise KoppelError(
            f"debitcredit is {side!r}", file=path, line=line.sourceline, field="line/debitcredit",
            hint="write debit or credit",
        )  # fmt: skip
    return value if side == "debit" else -value


def _transaction(tx, path: Path, sink: LineSink, state: dict) -> None:
    header = tx.find("header")
    journal = child_text(header, "code") or "?"
    state.setdefault("office", child_text(header, "office"))
    state["journals"].setdefault(journal, {"journal_id": journal})
    nr = child_text(header, "number")
    if not nr:
        state["seq"][journal] = state["seq"].get(journal, 0) + 1
        nr = str(state["seq"][journal])
    date = iso_date(child_text(header, "date"), path, header.sourceline, "header/date", compact=True)
    period_text = child_text(header, "period") or ""
    year, _, period = period_text.partition("/")
    if year:
        state["years"].add(year)
    if child_text(header, "currency"):
        state["currency"] = state.get("currency") or child_text(header, "currency")
    invoice = child_text(header, "invoicenumber")
    due = iso_date(child_text(header, "duedate"), path, header.sourceline, "header/duedate", compact=True)
    lines = tx.findall("lines/line")
    if period == "00":
        for i, ln in enumerate(lines, start=1):
            state["opening"].append(
                {
                    "line_nr": ln.get("id") or str(i),
                    "account_id": child_text(ln, "dim1"),
                    "amount": _amount(ln, path),
                    "description": child_text(ln, "description"),
                    "relation_id": child_text(ln, "dim2"),
                }
            )
        state["opening_date"] = state.get("opening_date") or date
        return
    for i, ln in enumerate(lines, start=1):
        total = ln.get("type") == "total"
        sink.add(
            {
                "journal_id": journal,
                "entry_nr": nr,
                "line_nr": ln.get("id") or str(i),
                "date": date,
                "period": str(int(period)) if period.isdigit() else None,
                "account_id": child_text(ln, "dim1"),
                "amount": _amount(ln, path),
                "description": child_text(ln, "description"),
                "relation_id": child_text(ln, "dim2"),
                "invoice_ref": child_text(ln, "invoicenumber") or (invoice if total else None),
                "due_date": iso_date(child_text(ln, "duedate"), path, ln.sourceline, "line/duedate", compact=True)
                or (due if total else None),
                "vat_code": child_text(ln, "vatcode"),
            }
        )


def _dimension(dim, state: dict) -> None:
    kind = child_text(dim, "type")
    code = child_text(dim, "code")
    name = child_text(dim, "name")
    if kind in ("BAS", "PNL"):
        state["accounts"].append({"account_id": code, "name": name, "kind": "B" if kind == "BAS" else "P"})
        return
    if kind not in ("DEB", "CRD"):
        state["skipped"][f"dimension type {kind}"] = state["skipped"].get(f"dimension type {kind}", 0) + 1
        return
    rel_kind = "customer" if kind == "DEB" else "supplier"
    known = state["relations"].get(code)
    if known is not None:
        if known["kind"] != rel_kind:
            known["kind"] = "both"
        return
    addr = dim.find("addresses/address")
    due = child_text(dim, "financials/duedays")
    state["relations"][code] = {
        "relation_id": code,
        "kind": rel_kind,
        "name": name,
        "contact": child_text(addr, "contact") if addr is not None else None,
        "street": child_text(addr, "field2") if addr is not None else None,
        "postal_code": child_text(addr, "postcode") if addr is not None else None,
        "city": child_text(addr, "city") if addr is not None else None,
        "country": child_text(addr, "country") if addr is not None else None,
        "phone": child_text(addr, "telephone") if addr is not None else None,
        "email": child_text(addr, "email") if addr is not None else None,
        "website": child_text(dim, "website"),
        "vat_number": child_text(dim, "vatnumber"),
        "kvk": child_text(dim, "cocnumber"),
        "iban": child_text(dim, "banks/bank/iban"),
        "bic": child_text(dim, "banks/bank/biccode"),
        "payment_days": due if due and due.isdigit() else None,
        "control_account": child_text(dim, "financials/childvalidations/childvalidation"),
    }


def read_twinfield(path: str | Path, **_options) -> Administration:
    """Read a Twinfield XML file, or a folder of them, into an :class:`Administration`."""
    path = Path(path)
    adm = Administration(header=Header(source_format="twinfield", software="Twinfield XML", encoding="utf-8"))
    sink = LineSink(adm)
    state: dict = {
        "journals": {}, "seq": {}, "years": set(), "opening": [], "accounts": [], "relations": {}, "skipped": {},
    }  # fmt: skip
    for file in xml_inputs(path, ROOTS):
        for rec in iter_records(file, {"transaction", "dimension"}, {"transactions", "dimensions"}):
            if rec.tag == "transaction":
                _transaction(rec, file, sink, state)
            else:
                _dimension(rec, state)
        if root_tag(file) in ("transaction", "dimension"):  # a single record as the root
            root = etree.parse(str(file), etree.XMLParser(**parser_options())).getroot()
            (_transaction(root, file, sink, state) if root.tag == "transaction" else _dimension(root, state))
    sink.flush()
    adm.accounts = master("accounts", state["accounts"])
    adm.relations = master("relations", list(state["relations"].values()))
    adm.journals = master("journals", list(state["journals"].values()))
    adm.not_carried.update(state["skipped"])
    if state["opening"]:
        adm.opening_balance = master("opening_balance", state["opening"])
        adm.header.opening_source = "openingBalance"
        adm.header.opening_date = state.get("opening_date")
    years = sorted(state["years"])
    adm.header.fiscal_year = years[0] if len(years) == 1 else None
    adm.header.currency = state.get("currency")
    adm.header.company_id = state.get("office")
    return adm


def cents_by_account(path: Path) -> dict[str, int]:
    """Money per account in a transactions file (read-back check of control.json): one light pass."""
    out: dict[str, int] = {}
    for tx in iter_records(path, {"transaction"}, {"transactions"}):
        for line in tx.iterfind("lines/line"):
            account = child_text(line, "dim1") or ""
            out[account] = out.get(account, 0) + _amount(line, path)
    return out
