"""``koppel formats``."""

from __future__ import annotations

import json

import click

from ..registry import EVIDENCE, all_formats
from . import cli


@cli.command("formats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def formats_command(as_json: bool) -> None:
    """Every format koppel knows: reads/writes, what it carries, and how sure we are of its layout."""
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
