"""``koppel relations``: debtor and creditor lists in, checked, out as a list or a package's relation file."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from ..atomic import replacing
from ..errors import KoppelError
from ..outputs import check_file_output, check_folder_output
from ..registry import read_input
from ..relations import read_relations_result, validate_relations
from ..relations.write import LIST_FORMATS, relation_table, write_relation_list
from . import cli
from .options import force_option


@cli.group("relations")
def relations_group() -> None:
    """Relation master data (debtors, creditors): convert, check, export."""


def _check_output(output: Path, target: str, force: bool) -> bool:
    """A list (xlsx/csv) is a file with that extension; a package target a folder (see koppel convert)."""
    if target in LIST_FORMATS:
        companions = (output.with_name(output.stem + ".findings.csv"),) if target == "csv" else ()
        check_file_output(output, option="-o", force=force, suffixes=(f".{target}",), companions=companions,
                          what=f"a relation list ({target})")  # fmt: skip
        return False
    return check_folder_output(output, option="-o", force=force, markers=("control.json",))


fail_on_option = click.option(
    "--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
    help="Exit 1 when a finding of this severity (or worse) is found; the list is written all the same.",
)  # fmt: skip


def _exit_code(findings, fail_on: str) -> int:
    """1 when a finding reaches ``fail_on`` (as koppel check), else 0."""
    levels = ("error",) if fail_on == "error" else ("error", "warning")
    return 1 if findings["severity"].isin(levels).any() else 0


def _echo_findings(findings) -> None:
    for row in findings.itertuples(index=False):
        click.echo(f"  {row.code} {row.severity}: relation {row.relation_id}: {row.field} {row.value!r}: {row.message}")


@relations_group.command("convert")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--profile", default=None, type=click.Path(path_type=Path), help="Relations profile (.toml).")
@click.option("--from", "from_format", default=None, metavar="FORMAT", help="Read the relations of any input.")
@click.option("--to", "target", required=True, metavar="TARGET|xlsx|csv", help="A package target or a list.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), metavar="OUT",
              help="A list (OUT.xlsx, OUT.csv) or, for a package target, a new or empty folder.")
@click.option("--accept-errors", is_flag=True, help="Write a package file even with error findings.")
@fail_on_option
@force_option
def convert_command(
    path: Path,
    profile: Path | None,
    from_format: str | None,
    target: str,
    output: Path,
    accept_errors: bool,
    force: bool,
    fail_on: str = "error",
) -> int:
    """Read debtors/creditors from an XLSX/CSV list (or any administration), check them, and write them."""
    replace_whole = _check_output(output, target, force)
    options = {"profile": profile} if profile else {}
    read = read_relations_result(path, from_format=from_format, **options)
    adm = read.adm
    findings = read.extras.get("relation_findings")
    if findings is None:
        relations, findings = validate_relations(adm.relations, read.extras.get("relations"))
        adm.relations = relations
    errors = int((findings["severity"] == "error").sum())
    click.echo(f"{len(adm.relations)} relations, {errors} errors, {len(findings) - errors} warnings")
    _echo_findings(findings)
    if target in LIST_FORMATS:
        files = write_relation_list(
            relation_table(adm.relations, read.extras.get("relations")), findings, output, target, input_path=path
        )
        click.echo("wrote " + ", ".join(str(f) for f in files))
        return _exit_code(findings, fail_on)
    if errors and not accept_errors:
        raise KoppelError(
            f"{errors} relations have errors; nothing written",
            file=path,
            hint="fix them in the list (see above), or pass --accept-errors",
        )
    from ..pipeline import convert

    with replacing(output) if replace_whole else contextlib.nullcontext():
        result = convert(path, target, output, from_format=from_format or "relations", reader_options=options)
    counts = result.control["counts"]
    click.echo(
        f"wrote {len(result.files)} files for {target} to {output}: relations {counts['relations'][0]} -> "
        f"{counts['relations'][1]}"
    )
    for item in result.control["not_carried"]:
        click.echo(f"  not carried: {item['what']} ({item['count']}): {item['why']}")
    extras = read.extras.get("relations")
    if extras is not None and {"mandate_reference", "credit_limit"} & set(extras.columns):
        filled = [
            c
            for c in ("mandate_reference", "mandate_date", "credit_limit")
            if c in extras and (extras[c].astype("string").fillna("") != "").any()
        ]
        if filled:
            click.echo(
                f"  extra fields {', '.join(filled)}: outside the canonical relations table; only targets that read "
                "extras carry them (exact-online: SEPA mandates); all are in the xlsx/csv list"
            )
    if not result.equal:
        sys.exit(1)
    return 0


@relations_group.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--from", "from_format", default=None, metavar="FORMAT",
              help="Input format (default: detected from content); see 'koppel formats'.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), metavar="OUT.xlsx|OUT.csv",
              help="The checked list: an Excel workbook (sheets Relaties, Bevindingen, Herkomst), "
              "or a CSV with OUT.findings.csv beside it.")
@fail_on_option
@force_option
def export_command(path: Path, from_format: str | None, output: Path, force: bool, fail_on: str = "error") -> int:
    """A readable, checked list of the relations in an auditfile (or any readable administration)."""
    fmt = "csv" if output.suffix.lower() == ".csv" else "xlsx"
    _check_output(output, fmt, force)
    adm = read_input(path, from_format)
    relations, findings = validate_relations(adm.relations)
    files = write_relation_list(relation_table(relations, None), findings, output, fmt, input_path=path)
    errors = int((findings["severity"] == "error").sum())
    click.echo(
        f"{len(relations)} relations, {errors} errors, {len(findings) - errors} warnings; wrote "
        + ", ".join(str(f) for f in files)
    )
    return _exit_code(findings, fail_on)
