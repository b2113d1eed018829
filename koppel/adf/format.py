"""Registration of the ADF auditfile in the format registry."""

from ..registry import FormatInfo, register
from .reader import read_adf

register(
    FormatInfo(
        name="adf",
        title="ADF auditfile (CLAIR1.00.00, fixed width, 1999)",
        evidence="3P",
        reader=read_adf,
        carries={"entries": "r", "relations": "r", "accounts": "r", "opening": "r"},
        notes="Handleiding Auditfile 2001/2003 via pyxaf and Infor LN; master data collected from the lines",
    )
)
