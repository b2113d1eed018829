"""The job lock across processes: the second run is refused naming the holder; a killed holder frees it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from koppel.jobs.lock import JobBusy, job_lock

HOLD = """
import sys, time
from pathlib import Path
from koppel.jobs.lock import job_lock
with job_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def _holder(lock: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(lock)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    return proc


def test_a_second_process_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    lock = tmp_path / "jobs.lock"
    holder = _holder(lock)
    try:
        busy = rf"another run of this job is in progress \(pid {holder.pid} on .+ since "
        with pytest.raises(JobBusy, match=busy), job_lock(lock):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_holder_leaves_the_lock_free(tmp_path: Path) -> None:
    lock = tmp_path / "jobs.lock"
    holder = _holder(lock)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    deadline = time.monotonic() + 5
    with job_lock(lock):  # the OS dropped the dead holder's lock: no stale-lock cleanup needed
        assert time.monotonic() < deadline
        assert f"pid {__import__('os').getpid()} on " in lock.read_text()


def test_the_lock_is_free_again_after_the_block(tmp_path: Path) -> None:
    lock = tmp_path / "jobs.lock"
    with job_lock(lock):
        pass
    with job_lock(lock):
        pass
