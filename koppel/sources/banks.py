"""Bank statements as rows of text: MT940 (parsed by the ``mt-940`` package) and CAMT.053 (lxml).

Both give the same columns, so one profile shape books them: ``date, value_date, amount`` (signed, ``.``),
``currency, own_iban, counter_iban, counter_bic, counter_name, description, reference, bank_reference``.
``_row`` is the transaction's position in the statement file (1-based).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..errors import KoppelError

COLUMNS = [
    "date",
    "value_date",
    "amount",
    "currency",
    "own_iban",
    "counter_iban",
    "counter_bic",
    "counter_name",
    "description",
    "reference",
    "bank_reference",
]
# ING/ABN/Rabo structured :86: sub-fields, e.g. /CNTP/iban/bic/name//REMI/USTD//text/ (NVB/SEPA layout)
_TAG86 = re.compile(r"/(CNTP|REMI|EREF|NAME|IBAN|BIC|MARF|ORDP|BENM)/")


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype="string").fillna("")
    frame["_row"] = range(1, len(frame) + 1)
    return frame


def _details86(text: str) -> dict[str, str]:
    """Counterparty and remittance text out of a structured :86: field; unstructured text is the description."""
    text = (text or "").replace("\n", "")
    if not _TAG86.search(text):
        return {"description": text.strip()}
    out: dict[str, str] = {}
    parts = _TAG86.split(text)
    for tag, value in zip(parts[1::2], parts[2::2], strict=False):
        pieces = value.split("/")
        if tag == "CNTP":
            out["counter_iban"], out["counter_bic"] = pieces[0], pieces[1] if len(pieces) > 1 else ""
            out["counter_name"] = pieces[2] if len(pieces) > 2 else ""
        elif tag == "REMI":
            out["description"] = "/".join(p for p in pieces if p and p not in ("USTD", "STRD", "CUR")).strip()
        elif tag == "EREF":
            out["reference"] = pieces[0]
        elif tag == "NAME":
            out.setdefault("counter_name", pieces[0])
        elif tag == "IBAN":
            out.setdefault("counter_iban", pieces[0])
    return out


def read_mt940(path: Path) -> pd.DataFrame:
    """Transactions of an MT940 file (one or more statements)."""
    import mt940

    try:
        statements = mt940.parse(str(path))
    except Exception as exc:  # mt-940 raises plain exceptions on malformed tags
        raise KoppelError(f"not a readable MT940 file: {exc}", file=path) from None
    own = str(statements.data.get("account_identification") or "")
    rows = []
    for tx in statements:
        data = tx.data
        amount = data.get("amount")
        if amount is None:
            raise KoppelError("a :61: line without an amount", file=path, line=len(rows) + 1)
        row = {
            "date": data["date"].isoformat(),
            "value_date": (data.get("entry_date") or data["date"]).isoformat(),
            "amount": str(amount.amount),
            "currency": amount.currency or data.get("currency") or "EUR",
            "own_iban": own,
            "reference": "" if data.get("customer_reference") in (None, "NONREF") else data["customer_reference"],
            "bank_reference": data.get("bank_reference") or "",
        }
        row |= _details86(data.get("transaction_details") or "")
        rows.append(row)
    return _frame(rows)


def read_camt053(path: Path) -> pd.DataFrame:
    """Entries (``Ntry``) of a CAMT.053 bank-to-customer statement, any ``camt.053.001.xx`` version."""
    from lxml import etree

    from ..xaf.safety import refuse_doctype, refuse_dtd

    refuse_dtd(path)
    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except (etree.XMLSyntaxError, OSError) as exc:  # lxml reports undecodable bytes as OSError
        raise KoppelError(f"not well-formed XML: {exc}", file=path) from None
    root = tree.getroot()
    refuse_doctype(root, path)
    if "camt.053" not in (etree.QName(root).namespace or ""):
        raise KoppelError("not a CAMT.053 statement (namespace camt.053.001.xx expected)", file=path)

    def first(node, xpath: str) -> str:
        found = node.xpath(xpath)
        return str(found[0]).strip() if found else ""

    rows = []
    for stmt in root.xpath("//*[local-name()='Stmt']"):
        own = first(stmt, "./*[local-name()='Acct']/*[local-name()='Id']/*[local-name()='IBAN']/text()")
        account_currency = first(stmt, "./*[local-name()='Acct']/*[local-name()='Ccy']/text()")
        for entry in stmt.xpath("./*[local-name()='Ntry']"):
            amount = first(entry, "./*[local-name()='Amt']/text()")
            # the amount's currency, else the account's: never assumed
            currency = first(entry, "./*[local-name()='Amt']/@Ccy") or account_currency
            indicator = first(entry, "./*[local-name()='CdtDbtInd']/text()")
            if indicator not in ("CRDT", "DBIT") or not currency:
                what = f"CdtDbtInd {indicator or '(missing)'!r}" if indicator not in ("CRDT", "DBIT") else "no currency"
                raise KoppelError(
                    f"entry {len(rows) + 1}: {what}: the side or currency of the amount is unknown",
                    file=path,
                    line=entry.sourceline,
                    field="Ntry/CdtDbtInd" if indicator not in ("CRDT", "DBIT") else "Ntry/Amt/@Ccy",
                    hint="a CAMT.053 entry needs CdtDbtInd CRDT or DBIT and a currency; ask the bank for a new export",
                )
            sign = "-" if indicator == "DBIT" else ""
            debit = sign == "-"
            party = "Cdtr" if debit else "Dbtr"  # who is on the other side
            tx = "./*[local-name()='NtryDtls']/*[local-name()='TxDtls'][1]"
            rows.append(
                {
                    "date": first(entry, "./*[local-name()='BookgDt']/*/text()")[:10],
                    "value_date": first(entry, "./*[local-name()='ValDt']/*/text()")[:10],
                    "amount": sign + amount,
                    "currency": currency,
                    "own_iban": own,
                    "counter_iban": first(
                        entry,
                        f"{tx}/*[local-name()='RltdPties']/*[local-name()='{party}Acct']//*[local-name()='IBAN']/text()",
                    ),
                    "counter_bic": first(
                        entry, f"{tx}/*[local-name()='RltdAgts']//*[local-name()='BICFI' or local-name()='BIC']/text()"
                    ),
                    "counter_name": first(
                        entry, f"{tx}/*[local-name()='RltdPties']/*[local-name()='{party}']/*[local-name()='Nm']/text()"
                    ),
                    "description": " ".join(
                        entry.xpath(f"{tx}/*[local-name()='RmtInf']/*[local-name()='Ustrd']/text()")
                    ).strip()
                    or first(entry, "./*[local-name()='AddtlNtryInf']/text()"),
                    "reference": first(entry, f"{tx}/*[local-name()='Refs']/*[local-name()='EndToEndId']/text()"),
                    "bank_reference": first(entry, "./*[local-name()='AcctSvcrRef']/text()"),
                }
            )
    return _frame(rows)
