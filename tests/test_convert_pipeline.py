"""The convert pipeline with a minimal writer: balance refusal, mapping, opening balance, control.json."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from koppel.cli import main
from koppel.entry_frames import whole_entries
from koppel.errors import KoppelError
from koppel.mapping import Mapping
from koppel.model import Administration, Header, conform
from koppel.pipeline import convert, parse_options
from koppel.read_result import ReadResult
from koppel.registry import FormatInfo, register
from koppel.writejob import WriteResult
from tests.conftest import SAMPLES


def _dummy_writer(adm, out, job):
    """Writes one line per posting 'journal;entry;account;cents' and tallies it from the text."""
    result = WriteResult()
    tmp = out.path("lines.txt")
    with tmp.open("w") as handle:
        for batch in job.lines():
            text = batch["journal_id"] + ";" + batch["entry_nr"] + ";" + batch["account_id"] + ";"
            text = text + batch["amount"].astype(str)
            handle.write("\n".join(text) + "\n")
            cents = text.str.rsplit(";", n=1).str[1].astype("int64")
            result.tally(batch["source_account_id"], batch["account_id"], cents)
            result.count("lines", len(batch))
        ob = job.opening()
        if not ob.empty:
            result.tally(ob["source_account_id"], ob["account_id"], ob["amount"])
            result.count("lines", len(ob))
    result.files.append("lines.txt")
    return result


register(FormatInfo(name="test-dummy", title="test writer", evidence="A", writer=_dummy_writer))


def _adm(lines: list[tuple], **header) -> Administration:
    frame = pd.DataFrame(lines, columns=["journal_id", "entry_nr", "account_id", "amount"])
    frame["line_nr"] = [str(i) for i in range(1, len(frame) + 1)]
    frame["date"] = pd.to_datetime(["2025-01-02"] * len(frame)).astype("datetime64[s]")
    return Administration.from_frames(Header(**header), lines=frame)


def test_sample_converts_and_control_is_equal(tmp_path: Path) -> None:
    result = convert(SAMPLES / "voorbeeld_xaf32.xaf", "test-dummy", tmp_path / "out")
    control = json.loads((tmp_path / "out" / "control.json").read_text())
    assert control["money"]["equal"] is True
    assert control["counts"]["lines"] == [604, 604]  # 600 entry lines + 4 opening-balance lines
    assert control["counts"]["entries"][0] == 213  # 212 transactions + the opening balance as one entry
    assert sum(control["money"]["source_cents_by_account"].values()) == 0
    assert result.equal
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["control.json", "lines.txt"]


def test_unbalanced_entry_is_refused_and_nothing_written(tmp_path: Path, monkeypatch) -> None:
    adm = _adm([("M", "1", "1000", 100), ("M", "1", "8000", -100), ("M", "2", "1000", 250), ("M", "2", "8000", -200)])
    monkeypatch.setattr("koppel.pipeline.read_result", lambda *a, **k: ReadResult(adm))
    with pytest.raises(KoppelError) as err:
        convert(tmp_path / "in.xaf", "test-dummy", tmp_path / "out")
    assert "entry M/2 does not balance: off by 0.50" in str(err.value)
    assert err.value.field == "amount"
    assert not (tmp_path / "out").exists()  # no half-made output folder either


def test_strict_mapping_names_code_and_entry(tmp_path: Path, monkeypatch) -> None:
    adm = _adm([("M", "7", "1000", 100), ("M", "7", "8000", -100)])
    monkeypatch.setattr("koppel.pipeline.read_result", lambda *a, **k: ReadResult(adm))
    mapping = tmp_path / "m.toml"
    mapping.write_text('[accounts]\n"1000" = "100000"\n')
    with pytest.raises(KoppelError) as err:
        convert(tmp_path / "in", "test-dummy", tmp_path / "out", mapping=mapping, strict_mapping=True)
    assert "account '8000' is not in the mapping (first used in entry M/7, line 2)" in str(err.value)
    assert not (tmp_path / "out" / "control.json").exists()
    # without --strict-mapping the code passes through and is listed
    result = convert(tmp_path / "in", "test-dummy", tmp_path / "out", mapping=mapping)
    assert result.control["mappings_applied"]["mapped"] == {"accounts": {"1000": "100000"}}
    assert result.control["mappings_applied"]["unmapped_passed_through"] == {"accounts": ["8000"], "journals": ["M"]}
    assert (tmp_path / "out" / "lines.txt").read_text() == "M;7;100000;100\nM;7;8000;-100\n"
    # keyed by the SOURCE account id
    assert result.control["money"]["written_cents_by_account"] == {"1000": 100, "8000": -100}


def test_writer_that_skips_money_fails_control(tmp_path: Path, monkeypatch) -> None:
    adm = _adm([("M", "1", "1000", 100), ("M", "1", "8000", -100)])
    monkeypatch.setattr("koppel.pipeline.read_result", lambda *a, **k: ReadResult(adm))

    def lazy(adm, out, job):
        return WriteResult(files=[])

    from koppel import registry

    registry._load()
    lazy_format = FormatInfo(name="test-lazy", title="writes nothing", evidence="A", writer=lazy)
    monkeypatch.setitem(registry._REGISTRY, "test-lazy", lazy_format)  # only for this test
    result = convert(tmp_path / "in", "test-lazy", tmp_path / "out")
    assert not result.equal
    assert result.control["money"]["differences"] == {"1000": {"in": 100, "out": 0}, "8000": {"in": -100, "out": 0}}


def test_period0_opening_is_written_once(tmp_path: Path, monkeypatch) -> None:
    adm = _adm(
        [("BEG", "0", "0100", 500), ("BEG", "0", "0500", -500), ("M", "1", "1000", 100), ("M", "1", "8000", -100)]
    )
    adm.header.opening_source = "period0"
    adm.opening_entries = {("BEG", "0")}
    adm.opening_balance = conform(
        "opening_balance", pd.DataFrame({"account_id": ["0100", "0500"], "amount": [500, -500]})
    )
    monkeypatch.setattr("koppel.pipeline.read_result", lambda *a, **k: ReadResult(adm))
    result = convert(tmp_path / "in", "test-dummy", tmp_path / "out")
    assert (tmp_path / "out" / "lines.txt").read_text() == "M;1;1000;100\nM;1;8000;-100\n"
    assert result.control["counts"]["lines"] == [4, 4]
    assert result.equal


def test_whole_entries_recuts_batches() -> None:
    frame = conform(
        "lines",
        pd.DataFrame({"journal_id": ["A"] * 5, "entry_nr": ["1", "1", "2", "2", "3"], "amount": [1, -1, 2, -2, 0]}),
    )
    batches = [frame.iloc[:1], frame.iloc[1:3], frame.iloc[3:]]
    out = [list(b["entry_nr"]) for b in whole_entries(iter(batches))]
    assert out == [["1", "1"], ["2", "2", "3"]]
    aligned = [frame.iloc[:2], frame.iloc[2:4], frame.iloc[4:]]  # already on entry boundaries: passed as is
    assert [list(b["entry_nr"]) for b in whole_entries(iter(aligned))] == [["1", "1"], ["2", "2"], ["3"]]


def test_option_pairs() -> None:
    assert parse_options(["truncate=yes", "split-mb=5"]) == {"truncate": "yes", "split_mb": "5"}
    with pytest.raises(KoppelError, match="not KEY=VALUE"):
        parse_options(["truncate"])


def test_mapping_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[acounts]\n")
    with pytest.raises(KoppelError, match="unknown section"):
        Mapping.load(bad)
    bad.write_text("[accounts\n")
    with pytest.raises(KoppelError, match="not a valid TOML"):
        Mapping.load(bad)


def test_cli_convert_exit_codes(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["convert", str(SAMPLES / "voorbeeld_xaf32.xaf"), "--to", "test-dummy", "-o", str(tmp_path / "o")])
    assert exit_.value.code == 0
    assert "money in = money out" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        main(["convert", str(SAMPLES / "voorbeeld_clair2.xml"), "--to", "nope", "-o", str(tmp_path / "p")])
    assert exit_.value.code == 2
    assert "unknown target 'nope'" in capsys.readouterr().err
