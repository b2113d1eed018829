"""The parallel reader gives exactly what the single-process reader gives, and errors at the same place."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from concurrent.futures import Future

import pandas as pd
import pytest

from koppel.errors import KoppelError
from koppel.xaf import parallel, read_xaf
from koppel.xaf.parallel import iter_xaf_parallel, read_xaf_parallel
from tests.conftest import SAMPLES, XAF_SAMPLES

FILES = sorted(p for p in XAF_SAMPLES.iterdir() if p.suffix in (".xaf", ".xml") and "bad-encoding" not in p.name)
FILES += [SAMPLES / "voorbeeld_xaf32.xaf", SAMPLES / "voorbeeld_xaf40.xaf", SAMPLES / "voorbeeld_clair2.xml"]


@pytest.fixture(autouse=True)
def tiny_pieces(monkeypatch):
    """Pieces of a few kB, so that every sample is cut in many places, journals included."""
    monkeypatch.setattr(parallel, "MIN_PIECE_BYTES", 2500)


@pytest.mark.parametrize("path", FILES, ids=[p.name[:40] for p in FILES])
def test_same_administration_as_the_serial_reader(path):
    serial = read_xaf(path)
    par = read_xaf_parallel(path, workers=2)
    assert par.lines.frame().equals(serial.lines.frame())
    for table in ("accounts", "relations", "vat_codes", "periods", "journals", "opening_balance"):
        assert getattr(par, table).equals(getattr(serial, table)), table
    assert (par.stats.lines, par.stats.transactions, par.stats.debit, par.stats.credit) == (
        serial.stats.lines,
        serial.stats.transactions,
        serial.stats.debit,
        serial.stats.credit,
    )
    assert par.not_carried == serial.not_carried
    assert par.header == serial.header


def test_an_error_in_a_later_piece_names_the_file_line(tmp_path):
    lines = (SAMPLES / "voorbeeld_xaf32.xaf").read_bytes().split(b"\n")
    target = max(i for i, line in enumerate(lines) if b"<amnt>" in line and b"<trLine>" in line)
    lines[target] = lines[target].replace(b"<amnt>", b"<amnt>x", 1)
    path = tmp_path / "bad.xaf"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(KoppelError) as serial:
        read_xaf(path)
    with pytest.raises(KoppelError) as par:
        list(iter_xaf_parallel(path, workers=2))
    assert serial.value.line == target + 1
    assert par.value.line == serial.value.line
    assert par.value.message == serial.value.message


MULTI_JOURNAL = [p for p in FILES if p.read_bytes().count(b"<journal>") > 1]


@pytest.mark.parametrize("block", [5, 64])
@pytest.mark.parametrize("path", MULTI_JOURNAL[:3], ids=[p.name[:40] for p in MULTI_JOURNAL[:3]])
def test_tags_and_newlines_across_scan_blocks(monkeypatch, path, block):
    """The front-to-back scan reads a few bytes at a time here: a <journal tag cut by a block edge still counts."""
    monkeypatch.setattr(parallel, "SCAN_BLOCK", block)
    serial = read_xaf(path)
    par = read_xaf_parallel(path, workers=2)
    assert par.lines.frame().equals(serial.lines.frame())
    assert par.journals.equals(serial.journals)


def test_progress_reaches_the_file_size():
    path = SAMPLES / "voorbeeld_xaf32.xaf"
    seen: list[int] = []
    read_xaf_parallel(path, workers=2, progress=seen.append)
    assert seen == sorted(seen) and len(seen) > 2
    assert seen[-1] == path.stat().st_size


def test_default_is_one_reader_process(monkeypatch):
    """The measured default (README, "Memory and reader processes"): one process for a read that keeps the lines,
    whatever the file's size; two for one that only counts them (inspect), from PARALLEL_MIN_BYTES on."""
    path = SAMPLES / "voorbeeld_xaf32.xaf"
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3}, raising=False)
    assert parallel.reading_workers(path, counts_only=True) == 1  # a few kB: not worth a second process
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 1)
    assert parallel.reading_workers(path) == 1
    assert parallel.reading_workers(path, counts_only=True) == 2
    assert parallel.reading_workers(path, 3) == 3  # asked for
    monkeypatch.setattr(parallel, "_CAN_FORK", False)
    assert parallel.reading_workers(path, counts_only=True) == 1  # a second reader would start Python afresh
    monkeypatch.setattr(parallel, "_CAN_FORK", True)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert parallel.reading_workers(path, counts_only=True) == 1  # one core


class _LazyFuture(Future):
    """A pool's future that is not done until its result is asked for (a worker that is always busy)."""

    def __init__(self, work) -> None:
        super().__init__()
        self._work = work

    def result(self, timeout=None):
        if not self.done():
            self.set_result(self._work())
        return super().result(timeout)


class _BusyPool:
    def __init__(self) -> None:
        self.taken: list[int] = []

    def submit(self, fn, arg):
        self.taken.append(arg)
        return _LazyFuture(lambda: ("pool", arg))


def test_the_coordinator_reads_a_share_of_the_pieces_in_file_order(monkeypatch):
    """``--workers N`` is N reading processes, this one included: whenever the piece it needs next is not ready,
    the coordinator parses the next piece nobody has taken; results come in file order, and no more than the
    bound are parsed ahead of what was taken."""
    monkeypatch.setattr(parallel, "_parse_piece", lambda arg: ("here", arg))
    pool = _BusyPool()
    results = list(parallel._ordered_results(pool, list(range(40)), readers=2))
    assert [arg for _who, arg in results] == list(range(40))
    here = [arg for who, arg in results if who == "here"]
    assert here and len(here) + len(pool.taken) == 40 and not set(here) & set(pool.taken)
    ready = {i: ("pool", i) for i in range(40)}

    class ReadyPool(_BusyPool):
        def submit(self, fn, arg):
            future = Future()
            future.set_result(ready[arg])
            self.taken.append(arg)
            return future

    idle = ReadyPool()  # a pool that always has the next piece ready leaves the coordinator to its own work
    assert list(parallel._ordered_results(idle, list(range(40)), readers=2)) == [ready[i] for i in range(40)]


def test_a_larger_default_uses_cores_only_for_large_files(monkeypatch):
    path = SAMPLES / "voorbeeld_xaf32.xaf"
    monkeypatch.setattr(parallel, "DEFAULT_WORKERS", 8)
    assert parallel.reading_workers(path) == 1  # a few kB: not worth starting workers
    assert parallel.reading_workers(path, 3) == 3  # asked for
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
    assert parallel.reading_workers(path) == 3
    monkeypatch.setattr(parallel, "_ONE_CORE", False)
    parallel.read_on_one_core()  # what a batch job's worker process calls
    assert parallel.reading_workers(path) == 1
    assert parallel.reading_workers(path, 2) == 2


@pytest.mark.parametrize("path", FILES, ids=[p.name[:40] for p in FILES])
@pytest.mark.parametrize("workers", [1, 2])
def test_a_read_of_counts_only_summarises_as_a_whole_read(path, workers):
    """``koppel inspect`` keeps no line (no spool, no lines sent back by the pieces): its summary is that of a read
    that keeps them, and the store it leaves refuses to be read as if it held the lines."""
    from koppel.registry import read_input
    from koppel.summary import summarize
    from koppel.xaf.consumers import wanted_in_pass

    whole = summarize(read_xaf(path))
    with wanted_in_pass(lines=False):
        adm = read_input(path, "xaf", workers=workers)
    assert summarize(adm) == whole
    assert adm.stats.lines == whole["counts"]["lines"] > 0 or path.name.startswith("empty")
    with pytest.raises(RuntimeError, match="counted, not kept"):
        adm.lines.frame()


def test_read_input_reads_in_parallel_when_asked():
    from koppel.registry import read_input

    path = SAMPLES / "voorbeeld_xaf32.xaf"
    assert read_input(path, workers=2).lines.frame().equals(read_xaf(path).lines.frame())


def test_cli_workers_gives_the_same_summary(tmp_path):
    import json

    from click.testing import CliRunner

    from koppel.cli import cli

    path = str(SAMPLES / "voorbeeld_xaf32.xaf")
    one = CliRunner().invoke(cli, ["inspect", path, "--json", "--workers", "1"])
    two = CliRunner().invoke(cli, ["inspect", path, "--json", "--workers", "2"])
    assert one.exit_code == two.exit_code == 0
    one, two = json.loads(one.output), json.loads(two.output)
    assert one.pop("generated_at") and two.pop("generated_at")  # when it was made: the rest is the same
    assert one == two
    out = tmp_path / "asperion"
    converted = CliRunner().invoke(cli, ["convert", path, "--to", "asperion", "-o", str(out), "--workers", "2"])
    assert converted.exit_code == 0, converted.output
    assert json.loads((out / "control.json").read_text())["money"]["equal"] is True


def test_workers_on_an_input_that_is_not_an_auditfile_is_refused(capsys):
    from koppel.cli import main

    csv = SAMPLES / "sources" / "journal_lines_nl.csv"
    with pytest.raises(SystemExit) as info:
        main(["inspect", str(csv), "--profile", "journal-lines", "--workers", "2"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"koppel: {csv}: --workers applies to auditfiles (XAF), not to ")
    assert err.count("\n") == 1


def test_batches_are_cut_like_the_serial_readers(monkeypatch):
    """Pieces end in short batches; the main process re-cuts them to the batch size, at entry boundaries."""
    monkeypatch.setattr(parallel, "BATCH_SIZE", 40)
    path = SAMPLES / "voorbeeld_xaf32.xaf"
    batches = list(iter_xaf_parallel(path, workers=2))
    assert len(batches) > 2
    assert all(len(b) >= 40 for b in batches[:-1])
    for before, after in itertools.pairwise(batches):
        last = tuple(before[["journal_id", "entry_nr"]].iloc[-1])
        assert last != tuple(after[["journal_id", "entry_nr"]].iloc[0])
    whole = read_xaf(path).lines.frame()
    assert pd.concat(batches, ignore_index=True).equals(whole)


def test_entry_cut_finds_the_end_of_a_long_entry():
    import pyarrow as pa

    nrs = ["1"] * 3 + ["2"] * 5000 + ["3"] * 2
    table = pa.table({"journal_id": ["M"] * len(nrs), "entry_nr": nrs})
    assert parallel._entry_cut(table, 1) == 3
    assert parallel._entry_cut(table, 4) == 5003  # the end of an entry of 5,000 lines
    assert parallel._entry_cut(table, 5004) is None  # the last entry may go on in the next piece
    assert parallel._entry_cut(table, 9000) is None


def test_pread_fallback_reads_the_same_bytes(tmp_path):
    """Where ``os.pread`` does not exist (Windows), seek + read gives the same blocks, short at the end."""
    data = bytes(range(256)) * 5000
    path = tmp_path / "blob"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        for size, offset in ((1, 0), (4096, 17), (100_000, 1_000_000), (5000, len(data) - 10), (10, len(data))):
            assert parallel._pread_seek(fd, size, offset) == data[offset : offset + size]
    finally:
        os.close(fd)


def test_parallel_read_without_os_pread_matches_one_process():
    """The whole parallel reader with ``os.pread`` removed, as on Windows: same lines, same totals."""
    code = (
        "import os\n"
        "del os.pread\n"
        "import koppel.xaf.parallel as p\n"
        "assert p.pread is p._pread_seek\n"
        "from koppel.xaf import read_xaf\n"
        f"path = {str(SAMPLES / 'voorbeeld_xaf32.xaf')!r}\n"
        "a = p.read_xaf_parallel(path, workers=2).lines.frame()\n"
        "b = read_xaf(path).lines.frame()\n"
        "assert a.equals(b), 'lines differ'\n"
        "print(len(a))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert int(run.stdout) > 0


def test_a_namespace_declared_again_inside_the_journals_reads_as_one_process(tmp_path):
    """The pieces are parsed without the root's namespace; a file that declares it again deeper down (its elements
    then carry it) is read by one process, whose lines are all there. A worker checks this while the main process
    cuts the pieces."""
    text = (SAMPLES / "voorbeeld_xaf32.xaf").read_text(encoding="utf-8")
    cut = text.index("<transaction>", len(text) // 2)
    again = text[:cut] + '<transaction xmlns="http://www.auditfiles.nl/XAF/3.2">' + text[cut + len("<transaction>") :]
    path = tmp_path / "again.xaf"
    path.write_text(again, encoding="utf-8")
    serial = read_xaf(path)
    par = read_xaf_parallel(path, workers=2)
    assert par.stats.lines == serial.stats.lines == read_xaf(SAMPLES / "voorbeeld_xaf32.xaf").stats.lines
    assert par.lines.frame().equals(serial.lines.frame())
