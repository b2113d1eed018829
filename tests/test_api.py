"""The Python API (``import koppel``): read, check, convert and run a job on our own samples, with exact figures."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import koppel
from koppel.errors import KoppelError

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
XAF32 = SAMPLES / "voorbeeld_xaf32.xaf"


def test_import_koppel_loads_no_heavy_library() -> None:
    code = "import koppel, sys; print(json.dumps(sorted(m for m in HEAVY if m in sys.modules)))"
    heavy = "('pandas', 'numpy', 'pyarrow', 'lxml', 'openpyxl', 'click', 'jinja2', 'xmlschema', 'filelock')"
    out = subprocess.run(
        [sys.executable, "-c", f"import json; HEAVY = {heavy}; {code}"], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []


def test_public_names_are_documented() -> None:
    assert koppel.__all__ == ["KoppelError", "__version__", "check", "convert", "read", "run_job"]
    for name in ("check", "convert", "read", "run_job"):
        assert callable(getattr(koppel, name)) and getattr(koppel, name).__doc__
    assert koppel.KoppelError is KoppelError


def test_read_an_auditfile() -> None:
    adm = koppel.read(XAF32)
    assert (adm.header.source_format, adm.header.source_version, adm.header.company_id) == ("xaf", "3.2", "VB001")
    assert (len(adm.accounts), len(adm.relations), len(adm.journals), len(adm.opening_balance)) == (14, 40, 4, 4)
    assert (adm.stats.transactions, adm.stats.lines) == (212, 600)
    assert (adm.stats.debit, adm.stats.credit) == (64_770_510, 64_770_510)


def test_read_an_export_through_a_profile() -> None:
    adm = koppel.read(SAMPLES / "sources" / "pos_zrapport.csv", profile="pos-z")  # implies from_format="profile"
    assert (adm.header.source_format, adm.header.source_version) == ("profile", "pos-z")
    assert (adm.stats.transactions, adm.stats.lines, adm.stats.debit) == (3, 24, 428_975)


def test_read_a_missing_file_raises_koppel_error(tmp_path: Path) -> None:
    with pytest.raises(KoppelError, match="file not found"):
        koppel.read(tmp_path / "nowhere.xaf")


def test_check_an_auditfile_and_write_its_reports(tmp_path: Path) -> None:
    result = koppel.check(XAF32, html=tmp_path / "r.html", xlsx=tmp_path / "r.xlsx")
    assert result["verdict"] == "ok"
    assert result["summary"] == {"error": 0, "warning": 0, "info": 0}
    assert (result["counts"]["transactions"], result["counts"]["lines"]) == (212, 600)
    assert (result["totals"]["debit"], result["totals"]["credit"]) == ("647705.10", "647705.10")
    assert "Voorbeeld Handel B.V." in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"


def test_check_reports_a_cut_file_as_unusable(tmp_path: Path) -> None:
    cut = tmp_path / "cut.xaf"
    cut.write_bytes(XAF32.read_bytes()[:5000])
    result = koppel.check(cut, xsd=False)
    assert result["verdict"] == "unusable"
    assert [f["code"] for f in result["findings"]] == ["XAF-F01"]


def test_convert_an_auditfile(tmp_path: Path) -> None:
    done = koppel.convert(XAF32, to="asperion", out=tmp_path / "asperion")
    assert done.equal
    assert done.control["counts"] == {
        "entries": [213, 213], "lines": [604, 604], "relations": [40, 40], "accounts": [14, 14]
    }  # fmt: skip  (212 entries + the opening balance as one entry of 4 lines)
    assert sorted(f.name for f in done.files) == [
        "IMPORTEREN.md", "VB001_asperion_beginbalans.csv", "VB001_asperion_grootboek_handmatig.csv",
        "VB001_asperion_journaalposten.csv", "VB001_asperion_relaties_handmatig.csv", "control.json",
    ]  # fmt: skip


def test_convert_is_the_function_and_the_pipeline_has_its_own_name(tmp_path: Path) -> None:
    """``koppel.convert`` is the API function; the pipeline module is ``koppel.pipeline``, so no import rebinds it."""
    import koppel.pipeline
    import koppel.writejob

    assert callable(koppel.convert) and koppel.convert.__module__ == "koppel.api"
    done = koppel.convert(XAF32, to="xaf40", out=tmp_path / "x.xaf", options={"keep_dropped": str(tmp_path / "d")})
    assert done.equal and done.control["counts"]["lines"] == [604, 604]


def test_convert_with_reader_and_writer_options(tmp_path: Path) -> None:
    done = koppel.convert(
        SAMPLES / "sources" / "pos_zrapport.csv",
        to="snelstart",
        out=tmp_path / "kassa",
        read_options={"profile": "pos-z", "until": "2024-03-01"},
    )
    assert done.equal and done.control["counts"]["entries"] == [2, 2] and done.control["counts"]["lines"] == [14, 14]
    held_back = {d["what"]: d["count"] for d in done.control["not_carried"]}
    assert held_back["source: rows held back: period not closed by 2024-03-01"] == 6


def test_run_a_job(tmp_path: Path) -> None:
    jobs = shutil.copytree(SAMPLES / "jobs", tmp_path / "jobs")
    report = koppel.run_job(jobs / "jobs.toml", workers=0)
    assert report.counts() == {"converted": 4, "quarantined": 1}
    assert report.exit_code == 1
    assert [(o.name, o.action, o.lines) for o in report.outcomes] == [
        ("bakkerij-2025.xaf", "converted", 16), ("drukkerij-2025.xaf", "converted", 21),
        ("kwekerij-2025.xaf", "quarantined", 0), ("z-2025-03-14.csv", "converted", 6),
        ("z-2025-03-15.csv", "converted", 7),
    ]  # fmt: skip
    again = koppel.run_job(jobs / "jobs.toml", workers=0)
    assert again.outcomes == [] and again.exit_code == 0


def test_python_dash_m_koppel_runs_the_command() -> None:
    out = subprocess.run([sys.executable, "-m", "koppel", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"koppel, version {koppel.__version__}"
