"""The state database: what is recorded per input and per row (SQLite needs a real folder, so tmp_path)."""

from __future__ import annotations

import errno
import os

import pytest

from koppel.errors import KoppelError
from koppel.jobs import files
from koppel.jobs.state import InputRecord, StateDB


def record(name: str, sha: str, status: str = "done", rows: tuple[str, ...] = (), error: dict | None = None):
    return InputRecord(
        job="j", sha256=sha, name=name, size=10, status=status, finished="2026-11-25T20:00:00Z", seconds=0.5,
        outputs=[f"{name}.{sha[:8]}/lines.csv"] if status == "done" else None, lines=4, row_ids=rows, error=error,
    )  # fmt: skip


def test_state_records_inputs_outputs_errors_and_rows(tmp_path):
    with StateDB(tmp_path / "s.sqlite") as db:
        db.start_run()
        db.commit(
            [
                record("a.csv", "a" * 64, rows=("r1", "r2")),
                record("b.csv", "b" * 64, "quarantined", error={"message": "bad"}),
            ]
        )
        db.commit([record("a.csv", "c" * 64, rows=("r3",))])
        db.finish_run({"converted": 2})
        assert db.done("j") == {"a" * 64: "a.csv", "c" * 64: "a.csv"}
        assert db.names("j") == {"a.csv": {"a" * 64, "c" * 64}, "b.csv": {"b" * 64}}
        assert db.booked_rows("j", ["r0", "r2", "r3"]) == {"r2", "r3"}
        assert db.booked_rows("other", ["r2"]) == set()
        rec = db.record("j", "b" * 64)
        assert (rec.status, rec.error, rec.outputs) == ("quarantined", {"message": "bad"}, None)
        assert db.record("j", "a" * 64).outputs == ["a.csv.aaaaaaaa/lines.csv"]
    with StateDB(tmp_path / "s.sqlite", readonly=True) as ro:
        assert len(ro.all_records("j")) == 3


def test_a_quarantined_input_that_later_succeeds_is_recorded_as_done(tmp_path):
    with StateDB(tmp_path / "s.sqlite") as db:
        db.commit([record("b.csv", "b" * 64, "quarantined", error={"message": "bad"})])
        assert db.done("j") == {}
        db.commit([record("b.csv", "b" * 64)])
        assert db.done("j") == {"b" * 64: "b.csv"} and db.record("j", "b" * 64).error is None


def test_readonly_state_that_does_not_exist_is_empty_and_creates_nothing(tmp_path):
    with StateDB(tmp_path / "none.sqlite", readonly=True) as db:
        assert db.done("j") == {} and db.booked_rows("j", ["x"]) == set()
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_state_file_is_a_job_error(tmp_path):
    (tmp_path / "s.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(KoppelError, match="cannot use the state database") as err:
        StateDB(tmp_path / "s.sqlite")
    assert "move it away to start afresh" in err.value.hint


def test_moves_across_filesystems_copy_then_remove(tmp_path, monkeypatch):
    real_rename = os.rename

    def cross_device(src, dest):
        if "archive" in str(dest):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_rename(src, dest)

    monkeypatch.setattr(files.os, "rename", cross_device)
    (tmp_path / "in").mkdir()
    (tmp_path / "in/a.csv").write_text("x")
    dest = files.move_unique(tmp_path / "in/a.csv", tmp_path / "archive", "f" * 64)
    assert dest.read_text() == "x" and not (tmp_path / "in/a.csv").exists()
    assert sorted(p.name for p in (tmp_path / "archive").iterdir()) == ["a.csv"]
