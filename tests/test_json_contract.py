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
    assert document["koppel_version"] == koppel.__version__ and document["schema_version"] == "1"


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
    overview = dict(load_workbook(xlsx)["Overview"].iter_rows(min_row=2, values_only=True))
    assert overview["SHA-256 van het bestand / file hash"] == digest
    assert overview["koppel-versie / koppel version"] == koppel.__version__
    assert overview["Gecontroleerd op / checked at (UTC)"].endswith("Z")
    assert Path(overview["Bestand / file"]).name == INPUTS[0]


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
