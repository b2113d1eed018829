"""XML Auditfile Financieel (XAF): detection and streaming reading of every version.

The reader (and with it pandas and pyarrow) is loaded when first asked for, so a lean process that only needs
the schemas or the version sniffing (the streaming XSD validation, :mod:`koppel.checks.xsd`) stays lean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .versions import XafFile, sniff_xaf

if TYPE_CHECKING:
    from .reader import iter_xaf, read_xaf

__all__ = ["XafFile", "iter_xaf", "read_xaf", "sniff_xaf"]


def __getattr__(name: str):
    if name in ("iter_xaf", "read_xaf"):
        from . import reader

        return getattr(reader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
