"""``koppel check`` and the reader agree on every fact of a file: counts, totals, opening balance, periods.

Both read the same file in their own pass (check as written, the reader into the model); a difference
means one of them misreads the file, as check did with a CLAIR2 opening balance in period 0.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from koppel.checks import check_file
from koppel.money import format_cents, parse_cents
from koppel.synthetic import write_synthetic_xaf
from koppel.xaf import read_xaf
from tests.conftest import SAMPLES, XAF_SAMPLES
from tests.shapes.clair2 import eekboek_clair2

FILES = sorted(p for p in XAF_SAMPLES.iterdir() if p.suffix in (".xaf", ".xml") and "bad-encoding" not in p.name)
OWN = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".xaf", ".xml") and p.name.startswith("voorbeeld"))
SYNTHETIC = ["3.2", "3.2.1", "4.0", "2.0"]


def _reader_facts(path: Path) -> dict:
    adm = read_xaf(path)
    lines = adm.lines.frame()
    ob = adm.opening_balance
    periods = {}
    for period, group in lines.groupby(lines["period"].astype(object).fillna("<none>"), sort=False):
        amount = group["amount"]
        periods[None if period == "<none>" else period] = (
            format_cents(int(amount[amount > 0].sum())),
            format_cents(-int(amount[amount < 0].sum())),
            len(group),
        )
    per_journal = lines.groupby(lines["journal_id"].astype(object).fillna(""), sort=False)
    return {
        "counts": {
            "accounts": adm.accounts["account_id"].nunique(),
            "relations": adm.relations["relation_id"].nunique(),
            "vat_codes": adm.vat_codes["vat_code"].nunique(),
            "periods": adm.periods["period"].nunique(),
            "journals": adm.journals["journal_id"].nunique(),
            "transactions": adm.stats.transactions,
            "lines": adm.stats.lines,
            "opening_lines": len(ob),
        },
        "totals": {"debit": format_cents(adm.stats.debit), "credit": format_cents(adm.stats.credit)},
        "opening_source": adm.header.opening_source,
        "opening_net": format_cents(int(ob["amount"].sum())),
        "opening_by_account": {
            str(a): format_cents(int(c)) for a, c in ob.groupby("account_id")["amount"].sum().items() if c
        },
        "periods": periods,
        "journal_lines": {str(j): len(g) for j, g in per_journal},
    }


def _check_facts(path: Path) -> dict:
    r = check_file(path, xsd=False)
    c, t = r["counts"], r["totals"]
    opening = {row["account"]: row["opening"] for row in r["trial_balance"] if row["opening"] != "0.00"}
    names = ("accounts", "relations", "vat_codes", "periods", "journals", "transactions", "lines", "opening_lines")
    return {
        "counts": {k: c[k] for k in names},
        "totals": {"debit": t["debit"], "credit": t["credit"]},
        "opening_source": t["opening_source"],
        "opening_net": format_cents(parse_cents(t["opening_debit"]) - parse_cents(t["opening_credit"])),
        "opening_by_account": opening,
        "periods": {p["period"]: (p["debit"], p["credit"], p["lines"]) for p in r["periods"]},
        "journal_lines": {j["journal"]: j["lines"] for j in r["journals"] if j["lines"]},
        "o02": any(f["code"] == "XAF-O02" for f in r["findings"]),
    }


def _agree(path: Path) -> None:
    mine, theirs = _reader_facts(path), _check_facts(path)
    o02 = theirs.pop("o02")
    assert o02 == (mine["opening_source"] is None), "XAF-O02 says the opening balance is absent"
    for key in mine:
        assert theirs[key] == mine[key], key


@pytest.mark.parametrize("path", FILES + OWN, ids=lambda p: p.name)
def test_check_and_reader_agree_on_the_samples(path: Path) -> None:
    _agree(path)


@pytest.mark.parametrize("version", SYNTHETIC)
def test_check_and_reader_agree_on_synthetic_files(tmp_path: Path, version: str) -> None:
    _agree(write_synthetic_xaf(tmp_path / f"s{version}.xaf", lines=400, version=version, seed=7))


def test_clair2_opening_balance_in_period_0(tmp_path: Path) -> None:
    """CLAIR2 carries the opening balance as a transaction in <period>0</period>: check finds it too."""
    src = eekboek_clair2(tmp_path / "eekboek.xml")
    result = check_file(src, xsd=False)
    assert "XAF-O02" not in {f["code"] for f in result["findings"]}
    assert result["counts"]["opening_lines"] == 3 and result["totals"]["opening_source"] == "period0"
    assert (result["totals"]["opening_debit"], result["totals"]["opening_credit"]) == ("6000.00", "6000.00")
    tb = {row["account"]: row for row in result["trial_balance"]}
    assert tb["1100"]["opening"] == "5500.00" and tb["1100"]["debit"] == "500.00"
    _agree(src)


def test_opening_journal_type_o_outside_period_0(tmp_path: Path) -> None:
    """A jrnTp O journal holds the opening balance in any period: reader and check both say so."""
    src = write_synthetic_xaf(tmp_path / "s.xaf", lines=40, version="3.2", seed=3)
    text = src.read_text(encoding="utf-8")
    # the synthetic file's opening balance becomes a journal of type O booked in period 1
    start = text.index("<openingBalance>")
    end = text.index("</openingBalance>") + len("</openingBalance>")
    ob = text[start:end]
    lines = ob[ob.index("<obLine>") :].replace("</openingBalance>", "")
    tr = lines.replace("<obLine>", "<trLine>").replace("</obLine>", "</trLine>")
    tr = tr.replace("</accID>", "</accID><docRef>BB</docRef>")
    journal = (
        "<journal><jrnID>BB</jrnID><desc>Beginbalans</desc><jrnTp>O</jrnTp><transaction><nr>BB1</nr>"
        f"<periodNumber>1</periodNumber><trDt>2025-01-01</trDt>{tr}</transaction></journal>"
    )
    text = text[:start] + text[end:]
    text = text.replace("<journal>", journal + "<journal>", 1)
    src.write_text(text, encoding="utf-8")
    adm = read_xaf(src)
    assert adm.header.opening_source == "period0" and len(adm.opening_balance) == ob.count("<obLine>")
    _agree(src)


def test_the_frames_compare_whole() -> None:
    """The comparison itself can fail: a reader fact that check does not share is caught."""
    path = OWN[0]
    mine = _reader_facts(path)
    mine["counts"]["lines"] += 1
    assert mine["counts"] != _check_facts(path)["counts"]


def _inspect_facts(path: Path) -> dict:
    """What ``koppel inspect --json`` prints, in the fields ``check`` prints too."""
    from koppel.registry import read_input
    from koppel.summary import summarize
    from koppel.xaf.consumers import wanted_in_pass

    with wanted_in_pass(lines=False):  # as inspect reads: counts and totals, no line kept
        s = summarize(read_input(path, "xaf"))
    return {
        "version": s["version"],
        "software": s["software"]["name"],
        "encoding": s["encoding"],
        "counts": s["counts"],
        "totals": s["totals"],
        "opening_source": s["opening_source"],
    }


def _check_shared(path: Path) -> dict:
    r = check_file(path, xsd=False)
    names = ("accounts", "relations", "vat_codes", "periods", "journals", "transactions", "lines", "opening_lines")
    t = r["totals"]
    return {
        "version": r["version"],
        "software": r["software"],
        "encoding": r["encoding"],
        "counts": {k: r["counts"][k] for k in names},
        "totals": {k: t[k] for k in ("debit", "credit", "opening_debit", "opening_credit")},
        "opening_source": t["opening_source"],
    }


def _inspect_agrees(path: Path) -> None:
    mine, theirs = _inspect_facts(path), _check_shared(path)
    for key in mine:
        assert theirs[key] == mine[key], key


@pytest.mark.parametrize("path", FILES + OWN, ids=lambda p: p.name)
def test_inspect_and_check_print_the_same_facts(path: Path) -> None:
    """The figures both commands print (version, software, counts, totals, opening balance) are equal."""
    _inspect_agrees(path)


@pytest.mark.parametrize("version", SYNTHETIC)
def test_inspect_and_check_agree_on_synthetic_files(tmp_path: Path, version: str) -> None:
    _inspect_agrees(write_synthetic_xaf(tmp_path / f"s{version}.xaf", lines=400, version=version, seed=7))


def test_inspect_and_check_agree_on_a_clair2_period_0_opening(tmp_path: Path) -> None:
    _inspect_agrees(eekboek_clair2(tmp_path / "eekboek.xml"))
