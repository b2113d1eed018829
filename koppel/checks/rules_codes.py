"""Code-list rules (XAF-V05): a value outside its version's code list, one small function per field.

The lists come from :mod:`koppel.xaf.codes` (one table per version, compared with the XSDs), so check, reader
and writer agree on what a version allows. Each rule gets the record's children by local name (``kids``),
the record's path for the finding, the version's code lists and the collector; the scanner only dispatches.
A value koppel can still read (``d`` for a 3.x relation type, ``M`` in 4.0) is a warning with what koppel
reads it as; CLAIR2's free-text account type is only a finding when koppel cannot read it at all.
"""

from __future__ import annotations

from ..kinds import UNKNOWN, account_kind
from ..xaf.codes import CodeLists
from .findings import Collector

KIND_NL = {"B": "balans (B)", "P": "winst en verlies (P)", "M": "gemengd (M)"}


def _text(elem) -> str | None:
    if elem is None or elem.text is None:
        return None
    return elem.text.strip() or None


def _kind_hint(acc: str | None) -> str:
    return f'soort onbekend; geef haar op in het mapping-bestand: [account_kinds] "{acc}" = "P"'


def rule_v05_relation_type(kids: dict, path: str, codes: CodeLists, out: Collector) -> None:
    """customerSupplier/custSupTp outside the version's list (4.0 has no O)."""
    tp = _text(kids.get("custSupTp"))
    if tp is not None and tp not in codes.relation_types:
        out.add(
            "XAF-V05",
            kids["custSupTp"].sourceline,
            path + "/custSupTp",
            {"found": tp, "expected": "/".join(sorted(codes.relation_types))},
            hint="koppel leest D als klant (C); osFinancials schrijft D voor debiteur",
        )


def rule_v05_account_type(kids: dict, acc: str | None, codes: CodeLists, out: Collector) -> str | None:
    """ledgerAccount/accTp outside the version's list (4.0 has no M); returns the kind koppel reads."""
    raw = _text(kids.get("accTp"))
    kind = account_kind(raw)
    if raw is not None and raw not in codes.account_types:
        hint = f"koppel leest {raw!r} als {KIND_NL[kind]}" if kind in KIND_NL else _kind_hint(acc)
        expected = "/".join(sorted(codes.account_types))
        values = {"found": raw, "expected": expected, "gelezen als": KIND_NL.get(kind, "onbekend")}
        out.add("XAF-V05", kids["accTp"].sourceline, f"ledgerAccount[{acc}]/accTp", values, hint=hint)
    return kind


def rule_v05_clair2_account_type(kids: dict, acc: str | None, out: Collector) -> str | None:
    """CLAIR2 ledgerAccount/accountType is free text: only a value koppel cannot read is a finding."""
    raw = _text(kids.get("accountType"))
    kind = account_kind(raw)
    if kind == UNKNOWN:
        out.add(
            "XAF-V05",
            kids["accountType"].sourceline,
            f"ledgerAccount[{acc}]/accountType",
            {"found": raw, "expected": "balans- of W&V-soort"},
            hint=_kind_hint(acc),
        )
    return kind


def rule_v05_journal_type(kids: dict, jid: str | None, codes: CodeLists, out: Collector) -> None:
    """journal/jrnTp outside the journal type list."""
    kind = _text(kids.get("jrnTp"))
    if kind is not None and kind not in codes.journal_types:
        out.add(
            "XAF-V05",
            kids["jrnTp"].sourceline,
            f"journal[{jid}]/jrnTp",
            {"found": kind, "expected": "/".join(sorted(codes.journal_types))},
        )
