"""XML Auditfile Financieel (XAF): detection and streaming reading of every version."""

from .reader import iter_xaf, read_xaf
from .versions import XafFile, sniff_xaf

__all__ = ["XafFile", "iter_xaf", "read_xaf", "sniff_xaf"]
