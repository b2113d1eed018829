"""The ``koppel`` command: thin click wrappers around functions in the package.

Each command lives in its own module below; ``COMMAND_MODULES`` lists them.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from .. import __version__
from ..errors import KoppelError

COMMAND_MODULES: tuple[str, ...] = (
    "koppel.cli.inspect_cmd",
    "koppel.cli.export_cmd",
    "koppel.cli.formats_cmd",
    "koppel.cli.convert_cmd",
    "koppel.cli.mapping_cmd",
    "koppel.cli.run_cmd",
    "koppel.cli.watch_cmd",
    "koppel.cli.openitems_cmd",
    "koppel.cli.check_cmd",
    "koppel.cli.profile_cmd",
    "koppel.cli.relations_cmd",
    "koppel.cli.serve_cmd",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="koppel")
def cli() -> None:
    """koppel — Dutch bookkeeping data: auditfiles (XAF), package import files, ERP/POS exports."""


for _module in COMMAND_MODULES:
    importlib.import_module(_module)


def main(argv: list[str] | None = None) -> None:
    """Entry point: KoppelError becomes one line on stderr and exit code 2; never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="koppel", standalone_mode=False)
    except KoppelError as exc:
        click.echo(f"koppel: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("koppel: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("koppel: interrupted", err=True)
        sys.exit(130)
    except MemoryError:
        click.echo("koppel: out of memory", err=True)
        sys.exit(2)
    except Exception as exc:  # a bug in koppel: say so in one line; details only on request
        if os.environ.get("KOPPEL_DEBUG"):
            raise
        click.echo(
            f"koppel: internal error: {type(exc).__name__}: {exc} (please report it; KOPPEL_DEBUG=1 shows details)",
            err=True,
        )
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)
