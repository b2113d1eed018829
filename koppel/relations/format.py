"""Registration of relation lists (XLSX/CSV of debtors and creditors) as an input format (``--from relations``)."""

from ..registry import FormatInfo, register
from .read import read_relations

register(
    FormatInfo(
        name="relations",
        title="Relation list (debtors/creditors) as XLSX or CSV, Dutch or English headers",
        evidence="A",
        reader=read_relations,
        carries={"entries": "", "relations": "r", "accounts": "", "opening": ""},
        notes="option profile=PATH (a relations profile .toml); IBAN, BIC, VAT, KvK and postcode are checked",
    )
)
