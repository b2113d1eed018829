"""What a conversion could not carry, in the Dutch of IMPORTEREN.md (docs/style.md: Dutch for Dutch users).

control.json keeps the writers' English ``not_carried``/``notes`` for programs; IMPORTEREN.md is read by the
person who imports, in Dutch. A sentence not listed here stays as the writer wrote it
(``tests/test_report_language.py`` renders IMPORTEREN.md for every target and fails on English words).
"""

from __future__ import annotations

import re

from .phrases import Phrases, translated

# the part before ': ' of a not-carried item (the model's table), in Dutch; the field name after it is kept
TABLES_NL = {
    "accounts": "grootboekrekeningen", "relations": "relaties", "lines": "boekingsregels",
    "entry lines": "boekingsregels", "accounts: kind": "grootboekrekeningen: soort",
    "relations: SEPA mandate": "relaties: SEPA-machtiging",
}  # fmt: skip
COLUMNS_LEFT_EMPTY = re.compile(r"(.+): columns left empty")

SENTENCES_NL: Phrases = (
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
    # the XML and template targets (koppel/formats/)
    (re.compile(r"(.+) has no field for it"), r"\1 heeft er geen veld voor"),
    (re.compile(r"the line is not on a debtor/creditor control account; set --option control_accounts=(.+)"),
     r"de regel staat niet op een centrale debiteuren- of crediteurenrekening; zet --option control_accounts=\1"),
    (re.compile(r"unconfirmed how King addresses a debtor/creditor on a journal line; it keeps its GL account"),
     "onbevestigd hoe King een debiteur of crediteur op een journaalregel aanspreekt; de regel houdt zijn "
     "grootboekrekening"),
    (re.compile(r"the VAT is its own line; King's HULPREKENING BTW would add VAT again"),
     "de btw is een eigen regel; de HULPREKENING BTW van King zou de btw nog eens boeken"),
    (re.compile(r"King's line has one amount \(JR_VALUTABEDRAG\); koppel writes it in the administration currency"),
     "een regel in King heeft één bedrag (JR_VALUTABEDRAG); koppel schrijft het in de valuta van de administratie"),
    (re.compile(r"(.+) has no file import of entries"), r"\1 heeft geen bestandsimport voor boekingen"),
    (re.compile(r"(.+): the chart of accounts is not imported from a file"),
     r"\1: het rekeningschema wordt niet uit een bestand ingelezen"),
    (re.compile(r"the AFAS chart of accounts is set up in Profit, not imported here"),
     "het rekeningschema van AFAS wordt in Profit ingericht, niet hier ingelezen"),
    (re.compile(r"AFAS relations go through 'Organisaties en personen' \(fields not public\)"),
     "relaties gaan in AFAS via 'Organisaties en personen' (velden niet openbaar)"),
    (re.compile(r"the template target writes one file; run it again for relations"),
     "het sjabloondoel schrijft één bestand; draai het nog eens voor de relaties"),
    (re.compile(r"the (.+) target writes entries only"), r"het doel \1 schrijft alleen boekingen"),
    (re.compile(r"UnId \(administration number\) 1 assumed; pass --option unit=N"),
     "UnId (administratienummer) 1 aangenomen; geef --option unit=N"),
    (re.compile(r"(.+): (\d+) rows; columns filled: (.+)"), r"\1: \2 rijen; gevulde kolommen: \3"),
    (re.compile(r"koppel does not know what they hold: (.+)"), r"koppel weet niet wat ze bevatten: \1"),
    (re.compile(r"(\d+) sales/purchase/bank entries have no single relation or bank line and were written with "
                r"detail lines only; book them in a memorial journal or map their journal"),
     r"\1 verkoop-, inkoop- of bankboekingen hebben geen enkele relatie- of bankregel en zijn alleen met "
     r"detailregels geschreven; boek ze in een memoriaal of map hun dagboek"),
    (re.compile(r"(\d+) account\(s\) of kind M \(mixed\) written as balance sheet \(B\); check them"),
     r"\1 rekening(en) van soort M (gemengd) als balans (B) geschreven; controleer ze"),
    (re.compile(r"(\d+) account\(s\) of kind M \(mixed\) written as balance accounts \((\w+)\); check them"),
     r"\1 rekening(en) van soort M (gemengd) als balansrekening (\2) geschreven; controleer ze"),
    (re.compile(r"(.+) validated against the (.+) XSDs?"), r"\1 gecontroleerd met de XSD van \2"),
    (re.compile(r"validated against the (.+) XSDs?"), r"gecontroleerd met de XSD's van \1"),
    (re.compile(r"validated against (.+)"), r"gecontroleerd met \1"),
    (re.compile(r"office code (.+) taken from the source's company id; pass --option office=CODE"),
     r"administratiecode \1 genomen uit het bedrijfsnummer van de bron; geef --option office=CODE"),
    (re.compile(r"FinEntries XML carries the same amounts per account as the CSV"),
     "de FinEntries-XML bevat per rekening dezelfde bedragen als de CSV"),
    (re.compile(r"a mandate needs the relation's IBAN and the signature date"),
     "een machtiging vraagt de IBAN van de relatie en de datum van ondertekening"),
)  # fmt: skip


def sentence_nl(text: str) -> str:
    """A writer's sentence in Dutch; as it is when it is not known here."""
    return translated(text, SENTENCES_NL) or text


def what_nl(what: str) -> str:
    """'lines: doc_ref' -> 'boekingsregels: doc_ref' (the field's own name stays)."""
    if what in TABLES_NL:
        return TABLES_NL[what]
    if COLUMNS_LEFT_EMPTY.fullmatch(what):
        return COLUMNS_LEFT_EMPTY.sub(r"\1: kolommen leeg gelaten", what)
    table, sep, field = what.partition(": ")
    if not sep:  # the XML writers' form: 'lines.doc_ref'
        table, dot, field = what.partition(".")
        if dot and table in TABLES_NL:
            return f"{TABLES_NL[table]}: {field}"
        return what
    return f"{TABLES_NL.get(table, table)}{sep}{field}"


def not_carried_nl(items: list[dict]) -> list[dict]:
    """``WriteResult.not_carried`` with what and why in Dutch (copies; control.json keeps the originals)."""
    return [{**item, "what": what_nl(str(item["what"])), "why": sentence_nl(str(item["why"]))} for item in items]
