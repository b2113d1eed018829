"""Where the tasks run: in this process, in a pool of warm worker processes, or on a Dask cluster.

All three yield results in task order, so a run's outcome never depends on which worker was quicker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol

from ..errors import KoppelError
from ..interrupts import signals_blocked, worker_ignores_interrupts
from .task import Result, Task, process_input, process_many


class Executor(Protocol):
    workers: int

    def run(self, tasks: list[Task]) -> Iterator[Result]: ...

    def close(self, now: bool = False) -> None: ...


def chunks(tasks: list[Task], workers: int) -> list[list[Task]]:
    """Small files travel in groups (fewer round trips), yet every worker gets several groups to balance load."""
    size = max(1, min(16, len(tasks) // max(1, workers * 8)))
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


def _noop(_: int) -> None:
    return None


def warm_up() -> None:
    """Import the readers and writers once, before workers fork, so no task pays for imports."""
    from .. import export  # noqa: F401
    from ..checks import file_check  # noqa: F401  (a job's check; koppel.checks and koppel.xaf import lazily)
    from ..registry import all_formats
    from ..xaf import parallel, reader  # noqa: F401  (the auditfile reader, whose hook module imports it late)

    all_formats()
    with contextlib.suppress(ImportError):
        from ..writejob import WriteJob  # noqa: F401  (pandas, pyarrow and the mapping, before workers fork)


class InlineExecutor:
    """Tasks one after the other in this process (``--workers 0``: simplest to debug)."""

    workers = 0

    def run(self, tasks: list[Task]) -> Iterator[Result]:
        for task in tasks:
            yield process_input(task)

    def close(self, now: bool = False) -> None:
        pass


def _die_with_parent() -> None:
    """Worker initializer: on Linux, ask the kernel to kill this worker when the coordinator dies."""
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _start_worker() -> None:
    """Worker initializer: die with the coordinator, leave Ctrl-C to it, read each file on this worker's core."""
    from ..xaf.parallel import read_on_one_core

    worker_ignores_interrupts()
    _die_with_parent()
    read_on_one_core()


STOP_SECONDS = 1.0  # how long stop_pool waits for killed workers and the pool's manager thread


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now (Ctrl-C, SIGTERM, an error): cancel what waits, kill what runs, reap every worker.

    ``shutdown(wait=True)`` alone would wait for the tasks running in the workers, which may take minutes.
    The workers and the manager thread are taken *before* ``shutdown``, which forgets both: killed after it,
    no worker would be killed at all; they would go on writing (a job's staging folders after its clean-up)
    and the interpreter's exit would wait for their tasks (concurrent.futures joins its manager threads).
    When this returns, no worker runs any more: what they wrote can be removed.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    terminate = getattr(pool, "kill_workers", None)  # Python 3.14+
    if terminate is not None:
        with contextlib.suppress(Exception):
            terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.kill()
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(max(0.0, deadline - time.monotonic()))
    if manager is not None:  # it sees the dead workers, fails what was pending and closes the queues
        manager.join(max(0.0, deadline - time.monotonic()))


class PoolExecutor:
    """A pool of worker processes forked after warm-up; kept for the life of the runner (``watch`` reuses it).

    All workers are started here, before the caller takes the job lock, so no worker inherits the lock.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        warm_up()
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context(method), initializer=_start_worker
        )
        with signals_blocked():  # no worker may see a Ctrl-C before it has chosen to ignore it
            warm = [self._pool.submit(_noop, i) for i in range(self.workers)]
        for future in warm:
            future.result()

    def run(self, tasks: list[Task]) -> Iterator[Result]:
        for results in self._pool.map(process_many, chunks(tasks, self.workers)):
            yield from results

    def close(self, now: bool = False) -> None:
        """Wait for running tasks and end the workers; ``now``: stop them at once (after an interrupt)."""
        if now:
            stop_pool(self._pool)
        else:
            self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """The same tasks on a Dask distributed cluster. Workers need the job's folders at the same paths."""

    def __init__(self, address: str, timeout: str = "10s") -> None:
        try:
            from distributed import Client
        except ImportError:
            raise KoppelError(
                "--scheduler needs Dask distributed, which is not installed",
                field="--scheduler",
                hint="pip install 'koppel[dask]' (or leave out --scheduler to use local worker processes)",
            ) from None
        try:
            self._client = Client(address, timeout=timeout, set_as_default=False)
        except OSError as exc:
            raise KoppelError(
                f"cannot reach the Dask scheduler at {address}: {exc}",
                field="--scheduler",
                hint="start it with `dask scheduler` and workers with `dask worker ADDRESS`, or check the address",
            ) from None
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self._client.scheduler_info()["workers"].values()))

    def run(self, tasks: list[Task]) -> Iterator[Result]:
        futures = self._client.map(process_many, chunks(tasks, self.workers), pure=False)
        try:
            for future in futures:
                yield from future.result()
        finally:
            for future in futures:
                future.release()

    def close(self, now: bool = False) -> None:
        self._client.close()


def make_executor(workers: int | None, scheduler: str | None) -> Executor:
    if scheduler:
        return DaskExecutor(scheduler)
    if workers == 0:
        return InlineExecutor()
    return PoolExecutor(workers)
