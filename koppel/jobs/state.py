"""The job's memory in SQLite: every input by content hash, what became of it, and which source rows are booked.

Only the coordinating process writes here. A row is committed after the input's outputs were renamed
into place, so after a crash the database never claims more than what is on disk.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..diskfull import disk_full, is_disk_full
from ..errors import KoppelError

SCHEMA = """
CREATE TABLE IF NOT EXISTS inputs (
    job TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    status TEXT NOT NULL,            -- done | quarantined
    flag TEXT,                       -- why a person may want to look (e.g. new content under a known name)
    outputs TEXT,                    -- JSON list of paths relative to the outbox
    settings TEXT,                   -- fingerprint of the conversion settings used
    lines INTEGER,
    rows_skipped INTEGER,            -- source rows left out because an earlier input booked them
    finished TEXT NOT NULL,          -- UTC, ISO 8601, when the outcome was recorded
    seconds REAL,
    error TEXT,                      -- JSON: message, file, line, field, hint
    run_id INTEGER,
    PRIMARY KEY (job, sha256)
);
CREATE INDEX IF NOT EXISTS inputs_by_name ON inputs (job, name);
CREATE TABLE IF NOT EXISTS row_ids (
    job TEXT NOT NULL,
    row_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,            -- the input that booked the row
    PRIMARY KEY (job, row_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    host TEXT,
    pid INTEGER,
    summary TEXT
);
"""


@dataclass
class InputRecord:
    """One processed input, as stored."""

    job: str
    sha256: str
    name: str
    size: int
    status: str
    finished: str
    seconds: float
    flag: str | None = None
    outputs: list[str] | None = None
    settings: str | None = None
    lines: int | None = None
    rows_skipped: int | None = None
    error: dict | None = None
    row_ids: tuple[str, ...] = ()


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class StateDB:
    """The state database of one job file. ``readonly`` never creates or changes anything (for --dry-run)."""

    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.run_id: int | None = None
        try:
            if readonly:
                if self.path.exists():
                    # immutable: no -wal/-shm files appear (a dry run creates nothing); a report, not a transaction
                    self._db = sqlite3.connect(f"file:{quote(str(self.path))}?mode=ro&immutable=1", uri=True)
                else:
                    self._db = sqlite3.connect(":memory:")
                    self._db.executescript(SCHEMA)
            else:
                self._db = sqlite3.connect(self.path, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            if is_disk_full(exc):
                raise disk_full(exc, self.path) from None
            raise KoppelError(
                f"cannot use the state database: {exc}",
                file=self.path,
                hint="it must be a koppel state file; move it away to start afresh (inputs would be processed again)",
            ) from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> StateDB:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- reading -------------------------------------------------------------------------------
    def done(self, job: str) -> dict[str, str]:
        """sha256 -> name of every input of ``job`` that was converted successfully."""
        rows = self._db.execute("SELECT sha256, name FROM inputs WHERE job = ? AND status = 'done'", (job,))
        return dict(rows.fetchall())

    def names(self, job: str) -> dict[str, set[str]]:
        """name -> content hashes seen under that name (done or quarantined)."""
        out: dict[str, set[str]] = {}
        for name, sha in self._db.execute("SELECT name, sha256 FROM inputs WHERE job = ?", (job,)):
            out.setdefault(name, set()).add(sha)
        return out

    def booked_rows(self, job: str, row_ids: Iterable[str]) -> set[str]:
        """The subset of ``row_ids`` that an earlier input of ``job`` already booked."""
        ids = list(row_ids)
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT row_id FROM row_ids WHERE job = ? AND row_id IN ({marks})", (job, *chunk))
            found.update(r for (r,) in rows)
        return found

    def record(self, job: str, sha256: str) -> InputRecord | None:
        row = self._db.execute(
            "SELECT job, sha256, name, size, status, finished, seconds, flag, outputs, settings, lines, rows_skipped,"
            " error FROM inputs WHERE job = ? AND sha256 = ?",
            (job, sha256),
        ).fetchone()
        if row is None:
            return None
        rec = InputRecord(*row[:8], None, row[9], row[10], row[11], None)
        rec.outputs = json.loads(row[8]) if row[8] else None
        rec.error = json.loads(row[12]) if row[12] else None
        return rec

    def all_records(self, job: str | None = None) -> list[InputRecord]:
        query = "SELECT job, sha256 FROM inputs" + (" WHERE job = ?" if job else "") + " ORDER BY finished, name"
        return [self.record(j, s) for j, s in self._db.execute(query, (job,) if job else ()).fetchall()]  # type: ignore[misc]

    # ---- writing -------------------------------------------------------------------------------
    def start_run(self) -> int:
        cur = self._db.execute(
            "INSERT INTO runs (started, host, pid) VALUES (?, ?, ?)", (utc_now(), socket.gethostname(), os.getpid())
        )
        self.run_id = int(cur.lastrowid or 0)
        return self.run_id

    def finish_run(self, summary: dict) -> None:
        self._db.execute(
            "UPDATE runs SET finished = ?, summary = ? WHERE id = ?", (utc_now(), json.dumps(summary), self.run_id)
        )

    def commit(self, records: list[InputRecord]) -> None:
        """Store several processed inputs (and the rows they booked) in one transaction."""
        if not records:
            return
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for r in records:
                db.execute(
                    "INSERT OR REPLACE INTO inputs (job, sha256, name, size, status, flag, outputs, settings, lines,"
                    " rows_skipped, finished, seconds, error, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        r.job,
                        r.sha256,
                        r.name,
                        r.size,
                        r.status,
                        r.flag,
                        json.dumps(r.outputs) if r.outputs is not None else None,
                        r.settings,
                        r.lines,
                        r.rows_skipped,
                        r.finished,
                        r.seconds,
                        json.dumps(r.error) if r.error else None,
                        self.run_id,
                    ),
                )
                if r.row_ids:
                    db.executemany(
                        "INSERT OR IGNORE INTO row_ids (job, row_id, sha256) VALUES (?, ?, ?)",
                        ((r.job, rid, r.sha256) for rid in r.row_ids),
                    )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite rolls back by itself on some errors (a full disk): keep its error
                db.execute("ROLLBACK")
            raise
