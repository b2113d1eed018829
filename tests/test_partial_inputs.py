"""An input that holds only some parts (relations only, accounts only, no entries, entries only) converts to
every registered target: no empty file to import, no temp file named in any message, money proved."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from koppel.cli import cli, main
from koppel.layouts.descriptor import load_target
from koppel.registry import all_formats, get_format
from tests.format_params import example_options, formats

# A Twinfield dimensions read-response: relations, no transactions.
DIMENSIONS_RELATIONS = """<?xml version="1.0" encoding="UTF-8"?>
<dimensions>
  <dimension><office>5035</office><type>DEB</type><code>1001</code><name>Bakkerij de Vries</name>
    <addresses><address type="invoice" default="true"><name>Bakkerij de Vries</name><country>NL</country>
    <city>Utrecht</city></address></addresses></dimension>
  <dimension><office>5035</office><type>CRD</type><code>2002</code><name>Bruna</name></dimension>
</dimensions>
"""
# The same response for the chart of accounts: accounts, nothing else.
DIMENSIONS_ACCOUNTS = """<?xml version="1.0" encoding="UTF-8"?>
<dimensions>
  <dimension><office>5035</office><type>BAS</type><code>1100</code><name>Bank</name></dimension>
  <dimension><office>5035</office><type>PNL</type><code>4500</code><name>Kantoorkosten</name></dimension>
</dimensions>
"""
# An MT940 statement of a day without transactions (opening = closing balance).
MT940_EMPTY = ":20:940S240305\r\n:25:NL91INGB0001234567\r\n:28C:00012\r\n:60F:C240304EUR1234,56\r\n" \
    ":62F:C240304EUR1234,56\r\n-\r\n"  # fmt: skip
# An MT940 statement with transactions: entries, no relation master data.
MT940_ENTRIES = (
    ":20:940S240305\r\n:25:NL91INGB0001234567\r\n:28C:00012\r\n:60F:C240304EUR1234,56\r\n"
    ":61:2403050305D45,95NTRFNONREF//0000000001\r\n:86:/REMI/USTD//Factuur 2024-118/\r\n"
    ":61:2403060306C100,00NTRFNONREF//0000000002\r\n:86:/REMI/USTD//Factuur 24017/\r\n"
    ":62F:C240306EUR1288,61\r\n-\r\n"
)
INPUTS = {
    "relations-only": ("dims.xml", DIMENSIONS_RELATIONS, ["--from", "twinfield"]),
    "accounts-only": ("gl.xml", DIMENSIONS_ACCOUNTS, ["--from", "twinfield"]),
    "no-entries": ("leeg.sta", MT940_EMPTY, ["--profile", "bank-mt940"]),
    "entries-only": ("bank.sta", MT940_ENTRIES, ["--profile", "bank-mt940"]),
}
TARGETS = formats(lambda f: f.writes)


def _options(target: str, tmp_path: Path) -> list[str]:
    """What a conversion to ``target`` needs, from its spec's ``[tests]`` (an office code, an exported template)."""
    options = example_options(target, tmp_path)
    template = options.pop("template", None)
    return (["--template", template] if template else []) + [f"--option={k}={v}" for k, v in options.items()]


def _has_header(target: str, name: str) -> bool:
    """Whether the written CSV ``name`` starts with a header line, as its layout's dialect says."""
    if get_format(target).engine != "delimited":
        return True
    layout = load_target(target)
    return next(f for f in layout.files if name.endswith(f.name.split("}", 1)[-1])).dialect.header


@pytest.mark.parametrize("shape", sorted(INPUTS))
@pytest.mark.parametrize("target", TARGETS)
def test_every_target_takes_a_partial_input(tmp_path: Path, target: str, shape: str) -> None:
    name, text, read = INPUTS[shape]
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    single = next(f for f in all_formats() if f.name == target).output == "file"
    out = tmp_path / "out" / ("x.xaf" if single else "")
    if single:
        out.parent.mkdir()  # koppel does not create a missing parent folder
    args = ["convert", str(source), "--to", target, "-o", str(out), *read, *_options(target, tmp_path)]
    run = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert run.exit_code == 0, run.output
    assert ".part" not in run.output
    folder = out.parent if single else out
    control_path = folder / ("x.control.json" if single else "control.json")
    control = json.loads(control_path.read_text(encoding="utf-8"))
    assert control["money"]["equal"] is True
    for path in folder.iterdir():
        assert not path.name.startswith("."), f"temp file left: {path.name}"
        assert path.stat().st_size > 0, f"{target}: empty file {path.name}"
        if path.suffix == ".csv" and path.name != "boekstuknummers.csv":
            rows = [r for r in path.read_text(encoding="cp1252", errors="replace").splitlines() if r.strip()]
            has_header = _has_header(target, path.name)
            assert len(rows) > (1 if has_header else 0), f"{target}: {path.name} has no data rows"


def test_error_in_a_written_file_names_the_file_not_its_temp_copy(tmp_path: Path, capsys) -> None:
    """A value that does not fit is reported on the output's own name (here with --strict, which refuses)."""
    source = tmp_path / "bank.sta"
    source.write_text(MT940_ENTRIES.replace("Factuur 24017", "F" * 80), encoding="utf-8")
    args = ["convert", str(source), "--profile", "bank-mt940", "--to", "cash", "-o", str(tmp_path / "o"), "--strict"]
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert ".part" not in err
    assert re.search(r"koppel: bank_cash_boekingen.csv: 0306: entry BNK/\d+, line 2: 0306 .F{20}", err), err


def test_read_back_error_names_the_output_not_its_temp_copy(tmp_path: Path) -> None:
    """Whatever goes wrong while proving a written file, the message names the file the user will see."""
    from koppel.atomic import AtomicDir
    from koppel.errors import KoppelError
    from koppel.pipeline import without_temp_names

    with AtomicDir(tmp_path) as out:
        tmp = out.path("X_minox_boekingen.csv")
        exc = without_temp_names(KoppelError(f"cannot read {tmp}", file=tmp, hint=f"see {tmp.name}"), out)
        out.abort()
    assert str(exc) == "X_minox_boekingen.csv: cannot read X_minox_boekingen.csv (see X_minox_boekingen.csv)"
