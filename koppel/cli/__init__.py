"""The ``koppel`` command: thin click wrappers around functions in the package.

Each command lives in its own module below (``COMMANDS``: command name -> module). A module is imported
when its command runs (or is listed by ``--help``), after :func:`main` has set up clean stops: starting
``koppel`` costs no pandas import, and a Ctrl-C during the imports is an ordinary interrupt.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys

import click

from .. import __version__, interrupts
from ..errors import KoppelError
from ..oserrors import os_error_message

COMMANDS: dict[str, str] = {
    "inspect": "koppel.cli.inspect_cmd",
    "export": "koppel.cli.export_cmd",
    "formats": "koppel.cli.formats_cmd",
    "convert": "koppel.cli.convert_cmd",
    "mapping": "koppel.cli.mapping_cmd",
    "run": "koppel.cli.run_cmd",
    "watch": "koppel.cli.watch_cmd",
    "openitems": "koppel.cli.openitems_cmd",
    "check": "koppel.cli.check_cmd",
    "profile": "koppel.cli.profile_cmd",
    "relations": "koppel.cli.relations_cmd",
}
COMMAND_MODULES: tuple[str, ...] = tuple(COMMANDS.values())


class _LazyGroup(click.Group):
    """A group whose commands register themselves when their module is first imported."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(COMMANDS[cmd_name])
        return self.commands.get(cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="koppel")
def cli() -> None:
    """koppel — Dutch bookkeeping data: auditfiles (XAF), package import files, ERP/POS exports."""


def load_all_commands() -> None:
    """Import every command module (for tools that walk ``cli.commands``)."""
    for module in COMMAND_MODULES:
        importlib.import_module(module)


def main(argv: list[str] | None = None) -> None:
    """Entry point: every way a command can end becomes one line on stderr and an exit code; never a traceback.

    0 done, 1 a check finding or money difference (per command), 2 a problem the user can fix (bad input, an
    OS error such as a full disk or a missing permission), 3 a bug in koppel, 130 Ctrl-C, 143 SIGTERM.
    """
    with interrupts.stop_signals_raise(), interrupts.private_tempdir():
        code = run(argv)
    sys.exit(code)


def run(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code (see :func:`main`)."""
    try:
        try:
            with cli.make_context("koppel", list(sys.argv[1:] if argv is None else argv)) as ctx:
                code = cli.invoke(ctx)
        finally:
            sys.stdout.flush()
    except KoppelError as exc:
        return _fail(str(exc), 2)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        return _fail("interrupted", 130)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except KeyboardInterrupt as exc:
        return _fail("interrupted", interrupts.exit_code(exc))
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):  # `koppel ... | head`: the reader left; nothing to say
            return 0
        return _fail(str(os_error_message(exc)), 2)
    except MemoryError:
        return _fail("out of memory (try --workers 1, or a machine with more memory)", 2)
    except Exception as exc:  # a bug in koppel: say so in one line; details only on request
        if os.environ.get("KOPPEL_DEBUG"):
            raise
        return _fail(f"internal error: {type(exc).__name__}: {exc} (please report it; KOPPEL_DEBUG=1 shows details)", 3)
    return code if isinstance(code, int) else 0


def _fail(message: str, code: int) -> int:
    with contextlib.suppress(OSError):
        click.echo(f"koppel: {message}", err=True)
    return code
