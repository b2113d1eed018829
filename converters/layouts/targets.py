"""Registration of the descriptor-driven package targets (Minox, Asperion, AccountView, Cash)."""

from __future__ import annotations

from ..registry import FormatInfo, register
from .descriptor import load_target
from .package import make_writer
from .reader import make_reader

NOTES = {
    "minox": "Exact FMUTA CSV for MINOX-Import [3P]; relations and GL per the Minox Online API fields [A]",
    "asperion": "journal CSV for a helpdesk-built import definition; relations and GL as lists for manual entry",
    "accountview": "CSV for AccountView import definitions (Easyflex 14-field layout) [3P/A]",
    "cash": "CSV per rubric for 'Import via bestandsindeling' (S0641) [A]",
}
CARRIES = {
    "minox": {"entries": "rw", "relations": "rw", "accounts": "rw", "opening": "rw"},
    "asperion": {"entries": "rw", "relations": "rw (list)", "accounts": "rw (list)", "opening": "rw"},
    "accountview": {"entries": "rw", "relations": "rw", "accounts": "rw", "opening": "rw"},
    "cash": {"entries": "rw", "relations": "rw", "accounts": "rw (list)", "opening": "rw"},
}

for _name in ("minox", "asperion", "accountview", "cash"):
    _layout = load_target(_name)
    register(
        FormatInfo(
            name=_name,
            title=f"{_layout.title} import files",
            evidence=_layout.evidence,
            reader=make_reader(_name),
            writer=make_writer(_name),
            carries=CARRIES[_name],
            notes=NOTES[_name],
        )
    )

_ascii = load_target("cash-ascii")
register(
    FormatInfo(
        name="cash-ascii",
        title=f"{_ascii.title} import files",
        evidence="A",
        writer=make_writer("cash-ascii"),
        carries={"entries": "w", "relations": "w", "accounts": "", "opening": "w"},
        notes="EXPERIMENTAL: record syntax not public, one isolated template (templates/cash_ascii.txt.j2)",
        experimental=True,
    )
)
