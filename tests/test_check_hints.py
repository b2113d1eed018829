"""A tip that names a producer appears only on that producer's file (softwareDesc/productID)."""

from __future__ import annotations

from pathlib import Path

import pytest

from koppel.checks import check_file
from koppel.checks.findings import RULES
from koppel.checks.hints import PRODUCER_HINTS, fit_hint
from tests.conftest import shared_sample

ROOT = Path(__file__).resolve().parents[1]


def _hints(name: str) -> dict[str, str]:
    result = check_file(shared_sample(name), xsd=False)
    return {f["code"]: f["hint"] for f in result["findings"]}


def test_banana_file_gets_no_e_boekhouden_tip():
    """Was: "e-Boekhouden.nl telt de beginbalans mee" on a CLAIR2 file Banana wrote."""
    hints = _hints("banana-nl__banana-accounting_clair2_2015.xml")
    assert hints["XAF-T04"] == "controleer of het pakket de beginbalans meetelt in de totalen van de mutaties"
    assert hints["XAF-T07"].startswith("CLAIR2-exports van Banana")  # Banana's own tip stays on Banana's file


def test_e_boekhouden_file_keeps_its_tip():
    hints = _hints("mikel-dataloader__e-boekhouden_xaf3.2_2019.xaf.xml")
    assert hints["XAF-T04"] == "e-Boekhouden.nl telt de beginbalans mee in de totalen"
    assert hints["XAF-F03"] == "gangbaar bij e-Boekhouden.nl en osFinancials"


@pytest.mark.parametrize("software", [None, "", "AccountView 9", "Unit4 Multivers"])
def test_other_producers_get_the_general_tip(software):
    for hint, (_producers, general) in PRODUCER_HINTS.items():
        assert fit_hint(hint, software) == general
        assert not any(p in general for p in ("e-Boekhouden", "Banana", "osFinancials", "Exact", "Twinfield"))


def test_every_producer_tip_is_one_the_checker_writes():
    """A tip reworded in the checker but not here would slip through to every file."""
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "koppel" / "checks").glob("*.py"))
    rule_hints = {r.hint for r in RULES.values()}
    for hint in PRODUCER_HINTS:
        assert hint in rule_hints or repr(hint)[1:-1] in source or hint in source, hint


def test_a_bad_encoding_file_gets_its_tip_in_dutch(tmp_path):
    """Was: an English tip ("the text is probably ISO-8859-1 …; re-run with …") in a Dutch report."""
    from koppel.reports import render_html_report

    result = check_file(shared_sample("banana-nl__unit4-multivers_xaf3.2_2017_reformatted_bad-encoding.xml"), xsd=False)
    (f01,) = [f for f in result["findings"] if f["code"] == "XAF-F01"]
    assert f01["hint"].startswith("de tekst is waarschijnlijk ISO-8859-1/Windows-1252; controleer opnieuw met")
    page = render_html_report(result)
    assert "re-run" not in page and "probably" not in page


def test_a_remedy_without_translation_falls_back_to_the_rules_dutch_tip(tmp_path):
    from koppel.checks.hints import dutch_hint

    assert dutch_hint("some new English remedy") is None  # Collector then uses the rule's own tip
    assert dutch_hint("the file is truncated; copy or export it again") == (
        "het bestand is afgebroken; kopieer of exporteer het opnieuw"
    )


def test_an_empty_file_gets_the_tip_for_an_empty_file(tmp_path):
    """Was: the rule's general tip, about Latin-1 text under a UTF-8 declaration, for a file of 0 bytes."""
    path = tmp_path / "leeg.xaf"
    path.write_bytes(b"")
    (f01,) = [f for f in check_file(path, xsd=False)["findings"] if f["code"] == "XAF-F01"]
    assert f01["hint"] == "het bestand is leeg; exporteer de auditfile opnieuw"
