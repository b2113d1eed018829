"""``koppel formats``."""

from __future__ import annotations

import json

import click

from ..format_options import CONVERT_OPTIONS, reader_options, target_options
from ..registry import EVIDENCE, FormatInfo, all_formats, get_format
from . import cli


def _options(info: FormatInfo) -> dict[str, list[dict]]:
    """The options of the format's reader (--read-option) and writer (--option), as data."""
    out: dict[str, list[dict]] = {}
    if info.reads:
        out["read"] = [o.as_data() for o in reader_options(info.name)]
    if info.writes:
        out["write"] = [o.as_data() for o in target_options(info.name)]
    return out


def _show_one(info: FormatInfo, as_json: bool) -> None:
    options = _options(info)
    if as_json:
        row = {"name": info.name, "title": info.title, "reads": info.reads, "writes": info.writes,
               "carries": info.carries, "evidence": info.evidence, "notes": info.notes, "options": options,
               "convert_options": [o.as_data() for o in CONVERT_OPTIONS]}  # fmt: skip
        click.echo(json.dumps(row, indent=2, ensure_ascii=False))
        return
    click.echo(f"{info.name}: {info.title}{' (experimental)' if info.experimental else ''}")
    click.echo(f"  evidence {info.evidence} ({EVIDENCE.get(info.evidence, info.evidence)})")
    carries = ", ".join(f"{k} {v}" for k, v in info.carries.items() if v)
    if carries:
        click.echo(f"  carries: {carries}")
    if info.notes:
        click.echo(f"  {info.notes}")
    if info.writes:
        click.echo(f"  -o names a {'file' if getattr(info, 'output', 'folder') == 'file' else 'folder'}")
    for side, flag in (("read", "--read-option"), ("write", "--option")):
        if side not in options:
            continue
        listed = reader_options(info.name) if side == "read" else target_options(info.name)
        click.echo(f"  {side} options ({flag} KEY=VALUE):" + ("" if listed else " none"))
        for option in listed:
            click.echo(f"    {option.describe()}")
    if info.writes:
        click.echo("  options of every conversion (--option KEY=VALUE):")
        for option in CONVERT_OPTIONS:
            click.echo(f"    {option.describe()}")


@cli.command("formats")
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def formats_command(name: str | None, as_json: bool) -> None:
    """Every format koppel knows: reads/writes, what it carries, and how sure we are of its layout.

    With NAME: that format in full, with the options its reader (--read-option) and writer (--option) accept.
    """
    if name is not None:
        _show_one(get_format(name), as_json)
        return
    rows = [
        {
            "name": f.name,
            "title": f.title,
            "reads": f.reads,
            "writes": f.writes,
            "carries": f.carries,
            "evidence": f.evidence,
            "evidence_meaning": EVIDENCE.get(f.evidence, f.evidence),
            "experimental": f.experimental,
            "notes": f.notes,
        }
        for f in all_formats()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    click.echo(f"{'format':<20} {'read':<5} {'write':<6} {'evidence':<9} carries / notes")
    for r in rows:
        carries = ", ".join(f"{k} {v}" for k, v in r["carries"].items() if v)
        flag = " (experimental)" if r["experimental"] else ""
        click.echo(
            f"{r['name']:<20} {'yes' if r['reads'] else '-':<5} {'yes' if r['writes'] else '-':<6} "
            f"{r['evidence']:<9} {r['title']}{flag}"
        )
        if carries:
            click.echo(f"{'':<43}carries: {carries}")
        if r["notes"]:
            click.echo(f"{'':<43}{r['notes']}")
    click.echo("\nevidence: " + "; ".join(f"{k} = {v}" for k, v in EVIDENCE.items()))
