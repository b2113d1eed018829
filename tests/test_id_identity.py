"""Ids are identities: two source accounts that a target would write as one id (``01000`` and ``1000`` in a
package that reads numbers) fail the conversion with a line naming both and the mapping line that fixes it,
unless the mapping merges them on purpose. Every target proves its money by reading its own file back."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from koppel.errors import KoppelError
from koppel.model import Administration, Header
from koppel.pipeline import convert
from koppel.registry import all_formats
from koppel.xaf.writer import write_xaf
from tests.conftest import SAMPLES
from tests.format_params import accepted

HEADER = Header(company_name="Nullen BV", fiscal_year="2025", start_date="2025-01-01", end_date="2025-12-31",
                currency="EUR")  # fmt: skip


def _auditfile(path: Path, accounts: list[str]) -> Path:
    """An administration whose entries post to every account in ``accounts`` (and 8000 against them)."""
    acc = pd.DataFrame(
        {"account_id": [*accounts, "8000"], "name": [f"Rekening {a}" for a in accounts] + ["Omzet"],
         "kind": ["B"] * len(accounts) + ["P"]}
    )  # fmt: skip
    rows = []
    for i, account in enumerate(accounts, start=1):
        rows += [(str(i), "1", account, 1000 * i), (str(i), "2", "8000", -1000 * i)]
    lines = pd.DataFrame(rows, columns=["entry_nr", "line_nr", "account_id", "amount"])
    lines["journal_id"] = "MEM"
    lines["period"] = "1"
    lines["date"] = pd.to_datetime(["2025-01-02"] * len(lines)).astype("datetime64[s]")
    write_xaf(Administration.from_frames(HEADER, lines=lines, accounts=acc), path, "3.2")
    return path


def _run(source: Path, target: str, out: Path, **kw):
    return convert(source, target, out, options=accepted(target, {"office": "1"}), **kw)


def test_king_refuses_to_merge_leading_zero_accounts(tmp_path: Path) -> None:
    source = _auditfile(tmp_path / "nullen.xaf", ["01000", "1000"])
    with pytest.raises(KoppelError) as err:
        _run(source, "king", tmp_path / "king")
    text = str(err.value)
    assert "accounts '01000' and '1000' would both be '1000' in the King files" in text
    assert '[accounts] "1000" = "91000"' in text
    assert not (tmp_path / "king").exists() or not any((tmp_path / "king").iterdir())


def test_the_suggested_mapping_line_keeps_them_apart(tmp_path: Path) -> None:
    source = _auditfile(tmp_path / "nullen.xaf", ["01000", "1000"])
    mapping = tmp_path / "m.toml"
    mapping.write_text('[accounts]\n"1000" = "91000"\n', encoding="utf-8")
    result = _run(source, "king", tmp_path / "king", mapping=mapping)
    assert result.equal
    money = result.control["money"]
    assert money["written_cents_by_account"] == {"01000": 1000, "1000": 2000, "8000": -3000}
    ledger = (tmp_path / "king" / "Nullen_BV_king_grootboek.xml").read_text(encoding="utf-8")
    assert ledger.count("<RKS_NUMMER>1000</RKS_NUMMER>") == 1
    assert ledger.count("<RKS_NUMMER>91000</RKS_NUMMER>") == 1


def test_a_merge_the_mapping_asks_for_is_allowed(tmp_path: Path) -> None:
    source = _auditfile(tmp_path / "nullen.xaf", ["01000", "1000"])
    mapping = tmp_path / "m.toml"
    mapping.write_text('[accounts]\n"01000" = "1000"\n', encoding="utf-8")
    result = _run(source, "king", tmp_path / "king", mapping=mapping)
    assert result.equal
    assert result.control["money"]["read_back"]["cents_by_account"] == {"1000": 3000, "8000": -3000}


def test_snelstart_reads_account_numbers_as_numbers(tmp_path: Path) -> None:
    source = _auditfile(tmp_path / "nullen.xaf", ["01000", "1000"])
    with pytest.raises(KoppelError, match=r"accounts '01000' and '1000' would both be '1000' in the SnelStart"):
        _run(source, "snelstart", tmp_path / "ss")


WRITERS = sorted(
    f.name for f in all_formats() if f.writes and "w" in f.carries.get("entries", "") and not f.name.startswith("test-")
)


@pytest.mark.parametrize("target", WRITERS)
def test_every_target_keeps_both_accounts_or_refuses_naming_both(tmp_path: Path, target: str) -> None:
    source = _auditfile(tmp_path / "nullen.xaf", ["01000", "1000"])
    single = next(f for f in all_formats() if f.name == target).output == "file"
    out = tmp_path / "out" / ("x.xaf" if single else "")
    options = {"office": "1"} if target == "twinfield" else {}
    if target == "template":
        template = tmp_path / "t.csv"
        template.write_text("Dagboek;Boekstuk;Datum;Rekening;Bedrag\n", encoding="utf-8")
        options["template"] = str(template)
    try:
        result = convert(source, target, out, options=options)
    except KoppelError as exc:
        assert "'01000' and '1000'" in str(exc) and '[accounts] "' in str(exc), str(exc)
        return
    money = result.control["money"]
    assert money["equal"] is True
    assert money["written_cents_by_account"] == {"01000": 1000, "1000": 2000, "8000": -3000}
    assert money["read_back"]["equal"] is True  # every target reads its own file back
    back = money["read_back"]["cents_by_account"]
    assert sorted(back.values()) == [-3000, 1000, 2000], back  # two accounts in the file, not one


@pytest.mark.parametrize("target", WRITERS)
def test_every_target_reads_its_money_back(tmp_path: Path, target: str) -> None:
    single = next(f for f in all_formats() if f.name == target).output == "file"
    out = tmp_path / "out" / ("x.xaf" if single else "")
    options = {"office": "1"} if target == "twinfield" else {}
    if target == "template":
        template = tmp_path / "t.csv"
        template.write_text("Dagboek;Boekstuk;Datum;Rekening;Bedrag;Omschrijving\n", encoding="utf-8")
        options["template"] = str(template)
    result = convert(SAMPLES / "voorbeeld_xaf32.xaf", target, out, options=options)
    control = json.loads(result.control_path.read_text(encoding="utf-8"))
    assert control["money"]["read_back"]["equal"] is True
    assert control["money"]["read_back"]["differences"] == {}
