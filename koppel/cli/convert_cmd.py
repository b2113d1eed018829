"""``koppel convert``.

Target-specific switches need no edit here: ``--option KEY=VALUE`` (repeatable) reaches the writer as
``job.options[KEY]``. A named switch (``--split-mb``) is declared with the option it sets (``flag`` in a
format's spec or in :mod:`koppel.format_options`); its value lands in the same dict under the option's name.
Every key is checked against the target's declared options (:mod:`koppel.format_options`) before the input is
read; so are ``--read-option`` keys against the reader's.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from ..atomic import replacing
from ..format_options import Option, named_switches, validate, writer_options
from ..logs import log
from ..outputs import check_file_output, check_folder_output
from ..pipeline import control_path_for, convert, parse_options
from ..progress import activity, current
from ..registry import all_formats, target_format
from ..stdin_input import readable
from . import cli
from .options import (
    encoding_option,
    force_option,
    input_format_option,
    read_options,
    read_options_option,
    reading_workers_option,
    source_options,
    source_reader_options,
)


def _earlier_files(control: Path, folder: Path) -> list[Path]:
    """The files an earlier single-file conversion listed in its control file (to remove those not rewritten)."""
    try:
        files = json.loads(control.read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [(folder / name).resolve() for name in files if isinstance(name, str) and Path(name).name == name]


def _targets() -> str:
    return ", ".join(f.name for f in all_formats() if f.writes) or "(none)"


def _switch(option: Option, targets: list[str]) -> click.Option:
    """The named switch of ``option`` (declared by convert's options or by a writer's spec); its value lands in
    the options under the option's name."""
    help_text = option.flag_help.replace("{targets}", ", ".join(targets)) or option.meaning
    if not option.metavar:
        return click.Option([option.flag, option.name], is_flag=True, default=None, help=help_text)
    kind = {"number": click.FLOAT, "integer": click.INT}.get(option.kind, click.STRING)
    return click.Option([option.flag, option.name], type=kind, default=None, metavar=option.metavar, help=help_text)


class _ConvertCommand(click.Command):
    """``koppel convert``, whose named switches (``--split-mb``, ``--template``, ...) are those the options of
    convert and of the formats declare (``flag`` of an option); read when the command parses or shows help."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        if not getattr(self, "_switches_added", False):
            self._switches_added = True
            self.params.extend(_switch(option, targets) for option, targets in named_switches())
        return super().get_params(ctx)


@cli.command("convert", cls=_ConvertCommand)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--to", "target", required=True, metavar="TARGET", help="Target format (see 'koppel formats').")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Output folder (or file).")
@input_format_option
@encoding_option
@click.option("--mapping", type=click.Path(path_type=Path), default=None, help="Mapping file (TOML).")
@click.option("--strict-mapping", is_flag=True, help="Every code used must be in the mapping.")
@source_options
@reading_workers_option
@click.option("--option", "option_pairs", multiple=True, metavar="KEY=VALUE", help="Target option (repeatable).")
@read_options_option
@force_option
def convert_command(
    path: Path,
    target: str,
    output: Path,
    from_format: str | None,
    encoding: str | None,
    mapping: Path | None,
    strict_mapping: bool,
    profile: str | None,
    until: str | None,
    aggregate: str | None,
    workers: int | None,
    option_pairs: tuple[str, ...],
    read_option_pairs: tuple[str, ...],
    force: bool,
    **extra,
) -> None:
    """Convert an auditfile or any readable input into a package's import files, with control.json.

    -o names a new or empty folder (a file for xaf32/xaf40); --force replaces an earlier output there whole.
    PATH '-' reads the input from stdin (messages and control.json call it "stdin").
    """
    from_format, reader_options = source_reader_options(from_format, profile, until, aggregate, workers)
    if encoding:
        reader_options["encoding"] = encoding
    with readable(path) as given:  # '-': stdin, copied to a private file that every message calls "stdin"
        result, stale = _convert(given, target, output, from_format, reader_options, read_option_pairs,
                                 option_pairs, extra, mapping, strict_mapping, force)  # fmt: skip
    for old in set(stale) - {f.resolve() for f in result.files}:  # e.g. parts of an earlier, longer split
        old.unlink(missing_ok=True)
    control = result.control
    counts = control["counts"]
    log.info("convert %s -> %s %s: %d files; %s; %d adapted, %d not carried; money in = money out: %s", path,
             target, output, len(result.files), ", ".join(f"{k} {v[0]} -> {v[1]}" for k, v in counts.items()),
             len(control["adaptations"]), len(control["not_carried"]), "yes" if result.equal else "NO")  # fmt: skip
    click.echo(f"wrote {len(result.files)} files for {target} to {output}")
    for file in result.files:
        click.echo(f"  {file}")
    click.echo("  " + ", ".join(f"{k} {v[0]} -> {v[1]}" for k, v in counts.items()))
    for item in control["adaptations"]:
        click.echo(f"  adapted: {item['what']} ({item['count']}): {item['how']}")
    for item in control["not_carried"]:
        click.echo(f"  not carried: {item['what']} ({item['count']}): {item['why']}")
    unmapped = control["mappings_applied"].get("unmapped_passed_through", {})
    if unmapped:
        click.echo("  unmapped codes passed through: " + ", ".join(f"{k} {len(v)}" for k, v in unmapped.items()))
    if not result.equal:
        money = control["money"]
        diffs = set(money["differences"]) | set(money.get("read_back", {}).get("differences", {}))
        click.echo(
            f"koppel: money in differs from money out (or from the file read back) on {len(diffs)} account(s); "
            f"see {result.control_path}",
            err=True,
        )
        sys.exit(1)
    click.echo(f"  money in = money out on every account (see {result.control_path})")


def _convert(path: Path, target, output: Path, from_format, reader_options: dict, read_option_pairs, option_pairs,
             extra: dict, mapping, strict_mapping, force: bool):
    """The conversion of the command on a readable file (stdin's copy for '-'), and the files of an earlier output
    that ``--force`` lets it remove."""
    reader_options.update(read_options(path, from_format, read_option_pairs))
    options = {key: value for key, value in extra.items() if value is not None}
    options.update(parse_options(option_pairs))
    info = target_format(target)
    if info.writer is not None:
        validate(options, writer_options(info.name), field="--option", what=f"--to {info.name}")
    kind = getattr(info, "output", "folder")
    stale: list[Path] = []
    replace_whole = False
    if info.writer is None:
        pass  # convert() says that this format cannot be written
    elif kind == "file":
        control = control_path_for("file", output)
        companions = [control]
        if info.upgrade_report:  # the upgrade report goes beside the auditfile
            from ..xaf.target import report_name

            companions.append(output.parent / report_name(output.name))
        check_file_output(output, option="-o", force=force, suffixes=(".xaf", ".xml"), companions=companions,
                          what=f"{info.name} output")  # fmt: skip
        stale = _earlier_files(control, output.parent) if force else []
    else:
        replace_whole = check_folder_output(output, option="-o", force=force, markers=("control.json",))
    with activity("convert"), replacing(output) if replace_whole else contextlib.nullcontext():
        act = current()
        if act is not None:
            act.phase("reading", total=path.stat().st_size if path.is_file() else None)
            if from_format in (None, "xaf"):
                reader_options["progress"] = act
        result = convert(
            path,
            target,
            output,
            from_format=from_format,
            mapping=mapping,
            strict_mapping=strict_mapping,
            options=options,
            reader_options=reader_options,
        )
    return result, stale
