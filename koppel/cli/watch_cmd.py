"""``koppel watch``: run a job file again and again, every few seconds."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..diskfull import DiskFull
from ..jobs.executors import make_executor
from ..jobs.lock import JobBusy
from ..jobs.report import summary_table
from ..jobs.runner import run_job_file
from ..progress import activity, counting
from . import cli
from .run_cmd import scheduler_option, workers_option


@cli.command("watch")
@click.argument("job_file", type=click.Path(path_type=Path))
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Pause between runs.",
)
@workers_option
@scheduler_option
@click.option("--max-runs", type=click.IntRange(min=1), default=None, metavar="N", help="Stop after N runs.")
def watch_command(
    job_file: Path, interval: float, workers: int | None, scheduler: str | None, max_runs: int | None
) -> int:
    """Process new drops as they arrive; a run of the same job elsewhere is waited for, not overlapped.

    Prints a summary after each run that found something. Stop it with Ctrl-C or SIGTERM (exit 130 / 143):
    a run that was under way is stopped like an interrupted `koppel run`, its inputs stay in the inbox.
    """
    executor = make_executor(workers, scheduler)  # warm workers live as long as the watch
    worst = 0
    runs = 0
    try:
        while max_runs is None or runs < max_runs:
            runs += 1
            try:
                with activity("watch") as act:
                    report = run_job_file(job_file, executor=executor, progress=counting(act) if act.enabled else None)
            except (JobBusy, DiskFull) as exc:  # both pass: the next run finishes what this one left in the inbox
                click.echo(f"koppel: {exc}; trying again in {interval:g} s", err=True)
            else:
                if report.outcomes:
                    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
                    click.echo(f"== {stamp}\n{summary_table(report)}")
                worst = max(worst, report.exit_code)
            if max_runs is None or runs < max_runs:
                time.sleep(interval)
    except KeyboardInterrupt:
        executor.close(now=True)
        raise
    finally:
        executor.close()
    return worst
