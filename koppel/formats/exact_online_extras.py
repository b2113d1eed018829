"""Invoice and relation fields beyond the canonical model that Exact Online can carry, taken from (and read
back into) the read result's ``extras`` (``koppel.read_result.ReadResult``): payment reference, order number,
IntraStat on lines; SEPA mandates on relations.

A source profile names its extra columns (``[extra]`` in the profile); these names are the ones koppel knows.
"""

from __future__ import annotations

import pandas as pd

# extras["lines"] column -> References child (schema order)
REFERENCES = (("order_number", "OrderNumber"), ("payment_reference", "PaymentReference"))
# extras["lines"] column -> IntraStat child (schema order); numeric ones must be numbers
INTRASTAT = (
    ("intrastat_statistical_number", "StatisticalNumber"),
    ("intrastat_statistical_value", "StatisticalValue"),
    ("intrastat_statistical_quantity", "StatisticalQuantity"),
    ("intrastat_statistical_net_weight", "StatisticalNetWeight"),
    ("intrastat_system", "System"),
    ("intrastat_transaction_a", "TransactionA"),
    ("intrastat_transaction_b", "TransactionB"),
    ("intrastat_transport_method", "TransportMethod"),
    ("intrastat_delivery_term", "DeliveryTerm"),
    ("intrastat_area", "Area"),
    ("intrastat_reference", "Reference"),
)
NUMERIC = {"StatisticalValue", "StatisticalQuantity", "StatisticalNetWeight"}
# extras["relations"] mandate columns
MANDATE = ("mandate_reference", "mandate_date", "mandate_type", "mandate_payment_type", "mandate_first_send")
LINE_NAMES = tuple(n for n, _ in REFERENCES) + tuple(n for n, _ in INTRASTAT)


def _clean(value) -> str | None:
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def line_extras(extras: pd.DataFrame | None, journal_map: dict[str, str]) -> dict[tuple[str, str, str], dict]:
    """(mapped journal, entry, line) -> {known extra: value}, for the lines that have any."""
    if extras is None or extras.empty:
        return {}
    known = [c for c in extras.columns if c in LINE_NAMES]
    if not known:
        return {}
    out = {}
    for rec in extras[["journal_id", "entry_nr", "line_nr", *known]].astype(object).to_dict("records"):
        values = {k: _clean(rec[k]) for k in known}
        values = {k: v for k, v in values.items() if v is not None}
        if values:
            journal = str(rec["journal_id"])
            out[(journal_map.get(journal, journal), str(rec["entry_nr"]), str(rec["line_nr"]))] = values
    return out


def relation_extras(extras: pd.DataFrame | None) -> dict[str, dict]:
    """relation id -> mandate fields, for relations with a mandate reference."""
    if extras is None or extras.empty or "mandate_reference" not in extras.columns:
        return {}
    cols = [c for c in MANDATE if c in extras.columns]
    out = {}
    for rec in extras[["relation_id", *cols]].astype(object).to_dict("records"):
        values = {k: _clean(rec[k]) for k in cols}
        if values.get("mandate_reference"):
            out[str(rec["relation_id"])] = values
    return out


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
