"""Run a job file once: find new inputs, convert them in parallel, publish, record, archive or quarantine.

The order of steps per input is what makes a crash harmless at any moment:

1. a worker writes the outputs into a hidden staging folder in the outbox;
2. per batch, the coordinator syncs the filesystem (the staged files reach the disk), renames each
   staging folder onto its final name (one atomic rename per input) and fsyncs the outbox;
3. the state rows (content hash, outputs, booked row ids) of the batch are committed in one transaction;
4. only then the inputs leave the inbox (archive, or quarantine with its error file).

A crash before 3 leaves the input in the inbox and no state row: the next run converts it again and its
outputs (same name) replace the earlier ones. A crash after 3 leaves a processed input in the inbox:
the next run recognises its hash and just archives it. Staging leftovers are removed at the start.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..diskfull import DiskFull, disk_full, is_disk_full
from ..errors import KoppelError
from ..errors import one_line as printable
from ..logs import log, to_file
from .config import Job, JobFile, load_job_file
from .executors import Executor, make_executor
from .files import (
    Found,
    clean_leftovers,
    discover,
    fsync_dir,
    move_unique,
    output_name,
    publish_folder,
    quarantine,
    sha256_file,
    staging_path,
    sync_filesystem,
)
from .lock import job_lock
from .state import InputRecord, StateDB, utc_now
from .task import TABLE_TARGETS, Result, Task, process_input

DISK_FULL_HINT = "free space and run again; inputs not yet done stay in the inbox, nothing was quarantined for it"
FLUSH_EVERY = 128  # inputs per batch: one filesystem sync, one state transaction
FLUSH_SECONDS = 2.0
Progress = Callable[[int, int, str], None]


@dataclass
class Outcome:
    """What happened to one input in this run (or would happen, in a dry run)."""

    job: str
    name: str
    action: str  # converted, skipped, quarantined; with --dry-run: convert, skip, quarantine
    sha256: str = ""
    flag: str | None = None
    output: str | None = None  # outbox folder name
    moved_to: str | None = None
    lines: int = 0
    rows_skipped: int = 0
    seconds: float = 0.0
    error: str | None = None
    source: dict | None = None  # what the input was read as: format, version, software, company (as inspect)
    check: dict | None = None  # with the job's check: verdict and findings per severity


@dataclass
class RunReport:
    """The outcome of one run of a job file."""

    job_file: Path
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0

    @property
    def exit_code(self) -> int:
        """0 when every input went through, 1 when some were quarantined."""
        return 1 if any(o.action in ("quarantined", "quarantine") for o in self.outcomes) else 0

    def counts(self, job: str | None = None) -> dict[str, int]:
        out: dict[str, int] = {}
        for o in self.outcomes:
            if job is None or o.job == job:
                out[o.action] = out.get(o.action, 0) + 1
                if o.flag:
                    out["flagged"] = out.get("flagged", 0) + 1
        return out


@dataclass
class Planned:
    found: Found
    sha256: str
    size: int
    action: str  # convert, skip, refuse
    flag: str | None = None
    reason: str | None = None


def run_job_file(
    path: str | Path,
    *,
    dry_run: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> RunReport:
    """Run every job of a job file once. Job-level problems raise KoppelError (exit 2)."""
    job_file = load_job_file(path)
    if job_file.log_file is not None and not dry_run:
        to_file(job_file.log_file)
    check_targets(job_file)
    if dry_run:
        return plan_report(job_file)
    own = executor is None
    if executor is None and not scheduler:
        workers = pool_size(job_file, workers)
    executor = executor or make_executor(workers, scheduler)  # workers start before the lock is taken
    try:
        with job_lock(job_file.lock_path), StateDB(job_file.state_path) as db:
            try:
                report = _run(job_file, db, executor, progress)
                log_outcomes(report)
                return report
            except KeyboardInterrupt:  # Ctrl-C or SIGTERM: stop the workers now, then remove what they staged
                executor.close(now=True)
                for job in job_file.jobs:
                    clean_leftovers(job.outbox)
                raise
    except DiskFull as exc:
        exc.hint = DISK_FULL_HINT
        raise
    except (OSError, sqlite3.Error) as exc:
        if is_disk_full(exc):
            raise disk_full(exc, job_file.path.parent, DISK_FULL_HINT) from None
        raise
    except BrokenProcessPool:
        raise KoppelError(
            "a worker process died (out of memory or killed); inputs not yet recorded stay in the inbox",
            hint="run the job again; use --workers 1 if memory is short",
        ) from None
    finally:
        if own:
            executor.close()


def log_outcomes(report: RunReport) -> None:
    """One log line per input: what was done with it, where it went, and why when it was quarantined."""
    for o in report.outcomes:
        where = f" -> {o.output or o.moved_to}" if (o.output or o.moved_to) else ""
        line = f"job {o.job!r}: {o.name} ({o.sha256[:12]}): {o.action}{where}"
        if o.error:
            log.warning("%s: %s", line, o.error)
        elif o.check:
            c = o.check
            log.info("%s, %d lines; check: %s (%d errors, %d warnings)", line, o.lines, c["verdict"], c["error"],
                     c["warning"])  # fmt: skip
        else:
            log.info("%s, %d lines", line, o.lines)


def check_targets(job_file: JobFile) -> None:
    """An unknown target or input format makes the job unusable (exit 2), rather than quarantining every input."""
    from ..registry import source_format, target_format

    for job in job_file.jobs:
        for key, name, look_up in (("target", job.spec.target, target_format),
                                   ("from", job.spec.from_format, source_format)):  # fmt: skip
            if name is None or (key == "target" and name in TABLE_TARGETS):
                continue
            try:
                look_up(name, field=key)
            except KoppelError as exc:
                raise KoppelError(
                    exc.message, file=job_file.path, field=f"job {job.name!r}.{key}", hint=exc.hint
                ) from None


def plan(job: Job, db: StateDB) -> list[Planned]:
    """Decide, from content hashes and the state, what to do with each file in the inbox."""
    done = db.done(job.name)
    names = db.names(job.name)
    seen_now: dict[str, str] = {}
    out = []
    for found in discover(job.inbox, job.glob, job.settle_seconds, recursive=job.recursive):
        if found.refused:
            sha = hashlib.sha256(f"refused:{found.path}".encode()).hexdigest()
            out.append(Planned(found, sha, 0, "refuse", reason=found.refused))
            continue
        sha = sha256_file(found.path)
        size = found.path.stat().st_size
        name = found.path.name
        if sha in done:
            out.append(Planned(found, sha, size, "skip", reason=f"already processed (as {done[sha]})"))
        elif sha in seen_now:
            out.append(Planned(found, sha, size, "skip", reason=f"same content as {seen_now[sha]} in this run"))
        else:
            seen_now[sha] = name
            flag = None
            if names.get(name, set()) - {sha}:
                flag = "new content under a name processed before"
            out.append(Planned(found, sha, size, "convert", flag=flag))
    return out


def plan_report(job_file: JobFile) -> RunReport:
    """--dry-run: what a run would do; nothing is created, moved or written."""
    start = time.perf_counter()
    report = RunReport(job_file.path, dry_run=True)
    with StateDB(job_file.state_path, readonly=True) as db:
        plans = {job.name: plan(job, db) for job in job_file.jobs}
        refuse_double_claims(job_file, plans)
        for job in job_file.jobs:
            for p in plans[job.name]:
                action = {"convert": "convert", "skip": "skip", "refuse": "quarantine"}[p.action]
                output = output_name(p.found.path, p.sha256) if p.action == "convert" else None
                report.outcomes.append(
                    Outcome(job.name, p.found.path.name, action, p.sha256, p.flag, output, error=p.reason)
                )
    report.seconds = time.perf_counter() - start
    return report


def _run(job_file: JobFile, db: StateDB, executor: Executor, progress: Progress | None) -> RunReport:
    """Plan every job, then stream all their tasks through one executor: many small jobs keep every worker busy."""
    start = time.perf_counter()
    report = RunReport(job_file.path, dry_run=False, workers=executor.workers)
    db.start_run()
    committers: dict[str, _Committer] = {}
    tasks: list[Task] = []
    plans = {job.name: plan(job, db) for job in job_file.jobs}
    refuse_double_claims(job_file, plans)
    for job in job_file.jobs:
        for folder in (job.outbox, job.archive, job.quarantine):
            folder.mkdir(parents=True, exist_ok=True)
        clean_leftovers(job.outbox)
        committers[job.name] = _Committer(job, db, report)
        tasks += _start_job(job, plans[job.name], committers[job.name], report)
    try:
        for i, result in enumerate(executor.run(tasks), 1):
            task = tasks[i - 1]
            committers[task.job].take(result, task)
            if progress:
                progress(i, len(tasks), Path(result.input).name)
    except DiskFull:  # a worker found the disk full: what is done is still published and recorded, if there is room
        for committer in committers.values():
            committer.flush()
        raise
    for committer in committers.values():
        committer.flush()
    order = {job.name: i for i, job in enumerate(job_file.jobs)}
    report.outcomes.sort(key=lambda o: (order[o.job], o.name))
    report.seconds = time.perf_counter() - start
    db.finish_run({"seconds": round(report.seconds, 3), **report.counts()})
    return report


def pool_size(job_file: JobFile, workers: int | None) -> int | None:
    """Worker processes for one run: never more than the inputs waiting, and none (this process) for one input.

    A pool forked for a single file maps the process's pages once more per worker (the process tree's peak RSS
    counts them each time) and converts no faster. Counted before the job lock is taken, as a pool must start
    then; a file that arrives meanwhile is still converted, by the pool or in this process. An inbox that cannot
    be read is left to the plan, which says why under the lock."""
    try:
        waiting = sum(
            len(discover(job.inbox, job.glob, job.settle_seconds, recursive=job.recursive)) for job in job_file.jobs
        )
    except (KoppelError, OSError):
        return workers
    if workers == 0 or waiting <= 1:
        return 0
    return min(workers or os.cpu_count() or 1, waiting)


def refuse_double_claims(job_file: JobFile, plans: dict[str, list[Planned]]) -> None:
    """Before anything moves: no file may be claimed by two jobs (the job file's check of globs, made sure)."""
    owner: dict[str, str] = {}
    for name, planned in plans.items():
        for p in planned:
            key = str(p.found.path) if p.found.refused else os.path.realpath(p.found.path)
            if owner.setdefault(key, name) != name:
                raise KoppelError(
                    f"jobs {owner[key]!r} and {name!r} both claim {p.found.path}; nothing was done",
                    file=job_file.path,
                    field=f"job {name!r}.glob",
                    hint="give each job its own inbox, or globs no file name can match both",
                )


def _start_job(job: Job, planned: list[Planned], committer: _Committer, report: RunReport) -> list[Task]:
    """Archive what was done before, quarantine what is refused, and return the tasks for the rest."""
    tasks: list[Task] = []
    for p in planned:
        if p.action == "skip":
            moved = move_unique(p.found.path, job.archive, p.sha256)
            report.outcomes.append(
                Outcome(job.name, p.found.path.name, "skipped", p.sha256, moved_to=str(moved), error=p.reason)
            )
        elif p.action == "refuse":
            committer.fail(
                p,
                {
                    "message": f"refused: {p.reason}",
                    "file": str(p.found.path),
                    "hint": "put the file itself into the inbox, not a link to elsewhere",
                },
            )
        else:
            final = output_name(p.found.path, p.sha256)
            committer.planned[str(p.found.path)] = p
            tasks.append(Task(job.name, str(p.found.path), p.sha256, str(staging_path(job.outbox, final)), job.spec))
    committer.flush()
    return tasks


class _Committer:
    """Publishes results in task order and records them in batches; inputs move only after the commit."""

    def __init__(self, job: Job, db: StateDB, report: RunReport) -> None:
        self.job = job
        self.db = db
        self.report = report
        self.planned: dict[str, Planned] = {}
        self.booked: set[str] = set()  # row ids booked in this run, not yet committed
        self.pending: list[tuple[InputRecord, Outcome, Callable[[], Path], tuple[Path, Path] | None]] = []
        self.last_flush = time.monotonic()

    def take(self, result: Result, task: Task) -> None:
        p = self.planned[result.input]
        if result.ok and result.row_ids:
            result = self._without_booked_rows(result, task)
        if result.error and result.error.get("disk_full"):  # not the input's fault: it stays in the inbox
            raise DiskFull(result.error["message"], file=result.error.get("file"))
        if not result.ok:
            self.fail(p, result.error or {"message": "unknown error"}, result)
            return
        final_name = output_name(p.found.path, p.sha256)
        self.booked.update(result.row_ids)
        record = InputRecord(
            job=self.job.name,
            sha256=p.sha256,
            name=p.found.path.name,
            size=p.size,
            status="done",
            finished=utc_now(),
            seconds=round(result.seconds, 4),
            flag=p.flag,
            outputs=[f"{final_name}/{f}" for f in result.files],
            settings=self.job.spec.fingerprint(),
            lines=result.lines,
            rows_skipped=result.rows_skipped,
            row_ids=tuple(result.row_ids),
        )
        outcome = Outcome(
            self.job.name,
            p.found.path.name,
            "converted",
            p.sha256,
            p.flag,
            final_name,
            lines=result.lines,
            rows_skipped=result.rows_skipped,
            seconds=result.seconds,
            source=result.source,
            check=result.check,
        )
        staged = (Path(task.staging), self.job.outbox / final_name)
        self._add(record, outcome, lambda: move_unique(p.found.path, self.job.archive, p.sha256), staged)

    def _without_booked_rows(self, result: Result, task: Task) -> Result:
        """Convert again, leaving out rows an earlier input booked (overlapping exports); rare, so done here."""
        overlap = set(result.row_ids) & self.booked | self.db.booked_rows(self.job.name, result.row_ids)
        if not overlap:
            return result
        shutil.rmtree(task.staging, ignore_errors=True)
        retry = replace(task, skip_rows=frozenset(overlap))
        again = process_input(retry)
        if again.ok and overlap & set(again.row_ids):
            shutil.rmtree(task.staging, ignore_errors=True)
            return replace(again, ok=False, files=[], error={
                "message": f"{len(overlap)} row(s) were booked before by another input; this reader cannot skip them",
                "file": task.input,
                "hint": "the reader must accept skip_row_ids (see koppel/jobs/task.py); remove the rows by hand",
            })  # fmt: skip
        if again.ok:
            again.rows_skipped = max(again.rows_skipped, len(overlap))
        return again

    def fail(self, p: Planned, error: dict, result: Result | None = None) -> None:
        error = {k: v for k, v in error.items() if v is not None}
        record = InputRecord(
            job=self.job.name,
            sha256=p.sha256,
            name=p.found.path.name,
            size=p.size,
            status="quarantined",
            finished=utc_now(),
            seconds=round(result.seconds, 4) if result else 0.0,
            flag=p.flag,
            settings=self.job.spec.fingerprint(),
            error=error,
        )
        outcome = Outcome(
            self.job.name,
            p.found.path.name,
            "quarantined",
            p.sha256,
            p.flag,
            error=one_line(error),
            seconds=result.seconds if result else 0.0,
        )
        self._add(
            record,
            outcome,
            lambda: quarantine(p.found.path, self.job.quarantine, error, self.job.name, p.sha256, self.job.inbox),
        )

    def _add(
        self, record: InputRecord, outcome: Outcome, move: Callable[[], Path], staged: tuple[Path, Path] | None = None
    ) -> None:
        self.pending.append((record, outcome, move, staged))
        if len(self.pending) >= FLUSH_EVERY or time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Publish a batch: sync staged files, rename them into place, commit the state, then move the inputs."""
        pending, self.pending = self.pending, []  # a batch is tried once: after a failure the next run redoes it
        if pending:
            staged = [s for *_, s in pending if s is not None]
            if staged:
                sync_filesystem(self.job.outbox, [staging for staging, _final in staged])
                for staging, final in staged:
                    publish_folder(staging, final)
                    crash_point("published")
                fsync_dir(self.job.outbox)
            self.db.commit([record for record, *_ in pending])
            crash_point("committed")
            for _record, outcome, move, _staged in pending:
                outcome.moved_to = str(move())
                crash_point("moved")
                self.report.outcomes.append(outcome)
            for folder in (self.job.archive, self.job.quarantine, self.job.inbox):
                fsync_dir(folder)
            self.booked.clear()  # now in the database
        self.last_flush = time.monotonic()


def one_line(error: dict) -> str:
    place = ":".join(
        str(x) for x in (Path(str(error["file"])).name if error.get("file") else None, error.get("line")) if x
    )
    field_ = f"{error['field']}: " if error.get("field") else ""
    from ..errors import remedy

    message = str(error.get("message", "")).strip()
    return printable(f"{place + ': ' if place else ''}{field_}{message}{remedy(error.get('hint'), message)}")


_crash_counts: dict[str, int] = {}


def crash_point(step: str) -> None:
    """Fault injection for the crash tests: KOPPEL_JOBS_CRASH=STEP:N kills this process at the N-th STEP."""
    spec = os.environ.get("KOPPEL_JOBS_CRASH")
    if not spec:
        return
    want, _, n = spec.partition(":")
    if want == step:
        _crash_counts[step] = _crash_counts.get(step, 0) + 1
        if _crash_counts[step] == int(n or 1):
            os.kill(os.getpid(), signal.SIGKILL)
