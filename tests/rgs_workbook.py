"""A small RGS-shaped workbook of our own for the tests (koppel bundles no RGS data; users pass the release).

The layout follows the official Excel release: a title row naming the version, a header row with
Referentiecode, Referentieomslagcode, Sortering, Referentienummer, Omschrijving (verkort), Omschrijving, D/C,
Nivo and entity-filter columns, one row per code. The codes and descriptions are written for these tests.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HEADER = ["Referentiecode", "Referentieomslagcode", "Sortering", "Referentienummer", "Omschrijving (verkort)",
          "Omschrijving", "D/C", "Nivo", "Basis", "ZZP"]  # fmt: skip
# code, number, short description, description, side
CODES = [
    ("B", None, "Balans", "Balans", None),
    ("BMva", "01", "Materiële vaste activa", "Materiële vaste activa", "D"),
    ("BMvaBeg", "0101", "Bedrijfsgebouwen", "Bedrijfsgebouwen", "D"),
    ("BMvaBegVvp", "0101010", "Verkrijgingsprijs", "Verkrijgingsprijs bedrijfsgebouwen", "D"),
    ("BMvaBegVvpIna", "0101010.01", "Investeringen", "Investeringen bedrijfsgebouwen", "D"),
    ("BMvaBei", "0102", "Inventaris", "Inventaris", "D"),
    ("BMvaBeiVvp", "0102010", "Verkrijgingsprijs", "Verkrijgingsprijs inventaris", "D"),
    ("BEiv", "05", "Eigen vermogen", "Eigen vermogen", "C"),
    ("BEivGok", "0501", "Gestort kapitaal", "Gestort en opgevraagd kapitaal", "C"),
    ("BEivGokGea", "0501010", "Geplaatst kapitaal", "Geplaatst kapitaal eigen vermogen", "C"),
    ("BEivOre", "0502", "Overige reserves", "Overige reserves", "C"),
    ("BEivOreOvr", "0502010", "Overige reserve", "Overige reserve eigen vermogen", "C"),
    ("BLim", "10", "Liquide middelen", "Liquide middelen", "D"),
    ("BLimKas", "1001", "Kasmiddelen", "Kasmiddelen", "D"),
    ("BLimKasKas", "1001010", "Kas", "Kas kasmiddelen", "D"),
    ("BLimBan", "1002", "Banken", "Tegoeden op bankrekeningen", "D"),
    ("BLimBanRba", "1002010", "Rekening-courant bank", "Rekening-courant bank tegoeden", "D"),
    ("BVor", "11", "Vorderingen", "Vorderingen", "D"),
    ("BVorDeb", "1101", "Debiteuren", "Vorderingen op handelsdebiteuren", "D"),
    ("BVorDebHad", "1101010", "Handelsdebiteuren", "Handelsdebiteuren nominaal", "D"),
    ("BVorBtw", "1102", "Omzetbelasting", "Te vorderen omzetbelasting", "D"),
    ("BVorBtwTvo", "1102010", "Te vorderen btw", "Te vorderen omzetbelasting voorbelasting", "D"),
    ("BSch", "14", "Kortlopende schulden", "Kortlopende schulden", "C"),
    ("BSchCre", "1401", "Crediteuren", "Schulden aan leveranciers", "C"),
    ("BSchCreHac", "1401010", "Handelscrediteuren", "Handelscrediteuren nominaal", "C"),
    ("BSchBep", "1501", "Belastingen", "Belastingen en premies sociale verzekeringen", "C"),
    ("BSchBepBtw", "1501010", "Te betalen btw", "Te betalen omzetbelasting", "C"),
    ("W", None, "Winst- en verliesrekening", "Winst- en verliesrekening", None),
    ("WOmz", "80", "Netto-omzet", "Netto-omzet", "C"),
    ("WOmzNop", "8001", "Opbrengsten", "Netto-omzet opbrengsten leveringen", "C"),
    ("WOmzNopOlh", "8001010", "Omzet hoog", "Omzet leveringen belast met hoog tarief", "C"),
    ("WOmzNopOll", "8001020", "Omzet laag", "Omzet leveringen belast met laag tarief", "C"),
    ("WKpr", "70", "Kostprijs", "Kostprijs van de omzet", "D"),
    ("WKprInk", "7001", "Inkoopwaarde", "Inkoopwaarde van de omzet", "D"),
    ("WKprInkInk", "7001010", "Inkoopkosten", "Inkoopkosten handelsgoederen", "D"),
    ("WBed", "40", "Bedrijfskosten", "Overige bedrijfskosten", "D"),
    ("WBedHui", "4101", "Huisvesting", "Huisvestingskosten", "D"),
    ("WBedHuiHur", "4101010", "Huur", "Huur bedrijfsruimte huisvestingskosten", "D"),
    ("WBedAut", "4201", "Autokosten", "Autokosten en transportkosten", "D"),
    ("WBedAutBra", "4201010", "Brandstof", "Brandstofkosten auto", "D"),
    ("WBedAutOak", "4201020", "Overige autokosten", "Overige autokosten", "D"),
    ("WBedKan", "4301", "Kantoorkosten", "Kantoorkosten", "D"),
    ("WBedKanKan", "4301010", "Kantoorbenodigdheden", "Kantoorbenodigdheden kantoorkosten", "D"),
]


def write_release(path: Path, version: str = "3.8", codes=CODES, title: bool = True) -> Path:
    """Write the workbook: sheet 'Toelichting' (text only) and sheet 'RGS' with the codes."""
    book = Workbook()
    intro = book.active
    intro.title = "Toelichting"
    intro.append(["Referentie Grootboekschema, testversie"])
    sheet = book.create_sheet("RGS")
    if title:
        sheet.append([f"RGS {version}"])
    sheet.append(HEADER)
    for code, number, short, description, side in codes:
        level = 1 + (len(code) - 1) // 3
        sheet.append([code, None, None, number, short, description, side, level, "J", "J" if level < 5 else None])
    book.save(path)
    return path
