"""The ``koppel`` click group; each command's module is imported when the command runs (see COMMANDS)."""

from __future__ import annotations

import importlib
import shlex
from pathlib import Path

import click

from .. import __version__

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
    "codes": "koppel.cli.codes_cmd",
    "profile": "koppel.cli.profile_cmd",
    "relations": "koppel.cli.relations_cmd",
    "serve": "koppel.cli.serve_cmd",
}
COMMAND_MODULES: tuple[str, ...] = tuple(COMMANDS.values())


class _LazyGroup(click.Group):
    """A group whose commands register themselves when their module is first imported."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            from ..arrow_pool import prefer_jemalloc

            prefer_jemalloc()  # before the command's modules allocate (see koppel/arrow_pool.py)
            importlib.import_module(COMMANDS[cmd_name])
        command = self.commands.get(cmd_name)
        if command is not None:
            from .epilogs import attach

            attach(command, cmd_name)
        return command

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            near = f"did you mean '{close[0]}'? " if close else ""
            raise click.UsageError(
                f"no command {name!r}: {near}the commands are {', '.join(self.list_commands(ctx))}", ctx
            )
        return super().resolve_command(ctx, args)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="koppel")
@click.option("--log-file", type=click.Path(path_type=Path, dir_okay=False), envvar="KOPPEL_LOG_FILE", default=None,
              metavar="PATH", help="Append one line per input and decision, and every error with its context, to "
              "PATH (for unattended runs; also KOPPEL_LOG_FILE). Nothing is logged without it.")  # fmt: skip
def cli(log_file: Path | None = None) -> None:
    """koppel — Dutch bookkeeping data: auditfiles (XAF), package import files, ERP/POS exports."""
    if log_file is not None:
        from ..logs import log, to_file
        from . import current_argv

        to_file(log_file)
        log.info("koppel %s: %s", __version__, " ".join(shlex.quote(a) for a in current_argv()))


def load_all_commands() -> None:
    """Import every command module (for tools that walk ``cli.commands``)."""
    for module in COMMAND_MODULES:
        importlib.import_module(module)
