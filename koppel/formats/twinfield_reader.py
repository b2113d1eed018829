"""Read Twinfield XML (transactions and dimensions) into the canonical model.

Accepts one file or a folder (e.g. koppel's own output). Transactions in period 00 are the opening
balance; dimensions DEB/CRD become relations (a code in both: ``both``), BAS/PNL become accounts.

A transaction *read* response names what it refers to in attributes: ``<office name="…">``, the journal
``<code name="…">``, and on each line ``<dim1 name="…" dimensiontype="PNL">`` (older responses and
php-twinfield write ``type=`` instead of ``dimensiontype=``). Those names and kinds fill the master tables
(accounts, relations, journals, company name) where no dimension record of the same code says otherwise.
What the model does not carry (match status, reporting values, VAT turnover, …) is counted in not_carried.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..errors import KoppelError
from ..kinds import UNKNOWN, record_unknown
from ..model import Administration, Header
from ..read_result import ReadResult
from ..xaf.safety import parser_options
from .twinfield_detect import ROOTS
from .xml_reading import LineSink, cents, child_text, iso_date, iter_records, master, root_tag, xml_inputs

ACCOUNT_KIND = {"BAS": "B", "PNL": "P"}
RELATION_KIND = {"DEB": "customer", "CRD": "supplier"}
# dimension types on dim2/dim3 that are not relations: cost centre, project (and asset, not carried)
LINE_CODE = {"KPL": "cost_center", "PRJ": "project"}
HEADER_READ = {"office", "code", "number", "date", "period", "currency", "invoicenumber", "duedate"}
LINE_READ = {
    "dim1", "dim2", "dim3", "debitcredit", "value", "basevalue", "description", "invoicenumber", "duedate",
    "vatcode",
}  # fmt: skip


def _amount(line, path: Path, element: str = "value") -> int:
    value = cents(child_text(line, element), path, line.sourceline, f"line/{element}")
    side = child_text(line, "debitcredit")
    if side not in ("debit", "credit"):
        raise KoppelError(
            f"debitcredit is {side!r}", file=path, line=line.sourceline, field="line/debitcredit",
            hint="write debit or credit",
        )  # fmt: skip
    return value if side == "debit" else -value


def _count(state: dict, what: str, n: int = 1) -> None:
    state["skipped"][what] = state["skipped"].get(what, 0) + n


def _count_unread(elem, read: set[str], prefix: str, state: dict) -> None:
    """Count the children with text that the model does not carry (``prefix/name``)."""
    for child in elem:
        if not isinstance(child.tag, str) or child.tag in read:
            continue
        if len(child):
            for leaf in child.iter():
                if not len(leaf) and leaf.text and leaf.text.strip():
                    _count(state, f"{prefix}/{child.tag}/{leaf.tag}")
        elif child.text and child.text.strip():
            _count(state, f"{prefix}/{child.tag}")


def _dim_type(dim) -> str | None:
    kind = dim.get("dimensiontype") or dim.get("type")
    return kind.strip().upper() if kind and kind.strip() else None


def _dim_name(dim) -> str | None:
    name = dim.get("name")
    return name.strip() if name and name.strip() else None


def _account_from_line(dim, state: dict) -> None:
    """An account named by a line's dim1 (a dimension record of the same code wins, see read_twinfield)."""
    code = dim.text.strip() if dim.text else None
    if not code or code in state["line_accounts"]:
        return
    kind_code = _dim_type(dim)
    kind = ACCOUNT_KIND.get(kind_code) if kind_code else None
    if kind_code and kind is None:
        kind = UNKNOWN
        record_unknown(state["unknown"], "line/dim1/@dimensiontype", kind_code)
    state["line_accounts"][code] = {"account_id": code, "name": _dim_name(dim), "kind": kind}


def _relation_from_line(code: str, dim, kind: str, state: dict) -> None:
    known = state["line_relations"].get(code)
    if known is not None:
        if known["kind"] != kind:
            known["kind"] = "both"
        known["name"] = known["name"] or _dim_name(dim)
        return
    state["line_relations"][code] = {"relation_id": code, "kind": kind, "name": _dim_name(dim)}


def _line_codes(ln, dim1_kind: str | None, state: dict) -> dict[str, str | None]:
    """relation_id, cost_center and project of a line from dim2 and dim3, by what their dimension type says.

    Without a type (send requests, koppel's own files), dim2 is the relation, as on the balance lines of
    Twinfield's import format; on a line whose dim1 is a P&L account, dim2 is the cost centre.
    """
    out: dict[str, str | None] = {"relation_id": None, "cost_center": None, "project": None}
    for level in ("dim2", "dim3"):
        dim = ln.find(level)
        code = dim.text.strip() if dim is not None and dim.text and dim.text.strip() else None
        if code is None:
            continue
        kind = _dim_type(dim)
        if kind in RELATION_KIND:
            out["relation_id"] = code
            _relation_from_line(code, dim, RELATION_KIND[kind], state)
        elif kind in LINE_CODE:
            out[LINE_CODE[kind]] = code
        elif kind is None and level == "dim2":
            out["cost_center" if dim1_kind == "P" else "relation_id"] = code
        else:
            _count(state, f"line/{level} (dimension type {kind or 'not given'})")
    return out


def _transaction(tx, path: Path, sink: LineSink, state: dict) -> None:
    header = tx.find("header")
    journal = child_text(header, "code") or "?"
    office = header.find("office")
    if office is not None and state.get("office") is None:
        state["office"] = child_text(header, "office")
        state["office_name"] = _dim_name(office)
    code = header.find("code")
    record = state["journals"].setdefault(journal, {"journal_id": journal})
    if code is not None and record.get("description") is None:
        record["description"] = _dim_name(code)
    _count_unread(header, HEADER_READ, "header", state)
    for child in tx:
        if isinstance(child.tag, str) and child.tag not in ("header", "lines") and (child.text or "").strip():
            _count(state, f"transaction/{child.tag}")
    nr = child_text(header, "number")
    if not nr:
        state["seq"][journal] = state["seq"].get(journal, 0) + 1
        nr = str(state["seq"][journal])
    date = iso_date(child_text(header, "date"), path, header.sourceline, "header/date", compact=True)
    period_text = child_text(header, "period") or ""
    year, _, period = period_text.partition("/")
    if year:
        state["years"].add(year)
    currency = child_text(header, "currency")
    invoice = child_text(header, "invoicenumber")
    due = iso_date(child_text(header, "duedate"), path, header.sourceline, "header/duedate", compact=True)
    lines = tx.findall("lines/line")
    rows = []
    foreign = False
    for i, ln in enumerate(lines, start=1):
        dim1 = ln.find("dim1")
        dim1_kind = None
        if dim1 is not None:
            _account_from_line(dim1, state)
            dim1_kind = ACCOUNT_KIND.get(_dim_type(dim1) or "")
        _count_unread(ln, LINE_READ, "line", state)
        value = _amount(ln, path)
        amount, currency_amount = value, None
        if child_text(ln, "basevalue") is not None:  # value is in the transaction's currency, basevalue in the
            amount = _amount(ln, path, "basevalue")  # company's: the books are kept in the latter
            if amount != value:
                foreign, currency_amount = True, value
        rows.append((ln, i, amount, currency_amount, _line_codes(ln, dim1_kind, state)))
    if _vat_left_to_twinfield(rows):
        state["vat_left"] = state.get("vat_left", 0) + 1
    if currency and not foreign:
        state["currency"] = state.get("currency") or currency
    if period == "00":
        for ln, i, amount, _foreign, codes in rows:
            state["opening"].append(
                {
                    "line_nr": ln.get("id") or str(i),
                    "account_id": child_text(ln, "dim1"),
                    "amount": amount,
                    "description": child_text(ln, "description"),
                    "relation_id": codes["relation_id"],
                }
            )
            for what in ("cost_center", "project"):
                if codes[what]:
                    _count(state, f"opening balance line/{what}")
        state["opening_date"] = state.get("opening_date") or date
        return
    for ln, i, amount, currency_amount, codes in rows:
        total = ln.get("type") == "total"
        sink.add(
            {
                "journal_id": journal,
                "entry_nr": nr,
                "line_nr": ln.get("id") or str(i),
                "date": date,
                "period": str(int(period)) if period.isdigit() else None,
                "account_id": child_text(ln, "dim1"),
                "amount": amount,
                "description": child_text(ln, "description"),
                **codes,
                "invoice_ref": child_text(ln, "invoicenumber") or (invoice if total else None),
                "due_date": iso_date(child_text(ln, "duedate"), path, ln.sourceline, "line/duedate", compact=True)
                or (due if total else None),
                "vat_code": child_text(ln, "vatcode"),
                "currency": currency if currency_amount is not None else None,
                "currency_amount": currency_amount,
            }
        )


def _vat_left_to_twinfield(rows: list) -> bool:
    """A transaction that does not balance because Twinfield was to add its VAT: detail lines with a VAT code and
    no VAT line, as in a send request (what one imports into Twinfield). An export carries its VAT lines."""
    off = sum(amount for _ln, _i, amount, _foreign, _codes in rows)
    coded = any(ln.get("type") == "detail" and child_text(ln, "vatcode") for ln, *_ in rows)
    return bool(off) and coded and all(ln.get("type") != "vat" for ln, *_ in rows)


def _dimension(dim, state: dict) -> None:
    kind = child_text(dim, "type")
    code = child_text(dim, "code")
    name = child_text(dim, "name")
    if kind in ("BAS", "PNL"):
        state["accounts"][code] = {"account_id": code, "name": name, "kind": ACCOUNT_KIND[kind]}
        return
    if kind not in ("DEB", "CRD"):
        _count(state, f"dimension type {kind}")
        return
    rel_kind = RELATION_KIND[kind]
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


def read_twinfield(path: str | Path, **options) -> Administration:
    """Read a Twinfield XML file, or a folder of them, into an :class:`Administration`."""
    return read_twinfield_result(path, **options).adm


def read_twinfield_result(path: str | Path, **_options) -> ReadResult:
    """:func:`read_twinfield`, with what the read knows of entries that will not balance (VAT left to Twinfield):
    the balance check names that cause instead of a bare imbalance."""
    path = Path(path)
    adm = Administration(header=Header(source_format="twinfield", software="Twinfield XML", encoding="utf-8"))
    sink = LineSink(adm)
    state: dict = {
        "journals": {}, "seq": {}, "years": set(), "opening": [], "accounts": {}, "relations": {}, "skipped": {},
        "line_accounts": {}, "line_relations": {}, "unknown": {},
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
    # a dimension record (the master data itself) wins over what a transaction line says of the same code
    accounts = {**state["line_accounts"], **state["accounts"]}
    relations = {**state["line_relations"], **state["relations"]}
    adm.accounts = master("accounts", list(accounts.values()))
    adm.relations = master("relations", list(relations.values()))
    adm.journals = master("journals", list(state["journals"].values()))
    adm.not_carried.update(state["skipped"])
    adm.unknown_codes = state["unknown"]
    if state["opening"]:
        adm.opening_balance = master("opening_balance", state["opening"])
        adm.header.opening_source = "openingBalance"
        adm.header.opening_date = state.get("opening_date")
    years = sorted(state["years"])
    adm.header.fiscal_year = years[0] if len(years) == 1 else None
    adm.header.currency = state.get("currency")
    adm.header.company_id = state.get("office")
    adm.header.company_name = state.get("office_name")
    hint = None
    if state.get("vat_left"):
        hint = (
            f"{state['vat_left']} transaction(s) of this Twinfield file have detail lines with a VAT code and no VAT "
            "line, as in a send request (Twinfield adds the VAT when it imports); export the transactions from "
            'Twinfield (an export has its type="vat" lines): koppel never invents a VAT line, so nothing was written'
        )
    return ReadResult(adm, path, balance_hint=hint)


def cents_by_account(path: Path) -> dict[str, int]:
    """Money per account in a transactions file (read-back check of control.json): one light pass."""
    out: dict[str, int] = {}
    for tx in iter_records(path, {"transaction"}, {"transactions"}):
        for line in tx.iterfind("lines/line"):
            account = child_text(line, "dim1") or ""
            element = "basevalue" if child_text(line, "basevalue") is not None else "value"
            out[account] = out.get(account, 0) + _amount(line, path, element)
    return out
