"""How a run looks on a terminal: a count-based progress bar on stderr and a summary table at the end."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from .runner import RunReport

COLUMNS = ("converted", "skipped", "quarantined", "flagged")
DRY_COLUMNS = ("convert", "skip", "quarantine", "flagged")


class CountBar:
    """``[####....] 120/2000 name`` on stderr, redrawn at most ten times a second; silent when not a terminal."""

    def __init__(self, stream: TextIO | None = None, force: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.enabled = force or self.stream.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int, name: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        filled = int(30 * done / max(total, 1))
        self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {name[:30]:<30}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 79 + "\r")
            self.stream.flush()


def summary_table(report: RunReport) -> str:
    """One row per job with counts, then the quarantined, flagged and checked inputs by name."""
    cols = DRY_COLUMNS if report.dry_run else COLUMNS
    jobs = list(dict.fromkeys(o.job for o in report.outcomes))
    rows = [("job", "inputs", *cols, "lines")]
    for job in jobs:
        c = report.counts(job)
        lines = sum(o.lines for o in report.outcomes if o.job == job)
        rows.append(
            (job, str(sum(v for k, v in c.items() if k != "flagged")), *(str(c.get(k, 0)) for k in cols), str(lines))
        )
    if not jobs:
        rows.append(("(no inputs)", "0", *("0" for _ in cols), "0"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = [
        "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths, strict=True)))
        for r in rows
    ]
    done = len(report.outcomes)
    rate = f", {done / report.seconds:,.1f} files/s" if report.seconds > 0 and done and not report.dry_run else ""
    workers = ""
    if not report.dry_run:
        workers = f" with {report.workers} worker(s)" if report.workers else " in this process"
    out.append(
        f"{'dry run: nothing was written' if report.dry_run else 'done'} in {report.seconds:.2f} s{workers}{rate}"
    )
    for o in report.outcomes:
        if o.action in ("quarantined", "quarantine"):
            out.append(f"quarantined  {o.job}/{o.name}: {o.error}")
    for o in report.outcomes:
        if o.flag:
            out.append(f"flagged      {o.job}/{o.name}: {o.flag}")
    for o in report.outcomes:
        if o.check:  # the job's check = true: the verdict, and where the report is
            c = o.check
            stem = Path(o.name).stem  # as the job names the report (koppel/jobs/task.py _write_check)
            out.append(f"checked      {o.job}/{o.name}: {c['verdict']} ({c['error']} errors, {c['warning']} warnings,"
                       f" {c['info']} info) -> {o.output}/{stem}.check.html")  # fmt: skip
    if report.dry_run:
        for o in report.outcomes:
            detail = f" -> {o.output}/" if o.output else (f" ({o.error})" if o.error else "")
            out.append(f"would {o.action:<10} {o.job}/{o.name}{detail}")
    return "\n".join(out)
