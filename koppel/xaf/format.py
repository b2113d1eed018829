"""Registration of the XAF auditfile in the format registry."""

from ..registry import FormatInfo, register
from .split import read_xaf_set

register(
    FormatInfo(
        name="xaf",
        title="XML Auditfile Financieel (CLAIR2, 3.0, 3.1, 3.2, 3.2.1, 4.0)",
        evidence="V",
        reader=read_xaf_set,  # a single file, or the whole split set it is the first part of
        carries={"entries": "r", "relations": "r", "accounts": "r", "opening": "r"},
        notes="official XSDs; version detected from namespace and vocabulary; split sets read as one",
    )
)
