"""Rule codes of the ADF check, added to the one catalogue of codes (:data:`koppel.checks.findings.RULES`).

ADF has no master-data tables, no schema, no VAT-code or period table and no subledgers, so the XAF rules
on those do not apply; what does apply is checked under ADF-* codes: the layout (F), the header's control
totals and balance (T), codes that the lines describe differently (K), dates against the fiscal year (D),
values (V) and the opening balance (O). ADF-N01 lists the XAF rules that do not apply.
"""

from __future__ import annotations

from ..checks.findings import ERROR as E
from ..checks.findings import INFO as I
from ..checks.findings import RULES, Rule
from ..checks.findings import WARNING as W

ADF_RULES = (
    Rule("ADF-F01", E, "regel past niet in de vaste ADF-indeling (veld leeg, geen bedrag, geen datum of te lang)",
         "vraag een nieuwe export; een verschoven regel wijst op een veld dat te lang werd geschreven"),
    Rule("ADF-F02", E, "kopregel (regel 1) past niet in de ADF-indeling",
         "de kopregel begint met CLAIR1.00.00 en bevat jaar/periode, naam, aantal mutaties en tellingen"),
    Rule("ADF-T01", E, "aantal mutaties in de kopregel wijkt af van het aantal mutatieregels",
         "de kopregel telt de mutatieregels; een afgebroken export mist regels"),
    Rule("ADF-T02", E, "telling debet in de kopregel wijkt af van de som van de debetbedragen"),
    Rule("ADF-T03", E, "telling credit in de kopregel wijkt af van de som van de creditbedragen"),
    Rule("ADF-T04", E, "het bestand is niet in evenwicht: totaal debet ≠ totaal credit"),
    Rule("ADF-T05", E, "boekstuk is niet in evenwicht (debet ≠ credit)",
         "een boekstuk is dagboek + periode + volgnummer; de regels ervan staan achter elkaar"),
    Rule("ADF-K01", W, "grootboekrekening heeft op verschillende regels een andere naam of soort",
         "koppel neemt de naam en soort van de eerste regel; controleer de rekening"),
    Rule("ADF-K02", W, "relatie (debiteur/crediteur) heeft op verschillende regels andere gegevens",
         "koppel neemt de gegevens van de eerste regel"),
    Rule("ADF-K03", W, "dagboek heeft op verschillende regels een andere omschrijving"),
    Rule("ADF-D01", W, "mutatiedatum buiten het boekjaar van de kopregel", "kan terecht zijn (bijv. memoriaal)"),
    Rule("ADF-D02", W, "jaar/periode in de kopregel is geen jaartal; datums niet tegen het boekjaar te controleren"),
    Rule("ADF-D03", W, "periode is geen getal"),
    Rule("ADF-V01", W, "verplicht veld leeg: naam van de grootboekrekening of omschrijving van de mutatie"),
    Rule("ADF-V02", I, "negatief bedrag in debet of credit (telt op de andere kant)"),
    Rule("ADF-V03", W, "regel heeft zowel een debet- als een creditbedrag"),
    Rule("ADF-V04", W, "soort grootboekrekening is niet als balans (B) of winst-en-verlies (W) te lezen",
         "geef de soort op in de mapping of controleer de export"),
    Rule("ADF-O01", I, "geen beginbalans (geen regels in periode 0)",
         "vraag de beginbalans apart op, of controleer met --previous tegen vorig jaar"),
    Rule("ADF-N01", I, "regels die voor ADF niet gelden (geen schema, geen stamtabellen, geen btw- of periodetabel)"),
)
RULES.update({r.code: r for r in ADF_RULES})

# XAF rule families that ADF's content cannot carry, and why (the values of ADF-N01)
NOT_APPLICABLE = {
    "XAF-S01..S04": "ADF heeft geen XML-schema",
    "XAF-U01..U12": "ADF heeft geen stamtabellen; rekeningen, relaties en dagboeken komen uit de regels",
    "XAF-K04, K05": "ADF heeft geen btw-codetabel",
    "XAF-K06, K07, D02, D06": "ADF heeft geen periodetabel",
    "XAF-T01..T03, T09, O01..O04": "ADF heeft geen aparte beginbalans (periode 0 telt als beginbalans)",
    "XAF-T10, K08, K10, U11": "ADF heeft geen subadministraties",
}
