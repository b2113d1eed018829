"""Tell an export that a source profile reads (a bank statement, a table) from a bookkeeping file, by its content.

Such an export is never read without a profile: the profile says which accounts its money goes to. This module
only names what the file looks like, so the message for ``koppel inspect bank.sta`` can name the option that
reads it instead of "cannot tell the format".
"""

from __future__ import annotations

import re
from pathlib import Path

_MT940 = re.compile(rb"(?:^|[\r\n]):20:.*[\r\n]+(?:.*[\r\n]+)?:25:", re.DOTALL)
_TABLES = {".csv", ".txt", ".tsv", ".xlsx", ".xls", ".xlsm", ".ods"}


def export_kind(path: Path, head: bytes) -> tuple[str, str] | None:
    """(what the file is, the option that reads it) for an export read through a source profile, else None."""
    text = head.replace(b"\x00", b"")  # UTF-16 statements: the ASCII markers survive
    if b"camt.053" in text:
        return "a CAMT.053 bank statement", "--profile bank-camt053"
    if re.search(rb"camt\.05[24]", text):
        return "a CAMT.052/054 bank message (koppel reads CAMT.053 statements)", "--profile bank-camt053"
    if text.lstrip().startswith(b"{1:") or _MT940.search(text):
        return "an MT940 bank statement", "--profile bank-mt940"
    if path.suffix.lower() in _TABLES:
        return "an export table (CSV or Excel)", "--profile NAME: 'koppel profile list', or 'koppel profile init FILE'"
    return None
