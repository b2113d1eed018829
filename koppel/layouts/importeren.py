"""The delimited targets' part of IMPORTEREN.md (``koppel/importeren.py``): their files, columns and dialect, from
the same layout the writer used."""

from __future__ import annotations

from ..importeren import render
from ..writejob import WriteJob, WriteResult
from .descriptor import FileLayout, TargetLayout, evidence_counts

SOURCE_NL = {
    "journal_id": "dagboek (via [journals])",
    "journal_upper": "dagboek in hoofdletters (via [journals])",
    "journal_type": "dagboektype",
    "entry_nr": "boekstuknummer",
    "line_nr": "regelnummer",
    "line_seq": "regelnummer binnen de post (kopregel 0)",
    "running": "doorlopend regelnummer",
    "period": "periode",
    "period2": "periode (2 cijfers)",
    "year2": "boekjaar (2 cijfers)",
    "year_period": "boekjaar + periode (JJPP)",
    "date": "boekingsdatum",
    "due_date": "vervaldatum",
    "text": "omschrijving van de regel (anders van de post)",
    "entry_description": "omschrijving van de post",
    "account_id": "grootboekrekening (via [accounts])",
    "amount": "bedrag, + = debet",
    "debit": "debetbedrag",
    "credit": "creditbedrag",
    "vat_code": "btw-code (via [vat_codes])",
    "vat_amount": "btw-bedrag met teken",
    "vat_amount_abs": "btw-bedrag zonder teken",
    "relation_id": "relatienummer (via [relations])",
    "relation_customer": "debiteurnummer (via [relations])",
    "relation_supplier": "crediteurnummer (via [relations])",
    "invoice_ref": "factuurnummer",
    "invoice_customer": "verkoopfactuurnummer",
    "invoice_supplier": "inkoopfactuurnummer",
    "cost_center": "kostenplaats",
    "cost_unit": "kostendrager",
    "quantity": "aantal",
    "payment_days": "betalingstermijn in dagen",
    "name": "naam",
    "contact": "contactpersoon",
    "address": "straat en huisnummer",
    "postal_code": "postcode",
    "city": "plaats",
    "postcode_city": "postcode en plaats",
    "country": "landcode",
    "phone": "telefoon",
    "email": "e-mail",
    "website": "website",
    "vat_number": "btw-nummer",
    "kvk": "KvK-nummer",
    "iban": "IBAN",
    "bic": "BIC",
    "control_account": "centrale rekening (via [accounts])",
    "source_relation_id": "relatienummer in de bron",
    "source_account_id": "rekeningnummer in de bron",
    "kind_nl": "soort",
    "kind_bp": "balans (B) of winst en verlies (P)",
    "account_function": "grootboekfunctie per rekeningsoort (via [account_functions])",
    "kvk_digits": "KvK-nummer, alleen cijfers",
    "search_code": "zoekcode: de naam in hoofdletters zonder spaties (10 tekens), anders de code",
    "entry_text": "omschrijving van de post (anders dagboek en boekstuknummer)",
    "account_name": "naam van de grootboekrekening",
}
TYPE_NL = {
    "code": "code",
    "text": "tekst",
    "int": "geheel getal",
    "decimal": "bedrag",
    "cents": "centen",
    "date": "datum",
}
DIALECT_NL = (
    ("encoding", "tekenset"),
    ("delimiter", "scheidingsteken"),
    ("quoting", "aanhalingstekens"),
    ("decimal", "decimaalteken"),
    ("date", "datumvorm"),
    ("header", "kopregel"),
    ("line_end", "regeleinde"),
)


def _date_form(fmt: str) -> str:
    return fmt.replace("%d", "DD").replace("%m", "MM").replace("%Y", "JJJJ").replace("%y", "JJ")


def _dialect_rows(f: FileLayout) -> list[tuple[str, str, str]]:
    d = f.dialect
    shown = {
        "encoding": {"cp1252": "Windows-1252 (ANSI)"}.get(d.encoding, d.encoding.upper()),
        "delimiter": {";": "puntkomma ;", ",": "komma ,", "\t": "tab", " ": "spatie"}.get(d.delimiter, d.delimiter),
        "quoting": 'alleen waar nodig, "…" met verdubbelde "' if d.quoting == "minimal" else "geen",
        "decimal": {".": "punt .", ",": "komma ,"}[d.decimal],
        "date": _date_form(d.date),
        "header": "ja, 1 regel met de kolomnamen" if d.header else "nee (vaste volgorde)",
        "line_end": {"\r\n": "CRLF (Windows)", "\n": "LF"}.get(d.line_end, repr(d.line_end)),
    }
    return [(label, shown[key], d.mark(key)) for key, label in DIALECT_NL]


def _what(source: str, head: str) -> str:
    if not source and not head:
        return "leeg"
    what = SOURCE_NL.get(source, source.lstrip("=")) if source else ""
    if head:
        head_what = head[1:] if head.startswith("=") else SOURCE_NL.get(head, head)
        what = f"{what}; kopregel: {head_what}" if what else f"kopregel: {head_what}"
    return what


def file_rows(layout: TargetLayout, rows: dict[str, int], admin: str) -> list[dict]:
    order = {"debtors": 0, "creditors": 1, "relations": 2, "accounts": 3, "opening": 4, "entries": 5}
    out = []
    for f in sorted(layout.files, key=lambda x: order[x.content]):
        if f.id not in rows:
            continue
        out.append(
            {
                "file": f.file_name(admin),
                "title": f.title,
                "rows": rows[f.id],
                "evidence": f.evidence,
                "manual": f.manual,
                "counts": evidence_counts(f),
                "dialect": _dialect_rows(f),
                "target_fields": any(c.target_field for c in f.columns),
                "columns": [
                    {
                        "name": c.name,
                        "what": _what(c.source, c.head),
                        "type": TYPE_NL[c.type] if c.source or c.head else "",
                        "width": c.width or "",
                        "required": "ja" if c.required else "",
                        "format": _date_form(c.format or f.dialect.date) if c.type == "date" else "",
                        "evidence": c.evidence,
                        "target_field": c.target_field,
                        "note": c.note.replace("|", "/"),
                    }
                    for c in f.columns
                ],
            }
        )
    return out


def render_importeren(layout: TargetLayout, job: WriteJob, rows: dict[str, int], result: WriteResult) -> str:
    return render("importeren.md.j2", job, result, t=layout, files=file_rows(layout, rows, job.admin_name))
