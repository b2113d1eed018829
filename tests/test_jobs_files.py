"""Filesystem steps of a job: discovery, unique moves, quarantine with error file, publishing (pyfakefs)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from koppel.errors import KoppelError
from koppel.jobs.files import (
    clean_leftovers,
    discover,
    move_unique,
    output_name,
    publish_folder,
    quarantine,
    staging_path,
)
from koppel.jobs.runner import one_line


@pytest.fixture
def inbox(fs) -> Path:
    box = Path("/job/inbox")
    fs.create_dir(box)
    return box


def test_discover_takes_matching_files_in_name_order_and_leaves_unfinished_ones(inbox, fs):
    for name in ("b.csv", "a.csv", ".hidden.csv", "c.csv.part", "notes.txt", "x.csv.tmp"):
        fs.create_file(inbox / name)
    fs.create_dir(inbox / "sub.csv")
    assert [f.path.name for f in discover(inbox, "*.csv")] == ["a.csv", "b.csv"]
    assert all(f.refused is None for f in discover(inbox, "*"))


def test_discover_refuses_symlinks_out_of_the_inbox(inbox, fs):
    fs.create_file("/etc/passwd-copy")
    os.symlink("/etc/passwd-copy", inbox / "evil.csv")
    fs.create_file(inbox / "real.csv")
    found = {f.path.name: f.refused for f in discover(inbox, "*.csv")}
    assert found == {"evil.csv": "symlink pointing outside the inbox (to /etc/passwd-copy)", "real.csv": None}


def test_discover_waits_for_files_that_are_still_arriving(inbox, fs):
    fs.create_file(inbox / "old.csv")
    os.utime(inbox / "old.csv", (time.time() - 60, time.time() - 60))
    fs.create_file(inbox / "new.csv")
    assert [f.path.name for f in discover(inbox, "*.csv", settle_seconds=10)] == ["old.csv"]


def test_discover_without_inbox_is_a_job_error(fs):
    with pytest.raises(KoppelError, match="inbox folder not found"):
        discover(Path("/nope"), "*")


def test_move_unique_never_overwrites(inbox, fs):
    archive = Path("/job/archive")
    fs.create_file(inbox / "d.csv", contents="one")
    first = move_unique(inbox / "d.csv", archive, "aaaaaaaa11")
    fs.create_file(inbox / "d.csv", contents="two")
    second = move_unique(inbox / "d.csv", archive, "bbbbbbbb22")
    fs.create_file(inbox / "d.csv", contents="three")
    third = move_unique(inbox / "d.csv", archive, "bbbbbbbb22")
    assert (first.name, second.name, third.name) == ("d.csv", "d.bbbbbbbb.csv", "d.bbbbbbbb.2.csv")
    assert [p.read_text() for p in (first, second, third)] == ["one", "two", "three"]
    assert list(inbox.iterdir()) == []


def test_quarantine_moves_the_input_and_explains_what_where_and_how(inbox, fs):
    fs.create_file(inbox / "kassa.csv", contents="bad")
    error = {"message": "amount 'abc' is not a number", "file": str(inbox / "kassa.csv"), "line": 14,
             "field": "gross", "hint": "use a decimal amount such as 12,50"}  # fmt: skip
    dest = quarantine(inbox / "kassa.csv", Path("/job/quarantine"), error, "kassa", "f" * 64, inbox)
    assert dest == Path("/job/quarantine/kassa.csv") and dest.read_text() == "bad"
    assert not (inbox / "kassa.csv").exists()
    text = Path("/job/quarantine/kassa.csv.error.txt").read_text()
    assert "what:  amount 'abc' is not a number\n" in text
    assert "where: file kassa.csv, row 14, field gross\n" in text
    assert "fix:   use a decimal amount such as 12,50\n" in text
    assert f"put it back into {inbox}/" in text
    assert one_line(error) == "kassa.csv:14: gross: amount 'abc' is not a number (use a decimal amount such as 12,50)"


def test_quarantine_of_a_second_bad_file_with_the_same_name_keeps_both(inbox, fs):
    q = Path("/job/quarantine")
    for n, content in enumerate(("bad1", "bad2")):
        fs.create_file(inbox / "k.csv", contents=content)
        quarantine(inbox / "k.csv", q, {"message": f"err{n}"}, "j", f"{n}" * 64, inbox)
    assert sorted(p.name for p in q.iterdir()) == [
        "k.11111111.csv",
        "k.11111111.csv.error.txt",
        "k.csv",
        "k.csv.error.txt",
    ]
    assert "what:  err1" in (q / "k.11111111.csv.error.txt").read_text()


def test_publish_replaces_an_earlier_output_whole_and_cleanup_removes_leftovers(fs):
    outbox = Path("/job/outbox")
    final = outbox / output_name(Path("d.xaf"), "0123456789abcdef")
    assert final.name == "d.01234567"
    fs.create_file(final / "old.csv", contents="old")
    stage = staging_path(outbox, final.name)
    fs.create_file(stage / "lines.csv", contents="new")
    publish_folder(stage, final)
    assert sorted(p.name for p in final.iterdir()) == ["lines.csv"]
    assert sorted(p.name for p in outbox.iterdir()) == ["d.01234567"]
    crashed = staging_path(outbox, "e.11111111")
    fs.create_file(crashed / "half.csv")
    fs.create_file(outbox / ".koppel-old.f.2222.abcd/x.csv")
    removed = clean_leftovers(outbox)
    assert len(removed) == 2 and sorted(p.name for p in outbox.iterdir()) == ["d.01234567"]
