"""Crash safety of koppel run: SIGKILL the whole run (coordinator and workers) at random moments and at
each step of the publish protocol; a rerun must finish with no duplicates, no partial files, no lost inputs."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from koppel.jobs import run_job_file
from koppel.jobs.state import StateDB
from koppel.synthetic import write_synthetic_xaf

pytestmark = pytest.mark.slow

N_GOOD = 8
JOB = '[[job]]\nname = "drops"\ninbox = "inbox"\nglob = "*.xaf"\ntarget = "csv"\n'
RUN = [sys.executable, "-c", "from koppel.cli import main; main()", "run"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def drops(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("drops")
    for i in range(N_GOOD):
        write_synthetic_xaf(folder / f"d{i:02d}.xaf", lines=6, seed=100 + i)
    (folder / "kapot.xaf").write_text("<auditfile><header><fiscalYear>2025", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def reference(drops, tmp_path_factory) -> dict[str, bytes]:
    """The outbox of one clean run: what every crashed-and-rerun job must end up with, byte for byte."""
    root = tmp_path_factory.mktemp("reference")
    shutil.copytree(drops, root / "inbox")
    (root / "job.toml").write_text(JOB, encoding="utf-8")
    assert run_job_file(root / "job.toml", workers=0).exit_code == 1
    return files(root / "outbox")


def make_job(tmp_path: Path, drops: Path) -> Path:
    shutil.copytree(drops, tmp_path / "inbox")
    (tmp_path / "job.toml").write_text(JOB, encoding="utf-8")
    return tmp_path / "job.toml"


def started(root: Path) -> bool:
    """Workers are converting: a staging folder (or an output) exists in the outbox."""
    return (root / "outbox").is_dir() and any((root / "outbox").iterdir())


def run(job: Path, env: dict | None = None, kill_after: float | None = None) -> int | None:
    """Run the job in a subprocess; with ``kill_after``, SIGKILL it that long after the workers started."""
    proc = subprocess.Popen(
        [*RUN, str(job), "--workers", "2"],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill takes the workers too
    )
    if kill_after is not None:
        deadline = time.monotonic() + 120
        while proc.poll() is None and not started(job.parent) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(kill_after)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    assert b"Traceback" not in err and b"internal error" not in err, err.decode()
    return proc.returncode


def assert_consistent(root: Path, drops: Path, reference: dict[str, bytes]) -> None:
    good = {sha(p) for p in drops.iterdir() if p.name != "kapot.xaf"}
    assert sorted(p.name for p in (root / "inbox").iterdir()) == []  # nothing lost, nothing left
    assert sorted(p.name for p in (root / "archive").iterdir()) == [f"d{i:02d}.xaf" for i in range(N_GOOD)]
    assert {sha(p) for p in (root / "archive").iterdir()} == good
    assert sorted(p.name for p in (root / "quarantine").iterdir()) == ["kapot.xaf", "kapot.xaf.error.txt"]
    assert files(root / "outbox") == reference  # no duplicates, no partial or leftover files
    leftovers = [p for p in root.rglob("*") if p.name.startswith(".") or p.name.endswith(".part")]
    assert leftovers == []
    with StateDB(root / "job.state.sqlite", readonly=True) as db:
        records = db.all_records("drops")
    assert sorted((r.name, r.status) for r in records) == sorted(
        [(f"d{i:02d}.xaf", "done") for i in range(N_GOOD)] + [("kapot.xaf", "quarantined")]
    )
    for r in records:
        for out in r.outputs or []:
            assert (root / "outbox" / out).is_file()


@pytest.mark.parametrize("step", ["published:3", "committed:1", "moved:5"])
def test_crash_at_each_step_of_the_protocol_then_rerun(tmp_path, drops, reference, step):
    job = make_job(tmp_path, drops)
    assert run(job, env={"KOPPEL_JOBS_CRASH": step}) == -signal.SIGKILL
    assert run(job) in (0, 1)
    assert_consistent(tmp_path, drops, reference)


@pytest.mark.parametrize("seed", [1, 2])
def test_sigkill_at_random_moments_then_rerun(tmp_path, drops, reference, seed):
    job = make_job(tmp_path, drops)
    rng = random.Random(seed)
    for _ in range(2):
        run(job, kill_after=rng.uniform(0.0, 0.6))
    assert run(job) in (0, 1)
    assert_consistent(tmp_path, drops, reference)
