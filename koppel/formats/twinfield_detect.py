"""Is this a Twinfield XML file? Its root is one of Twinfield's (transactions, dimensions, one of either) and it
names a Twinfield office: read by content, cheaply, without importing the reader."""

from __future__ import annotations

from ..xml_head import root_name

ROOTS = frozenset({"transactions", "transaction", "dimensions", "dimension"})


def is_twinfield(head: bytes) -> bool:
    """True for the first bytes of a Twinfield transactions or dimensions file (webservice or file manager)."""
    return root_name(head) in ROOTS and b"<office" in head
