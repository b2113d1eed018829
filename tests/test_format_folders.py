"""Every format lives in a folder (``schemas/<name>/`` with a ``[format]`` table) and is learnt from it: the
registry, ``koppel formats``, ``convert --to``, ``mapping init`` and these tests need no list of names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from koppel.cli import main
from koppel.errors import KoppelError
from koppel.format_folders import format_from_folder
from koppel.pipeline import convert
from koppel.registry import all_formats
from koppel.resources import schema_dir
from tests.conftest import SAMPLES

FOLDER_FORMATS = sorted(f.name for f in all_formats() if f.engine == "delimited")


def _spec_folders(spec: str) -> set[str]:
    return {p.parent.name for p in schema_dir().glob(f"*/{spec}") if "[format]" in p.read_text("utf-8")}


def test_every_spec_folder_is_a_registered_format():
    folders = _spec_folders("target.toml")
    assert folders == set(FOLDER_FORMATS) and len(folders) >= 8


def test_every_format_has_its_folder_and_no_spec_lies_loose():
    """One format, one folder: the registry holds exactly the folders' formats, each at home in its own."""
    formats = {f.name: f for f in all_formats() if not f.name.startswith("test-")}
    assert set(formats) == _spec_folders("target.toml") | _spec_folders("format.toml")
    assert all(f.home == schema_dir() / f.name for f in formats.values())
    assert sorted(p.name for p in schema_dir().glob("*.toml")) == []


@pytest.mark.parametrize("target", FOLDER_FORMATS)
def test_folder_format_converts_the_sample_with_money_equal_and_its_instructions(target, tmp_path, capsys):
    result = convert(SAMPLES / "voorbeeld_xaf32.xaf", target, tmp_path / "out")
    assert result.equal and result.control["counts"]["lines"] == [604, 604]
    info = next(f for f in all_formats() if f.name == target)
    if info.reads:  # the written files read back with the format's own reader give the same cents
        assert result.control["money"]["read_back"]["equal"] is True
    instructions = (tmp_path / "out" / "IMPORTEREN.md").read_text(encoding="utf-8")
    for name in result.control["files"]:
        if name.endswith((".csv", ".TXT")) and name != "boekstuknummers.csv":  # renumbering: the pipeline's
            assert f"`{name}`" in instructions
    with pytest.raises(SystemExit) as done:
        main(["mapping", "init", str(SAMPLES / "voorbeeld_xaf32.xaf"), "--to", target])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"# koppel mapping for {target}")


@pytest.mark.parametrize("target", FOLDER_FORMATS)
def test_formats_lists_the_folder_format_with_its_options(target, capsys):
    with pytest.raises(SystemExit) as done:
        main(["formats", target, "--json"])
    assert done.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == target and data["writes"] is True
    assert {"truncate", "mixed_kind", "journal_types"} <= {o["name"] for o in data["options"]["write"]}


def test_a_copied_folder_is_a_new_format_without_code(tmp_path):
    """The recipe of CONTRIBUTING.md: a folder is all a delimited target needs."""
    shutil.copytree(schema_dir() / "multivers", tmp_path / "multivers-kopie")
    spec = tmp_path / "multivers-kopie" / "target.toml"
    text = spec.read_text("utf-8").replace('name = "multivers"', 'name = "multivers-kopie"')
    spec.write_text(text.replace('title = "Unit4 Multivers"\nreads', 'title = "Kopie"\nreads'), encoding="utf-8")
    info = format_from_folder(Path(tmp_path / "multivers-kopie"))
    assert info is not None and (info.name, info.title) == ("multivers-kopie", "Kopie") and info.writes and info.reads
    assert info.carries == {"entries": "rw", "relations": "", "accounts": "", "opening": "rw"}
    assert info.notes.endswith("columns: 0 verified (V), 24 third-party (3P), 0 assumed (A)")


def test_a_copied_hook_folder_is_a_new_format_and_a_typo_in_its_spec_is_refused(tmp_path):
    """A format written by Python is a folder too: its format.toml names the hooks and the capabilities."""
    shutil.copytree(schema_dir() / "xaf40", tmp_path / "xaf40-kopie")
    info = format_from_folder(tmp_path / "xaf40-kopie")
    assert info is not None and info.name == "xaf40-kopie" and info.writes and not info.reads
    assert (info.output, info.upgrade_report, info.rgs_version, info.engine) == ("file", True, True, "hooks")
    assert "split_mb" in {o.name for o in info.write_options or ()}
    spec = tmp_path / "xaf40-kopie" / "format.toml"
    spec.write_text(spec.read_text("utf-8").replace("upgrade_report =", "upgrade_rapport ="), encoding="utf-8")
    with pytest.raises(KoppelError, match=r"unknown \[format\] keys \['upgrade_rapport'\]"):
        format_from_folder(tmp_path / "xaf40-kopie")


def test_a_hook_that_does_not_exist_is_named(tmp_path):
    shutil.copytree(schema_dir() / "afas", tmp_path / "afas-kopie")
    spec = tmp_path / "afas-kopie" / "format.toml"
    spec.write_text(spec.read_text("utf-8").replace(":write_afas", ":write_nothing"), encoding="utf-8")
    with pytest.raises(KoppelError, match=r"hook 'koppel\.formats\.afas:write_nothing' not found"):
        format_from_folder(tmp_path / "afas-kopie")
