"""Stopping cleanly: Ctrl-C and SIGTERM end koppel within seconds, without tracebacks or leftovers.

The command's own process (the coordinator) turns the first SIGINT or SIGTERM into :class:`Interrupted`, so
every ``finally`` and ``with`` block on the way out runs (temp files removed, worker processes stopped, no
half-made output); later signals are ignored while it cleans up, and a watchdog ends the process if cleaning
up ever takes longer than :data:`GRACE_SECONDS`. Worker processes ignore SIGINT (a Ctrl-C reaches the whole
process group; the coordinator stops them) and die quietly on SIGTERM. All temporary files of one command go
into one private folder (:func:`private_tempdir`), removed when the command ends, whoever made them.
"""

from __future__ import annotations

import _thread
import atexit
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

GRACE_SECONDS = 1.5  # the promise is 2 s from the signal to the exit
REDELIVER_SECONDS = 0.02  # how soon an interrupt swallowed by a finalizer is raised again
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
        self.quiet = False  # the command has said 'koppel: interrupted' already
        self.redeliver = False  # the interrupt was swallowed by a finalizer: raise it again (see _unraisable)

    def run(self) -> None:
        self.fired.wait()
        deadline = time.monotonic() + GRACE_SECONDS
        while not self.finished.wait(max(0.0, min(REDELIVER_SECONDS, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                _deadline(self.signum, say=not self.quiet)
            if self.redeliver:  # from this thread: in the main thread it would hit the hook that asked for it
                self.redeliver = False
                with contextlib.suppress(Exception):
                    _thread.interrupt_main(self.signum)

    def stop(self) -> None:
        self.finished.set()
        self.fired.set()


class _State:
    owner: int | None = None  # pid of the coordinator: forked children inherit the handler, not the role
    received: int | None = None
    on_deadline: list = []
    watchdog: _Watchdog | None = None
    previous_unraisablehook = staticmethod(sys.__unraisablehook__)
    exit_code: int = 0  # the command's, once it has ended (command_done)


def command_done(code: int) -> None:
    """The command has ended with ``code``; only the exit is left (see ``stop_signals_raise(entry=True)``)."""
    _State.exit_code = code


def stop_received() -> int | None:
    """The stop signal this command has received, if any. An error raised after it is the stop's consequence
    (a library that cancels its work on the signal, a file the clean-up already removed), not a new failure."""
    if os.getpid() == _State.owner and _State.received:
        return _State.received
    return None


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


def _unraisable(unraisable) -> None:
    """``sys.unraisablehook`` of the command: an interrupt raised inside a finalizer (``__del__``, a generator
    closed by the garbage collector, a weakref callback) cannot propagate; Python would print it as
    "Exception ignored in ..." with a traceback and go on as if nothing happened. Instead it is raised again
    in the main thread, outside the finalizer, a moment later. Everything else goes to the previous hook."""
    exc = unraisable.exc_value
    watchdog = _State.watchdog
    if isinstance(exc, Interrupted) and watchdog is not None and os.getpid() == _State.owner:
        _State.received = None  # so that the handler raises it once more
        watchdog.redeliver = True
        return
    _State.previous_unraisablehook(unraisable)


def _deadline(signum: int, say: bool = True) -> None:
    """Cleaning up took too long (a stuck child, a hung disk): say so in the same one line and leave."""
    for action in list(_State.on_deadline):
        with contextlib.suppress(BaseException):
            action()
    with contextlib.suppress(BaseException):
        sys.stdout.flush()
    if say:
        with contextlib.suppress(BaseException):
            sys.stderr.write("koppel: interrupted\n")
            sys.stderr.flush()
    os._exit(128 + signum)


def _done(code: int) -> None:
    """Install the handler of a process whose command has ended with ``code``: a stop signal now (the interpreter
    is exiting: joining worker pools, flushing) ends it with that code, its work whole, not killed by the default
    action (exit -15, no word), which a caller would take for a crash."""

    def handler(_signum: int, _frame) -> None:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)

    for s in STOP_SIGNALS:
        signal.signal(s, handler)


def _ignore_from_now_on() -> None:
    """Last exit function of the koppel process: its exit code is settled, and what follows is the interpreter
    tearing itself down, during which Python puts the default action back on every signal it handled. A stop
    signal in that moment (common right at the end of a long job) would kill the process, exit -15 or -2, as if
    its work were lost; ignored, the process ends a moment later with the code it already has."""
    for s in STOP_SIGNALS:
        with contextlib.suppress(OSError, ValueError):
            signal.signal(s, signal.SIG_IGN)


@contextlib.contextmanager
def stop_signals_raise(entry: bool = False) -> Iterator[None]:
    """In the command's own process: the first SIGINT/SIGTERM raises :class:`Interrupted` (main thread only).

    An interrupt that escapes the block (it came after the command had handled its own end, e.g. while the
    temp folder was being removed) ends the process the same way: the one line and exit code 130 or 143.
    ``entry``: this is the koppel process itself (not a caller of ``main``): when the block ends without a
    signal, a later one ends the process with the command's exit code (:func:`command_done`) instead of the
    handlers being put back, and once the exit functions have run, stop signals are ignored (see
    :func:`_ignore_from_now_on`).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    if entry:  # registered first, so it runs after the exit functions of the pools and logs the command started
        atexit.register(_ignore_from_now_on)
    saved = (_State.owner, _State.received, _State.watchdog, _State.previous_unraisablehook)
    watchdog = _Watchdog()
    watchdog.start()
    _State.owner, _State.received, _State.watchdog = os.getpid(), None, watchdog
    _State.previous_unraisablehook, sys.unraisablehook = sys.unraisablehook, _unraisable
    for s in STOP_SIGNALS:
        signal.signal(s, _handler)
    try:
        yield
    except Interrupted as exc:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write("koppel: interrupted\n")
            sys.stderr.flush()
        raise SystemExit(exit_code(exc)) from None
    finally:
        if _State.received:
            # Stopping on a signal, and the command has said so: the process is on its way out. The watchdog
            # keeps guarding that way, since the interpreter's exit joins threads and child processes
            # (concurrent.futures, multiprocessing) and one that hangs would break the promise of 2 s.
            # Further signals stay ignored: a second Ctrl-C must not print a traceback from the exit.
            watchdog.quiet = True
        else:
            watchdog.stop()
            if entry:
                _done(_State.exit_code)
            else:
                for s, old in previous.items():
                    signal.signal(s, old if old is not None else signal.SIG_DFL)
            sys.unraisablehook = _State.previous_unraisablehook
            _State.owner, _State.received, _State.watchdog, _State.previous_unraisablehook = saved


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
        try:
            if _State.owner == owner and _State.received is None:
                _State.received = 0  # the command is over: a signal now must not cut the clean-up short
        finally:  # a signal just before that line: the interrupt goes on, the folder goes all the same
            tempfile.tempdir = saved_tempdir
            for key, value in saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            remove()
            with contextlib.suppress(ValueError):
                _State.on_deadline.remove(remove)
