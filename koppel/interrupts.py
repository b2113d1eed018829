"""Stopping cleanly: Ctrl-C and SIGTERM end koppel within seconds, without tracebacks or leftovers.

The command's own process (the coordinator) turns the first SIGINT or SIGTERM into :class:`Interrupted`, so
every ``finally`` and ``with`` block on the way out runs (temp files removed, worker processes stopped, no
half-made output); later signals are ignored while it cleans up, and a watchdog ends the process if cleaning
up ever takes longer than :data:`GRACE_SECONDS`. Worker processes ignore SIGINT (a Ctrl-C reaches the whole
process group; the coordinator stops them) and die quietly on SIGTERM. All temporary files of one command go
into one private folder (:func:`private_tempdir`), removed when the command ends, whoever made them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator

GRACE_SECONDS = 1.5  # the promise is 2 s from the signal to the exit
STOP_SIGNALS = tuple(s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None)


class Interrupted(KeyboardInterrupt):
    """Raised in the coordinator on the first SIGINT or SIGTERM; a KeyboardInterrupt, so nothing swallows it."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum


def exit_code(exc: BaseException) -> int:
    """130 for Ctrl-C (SIGINT), 143 for SIGTERM: 128 + the signal's number, as shells report it."""
    return 128 + int(getattr(exc, "signum", signal.SIGINT))


class _Watchdog(threading.Thread):
    """Started with the command, idle until a stop signal: then it gives the clean-up GRACE_SECONDS.

    The signal handler only sets an event (it may interrupt the main thread anywhere, even inside
    ``threading``, so it must not start a thread or take a lock the main thread could hold).
    """

    def __init__(self) -> None:
        super().__init__(name="koppel-stop-watchdog", daemon=True)
        self.fired = threading.Event()
        self.finished = threading.Event()
        self.signum = signal.SIGINT

    def run(self) -> None:
        self.fired.wait()
        if not self.finished.is_set() and not self.finished.wait(GRACE_SECONDS):
            _deadline(self.signum)

    def stop(self) -> None:
        self.finished.set()
        self.fired.set()


class _State:
    owner: int | None = None  # pid of the coordinator: forked children inherit the handler, not the role
    received: int | None = None
    on_deadline: list = []
    watchdog: _Watchdog | None = None


def _handler(signum: int, _frame) -> None:
    if os.getpid() != _State.owner:  # a forked child we did not set up ourselves (e.g. a validation process)
        if signum != signal.SIGINT:
            os._exit(128 + signum)
        return
    if _State.received is not None:  # already stopping: let the clean-up finish
        return
    _State.received = signum
    if _State.watchdog is not None:
        _State.watchdog.signum = signum
        _State.watchdog.fired.set()
    raise Interrupted(signum)


def _deadline(signum: int) -> None:
    """Cleaning up took too long (a stuck child, a hung disk): say so in the same one line and leave."""
    for action in _State.on_deadline:
        with contextlib.suppress(BaseException):
            action()
    with contextlib.suppress(BaseException):
        sys.stderr.write("koppel: interrupted\n")
        sys.stderr.flush()
    os._exit(128 + signum)


@contextlib.contextmanager
def stop_signals_raise() -> Iterator[None]:
    """In the command's own process: the first SIGINT/SIGTERM raises :class:`Interrupted` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    saved = (_State.owner, _State.received, _State.watchdog)
    watchdog = _Watchdog()
    watchdog.start()
    _State.owner, _State.received, _State.watchdog = os.getpid(), None, watchdog
    for s in STOP_SIGNALS:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        watchdog.stop()
        for s, old in previous.items():
            signal.signal(s, old if old is not None else signal.SIG_DFL)
        _State.owner, _State.received, _State.watchdog = saved


def on_deadline(action) -> None:
    """Run ``action`` (best effort) when the watchdog has to end the process: e.g. remove the temp folder."""
    _State.on_deadline.append(action)


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back while worker processes are forked, so none is hit before it ignores them.

    Signals that arrive meanwhile are delivered when the block ends (to the coordinator only).
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def worker_ignores_interrupts() -> None:
    """Initializer of every worker process: Ctrl-C is the coordinator's to handle; SIGTERM ends it silently."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


@contextlib.contextmanager
def private_tempdir() -> Iterator[str]:
    """One temp folder for everything this command and its workers write to TMPDIR; removed at the end.

    Spool files, unpacked archives and read-back copies all land here (``tempfile`` and child processes use
    it), so an interrupt, a killed worker or a crash before a ``finally`` cannot leave them behind.
    """
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="koppel-")
    saved_tempdir = tempfile.tempdir
    saved_env = {k: os.environ.get(k) for k in ("TMPDIR", "TEMP", "TMP")}
    tempfile.tempdir = folder
    for key in saved_env:
        os.environ[key] = folder
    owner = os.getpid()

    def remove() -> None:
        if os.getpid() == owner:
            shutil.rmtree(folder, ignore_errors=True)

    on_deadline(remove)
    try:
        yield folder
    finally:
        if _State.owner == owner and _State.received is None:
            _State.received = 0  # the command is over: a signal now must not cut the clean-up short
        tempfile.tempdir = saved_tempdir
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        remove()
        with contextlib.suppress(ValueError):
            _State.on_deadline.remove(remove)
