"""Registration of the package formats written by Python writers from a descriptor (``schemas/<name>.toml``)
and of the packages without a file import. Formats with a folder of layouts register themselves
(``koppel/layouts/targets.py``).

Evidence, what each format carries and what is still unknown come from the layout descriptors in
``schemas/`` — the same data the writers and IMPORTEREN.md use.
"""

from __future__ import annotations

from ..format_options import options_from_data
from ..registry import FormatInfo, register
from .afas import write_afas
from .descriptors import descriptor, descriptor_path, weakest_mark
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
            evidence=weakest_mark(target),
            reader=reader,
            writer=writer,
            carries=dict(d.get("carries", {})),
            notes=notes,
            opening_items=d.get("opening_items", ""),
            write_options=options_from_data(d.get("options", []), str(descriptor_path(target))),
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
