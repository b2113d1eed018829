"""Every shared real auditfile whose entries balance converts to every package target of issue 8 with
money in = money out (control.json and the read-back of our own reader); the broken ones are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from koppel.errors import KoppelError
from koppel.pipeline import convert
from koppel.xaf import read_xaf
from tests.conftest import SHARED, shared_sample
from tests.package_helpers import numeric_mapping

BALANCED = (
    "banana-nl__banana-accounting_xaf3.2_2018.xaf",
    "mikel-dataloader__e-boekhouden_xaf3.2_2019.xaf.xml",
    "rxaf__exact-online_xaf3.2_2016.xaf",
    "rxaf__osfinancials_xaf3.1_2015.xaf",
    "rxaf__twinfield_xaf3.1_2016.xaf",
    "rxaf__unit4-multivers_xaf3.2_2017.xaf",
)
REFUSED = {
    "banana-nl__banana-accounting_clair2_2015.xml": "entry 1/0 does not balance",
    "banana-nl__unit4-multivers_xaf3.2_2017_reformatted_bad-encoding.xml": "not valid UTF-8",
    "banana-nl__official-xaf3.2-testfile__XmlAuditfileFinancieel3.2_test.xml": "opening balance does not balance",
}
TARGETS = ("exact-online", "twinfield", "king", "snelstart", "multivers", "exact-globe", "afas")


def _options(target: str, sample: Path, tmp_path: Path) -> dict:
    if target == "exact-online":
        return {"options": {"schema_dir": str(SHARED / "packages" / "exact-online")}}
    if target == "twinfield":
        return {"options": {"office": "NL001"}}
    if target == "king":
        numeric_mapping(read_xaf(sample), tmp_path / "king.toml")
        return {
            "mapping": tmp_path / "king.toml",
            "options": {"entry_numbers": "renumber", "truncate": True, "schema_dir": str(SHARED / "packages" / "king")},
        }
    if target == "afas":
        return {"options": {"unit": "1"}}
    if target == "snelstart":
        numeric_mapping(read_xaf(sample), tmp_path / "ss.toml")  # journals: generated digits (adaptation)
        return {"mapping": tmp_path / "ss.toml", "options": {"truncate": True}}
    numeric_mapping(read_xaf(sample), tmp_path / "j.toml", journals=True)
    options = {"truncate": True, "entry_numbers": "renumber", "mixed_kind": "B"}
    if target == "exact-globe":
        options["schema_dir"] = str(SHARED / "packages" / "exact-globe")
    return {"mapping": tmp_path / "j.toml", "options": options}


# Real data the target cannot take as it is: refused with the record named (and no output).
DATA_DEFECTS: dict[tuple[str, str], str] = {}  # none left: a relation without a name gets its code as the name


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", BALANCED)
def test_balanced_sample_converts_money_equal(name: str, target: str, tmp_path: Path) -> None:
    sample = shared_sample(name)
    if (name, target) in DATA_DEFECTS:
        with pytest.raises(KoppelError, match=DATA_DEFECTS[name, target]):
            convert(sample, target, tmp_path / "out", **_options(target, sample, tmp_path))
        assert not (tmp_path / "out").exists()  # not even an empty output folder
        return
    result = convert(sample, target, tmp_path / "out", **_options(target, sample, tmp_path))
    money = result.control["money"]
    assert money["equal"] is True, money["differences"]
    assert money["read_back"]["equal"] is True  # every target proves its files by reading them back
    assert sum(money["source_cents_by_account"].values()) == 0
    counts = result.control["counts"]
    assert counts["lines"][0] == counts["lines"][1] > 0
    assert counts["entries"][0] == counts["entries"][1]


@pytest.mark.parametrize("target", ("exact-online", "twinfield"))  # King refuses their codes even earlier
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_broken_sample_is_refused_without_output(name: str, target: str, tmp_path: Path) -> None:
    with pytest.raises(KoppelError, match=REFUSED[name]):
        convert(shared_sample(name), target, tmp_path / "out", options={"office": "1", "truncate": True})
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


ABS = {"clair2_negative_credit": "abs"}


def test_banana_clair2_names_the_reader_option_for_its_negative_credits(tmp_path: Path) -> None:
    sample = shared_sample("banana-nl__banana-accounting_clair2_2015.xml")
    with pytest.raises(KoppelError) as err:
        convert(sample, "minox", tmp_path / "a")
    assert err.value.hint.endswith("read it with --read-option clair2_negative_credit=abs")
    result = convert(sample, "minox", tmp_path / "b", reader_options=ABS)
    assert result.control["money"]["equal"] is True
    assert result.control["counts"]["lines"] == [12, 12]
    periods = next(a for a in result.control["adaptations"] if a["what"] == "periods")
    assert periods["count"] == 12 and "'2015' → '1'" in periods["how"]  # Banana writes the year as the period
    with pytest.raises(KoppelError, match="periode '2015' is longer than 3 characters"):
        convert(sample, "minox", tmp_path / "c", options={"strict": True}, reader_options=ABS)


def test_an_unbalanced_entry_of_another_version_keeps_the_general_remedy(tmp_path: Path) -> None:
    sample = tmp_path / "x.xaf"
    text = shared_sample("rxaf__osfinancials_xaf3.1_2015.xaf").read_bytes()
    first = text.index(b"<amnt>", text.index(b"<trLine>")) + len(b"<amnt>")
    sample.write_bytes(text[:first] + b"9" + text[first:])  # one amount changed: its entry is off
    with pytest.raises(KoppelError, match="does not balance") as err:
        convert(sample, "minox", tmp_path / "a")
    assert err.value.hint.startswith("correct the entry in the source")
