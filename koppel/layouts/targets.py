"""Registration of the descriptor-driven package targets (Minox, Asperion, AccountView, Cash)."""

from __future__ import annotations

from ..registry import FormatInfo, register
from .descriptor import evidence_counts, load_target, weakest
from .package import make_writer
from .reader import make_reader


def _marks(name: str) -> str:
    """How many columns of the target's files are verified (V), third-party (3P) or assumed (A)."""
    total = {"V": 0, "3P": 0, "A": 0}
    for f in load_target(name).files:
        for mark, n in evidence_counts(f).items():
            total[mark] += n
    return f"columns: {total['V']} verified (V), {total['3P']} third-party (3P), {total['A']} assumed (A)"


def _weakest(name: str) -> str:
    """The weakest evidence mark of any file of the target (what the registry's ``evidence`` means)."""
    layout = load_target(name)
    return weakest([layout.evidence, *(f.evidence for f in layout.files)])


NOTES = {
    "minox": "Exact FMUTA CSV for MINOX-Import [A: that Minox reads this Exact file is an assumption]; relations and "
    "GL as lists for manual entry (no file import found)",
    "asperion": "journal CSV for a helpdesk-built import definition; relations and GL as lists for manual entry",
    "accountview": "CSV for AccountView import definitions (Easyflex 14-field layout) [3P/A]",
    "cash": "CSV per rubric for 'Import via bestandsindeling' (S0641) [A]",
}
CARRIES = {
    "minox": {"entries": "rw", "relations": "rw (list)", "accounts": "rw (list)", "opening": "rw"},
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
            evidence=_weakest(_name),
            reader=make_reader(_name),
            writer=make_writer(_name),
            carries=CARRIES[_name],
            notes=f"{NOTES[_name]}; {_marks(_name)}",
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
        notes="EXPERIMENTAL: record syntax not public, one isolated template (templates/cash_ascii.txt.j2); "
        + _marks("cash-ascii"),
        experimental=True,
    )
)
