"""The row of one transaction line as the XAF reader fills it, and the texts of a master-data record.

Shared by the reader (which fills the slots) and the vocabularies (which map each version's element names
to them), so neither needs the other's internals.
"""

from __future__ import annotations

# Canonical line columns that come from the trLine (or CLAIR2 line) itself, in row-slot order.
LINE_SLOTS = (
    "line_nr",
    "account_id",
    "description",
    "relation_id",
    "doc_ref",
    "invoice_ref",
    "effective_date",
    "cost_center",
    "cost_unit",
    "project",
    "quantity",
    "bank_account",
    "vat_code",
    "vat_rate",
    "currency",
)
SLOT = {name: i for i, name in enumerate(LINE_SLOTS)}
# Raw amount slots after the named ones: A (amnt / debitAmount), B (amntTp / creditAmount),
# VAT amount, VAT side, currency amount, source line number.
A, B, VAT_AMT, VAT_SIDE, CUR_AMT = range(len(LINE_SLOTS), len(LINE_SLOTS) + 5)
ROW_WIDTH = CUR_AMT + 1  # every slot holds a str or None, so a batch converts to Arrow in one call
# Markers in a vocabulary's line map for children that are blocks or not carried.
VAT_BLOCK, CURRENCY_BLOCK, UNKNOWN = -1, -2, -3


def element_text(elem) -> str | None:
    """Stripped text of an element; an empty one is None."""
    text = elem.text
    if text is None:
        return None
    text = text.strip()
    return text or None


def record_fields(elem, ns_len: int) -> dict[str, object]:
    """Child texts of a master-data record by local name; nested blocks as dicts (first one wins)."""
    out: dict[str, object] = {}
    for child in elem:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        name = tag[ns_len:]
        if len(child):
            out.setdefault(name, record_fields(child, ns_len))
        else:
            out.setdefault(name, element_text(child))
    return out
