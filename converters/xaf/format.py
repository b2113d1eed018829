"""Registration of the XAF auditfile in the format registry."""

from ..registry import FormatInfo, register
from .reader import read_xaf

register(
    FormatInfo(
        name="xaf",
        title="XML Auditfile Financieel (CLAIR2, 3.0, 3.1, 3.2, 3.2.1, 4.0)",
        evidence="V",
        reader=read_xaf,
        carries={"entries": "r", "relations": "r", "accounts": "r", "opening": "r"},
        notes="official XSDs; version detected from namespace and vocabulary",
    )
)
