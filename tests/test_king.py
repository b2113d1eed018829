"""King XML: every file validates against King's XSDs, numbers must be numeric, money and round trip hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from koppel.errors import KoppelError
from koppel.formats.king_reader import read_king
from koppel.pipeline import convert
from koppel.xaf import read_xaf
from tests.conftest import SAMPLES, SHARED
from tests.package_helpers import cents_by_account, convert_adm, numeric_mapping, rich_administration

KING = SHARED / "packages" / "king"
XSD = {
    "KING_JOURNAAL": KING / "tim-online-go-king__KingJournaal.xsd",
    "KING_DEBITEUREN": KING / "tim-online-go-king__KingDebiteuren.xsd",
    "KING_CREDITEUREN": KING / "tim-online-go-king__KingCrediteuren.xsd",
    "KING_GROOTBOEKREKENINGEN": KING / "tim-online-go-king__KingGrootboekrekeningen.xsd",
}


def _validate_all(folder: Path) -> list[str]:
    roots = []
    for xml in sorted(folder.glob("*.xml")):
        doc = etree.parse(str(xml))
        root = doc.getroot().tag
        schema = etree.XMLSchema(etree.parse(str(XSD[root])))
        assert schema.validate(doc), f"{xml.name}: {schema.error_log}"
        roots.append(root)
    return roots


def _stripped(cents: dict[str, int]) -> dict[str, int]:
    return {str(int(k)) if k.isdigit() else k: v for k, v in cents.items()}


def test_rich_administration(tmp_path: Path, monkeypatch) -> None:
    result = convert_adm(rich_administration(), "king", tmp_path, monkeypatch, options={"schema_dir": str(KING)})
    assert result.equal and result.control["money"]["read_back"]["equal"]
    assert sorted(_validate_all(tmp_path)) == sorted(XSD)
    doc = etree.parse(str(tmp_path / "RICH_king_journaal.xml"))
    posts = doc.findall(".//JOURNAALPOST")
    assert [p.findtext("JP_STUKNUMMER") for p in posts] == ["1", "1001", "2001", "3001"]
    first = posts[1].find(".//JOURNAALREGEL")
    assert (first.findtext("JR_BOEKZIJDE"), first.findtext("JR_VALUTABEDRAG"), first.findtext("JR_VALUTACODE")) == (
        "DEB", "121.00", "EUR",
    )  # fmt: skip
    assert first.findtext("JR_VERVALDATUM") == "2025-03-05" and first.findtext("JR_FACTUURNUMMER") == "F1001"
    dropped = {d["what"]: d["count"] for d in result.control["not_carried"]}
    assert dropped["lines.relation_id"] == 3 and dropped["lines.currency_amount"] == 1
    back = read_king(tmp_path)
    assert cents_by_account(back) == _stripped(cents_by_account(rich_administration()))
    assert back.stats.transactions == 4  # the opening balance is an entry in King
    rel = back.relations.set_index("relation_id")
    assert rel.loc["101", "kind"] == "customer" and rel.loc["201", "kind"] == "supplier"
    assert rel.loc["101", "iban"] == "NL91ABNA0417164300" and rel.loc["101", "contact"] == "J. Eik"


def test_non_numeric_relation_needs_mapping(tmp_path: Path, monkeypatch) -> None:
    adm = rich_administration()
    adm.relations.loc[0, "relation_id"] = "DEB-A"
    with pytest.raises(KoppelError) as err:
        convert_adm(adm, "king", tmp_path / "o", monkeypatch, options={"strict": True})
    assert "relation 'DEB-A' is not a number" in err.value.message and '[relations] "DEB-A"' in err.value.hint
    mapping = tmp_path / "m.toml"
    mapping.write_text('[relations]\n"DEB-A" = "5001"\n')
    result = convert_adm(adm, "king", tmp_path / "o", monkeypatch, mapping=mapping)
    assert result.equal
    assert "<NAW_NUMMER>5001</NAW_NUMMER>" in (tmp_path / "o" / "RICH_king_debiteuren.xml").read_text()


def test_sample_needs_numbers(tmp_path: Path) -> None:
    sample = SAMPLES / "voorbeeld_xaf32.xaf"
    strict = {"strict": True}
    with pytest.raises(KoppelError, match=r"relation 'D1001' \(and 25 more\) is not a number"):
        convert(sample, "king", tmp_path / "o", options=strict)
    numeric_mapping(read_xaf(sample), tmp_path / "m.toml")
    with pytest.raises(KoppelError, match=r"entry BNK/BNK00000010: King needs a whole number"):
        convert(sample, "king", tmp_path / "o", mapping=tmp_path / "m.toml", options=strict)
    options = {"entry_numbers": "renumber", **strict}
    result = convert(sample, "king", tmp_path / "o", mapping=tmp_path / "m.toml", options=options)
    assert result.equal
    assert result.control["counts"]["entries"] == [213, 213]
    assert sorted(set(_validate_all(tmp_path / "o"))) == sorted(XSD)


def test_too_long_text_is_an_error_unless_truncate(tmp_path: Path, monkeypatch) -> None:
    adm = rich_administration()
    adm.accounts.loc[0, "name"] = "x" * 41
    with pytest.raises(KoppelError, match="RKS_OMSCHRIJVING of 0100 has 41 characters; King allows 40"):
        convert_adm(adm, "king", tmp_path / "o", monkeypatch, options={"strict": True})
    for options in ({"truncate": True, "strict": True}, {}):  # asked for under --strict; the default otherwise
        result = convert_adm(adm, "king", tmp_path / "o", monkeypatch, options=options)
        assert {"what": "text cut: RKS_OMSCHRIJVING cut to 40 characters", "count": 1}.items() <= next(
            d for d in result.control["adaptations"] if "RKS_" in d["what"]
        ).items()


def test_a_long_batch_description_is_cut_and_reported_never_silently(tmp_path: Path, monkeypatch) -> None:
    """BG_OMSCHRIJVING takes 40 characters: the user's --option batch_description is checked like every text."""
    adm = rich_administration()
    long_text = "Conversie " + "x" * 35
    with pytest.raises(KoppelError, match=r"BG_OMSCHRIJVING of the batch .* has 45 characters; King allows 40"):
        convert_adm(adm, "king", tmp_path / "o", monkeypatch, options={"strict": True, "batch_description": long_text})
    result = convert_adm(adm, "king", tmp_path / "o", monkeypatch, options={"batch_description": long_text})
    assert {"what": "text cut: BG_OMSCHRIJVING cut to 40 characters", "count": 1}.items() <= next(
        d for d in result.control["adaptations"] if "BG_" in d["what"]
    ).items()
    journal = next((tmp_path / "o").glob("*journaal*.xml")).read_text(encoding="utf-8")
    assert f"<BG_OMSCHRIJVING>{long_text[:40]}</BG_OMSCHRIJVING>" in journal
