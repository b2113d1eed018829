"""Debtors and creditors from an XLSX/CSV list (Dutch or English headers) or from any readable administration.

A relations profile (TOML) may set ``[dialect]`` as source profiles do, ``[columns]`` (field = header name or
names) and ``[relations] kind = "customer"`` for a list without a kind column. Without a profile the headers
below are recognised. Fields beyond the canonical ``relations`` table (SEPA mandate, credit limit, any
``[extra]`` column) are carried in the read result's ``extras["relations"]``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from ..errors import KoppelError
from ..model import TABLES, Administration, Header, conform
from ..money import parse_cents_series
from ..read_result import ReadResult
from ..sources.profile import ExportDialect, export_dialect
from ..sources.table import ROW, read_raw

HEADERS: dict[str, list[str]] = {
    "relation_id": [
        "relatienummer",
        "relatiecode",
        "nummer",
        "code",
        "debiteurnummer",
        "crediteurnummer",
        "id",
        "relation id",
        "customer number",
        "supplier number",
        "number",
    ],
    "kind": ["soort", "type", "kind", "debiteur/crediteur", "relatiesoort"],
    "name": ["naam", "bedrijfsnaam", "name", "company", "company name"],
    "contact": ["contactpersoon", "contact", "t.a.v.", "contact person"],
    "street": ["straat", "adres", "street", "address"],
    "house_nr": ["huisnummer", "huisnr", "house number"],
    "house_nr_addition": ["toevoeging", "huisnummertoevoeging", "huisnummer toevoeging", "number addition"],
    "postal_code": ["postcode", "postal code", "zip", "zip code"],
    "city": ["plaats", "woonplaats", "city", "town"],
    "country": ["land", "landcode", "country"],
    "phone": ["telefoon", "telefoonnummer", "tel", "phone"],
    "email": ["e-mail", "email", "e-mailadres", "mail"],
    "website": ["website", "internet", "url"],
    "vat_number": ["btw-nummer", "btw nummer", "btw-id", "vat number", "vat", "vat id"],
    "kvk": ["kvk", "kvk-nummer", "kvk nummer", "coc", "chamber of commerce"],
    "iban": ["iban", "bankrekening", "rekeningnummer", "bank account"],
    "bic": ["bic", "swift", "bic/swift"],
    "payment_days": ["betalingstermijn", "betaaltermijn", "termijn", "payment terms", "payment days"],
    "control_account": ["grootboekrekening", "collectieve rekening", "control account"],
    "mandate_reference": ["mandaatkenmerk", "mandaat", "machtigingskenmerk", "mandate id", "sepa mandate"],
    "mandate_date": ["mandaatdatum", "datum mandaat", "machtigingsdatum", "mandate date"],
    "credit_limit": ["kredietlimiet", "credit limit"],
}
EXTRA_FIELDS = ("mandate_reference", "mandate_date", "credit_limit")
KINDS = {
    "d": "customer",
    "deb": "customer",
    "debiteur": "customer",
    "klant": "customer",
    "customer": "customer",
    "c": "supplier",
    "cred": "supplier",
    "crediteur": "supplier",
    "leverancier": "supplier",
    "supplier": "supplier",
    "b": "both",
    "beide": "both",
    "both": "both",
    "o": "other",
    "other": "other",
}


def _profile(profile: str | Path | None) -> tuple[ExportDialect, dict[str, list[str]], dict, dict[str, str]]:
    if profile is None:
        return ExportDialect(), HEADERS, {}, {}
    path = Path(profile)
    if not path.is_file():
        raise KoppelError("relations profile not found", file=path, hint="give the path to a .toml file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise KoppelError(f"not a valid TOML profile: {exc}", file=path) from None
    try:
        dialect = export_dialect(data.get("dialect", {}))
    except KoppelError as exc:
        raise exc.at(file=path) from None
    columns = {k: [v] if isinstance(v, str) else list(v) for k, v in data.get("columns", {}).items()}
    unknown = set(columns) - set(HEADERS)
    if unknown:
        raise KoppelError(
            f"unknown relation fields {sorted(unknown)}",
            file=path,
            field="columns",
            hint=f"fields: {', '.join(HEADERS)}; other columns go under [extra]",
        )
    return (
        dialect,
        {**HEADERS, **columns},
        data.get("relations", {}),
        {k: str(v) for k, v in data.get("extra", {}).items()},
    )


def read_relations(
    path: str | Path, *, profile: str | Path | None = None, from_format: str | None = None, **options
) -> Administration:
    """Relations of a list (CSV/XLSX) or, with ``from_format``, of any administration koppel reads."""
    return read_relations_result(path, profile=profile, from_format=from_format, **options).adm


def read_relations_result(
    path: str | Path, *, profile: str | Path | None = None, from_format: str | None = None, **options
) -> ReadResult:
    """:func:`read_relations`, with what a list holds beyond the model (``extras``: the extra fields per relation,
    ``relation_findings``, ``relations_source``) or what the other format's reader kept there."""
    path = Path(path)
    if from_format and from_format != "relations":
        from ..registry import read_result

        return read_result(path, from_format, **options)
    if not path.is_file():
        raise KoppelError("file not found", file=path)
    dialect, headers, settings, extra = _profile(profile)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        dialect.format = "xlsx"
    elif profile is None:
        dialect = _sniffed_dialect(path)
    raw_table = read_raw(path, dialect)
    raw = pd.concat(list(raw_table.chunks), ignore_index=True) if raw_table.columns else pd.DataFrame()
    by_key = {c.strip().casefold(): c for c in raw_table.columns}
    found = {
        f: next((by_key[n.casefold()] for n in names if n.casefold() in by_key), None) for f, names in headers.items()
    }
    for field in ("relation_id", "name"):
        if found[field] is None:
            raise KoppelError(
                f"no column for {field}",
                file=path,
                line=raw_table.header_row,
                field=field,
                hint=f"columns: {', '.join(raw_table.columns)}; name it e.g. {headers[field][0]!r}",
            )
    text = {
        f: (raw[c].fillna("").astype("string").str.strip() if c else pd.Series("", index=raw.index, dtype="string"))
        for f, c in found.items()
    }
    frame = pd.DataFrame({f: text[f] for f in TABLES["relations"] if f in text})
    kinds = text["kind"].str.casefold().map(KINDS)
    default_kind = settings.get("kind")
    unknown = (text["kind"] != "") & kinds.isna()
    if unknown.any():
        i = int(unknown.to_numpy().argmax())
        raise KoppelError(
            f"unknown relation kind {text['kind'].iloc[i]!r}",
            file=path,
            line=int(raw[ROW].iloc[i]),
            field=found["kind"],
            hint="use debiteur/crediteur, customer/supplier, D/C, B or O",
        )
    # an empty kind stays unknown (not "other") unless the relations profile states one for the whole list
    frame["kind"] = (kinds.fillna(default_kind) if default_kind else kinds).astype("string")
    days = text["payment_days"].str.extract(r"(\d+)", expand=False)
    frame["payment_days"] = pd.to_numeric(days, errors="coerce").astype("Int64")
    frame = frame.replace("", pd.NA)
    extras = pd.DataFrame({"relation_id": frame["relation_id"], "_row": raw[ROW]})
    for field in EXTRA_FIELDS:
        extras[field] = text[field]
    if found["credit_limit"]:
        cents, bad = parse_cents_series(
            text["credit_limit"].str.replace(r"\s", "", regex=True),
            decimal_mark=dialect.decimal_mark,
            thousands=dialect.thousands,
        )
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise KoppelError(
                f"not an amount: {text['credit_limit'].iloc[i]!r}",
                file=path,
                line=int(raw[ROW].iloc[i]),
                field=found["credit_limit"],
            )
        extras["credit_limit"] = cents
    for name, column in extra.items():
        if column.casefold() not in by_key:
            raise KoppelError(f"no column {column!r} for extra field {name!r}", file=path, field=name)
        extras[name] = raw[by_key[column.casefold()]].fillna("").astype("string").str.strip()
    from .validate import validate_relations

    adm = Administration(header=Header(source_format="relations", software="koppel relations list"))
    relations, findings = validate_relations(conform("relations", frame), extras)
    adm.relations = conform("relations", relations)
    kept = {
        "relations": extras.drop_duplicates(subset=[c for c in extras.columns if c != "_row"]),
        "relation_findings": findings,
        "relations_source": pd.DataFrame({"file": [str(path)]}),
    }
    return ReadResult(adm, path, extras=kept)


def _sniffed_dialect(path: Path) -> ExportDialect:
    from ..sources.table import sniff_text

    text, encoding = sniff_text(path)
    first = text.splitlines()[0] if text else ""
    delimiter = max(";,\t", key=first.count)
    decimal = "," if delimiter == ";" else "."
    return ExportDialect(
        format="csv",
        encoding=encoding,
        delimiter=delimiter,
        decimal_mark=decimal,
        thousands="." if decimal == "," else "",
    )
