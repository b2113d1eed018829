"""Progress on stderr for the long commands when stderr is a terminal (phase, MB, estimate), nothing otherwise.

The terminal case runs the real command with stderr on a pseudo-terminal (pty); the other case with a pipe.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from koppel.progress import activity, current, watch_file
from koppel.synthetic import write_synthetic_xaf
from koppel.xaf import read_xaf

ROOT = Path(__file__).resolve().parents[1]
KOPPEL = [sys.executable, "-c", "from koppel.cli import main; main()"]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def medium(tmp_path_factory) -> Path:
    """Large enough that each command spends a few tenths of a second per phase (~7 MB, 30k lines)."""
    return write_synthetic_xaf(tmp_path_factory.mktemp("p") / "m.xaf", lines=30_000, version="3.2", seed=5)


def _with_pty_stderr(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run koppel with stderr on a pseudo-terminal (stdout a pipe); what the terminal showed, and stdout."""
    pty = pytest.importorskip("pty")
    main_fd, child_fd = pty.openpty()
    with contextlib.suppress(ImportError, OSError):  # a terminal of 100 x 30, as a user's window would be
        import fcntl
        import struct
        import termios

        fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen([*KOPPEL, *argv], stdout=subprocess.PIPE, stderr=child_fd, cwd=cwd)
    os.close(child_fd)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    proc.wait()
    os.close(main_fd)
    return proc.returncode, shown.decode("utf-8", "replace"), out


@pytest.mark.parametrize(
    ("command", "phase"),
    [
        (["inspect", "{f}"], "inspect: reading"),
        (["check", "{f}", "--no-xsd", "-q"], "check m.xaf: checking"),
        (["export", "{f}", "-o", "{o}/t"], "export: reading"),
        (["convert", "{f}", "--to", "asperion", "-o", "{o}/c"], "convert: reading"),
        (["openitems", "{f}", "-o", "{o}/open.csv"], "openitems: reading"),
    ],
    ids=["inspect", "check", "export", "convert", "openitems"],
)
def test_progress_on_a_terminal(command, phase, medium, tmp_path):
    argv = [a.format(f=medium, o=tmp_path) for a in command]
    code, shown, out = _with_pty_stderr(argv, tmp_path)
    assert code in (0, 1), shown
    assert phase in shown, shown[-500:]
    assert re.search(r"\d+%\|.*\| [\d.]+[kM]?B/[\d.]+[kM]B \[[\d:]+<[\d:?]+", shown), shown[-500:]  # bytes, time left
    assert "\r" in shown  # redrawn in place
    assert "Traceback" not in shown
    assert "reading" not in out and "checking" not in out  # stdout stays clean for pipes


def test_run_shows_a_count_of_inputs_on_a_terminal(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in range(3):
        write_synthetic_xaf(inbox / f"a{seed}.xaf", lines=300, version="3.2", seed=seed)
    (tmp_path / "jobs.toml").write_text(
        '[[job]]\nname = "a"\ninbox = { folder = "inbox", glob = "*.xaf" }\ntarget = "csv"\n'
        'outbox = "out"\narchive = "arch"\nquarantine = "q"\n',
        encoding="utf-8",
    )
    code, shown, _out = _with_pty_stderr(["run", str(tmp_path / "jobs.toml"), "--workers", "0"], tmp_path)
    assert code == 0, shown
    assert "run: converting" in shown and "3/3" in shown, shown[-500:]


@pytest.mark.parametrize("command", [["inspect", "{f}"], ["check", "{f}", "--no-xsd", "-q"]], ids=["inspect", "check"])
def test_nothing_when_stderr_is_not_a_terminal(command, medium, tmp_path):
    argv = [a.format(f=medium, o=tmp_path) for a in command]
    proc = subprocess.run([*KOPPEL, *argv], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert proc.returncode in (0, 1)
    assert proc.stderr == ""


def test_reading_progress_reaches_the_end_of_the_file(tmp_path):
    path = write_synthetic_xaf(tmp_path / "p.xaf", lines=3000, version="3.2", seed=7)
    stream = _Tty()
    seen: list[int] = []
    with activity("inspect", stream=stream) as act:
        act.phase("reading", total=path.stat().st_size)

        def progress(done: int) -> None:
            seen.append(done)
            act(done)

        adm = read_xaf(path, progress=progress)
    assert adm.stats.lines == 3000
    assert seen == sorted(seen) and seen[-1] == path.stat().st_size
    assert "inspect: reading" in stream.getvalue()
    assert f"/{path.stat().st_size / 1e3:.0f}kB [" in stream.getvalue()


def test_no_activity_when_not_a_terminal():
    stream = io.StringIO()  # isatty() is False
    with activity("inspect", stream=stream) as act:
        assert current() is None  # code deep down sees no activity to report to
        act.phase("reading", total=1000)
        act(500)
    assert stream.getvalue() == ""


def test_watch_file_follows_a_reader_that_opens_the_file_itself(tmp_path):
    """For readers inside C libraries (libxml2): the offset of this process's descriptor on the file."""
    if not Path("/proc/self/fdinfo").is_dir():
        pytest.skip("Linux /proc only")
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 2_000_000)
    stream = _Tty()
    with activity("check", stream=stream) as act, watch_file(path, act, every=0.01), path.open("rb") as handle:
        handle.read(1_000_000)
        # the poller and tqdm's redraw (at most every 0.2 s, or 0.5 s without news) run on their own clock:
        # wait for the line to show the offset, however slowly a loaded machine schedules them
        deadline = time.monotonic() + 30
        while "1.00MB/2.00MB" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "check: checking" in stream.getvalue()
    assert "1.00MB/2.00MB" in stream.getvalue(), stream.getvalue()
