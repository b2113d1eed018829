"""koppel run --scheduler: the same tasks on a Dask LocalCluster (loopback) give the same outputs, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from koppel.jobs import run_job_file
from koppel.jobs.state import StateDB
from koppel.synthetic import write_synthetic_xaf

distributed = pytest.importorskip("distributed")

JOB = '[[job]]\nname = "drops"\ninbox = "inbox"\nglob = "*.xaf"\ntarget = "csv"\n'


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local


def make_job(root: Path, drops: Path) -> Path:
    shutil.copytree(drops, root / "inbox")
    (root / "job.toml").write_text(JOB, encoding="utf-8")
    return root / "job.toml"


def test_dask_mode_gives_the_same_outputs_as_the_pool(tmp_path, cluster):
    drops = tmp_path / "drops"
    drops.mkdir()
    for i in range(6):
        write_synthetic_xaf(drops / f"d{i}.xaf", lines=8, seed=200 + i, version=("3.2", "4.0")[i % 2])
    (drops / "kapot.xaf").write_text("<auditfile>", encoding="utf-8")
    pool = make_job(tmp_path / "pool", drops)
    dask = make_job(tmp_path / "dask", drops)
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")

    by_pool = run_job_file(pool, workers=2)
    by_dask = run_job_file(dask, scheduler=cluster.scheduler_address)

    assert by_dask.workers == 2
    assert by_pool.counts() == by_dask.counts() == {"converted": 6, "quarantined": 1}
    assert [(o.name, o.action, o.output, o.lines) for o in by_dask.outcomes] == [
        (o.name, o.action, o.output, o.lines) for o in by_pool.outcomes
    ]
    pool_out, dask_out = files(pool.parent / "outbox"), files(dask.parent / "outbox")
    assert len(pool_out) == 6 * 8 and pool_out == dask_out
    assert files(pool.parent / "archive") == files(dask.parent / "archive")
    assert (dask.parent / "quarantine/kapot.xaf.error.txt").read_text().splitlines()[2:4] == (
        pool.parent / "quarantine/kapot.xaf.error.txt"
    ).read_text().splitlines()[2:4]
    with StateDB(dask.parent / "job.state.sqlite", readonly=True) as db:  # written by the coordinator only
        assert sorted((r.name, r.status) for r in db.all_records()) == [
            ("d0.xaf", "done"), ("d1.xaf", "done"), ("d2.xaf", "done"), ("d3.xaf", "done"), ("d4.xaf", "done"),
            ("d5.xaf", "done"), ("kapot.xaf", "quarantined"),
        ]  # fmt: skip
    again = run_job_file(dask, scheduler=cluster.scheduler_address)
    assert again.outcomes == []
