"""Synthetic, balanced, schema-valid auditfiles of any size — for samples, tests and benchmarks.

The data is invented (Dutch-looking names, addresses, accounts). The same seed gives the same file.
Totals are known in advance because amounts are drawn from the seeded generator twice: once to sum,
once to write, so a file of any size is written in one streaming pass with correct header totals.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from .money import format_cents
from .xaf.versions import NAMESPACE_OF

ACCOUNTS = [
    ("0100", "Bedrijfsgebouwen", "B"),
    ("0200", "Inventaris", "B"),
    ("0500", "Eigen vermogen", "B"),
    ("1000", "Kas", "B"),
    ("1100", "Bank", "B"),
    ("1300", "Debiteuren", "B"),
    ("1500", "Te betalen btw", "B"),
    ("1510", "Te vorderen btw", "B"),
    ("1600", "Crediteuren", "B"),
    ("4000", "Inkoopkosten", "P"),
    ("4100", "Huisvestingskosten", "P"),
    ("4200", "Autokosten", "P"),
    ("8000", "Omzet hoog tarief", "P"),
    ("8100", "Omzet laag tarief", "P"),
]
VAT_CODES = [("V21", "Btw hoog 21%", 21), ("V9", "Btw laag 9%", 9), ("V0", "Btw 0%", 0)]
STREETS = ["Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsplein", "Havenkade", "Lindelaan"]
CITIES = [("Utrecht", "3511"), ("Zwolle", "8011"), ("Groningen", "9711"), ("Delft", "2611"), ("Breda", "4811")]
NAMES = ["Bakkerij", "Installatiebedrijf", "Drukkerij", "Kwekerij", "Adviesbureau", "Transport", "Café"]
SURNAMES = ["de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos"]


@dataclass
class SyntheticSpec:
    """What to generate."""

    lines: int = 1_000
    version: str = "3.2"  # "3.2", "3.2.1", "4.0" or "2.0"
    relations: int = 40
    seed: int = 1
    year: int = 2025
    company: str = "Voorbeeld Handel B.V."


def _relations(spec: SyntheticSpec) -> list[dict]:
    rng = random.Random(spec.seed * 7919)
    out = []
    for i in range(spec.relations):
        city, pc = rng.choice(CITIES)
        kind = "C" if i % 3 else "S"
        out.append(
            {
                "id": f"{'D' if kind == 'C' else 'C'}{1000 + i:04d}",
                "name": f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}",
                "kind": kind,
                "street": rng.choice(STREETS),
                "number": str(rng.randint(1, 200)),
                "city": city,
                "postal_code": f"{pc} {chr(65 + i % 26)}{chr(65 + (i * 7) % 26)}",
                "email": f"info{i}@example.nl",
                "phone": f"030-{2000000 + i}",
            }
        )
    return out


def _entries(spec: SyntheticSpec, relations: list[dict]) -> Iterator[tuple[str, str, int, list[tuple]]]:
    """Yield (journal, nr, month, lines) where a line is (account, cents, relation, vat_code, vat_cents, desc)."""
    rng = random.Random(spec.seed)
    customers = [r["id"] for r in relations if r["kind"] == "C"] or [None]
    suppliers = [r["id"] for r in relations if r["kind"] == "S"] or [None]
    written = 0
    n = 0
    while written < spec.lines:
        n += 1
        month = 1 + (n * 12 // max(1, spec.lines // 3 + 1)) % 12
        kind = rng.random()
        net = rng.randint(100, 500_000)
        if kind < 0.4:  # sales invoice: debtor, revenue, VAT
            code, rate, revenue = ("V21", 21, "8000") if rng.random() < 0.7 else ("V9", 9, "8100")
            vat = net * rate // 100
            rel = rng.choice(customers)
            lines = [
                ("1300", net + vat, rel, None, None, "Factuur"),
                (revenue, -net, None, code, -vat, "Omzet"),
                ("1500", -vat, None, None, None, "Btw"),
            ]
            journal = "VK"
        elif kind < 0.7:  # purchase invoice
            vat = net * 21 // 100
            rel = rng.choice(suppliers)
            lines = [
                (rng.choice(["4000", "4100", "4200"]), net, None, "V21", vat, "Inkoop"),
                ("1510", vat, None, None, None, "Btw"),
                ("1600", -(net + vat), rel, None, None, "Factuur"),
            ]
            journal = "IK"
        elif kind < 0.95:  # bank: receipt from a customer or payment to a supplier
            if rng.random() < 0.5:
                lines = [
                    ("1100", net, None, None, None, "Ontvangst"),
                    ("1300", -net, rng.choice(customers), None, None, "Ontvangst"),
                ]
            else:
                lines = [
                    ("1600", net, rng.choice(suppliers), None, None, "Betaling"),
                    ("1100", -net, None, None, None, "Betaling"),
                ]
            journal = "BNK"
        else:  # memorial with several lines
            k = rng.randint(2, 5)
            parts = [rng.randint(100, 100_000) for _ in range(k)]
            lines = [(rng.choice(["4000", "4100", "4200"]), p, None, None, None, "Verdeling") for p in parts]
            lines.append(("1000", -sum(parts), None, None, None, "Kas"))
            journal = "MEM"
        remaining = spec.lines - written
        if len(lines) > remaining:  # the last entry: cut it to what is left (an entry has two lines at least)
            lines = lines[: max(2, remaining)]
        elif remaining - len(lines) == 1:  # never leave room for a one-line entry: split a line in two
            acc, cents, *rest = lines[-1]
            lines.append((acc, cents - cents // 2, *rest))
            lines[-2] = (acc, cents // 2, *rest)
        total = sum(line[1] for line in lines)
        if total:  # a cut-off last entry must still balance
            last = lines[-1]
            lines[-1] = (last[0], last[1] - total, *last[2:])
        written += len(lines)
        yield journal, f"{journal}{n:08d}", month, lines


JOURNALS = [("BNK", "Bank", "B"), ("IK", "Inkoop", "P"), ("MEM", "Memoriaal", "M"), ("VK", "Verkoop", "S")]
OPENING = [("0100", 25_000_000), ("0200", 4_500_000), ("1100", 1_234_567), ("0500", -30_734_567)]


def write_synthetic_xaf(path: str | Path, spec: SyntheticSpec | None = None, **kwargs) -> Path:
    """Write a balanced, XSD-valid auditfile of the requested version and size."""
    spec = spec or SyntheticSpec(**kwargs)
    path = Path(path)
    relations = _relations(spec)
    debit = credit = count = 0
    for _j, _nr, _m, lines in _entries(spec, relations):
        for line in lines:
            count += 1
            if line[1] >= 0:
                debit += line[1]
            else:
                credit -= line[1]
    writer = _Clair2Writer if spec.version == "2.0" else _XafWriter
    with path.open("w", encoding="utf-8", newline="\n") as out:
        writer(out, spec, relations).write(count, debit, credit)
    return path


def _side(cents: int) -> tuple[str, str]:
    return format_cents(abs(cents)), "D" if cents >= 0 else "C"


class _XafWriter:
    def __init__(self, out, spec: SyntheticSpec, relations: list[dict]) -> None:
        self.out, self.spec, self.relations = out, spec, relations
        self.v4 = spec.version == "4.0"

    def write(self, count: int, debit: int, credit: int) -> None:
        w, spec, y = self.out.write, self.spec, self.spec.year
        ns = NAMESPACE_OF[spec.version]
        w('<?xml version="1.0" encoding="UTF-8"?>\n')
        w(f'<auditfile xmlns="{ns}">\n<header>\n')
        w(f"<fiscalYear>{y}</fiscalYear><startDate>{y}-01-01</startDate><endDate>{y}-12-31</endDate>")
        w(f"<curCode>EUR</curCode><dateCreated>{y + 1}-01-15</dateCreated>")
        w("<softwareDesc>koppel synthetic</softwareDesc><softwareVersion>1.0</softwareVersion>\n</header>\n")
        w("<company>\n")
        if self.v4:
            w("<Commercenr>12345678</Commercenr>")
        else:
            w("<companyIdent>VB001</companyIdent>")
        w(f"<companyName>{escape(spec.company)}</companyName>")
        w("<taxRegistrationCountry>NL</taxRegistrationCountry><taxRegIdent>NL001234567B01</taxRegIdent>\n")
        w("<streetAddress><streetname>Marktstraat</streetname><number>1</number><city>Utrecht</city>")
        w("<postalCode>3511 AB</postalCode><country>NL</country></streetAddress>\n")
        w("<customersSuppliers>\n")
        for r in self.relations:
            w(f"<customerSupplier><custSupID>{r['id']}</custSupID><custSupName>{escape(r['name'])}</custSupName>")
            if not self.v4:
                w(f"<contact>{escape(r['name'])}</contact><telephone>{r['phone']}</telephone>")
            w(f"<eMail>{r['email']}</eMail>")
            w("<taxRegistrationCountry>NL</taxRegistrationCountry>")
            w(f"<custSupTp>{r['kind']}</custSupTp>")
            w(f"<streetAddress><streetname>{r['street']}</streetname><number>{r['number']}</number>")
            w(
                f"<city>{r['city']}</city><postalCode>{r['postal_code']}</postalCode><country>NL</country></streetAddress>"
            )
            if not self.v4:
                w(f"<bankAccount><bankAccNr>NL91ABNA04171643{int(r['id'][1:]) % 100:02d}</bankAccNr></bankAccount>")
            w("</customerSupplier>\n")
        w("</customersSuppliers>\n<generalLedger>\n")
        for acc, name, kind in ACCOUNTS:
            w(f"<ledgerAccount><accID>{acc}</accID><accDesc>{name}</accDesc><accTp>{kind}</accTp></ledgerAccount>\n")
        w("</generalLedger>\n<vatCodes>\n")
        for code, desc, _rate in VAT_CODES:
            w(f"<vatCode><vatID>{code}</vatID><vatDesc>{desc}</vatDesc>")
            w("<vatToPayAccID>1500</vatToPayAccID><vatToClaimAccID>1510</vatToClaimAccID></vatCode>\n")
        w("</vatCodes>\n<periods>\n")
        for m in range(1, 13):
            end = _month_end(y, m)
            desc = "" if self.v4 else f"<periodDesc>{y}-{m:02d}</periodDesc>"
            w(f"<period><periodNumber>{m}</periodNumber>{desc}<startDatePeriod>{y}-{m:02d}-01</startDatePeriod>")
            w(f"<endDatePeriod>{end}</endDatePeriod></period>\n")
        w("</periods>\n<openingBalance>\n")
        if not self.v4:
            w(f"<opBalDate>{y}-01-01</opBalDate><opBalDesc>Beginbalans {y}</opBalDesc>")
        ob_d = sum(c for _a, c in OPENING if c > 0)
        w(f"<linesCount>{len(OPENING)}</linesCount><totalDebit>{format_cents(ob_d)}</totalDebit>")
        w(f"<totalCredit>{format_cents(ob_d)}</totalCredit>\n")
        for i, (acc, cents) in enumerate(OPENING, 1):
            amnt, tp = _side(cents)
            w(f"<obLine><nr>{i}</nr><accID>{acc}</accID><amnt>{amnt}</amnt><amntTp>{tp}</amntTp></obLine>\n")
        w("</openingBalance>\n<transactions>\n")
        w(f"<linesCount>{count}</linesCount><totalDebit>{format_cents(debit)}</totalDebit>")
        w(f"<totalCredit>{format_cents(credit)}</totalCredit>\n")
        by_journal: dict[str, list] = {j: [] for j, _d, _t in JOURNALS}
        # journals are written one after another; entries are generated in one order, so stream per journal
        for jrn, desc, tp in JOURNALS:
            w(f"<journal><jrnID>{jrn}</jrnID><desc>{desc}</desc><jrnTp>{tp}</jrnTp>\n")
            for journal, nr, month, lines in _entries(self.spec, self.relations):
                if journal == jrn:
                    self._transaction(nr, month, lines)
            w("</journal>\n")
        del by_journal
        w("</transactions>\n</company>\n</auditfile>\n")

    def _transaction(self, nr: str, month: int, lines: list[tuple]) -> None:
        w, y = self.out.write, self.spec.year
        date = f"{y}-{month:02d}-{min(28, 1 + len(nr) + month):02d}"
        w(f"<transaction><nr>{nr}</nr><desc>Boeking {nr}</desc>")
        w(f"<periodNumber>{month}</periodNumber><trDt>{date}</trDt>\n")
        for i, (acc, cents, rel, vat, vat_cents, desc) in enumerate(lines, 1):
            amnt, tp = _side(cents)
            parts = [
                f"<trLine><nr>{i}</nr><accID>{acc}</accID><docRef>{nr}</docRef><effDate>{date}</effDate>",
                f"<desc>{desc}</desc><amnt>{amnt}</amnt><amntTp>{tp}</amntTp>",
            ]
            if rel:
                parts.append(f"<custSupID>{rel}</custSupID><invRef>{nr}</invRef>")
            if vat:
                rate = {"V21": "21.000", "V9": "9.000", "V0": "0.000"}[vat]
                vamnt, vtp = _side(vat_cents)
                parts.append(f"<vat><vatID>{vat}</vatID><vatPerc>{rate}</vatPerc><vatAmnt>{vamnt}</vatAmnt>")
                parts.append(f"<vatAmntTp>{vtp}</vatAmntTp></vat>")
            parts.append("</trLine>\n")
            w("".join(parts))
        w("</transaction>\n")


class _Clair2Writer(_XafWriter):
    def write(self, count: int, debit: int, credit: int) -> None:
        w, spec, y = self.out.write, self.spec, self.spec.year
        w('<?xml version="1.0" encoding="UTF-8"?>\n<auditfile>\n<header>\n')
        w("<auditfileVersion>CLAIR2.00.00</auditfileVersion><companyID>VB001</companyID>")
        w("<taxRegistrationNr>NL001234567B01</taxRegistrationNr>")
        w(f"<companyName>{escape(spec.company)}</companyName><companyAddress>Marktstraat 1</companyAddress>")
        w("<companyCity>Utrecht</companyCity><companyPostalCode>3511 AB</companyPostalCode>")
        w(f"<fiscalYear>{y}</fiscalYear><startDate>{y}-01-01</startDate><endDate>{y}-12-31</endDate>")
        w(f"<currencyCode>EUR</currencyCode><dateCreated>{y + 1}-01-15</dateCreated>")
        w("<productID>koppel synthetic</productID><productVersion>1.0</productVersion>\n</header>\n")
        w("<generalLedger>\n<taxonomy>Standaard</taxonomy>\n")
        for acc, name, kind in ACCOUNTS:
            label = "Balans" if kind == "B" else "Winst en verlies"
            w(f"<ledgerAccount><accountID>{acc}</accountID><accountDesc>{name}</accountDesc>")
            w(f"<accountType>{label}</accountType><leadCode>{acc[:2]}</leadCode>")
            w(f"<leadDescription>{name}</leadDescription></ledgerAccount>\n")
        w("</generalLedger>\n<customersSuppliers>\n")
        for r in self.relations:
            kind = "Debiteur" if r["kind"] == "C" else "Crediteur"
            w(f"<customerSupplier><custSupID>{r['id']}</custSupID><type>{kind}</type>")
            w(f"<companyName>{escape(r['name'])}</companyName>")
            w(f"<streetAddress><streetname>{r['street']}</streetname><number>{r['number']}</number>")
            w(
                f"<city>{r['city']}</city><postalCode>{r['postal_code']}</postalCode><country>NL</country></streetAddress>"
            )
            w(f"<telephone>{r['phone']}</telephone><eMail>{r['email']}</eMail></customerSupplier>\n")
        w("</customersSuppliers>\n<transactions>\n")
        n_entries = sum(1 for _ in _entries(spec, self.relations))
        w(f"<numberEntries>{n_entries}</numberEntries><totalDebit>{format_cents(debit)}</totalDebit>")
        w(f"<totalCredit>{format_cents(credit)}</totalCredit>\n")
        record = 0
        for jrn, desc, tp in JOURNALS:
            w(f"<journal><journalID>{jrn}</journalID><description>{desc}</description><type>{tp}</type>\n")
            for journal, nr, month, lines in _entries(spec, self.relations):
                if journal != jrn:
                    continue
                date = f"{y}-{month:02d}-{min(28, 1 + len(nr) + month):02d}"
                w(f"<transaction><transactionID>{nr}</transactionID><description>Boeking {nr}</description>")
                w(f"<period>{month}</period><transactionDate>{date}</transactionDate>\n")
                for acc, cents, rel, _vat, _vc, ldesc in lines:
                    record += 1
                    amount = "debitAmount" if cents >= 0 else "creditAmount"
                    rel_xml = f"<custSupID>{rel}</custSupID>" if rel else ""
                    w(f"<line><recordID>{record}</recordID><accountID>{acc}</accountID>{rel_xml}")
                    w(f"<documentID>{nr}</documentID><effectiveDate>{date}</effectiveDate>")
                    w(f"<description>{ldesc}</description><{amount}>{format_cents(abs(cents))}</{amount}></line>\n")
                w("</transaction>\n")
            w("</journal>\n")
        w("</transactions>\n</auditfile>\n")


def _month_end(year: int, month: int) -> str:
    import calendar

    return f"{year}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
