"""The ``koppel`` command: thin click wrappers around functions in the package.

Each command lives in its own module (``koppel.cli.group.COMMANDS``: command name -> module), imported when
its command runs (or is listed by ``--help``). This module itself imports next to nothing, so :func:`main`
sets up clean stops before click, pandas and the readers load: a Ctrl-C during start-up is an ordinary
interrupt, and ``koppel`` starts fast. ``koppel.cli.cli`` (the click group) is loaded on first use.
"""

from __future__ import annotations

import contextlib
import os
import sys

from .. import interrupts


def __getattr__(name: str):
    if name in ("cli", "COMMANDS", "COMMAND_MODULES", "load_all_commands"):
        from . import group

        return getattr(group, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: every way a command can end becomes one line on stderr and an exit code; never a traceback.

    0 done, 1 a check finding or money difference (per command), 2 a problem the user can fix (bad input, an
    OS error such as a full disk or a missing permission), 3 a bug in koppel, 130 Ctrl-C, 143 SIGTERM.
    """
    with interrupts.stop_signals_raise(entry=argv is None), interrupts.private_tempdir():
        code = run(argv)
        interrupts.command_done(code)
    sys.exit(code)


_ARGV: list[str] = []


def current_argv() -> list[str]:
    """The arguments of the command being run (for the log's first line)."""
    return list(_ARGV)


def run(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code (see :func:`main`)."""
    _ARGV[:] = list(sys.argv[1:] if argv is None else argv)
    try:
        code = _run(_ARGV)
    finally:
        _ARGV.clear()
    if "koppel.logs" in sys.modules:  # a log file was asked for: the end of the command, then close it
        from ..logs import close_files, log

        log.info("exit %d", code)
        close_files()
    return code


def _logged(message: str, *, traceback: bool = False) -> None:
    """An error line for the log file too (when there is one), with the traceback of a bug."""
    if "koppel.logs" in sys.modules:
        from ..logs import log

        log.error("%s", message, exc_info=traceback)


def _run(argv: list[str]) -> int:
    try:
        import click

        from .group import cli
    except KeyboardInterrupt as exc:  # Ctrl-C while koppel was still starting
        return _fail("interrupted", interrupts.exit_code(exc))
    try:
        try:
            with cli.make_context("koppel", argv) as ctx:
                code = cli.invoke(ctx)
        finally:
            sys.stdout.flush()
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        return _fail("interrupted", 130)
    except click.UsageError as exc:  # one line too, with where to read how the command is used
        return _fail(usage_line(exc), exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except KeyboardInterrupt as exc:
        return _fail("interrupted", interrupts.exit_code(exc))
    except Exception as exc:
        return _failure(exc)
    return code if isinstance(code, int) else 0


def _failure(exc: Exception) -> int:
    """One line and the exit code for an error that ended a command."""
    from ..errors import KoppelError
    from ..oserrors import os_error_message

    if signum := interrupts.stop_received():  # the error came from stopping on the signal: say that instead
        return _fail("interrupted", 128 + signum)
    if isinstance(exc, KoppelError):
        return _fail(str(exc), 2)
    if isinstance(exc, OSError):
        if isinstance(exc, BrokenPipeError):  # `koppel ... | head`: the reader left; nothing to say
            return 0
        return _fail(str(os_error_message(exc)), 2)
    if isinstance(exc, MemoryError):
        return _fail("out of memory (try --workers 1, or a machine with more memory)", 2)
    _logged("a bug in koppel; its traceback:", traceback=True)  # a bug in koppel: one line; details on request
    if os.environ.get("KOPPEL_DEBUG"):
        raise exc
    return _fail(f"internal error: {type(exc).__name__}: {exc} (please report it; KOPPEL_DEBUG=1 shows details)", 3)


def usage_line(exc) -> str:
    """A click usage error as koppel's one line: what is wrong, and the help that shows how it is used."""
    from ..errors import one_line

    ctx = exc.ctx
    command = ctx.command_path if ctx is not None else "koppel"
    message = one_line(exc.format_message()).rstrip(".")
    return f"{message} (see '{command} --help')"


def _fail(message: str, code: int) -> int:
    _logged(message)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"koppel: {message}\n")
        sys.stderr.flush()
    return code
