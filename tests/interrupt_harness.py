"""Interrupt a real ``koppel`` command at a random moment and judge how it stopped.

Shared by tests/test_interrupts.py (a few tries per command) and bench/bench_interrupts.py (many). The
command runs in its own session (process group), with its own TMPDIR, like a command started from a
terminal: SIGINT goes to the whole group, as Ctrl-C does; SIGTERM goes to the command (``kill PID``) or to
the whole group (a service manager stopping a unit).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

KOPPEL = [sys.executable, "-c", "from koppel.cli import main; main()"]
EXIT_SECONDS = 2.0  # the promise: from the signal to the end of the process


@dataclass
class Stop:
    """How one interrupted command ended."""

    command: str
    signal: str
    delay: float
    returncode: int | None = None  # None: did not end in time (a hang)
    seconds: float = 0.0  # from the signal to the exit
    stderr: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def finished_first(self) -> bool:
        """The command was done before the signal came (a valid outcome; nothing to judge but leftovers)."""
        return self.returncode in (0, 1) and "interrupted" not in self.stderr


def _group_alive(pgid: int) -> list[int]:
    """Pids still in process group ``pgid`` (Linux /proc; elsewhere assumed empty)."""
    alive = []
    proc = Path("/proc")
    if not proc.is_dir():
        return alive
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


def interrupt(
    command: str,
    argv: list[str],
    *,
    workdir: Path,
    sig: int,
    delay: float,
    to_group: bool,
    output: Path | None = None,
    marker: str | None = None,
    watched: tuple[Path, ...] = (),
) -> Stop:
    """Start ``koppel argv``, send ``sig`` after ``delay`` seconds, and list everything wrong with how it stopped.

    ``output``: the command's output, which must afterwards be absent or whole (holding ``marker``);
    ``watched``: folders in which no hidden temp file or staging folder may remain (e.g. a job's outbox).
    """
    tmpdir = workdir / "tmp"
    shutil.rmtree(tmpdir, ignore_errors=True)
    tmpdir.mkdir(parents=True)
    env = dict(os.environ, TMPDIR=str(tmpdir), PYTHONUNBUFFERED="1")
    env.pop("KOPPEL_DEBUG", None)
    proc = subprocess.Popen(
        [*KOPPEL, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True
    )
    stop = Stop(command, signal.Signals(sig).name, delay)
    # the delay counts from the moment koppel has started (its private temp folder exists): before that, the
    # process is Python starting up, whose reaction to a signal is Python's own (see README, "Clean stops")
    started = time.monotonic()
    while not any(tmpdir.iterdir()) and proc.poll() is None and time.monotonic() - started < 30:
        time.sleep(0.01)
    time.sleep(delay)
    sent = time.monotonic()
    try:
        if to_group or sig == signal.SIGINT:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
    except ProcessLookupError:
        pass
    try:
        _out, err = proc.communicate(timeout=EXIT_SECONDS + 8)
        stop.seconds = time.monotonic() - sent
        stop.returncode = proc.returncode
    except subprocess.TimeoutExpired:
        stop.problems.append("hang: still running 10 s after the signal")
        os.killpg(proc.pid, signal.SIGKILL)
        _out, err = proc.communicate()
    stop.stderr = err.decode("utf-8", "replace")
    time.sleep(0.2)  # workers the kernel kills with their parent need a moment
    if left := _group_alive(proc.pid):
        stop.problems.append(f"processes left running: {left}")
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    _judge(stop, sig, tmpdir, output, marker, watched)
    return stop


def _judge(
    stop: Stop, sig: int, tmpdir: Path, output: Path | None, marker: str | None, watched: tuple[Path, ...]
) -> None:
    if "Traceback" in stop.stderr:
        stop.problems.append("a traceback on stderr")
    if stop.returncode is not None and not stop.finished_first:
        if stop.returncode != 128 + sig:
            stop.problems.append(f"exit code {stop.returncode}, expected {128 + sig}")
        if stop.stderr.strip().splitlines() != ["koppel: interrupted"]:
            stop.problems.append(f"stderr is not the one line 'koppel: interrupted': {stop.stderr[-300:]!r}")
        if stop.seconds >= EXIT_SECONDS:
            stop.problems.append(f"took {stop.seconds:.2f} s to stop")
    if leftovers := sorted(p.name for p in tmpdir.rglob("*")):
        stop.problems.append(f"left in TMPDIR: {leftovers[:5]}")
    folders = [*watched]
    if output is not None:
        folders.append(output.parent)
        if output.is_dir():
            folders.append(output)
            if marker is not None and not (output / marker).is_file():
                stop.problems.append(f"a half-made output folder (no {marker}): {sorted(os.listdir(output))[:5]}")
    for folder in folders:
        if folder.is_dir() and (hidden := sorted(p.name for p in folder.iterdir() if p.name.startswith("."))):
            stop.problems.append(f"temp files left in {folder.name}: {hidden[:5]}")


def random_delay(rng: random.Random, low: float, high: float) -> float:
    return round(rng.uniform(low, high), 2)
