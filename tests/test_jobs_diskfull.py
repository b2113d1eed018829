"""A full disk during `koppel run`: one line saying so, exit 2, no input quarantined or lost; the next run finishes."""

from __future__ import annotations

import dataclasses
import errno
import sqlite3
from pathlib import Path

import pytest

from koppel.cli import main
from koppel.jobs.state import InputRecord, StateDB, utc_now
from koppel.synthetic import write_synthetic_xaf

JOB = '[[job]]\nname = "xaf"\ninbox = "inbox"\nglob = "*.xaf"\ntarget = "csv"\n'


@pytest.fixture
def job(tmp_path) -> Path:
    (tmp_path / "inbox").mkdir()
    for i in range(3):
        write_synthetic_xaf(tmp_path / "inbox" / f"drop{i}.xaf", lines=12, seed=i + 1)
    (tmp_path / "job.toml").write_text(JOB, encoding="utf-8")
    return tmp_path / "job.toml"


def run(job: Path, capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(job), "--workers", "0"])
    return exit_.value.code, capsys.readouterr().err


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_worker_that_runs_out_of_space_leaves_the_input_in_the_inbox(job, capsys, monkeypatch):
    def no_space(adm, outdir, fmt, **given):
        (Path(outdir) / "lines.csv").write_text("partial", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device", str(Path(outdir) / "lines.csv"))

    monkeypatch.setattr("koppel.export.export_tables", no_space)
    code, err = run(job, capsys)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"koppel: {job.parent / 'outbox'}: the disk is full (No space left on device) — free space")
    assert "internal error" not in err and ".koppel-tmp" not in err
    assert names(job.parent / "inbox") == ["drop0.xaf", "drop1.xaf", "drop2.xaf"]
    assert names(job.parent / "quarantine") == [] and names(job.parent / "outbox") == []
    with StateDB(job.parent / "job.state.sqlite", readonly=True) as db:
        assert db.all_records() == []
    monkeypatch.undo()
    assert run(job, capsys)[0] == 0
    assert names(job.parent / "archive") == ["drop0.xaf", "drop1.xaf", "drop2.xaf"]


@pytest.mark.parametrize("batch", [1, 128])  # the database fills at a batch during the run, or at the last one
def test_a_full_state_database_is_reported_as_a_full_disk_and_the_next_run_finishes(job, capsys, monkeypatch, batch):
    monkeypatch.setattr("koppel.jobs.runner.FLUSH_EVERY", batch)
    commit = StateDB.commit

    def commit_on_a_full_disk(self, records):
        # a database that may not grow, and records too large for its free pages: SQLite fails with SQLITE_FULL
        # inside the transaction and rolls it back itself
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        self._db.execute(f"PRAGMA max_page_count = {pages}")
        return commit(self, [dataclasses.replace(r, flag="x" * 200_000) for r in records])

    monkeypatch.setattr(StateDB, "commit", commit_on_a_full_disk)
    code, err = run(job, capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert "the disk is full (database or disk is full)" in err and "rollback" not in err
    assert names(job.parent / "inbox") == ["drop0.xaf", "drop1.xaf", "drop2.xaf"]
    assert names(job.parent / "quarantine") == []
    monkeypatch.undo()
    assert run(job, capsys)[0] == 0
    assert names(job.parent / "inbox") == [] and len(names(job.parent / "outbox")) == 3


def test_commit_on_a_full_database_raises_sqlites_own_error_and_leaves_no_transaction(tmp_path):
    with StateDB(tmp_path / "s.sqlite") as db:
        pages = db._db.execute("PRAGMA page_count").fetchone()[0]
        db._db.execute(f"PRAGMA max_page_count = {pages}")
        big = InputRecord("j", "a" * 64, "x.csv", 1, "done", utc_now(), 0.1, flag="x" * 100_000)
        with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
            db.commit([big])
        assert not db._db.in_transaction
        assert db.all_records() == []


def test_watch_says_the_disk_is_full_and_tries_again(job, capsys, monkeypatch):
    from koppel.export import export_tables

    calls = []

    def full_once(adm, outdir, fmt, **given):
        calls.append(outdir)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return export_tables(adm, outdir, fmt, **given)

    monkeypatch.setattr("koppel.export.export_tables", full_once)
    with pytest.raises(SystemExit) as exit_:
        main(["watch", str(job), "--workers", "0", "--interval", "0.1", "--max-runs", "2"])
    err = capsys.readouterr().err
    assert exit_.value.code == 0
    assert err.count("the disk is full (No space left on device)") == 1 and "trying again in 0.1 s" in err
    assert names(job.parent / "archive") == ["drop0.xaf", "drop1.xaf", "drop2.xaf"]
