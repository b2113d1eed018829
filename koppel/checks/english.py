"""The checker's findings in English, for ``--lang en`` (docs/style.md: reports are Dutch unless asked).

The engine writes its findings once, in the accountant's Dutch (the JSON a program reads keeps them, and the
codes' English keys). A report in English translates at render time: the title and tip of every rule code
(``tests/test_report_language.py`` fails when a code in the catalogue has none here), the tips the checker
fits to a producer, the few messages it composes, and the Dutch words among a finding's values. What the file
itself holds (account names, codes) and what the XML validator says are quoted as they are, in any language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..phrases import Phrases, translated

# code -> (title, tip); the tip "" when the rule has none
RULES_EN: dict[str, tuple[str, str]] = {
    "ADF-D01": ("entry date outside the fiscal year of the header line", "can be right (e.g. a memorial entry)"),
    "ADF-D02": ("year/period in the header line is not a year; dates not checked against the fiscal year", ""),
    "ADF-D03": ("period is not a number", ""),
    "ADF-F01": ("line does not fit the fixed ADF layout (field empty, no amount, no date or too long)",
                "ask for a new export; a shifted line points to a field that was written too long"),
    "ADF-F02": ("header line (line 1) does not fit the ADF layout",
                "the header line starts with CLAIR1.00.00 and holds year/period, name, number of entries and totals"),
    "ADF-K01": ("ledger account has a different name or kind on different lines",
                "koppel takes the name and kind of the first line; check the account"),
    "ADF-K02": ("relation (customer/supplier) has different details on different lines",
                "koppel takes the details of the first line"),
    "ADF-K03": ("journal has a different description on different lines", ""),
    "ADF-N01": ("rules that do not apply to ADF (no schema, no master tables, no VAT or period table)", ""),
    "ADF-O01": ("no opening balance (no lines in period 0)",
                "ask for the opening balance separately, or check with --previous against last year"),
    "ADF-T01": ("number of entries in the header line differs from the number of entry lines",
                "the header line counts the entry lines; a cut-off export lacks lines"),
    "ADF-T02": ("debit total in the header line differs from the sum of the debit amounts", ""),
    "ADF-T03": ("credit total in the header line differs from the sum of the credit amounts", ""),
    "ADF-T04": ("the file does not balance: total debit ≠ total credit", ""),
    "ADF-T05": ("transaction does not balance (debit ≠ credit)",
                "a transaction is journal + period + sequence number; its lines follow each other"),
    "ADF-V01": ("required field empty: name of the ledger account or description of the entry", ""),
    "ADF-V02": ("negative amount in debit or credit (counts on the other side)", ""),
    "ADF-V03": ("line has both a debit and a credit amount", ""),
    "ADF-V04": ("ledger account kind cannot be read as balance sheet (B) or profit and loss (W)",
                "give the kind in the mapping or check the export"),
    "PY-A01": ("opening balance does not agree with last year's closing balance",
               "closing last year = opening + last year's movements; correct the opening balance or the closing"),
    "PY-A02": ("last year's result carried to equity (an expected difference)",
               "the profit and loss accounts were closed; their balance is now on this account"),
    "PY-A03": ("opening balance agrees with last year's closing balance", ""),
    "PY-Y01": ("the fiscal year does not start right after the fiscal year of the previous file",
               "compare with the file of the previous fiscal year"),
    "RGS-C01": ("RGS code does not exist in the given RGS release",
                "choose a code from the release (koppel mapping init FILE --rgs RELEASE proposes one)"),
    "RGS-C02": ("RGS code is not at account level (level 4 or 5)",
                "a ledger account belongs on a code of level 4 (account) or 5 (movement)"),
    "RGS-C03": ("the same RGS code is on more than one ledger account (XAF 4.0)", ""),
    "RGS-C04": ("kind of the RGS code (B balance sheet, W profit and loss) does not fit the account kind",
                "a balance sheet account belongs to a B code, a profit and loss account to a W code"),
    "RGS-C05": ("RGSVersion in the header differs from the given RGS release",
                "check against the release the administration uses, or update the codes"),
    "RGS-I01": ("RGS codes not checked: no RGS release given", "give the RGS release (Excel) with --rgs RELEASE.xlsx"),
    "RGS-I02": ("no ledger account has an RGS code",
                "koppel mapping init FILE --rgs RELEASE proposes a code per account"),
    "XAF-D01": ("entry date (trDt) outside the fiscal year", "can be right (e.g. fixed assets)"),
    "XAF-D02": ("entry date (trDt) not in the period of the transaction",
                "can be a late or early entry; check the period layout"),
    "XAF-D03": ("invoice/event date (effDate) outside the fiscal year",
                "invoices of the previous year are often right"),
    "XAF-D04": ("fiscalYear does not fit the start and end date of the fiscal year",
                "fiscalYear is the year of the start or end date, or 'YYYY-YYYY' for a broken fiscal year"),
    "XAF-D05": ("start or end date of the fiscal year unlikely", ""),
    "XAF-D06": ("period lies (partly) outside the fiscal year", "periods belong inside the fiscal year"),
    "XAF-F01": ("the file is not well-formed XML or holds bytes that do not fit its encoding",
                "ask for a new export; for Latin-1 text under a UTF-8 declaration, --encoding iso-8859-1 helps"),
    "XAF-F02": ("encoding is neither UTF-8 nor ISO-8859-1 (the auditfile standard allows only those two)",
                "have the package export in UTF-8"),
    "XAF-F03": ("no XML declaration; UTF-8 assumed", "usual for e-Boekhouden.nl and osFinancials"),
    "XAF-F04": ("file starts with a UTF-8 BOM", "harmless; Exact Online and Twinfield do this"),
    "XAF-F05": ("version of the auditfile not recognised",
                "koppel recognises CLAIR2, XAF 3.0, 3.1, 3.2, 3.2.1 and 4.0 by namespace and content"),
    "XAF-F06": ("known wrong namespace for XAF 4.0; read as 4.0",
                "the 4.0 XSD uses the BCPP/1.1 namespace; the package writes another one"),
    "XAF-F07": ("elements do not fit the version of the namespace; read according to the namespace", ""),
    "XAF-F08": ("part of a split auditfile: only the complete, joined set can be checked",
                "check the first part together with all continuation files (X.xml, X-2.xml, …)"),
    "XAF-K01": ("entry line refers to a ledger account that does not exist",
                "add the account to generalLedger or correct the entry"),
    "XAF-K02": ("opening balance line refers to a ledger account that does not exist",
                "add the account to generalLedger or correct the opening balance"),
    "XAF-K03": ("reference to a relation that does not exist",
                "add the relation to customersSuppliers or correct the line"),
    "XAF-K04": ("VAT code on a line is not in the VAT code table", "Banana writes reversed VAT as '-V21'"),
    "XAF-K05": ("VAT code refers to a ledger account that does not exist", ""),
    "XAF-K06": ("transaction refers to a period that is not in the period table",
                "add the period to periods or correct the period number"),
    "XAF-K07": ("no period table; period numbers cannot be checked",
                "without periods koppel cannot check that transactions fall in an existing period"),
    "XAF-K08": ("subledger line refers to a journal that does not exist", ""),
    "XAF-K09": ("code on a transaction or line has no description in basics",
                "many packages (Exact Online, Twinfield) write sourceID without a basic of type 29"),
    "XAF-K10": ("subledger line refers to an entry line that does not exist", ""),
    "XAF-K11": ("journal refers with offsetAccID to a ledger account that does not exist",
                "the journal's offset account (bank, cash) belongs in generalLedger"),
    "XAF-O01": ("opening balance included twice (openingBalance and transactions in period 0 or journal type O)", ""),
    "XAF-O02": ("no opening balance in the file", "ask for the opening balance separately, or an export with "
                "openingBalance"),
    "XAF-O03": ("opening balance line on a profit and loss account",
                "profit and loss accounts start the year at zero; check the account kind or the opening balance"),
    "XAF-O04": ("opening balance as transactions in period 0; XAF 4.0 does not allow that", ""),
    "XAF-S01": ("schema error (XSD): the file does not conform to the official schema of its version",
                "libxml2 reports only the first error per element; see XAF-S03 for the rest"),
    "XAF-S02": ("schema error caused only by a known defect in the official schema",
                "XAF 3.2.1 limits linesCount to 9999 and qntity to 1..9999; the content of the file is in order"),
    "XAF-S03": ("further schema error (XSD), found in the complete second check",
                "libxml2 does not report these because it stops at the first error in an element"),
    "XAF-S04": ("schema check (XSD) not done",
                "give with --schema-dir a folder with the official XSDs of this version"),
    "XAF-T01": ("total debit of the opening balance differs from the sum of the debit lines",
                "the totals in the openingBalance header must be the sum of the lines"),
    "XAF-T02": ("total credit of the opening balance differs from the sum of the credit lines",
                "the totals in the openingBalance header must be the sum of the lines"),
    "XAF-T03": ("opening balance: total debit is not equal to total credit",
                "an opening balance balances: total debit = total credit"),
    "XAF-T04": ("total debit of the transactions differs from the sum of the debit lines",
                "e-Boekhouden.nl includes the opening balance in the totals"),
    "XAF-T05": ("total credit of the transactions differs from the sum of the credit lines",
                "e-Boekhouden.nl includes the opening balance in the totals"),
    "XAF-T06": ("total debit of the transactions is not equal to total credit",
                "the transactions balance: total debit = total credit"),
    "XAF-T07": ("transaction does not balance (debit ≠ credit)",
                "Banana's CLAIR2 exports write credits negative; then they do balance"),
    "XAF-T08": ("linesCount of the transactions differs from the number of entry lines",
                "e-Boekhouden.nl writes the number of journals, Banana the number of transactions"),
    "XAF-T09": ("linesCount of the opening balance differs from the number of lines (or is missing)",
                "linesCount is required and counts the obLine lines"),
    "XAF-T10": ("subledger: number of lines or totals do not agree with the lines", ""),
    "XAF-T11": ("numberEntries equals neither the number of transactions nor the number of lines (CLAIR2)", ""),
    "XAF-T12": ("opening balance: the lines do not balance (sum debit ≠ sum credit)",
                "even when the totals in the header are equal; koppel does not convert such an opening balance"),
    "XAF-U01": ("relation code (custSupID) occurs more than once",
                "each relation belongs once in customersSuppliers; a customer that is also a supplier gets "
                "custSupTp B"),
    "XAF-U02": ("ledger account (accID) occurs more than once", "each ledger account belongs once in generalLedger"),
    "XAF-U03": ("RGS code occurs more than once", ""),
    "XAF-U04": ("VAT code (vatID) occurs more than once", "each VAT code belongs once in vatCodes"),
    "XAF-U05": ("period number occurs more than once", "each period number belongs once in periods"),
    "XAF-U06": ("journal (jrnID) occurs more than once",
                "each journal belongs once; transactions of the same journal stand together"),
    "XAF-U07": ("transaction number occurs more than once in the same journal",
                "transaction numbers must be unique per journal; ask the package for a new export"),
    "XAF-U08": ("line number occurs more than once in the same transaction",
                "Banana numbers lines with the transaction number; CLAIR2 exports reuse recordID"),
    "XAF-U09": ("line number of the opening balance occurs more than once",
                "number the opening balance lines uniquely"),
    "XAF-U10": ("combination basicType/basicID occurs more than once", ""),
    "XAF-U11": ("line number occurs more than once in the same subledger", ""),
    "XAF-U12": ("transactionID or recordID occurs more than once in the file (CLAIR2)", ""),
    "XAF-V01": ("reference (docRef etc.) longer than 255 characters", ""),
    "XAF-V02": ("negative amount (counts on the other side)",
                "usual for corrections; the amount counts on the other side"),
    "XAF-V03": ("amount not written with exactly two decimals",
                "XAF 3.1 requires two decimals; 3.2 and later also accept 121 or 609.9"),
    "XAF-V04": ("debit/credit mark (amntTp) missing or not D/C; sign unknown",
                "without D or C it cannot be known whether the amount is debit or credit"),
    "XAF-V05": ("value outside the code list of the version",
                "koppel reads the value as well as it can; check the package's code list"),
    "XAF-V06": ("line has both debitAmount and creditAmount (CLAIR2)", "Banana 8 writes both amounts on every line"),
    "XAF-V07": ("negative VAT amount (counts on the other side)", "usual for credit notes and corrections; check the "
                "VAT return"),
}  # fmt: skip

# Tips the checker writes other than a rule's own: the general tips of koppel.checks.hints and composed ones.
HINTS_EN: dict[str, str] = {
    "onschadelijk: zonder declaratie is UTF-8 de standaard": "harmless: without a declaration UTF-8 is the standard",
    "onschadelijk": "harmless",
    "elke regel van een boekstuk hoort een eigen nummer te hebben; vraag een nieuwe export":
        "each line of a transaction should have its own number; ask for a new export",
    "controleer of het pakket de beginbalans meetelt in de totalen van de mutaties":
        "check whether the package includes the opening balance in the totals of the transactions",
    "een boekstuk is in evenwicht: som debet = som credit; controleer het teken van de bedragen":
        "a transaction balances: sum debit = sum credit; check the sign of the amounts",
    "linesCount hoort het aantal boekingsregels (trLine) te tellen": "linesCount should count the entry lines (trLine)",
    "voeg de btw-code toe aan vatCodes of corrigeer de regel": "add the VAT code to vatCodes or correct the line",
    "veel pakketten schrijven sourceID zonder basic van type 29":
        "many packages write sourceID without a basic of type 29",
    "een regel hoort één bedrag te hebben, debet of credit; het verschil telt":
        "a line should have one amount, debit or credit; the difference counts",
    "het getal is het aantal dagboeken (e-Boekhouden.nl doet dit)":
        "the number is the number of journals (e-Boekhouden.nl does this)",
    "het getal is het aantal dagboeken": "the number is the number of journals",
    "het getal is het aantal boekstukken (Banana doet dit)":
        "the number is the number of transactions (Banana does this)",
    "het getal is het aantal boekstukken": "the number is the number of transactions",
    "verwijst wel als het dagboek ervoor staat (Twinfield: 'INK.201600001' i.p.v. '201600001')":
        "does refer when the journal is put in front (Twinfield: 'INK.201600001' instead of '201600001')",
    "verwijst wel als het dagboek ervoor staat (bijv. 'INK.201600001' i.p.v. '201600001')":
        "does refer when the journal is put in front (e.g. 'INK.201600001' instead of '201600001')",
    "koppel leest D als klant (C); osFinancials schrijft D voor debiteur":
        "koppel reads D as customer (C); osFinancials writes D for debtor",
    "koppel leest D (debiteur) als klant (C)": "koppel reads D (debtor) as customer (C)",
    "vraag een export waarvan declaratie en inhoud overeenkomen":
        "ask for an export whose declaration and content agree",
    "de tekst is waarschijnlijk ISO-8859-1/Windows-1252; controleer opnieuw met --encoding iso-8859-1 als dat "
    "klopt, of vraag een nieuwe export": "the text is probably ISO-8859-1/Windows-1252; check again with --encoding "
    "iso-8859-1 if that is right, or ask for a new export",
    "XML kent alleen &amp; &lt; &gt; &quot; &apos; en numerieke zoals &#160;: het exporterende pakket moet het "
    "teken zelf schrijven": "XML knows only &amp; &lt; &gt; &quot; &apos; and numeric ones such as &#160;: the "
    "exporting program must write the character itself",
    "het bestand overschrijdt de veiligheidsgrenzen van koppel": "the file exceeds koppel's safety limits",
    "het bestand overschrijdt de veiligheidsgrenzen van koppel; geen boekhoudveld is zo lang":
        "the file exceeds koppel's safety limits; no bookkeeping field is that long",
    "het bestand is afgebroken; kopieer of exporteer het opnieuw": "the file is truncated; copy or export it again",
    "het bestand is beschadigd; vraag een nieuwe export": "the file is damaged; ask for a new export",
    "het bestand is leeg; exporteer de auditfile opnieuw": "the file is empty; export the auditfile again",
    "geweigerd om veiligheidsredenen (entiteiten, externe bestanden); exporteer het bestand opnieuw":
        "refused for safety (entity expansion, external files); export the file again",
}  # fmt: skip

# Messages and tips the checker composes: (Dutch pattern, English template with the same groups).
COMPOSED_EN: Phrases = (
    (re.compile(r"schemacontrole \(XSD\) niet uitgevoerd: geen officieel schema voor versie (.*)"),
     r"schema check (XSD) not done: no official schema for version \1"),
    (re.compile(r"schemacontrole \(XSD\) niet uitgevoerd: de naamruimte is niet die van het officiële schema"),
     "schema check (XSD) not done: the namespace is not the official schema's"),
    (re.compile(r"bytes passen niet in de gedeclareerde tekenset (.*); op verzoek gelezen als (.*)"),
     r"bytes do not fit the declared encoding \1; read as \2 as asked"),
    (re.compile(r"koppel leest '(.*)' als balans \(B\)"), r"koppel reads '\1' as balance sheet (B)"),
    (re.compile(r"koppel leest '(.*)' als winst en verlies \(P\)"), r"koppel reads '\1' as profit and loss (P)"),
    (re.compile(r"koppel leest '(.*)' als gemengd \(M\)"), r"koppel reads '\1' as mixed (M)"),
    (re.compile(r'soort onbekend; geef haar op in het mapping-bestand: (.*)'),
     r"kind unknown; give it in the mapping file: \1"),
)  # fmt: skip

# Dutch words among a finding's values (keys and fixed values the checker writes), in English.
VALUE_KEYS_EN = {
    "boekjaar": "fiscal year", "periode": "period", "debet": "debit", "verschil": "difference",
    "melding": "message", "deel": "part", "van": "of", "gelezen als": "read as", "rekening": "account",
    "naam": "name", "eindsaldo vorig jaar": "closing last year", "beginsaldo dit jaar": "opening this year",
    "resultaat vorig jaar": "last year's result", "resultaat vorig jaar (niet teruggevonden)":
    "last year's result (not traced)", "rekeningen": "accounts", "vorig jaar": "last year",
    "einde vorig jaar": "end of last year", "begin dit jaar": "start of this year",
    "boekjaar vorig jaar": "fiscal year last year", "boekjaar dit jaar": "fiscal year this year",
    "niveau": "level", "ook bij": "also on", "dichtstbijzijnde": "nearest", "bestand": "file",
    "gevonden": "found", "verwacht": "expected", "probleem": "problem", "datum": "date", "soort": "kind",
    "eerst": "first", "regel eerst": "first on line", "hier": "here",
    "rekeningen met RGS-code": "accounts with an RGS code",
}  # fmt: skip
VALUES_EN = {
    "(ontbreekt)": "(missing)", "D of C": "D or C", "balans- of W&V-soort": "balance sheet or profit and loss kind",
    "balans (B)": "balance sheet (B)", "winst en verlies (P)": "profit and loss (P)", "gemengd (M)": "mixed (M)",
    "onbekend": "unknown", "(leeg)": "(empty)", "begint niet op de 1e": "does not start on the 1st",
    "resultaat vorig jaar": "last year's result",
    "verschil = resultaat vorig jaar, maar geen rekening van het eigen vermogen":
        "difference = last year's result, but not an equity account",
    "eindigt niet op de laatste dag van een maand": "does not end on the last day of a month",
    "ADF heeft geen btw-codetabel": "ADF has no VAT code table",
    "ADF heeft geen periodetabel": "ADF has no period table",
    "ADF heeft geen XML-schema": "ADF has no XML schema",
    "ADF heeft geen aparte beginbalans (periode 0 telt als beginbalans)":
        "ADF has no separate opening balance (period 0 counts as the opening balance)",
    "ADF heeft geen subadministraties": "ADF has no subledgers",
    "ADF heeft geen stamtabellen; rekeningen, relaties en dagboeken komen uit de regels":
        "ADF has no master tables; accounts, relations and journals come from the lines",
}  # fmt: skip
# ... and the English words among them, in Dutch (a Dutch report holds no English value the checker wrote).
VALUES_NL = {
    "two decimals": "twee decimalen", "the file is empty": "het bestand is leeg",
    "no root element found": "geen hoofdelement gevonden", "the archive is encrypted": "het archief is versleuteld",
}  # fmt: skip
_BYTE_AT = re.compile(r"(0x[0-9A-F]{2}) at offset (\d+)")
# The reader's problems (koppel.xaf.safety, koppel.xaf.versions; English like every CLI message), in Dutch for a
# finding's ``problem``; the words of libxml2 after the colon stay as libxml2 wrote them.
PROBLEMS_NL: Phrases = (
    (re.compile(r"bytes that are not valid (\S+)(.*): the declared encoding does not match the content"),
     r"bytes die geen geldige \1 zijn\2: de gedeclareerde tekenset past niet bij de inhoud"),
    (re.compile(r"not well-formed XML: (.*)"), r"geen geldige XML: \1"),
    (re.compile(r"the XML ends too early \((.*)\)"), r"de XML houdt te vroeg op (\1)"),
    (re.compile(r"refused: (.*)"), r"geweigerd: \1"),
    (re.compile(r"the root element is <(.*)>, not <auditfile>"), r"het hoofdelement is <\1>, niet <auditfile>"),
    (re.compile(r"the file is (.*), which XML readers do not take"), r"het bestand is \1; dat lezen XML-lezers niet"),
    (re.compile(r"not a readable zip archive: (.*)"), r"geen leesbaar zip-archief: \1"),
    (re.compile(r"the archive is damaged: (.*)"), r"het archief is beschadigd: \1"),
    (re.compile(r"text beyond column (\d+), where the last field ends \(are the fields shifted\?\)"),
     r"tekst voorbij kolom \1, waar het laatste veld eindigt (zijn de velden verschoven?)"),
    (re.compile(r"bytes not valid in (.+)"), r"bytes die niet geldig zijn in \1"),
    (re.compile(r"not a number in the manual's notation"), "geen getal in de notatie van de handleiding"),
    (re.compile(r"not a date \(ddmmjjjj or d-m-jjjj\)"), "geen datum (ddmmjjjj of d-m-jjjj)"),
    (re.compile(r"required field is empty"), "verplicht veld is leeg"),
    (re.compile(r"required header field is empty"), "verplicht veld van de kopregel is leeg"),
    (re.compile(r"the version must be (.+)"), r"de versie moet \1 zijn"),
)  # fmt: skip
# The checker's element paths in words ('rekening 1300'), in English; and the ADF's English ones in Dutch.
PATHS_EN: Phrases = (
    (re.compile(r"rekening (.+)"), r"account \1"),
    (re.compile(r"grootboekrekening (.+)"), r"ledger account \1"),
    (re.compile(r"dagboek (.+) periode (.+) boekstuk (.+)"), r"journal \1 period \2 transaction \3"),
    (re.compile(r"\(begin van het bestand\)"), "(start of the file)"),
    (re.compile(r"\(commentaar Vervolgbestand\)"), "(comment Vervolgbestand)"),
    (re.compile(r"regel \(kolom (\d+)-\)"), r"line (column \1-)"),
)  # fmt: skip
PATHS_NL: Phrases = (
    (re.compile(r"account (.+ \(.+\))"), r"rekening \1"),
    (re.compile(r"relation (.+ \(.+\))"), r"relatie \1"),
    (re.compile(r"journal (.+ \(.+\))"), r"dagboek \1"),
)  # fmt: skip


def _translated(text: str, table: Phrases) -> str:
    return translated(text, table) or text


def _composed(text: str) -> str | None:
    return translated(text, COMPOSED_EN)


def message_en(code: str, message: str) -> str:
    """A finding's message in English: the rule's title, or the composed message translated."""
    rule = RULES_EN.get(code)
    from .findings import RULES

    if rule is not None and code in RULES and message == RULES[code].title:
        return rule[0]
    return _composed(message) or message


def hint_en(code: str, hint: str) -> str:
    """A finding's tip in English (the rule's own, a fitted general one, or a composed one)."""
    from .findings import RULES

    if not hint:
        return hint
    if code in RULES and hint == RULES[code].hint and code in RULES_EN:
        return RULES_EN[code][1]
    return HINTS_EN.get(" ".join(hint.split())) or _composed(hint) or hint


def value_en(value: str) -> str:
    """A fixed value the checker wrote in Dutch, in English; parts joined by '; ' one by one."""
    if value in VALUES_EN:
        return VALUES_EN[value]
    parts = value.split("; ")
    if len(parts) > 1 and all(p in VALUES_EN for p in parts):
        return "; ".join(VALUES_EN[p] for p in parts)
    return value


def value_nl(value: str) -> str:
    """A fixed value the checker wrote in English, in Dutch ('two decimals', 'byte 0xF6 at offset 4143')."""
    value = VALUES_NL.get(value, value)
    value = translated(value, PROBLEMS_NL) or value
    return _BYTE_AT.sub(r"\1 op positie \2", value)


def finding_in(finding: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A copy of a finding (result dict) with the checker's words in ``lang``; the file's words untouched."""
    out = dict(finding)
    if lang != "en":
        out["path"] = _translated(str(finding.get("path") or ""), PATHS_NL)
        out["places"] = [
            {**p, "path": _translated(str(p.get("path") or ""), PATHS_NL),
             "values": {k: value_nl(v) if isinstance(v, str) else v for k, v in (p.get("values") or {}).items()}}
            for p in finding.get("places") or []
        ]  # fmt: skip
        return out
    code = str(finding.get("code") or "")
    out["message"] = message_en(code, str(finding.get("message") or ""))
    out["hint"] = hint_en(code, str(finding.get("hint") or ""))
    out["path"] = _translated(str(finding.get("path") or ""), PATHS_EN)
    out["places"] = [
        {**p, "path": _translated(str(p.get("path") or ""), PATHS_EN),
         "values": {VALUE_KEYS_EN.get(k, k): value_en(v) if isinstance(v, str) else v
                    for k, v in (p.get("values") or {}).items()}}
        for p in finding.get("places") or []
    ]  # fmt: skip
    return out
