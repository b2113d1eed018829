"""Helpers for the package-format tests (issue 8): a small administration with every line field filled."""

from __future__ import annotations

import pandas as pd

from koppel.model import Administration, Header, conform


def rich_administration() -> Administration:
    """A sales invoice with VAT, a payment, a foreign-currency purchase and an opening balance."""
    lines = pd.DataFrame(
        {
            "journal_id": ["VRK"] * 3 + ["BNK"] * 2 + ["INK"] * 3,
            "entry_nr": ["1001"] * 3 + ["2001"] * 2 + ["3001"] * 3,
            "line_nr": ["1", "2", "3", "1", "2", "1", "2", "3"],
            "date": pd.to_datetime(["2025-02-03"] * 3 + ["2025-02-20"] * 2 + ["2025-03-05"] * 3).astype(
                "datetime64[s]"
            ),
            "period": ["2"] * 5 + ["3"] * 3,
            "entry_description": ["Factuur 1001"] * 3 + ["Ontvangst 1001"] * 2 + ["Inkoop 3001"] * 3,
            "account_id": ["1300", "8000", "1510", "1100", "1300", "4000", "1520", "1600"],
            "amount": [12100, -10000, -2100, 12100, -12100, 20000, 4200, -24200],
            "description": [
                "Factuur 1001",
                "Omzet hoog",
                "Btw hoog",
                "Ontvangst",
                "Ontvangst",
                "Kosten",
                "Btw",
                "Crediteur",
            ],
            "relation_id": ["101", None, None, None, "101", None, None, "201"],
            "invoice_ref": ["F1001", None, None, None, "F1001", None, None, "INK-77"],
            "doc_ref": ["1001", "1001", "1001", "BNK-2", "BNK-2", "3001", "3001", "3001"],
            "due_date": pd.to_datetime(["2025-03-05", None, None, None, None, None, None, "2025-04-04"]).astype(
                "datetime64[s]"
            ),
            "vat_code": [None, "VH", "VH", None, None, "VI", "VI", None],
            "vat_rate": pd.array([None, 2100, 2100, None, None, 2100, 2100, None], dtype="Int64"),
            "currency": [None] * 7 + ["USD"],
            "currency_amount": pd.array([None] * 7 + [-26000], dtype="Int64"),
            "cost_center": [None, "KP1", None, None, None, "KP2", None, None],
        }
    )
    accounts = pd.DataFrame(
        {
            "account_id": ["0100", "0500", "1100", "1300", "1510", "1520", "1600", "4000", "8000"],
            "name": [
                "Inventaris",
                "Eigen vermogen",
                "Bank",
                "Debiteuren",
                "Btw af",
                "Btw voor",
                "Crediteuren",
                "Kosten",
                "Omzet",
            ],
            "kind": ["B", "B", "B", "B", "B", "B", "B", "P", "P"],
        }
    )
    relations = pd.DataFrame(
        {
            "relation_id": ["101", "201"],
            "kind": ["customer", "supplier"],
            "name": ["Bakkerij de Eik", "Groothandel Noord"],
            "contact": ["J. Eik", None],
            "street": ["Dorpsstraat", "Industrieweg 4"],
            "house_nr": ["12", None],
            "postal_code": ["1234 AB", "9999 ZZ"],
            "city": ["Ede", "Groningen"],
            "country": ["NL", "NL"],
            "email": ["info@eik.nl", None],
            "vat_number": ["NL001234567B01", None],
            "kvk": ["12345678", None],
            "iban": ["NL91ABNA0417164300", None],
            "bic": ["ABNANL2A", None],
            "payment_days": pd.array([30, None], dtype="Int64"),
            "control_account": ["1300", "1600"],
        }
    )
    journals = pd.DataFrame(
        {"journal_id": ["VRK", "BNK", "INK"], "description": ["Verkoop", "Bank", "Inkoop"], "kind": ["S", "B", "P"]}
    )
    opening = pd.DataFrame({"line_nr": ["1", "2"], "account_id": ["0100", "0500"], "amount": [50000, -50000]})
    header = Header(
        company_name="Voorbeeld BV",
        company_id="RICH",
        fiscal_year="2025",
        start_date="2025-01-01",
        end_date="2025-12-31",
        currency="EUR",
        source_format="test",
        opening_source="openingBalance",
        opening_date="2025-01-01",
    )
    return Administration.from_frames(
        header,
        lines=lines,
        accounts=accounts,
        relations=relations,
        journals=journals,
        opening_balance=conform("opening_balance", opening),
    )


def cents_by_account(adm: Administration, with_opening: bool = True) -> dict[str, int]:
    out: dict[str, int] = {}
    for batch in adm.lines.batches():
        for key, value in batch.groupby("account_id")["amount"].sum().items():
            out[key] = out.get(key, 0) + int(value)
    if with_opening and adm.header.opening_source != "period0":  # period-0 openings are among the lines
        for key, value in adm.opening_balance.groupby("account_id")["amount"].sum().items():
            out[key] = out.get(key, 0) + int(value)
    return {k: v for k, v in sorted(out.items()) if v}


def convert_adm(adm: Administration, target: str, outdir, monkeypatch, extras: dict | None = None, **kwargs):
    """Run ``convert`` on an in-memory administration (and what a reader would have kept beside it)."""
    from koppel.pipeline import convert
    from koppel.read_result import ReadResult

    monkeypatch.setattr("koppel.pipeline.read_result", lambda *a, **k: ReadResult(adm, extras=dict(extras or {})))
    return convert(outdir / "in.xaf", target, outdir, **kwargs)


def numeric_mapping(adm: Administration, path, journals: bool = False, digit_journals: bool = False) -> None:
    """A mapping file that renumbers every non-numeric relation and account (for King, SnelStart), with
    ``journals`` every journal code longer than 3 characters (Exact's A3 dagbknr), with ``digit_journals`` every
    journal code that is not digits (SnelStart's fldDagboek), the opening journal included."""
    lines = []
    if digit_journals:
        lines += ["[defaults]", 'opening_journal = "99"', "[journals]"]
        for i, code in enumerate(sorted(set(adm.journals["journal_id"].dropna()))):
            if not code.isdigit():
                lines.append(f'"{code}" = "{10 + i}"')
    lines.append("[relations]")
    for i, code in enumerate(sorted(set(adm.relations["relation_id"].dropna()))):
        if not code.isdigit():
            lines.append(f'"{code}" = "{100000 + i}"')
    lines.append("[accounts]")
    for i, code in enumerate(sorted(set(adm.accounts["account_id"].dropna()))):
        if not code.isdigit():
            lines.append(f'"{code}" = "{900000 + i}"')
    if journals:
        lines.append("[journals]")
        codes = set(adm.journals["journal_id"].dropna()) | {"BEG"}
        for i, code in enumerate(sorted(codes)):
            if len(code) > 3:
                lines.append(f'"{code}" = "J{i:02d}"')
        lines.append("[vat_codes]")
        used = set(adm.vat_codes["vat_code"].dropna())
        for batch in adm.lines.batches():
            used |= set(batch["vat_code"].dropna())
        for i, code in enumerate(sorted(used)):
            if len(code) > 3:
                lines.append(f'"{code}" = "V{i:02d}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
