"""Exact Globe: the "Financiële boekingen" CSV (descriptor ``schemas/exact-globe/``, written by the generic
delimited writer) and the eExact XML topic FinEntries (:mod:`.exact_globe_xml`), from one conversion.

``--option globe_files=both|csv|xml`` (default both). Both files carry the same money; the XML is written
from a second pass over the prepared lines and its tally must equal the CSV's, or nothing is published.
"""

from __future__ import annotations

from ..atomic import AtomicDir
from ..errors import KoppelError
from ..layouts.package import PackageWriter, layout_for
from ..writejob import WriteJob, WriteResult
from .exact_globe_xml import write_exact_globe_xml

TARGET = "exact-globe"


def write_exact_globe(adm, out: AtomicDir, job: WriteJob) -> WriteResult:
    which = str(job.option("globe_files", "both")).lower()
    if which not in ("both", "csv", "xml"):
        raise KoppelError(f"globe_files={which!r}", field="globe_files", hint="use both, csv or xml")
    result = PackageWriter(layout_for(TARGET, job), adm, out, job).run() if which in ("both", "csv") else WriteResult()
    if which == "csv":  # the CSV writer counted the relations and accounts it has no file for
        return result
    xml_job = job if which == "xml" else WriteJob(adm, job.target, job.output, job.mapping, job.options, job.admin_name)
    xml_result = result if which == "xml" else WriteResult()
    names = write_exact_globe_xml(adm, out, xml_job, xml_result)
    if which == "both":
        if xml_result.written_cents_by_account != result.written_cents_by_account:
            raise KoppelError(
                "the FinEntries XML and the CSV of Exact Globe carry different amounts",
                hint="this is a koppel bug; please report it (use --option globe_files=csv or xml meanwhile)",
            )
        result.notes.append("FinEntries XML carries the same amounts per account as the CSV")
    result.files[0:0] = names
    if which == "xml":  # the CSV writer did not run: count here what the XML has no place for; IMPORTEREN.md last
        result.drop("relations", len(adm.relations), "the Exact Globe target writes entries only")
        result.drop("accounts", len(adm.accounts), "the Exact Globe target writes entries only")
        result.counts["relations"] = 0
        from .instructions import render_instructions

        result.files.append(render_instructions(out, job, "exact-globe/xml", names, result))
    return result
