"""Registration of the package formats of issue 8 (Exact Online, Twinfield, King, SnelStart, AFAS, Multivers,
Exact Globe, Visma eAccounting) and of the packages without a file import (e-Boekhouden, Boekhoud Gemak).

Evidence, what each format carries and what is still unknown come from the layout descriptors in
``schemas/`` — the same data the writers and IMPORTEREN.md use.
"""

from __future__ import annotations

from ..layouts.descriptor import load_target
from ..layouts.package import make_writer
from ..layouts.reader import make_reader
from ..registry import FormatInfo, register
from .afas import write_afas
from .descriptors import descriptor, weakest
from .exact_globe import write_exact_globe
from .exact_online import write_exact_online
from .exact_online_reader import read_exact_online
from .king import write_king
from .king_reader import read_king
from .template_targets import write_template, write_visma
from .twinfield import write_twinfield
from .twinfield_reader import read_twinfield


def _info(target: str, writer=None, reader=None, **kw) -> FormatInfo:
    d = descriptor(target)
    unknown = d.get("unknown", [])
    notes = d.get("notes", "")
    if unknown:
        notes = (notes + " " if notes else "") + "Unknown: " + "; ".join(u.rstrip(".") for u in unknown) + "."
    return register(
        FormatInfo(
            name=target,
            title=d["title"],
            evidence=weakest(target),
            reader=reader,
            writer=writer,
            carries=dict(d.get("carries", {})),
            notes=notes,
            **kw,
        )
    )


_info("exact-online", writer=write_exact_online, reader=read_exact_online)
_info("twinfield", writer=write_twinfield, reader=read_twinfield)
_info("king", writer=write_king, reader=read_king)
_info("afas", writer=write_afas)
_info("visma-eaccounting", writer=write_visma)
_info("template", writer=write_template)

NO_FILE_IMPORT = (
    "No file import of journal entries or relations was found (formats.md §3.12); {detail} Use XAF: "
    "koppel reads its auditfile export (--from xaf) and writes XAF 3.2/4.0 (--to xaf32 / xaf40)."
)
for _name, _title, _detail in (
    ("e-boekhouden", "e-Boekhouden.nl", "bank statements import as MT940/CSV; entries and relations only via its API."),
    ("boekhoud-gemak", "Boekhoud Gemak", "no import format is published."),
):
    register(
        FormatInfo(
            name=_name,
            title=_title,
            evidence="3P" if _name == "e-boekhouden" else "A",
            carries={"entries": "", "relations": "", "accounts": "", "opening": ""},
            notes=NO_FILE_IMPORT.format(detail=_detail),
        )
    )


def _layout_info(target: str, writer=None, reader=None, carries=None, notes: str = "") -> FormatInfo:
    """A package whose files are delimited layouts in ``schemas/<target>/`` (the issue-3 descriptor engine)."""
    from ..layouts.targets import _marks

    layout = load_target(target)
    notes = f"{notes} {_marks(target)}" if notes else _marks(target)
    return register(
        FormatInfo(
            name=target,
            title=layout.title,
            evidence=layout.evidence,
            reader=reader or make_reader(target),
            writer=writer or make_writer(target),
            carries=carries or {},
            notes=notes,
        )
    )


_layout_info(
    "snelstart",
    carries={"entries": "rw", "relations": "rw", "accounts": "rw", "opening": "rw"},
    notes="CSV per importprofiel (Relaties → Importeren), fld… names; one fldBoekingcode per entry, VAT as its own "
    "line; suppliers import only in SnelStart 12. Unknown: vendor sample files for Boekingen/Klanten (exact fld "
    "spellings, date and decimal form, BOM); the grootboekfunctie numbers ([account_functions] in the mapping);",
)
_layout_info(
    "multivers",
    carries={"entries": "rw", "relations": "", "accounts": "", "opening": "rw"},
    notes="CSV for a user import definition (rubrics as Easyflex maps them). Unknown: relation import; a relation "
    "column in journal imports; meaning of Dossier; date/decimal of a typical definition.",
)
_layout_info(
    "exact-globe",
    writer=write_exact_globe,
    carries={"entries": "rw", "relations": "", "accounts": "", "opening": "rw"},
    notes="'Financiële boekingen' CSV (40 fields) + eExact XML FinEntries (Exact's Globe schema); the CSV reads back. "
    "Unknown: Globe-specific field widths beyond Exact's tables; relation/GL import not written.",
)
