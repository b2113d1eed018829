"""What a conversion could not carry, in the Dutch of IMPORTEREN.md (docs/style.md: Dutch for Dutch users).

control.json keeps the writers' English ``not_carried``/``notes`` for programs; IMPORTEREN.md is read by the
person who imports, in Dutch. A sentence not listed here stays as the writer wrote it
(``tests/test_report_language.py`` renders IMPORTEREN.md for every target and fails on English words).
"""

from __future__ import annotations

import re

# the part before ': ' of a not-carried item (the model's table), in Dutch; the field name after it is kept
TABLES_NL = {
    "accounts": "grootboekrekeningen", "relations": "relaties", "lines": "boekingsregels",
    "entry lines": "boekingsregels", "accounts: kind": "grootboekrekeningen: soort",
}  # fmt: skip

SENTENCES_NL: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"the (.+) relation file has no column for it"), r"het relatiebestand van \1 heeft er geen kolom voor"),
    (re.compile(r"(.+) has no column for it whose values are known; set the kind in the package after the import"),
     r"\1 heeft er geen kolom met bekende waarden voor; zet de soort na de import in het pakket"),
    (re.compile(r"(.+) has no column for it"), r"\1 heeft er geen kolom voor"),
    (re.compile(r"(.+) has no file for GL accounts"), r"\1 heeft geen bestand voor grootboekrekeningen"),
    (re.compile(r"(.+) has no file for relations"), r"\1 heeft geen bestand voor relaties"),
    (re.compile(r"(.+) left empty: give the (.+) number per account kind under \[account_functions\] in the mapping, "
                r"e\.g\. (.+) \(koppel mapping init lists the kinds\)"),
     r"\1 leeg gelaten: geef per rekeningsoort het nummer in \2 onder [account_functions] in de mapping, "
     r"bijv. \3 (koppel mapping init toont de soorten)"),
    (re.compile(r"(\d+) line value\(s\) without a period got the month of their date as period \[A\]"),
     r"\1 regel(s) zonder periode kregen de maand van hun datum als periode [A]"),
    (re.compile(r"(.+) not written: the source has no rows for it"),
     r"\1 niet geschreven: de bron heeft er geen regels voor"),
    (re.compile(r"(\d+) relation\(s\) of kind other/unknown written as debtors"),
     r"\1 relatie(s) van soort overig/onbekend als debiteur geschreven"),
    (re.compile(r"a line without money changes no balance; the source rows are in 'rows read'"),
     "een regel zonder bedrag verandert geen saldo; de bronregels staan in 'rows read'"),
    (re.compile(r"the line has no Amount/Debit, Credit or Value: it moves no money; check the export if it should"),
     "de regel heeft geen Amount/Debit, Credit of Value: hij verplaatst geen geld; controleer de export"),
    (re.compile(r"no opening balance in the source: no opening-balance file written"),
     "geen beginbalans in de bron: geen beginbalansbestand geschreven"),
)  # fmt: skip


def sentence_nl(text: str) -> str:
    """A writer's sentence in Dutch; as it is when it is not known here."""
    for pattern, template in SENTENCES_NL:
        match = pattern.fullmatch(text)
        if match:
            return match.expand(template)
    return text


def what_nl(what: str) -> str:
    """'lines: doc_ref' -> 'boekingsregels: doc_ref' (the field's own name stays)."""
    if what in TABLES_NL:
        return TABLES_NL[what]
    table, sep, field = what.partition(": ")
    return f"{TABLES_NL.get(table, table)}{sep}{field}"


def not_carried_nl(items: list[dict]) -> list[dict]:
    """``WriteResult.not_carried`` with what and why in Dutch (copies; control.json keeps the originals)."""
    return [{**item, "what": what_nl(str(item["what"])), "why": sentence_nl(str(item["why"]))} for item in items]
