"""``koppel profile``: list, show, check and start source profiles for ERP/POS/shop/bank exports."""

from __future__ import annotations

from pathlib import Path

import click

from ..atomic import atomic_path
from ..money import format_cents
from ..outputs import check_file_output
from ..sources import builtin_profiles, load_profile, read_export
from ..sources.profile import find_profile
from ..sources.sniff import starter_profile
from . import cli


@cli.group("profile")
def profile_group() -> None:
    """Source profiles: how an export's rows become journal entries."""


@profile_group.command("list")
def list_command() -> None:
    """The built-in profiles."""
    for name in builtin_profiles():
        p = load_profile(name)
        click.echo(f"{name:<20} [{p.evidence}] {p.title}")


@profile_group.command("show")
@click.argument("profile")
def show_command(profile: str) -> None:
    """Print a profile (built-in name or path), to copy and adapt."""
    click.echo(find_profile(profile).read_text(encoding="utf-8"), nl=False)


@profile_group.command("init")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="Where to write (default: stdout).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init_command(path: Path, output: Path | None, force: bool) -> None:
    """Sniff a CSV/XLSX export and write a starter profile (detected settings; DECIDE marks the rest)."""
    if output is not None:
        check_file_output(output, option="-o", force=force, suffixes=(".toml",), what="a profile")
    text = starter_profile(path)
    if output is None:
        click.echo(text, nl=False)
        return
    with atomic_path(output) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
        load_profile(tmp)  # a starter always loads; never publish one that does not
    click.echo(f"wrote {output}; check every line marked DECIDE, then: koppel inspect {path} --profile {output}")


@profile_group.command("check")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--profile", "profile", required=True, metavar="P", help="Profile name or .toml.")
@click.option("--until", default=None, metavar="DATE",
              help="Hold back periods not closed by this date (31-12-2024 or 2024-12-31).")
@click.option("--aggregate", type=click.Choice(["none", "day", "month"]), default=None,
              help="One entry per source row, per day or per month (default: the profile's own setting).")
def check_command(path: Path, profile: str, until: str | None, aggregate: str | None) -> None:
    """Read an export with a profile and report: entries, totals, fallbacks, held-back and skipped rows."""
    read = read_export(path, profile=profile, until=until, aggregate=aggregate)
    adm = read.adm
    s = adm.stats
    click.echo(
        f"{s.transactions} entries, {s.lines} lines, debit {format_cents(s.debit)} = credit "
        f"{format_cents(s.credit)} ({adm.header.start_date} .. {adm.header.end_date})"
    )
    for row in read.extras["source_report"].itertuples(index=False):
        if row.count:
            click.echo(f"  {row.item}: {row.count}" + (f" ({row.detail})" if row.detail else ""))
    for what, count in adm.not_carried.items():
        click.echo(f"  not booked: {what}: {count}")
