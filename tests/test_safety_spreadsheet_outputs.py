"""Every CSV and XLSX koppel writes for people, fed a hostile value in every text column: no cell may start a
formula (a plain negative number excepted), no XLSX cell may be a formula, and every text column shows that
it carried the hostile value — neutralised. Package import files are not among them (see the README)."""

from __future__ import annotations

import csv
import re
import zlib
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from koppel.export import export_tables, text_columns
from koppel.model import MASTER_TABLES, TABLES, Administration, conform
from koppel.openitems.engine import compute_open_items
from koppel.openitems.output import payment_status, write_report, write_status
from koppel.relations.validate import validate_relations
from koppel.relations.write import relation_table, write_relation_list
from tests.package_helpers import rich_administration

STARTS = ("=", "+", "-", "@", "\t", "\r")
MARK = "cmd|' /C calc'!"
KEPT = {("accounts", "kind"), ("relations", "kind"), ("journals", "kind")}  # codes koppel reads for meaning
NUMBER = re.compile(r"-\d+(\.\d+)?")


def hostile(value: object) -> object:
    """The same hostile text for the same id in every table, with each of the six formula starts in use."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return value
    text = str(value)
    return STARTS[zlib.crc32(text.encode()) % len(STARTS)] + MARK + text


def hostile_administration() -> Administration:
    adm = rich_administration()
    frames = {name: adm.table(name).copy() for name in MASTER_TABLES}
    frames["lines"] = adm.lines.frame()
    for name, frame in frames.items():
        if frame.empty:  # (vat codes, periods) one row of its own
            frame = frames[name] = conform(name, pd.DataFrame({"description": ["x"]}))
        for col, dtype in TABLES[name].items():
            if dtype != "string" or (name, col) in KEPT:
                continue
            if frame[col].isna().all():  # a column the sample leaves empty: give every row a value
                frame[col] = [f"{col}{i}" for i in range(len(frame))]
            frame[col] = frame[col].astype(object).map(hostile)
    return Administration.from_frames(adm.header, **{k: conform(k, v) for k, v in frames.items()})


def scan_csv(path: Path) -> set[str]:
    """Fail on a risky cell; return the columns in which the hostile mark arrived."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, marked = rows[0], set()
    assert not any(h.startswith(STARTS) for h in header)
    for number, row in enumerate(rows[1:], 2):
        for col, cell in zip(header, row, strict=True):
            assert not cell.startswith(STARTS) or NUMBER.fullmatch(cell), f"{path.name}:{number}: {col} = {cell!r}"
            if MARK in cell:  # neutralised, or a reader trimmed the start (a tab) before it got here
                marked.add(col)
    return marked


def scan_xlsx(path: Path) -> dict[str, set[str]]:
    """Fail on a formula or risky text cell; return per sheet the columns in which the hostile mark arrived."""
    marked: dict[str, set[str]] = {}
    for sheet in load_workbook(path).worksheets:
        rows = list(sheet.iter_rows())
        header = [c.value for c in rows[0]] if rows else []
        for row in rows:
            for cell, col in zip(row, header, strict=False):
                assert cell.data_type != "f", f"{path.name}/{sheet.title}!{cell.coordinate}: formula {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(STARTS), f"{sheet.title}!{cell.coordinate} = {cell.value!r}"
                    if MARK in cell.value:
                        marked.setdefault(sheet.title, set()).add(str(col))
    return marked


@pytest.fixture(scope="module")
def adm() -> Administration:
    return hostile_administration()


def test_export_csv_and_xlsx(adm, tmp_path: Path) -> None:
    export_tables(adm, tmp_path / "csv", "csv")
    export_tables(adm, tmp_path / "xlsx", "xlsx")
    for name in (*MASTER_TABLES, "lines"):
        wanted = {c for c in text_columns(name) if (name, c) not in KEPT}
        assert scan_csv(tmp_path / "csv" / f"{name}.csv") == wanted, name
        assert scan_xlsx(tmp_path / "xlsx" / f"{name}.xlsx") == {name: wanted}, name


def test_relation_lists_and_their_findings(adm, tmp_path: Path) -> None:
    relations, findings = validate_relations(adm.relations)
    assert len(findings)  # hostile e-mail, IBAN, ... are findings, with the value in them
    table = relation_table(relations, None)
    write_relation_list(table, findings, tmp_path / "rel.csv", "csv")
    write_relation_list(table, findings, tmp_path / "rel.xlsx", "xlsx")
    text = {c for c, d in TABLES["relations"].items() if d == "string" and c != "kind"}
    assert scan_csv(tmp_path / "rel.csv") == text
    assert {"relation_id", "value"} <= scan_csv(tmp_path / "rel.findings.csv")
    sheets = scan_xlsx(tmp_path / "rel.xlsx")
    assert sheets["Relaties"] == text and {"relation_id", "value"} <= sheets["Bevindingen"]


def test_relation_list_converted_from_a_hostile_csv_list(tmp_path: Path, capsys) -> None:
    from koppel.cli import main

    source = tmp_path / "lijst.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["relatienummer", "naam", "plaats", "email", "iban", "=HYPERLINK(\"http://x\")"])
        writer.writerow([hostile("101"), hostile("Bakkerij"), hostile("Ede"), hostile("a@b.nl"), hostile("NL91"),
                         hostile("extra")])  # fmt: skip
    for out in ("conv.csv", "conv.xlsx"):
        with pytest.raises(SystemExit):
            main(["relations", "convert", str(source), "--to", out.split(".")[1], "-o", str(tmp_path / out)])
    capsys.readouterr()
    assert {"relation_id", "name", "city"} <= scan_csv(tmp_path / "conv.csv")
    scan_csv(tmp_path / "conv.findings.csv")
    assert {"relation_id", "name", "city"} <= scan_xlsx(tmp_path / "conv.xlsx")["Relaties"]


def test_open_items_csv_xlsx_and_payment_status(adm, tmp_path: Path) -> None:
    control = {hostile("1300"): "customer", hostile("1600"): "supplier"}
    result = compute_open_items(adm, control_accounts=control)
    assert len(result.items) and len(result.postings)
    write_report(result, tmp_path / "open.csv")
    write_report(result, tmp_path / "open.xlsx")
    assert {"control_account", "relation_id", "relation_name", "invoice"} <= scan_csv(tmp_path / "open.csv")
    assert {"control_account", "relation_id", "invoice", "journal_id", "entry_nr", "doc_ref", "description"} <= (
        scan_csv(tmp_path / "open.postings.csv")
    )
    assert {"control_account"} <= scan_csv(tmp_path / "open.reconciliation.csv")
    sheets = scan_xlsx(tmp_path / "open.xlsx")
    assert {"relation_id", "invoice"} <= sheets["open_items"] and {"entry_nr"} <= sheets["postings"]
    invoices = pd.DataFrame({"invoice": [hostile("F1001"), "=unknown"], "relation_id": [None, None], "row": [2, 3]})
    write_status(payment_status(result, invoices), tmp_path / "status.csv")
    assert {"invoice", "relation_id"} <= scan_csv(tmp_path / "status.csv")


def test_check_report_xlsx(tmp_path: Path) -> None:
    from koppel.checks import check_file
    from koppel.reports import write_xlsx_report
    from tests.conftest import SAMPLES

    text = (SAMPLES / "voorbeeld_xaf32.xaf").read_text(encoding="utf-8")
    for tag in ("companyName", "accDesc", "desc", "custSupName", "softwareDesc"):
        text = re.sub(f"<{tag}>([^<]*)</{tag}>", lambda m, t=tag: f"<{t}>={MARK}{m.group(1)}</{t}>", text)
    text = text.replace("<amnt>", "<amnt>=1+", 1)  # a damaged amount: its value is shown in the findings
    path = tmp_path / "hostile.xaf"
    path.write_text(text, encoding="utf-8")
    write_xlsx_report(check_file(path, xsd=False), tmp_path / "report.xlsx")
    assert scan_xlsx(tmp_path / "report.xlsx")  # the mark arrived somewhere, and nowhere as a formula


def test_lists_of_what_a_conversion_dropped(adm, tmp_path: Path, monkeypatch) -> None:
    from tests.package_helpers import convert_adm

    lines = adm.lines.frame()
    lines["period"], lines["line_nr"] = "2", lines["line_nr"].str[-1]  # the target needs numbers there
    tables = {n: adm.table(n) for n in MASTER_TABLES}
    # XAF needs every account's kind; accounts that the marking made up out of references would have none
    tables["journals"]["offset_account"] = None
    tables["vat_codes"][["pay_account", "claim_account"]] = None
    adm = Administration.from_frames(adm.header, lines=lines, **tables)
    options = {"entry_numbers": "renumber", "truncate": "yes"}
    result = convert_adm(adm, "cash", tmp_path / "cash", monkeypatch, options=options)
    numbers = tmp_path / "cash" / "boekstuknummers.csv"
    with numbers.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert result.files and len(rows) > 1
    assert all(not c.startswith(STARTS) for row in rows for c in row)
    assert sum(MARK in row[2] and MARK in row[3] for row in rows) == 3  # the three entries' source journal and nr
    kept = {"keep_dropped": str(tmp_path / "kept")}
    convert_adm(adm, "xaf40", tmp_path / "x40" / "out.xaf", monkeypatch, options=kept)
    assert scan_csv(tmp_path / "kept" / "dropped-relations.csv") >= {"relation_id", "contact", "website", "iban"}


def test_elements_an_xaf_upgrade_drops(tmp_path: Path) -> None:
    from koppel.pipeline import convert
    from tests.conftest import SAMPLES

    text = (SAMPLES / "voorbeeld_xaf32.xaf").read_text(encoding="utf-8")
    text = re.sub("<telephone>([^<]*)</telephone>", lambda m: f"<telephone>-{MARK}{m.group(1)}</telephone>", text)
    text = re.sub("<custSupID>([^<]*)</custSupID>", lambda m: f"<custSupID>@{MARK}{m.group(1)}</custSupID>", text)
    source = tmp_path / "hostile.xaf"
    source.write_text(text, encoding="utf-8")
    result = convert(source, "xaf40", tmp_path / "out.xaf", options={"keep_dropped": str(tmp_path / "kept")})
    assert result.equal
    assert {"relation", "value"} <= scan_csv(tmp_path / "kept" / "dropped-elements.csv")
