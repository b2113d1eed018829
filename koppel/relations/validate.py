"""Checks on relation master data: IBAN, BIC, Dutch VAT number, KvK number, postcode, e-mail, SEPA mandate,
duplicates and conflicts. Findings are data (code, severity, relation, field, value, message), never raised.

Values are also normalised where the check can do it safely (IBAN compact and upper case, postcode
``1234 AB``, VAT number compact); the finding then says so.
"""

from __future__ import annotations

import re

import pandas as pd
from stdnum import bic, iban
from stdnum.exceptions import ValidationError
from stdnum.nl import btw, postcode

FINDING_COLUMNS = ["code", "severity", "relation_id", "field", "value", "message"]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_KVK = re.compile(r"^\d{8}$")


def _finding(code: str, severity: str, rid, field: str, value, message: str) -> dict:
    return {"code": code, "severity": severity, "relation_id": rid, "field": field, "value": value, "message": message}


def _is_nl(country) -> bool:
    return pd.isna(country) or str(country).strip().upper() in ("", "NL", "NEDERLAND", "NETHERLANDS")


def validate_relations(
    relations: pd.DataFrame, extras: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(normalised relations, findings). Error findings mean the value would be rejected by a package."""
    rel = relations.copy()
    out: list[dict] = []
    for i, row in rel.iterrows():
        rid = row["relation_id"]
        value = row["iban"]
        if pd.notna(value):
            try:
                rel.at[i, "iban"] = iban.validate(value)
            except ValidationError as exc:
                out.append(_finding("R03", "error", rid, "iban", value, f"not a valid IBAN: {exc}"))
        value = row["bic"]
        if pd.notna(value):
            try:
                rel.at[i, "bic"] = bic.validate(value)
            except ValidationError as exc:
                out.append(_finding("R04", "error", rid, "bic", value, f"not a valid BIC: {exc}"))
        value = row["vat_number"]
        if pd.notna(value) and (str(value).upper().replace(" ", "").startswith("NL") or _is_nl(row["country"])):
            try:
                rel.at[i, "vat_number"] = "NL" + btw.validate(value)
            except ValidationError as exc:
                out.append(_finding("R05", "error", rid, "vat_number", value, f"not a valid Dutch VAT number: {exc}"))
        value = row["kvk"]
        if pd.notna(value):
            compact = re.sub(r"[\s.]", "", str(value))
            if _KVK.match(compact):
                rel.at[i, "kvk"] = compact
            else:
                out.append(_finding("R06", "error", rid, "kvk", value, "a KvK number has 8 digits"))
        value = row["postal_code"]
        if pd.notna(value) and _is_nl(row["country"]):
            try:
                rel.at[i, "postal_code"] = postcode.validate(value)  # "1234 AB"
            except ValidationError:
                out.append(_finding("R07", "error", rid, "postal_code", value, "not a Dutch postcode (1234 AB)"))
        value = row["email"]
        if pd.notna(value) and not _EMAIL.match(str(value)):
            out.append(_finding("R08", "warning", rid, "email", value, "does not look like an e-mail address"))
    if extras is not None and "mandate_reference" in extras:
        for _, row in extras.iterrows():
            mid, date = row.get("mandate_reference") or "", row.get("mandate_date") or ""
            if bool(mid) != bool(date):
                out.append(
                    _finding(
                        "R09",
                        "error",
                        row["relation_id"],
                        "sepa_mandate",
                        f"{mid} {date}".strip(),
                        "a SEPA mandate needs both its id and its signing date",
                    )
                )
            if mid:
                has_iban = rel.loc[rel["relation_id"] == row["relation_id"], "iban"].notna().any()
                if not has_iban:
                    out.append(
                        _finding(
                            "R09",
                            "error",
                            row["relation_id"],
                            "sepa_mandate",
                            mid,
                            "a SEPA mandate without an IBAN cannot be collected",
                        )
                    )
    out += _duplicates(rel)
    findings = pd.DataFrame(out, columns=FINDING_COLUMNS)
    rel = rel.drop_duplicates(keep="first").reset_index(drop=True)
    return rel, findings


def _duplicates(rel: pd.DataFrame) -> list[dict]:
    out = []
    for rid, group in rel[rel["relation_id"].duplicated(keep=False)].groupby("relation_id", sort=True):
        distinct = group.drop_duplicates()
        if len(distinct) == 1:
            out.append(
                _finding(
                    "R01",
                    "warning",
                    rid,
                    "relation_id",
                    rid,
                    f"listed {len(group)} times with the same data; kept once",
                )
            )
        else:
            fields = [c for c in distinct.columns if distinct[c].nunique(dropna=False) > 1]
            out.append(
                _finding(
                    "R02",
                    "error",
                    rid,
                    ",".join(fields),
                    rid,
                    f"listed {len(group)} times with different {', '.join(fields)}: decide which is right",
                )
            )
    for field, code in (("iban", "R10"), ("vat_number", "R11"), ("kvk", "R12")):
        values = rel.drop_duplicates("relation_id")
        values = values[values[field].notna()]
        for value, group in values[values[field].duplicated(keep=False)].groupby(field, sort=True):
            ids = ", ".join(group["relation_id"].astype(str))
            out.append(
                _finding(
                    code,
                    "warning",
                    ids,
                    field,
                    value,
                    f"relations {ids} share this {field}: the same party entered twice?",
                )
            )
    return out
