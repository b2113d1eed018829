"""XAF 3.2 and 4.0 as ``koppel convert`` targets (``--to xaf32`` / ``--to xaf40``).

Plugs :func:`write_xaf_into` into the convert writer protocol: the job's mapped master tables and
balanced whole-entry batches become an Administration (lines spooled: the XAF writer passes over them
twice), the opening balance comes from ``job.opening()``. Converting a CLAIR2/3.x auditfile to 4.0 also
counts every element of the source that 4.0 drops (upgrade report: console, ``NAME.upgrade-report.json`` beside the
output, and with ``--keep-dropped`` the dropped values as CSV), all taken in the read's own pass.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

from ..errors import KoppelError
from ..model import Administration, conform
from ..reports.safe_text import write_csv
from ..writejob import WriteJob, WriteResult
from .report import ConversionReport
from .upgrade import add_to_report
from .writer import write_xaf_into


def report_name(output_name: str) -> str:
    """The upgrade report of ``klant.xaf``: ``klant.upgrade-report.json`` beside it (as ``klant.control.json``), so
    that two conversions into one folder each keep their own."""
    return f"{Path(output_name).stem}.upgrade-report.json"


def job_administration(adm: Administration, job: WriteJob, result: WriteResult) -> Administration:
    """The administration as the job prepared it (mapped, balanced), with money tallied per account."""
    view = Administration(header=copy.copy(adm.header))
    view.accounts = conform("accounts", job.accounts())
    view.relations = conform("relations", job.relations())
    view.vat_codes = conform("vat_codes", job.vat_codes())
    view.journals = conform("journals", job.journals())
    view.periods = adm.periods
    view.not_carried = dict(adm.not_carried)
    for batch in job.lines():
        result.tally(batch["source_account_id"], batch["account_id"], batch["amount"])
        view.lines.append(conform("lines", batch))
    view.lines.close()
    opening = job.opening()
    if not opening.empty:
        result.tally(opening["source_account_id"], opening["account_id"], opening["amount"])
        view.opening_balance = conform("opening_balance", opening)
        view.header.opening_source = "openingBalance"
    else:
        view.header.opening_source = None
    return view


def _source_family(adm: Administration) -> str | None:
    if adm.header.source_format != "xaf":
        return None
    return "2.0" if adm.header.source_version == "2.0" else "3"


def _keep_dropped_dir(job: WriteJob, output: Path) -> Path | None:
    value = job.option("keep_dropped")
    if value in (None, False, ""):
        return None
    if value is True or str(value).strip().lower() in ("1", "true", "yes", "ja", "on"):
        return output.with_name(output.stem + ".dropped")
    return Path(value)


def _writer(version: str):
    def write(adm: Administration, out, job: WriteJob) -> WriteResult:
        result = WriteResult()
        output = Path(job.output)
        report = ConversionReport(
            source=f"{adm.header.source_format or '?'} {adm.header.source_version or ''}".strip(),
            target=f"xaf {version}",
        )
        source_path = job.source_path
        family = _source_family(adm)
        upgrade = version == "4.0" and family is not None and source_path is not None
        keep_dir = _keep_dropped_dir(job, output)
        scan_file = None
        if upgrade:
            report.scanned = True
            if keep_dir is not None:
                keep_dir.mkdir(parents=True, exist_ok=True)
                scan_file = Path(tempfile.mkstemp(prefix=".dropped.", suffix=".csv.part", dir=keep_dir)[1])
            try:
                add_to_report(report, _counted_in_read(adm, scan_file is not None))
                if scan_file is not None:
                    adm.dropped_rows.write(scan_file)
            except BaseException:
                if scan_file is not None:
                    scan_file.unlink(missing_ok=True)
                raise
        try:
            return _write_target(adm, out, job, result, report, version, family, keep_dir, scan_file, output)
        except BaseException:
            if scan_file is not None:
                scan_file.unlink(missing_ok=True)
            raise

    return write


def _write_target(adm, out, job, result, report, version, family, keep_dir, scan_file, output) -> WriteResult:
    """Write the file(s) and the upgrade report into ``out``; the kept values are published last."""
    view = job_administration(adm, job, result)
    if adm.header.opening_source == "period0":
        report.add("moved", "transaction (period 0)", "opening balance moved into openingBalance",
                   len(adm.opening_entries))  # fmt: skip
    options = {k: job.option(k) for k in ("mixed_account_kind", "other_relation_kind", "date_created")}
    options = {k: v for k, v in options.items() if v is not None}
    if job.mapping.account_kinds:
        options["account_kinds"] = job.mapping.target_kinds()
    split = job.option("split_mb")
    written = write_xaf_into(
        view,
        out,
        output.name,
        version,
        report=report,
        schema_dir=job.option("schema_dir"),
        validate=not job.flag("no_validate"),
        split_mb=float(split) if split else None,
        **options,
    )
    if scan_file is not None:
        scan_file.replace(keep_dir / "dropped-elements.csv")
    if keep_dir is not None and scan_file is None:  # the read kept no dropped values of its own (not an auditfile)
        _keep_model_drops(adm, keep_dir, version)
    result.files = [p.name for p in written.paths]
    result.count("entries", written.entries + (1 if written.opening_lines else 0))
    result.count("lines", written.lines + written.opening_lines)
    result.count("relations", len(view.relations))
    result.count("accounts", len(view.accounts))
    for change in report.of_kind("dropped"):
        result.drop(change.element, change.count, change.rule)
    for kind in ("fixed", "added", "moved"):
        for change in report.of_kind(kind):
            result.notes.append(f"{kind}: {change.element} ({change.count}): {change.rule}")
    if version == "4.0" and family is not None:
        name = report_name(output.name)
        report.write_json(out.path(name))
        result.files.append(name)
    result.read_back = _read_back(written.temp_paths)
    return result


def _counted_in_read(adm: Administration, rows: bool) -> dict:
    """The upgrade counts (and with ``rows`` the kept values) the read took in its own pass."""
    if adm.dropped_in_40 is None or (rows and adm.dropped_rows is None):
        raise KoppelError(
            "the auditfile was read without counting what XAF 4.0 drops",
            hint="read it within koppel.xaf.consumers.wanted_in_pass(dropped_in_40=True, dropped_rows=...)",
        )
    return adm.dropped_in_40


def _keep_model_drops(adm: Administration, folder: Path, version: str) -> None:
    """Relation fields 4.0 has no place for, as CSV, for a source whose read kept none (an auditfile's read keeps
    every dropped value itself, relations' among them)."""
    cols = ["relation_id", "contact", "phone", "website", "iban", "bic", "payment_days", "control_account"]
    rel = adm.relations[cols]
    rel = rel[rel.drop(columns="relation_id").notna().any(axis=1)]
    if version == "4.0" and not rel.empty:
        folder.mkdir(parents=True, exist_ok=True)  # made for the kept rows only when the source was XAF
        write_csv(rel, folder / "dropped-relations.csv", keep=("payment_days",))


def _read_back(paths: list[Path]):
    """Cents per account read from the written (temp) file with koppel's own XAF reader."""

    def read() -> dict[str, int]:
        from .reader import read_xaf
        from .split import join_parts

        with tempfile.TemporaryDirectory(prefix="koppel-readback-") as tmp:
            source = paths[0]
            if len(paths) > 1:
                source = Path(tmp) / "joined.xaf"
                join_parts(paths, source)
            back = read_xaf(source)
            cents = dict(back.stats.cents_by_account)
            ob = back.opening_balance
            for key, value in ob["amount"].groupby(ob["account_id"].fillna(""), sort=False).sum().items():
                cents[key] = cents.get(key, 0) + int(value)
            return cents

    return read


write_xaf32 = _writer("3.2")  # the hooks schemas/xaf32/ and schemas/xaf40/ name
write_xaf40 = _writer("4.0")
