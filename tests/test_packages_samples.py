"""Every shared real auditfile whose entries balance converts to every package target without golden files with
money in = money out (control.json and the read-back of our own reader); the broken ones are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from koppel.errors import KoppelError
from koppel.pipeline import convert
from koppel.registry import get_format
from tests.conftest import SHARED, shared_sample
from tests.format_params import accepted, fills_a_template, formats, writes_entries

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
GOLDEN = Path(__file__).parent / "golden" / "packages"
# every package that writes entries into a folder, but those with golden files (tests/test_package_targets.py
# converts every real sample to them)
TARGETS = formats(
    lambda f: (
        writes_entries(f)
        and f.output == "folder"
        and not fills_a_template(f)
        and not f.experimental
        and not (GOLDEN / f.name).is_dir()
    )
)


def _options(target: str) -> dict:
    """What the target's writer declares of: our copy of the vendor's XSDs, an office or administration unit,
    cut texts and the kind of mixed accounts; codes and numbers the target cannot take are adapted."""
    wanted: dict = {"truncate": True, "mixed_kind": "B", "office": "NL001", "unit": "1"}
    xsds = SHARED / "packages" / target
    if any(xsds.glob("*.xsd")):
        wanted["schema_dir"] = str(xsds)
    return {"options": accepted(target, wanted)}


# Real data the target cannot take as it is: refused with the record named (and no output).
DATA_DEFECTS: dict[tuple[str, str], str] = {}  # none left: a relation without a name gets its code as the name


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", BALANCED)
def test_balanced_sample_converts_money_equal(name: str, target: str, tmp_path: Path) -> None:
    sample = shared_sample(name)
    if (name, target) in DATA_DEFECTS:
        with pytest.raises(KoppelError, match=DATA_DEFECTS[name, target]):
            convert(sample, target, tmp_path / "out", **_options(target))
        assert not (tmp_path / "out").exists()  # not even an empty output folder
        return
    result = convert(sample, target, tmp_path / "out", **_options(target))
    money = result.control["money"]
    assert money["equal"] is True, money["differences"]
    assert money["read_back"]["equal"] is True  # every target proves its files by reading them back
    assert sum(money["source_cents_by_account"].values()) == 0
    counts = result.control["counts"]
    assert counts["lines"][0] == counts["lines"][1] > 0
    assert counts["entries"][0] == counts["entries"][1]


# the targets whose Python writers check the opening balance before the entries (the layout engine meets the
# unbalanced entry of the official test file first)
@pytest.mark.parametrize("target", [t for t in TARGETS if get_format(t).engine == "hooks"])
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_broken_sample_is_refused_without_output(name: str, target: str, tmp_path: Path) -> None:
    with pytest.raises(KoppelError, match=REFUSED[name]):
        convert(shared_sample(name), target, tmp_path / "out", **_options(target))
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
