"""The separate upgrade scan that ``--keep-dropped`` ran before the reader counted in its own pass: kept here
as an independent reference for the in-pass :class:`koppel.xaf.upgrade.DropCounter` (counts and kept values).

One lxml iterparse over the whole file with a stack of (name, state); it is the code koppel shipped, unchanged
except that it lives in the tests now.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from lxml import etree

from koppel.reports.safe_text import CsvRows
from koppel.xaf.safety import parser_options
from koppel.xaf.upgrade import (
    CARRIED_C2,
    CARRIED_X3,
    CSV_COLUMNS,
    FIRST_ONLY,
    NESTED,
    drop_reason,
    dropped_value,
    has_data,
    opening_drop,
)

_CONTEXT = {
    ("journal", "jrnID"): "journal",
    ("journal", "journalID"): "journal",
    ("transaction", "nr"): "entry",
    ("transaction", "transactionID"): "entry",
    ("trLine", "nr"): "line",
    ("line", "recordID"): "line",
    ("customerSupplier", "custSupID"): "relation",
    ("ledgerAccount", "accID"): "account",
    ("ledgerAccount", "accountID"): "account",
}
_RESETS = {
    "journal": ("journal", "entry", "line"),
    "transaction": ("entry", "line"),
    "trLine": ("line",),
    "line": ("line",),
    "customerSupplier": ("relation",),
    "ledgerAccount": ("account",),
}


def scan_dropped(
    path: Path | str,
    family: str,
    *,
    opening_entries: set[tuple[str, str]] | None = None,
    encoding: str | None = None,
    keep_csv: Path | None = None,
) -> dict[tuple[str, str], int]:
    """Count (element, reason) of every element with data that an XAF 4.0 conversion drops.

    ``family`` is "2.0" (CLAIR2) or "3" (3.0-3.2.1, 4.0). ``opening_entries``: (journal, nr) of the period-0
    transactions that carry the opening balance; their lines become obLines. ``keep_csv`` writes one row per dropped
    element (element, context ids, value).
    """
    carried = CARRIED_C2 if family == "2.0" else CARRIED_X3
    counts: dict[tuple[str, str], int] = {}
    with contextlib.ExitStack() as stack:
        writer = None
        if keep_csv is not None:
            writer = CsvRows(stack.enter_context(Path(keep_csv).open("w", encoding="utf-8", newline="")))
            writer.writerow(CSV_COLUMNS)
        _scan(Path(path), carried, counts, writer, opening_entries or set(), family, encoding)
    return counts


def _scan(path, carried, counts, writer, opening_entries, family, encoding) -> None:
    stack: list[list] = []  # [local name, state, child counts, opening flag]; state: "keep", "drop-top", "in-drop"
    context = dict.fromkeys(("journal", "entry", "line", "relation", "account"), "")
    opening_tx = False
    for event, elem in etree.iterparse(
        str(path), events=("start", "end"), encoding=encoding, **parser_options()
    ):
        if not isinstance(elem.tag, str):
            continue
        name = elem.tag.rsplit("}", 1)[-1]
        if event == "start":
            if not stack:
                stack.append([name, "keep", {}, False])
                continue
            parent = stack[-1]
            pname, pstate, seen, _ = parent
            if pstate != "keep":
                stack.append([name, "in-drop", None, False])
                continue
            n = seen.get(name, 0) + 1
            seen[name] = n
            keep = (pname, name) in carried and not ((pname, name) in FIRST_ONLY and n > 1)
            opening = False
            if keep and opening_tx and opening_drop(pname, name):
                keep, opening = False, True
            for reset in _RESETS.get(name, ()):
                context[reset] = ""
            if name == "transaction":
                opening_tx = False
            stack.append([name, "keep" if keep else "drop-top", {} if keep else None, opening])
            continue
        # end
        frame = stack.pop()
        state = frame[1]
        parent = stack[-1][0] if stack else None
        if state == "keep":
            if not len(elem):
                key = _CONTEXT.get((parent, name))
                if key:
                    context[key] = (elem.text or "").strip()
                if opening_entries and parent == "transaction" and key == "entry":
                    opening_tx = (context["journal"], context["entry"]) in opening_entries
            if stack:
                elem.clear(keep_tail=False)
                prev = elem.getprevious()
                while prev is not None:
                    prev.getparent().remove(prev)
                    prev = elem.getprevious()
        elif state == "drop-top":
            if has_data(elem):
                owner = f"{stack[-2][0]}/{parent}" if parent in NESTED and len(stack) > 1 else parent
                label = f"{owner}/{name}" if not frame[3] else f"{owner} (opening, period 0)/{name}"
                key = (label, drop_reason(family, parent, name, frame[3]))
                counts[key] = counts.get(key, 0) + 1
                if writer is not None:
                    writer.writerow(
                        [
                            label,
                            context["journal"],
                            context["entry"],
                            context["line"],
                            context["relation"],
                            context["account"],
                            dropped_value(elem),
                        ]
                    )
            elem.clear(keep_tail=False)


