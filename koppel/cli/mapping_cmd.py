"""``koppel mapping init``."""

from __future__ import annotations

from pathlib import Path

import click

from ..atomic import atomic_open
from ..mapping_init import starter_mapping
from ..outputs import check_file_output
from ..progress import activity
from ..registry import target_format
from . import cli
from .options import (
    encoding_option,
    force_option,
    input_format_option,
    read_options,
    read_options_option,
    read_with_progress,
)


@cli.group("mapping")
def mapping_group() -> None:
    """Mapping files: renumber accounts, journals, VAT codes and relations for a target."""


@mapping_group.command("init")
@click.argument("path", type=click.Path(path_type=Path), metavar="INPUT")
@click.option("--to", "target", required=True, metavar="TARGET", help="Target format the mapping is for.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="Write here (default: stdout).")
@input_format_option
@encoding_option
@click.option("--profile", default=None, metavar="P", help="Read with source profile P (same as --from profile).")
@click.option("--rgs", "rgs_release", type=click.Path(path_type=Path), default=None, metavar="RELEASE.xlsx",
              help="Propose an RGS code for every account without one (review list written beside the mapping).")
@read_options_option
@force_option
def mapping_init_command(
    path: Path,
    target: str,
    output: Path | None,
    from_format: str | None,
    encoding: str | None,
    profile: str | None,
    read_option_pairs: tuple[str, ...],
    force: bool,
    rgs_release: Path | None = None,
) -> None:
    """Write a starter mapping listing every code INPUT uses, with TARGET's limits and proposals."""
    target_format(target)
    options = {}
    if profile:
        from_format = from_format or "profile"
        options["profile"] = profile
    options.update(read_options(path, from_format, read_option_pairs))
    if output is not None:
        check_file_output(output, option="-o", force=force, suffixes=(".toml",), what="a mapping")
    release = None
    if rgs_release is not None:
        from ..rgs.release import load_release

        if output is None:
            raise click.UsageError("--rgs writes a review list beside the mapping: name the mapping with -o")
        release = load_release(rgs_release)
        review = output.with_name(output.stem + ".rgs-review.csv")
        check_file_output(review, option="-o", force=force, suffixes=(".csv",), what="the RGS review list")
    with activity("mapping init"):
        adm = read_with_progress(path, from_format, encoding, **options)
    text = starter_mapping(adm, target, path.name)
    if release is not None:
        from ..rgs.mapping import rgs_section, write_review

        section, rows = rgs_section(adm, release, review.name)
        text += "\n" + section
        write_review(review, rows)
        click.echo(f"wrote {review}: the top three RGS codes per account, with scores and reasons")
    if output is None:
        click.echo(text, nl=False)
        return
    with atomic_open(output, "w", encoding="utf-8") as handle:
        handle.write(text)
    click.echo(f"wrote {output}; review it, then: koppel convert {path} --to {target} --mapping {output} -o OUT")
