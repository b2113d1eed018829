"""Registration of the package formats of issue 8 (Exact Online, Twinfield, King, SnelStart, AFAS, Multivers,
Exact Globe, Visma eAccounting) and of the packages without a file import (e-Boekhouden, Boekhoud Gemak).

Evidence, what each format carries and what is still unknown come from the layout descriptors in
``schemas/`` — the same data the writers and IMPORTEREN.md use.
"""

from __future__ import annotations

from ..registry import FormatInfo, register
from .descriptors import descriptor, weakest
from .exact_online import write_exact_online
from .exact_online_reader import read_exact_online
from .king import write_king
from .king_reader import read_king
from .twinfield import write_twinfield
from .twinfield_reader import read_twinfield


def _info(target: str, writer=None, reader=None, **kw) -> FormatInfo:
    d = descriptor(target)
    unknown = d.get("unknown", [])
    notes = d.get("notes", "")
    if unknown:
        notes = (notes + " " if notes else "") + "Unknown: " + "; ".join(unknown)
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
