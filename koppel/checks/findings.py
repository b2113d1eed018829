"""Rule codes of formats.md §2.8 and the collector that groups findings per code.

A *finding* is one occurrence (one element, one transaction, one header fact). Findings with the same
code form one *group* in the result: severity, a plain-language message, a count of occurrences and
the first :data:`MAX_PLACES` places (line, element path, values). ``summary`` counts groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_RANK = {INFO: 0, WARNING: 1, ERROR: 2}
MAX_PLACES = 20


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str  # plain language, Dutch terms where the accountant expects them
    hint: str = ""


def _r(code: str, sev: str, title: str, hint: str = "") -> Rule:
    return Rule(code, sev, title, hint)


E, W, I = ERROR, WARNING, INFO  # noqa: E741 - the codes' own letters

RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        _r("XAF-F01", E, "het bestand is geen geldige XML of bevat bytes die niet in de tekenset passen",
           "vraag een nieuwe export; bij Latin-1-tekst onder een UTF-8-declaratie helpt --encoding iso-8859-1"),
        _r("XAF-F02", W, "tekenset is geen UTF-8 of ISO-8859-1 (de auditfile-standaard staat alleen die twee toe)",
           "laat het pakket in UTF-8 exporteren"),
        _r("XAF-F03", I, "geen XML-declaratie; UTF-8 aangenomen", "gangbaar bij e-Boekhouden.nl en osFinancials"),
        _r("XAF-F04", I, "bestand begint met een UTF-8 BOM", "onschadelijk; Exact Online en Twinfield doen dit"),
        _r("XAF-F05", E, "versie van de auditfile niet te herkennen",
           "koppel herkent CLAIR2, XAF 3.0, 3.1, 3.2, 3.2.1 en 4.0 aan naamruimte en inhoud"),
        _r("XAF-F06", W, "bekende verkeerde naamruimte voor XAF 4.0; gelezen als 4.0",
           "de 4.0-XSD gebruikt de BCPP/1.1-naamruimte; het pakket schrijft een afwijkende"),
        _r("XAF-F07", W, "elementen passen niet bij de versie van de naamruimte; gelezen volgens de naamruimte"),
        _r("XAF-F08", E, "deel van een gesplitste auditfile: alleen de complete, samengevoegde set is te controleren",
           "controleer het eerste deel samen met alle vervolgbestanden (X.xml, X-2.xml, …)"),
        _r("XAF-S01", E, "schemafout (XSD): het bestand voldoet niet aan het officiële schema van zijn versie",
           "libxml2 meldt per element alleen de eerste fout; zie XAF-S03 voor de rest"),
        _r("XAF-S02", W, "schemafout die alleen door een bekend gebrek in het officiële schema ontstaat",
           "XAF 3.2.1 beperkt linesCount tot 9999 en qntity tot 1..9999; het bestand is inhoudelijk in orde"),
        _r("XAF-S03", E, "verdere schemafout (XSD), gevonden in de volledige tweede controle",
           "deze fouten meldt libxml2 niet omdat het na de eerste fout in een element stopt"),
        _r("XAF-S04", I, "schemacontrole (XSD) niet uitgevoerd",
           "geef met --schema-dir een map met de officiële XSD's van deze versie"),
        _r("XAF-U01", E, "relatiecode (custSupID) komt meer dan eens voor",
           "elke relatie hoort één keer in customersSuppliers; een klant die ook leverancier is krijgt custSupTp B"),
        _r("XAF-U02", E, "grootboekrekening (accID) komt meer dan eens voor",
           "elke grootboekrekening hoort één keer in generalLedger"),
        _r("XAF-U03", E, "RGS-code komt meer dan eens voor"),
        _r("XAF-U04", E, "btw-code (vatID) komt meer dan eens voor",
           "elke btw-code hoort één keer in vatCodes"),
        _r("XAF-U05", E, "periodenummer komt meer dan eens voor",
           "elk periodenummer hoort één keer in periods"),
        _r("XAF-U06", E, "dagboek (jrnID) komt meer dan eens voor",
           "elk dagboek hoort één keer voor te komen; boekstukken van hetzelfde dagboek staan samen"),
        _r("XAF-U07", E, "boekstuknummer komt meer dan eens voor in hetzelfde dagboek",
           "boekstuknummers moeten per dagboek uniek zijn; vraag het pakket om een nieuwe export"),
        _r("XAF-U08", E, "regelnummer komt meer dan eens voor in hetzelfde boekstuk",
           "Banana nummert regels met het boekstuknummer; CLAIR2-exports hergebruiken recordID"),
        _r("XAF-U09", E, "regelnummer van de beginbalans komt meer dan eens voor",
           "nummer de beginbalansregels uniek"),
        _r("XAF-U10", W, "combinatie basicType/basicID komt meer dan eens voor"),
        _r("XAF-U11", E, "regelnummer komt meer dan eens voor in dezelfde subadministratie"),
        _r("XAF-U12", E, "transactionID of recordID komt meer dan eens voor in het bestand (CLAIR2)"),
        _r("XAF-T01", E, "totaal debet van de beginbalans wijkt af van de som van de debetregels",
           "de totalen in de kop van openingBalance moeten de som van de regels zijn"),
        _r("XAF-T02", E, "totaal credit van de beginbalans wijkt af van de som van de creditregels",
           "de totalen in de kop van openingBalance moeten de som van de regels zijn"),
        _r("XAF-T03", E, "beginbalans: totaal debet is niet gelijk aan totaal credit",
           "een beginbalans is in evenwicht: totaal debet = totaal credit"),
        _r("XAF-T04", E, "totaal debet van de mutaties wijkt af van de som van de debetregels",
           "e-Boekhouden.nl telt de beginbalans mee in de totalen"),
        _r("XAF-T05", E, "totaal credit van de mutaties wijkt af van de som van de creditregels",
           "e-Boekhouden.nl telt de beginbalans mee in de totalen"),
        _r("XAF-T06", E, "totaal debet van de mutaties is niet gelijk aan totaal credit",
           "de mutaties zijn in evenwicht: totaal debet = totaal credit"),
        _r("XAF-T07", E, "boekstuk is niet in evenwicht (debet ≠ credit)",
           "CLAIR2-exports van Banana schrijven credits negatief; dan zijn ze wel in evenwicht"),
        _r("XAF-T08", E, "linesCount van de mutaties wijkt af van het aantal boekingsregels",
           "e-Boekhouden.nl schrijft het aantal dagboeken, Banana het aantal boekstukken"),
        _r("XAF-T09", E, "linesCount van de beginbalans wijkt af van het aantal regels (of ontbreekt)",
           "linesCount is verplicht en telt de obLine-regels"),
        _r("XAF-T10", E, "subadministratie: aantal regels of totalen kloppen niet met de regels"),
        _r("XAF-T11", W, "numberEntries is gelijk aan geen van aantal boekstukken en aantal regels (CLAIR2)"),
        _r("XAF-T12", E, "beginbalans: de regels zijn niet in evenwicht (som debet ≠ som credit)",
           "ook als de totalen in de kop wel gelijk zijn; koppel zet zo'n beginbalans niet om"),
        _r("XAF-K01", E, "boekingsregel verwijst naar een grootboekrekening die niet bestaat",
           "voeg de rekening toe aan generalLedger of corrigeer de boeking"),
        _r("XAF-K02", E, "beginbalansregel verwijst naar een grootboekrekening die niet bestaat",
           "voeg de rekening toe aan generalLedger of corrigeer de beginbalans"),
        _r("XAF-K03", E, "verwijzing naar een relatie die niet bestaat",
           "voeg de relatie toe aan customersSuppliers of corrigeer de regel"),
        _r("XAF-K04", E, "btw-code op een regel staat niet in de tabel btw-codes",
           "Banana schrijft tegengeboekte btw als '-V21'"),
        _r("XAF-K05", E, "btw-code verwijst naar een grootboekrekening die niet bestaat"),
        _r("XAF-K06", E, "boekstuk verwijst naar een periode die niet in de periodetabel staat",
           "voeg de periode toe aan periods of corrigeer het periodenummer"),
        _r("XAF-K07", W, "geen periodetabel; periodenummers niet te controleren",
           "zonder periods kan niet gecontroleerd worden of boekstukken in een bestaande periode vallen"),
        _r("XAF-K08", E, "subadministratieregel verwijst naar een dagboek dat niet bestaat"),
        _r("XAF-K09", I, "code op een boekstuk of regel heeft geen omschrijving in basics",
           "veel pakketten (Exact Online, Twinfield) schrijven sourceID zonder basic van type 29"),
        _r("XAF-K10", I, "subadministratieregel verwijst naar een boekingsregel die niet bestaat"),
        _r("XAF-K11", W, "dagboek verwijst met offsetAccID naar een grootboekrekening die niet bestaat",
           "de tegenrekening van het dagboek (bank, kas) hoort in generalLedger te staan"),
        _r("XAF-O01", E, "beginbalans dubbel opgenomen (openingBalance én boekstukken in periode 0 of dagboek type O)"),
        _r("XAF-O02", I, "geen beginbalans in het bestand",
           "vraag de beginbalans apart op, of een export met openingBalance"),
        _r("XAF-O03", W, "beginbalansregel op een resultatenrekening (W&V)",
           "resultatenrekeningen beginnen het jaar op nul; controleer de rekeningsoort of de beginbalans"),
        _r("XAF-O04", E, "beginbalans als boekstukken in periode 0; XAF 4.0 staat dat niet toe"),
        _r("XAF-D01", W, "boekdatum (trDt) buiten het boekjaar", "kan terecht zijn (bijv. vaste activa)"),
        _r("XAF-D02", W, "boekdatum (trDt) valt niet in de periode van het boekstuk",
           "kan een te late of te vroege boeking zijn; controleer de periode-indeling"),
        _r("XAF-D03", W, "factuur-/gebeurtenisdatum (effDate) buiten het boekjaar",
           "facturen uit het vorige jaar zijn vaak terecht"),
        _r("XAF-D04", W, "fiscalYear past niet bij begin- en einddatum van het boekjaar",
           "fiscalYear is het jaar van begin- of einddatum, of 'JJJJ-JJJJ' bij een gebroken boekjaar"),
        _r("XAF-D05", W, "begin- of einddatum van het boekjaar onwaarschijnlijk"),
        _r("XAF-D06", W, "periode valt (deels) buiten het boekjaar",
           "periodes horen binnen het boekjaar te vallen"),
        _r("XAF-V01", W, "verwijzing (docRef e.d.) langer dan 255 tekens"),
        _r("XAF-V02", I, "negatief bedrag (telt op de andere kant)",
           "gangbaar bij correcties; het bedrag telt mee op de andere kant"),
        _r("XAF-V03", I, "bedrag niet met precies twee decimalen geschreven",
           "XAF 3.1 eist twee decimalen; 3.2 en later accepteren ook 121 of 609.9"),
        _r("XAF-V04", E, "debet/credit-kenmerk (amntTp) ontbreekt of is niet D/C; teken onbekend",
           "zonder D of C is niet te bepalen of het bedrag debet of credit is"),
        _r("XAF-V05", W, "waarde buiten de codelijst van de versie",
           "koppel leest de waarde zo goed mogelijk; controleer de codelijst van het pakket"),
        _r("XAF-V06", W, "regel heeft zowel debitAmount als creditAmount (CLAIR2)",
           "Banana 8 schrijft beide bedragen op elke regel"),
        _r("XAF-V07", I, "negatief btw-bedrag (telt op de andere kant)",
           "gangbaar bij creditnota's en correcties; controleer de btw-aangifte"),
    )
}


@dataclass
class Group:
    code: str
    severity: str
    message: str
    hint: str
    count: int = 0
    places: list[dict] = field(default_factory=list)


class Collector:
    """Collects findings, grouped per code, keeping the first ``max_places`` places of each."""

    def __init__(self, max_places: int = MAX_PLACES) -> None:
        self.groups: dict[str, Group] = {}
        self.max_places = max_places

    def add(
        self,
        code: str,
        line: int | None = None,
        path: str = "",
        values: dict | None = None,
        *,
        severity: str | None = None,
        message: str | None = None,
        hint: str | None = None,
        count: int = 1,
    ) -> None:
        group = self.groups.get(code)
        if group is None:
            rule = RULES[code]
            group = self.groups[code] = Group(
                code, severity or rule.severity, message or rule.title, hint if hint is not None else rule.hint
            )
        group.count += count
        if len(group.places) < self.max_places:
            group.places.append({"line": line, "path": path, "values": values or {}})

    def has(self, code: str) -> bool:
        return code in self.groups

    def findings(self) -> list[dict]:
        """Groups as result dicts: errors first, then warnings, then info; by code within a severity."""
        out = []
        for g in sorted(self.groups.values(), key=lambda g: (-SEVERITY_RANK[g.severity], g.code)):
            first = g.places[0] if g.places else {"line": None, "path": ""}
            out.append(
                {
                    "code": g.code,
                    "severity": g.severity,
                    "message": g.message,
                    "line": first["line"],
                    "path": first["path"],
                    "count": g.count,
                    "hint": g.hint,
                    "places": g.places,
                }
            )
        return out
