"""Balance rules found per record: a transaction that does not balance (XAF-T07), a subledger whose declared
totals differ from its lines (XAF-T10), an opening balance on a result account (XAF-O03).

The file-level totals (T01–T06, T08, T09) need the whole pass and live in :mod:`.rules`.
"""

from __future__ import annotations

from ..errors import KoppelError
from ..money import format_cents, parse_cents
from .findings import Collector


def rule_t07_entry_balances(
    debit: int, credit: int, line: int | None, path: str, out: Collector, *, clair2: bool = False
) -> None:
    """The lines of one transaction sum to zero (Σ debit = Σ credit, in cents)."""
    if debit != credit:
        names = ("debitAmount", "creditAmount") if clair2 else ("debet", "credit")
        out.add("XAF-T07", line, path, {names[0]: format_cents(debit), names[1]: format_cents(credit)})


def rule_t10_subledger_totals(
    declared: dict, lines: int, debit: int, credit: int, line: int | None, path: str, out: Collector
) -> None:
    """A subledger's linesCount, totalDebit and totalCredit equal its lines (``declared``: text as written)."""
    found = {"linesCount": str(lines), "totalDebit": format_cents(debit), "totalCredit": format_cents(credit)}
    bad = {}
    for name, want in declared.items():
        if name == "linesCount":
            ok = want is not None and want.isdigit() and int(want) == lines
        else:
            try:
                ok = want is not None and parse_cents(want) == (debit if name == "totalDebit" else credit)
            except KoppelError:
                ok = False
        if not ok:
            bad[name] = f"{want if want is not None else '(ontbreekt)'} ≠ {found[name]}"
    if bad:
        out.add("XAF-T10", line, path, bad)


def rule_o03_opening_on_result_account(
    acc: str | None, signed: int, account: tuple | None, amount: str | None, line: int | None, path: str,
    out: Collector,
) -> None:  # fmt: skip
    """An obLine does not put an amount on a profit-and-loss account (kind P); ``account`` is (name, kind)."""
    if account is not None and account[1] == "P" and signed:
        out.add("XAF-O03", line, path, {"accID": acc, "amount": amount})
