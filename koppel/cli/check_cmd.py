"""``koppel check``: findings per rule code, verdict, JSON/HTML/Excel reports; exit code by --fail-on."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import click

from ..atomic import atomic_open, replacing
from ..checks import check_file
from ..checks.console import render
from ..checks.contract import shared_shape
from ..checks.findings import SEVERITY_RANK
from ..errors import KoppelError
from ..logs import log
from ..outputs import check_file_output, check_folder_output
from ..progress import activity, watch_file
from ..provenance import stamp
from ..stdin_input import SHOWN, is_stdin, readable
from . import cli
from .options import force_option, lang_option


def _write_json(data, path: Path) -> None:
    with atomic_open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


def _reports():
    try:
        from ..reports import write_html_report, write_report_index, write_xlsx_report
    except ImportError as exc:
        raise KoppelError(
            f"the HTML/Excel report writers are not available ({exc})", hint="use --json, or update koppel"
        ) from None
    return write_html_report, write_xlsx_report, write_report_index


def _release(path: Path | None):
    """The RGS release of --rgs, read once for all files (a bad workbook stops here, exit 2)."""
    if path is None:
        return None
    from ..rgs.release import load_release

    return load_release(path)


def _later_layers(result: dict, path: Path, release, previous: Path | None, places: int) -> dict:
    """RGS codes against the release (an info finding on XAF 4.0 without one) and last year's closing balance."""
    from ..checks.previous_year import add_previous_year
    from ..rgs.check import add_rgs_findings

    result = add_rgs_findings(result, path, None, release=release, max_places=places)
    if previous is not None:
        result = add_previous_year(result, path, previous, max_places=places)
    return result


def _write_report_dir(results: list[dict], report_dir: Path, lang: str) -> Path:
    """One HTML + Excel + JSON report per file and index.html, all published together (or none)."""
    from ..atomic import AtomicDir

    write_html, write_xlsx, write_index = _reports()
    with AtomicDir(report_dir) as out:
        paths: list[Path] = []
        used: set[str] = set()
        for r in results:
            stem = Path(r["file"]).name
            while stem in used:
                stem += "_"
            used.add(stem)
            write_html(r, out.path(f"{stem}.html"), lang=lang)
            write_xlsx(r, out.path(f"{stem}.xlsx"), lang=lang)
            with out.path(f"{stem}.json").open("w", encoding="utf-8") as handle:
                json.dump(r, handle, indent=2, ensure_ascii=False)
                handle.write("\n")
            paths.append(out.writes_into / f"{stem}.html")  # the index links by final name, in its own folder
        write_index(results, paths, out.path("index.html"), lang=lang)
    return report_dir / "index.html"


def _check_one(path: Path, schema_dir, encoding, no_xsd: bool, places: int, release, previous) -> dict:
    """The result of one file; a file that cannot be read at all is an 'unusable' result with its one line."""
    try:
        with activity(f"check {path.name}") as act, watch_file(path, act):
            result = check_file(path, schema_dir=schema_dir, encoding=encoding, xsd=not no_xsd, max_places=places)
            return _later_layers(result, path, release, previous, places)
    except KoppelError as exc:
        click.echo(f"koppel: {exc}", err=True)
        return {
            "file": str(path), "version": None, "software": None, "encoding": None, "verdict": "unusable",
            "header": {}, "summary": {"error": 0, "warning": 0, "info": 0}, "findings": [],
            "trial_balance": [], "journals": [], "periods": [], "counts": {}, "totals": {},
            "problem": exc.message,
        }  # fmt: skip


def _inputs_and_json(files: tuple[Path, ...], json_out: Path | None) -> tuple[tuple[Path, ...], Path | None]:
    """The files to check and where --json goes. ``--json`` alone is stdout ('-'); ``--json a.xaf`` (the flag
    followed by an input) is stdout too: an existing file that is not .json is an input, never overwritten."""
    if json_out is not None and not is_stdin(json_out) and json_out.suffix.lower() != ".json" and json_out.is_file():
        files, json_out = (json_out, *files), Path("-")
    if not files:
        raise click.UsageError("name the auditfiles to check (or '-' for stdin), e.g. koppel check FILE.xaf")
    if sum(1 for f in files if is_stdin(f)) > 1:
        raise click.UsageError("'-' (stdin) can be given once")
    return files, json_out


def exit_code(results: list[dict], fail_on: str) -> int:
    """2 when a file cannot be used at all, 1 when a finding reaches ``fail_on``, else 0."""
    if any(r["verdict"] == "unusable" for r in results):
        return 2
    floor = SEVERITY_RANK[fail_on]
    if any(SEVERITY_RANK[f["severity"]] >= floor for r in results for f in r["findings"]):
        return 1
    return 0


@cli.command("check")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path), metavar="FILE...|-")
@click.option(
    "--json", "json_out", type=click.Path(path_type=Path), metavar="[OUT.json]", is_flag=False, flag_value="-",
    help="Print the result as JSON on stdout, as every --json of koppel does (a list for several files; the "
    "console text goes to stderr); with OUT.json write it there instead.",
)
@click.option("--html", "html_out", type=click.Path(path_type=Path), help="Write an HTML report (one file only).")
@click.option("--xlsx", "xlsx_out", type=click.Path(path_type=Path), help="Write an Excel report (one file only).")
@click.option(
    "--report-dir", type=click.Path(path_type=Path), help="One HTML + Excel + JSON report per file, and index.html."
)
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="Exit 1 when a finding of this severity (or worse) is found.")
@click.option("--schema-dir", type=click.Path(path_type=Path, file_okay=False), help="Folder with the official XSDs.")
@click.option("--encoding", default=None, metavar="NAME", help="Read the file in this encoding, whatever it declares.")
@click.option("--no-xsd", is_flag=True, help="Skip the schema (XSD) layer.")
@click.option("--places", type=click.IntRange(min=0), default=20, show_default=True, metavar="N",
              help="Places (line, path, values) kept per finding code; 0 keeps only the counts.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the verdict line per file.")
@click.option("--rgs", "rgs_release", type=click.Path(path_type=Path), default=None, metavar="RELEASE.xlsx",
              help="Check every account's RGS code against this RGS release (the official Excel workbook).")
@click.option("--previous", type=click.Path(path_type=Path), default=None, metavar="LAST",
              help="Last year's file: this year's opening balance must equal its closing balance.")
@lang_option
@force_option
def check_command(
    files: tuple[Path, ...],
    json_out: Path | None,
    html_out: Path | None,
    xlsx_out: Path | None,
    report_dir: Path | None,
    fail_on: str,
    schema_dir: Path | None,
    encoding: str | None,
    no_xsd: bool,
    places: int,
    quiet: bool,
    force: bool,
    rgs_release: Path | None = None,
    previous: Path | None = None,
    lang: str = "nl",
) -> int:
    """Check auditfiles: encoding, XML, version, XSD and every content rule (codes XAF-*); '-' reads stdin.

    Exit 0 when no finding reaches --fail-on, 1 when one does, 2 when a file cannot be used at all.
    """
    files, json_out = _inputs_and_json(files, json_out)
    if (html_out or xlsx_out) and len(files) > 1:
        raise click.UsageError("--html and --xlsx take one file; use --report-dir for several")
    if schema_dir is not None and not schema_dir.is_dir():
        raise KoppelError("schema folder not found", file=schema_dir)
    json_stdout = json_out is not None and str(json_out) == "-"  # as inspect/formats/run --json: stdout
    if json_stdout:
        json_out = None
    for option, out, suffixes in (("--json", json_out, (".json",)), ("--html", html_out, (".html", ".htm")),
                                  ("--xlsx", xlsx_out, (".xlsx",))):  # fmt: skip
        if out is not None:
            check_file_output(out, option=option, force=force, suffixes=suffixes, what=f"the {option[2:]} report")
    replace_whole = report_dir is not None and check_folder_output(
        report_dir, option="--report-dir", force=force, markers=("index.html",)
    )
    for path in files:  # a file that is not there is a mistake in the command, not a verdict on a file
        if is_stdin(path):
            continue
        if not path.exists():
            raise KoppelError("file not found", file=path, hint="check the name; koppel check takes auditfiles")
        if path.is_dir():
            raise KoppelError("is a folder, not an auditfile", file=path, hint="name the files in it, e.g. DIR/*.xaf")
    release = _release(rgs_release)
    if previous is not None and not previous.exists():
        raise KoppelError("file not found", file=previous, hint="--previous names last year's file")
    results: list[dict] = []
    for path in files:
        with readable(path) as given:
            result = _check_one(given, schema_dir, encoding, no_xsd, places, release, previous)
            shown = SHOWN if is_stdin(path) else None
            if shown:
                result["file"] = shown
            result = stamp(shared_shape(result), given, shown_as=shown)  # which koppel, which bytes, when
        s = result["summary"]
        log.info("check %s: %s (%d error, %d warning, %d info codes)", path, result["verdict"], s["error"],
                 s["warning"], s["info"])  # fmt: skip
        results.append(result)
        text = render(result, lang=lang)
        click.echo(text.splitlines()[0] + "\n" + text.splitlines()[2] if quiet else text, err=json_stdout)
        if len(files) > 1:
            click.echo("", err=json_stdout)
    if json_out:
        _write_json(results[0] if len(results) == 1 else results, json_out)
    if json_stdout:
        click.echo(json.dumps(results[0] if len(results) == 1 else results, indent=2, ensure_ascii=False))
    if html_out or xlsx_out:
        write_html, write_xlsx, _ = _reports()
        if html_out:
            write_html(results[0], html_out, lang=lang)
            click.echo(f"HTML-rapport: {html_out}", err=json_stdout)
        if xlsx_out:
            write_xlsx(results[0], xlsx_out, lang=lang)
            click.echo(f"Excel-rapport: {xlsx_out}", err=json_stdout)
    if report_dir:
        with replacing(report_dir) if replace_whole else contextlib.nullcontext():
            index = _write_report_dir(results, report_dir, lang)
        click.echo(f"Rapporten: {index}", err=json_stdout)
    return exit_code(results, fail_on)
