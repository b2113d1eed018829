"""Smoke suite for koppel as a user installs it: the wheel in a fresh venv, run from an empty folder.

Run by ``tests_installed/run.sh`` (``make test``), with the venv's own python, never on the checkout: the first
test proves that ``import koppel`` is the installed copy. The commands run as a user types them (the venv's
``koppel`` script) on copies of the repository's ``samples/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
XAF32 = SAMPLES / "voorbeeld_xaf32.xaf"
BIN = Path(sys.executable).parent
SITE = Path(sysconfig.get_paths()["purelib"]).resolve()


def koppel(*args: str | Path, cwd: Path, codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    """Run the installed ``koppel`` script; fail with its output unless it exits with one of ``codes``."""
    argv = [str(BIN / "koppel"), *map(str, args)]
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode in codes, f"{' '.join(argv[1:])} -> exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_koppel_is_the_installed_copy() -> None:
    import koppel as package
    from koppel.resources import schema_dir, template_dir

    assert Path(package.__file__).resolve().is_relative_to(SITE), package.__file__
    assert not any(Path(p or ".").resolve() == REPO for p in sys.path), "the checkout is on sys.path"
    assert not Path.cwd().resolve().is_relative_to(REPO)
    assert schema_dir().resolve().is_relative_to(SITE) and (schema_dir() / "minox" / "target.toml").is_file()
    assert template_dir().resolve().is_relative_to(SITE) and (template_dir() / "report.html.j2").is_file()
    assert (SITE / "koppel" / "py.typed").is_file()


def test_the_wheel_installs_only_the_koppel_package() -> None:
    files = {str(f) for f in metadata.files("koppel") or []}
    assert {"koppel/py.typed", "koppel/schemas/minox/target.toml", "koppel/templates/report.html.j2"} <= files
    assert "koppel/sources/profiles/pos-z.toml" in files
    top = {f.split("/")[0] for f in files if not f.startswith("..")}  # ../../bin/koppel: the script
    assert top == {"koppel", f"koppel-{metadata.version('koppel')}.dist-info"}
    assert os.environ["KOPPEL_WHEEL"].endswith(f"koppel-{metadata.version('koppel')}-py3-none-any.whl")


def test_pypi_converters_beside_it_changes_nothing(tmp_path: Path) -> None:
    import converters  # PyPI's unrelated package of that name, installed after koppel by run.sh

    assert metadata.version("converters") == "0.0.1"
    assert Path(converters.__file__).resolve().is_relative_to(SITE)
    version = f"koppel, version {metadata.version('koppel')}"
    assert koppel("--version", cwd=tmp_path).stdout.strip() == version
    by_module = subprocess.run(
        [sys.executable, "-m", "koppel", "--version"], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert by_module.stdout.strip() == version


def _writers() -> list[tuple[str, str]]:
    from koppel.registry import all_formats

    return [(f.name, f.output) for f in all_formats() if f.writes]


def test_formats_lists_the_registry(tmp_path: Path) -> None:
    rows = json.loads(koppel("formats", "--json", cwd=tmp_path).stdout)
    assert sorted(r["name"] for r in rows if r["writes"]) == sorted(name for name, _ in _writers())
    text = koppel("formats", cwd=tmp_path).stdout
    assert all(re.search(rf"^{re.escape(name)}\b", text, re.M) for name, _ in _writers())


def _numbered_relations(mapping: Path) -> None:
    """Renumber the relations in a starter mapping, as its comment asks for a target that takes numbers only."""
    text, section, n = [], "", 0
    for line in mapping.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            section = line
        elif section == "[relations]" and (m := re.match(r'^(".*?") = ".*?"', line)):
            n += 1
            line = f'{m.group(1)} = "{n}"'
        text.append(line)
    mapping.write_text("\n".join(text) + "\n", encoding="utf-8")


def _extra_args(target: str, tmp_path: Path) -> list[str]:
    """What a target needs beyond a starter mapping, as its spec and limits say (its error message says so too);
    none for most."""
    from koppel.mapping_init import target_limits
    from koppel.registry import get_format

    info = get_format(target)
    declared = {o.name for o in info.write_options or ()}
    args = []
    if target_limits(target)["entry_nr"]["digits"]:  # entry numbers must be whole numbers
        args += ["--option", "entry_numbers=renumber"]
    if "template" in declared:  # filled from the package's own export header
        if "w" in info.carries.get("entries", ""):
            (tmp_path / "kop.csv").write_text("Datum;Dagboek;Boekstuk;Rekening;Omschrijving;Debet;Credit\r\n")
            args += ["--template", "kop.csv"]
        else:  # a register of relations: it takes relations only
            (tmp_path / "klanten.csv").write_text("Klantnummer;Naam;Postcode;Plaats\r\n")
            args += ["--template", "klanten.csv", "--option", "relations_only=yes"]
    return args


def in_process(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run the installed command's ``main`` in this process (no interpreter start-up: 16 targets stay fast)."""
    from koppel.cli import main

    with pytest.raises(SystemExit) as done:
        main([str(a) for a in args])
    out = capsys.readouterr()
    assert done.value.code == 0, f"{' '.join(map(str, args))} -> exit {done.value.code}\n{out.out}\n{out.err}"
    return out.out


@pytest.mark.parametrize(("target", "output"), _writers(), ids=[name for name, _ in _writers()])
def test_mapping_init_and_convert_to_every_target(
    target: str, output: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    sample = shutil.copy(XAF32, tmp_path / "voorbeeld.xaf")
    in_process("mapping", "init", sample, "--to", target, "-o", "mapping.toml", capsys=capsys)
    assert tomllib.loads((tmp_path / "mapping.toml").read_text(encoding="utf-8"))
    from koppel.mapping_init import target_limits

    if target_limits(target)["relations"]["digits"]:  # a target that takes relation numbers only
        _numbered_relations(tmp_path / "mapping.toml")
    out = tmp_path / ("out.xaf" if output == "file" else "out")
    extra = _extra_args(target, tmp_path)
    args = ["convert", sample, "--to", target, "-o", out.name, "--mapping", "mapping.toml", *extra]
    assert "money in = money out on every account" in in_process(*args, capsys=capsys)
    control = json.loads((tmp_path / ("out.control.json" if output == "file" else "out/control.json")).read_text())
    assert control["target"] == target and control["money"]["equal"] is True
    written = [out] if output == "file" else [p for p in out.iterdir() if p.name != "control.json"]
    assert written and all(p.stat().st_size > 0 for p in written)


def test_the_command_converts_from_any_folder(tmp_path: Path) -> None:
    koppel("mapping", "init", XAF32, "--to", "minox", "-o", "minox.toml", cwd=tmp_path)
    proc = koppel("convert", XAF32, "--to", "minox", "-o", "minox", "--mapping", "minox.toml", cwd=tmp_path)
    assert "money in = money out on every account" in proc.stdout
    assert (tmp_path / "minox" / "IMPORTEREN.md").is_file()


def test_check_writes_html_and_excel_reports(tmp_path: Path) -> None:
    proc = koppel("check", XAF32, "--html", "r.html", "--xlsx", "r.xlsx", "--json", "r.json", cwd=tmp_path)
    assert "Oordeel: IN ORDE" in proc.stdout
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Voorbeeld Handel B.V." in html and "<style" in html  # the template and its stylesheet came along
    assert (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"
    result = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert (result["verdict"], result["counts"]["lines"], result["totals"]["debit"]) == ("ok", 600, "647705.10")


def test_a_source_profile_from_the_package(tmp_path: Path) -> None:
    assert re.search(r"^pos-z\b", koppel("profile", "list", cwd=tmp_path).stdout, re.M)
    export = SAMPLES / "sources" / "pos_zrapport.csv"
    koppel("profile", "check", export, "--profile", "pos-z", "--until", "2024-03-02", cwd=tmp_path)
    koppel("convert", export, "--profile", "pos-z", "--to", "snelstart", "-o", "kassa", cwd=tmp_path)
    control = json.loads((tmp_path / "kassa" / "control.json").read_text(encoding="utf-8"))
    assert control["money"]["equal"] is True
    assert (control["counts"]["entries"], control["counts"]["lines"]) == ([3, 3], [24, 24])


def test_a_job_run(tmp_path: Path) -> None:
    jobs = shutil.copytree(SAMPLES / "jobs", tmp_path / "jobs")
    proc = koppel("run", jobs / "jobs.toml", "--workers", "2", "--json", cwd=tmp_path, codes=(1,))  # 1: quarantined
    outcome = json.loads(proc.stdout)
    assert outcome["counts"] == {"converted": 4, "quarantined": 1}
    assert (jobs / "quarantine" / "administraties" / "kwekerij-2025.xaf.error.txt").is_file()
    again = json.loads(koppel("run", jobs / "jobs.toml", "--workers", "0", "--json", cwd=tmp_path).stdout)
    assert again["counts"] == {}  # every input was done once; nothing new in the inboxes


def test_the_readme_python_api_example(tmp_path: Path) -> None:
    """The README's "Python API" lines, run as written from a folder holding a copy of samples/."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python API", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shutil.copytree(SAMPLES, tmp_path / "samples")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    expected = [line.split("# ", 1)[1] for line in code.splitlines() if line.startswith("print(") and "# " in line]
    assert proc.stdout.splitlines() == expected


def test_the_other_commands_of_the_readme(tmp_path: Path) -> None:
    """inspect, export, openitems, relations, profile show, check --previous: each as a user types it."""
    assert "Voorbeeld Handel B.V." in koppel("inspect", XAF32, cwd=tmp_path).stdout
    koppel("export", XAF32, "--format", "csv", "-o", "tabellen", cwd=tmp_path)
    assert (tmp_path / "tabellen" / "lines.csv").read_text(encoding="utf-8").count("\n") == 601  # header + 600
    koppel("export", XAF32, "--format", "xlsx", "-o", "tabellen-xlsx", cwd=tmp_path)
    assert (tmp_path / "tabellen-xlsx" / "lines.xlsx").read_bytes()[:2] == b"PK"
    koppel("openitems", XAF32, "-o", "open.json", cwd=tmp_path)
    assert json.loads((tmp_path / "open.json").read_text(encoding="utf-8"))
    koppel("relations", "export", XAF32, "-o", "relaties.xlsx", cwd=tmp_path, codes=(0, 1))
    assert (tmp_path / "relaties.xlsx").read_bytes()[:2] == b"PK"
    assert "[columns]" in koppel("profile", "show", "pos-z", cwd=tmp_path).stdout
    koppel("check", SAMPLES / "voorbeeld_xaf40.xaf", "--previous", XAF32, cwd=tmp_path, codes=(0, 1))


def test_serve_answers_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    """The web app's templates and static files came with the wheel: its home page is served."""
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = [str(BIN / "koppel"), "serve", "--port", str(port), "--data", str(tmp_path / "data")]
    proc = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, page = time.monotonic() + 60, ""
        while time.monotonic() < deadline and not page:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode("utf-8")
            except OSError:
                time.sleep(0.3)
        assert "koppel" in page and "</html>" in page
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err
