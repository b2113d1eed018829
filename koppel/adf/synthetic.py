"""Synthetic ADF auditfiles of any size with totals known in advance — for samples, tests and benchmarks.

The entries are those of :mod:`koppel.synthetic` (same seed, same bookings), preceded by an opening balance
in period 0, written as fixed-width ADF lines. Amounts are written in the notations the manual allows
(decimal comma, decimal point, grouping, implied decimals), so a reader is tested on all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..synthetic import ACCOUNTS, OPENING, SyntheticSpec, _entries, _relations
from .layout import SIGNATURE, AdfField, adf_layout

JOURNAL_NAMES = {"BNK": "Bank", "IK": "Inkoop", "MEM": "Memoriaal", "VK": "Verkoop", "BEG": "Beginbalans"}
KIND_WORD = {"B": "B", "P": "W"}  # the manual's B(alans) / W(inst en verlies)


@dataclass
class AdfTotals:
    """What the generator wrote: the figures a reader must find."""

    lines: int = 0
    entries: int = 0
    debit: int = 0  # cents on the debit side
    credit: int = 0  # cents on the credit side (positive)
    by_account: dict[str, int] = field(default_factory=dict)
    opening: dict[str, int] = field(default_factory=dict)

    def add(self, account: str, cents: int) -> None:
        self.lines += 1
        if cents >= 0:
            self.debit += cents
        else:
            self.credit -= cents
        self.by_account[account] = self.by_account.get(account, 0) + cents


def _amount(cents: int, style: int) -> str:
    """Cents in one of the manual's notations; ``style`` picks which."""
    whole, frac = divmod(abs(cents), 100)
    if style == 0:
        text = f"{whole},{frac:02d}"
    elif style == 1:
        text = f"{whole}.{frac:02d}"
    elif style == 2:
        text = f"{whole:,}".replace(",", ".") + f",{frac:02d}"
    else:
        text = f"{whole}{frac:02d}"  # the decimals implied
    return text


def _put(buf: list[str], f: AdfField, value: str | None) -> None:
    if value is None:
        return
    text = str(value)[: f.length]
    buf[f.start - 1 : f.end] = list(text.ljust(f.length))


def _date(year: int, month: int, day: int, dashed: bool) -> str:
    return f"{day:02d}-{month:02d}-{year}" if dashed else f"{day:02d}{month:02d}{year}"


def write_synthetic_adf(
    path: str | Path, spec: SyntheticSpec | None = None, opening: dict[str, int] | None = None, **kwargs
) -> AdfTotals:
    """Write an ADF auditfile of ``spec.lines`` mutations plus an opening balance in period 0 (``opening``:
    account -> cents, balanced; default a four-line one); return its totals."""
    spec = spec or SyntheticSpec(**kwargs)
    opening_lines = [(a, c) for a, c in (opening.items() if opening is not None else OPENING) if c]
    if sum(c for _, c in opening_lines):
        raise ValueError("the opening balance does not balance")
    layout = adf_layout()
    fields = {f.name: f for f in layout.line}
    names = {acc: (name, kind) for acc, name, kind in ACCOUNTS}
    relations = {r["id"]: r for r in _relations(spec)}
    totals = AdfTotals()
    body: list[str] = []

    def line(journal: str, period: int, nr: str, line_nr: int, account: str, cents: int, desc: str,
             rel: str | None, vat: str | None, day: int, month: int, doc: str) -> str:  # fmt: skip
        buf = [" "] * layout.line_length
        name, kind = names.get(account, (account, "B"))
        n = totals.lines
        values = {
            "dagboekcode": journal, "dagboekomschrijving": JOURNAL_NAMES[journal], "periode": f"{period:02d}",
            "volgnummer": nr, "regelnummer": str(line_nr), "verwerkingsdatum": _date(spec.year, month, day, False),
            "grootboekrekeningcode": account, "soortGrootboekrekening": KIND_WORD[kind],
            "grootboekrekeningnaam": name, "mutatiedatum": _date(spec.year, month, day, n % 2 == 1),
            "boekstuknummer": doc, "omschrijving": desc, "btwCode": vat,
            "debet": _amount(cents, n % 4) if cents >= 0 else "0,00",
            "credit": _amount(-cents, (n + 1) % 4) if cents < 0 else "0,00",
        }  # fmt: skip
        if rel is not None:
            r = relations[rel]
            values |= {
                "debCredNummer": rel, "debCredSoort": "D" if r["kind"] == "C" else "CRED", "debCredNaam": r["name"],
                "debCredAdres": f"{r['street']} {r['number']}", "debCredPostcode": r["postal_code"],
                "debCredPlaats": r["city"], "debCredLand": "NL",
            }  # fmt: skip
        for name_, value in values.items():
            _put(buf, fields[name_], value)
        totals.add(account, cents)
        return "".join(buf)

    for i, (account, cents) in enumerate(opening_lines, start=1):
        body.append(line("BEG", 0, "BEG0000001", i, account, cents, "Beginbalans", None, None, 1, 1, "BB"))
        totals.opening[account] = totals.opening.get(account, 0) + cents
    totals.entries = 1
    for journal, _nr, month, entry_lines in _entries(spec, list(relations.values())):
        totals.entries += 1
        nr = f"{journal}{totals.entries:0{10 - len(journal)}d}"  # volgnummer holds ten characters
        day = 1 + (totals.entries % 28)
        for i, (account, cents, rel, vat, _vat_cents, desc) in enumerate(entry_lines, start=1):
            body.append(line(journal, month, nr, i, account, cents, desc, rel, vat, day, month, nr))
    head = [" "] * layout.header_length
    hf = {f.name: f for f in layout.header}
    for name_, value in {
        "versie": SIGNATURE, "boekhoudpakket": "koppel synthetic", "administratiecode": "001",
        "jaarPeriode": str(spec.year), "fiscaalnummer": "NL001234567B01", "naamOnderneming": spec.company,
        "adres": "Kerkstraat 1", "plaats": "Utrecht", "aantalMutaties": str(totals.lines),
        "datumAanmaak": _date(spec.year + 1, 1, 15, True), "tellingDebet": _amount(totals.debit, 0),
        "tellingCredit": _amount(totals.credit, 0),
    }.items():  # fmt: skip
        _put(head, hf[name_], value)
    path = Path(path)
    with path.open("w", encoding="cp1252", newline="") as out:
        out.write("".join(head).rstrip() + "\r\n")
        for text in body:
            out.write(text.rstrip() + "\r\n")
    return totals
