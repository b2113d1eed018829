"""``koppel openitems`` end to end, payment-status read-back, ``convert --opening-with-open-items``, bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from koppel.cli import main
from koppel.errors import KoppelError
from koppel.model import Administration, Header
from koppel.openitems.engine import compute_open_items
from koppel.openitems.output import write_report
from koppel.pipeline import convert
from koppel.registry import FormatInfo, register
from koppel.writejob import WriteResult
from tests.conftest import SAMPLES, shared_sample

SAMPLE = SAMPLES / "voorbeeld_xaf32.xaf"
EBOEK = "mikel-dataloader__e-boekhouden_xaf3.2_2019.xaf.xml"
MULTIVERS = "rxaf__unit4-multivers_xaf3.2_2017.xaf"


def run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(args)
    return exc.value.code


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_openitems_csv_writes_items_postings_and_reconciliation(tmp_path, capsys):
    assert run(["openitems", str(SAMPLE), "-o", str(tmp_path / "open.csv")]) == 0
    out = capsys.readouterr().out
    assert "open items at 2025-12-31: 201 on 2 control account(s)" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["open.csv", "open.postings.csv", "open.reconciliation.csv"]
    items = rows(tmp_path / "open.csv")
    assert len(items) == 201
    # the sample's payments name their own bank entry as invRef: not invoice references, so unallocated
    assert {r["status"] for r in items} == {"open", "unallocated"}
    assert sum(r["status"] == "unallocated" for r in items) == 52
    recon = {r["control_account"]: r for r in rows(tmp_path / "open.reconciliation.csv")}
    assert recon["1300"]["closing_balance"] == recon["1300"]["open_items_total"] == "213794.45"
    assert recon["1600"]["closing_balance"] == recon["1600"]["open_items_total"] == "-164103.77"
    assert {r["reconciles"] for r in recon.values()} == {"yes"}


def test_openitems_json_and_xlsx(tmp_path):
    assert run(["openitems", str(SAMPLE), "-o", str(tmp_path / "open.json"), "--at", "2025-06-30"]) == 0
    data = json.loads((tmp_path / "open.json").read_text(encoding="utf-8"))
    assert data["at"] == "2025-06-30"
    total = sum(round(float(r["open_amount"]) * 100) for r in data["open_items"])
    assert total == sum(round(float(r["closing_balance"]) * 100) for r in data["reconciliation"])
    assert max(r["invoice_date"] for r in data["open_items"]) <= "2025-06-30"
    assert run(["openitems", str(SAMPLE), "-o", str(tmp_path / "open.xlsx")]) == 0
    book = load_workbook(tmp_path / "open.xlsx", read_only=True)
    assert book.sheetnames == ["open_items", "postings", "reconciliation", "notes"]
    assert len(list(book["open_items"].iter_rows())) == 202


def test_payment_status_read_back(tmp_path, capsys):
    listing = tmp_path / "facturen.csv"
    listing.write_text("factuurnummer;relation\n246864246.20;\n246864246.33;HARVEY N\nNOPE;\n", encoding="utf-8")
    out = tmp_path / "status.csv"
    assert run(["openitems", str(shared_sample(EBOEK)), "--invoices", str(listing), "-o", str(out)]) == 0
    got = [(r["invoice"], r["status"], r["open_amount"], r["last_payment_date"]) for r in rows(out)]
    assert got == [
        ("246864246.20", "paid", "0.00", "2019-02-12"),
        ("246864246.33", "open", "15488.00", ""),
        ("NOPE", "not found", "", ""),
    ]
    assert "3 invoices" in capsys.readouterr().out


def test_payment_status_partly_paid(tmp_path):
    listing = tmp_path / "list.csv"
    listing.write_text("invoice\n20170004\n20170001\n", encoding="utf-8")
    out = tmp_path / "status.csv"
    assert run(["openitems", str(shared_sample(MULTIVERS)), "--invoices", str(listing), "-o", str(out)]) == 0
    got = [(r["invoice"], r["relation_id"], r["status"], r["open_amount"]) for r in rows(out)]
    # 20170001 is also a purchase invoice number (C7013): only the sales invoice counts
    assert got == [("20170004", "D1001", "partly paid", "2734.60"), ("20170001", "D1001", "open", "4781.32")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "2025-13-01"], "--at: not a date: '2025-13-01'"),
        (["--control-account", "1300:debtors"], "is not ACCOUNT[:customer|supplier]"),
    ],
)
def test_bad_options_are_one_line_errors(tmp_path, capsys, args, message):
    assert run(["openitems", str(SAMPLE), "-o", str(tmp_path / "o.csv"), *args]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_unknown_output_type_writes_nothing(tmp_path, capsys):
    assert run(["openitems", str(SAMPLE), "-o", str(tmp_path / "o.txt")]) == 2
    assert "name it .csv, .xlsx or .json" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_invoice_list_without_invoice_column(tmp_path, capsys):
    listing = tmp_path / "list.csv"
    listing.write_text("nummer\n1\n", encoding="utf-8")
    assert run(["openitems", str(SAMPLE), "--invoices", str(listing), "-o", str(tmp_path / "s.csv")]) == 2
    err = capsys.readouterr().err
    assert f"{listing}:1: invoice: no column 'invoice'" in err
    assert not (tmp_path / "s.csv").exists()


def test_invoice_list_row_without_number(tmp_path, capsys):
    listing = tmp_path / "list.csv"
    listing.write_text("invoice,relation\nF1,C1\n,C2\n", encoding="utf-8")
    assert run(["openitems", str(SAMPLE), "--invoices", str(listing), "-o", str(tmp_path / "s.csv")]) == 2
    assert f"{listing}:3: invoice: invoice number missing" in capsys.readouterr().err


def test_control_account_override(tmp_path):
    out = tmp_path / "o.json"
    assert run(["openitems", str(SAMPLE), "-o", str(out), "--control-account", "1300:customer"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["control_accounts"] == [{"account_id": "1300", "side": "customer", "reason": "given"}]


def _opening_writer(adm, out, job):
    """Writes the opening lines (account;relation;invoice;cents) and the entries' money."""
    result = WriteResult()
    tmp = out.path("opening.txt")
    ob = job.opening()
    with tmp.open("w") as handle:
        for acc, rel, inv, cents in zip(
            ob["account_id"], ob["relation_id"], ob["invoice_ref"], ob["amount"], strict=True
        ):
            handle.write(f"{acc};{'' if pd.isna(rel) else rel};{'' if pd.isna(inv) else inv};{cents}\n")
    result.tally(ob["source_account_id"], ob["account_id"], ob["amount"])
    for batch in job.lines():
        result.tally(batch["source_account_id"], batch["account_id"], batch["amount"])
    result.files.append("opening.txt")
    return result


@pytest.fixture
def test_targets():
    """Two throw-away targets, registered for one test only (other tests iterate every target)."""
    from koppel import registry

    can = FormatInfo(
        name="test-openitems",
        title="test writer carrying open items",
        evidence="A",
        writer=_opening_writer,
        carries={"opening_items": "w"},
    )
    cannot = FormatInfo(name="test-no-openitems", title="test writer", evidence="A", writer=_opening_writer)
    register(can)
    register(cannot)
    yield
    registry._REGISTRY.pop(can.name, None)
    registry._REGISTRY.pop(cannot.name, None)


def test_convert_with_open_items_splits_the_opening_per_relation(test_targets, tmp_path):
    path = shared_sample("rxaf__twinfield_xaf3.1_2016.xaf")
    result = convert(path, "test-openitems", tmp_path / "out", options={"opening_with_open_items": True})
    assert result.equal
    lines = (tmp_path / "out" / "opening.txt").read_text().splitlines()
    control = [line.split(";") for line in lines if line.startswith(("1300;", "1600;"))]
    assert len(control) == 62 and all(parts[1] for parts in control)  # one line per relation's opening item
    assert sum(int(parts[3]) for parts in control) == 88008359 - 62546138


def test_convert_refuses_a_target_that_cannot_carry_open_items(test_targets, tmp_path):
    with pytest.raises(KoppelError) as exc:
        convert(SAMPLE, "test-no-openitems", tmp_path / "out", options={"opening_with_open_items": True})
    assert "test-no-openitems cannot carry an opening balance with one line per open invoice" in str(exc.value)
    assert "test-openitems" in exc.value.hint
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_convert_cli_flag_reaches_open_items(test_targets, tmp_path, capsys):
    code = run(
        ["convert", str(SAMPLE), "--to", "test-openitems", "-o", str(tmp_path / "o"), "--opening-with-open-items"]
    )
    assert code == 0
    text = (tmp_path / "o" / "opening.txt").read_text()
    assert "1300;" not in text  # the sample's opening balance has no debtors: nothing to split


def test_text_from_the_file_never_becomes_a_formula(tmp_path):
    lines = [
        {
            "journal_id": "VK",
            "entry_nr": "1",
            "line_nr": "1",
            "date": "2025-01-02",
            "account_id": "1300",
            "amount": 100,
            "relation_id": "K1",
            "invoice_ref": "F1",
            "description": '=HYPERLINK("x")',
        },
        {
            "journal_id": "VK",
            "entry_nr": "1",
            "line_nr": "2",
            "date": "2025-01-02",
            "account_id": "8000",
            "amount": -100,
        },
    ]
    adm = Administration.from_frames(
        Header(end_date="2025-12-31"),
        lines=pd.DataFrame(lines),
        accounts=pd.DataFrame({"account_id": ["1300", "8000"], "name": ["Debiteuren", "Omzet"], "kind": ["B", "P"]}),
        relations=pd.DataFrame({"relation_id": ["K1"], "kind": ["customer"], "name": ["=1+1"]}),
    )
    result = compute_open_items(adm)
    write_report(result, tmp_path / "o.csv")
    assert rows(tmp_path / "o.csv")[0]["relation_name"] == "'=1+1"
    assert rows(tmp_path / "o.postings.csv")[0]["description"] == '\'=HYPERLINK("x")'
    write_report(result, tmp_path / "o.xlsx")
    sheet = load_workbook(tmp_path / "o.xlsx")["open_items"]
    assert sheet["D2"].value == "'=1+1" and sheet["D2"].data_type == "s"


@pytest.mark.parametrize("at", ["2025-06-30", "2020-01-01"])  # many rows, and no open items at all
def test_open_items_json_is_written_a_row_at_a_time_as_json_dumps_would(tmp_path, at):
    """The JSON is streamed (it was one payload and one string: 1 GB peak on 300k lines); same bytes as before."""
    from datetime import date

    from koppel.openitems.output import _json_value, sheets
    from koppel.provenance import stamp
    from koppel.registry import read_input
    from koppel.xaf.consumers import wanted_in_pass

    with wanted_in_pass(subledgers=True):
        adm = read_input(SAMPLE)
    result = compute_open_items(adm, date.fromisoformat(at))
    write_report(result, tmp_path / "o.json")
    written = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    payload = {
        "at": result.at.isoformat(),
        "amounts": "decimal strings, debit positive (a supplier invoice is negative)",
        "control_accounts": [vars(c) for c in result.control],
        "notes": result.notes,
        **{
            key: [{c: _json_value(v, c) for c, v in row.items()} for row in frame.to_dict("records")]
            for key, frame in sheets(result).items()
        },
    }
    expected = stamp(payload, None) | {"generated_at": written["generated_at"]}
    as_one_dump = json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    assert (tmp_path / "o.json").read_text(encoding="utf-8") == as_one_dump


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_open_items_report_is_the_same_whatever_rows_are_written_at_once(tmp_path, monkeypatch, suffix):
    """The writers make a few thousand rows Python values at a time, the open items taken from the item table a
    chunk at a time: chunks of 2 rows write what one chunk writes."""
    from zipfile import ZipFile

    from koppel.openitems import output
    from koppel.registry import read_input
    from koppel.xaf.consumers import wanted_in_pass

    def members(folder: Path) -> dict:
        out = {}
        for path in sorted(folder.iterdir()):
            if path.suffix == ".xlsx":
                with ZipFile(path) as book:  # the notes sheet and docProps say when: the data sheets do not
                    sheets = [m for m in book.namelist() if m.startswith("xl/worksheets/sheet")][:3]
                    out |= {m: book.read(m) for m in sheets}
            else:
                text = path.read_text(encoding="utf-8")
                out[path.name] = "\n".join(line for line in text.split("\n") if '"generated_at"' not in line)
        return out

    with wanted_in_pass(subledgers=True):
        adm = read_input(SAMPLE)
    result = compute_open_items(adm)
    assert len(result.posting_table) > 4 and int(result.open_count()) > 2
    (tmp_path / "one").mkdir()
    (tmp_path / "chunked").mkdir()
    write_report(result, tmp_path / "one" / f"o{suffix}")
    monkeypatch.setattr(output, "CHUNK_ROWS", 2)
    write_report(result, tmp_path / "chunked" / f"o{suffix}")
    assert members(tmp_path / "chunked") == members(tmp_path / "one")


def test_open_items_of_an_auditfile_read_without_its_subledgers_are_refused(tmp_path):
    """The format's spec says its reader collects subledgers (XAF: subledgers = true); an Administration read
    without asking is refused, not matched without them. A format without subledgers is matched as it is."""
    from koppel.openitems.engine import subledgers_of
    from koppel.registry import read_input

    adm = read_input(SAMPLE)
    with pytest.raises(KoppelError, match="read without its subledgers"):
        subledgers_of(adm)
    adm.header.source_format = "exact-online"  # a format whose spec claims no subledgers
    assert subledgers_of(adm) is None
