"""``koppel run``: process a job file's inboxes once."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from ..jobs.report import summary_table
from ..jobs.runner import run_job_file
from ..progress import activity, counting
from . import cli

workers_option = click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Worker processes (default: one per CPU; 0 = in this process).",
)
scheduler_option = click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Run the tasks on a Dask distributed cluster, e.g. tcp://10.0.0.5:8786 (needs koppel[dask]).",
)


@cli.command("run")
@click.argument("job_file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would happen; write, move and create nothing.")
@workers_option
@scheduler_option
@click.option("--json", "as_json", is_flag=True, help="Print the outcome per input as JSON instead of a table.")
def run_command(job_file: Path, dry_run: bool, workers: int | None, scheduler: str | None, as_json: bool) -> int:
    """Convert every new file in the job's inboxes exactly once (exit 0 all fine, 1 some quarantined)."""
    with activity("run") as act:
        progress = counting(act) if act.enabled else None
        report = run_job_file(job_file, dry_run=dry_run, workers=workers, scheduler=scheduler, progress=progress)
    if as_json:
        payload = {
            "dry_run": report.dry_run,
            "seconds": round(report.seconds, 3),
            "counts": report.counts(),
            "inputs": [asdict(o) for o in report.outcomes],
        }
        from ..provenance import stamp

        click.echo(json.dumps(stamp(payload), indent=2, ensure_ascii=False))  # which koppel, when
    else:
        click.echo(summary_table(report))
    return report.exit_code
