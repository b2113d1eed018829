"""Jobs: what ``koppel run`` recorded (read-only from its SQLite state), the quarantine, and "try again".

The state is read through its own read-only connection (never the runner's ``immutable`` mode, which may read a
half-committed file while a run writes). "Try again" moves a quarantined input back into its inbox while holding
the job's lock, so it never happens in the middle of a run — a run in a terminal or another tab makes it wait
for that run to end (it is refused with who holds the lock).
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..errors import KoppelError
from ..jobs.config import Job, JobFile, load_job_file
from ..jobs.files import move_unique
from ..jobs.lock import job_lock

_SHA_LINE = re.compile(r"^sha256: ([0-9a-f]{64})\s*$", re.MULTILINE)
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")


@dataclass
class Quarantined:
    """A file waiting in a job's quarantine, with the error koppel wrote beside it."""

    job: str
    name: str
    path: Path
    sha256: str
    error_text: str


def _connect(path: Path) -> sqlite3.Connection | None:
    if not path.is_file():
        return None
    db = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=5)
    db.row_factory = sqlite3.Row
    return db


def state_rows(job_file: JobFile, limit: int = 500) -> tuple[list[dict], list[dict]]:
    """(inputs, runs) from the state database, newest first; empty lists before the first run."""
    db = _connect(job_file.state_path)
    if db is None:
        return [], []
    with closing(db):
        try:
            inputs = [dict(r) for r in db.execute(
                "SELECT job, sha256, name, size, status, flag, outputs, lines, rows_skipped, finished, seconds, error,"
                " run_id FROM inputs ORDER BY finished DESC, name LIMIT ?", (limit,))]
            runs = [dict(r) for r in db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 20")]
        except sqlite3.DatabaseError as exc:
            raise KoppelError(f"cannot read the job state: {exc}", file=job_file.state_path) from None
    for row in inputs:
        row["outputs"] = json.loads(row["outputs"]) if row["outputs"] else []
        row["error"] = json.loads(row["error"]) if row["error"] else None
    for row in runs:
        row["summary"] = json.loads(row["summary"]) if row["summary"] else None
    return inputs, runs


def quarantined(job: Job) -> list[Quarantined]:
    """Files in the job's quarantine folder, each with the error text written beside it."""
    out = []
    folder = job.quarantine
    if not folder.is_dir():
        return out
    for path in sorted(folder.iterdir()):
        if path.name.endswith(".error.txt") or path.name.startswith(".") or not path.is_file():
            continue
        note = path.with_name(path.name + ".error.txt")
        text = note.read_text(encoding="utf-8", errors="replace") if note.is_file() else ""
        match = _SHA_LINE.search(text)
        out.append(Quarantined(job.name, path.name, path, match.group(1) if match else "", text))
    return out


def find_job(job_file: JobFile, name: str) -> Job | None:
    return next((j for j in job_file.jobs if j.name == name), None)


def retry(job_file_path: Path, job_name: str, sha256: str) -> Path:
    """Move the quarantined input with this content hash back into its inbox (under the job's lock).

    The file is found by the hash in its error note, never by a name the browser sent.
    """
    job_file = load_job_file(job_file_path)
    job = find_job(job_file, job_name)
    if job is None or not _HEX64.match(sha256 or ""):
        raise KoppelError("no such job or file", hint="reload the jobs page")
    with job_lock(job_file.lock_path):
        found = next((q for q in quarantined(job) if q.sha256 == sha256), None)
        if found is None:
            raise KoppelError("this file is no longer in the quarantine", hint="reload the jobs page")
        note = found.path.with_name(found.path.name + ".error.txt")
        dest = move_unique(found.path, job.inbox, sha256)
        note.unlink(missing_ok=True)
    return dest


def load(job_file_path: Path) -> JobFile:
    return load_job_file(job_file_path)
