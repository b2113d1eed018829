"""Registration of profile-driven source exports in the format registry (``--from profile``)."""

from ..registry import FormatInfo, register
from .reader import read_export

register(
    FormatInfo(
        name="profile",
        title="ERP/POS/shop/bank export read through a source profile (CSV, XLSX, MT940, CAMT.053)",
        evidence="A",
        reader=read_export,
        carries={"entries": "r", "relations": "", "accounts": "r", "opening": ""},
        notes="option profile=NAME|PATH (built-in: koppel profile list); until=YYYY-MM-DD; aggregate=none|day|month",
    )
)
