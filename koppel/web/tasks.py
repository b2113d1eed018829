"""Long work (check, load for Browse, convert, a job run) off the request path, with progress a page can poll.

Each task runs in a fresh child process (``spawn``: safe beside the server's threads; the XAF reader and the
check may start processes of their own): a 300 MB check keeps the server's pages answering, and whatever the
work holds is returned to the system when it ends. The child reports progress through shared memory and
writes its results to disk; its one-line error (a :class:`~koppel.errors.KoppelError`) comes back as text.
``mode="thread"`` runs the same functions in a thread of the server (tests: no process start-up).

At most :data:`PARALLEL` tasks run at once (the machine's cores); later ones wait in order.
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..errors import KoppelError

PARALLEL = max(1, min(2, os.cpu_count() or 1))
PHASES = ("wachten", "lezen", "controleren", "open posten", "opslaan", "converteren", "klaar")


class Progress:
    """Bytes done of a total and the phase; shared with a child process, or plain in thread mode."""

    def __init__(self, shared: bool) -> None:
        if shared:
            ctx = multiprocessing.get_context("spawn")
            self._done = ctx.Value("q", 0, lock=False)
            self._total = ctx.Value("q", 0, lock=False)
            self._phase = ctx.Value("i", 0, lock=False)
        else:
            self._done, self._total, self._phase = _Box(0), _Box(0), _Box(0)

    def set_total(self, total: int) -> None:
        self._total.value = int(total)

    def __call__(self, done: int) -> None:  # the readers' progress callback: bytes read so far
        self._done.value = int(done)

    def phase(self, name: str) -> None:
        self._phase.value = PHASES.index(name)
        self._done.value = 0

    @property
    def fraction(self) -> float | None:
        total = self._total.value
        return min(self._done.value / total, 1.0) if total else None

    @property
    def phase_name(self) -> str:
        return PHASES[self._phase.value]


class _Box:
    def __init__(self, value: int) -> None:
        self.value = value


@dataclass
class Task:
    """One piece of work: what, its state, progress, and its error as one line when it failed."""

    id: str
    kind: str  # check, load, mapping, convert, run
    subject: str  # what it works on (a file id, a job file), for finding it again
    label: str
    progress: Progress
    state: str = "queued"  # queued, running, done, failed
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def as_dict(self) -> dict[str, Any]:
        fraction = self.progress.fraction
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "label": self.label,
            "phase": self.progress.phase_name,
            "fraction": None if fraction is None else round(fraction, 3),
            "seconds": round((self.finished or time.time()) - self.started, 1),
            "error": self.error,
        }


def _child(func: Callable, args: tuple, progress: Progress, errors) -> None:
    """Entry of the child process: run, and send back a one-line error when it fails."""
    try:
        func(*args, progress=progress)
    except KoppelError as exc:
        errors.send(str(exc))
    except MemoryError:
        errors.send("te weinig geheugen / out of memory")
    except BaseException as exc:  # a bug: one line for the page, the details on the server's stderr
        traceback.print_exc()
        errors.send(f"interne fout: {type(exc).__name__}: {exc}")
    finally:
        errors.close()


class TaskManager:
    """Starts tasks, remembers them for this run of the server, and finds the running one for a subject."""

    def __init__(self, mode: str = "process") -> None:
        if mode not in ("process", "thread"):
            raise ValueError(mode)
        self.mode = mode
        self._tasks: dict[str, Task] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(PARALLEL, thread_name_prefix="koppel-task")
        self._children: dict[str, multiprocessing.Process] = {}

    def get(self, task_id: str) -> Task | None:
        return self._tasks.get(task_id)

    def active(self, kind: str, subject: str) -> Task | None:
        """The queued or running task of this kind on this subject, if any (a second click joins it)."""
        with self._lock:
            for task in self._tasks.values():
                if task.kind == kind and task.subject == subject and task.state in ("queued", "running"):
                    return task
        return None

    def latest(self, kind: str, subject: str) -> Task | None:
        with self._lock:
            found = [t for t in self._tasks.values() if t.kind == kind and t.subject == subject]
        return max(found, key=lambda t: t.started) if found else None

    def start(self, kind: str, subject: str, label: str, func: Callable, *args,
              on_done: Callable[[Task], None] | None = None) -> Task:
        """Run ``func(*args, progress=...)`` as a task, unless the same work is already under way."""
        with self._lock:
            for task in self._tasks.values():
                if task.kind == kind and task.subject == subject and task.state in ("queued", "running"):
                    return task
            task = Task(secrets.token_hex(8), kind, subject, label, Progress(self.mode == "process"))
            self._tasks[task.id] = task
        self._pool.submit(self._run, task, func, args, on_done)
        return task

    def _run(self, task: Task, func: Callable, args: tuple, on_done) -> None:
        task.state = "running"
        task.started = time.time()
        try:
            if self.mode == "thread":
                try:
                    func(*args, progress=task.progress)
                except KoppelError as exc:
                    task.error = str(exc)
                except Exception as exc:
                    traceback.print_exc()
                    task.error = f"interne fout: {type(exc).__name__}: {exc}"
            else:
                task.error = self._in_child(task, func, args)
        finally:
            task.state = "failed" if task.error else "done"
            task.finished = time.time()
            if on_done is not None:
                try:
                    on_done(task)
                except Exception:
                    traceback.print_exc()

    def _in_child(self, task: Task, func: Callable, args: tuple) -> str | None:
        ctx = multiprocessing.get_context("spawn")
        receiver, sender = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_child, args=(func, args, task.progress, sender), name=f"koppel-{task.kind}")
        child.start()
        sender.close()
        self._children[task.id] = child
        error = None
        try:
            while child.is_alive() or receiver.poll():
                if receiver.poll(0.2):
                    try:
                        error = receiver.recv()
                    except EOFError:
                        break
            child.join()
        finally:
            receiver.close()
            self._children.pop(task.id, None)
        if error is None and child.exitcode != 0:
            error = f"het werk stopte onverwacht (exit code {child.exitcode}; te weinig geheugen?)"
        return error

    def shutdown(self) -> None:
        """Stop what still runs (the server is stopping): children are ended, their partial output discarded."""
        for child in list(self._children.values()):
            if child.is_alive():
                child.terminate()
        self._pool.shutdown(wait=False, cancel_futures=True)


def wait(task: Task, timeout: float = 60.0) -> Task:
    """Block until ``task`` ends (tests, and the CLI's own use)."""
    deadline = time.time() + timeout
    while task.state in ("queued", "running"):
        if time.time() > deadline:
            raise TimeoutError(f"task {task.kind} did not finish in {timeout} s")
        time.sleep(0.02)
    return task

