"""``koppel openitems``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..dates import parse_user_date
from ..errors import KoppelError
from ..money import format_cents
from ..openitems.engine import compute_open_items, subledgers_of
from ..openitems.output import payment_status, read_invoice_list, write_report, write_status
from ..outputs import check_file_output
from ..progress import activity
from ..xaf.consumers import wanted_in_pass
from . import cli
from .options import encoding_option, force_option, input_format_option, read_with_progress


def _date(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    return parse_user_date(value, field=field)


def _control(pairs: tuple[str, ...]) -> dict[str, str] | None:
    out = {}
    for pair in pairs:
        account, _sep, side = pair.partition(":")
        side = side.strip().lower() or "unknown"
        if not account.strip() or side not in ("customer", "supplier", "unknown"):
            raise KoppelError(
                f"--control-account {pair!r} is not ACCOUNT[:customer|supplier]",
                field="--control-account",
                hint="e.g. --control-account 1300:customer --control-account 1600:supplier",
            )
        out[account.strip()] = side
    return out or None


@cli.command("openitems")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="OUT.csv, OUT.xlsx or OUT.json.")
@click.option("--at", "at", default=None, metavar="DATE",
              help="Date of the position, 31-12-2024 or 2024-12-31 (default: end of the fiscal year).")
@click.option(
    "--invoices",
    type=click.Path(path_type=Path),
    default=None,
    help="CSV of sales invoices (column 'invoice', optional 'relation'): write their payment status instead.",
)
@click.option(
    "--control-account",
    "control",
    multiple=True,
    metavar="ACC[:customer|supplier]",
    help="Use these control accounts instead of detecting them (repeatable).",
)
@input_format_option
@encoding_option
@force_option
def openitems_command(
    path: Path,
    output: Path,
    at: str | None,
    invoices: Path | None,
    control: tuple[str, ...],
    from_format: str | None,
    encoding: str | None,
    force: bool,
) -> None:
    """Open items per relation and invoice at a date, reconciled with the debtors/creditors control accounts."""
    suffixes = (".csv",) if invoices is not None else (".csv", ".xlsx", ".json")
    companions = ()
    if invoices is None and output.suffix.lower() == ".csv":
        companions = tuple(output.with_name(f"{output.stem}.{part}.csv") for part in ("postings", "reconciliation"))
    check_file_output(output, option="-o", force=force, suffixes=suffixes, companions=companions,
                      what="the open items" if invoices is None else "the payment status")  # fmt: skip
    wanted = read_invoice_list(invoices) if invoices is not None else None
    with activity("openitems") as act:
        with wanted_in_pass(subledgers=True):  # collected in the read's own pass: the file is read once
            adm = read_with_progress(path, from_format, encoding)
        if act.enabled:
            act.phase("matching")
        result = compute_open_items(
            adm, _date(at, "--at"), subledgers=subledgers_of(adm), control_accounts=_control(control)
        )
    if wanted is not None:
        status = payment_status(result, wanted)
        write_status(status, output)
        counts = status["status"].value_counts().to_dict()
        click.echo(
            f"wrote {output}: {len(status)} invoices at {result.at} ("
            + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            + ")"
        )
        return
    files = write_report(result, output, input_path=path)
    click.echo(f"open items at {result.at}: {result.open_count()} on {len(result.control)} control account(s)")
    for row in result.reconciliation.itertuples(index=False):
        state = "reconciles" if row.reconciles else f"differs by {format_cents(row.difference)} ({row.note})"
        if row.unallocated_total:
            state += f"; unallocated payments {format_cents(row.unallocated_total)}"
        click.echo(f"  {row.control_account} {row.name or ''} [{row.side}, {row.identified_by}]: {state}")
    for note in result.notes:
        click.echo(f"  note: {note}")
    for file in files:
        click.echo(f"  wrote {file}")
