"""Nothing dropped without a count: every text of an auditfile is carried by the model or counted in
not_carried, and inspect and every target's control.json show the count."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from lxml import etree

from koppel.cli import cli
from koppel.pipeline import convert
from koppel.registry import get_format
from koppel.synthetic import write_synthetic_xaf
from koppel.xaf import read_xaf
from tests.conftest import SAMPLES, XAF_SAMPLES
from tests.format_params import accepted, fills_a_template, formats, writes_entries
from tests.shapes.clair2 import eekboek_clair2
from tests.shapes.xaf40 import NS, official_shaped_xaf40

FILES = sorted(p for p in XAF_SAMPLES.iterdir() if p.suffix in (".xaf", ".xml") and "bad-encoding" not in p.name)
OWN = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".xaf", ".xml") and p.name.startswith("voorbeeld"))
# Values the model holds in another form (amounts in cents, sides in the sign, dates as dates, kinds as codes)
# and the declared control totals, which writers recompute: their reading is tested where they are read.
TRANSFORMED = {
    "amnt", "amntTp", "debitAmount", "creditAmount", "vatAmnt", "vatAmntTp", "vatAmount", "vatPerc",
    "vatPercentage", "curAmnt", "currencyDebitAmount", "currencyCreditAmount", "accTp", "accountType",
    "custSupTp", "type", "jrnTp", "startDate", "endDate", "dateCreated", "trDt", "transactionDate", "effDate",
    "effectiveDate", "startDatePeriod", "endDatePeriod", "opBalDate", "linesCount", "totalDebit", "totalCredit",
    "numberEntries", "auditfileVersion", "qntity",
}  # fmt: skip


def _model_values(path: Path) -> tuple[set[str], dict[str, int]]:
    adm = read_xaf(path)
    values = {str(v).strip() for v in vars(adm.header).values() if isinstance(v, str)}
    frames = [adm.accounts, adm.relations, adm.vat_codes, adm.periods, adm.journals, adm.opening_balance,
              adm.lines.frame()]  # fmt: skip
    for frame in frames:
        for col in frame.columns:
            series = frame[col].dropna()
            if pd.api.types.is_datetime64_any_dtype(series):
                series = series.dt.strftime("%Y-%m-%d")
            values.update(series.astype(str).str.strip())
    return values, adm.not_carried


def _covered(path_parts: list[str], not_carried: dict[str, int]) -> bool:
    """A not_carried key covers a text when its path names the text or one of its enclosing elements."""
    for key in not_carried:
        parts = key.split(" (")[0].split("/")
        n = len(parts)
        for end in range(n, len(path_parts) + 1):
            if path_parts[end - n : end] == parts:
                return True
    return False


def _texts(path: Path):
    """(local path from the root, text) of every element with text and no children."""
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True))
    root = tree.getroot()
    for elem in root.iter():
        if not isinstance(elem.tag, str) or len(elem) or not (elem.text and elem.text.strip()):
            continue
        parts = [etree.QName(e).localname for e in reversed(list(elem.iterancestors())) if e is not root]
        yield [*parts, etree.QName(elem).localname], elem.text.strip()


def _assert_every_text_carried_or_counted(path: Path) -> None:
    values, not_carried = _model_values(path)
    lost = []
    for parts, text in _texts(path):
        if _covered(parts, not_carried):
            continue
        if parts[-1] in TRANSFORMED or text in values:
            continue
        lost.append(("/".join(parts), text))
    assert lost == [], f"read by nobody and counted nowhere: {lost[:10]}"


@pytest.mark.parametrize("path", FILES + OWN, ids=lambda p: p.name)
def test_every_text_of_the_samples_is_carried_or_counted(path: Path) -> None:
    _assert_every_text_carried_or_counted(path)


@pytest.mark.parametrize("version", ["3.2", "3.2.1", "4.0", "2.0"])
def test_every_text_of_synthetic_files_is_carried_or_counted(tmp_path: Path, version: str) -> None:
    _assert_every_text_carried_or_counted(write_synthetic_xaf(tmp_path / "s.xaf", lines=60, version=version))


def test_every_text_of_the_shaped_files_is_carried_or_counted(tmp_path: Path) -> None:
    _assert_every_text_carried_or_counted(official_shaped_xaf40(tmp_path / "o.xaf"))
    _assert_every_text_carried_or_counted(eekboek_clair2(tmp_path / "e.xml"))


def test_the_property_finds_a_dropped_text(tmp_path: Path, monkeypatch) -> None:
    """If the reader left a text out without counting it, the property says so."""
    src = official_shaped_xaf40(tmp_path / "o.xaf")
    import koppel.xaf.reader as reader

    monkeypatch.setattr(reader.XafReader, "_count_leftovers", lambda self, root: None)
    with pytest.raises(AssertionError, match="company/streetAddress/streetname"):
        _assert_every_text_carried_or_counted(src)


EXPECTED_40 = {
    "company/taxRegistrationCountry": 1,
    "company/streetAddress/streetname": 1,
    "company/streetAddress/number": 1,
    "company/streetAddress/numberExtension": 1,
    "company/streetAddress/city": 1,
    "company/streetAddress/postalCode": 1,
    "company/streetAddress/country": 1,
    "customerSupplier/opBalDesc": 1,
    "customerSupplier/opBalTp": 1,
    "customerSupplier/clBalDesc": 1,
    "customerSupplier/clBalTp": 1,
    "customerSupplier/taxRegistrationCountry": 1,
    "trLine/settDate": 1,
    "trLine/receivingDocRef": 1,
    "trLine/shipDocRef": 1,
    "trLine/workCostArrRef": 1,
    "trLine/offsetBankAccNr": 1,
    "transaction/Source": 1,
    "transaction/User": 1,
}


def test_inspect_counts_what_the_official_shaped_40_file_holds_beyond_the_model(tmp_path: Path) -> None:
    src = official_shaped_xaf40(tmp_path / "o.xaf")
    out = CliRunner().invoke(cli, ["inspect", str(src), "--json"])
    summary = json.loads(out.output)
    assert summary["not_carried"] == EXPECTED_40
    text = CliRunner().invoke(cli, ["inspect", str(src)]).output
    assert "company/streetAddress/streetname 1" in text and "customerSupplier/opBalTp 1" in text


# every target that writes entries (the template fillers need the user's template)
TARGETS = formats(lambda f: writes_entries(f) and not fills_a_template(f) and not f.experimental)
MAPPING = """[relations]
"Debiteur123" = "10123"
[cost_units]
"prod001" = "P001"
"""


@pytest.mark.parametrize("target", TARGETS)
def test_every_target_lists_what_the_source_held_beyond_the_model(tmp_path: Path, target: str) -> None:
    src = official_shaped_xaf40(tmp_path / "o.xaf")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    info = get_format(target)
    out = tmp_path / (f"{target}.xaf" if info.output == "file" else target)
    options = accepted(target, {"office": "NL001", "unit": "1"})  # where a writer takes them
    result = convert(src, target, out, mapping=mapping, options=options)
    assert result.equal
    listed = {item["what"]: item["count"] for item in result.control["not_carried"]}
    for key, n in EXPECTED_40.items():
        assert listed.get(f"source: {key}") == n, (target, key)
    assert listed.get("header: RGSVersion") == (None if info.rgs_version else 1), target
    why = {item["what"]: item["why"] for item in result.control["not_carried"]}
    assert why["source: company/streetAddress/streetname"] == "the model has no company address"


def test_house_number_extension_is_carried_apart(tmp_path: Path) -> None:
    src = official_shaped_xaf40(tmp_path / "o.xaf")
    adm = read_xaf(src)
    rel = adm.relations.iloc[0]
    assert (rel["house_nr"], rel["house_nr_addition"]) == ("7", "bis")
    convert(src, "xaf40", tmp_path / "back.xaf")
    ns = {"x": NS}
    street = etree.parse(str(tmp_path / "back.xaf")).find(".//x:customerSupplier/x:streetAddress", ns)
    assert street.findtext("x:number", namespaces=ns) == "7"
    assert street.findtext("x:numberExtension", namespaces=ns) == "bis"
    # targets with one number field write both, as the relation's address says them
    convert(src, "king", tmp_path / "king", mapping=_relations_map(tmp_path))
    king = etree.parse(str(next((tmp_path / "king").glob("*_debiteuren.xml"))))
    assert king.findtext(".//ADR_HUISNUMMER") == "7 bis"


def _relations_map(tmp_path: Path) -> Path:
    path = tmp_path / "rel.toml"
    path.write_text('[relations]\n"Debiteur123" = "10123"\n', encoding="utf-8")
    return path
