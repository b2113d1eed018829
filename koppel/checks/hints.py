"""Tips that name a producer only for that producer's files.

A tip such as "e-Boekhouden.nl telt de beginbalans mee" explains a finding on an e-Boekhouden.nl file; on a file
another package wrote it misleads. The checker writes its tips as they are (they are also the reference list of
`koppel codes`); :func:`fit_hints` keeps a producer's tip when the file's softwareDesc/productID names that
producer, and gives the general tip otherwise.
"""

from __future__ import annotations

# producer -> words that identify it in softwareDesc / productID (lower case)
PRODUCERS: dict[str, tuple[str, ...]] = {
    "e-Boekhouden.nl": ("e-boekhouden", "eboekhouden"),
    "Banana": ("banana",),
    "osFinancials": ("osfinancials",),
    "Exact Online": ("exact",),
    "Twinfield": ("twinfield",),
}

# a producer-specific tip as the checker writes it -> (the producers it is about, the general tip)
PRODUCER_HINTS: dict[str, tuple[tuple[str, ...], str]] = {
    "gangbaar bij e-Boekhouden.nl en osFinancials": (
        ("e-Boekhouden.nl", "osFinancials"), "onschadelijk: zonder declaratie is UTF-8 de standaard"),
    "onschadelijk; Exact Online en Twinfield doen dit": (("Exact Online", "Twinfield"), "onschadelijk"),
    "Banana nummert regels met het boekstuknummer; CLAIR2-exports hergebruiken recordID": (
        ("Banana",), "elke regel van een boekstuk hoort een eigen nummer te hebben; vraag een nieuwe export"),
    "e-Boekhouden.nl telt de beginbalans mee in de totalen": (
        ("e-Boekhouden.nl",), "controleer of het pakket de beginbalans meetelt in de totalen van de mutaties"),
    "CLAIR2-exports van Banana schrijven credits negatief; dan zijn ze wel in evenwicht": (
        ("Banana",), "een boekstuk is in evenwicht: som debet = som credit; controleer het teken van de bedragen"),
    "e-Boekhouden.nl schrijft het aantal dagboeken, Banana het aantal boekstukken": (
        ("e-Boekhouden.nl", "Banana"), "linesCount hoort het aantal boekingsregels (trLine) te tellen"),
    "Banana schrijft tegengeboekte btw als '-V21'": (
        ("Banana",), "voeg de btw-code toe aan vatCodes of corrigeer de regel"),
    "veel pakketten (Exact Online, Twinfield) schrijven sourceID zonder basic van type 29": (
        ("Exact Online", "Twinfield"), "veel pakketten schrijven sourceID zonder basic van type 29"),
    "Banana 8 schrijft beide bedragen op elke regel": (
        ("Banana",), "een regel hoort één bedrag te hebben, debet of credit; het verschil telt"),
    "het getal is het aantal dagboeken (e-Boekhouden.nl doet dit)": (
        ("e-Boekhouden.nl",), "het getal is het aantal dagboeken"),
    "het getal is het aantal boekstukken (Banana doet dit)": (("Banana",), "het getal is het aantal boekstukken"),
    "verwijst wel als het dagboek ervoor staat (Twinfield: 'INK.201600001' i.p.v. '201600001')": (
        ("Twinfield",), "verwijst wel als het dagboek ervoor staat (bijv. 'INK.201600001' i.p.v. '201600001')"),
    "koppel leest D als klant (C); osFinancials schrijft D voor debiteur": (
        ("osFinancials",), "koppel leest D (debiteur) als klant (C)"),
}  # fmt: skip


def made_by(software: str | None, producer: str) -> bool:
    """Whether the file's softwareDesc/productID names ``producer``."""
    name = (software or "").lower()
    return any(word in name for word in PRODUCERS[producer])


def fit_hint(hint: str, software: str | None) -> str:
    """``hint`` when it is general or names the file's producer; the general tip otherwise."""
    entry = PRODUCER_HINTS.get(hint)
    if entry is None:
        return hint
    producers, general = entry
    return hint if any(made_by(software, p) for p in producers) else general


def fit_hints(findings: list[dict], software: str | None) -> list[dict]:
    """The findings with each tip fitted to the file's producer (in place; returned for chaining)."""
    for finding in findings:
        if finding.get("hint"):
            finding["hint"] = fit_hint(finding["hint"], software)
    return findings


# The XML reader's remedies (koppel.xaf.safety, English like every CLI message) -> the same in the accountant's
# Dutch, for a finding in a check report. A remedy not listed gets the rule's own (Dutch) tip, never English.
XML_HINTS_NL: dict[str, str] = {
    "the text is probably ISO-8859-1/Windows-1252; re-run with --encoding iso-8859-1 if that is right, or ask for "
    "a new export": "de tekst is waarschijnlijk ISO-8859-1/Windows-1252; controleer opnieuw met --encoding "
    "iso-8859-1 als dat klopt, of vraag een nieuwe export",
    "XML knows only &amp; &lt; &gt; &quot; &apos; and numeric ones such as &#160;: the exporting program must "
    "write the character itself": "XML kent alleen &amp; &lt; &gt; &quot; &apos; en numerieke zoals &#160;: het "
    "exporterende pakket moet het teken zelf schrijven",
    "the file exceeds koppel's safety limits": "het bestand overschrijdt de veiligheidsgrenzen van koppel",
    "the file exceeds koppel's safety limits; no bookkeeping field is that long": "het bestand overschrijdt de "
    "veiligheidsgrenzen van koppel; geen boekhoudveld is zo lang",
    "the file is truncated; copy or export it again": "het bestand is afgebroken; kopieer of exporteer het opnieuw",
    "the file is damaged": "het bestand is beschadigd; vraag een nieuwe export",
    "export the auditfile again": "het bestand is leeg; exporteer de auditfile opnieuw",
    "refused for safety (entity expansion, external files); export the file again": "geweigerd om "
    "veiligheidsredenen (entiteiten, externe bestanden); exporteer het bestand opnieuw",
}


def dutch_hint(hint: str | None) -> str | None:
    """The reader's remedy in Dutch; None (the rule's own tip) when there is no translation."""
    return XML_HINTS_NL.get(" ".join((hint or "").split()))
