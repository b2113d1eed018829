"""Every JSON document koppel writes carries its schema and koppel's version, and validates against
schemas/json/*.schema.json (check --json, inspect --json, export's summary.json, convert's control.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from json_contract import KEYWORDS, SCHEMAS, errors, keywords, load

import koppel
from koppel.cli import run as run_cli
from koppel.provenance import sha256_of
from koppel.registry import get_format
from tests.conftest import SAMPLES
from tests.format_params import fills_a_template, formats, writes_entries

INPUTS = ["voorbeeld_xaf32.xaf", "voorbeeld_xaf40.xaf", "voorbeeld_clair2.xml", "voorbeeld_adf.adf"]


def run(argv: list) -> int:
    return run_cli([str(a) for a in argv])


def valid(document: dict, schema: str) -> None:
    problems = errors(document, load(schema))
    assert not problems, problems[:10]
    assert document["koppel_version"] == koppel.__version__
    assert document["schema_version"] == load(schema)["properties"]["schema_version"]["const"]


def test_the_schemas_use_only_what_the_checker_knows():
    for path in SCHEMAS.glob("*.schema.json"):
        assert keywords(json.loads(path.read_text(encoding="utf-8"))) <= KEYWORDS, path.name


def test_the_checker_can_fail():
    document = {"schema_version": "1", "koppel_version": "0.1.0", "generated_at": "yesterday", "target": 5}
    found = errors(document, load("control"))
    assert "$.generated_at: 'yesterday' does not match ^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$" in found
    assert "$.target: int is not string" in found and "$: missing 'money'" in found


@pytest.mark.parametrize("name", INPUTS)
def test_check_json(name, tmp_path, capsys):
    out = tmp_path / "r.json"
    assert run(["check", SAMPLES / name, "--json", out, "-q"]) in (0, 1)
    document = json.loads(out.read_text(encoding="utf-8"))
    valid(document, "check")
    assert document["input"] == {"name": name, "sha256": sha256_of(SAMPLES / name)}


def test_check_json_of_several_files_is_a_list_of_results(tmp_path, capsys):
    out = tmp_path / "r.json"
    run(["check", SAMPLES / INPUTS[0], SAMPLES / INPUTS[1], "--json", out, "-q"])
    documents = json.loads(out.read_text(encoding="utf-8"))
    assert [d["input"]["name"] for d in documents] == INPUTS[:2]
    for document in documents:
        valid(document, "check")


def test_check_api_result():
    valid(koppel.check(SAMPLES / INPUTS[0], xsd=False), "check")


@pytest.mark.parametrize("name", INPUTS)
def test_inspect_json(name, capsys):
    assert run(["inspect", SAMPLES / name, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    valid(document, "summary")
    assert document["input"]["sha256"] == sha256_of(SAMPLES / name)


def test_export_summary_json(tmp_path, capsys):
    """Versioned, but without the time: an export of the same input is the same bytes (jobs compare them)."""
    assert run(["export", SAMPLES / INPUTS[0], "-o", tmp_path / "t"]) == 0
    assert run(["export", SAMPLES / INPUTS[0], "-o", tmp_path / "u"]) == 0
    first = (tmp_path / "t" / "summary.json").read_bytes()
    assert first == (tmp_path / "u" / "summary.json").read_bytes()
    document = json.loads(first)
    valid(document, "summary")
    assert "generated_at" not in document


# every target that writes entries without a user's template: a folder's control.json, a file's beside it
@pytest.mark.parametrize("target", formats(lambda f: writes_entries(f) and not fills_a_template(f)))
def test_control_json(target, tmp_path, capsys):
    one_file = get_format(target).output == "file"
    output = tmp_path / ("out.xaf" if one_file else "out")
    assert run(["convert", SAMPLES / INPUTS[0], "--to", target, "-o", output]) == 0
    control = "out.control.json" if one_file else "out/control.json"
    document = json.loads((tmp_path / control).read_text(encoding="utf-8"))
    valid(document, "control")
    assert document["input"] == {"name": INPUTS[0], "sha256": sha256_of(SAMPLES / INPUTS[0])}


def test_reports_name_version_input_and_hash(tmp_path, capsys):
    """Was: no output said which koppel made it, or from which bytes."""
    from openpyxl import load_workbook

    html, xlsx = tmp_path / "r.html", tmp_path / "r.xlsx"
    assert run(["check", SAMPLES / INPUTS[0], "--html", html, "--xlsx", xlsx, "-q"]) == 0
    digest = sha256_of(SAMPLES / INPUTS[0])
    page = html.read_text(encoding="utf-8")
    assert f">koppel {koppel.__version__}<" in page and f'title="SHA-256 {digest}"' in page and INPUTS[0] in page
    overview = dict(load_workbook(xlsx)["Overzicht"].iter_rows(min_row=2, values_only=True))
    assert overview["SHA-256 van het bestand"] == digest
    assert overview["koppel-versie"] == koppel.__version__
    assert overview["Gecontroleerd op (UTC)"].endswith("Z")
    assert Path(overview["Bestand"]).name == INPUTS[0]


def test_check_json_dash_prints_on_stdout_as_every_other_json(capsys):
    """Was: --json a stdout flag in inspect/formats/run and a file path in check; '-' now means stdout."""
    assert run(["check", SAMPLES / INPUTS[0], "--json", "-"]) == 0
    captured = capsys.readouterr()
    valid(json.loads(captured.out), "check")  # stdout is the JSON alone
    assert "Oordeel" in captured.err


def test_check_and_inspect_give_software_and_company_in_one_shape(tmp_path, capsys):
    """Was: check had `software` as a string and the company at header.company_name; inspect {name, version}."""
    name = "banana-nl__banana-accounting_xaf3.2_2018.xaf"
    from tests.conftest import shared_sample

    path = shared_sample(name)
    assert run(["check", path, "--json", "-", "--no-xsd"]) in (0, 1)
    checked = json.loads(capsys.readouterr().out)
    assert run(["inspect", path, "--json"]) == 0
    inspected = json.loads(capsys.readouterr().out)
    assert checked["software"] == inspected["software"] and checked["software"]["name"]
    assert checked["company"]["name"] == inspected["company"]["name"] and checked["company"]["name"]


def test_control_json_has_software_and_company_as_inspect_has_them(tmp_path, capsys):
    """Was: control.json's source.company a string where inspect and check have company {name, …}."""
    assert run(["convert", SAMPLES / INPUTS[0], "--to", "minox", "-o", tmp_path / "out"]) == 0
    control = json.loads((tmp_path / "out" / "control.json").read_text(encoding="utf-8"))
    capsys.readouterr()
    assert run(["inspect", SAMPLES / INPUTS[0], "--json"]) == 0
    inspected = json.loads(capsys.readouterr().out)
    assert control["source"]["company"] == inspected["company"] == {
        "name": "Voorbeeld Handel B.V.", "id": "VB001", "kvk": None, "vat_number": "NL001234567B01"}  # fmt: skip
    assert control["source"]["software"] == inspected["software"]
    assert control["schema_version"] == "2"  # source.company changed its type


def test_formats_json(capsys):
    assert run(["formats", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert not errors(listed, load("formats")), errors(listed, load("formats"))[:10]
    assert {f["name"] for f in listed} >= set(formats())  # every folder (test doubles may be listed beside them)
    for name in formats():
        assert run(["formats", name, "--json"]) == 0
        one = json.loads(capsys.readouterr().out)
        assert not errors(one, load("formats")["items"]) and "options" in one


def test_codes_json(capsys):
    assert run(["codes", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert not errors(rows, load("codes")), errors(rows, load("codes"))[:10]
    assert len(rows) == len({r["code"] for r in rows}) > 90


def test_run_json_has_the_shared_facts_per_input(tmp_path, capsys):
    """Was: run --json named each input but not what it was read as; now software and company as inspect."""
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / INPUTS[0]).write_bytes((SAMPLES / INPUTS[0]).read_bytes())
    (tmp_path / "inbox" / "broken.xaf").write_text("<auditfile><header>", encoding="utf-8")
    job = tmp_path / "job.toml"
    job.write_text('[[job]]\nname = "x"\ninbox = "inbox"\nglob = "*.xaf"\ntarget = "csv"\n', encoding="utf-8")
    assert run(["run", job, "--json", "--workers", "0"]) == 1
    document = json.loads(capsys.readouterr().out)
    valid(document, "run")
    by_name = {i["name"]: i for i in document["inputs"]}
    source = by_name[INPUTS[0]]["source"]
    assert source["format"] == "xaf" and source["version"] == "3.2"
    assert source["company"]["name"] == "Voorbeeld Handel B.V." and source["software"]["name"]
    assert by_name["broken.xaf"]["source"] is None and by_name["broken.xaf"]["action"] == "quarantined"


def test_run_json_of_a_package_target_has_the_facts_from_control_json(tmp_path, capsys):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / INPUTS[0]).write_bytes((SAMPLES / INPUTS[0]).read_bytes())
    job = tmp_path / "job.toml"
    job.write_text('[[job]]\nname = "x"\ninbox = "inbox"\nglob = "*.xaf"\ntarget = "asperion"\n', encoding="utf-8")
    assert run(["run", job, "--json", "--workers", "0"]) == 0
    document = json.loads(capsys.readouterr().out)
    valid(document, "run")
    assert document["inputs"][0]["source"]["company"]["id"] == "VB001"


# -- one meaning of --json, and '-' for stdin -------------------------------------------------------------------


def _stdin(monkeypatch, data: bytes) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_json_alone_means_stdout_in_check_as_in_every_command(capsys):
    """Was: --json a file path in check and a stdout flag in inspect, formats, codes and run."""
    for argv in (["check", SAMPLES / INPUTS[0], "--json", "-q"], ["check", "--json", SAMPLES / INPUTS[0], "-q"]):
        assert run(argv) == 0
        captured = capsys.readouterr()
        valid(json.loads(captured.out), "check")
        assert "Oordeel" in captured.err
    assert (SAMPLES / INPUTS[0]).read_bytes()[:5] == b"<?xml"  # an input after --json is read, never written


def test_json_with_a_path_still_writes_the_file(tmp_path, capsys):
    assert run(["check", "--json", tmp_path / "r.json", SAMPLES / INPUTS[0], "-q"]) == 0
    valid(json.loads((tmp_path / "r.json").read_text(encoding="utf-8")), "check")
    assert capsys.readouterr().out.startswith(str(SAMPLES / INPUTS[0]))  # the console text, no JSON


@pytest.mark.parametrize("name", INPUTS)
def test_check_and_inspect_read_stdin(name, monkeypatch, capsys):
    data = (SAMPLES / name).read_bytes()
    _stdin(monkeypatch, data)
    assert run(["check", "-", "--json", "-"]) in (0, 1)
    checked = json.loads(capsys.readouterr().out)
    valid(checked, "check")
    assert checked["file"] == "stdin" and checked["input"]["name"] == "stdin"
    assert checked["input"]["sha256"] == sha256_of(SAMPLES / name)
    _stdin(monkeypatch, data)
    assert run(["inspect", "-", "--json"]) == 0
    inspected = json.loads(capsys.readouterr().out)
    valid(inspected, "summary")
    assert inspected["file"] == "stdin" and inspected["input"]["sha256"] == sha256_of(SAMPLES / name)
    assert inspected["company"] == checked["company"]


def test_a_bad_stdin_is_named_stdin_never_the_temp_file(monkeypatch, capsys):
    _stdin(monkeypatch, b"<auditfile><header>")
    assert run(["inspect", "-"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("koppel: stdin:1: the XML ends too early") and "koppel-stdin" not in err
    _stdin(monkeypatch, b"<auditfile><header>")
    assert run(["check", "-", "-q"]) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith("stdin\n") and "koppel-stdin" not in captured.out + captured.err


# -- provenance in every output a person or a program keeps -----------------------------------------------------


def test_export_summary_names_the_input_and_its_hash_but_no_time(tmp_path, capsys):
    """Was: summary.json said which koppel, not from which bytes. No time: a job re-run compares bytes."""
    assert run(["export", SAMPLES / INPUTS[0], "-o", tmp_path / "t", "--format", "xlsx"]) == 0
    document = json.loads((tmp_path / "t" / "summary.json").read_text(encoding="utf-8"))
    valid(document, "summary")
    assert document["input"] == {"name": INPUTS[0], "sha256": sha256_of(SAMPLES / INPUTS[0])}
    assert "generated_at" not in document


def test_open_items_json_and_workbook_say_which_koppel_which_input_and_when(tmp_path, capsys):
    from openpyxl import load_workbook

    assert run(["openitems", SAMPLES / INPUTS[0], "-o", tmp_path / "o.json"]) == 0
    document = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    valid(document, "openitems")
    assert document["input"] == {"name": INPUTS[0], "sha256": sha256_of(SAMPLES / INPUTS[0])}
    assert run(["openitems", SAMPLES / INPUTS[0], "-o", tmp_path / "o.xlsx"]) == 0
    notes = [row[0] for row in load_workbook(tmp_path / "o.xlsx")["notes"].iter_rows(values_only=True)]
    assert f"koppel {koppel.__version__}" in notes and f"input {INPUTS[0]}" in notes
    assert f"SHA-256 {sha256_of(SAMPLES / INPUTS[0])}" in notes
    assert any(str(n).startswith("made at (UTC) 20") and str(n).endswith("Z") for n in notes)


def test_relations_workbook_says_which_koppel_which_input_and_when(tmp_path, capsys):
    from openpyxl import load_workbook

    assert run(["relations", "export", SAMPLES / INPUTS[0], "-o", tmp_path / "r.xlsx"]) in (0, 1)
    origin = dict(load_workbook(tmp_path / "r.xlsx")["Herkomst"].iter_rows(min_row=2, values_only=True))
    assert origin["koppel-versie"] == koppel.__version__ and origin["bestand"] == INPUTS[0]
    assert origin["SHA-256"] == sha256_of(SAMPLES / INPUTS[0]) and origin["gemaakt op (UTC)"].endswith("Z")


def test_export_reads_stdin_and_its_summary_names_it_stdin(tmp_path, monkeypatch, capsys):
    _stdin(monkeypatch, (SAMPLES / INPUTS[0]).read_bytes())
    assert run(["export", "-", "-o", tmp_path / "t"]) == 0
    document = json.loads((tmp_path / "t" / "summary.json").read_text(encoding="utf-8"))
    valid(document, "summary")
    assert document["input"] == {"name": "stdin", "sha256": sha256_of(SAMPLES / INPUTS[0])}


def test_convert_reads_stdin_and_control_json_names_it_stdin(tmp_path, monkeypatch, capsys):
    """Was: convert took no '-' (inspect, check and export did); its control.json must not name the temp copy."""
    _stdin(monkeypatch, (SAMPLES / INPUTS[0]).read_bytes())
    assert run(["convert", "-", "--to", "minox", "-o", tmp_path / "m"]) == 0
    control = json.loads((tmp_path / "m" / "control.json").read_text(encoding="utf-8"))
    valid(control, "control")
    assert control["input"] == {"name": "stdin", "sha256": sha256_of(SAMPLES / INPUTS[0])}
    assert control["source"]["file"] == "stdin" and control["money"]["equal"] is True
    assert "koppel-stdin" not in capsys.readouterr().out


def test_empty_stdin_is_one_clear_line_and_no_output(tmp_path, monkeypatch, capsys):
    _stdin(monkeypatch, b"")
    assert run(["convert", "-", "--to", "minox", "-o", tmp_path / "m"]) == 2
    assert (
        capsys.readouterr().err.strip()
        == "koppel: stdin: nothing to read: stdin is empty (pipe the file in, e.g. < FILE.xaf)"
    )
    assert not (tmp_path / "m").exists()
