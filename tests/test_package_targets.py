"""The packages with golden files (tests/golden/packages/<name>/): golden files, descriptors, round trips, bad
input, real samples."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from koppel.cli import main
from koppel.errors import KoppelError
from koppel.kinds import UNKNOWN
from koppel.layouts.descriptor import check_layouts, load_target
from koppel.mapping_init import needs_account_kind, starter_mapping
from koppel.model import Administration, Header, conform
from koppel.pipeline import convert
from koppel.read_result import ReadResult
from koppel.registry import get_format, read_input
from tests.conftest import SAMPLES, XAF_SAMPLES

GOLDEN = Path(__file__).parent / "golden" / "packages"
# the packages with golden files (a folder of them each), and those of them that koppel reads back
WRITERS = tuple(sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()))
TARGETS = tuple(name for name in WRITERS if get_format(name).reads)


def small_adm(**changes) -> Administration:
    """Two entries, an opening balance, two relations, four accounts — every field the layouts carry."""
    lines = pd.DataFrame(
        {
            "journal_id": ["VRK", "VRK", "VRK", "BNK", "BNK"],
            "entry_nr": ["101", "101", "101", "7", "7"],
            "line_nr": ["1", "2", "3", "1", "2"],
            "date": pd.to_datetime(["2025-03-05"] * 3 + ["2025-03-20"] * 2).astype("datetime64[s]"),
            "period": ["3", "3", "3", "3", "3"],
            "entry_description": ["Factuur 101", "Factuur 101", "Factuur 101", "Ontvangst 101", "Ontvangst 101"],
            "account_id": ["1300", "8000", "1500", "1100", "1300"],
            "amount": [12100, -10000, -2100, 12100, -12100],
            "description": ['Café de Zon; "Oost"', "Omzet", "Btw 21%", None, "Betaling 101"],
            "relation_id": ["D01", None, None, None, "D01"],
            "invoice_ref": ["101", None, None, None, "101"],
            "vat_code": [None, "V21", None, None, None],
            "vat_amount": pd.array([None, -2100, None, None, None], dtype="Int64"),
            "cost_center": [None, "KP1", None, None, None],
            "due_date": pd.to_datetime(["2025-04-04", None, None, None, None]).astype("datetime64[s]"),
        }
    )
    for key, value in changes.items():
        lines[key] = value
    adm = Administration.from_frames(
        Header(company_id="DEMO", company_name="Demo B.V.", start_date="2025-01-01", source_format="test"),
        lines=lines,
        accounts=pd.DataFrame(
            {
                "account_id": ["0100", "1100", "1300", "1500", "8000"],
                "name": ["Inventaris", "Bank", "Debiteuren", "Btw", "Omzet"],
                "kind": ["B", "B", "B", "B", "P"],
            }
        ),
        relations=pd.DataFrame(
            {
                "relation_id": ["D01", "C01"],
                "kind": ["customer", "supplier"],
                "name": ["Café de Zon", "Groothandel Noord"],
                "street": ["Markt", "Kade"],
                "house_nr": ["1", "22"],
                "postal_code": ["3511 AB", "9711 CD"],
                "city": ["Utrecht", "Groningen"],
                "country": ["NL", "NL"],
                "iban": ["NL91ABNA0417164300", None],
                "payment_days": pd.array([30, 14], dtype="Int64"),
                "control_account": ["1300", "1600"],
            }
        ),
        opening_balance=pd.DataFrame({"line_nr": ["1", "2"], "account_id": ["0100", "1100"], "amount": [5000, -5000]}),
    )
    adm.header.opening_source = "openingBalance"
    adm.header.opening_date = "2025-01-01"
    return adm


@pytest.fixture
def with_input(monkeypatch):
    """Make convert read a given Administration instead of a file."""

    def use(adm: Administration) -> None:
        monkeypatch.setattr("koppel.pipeline.read_result", lambda *a, **k: ReadResult(adm))

    return use


# -- descriptors ----------------------------------------------------------------------------------


def test_every_layout_loads_and_marks_evidence() -> None:
    assert check_layouts() == []
    for target in TARGETS:
        layout = load_target(target)
        contents = {f.content for f in layout.files}
        assert {"entries", "opening", "accounts"} <= contents
        for f in layout.files:
            assert all(c.evidence in ("V", "3P", "A") for c in f.columns), f.id


def test_broken_descriptor_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(Path(load_target.__wrapped__.__globals__["SCHEMA_DIR"]) / "cash", folder)
    text = (folder / "boekingen.toml").read_text().replace('type = "cents"', 'type = "money"')
    (folder / "boekingen.toml").write_text(text)
    assert check_layouts(tmp_path) == ["bad: cash/boekingen.toml: column '0307' has unknown type 'money'"] or any(
        "unknown type 'money'" in p for p in check_layouts(tmp_path)
    )


def test_formats_lists_targets_with_evidence() -> None:
    assert get_format("minox").evidence == "A"  # entries [3P], but relations and GL accounts are assumed
    assert "columns: 0 verified (V), 78 third-party (3P), 37 assumed (A)" in get_format("minox").notes
    assert "28 verified (V)" in get_format("asperion").notes
    assert get_format("minox").reads and get_format("cash").writes


# -- golden files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("target", WRITERS)
def test_golden_files(target: str, tmp_path: Path, with_input) -> None:
    with_input(small_adm())
    result = convert(tmp_path / "demo.xaf", target, tmp_path / "out")
    assert result.equal
    golden = GOLDEN / target
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    if os.environ.get("KOPPEL_UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(tmp_path / "out", golden)
    assert written == sorted(p.name for p in golden.iterdir())
    for name in written:
        mine, theirs = (tmp_path / "out" / name).read_bytes(), (golden / name).read_bytes()
        if name == "control.json":  # the input path differs per run; the preparation report is checked below
            mine, theirs = (_without_path(json.loads(x)) for x in (mine, theirs))
            assert mine.pop("preparation")[0]["step"] == "open-items opening"
        assert mine == theirs, name


def test_control_reports_every_preparation_step_in_order(tmp_path: Path, with_input) -> None:
    with_input(small_adm())
    result = convert(tmp_path / "demo.xaf", "minox", tmp_path / "out")
    assert result.control["preparation"] == [
        {"step": "open-items opening", "applied": False},
        {"step": "rgs codes", "applied": False},
        {"step": "adaptation", "strict": False, "generated_codes": {}, "renumber": False},
        {"step": "whole entries", "batches": 1},
        {"step": "balance", "entries": 2, "lines": 5},
        {"step": "period-0 opening", "applied": False, "entries": 0, "lines": 0},
        {"step": "periods", "applied": True, "lines": 0},
        {"step": "map codes", "lines": 5},
        {"step": "renumber", "applied": False},
    ]


def _without_path(control: dict) -> dict:
    control["source"].pop("file")
    for key in ("generated_at", "koppel_version"):  # the time of the run, and a release bump: not the output
        control.pop(key)
    return control


def test_minox_entry_has_head_line_and_40_fields(tmp_path: Path, with_input) -> None:
    with_input(small_adm())
    convert(tmp_path / "demo.xaf", "minox", tmp_path / "out")
    raw = (tmp_path / "out" / "DEMO_minox_boekingen.csv").read_bytes().decode("cp1252")
    rows = raw.split("\r\n")
    assert rows[0].startswith("0,M,VRK,3,25,101,Factuur 101,05032025,")
    assert rows[1].startswith('1,M,VRK,3,25,101,"Café de Zon; ""Oost""",05032025,1300,D01,,101,121.00,')
    assert all(r.count(",") == 39 for r in rows[:2])  # 40 fields (no commas inside these values)


# -- round trips and package to package -----------------------------------------------------------


def _totals(adm: Administration) -> dict[str, int]:
    frame = adm.lines.frame()
    return {k: int(v) for k, v in frame.groupby("account_id")["amount"].sum().items() if v}


@pytest.mark.parametrize("target", TARGETS)
def test_round_trip(target: str, tmp_path: Path, with_input) -> None:
    source = small_adm()
    with_input(source)
    convert(tmp_path / "demo.xaf", target, tmp_path / "out")
    back = read_input(tmp_path / "out", target)
    expected = _totals(source)
    for account, cents in source.opening_balance.groupby("account_id")["amount"].sum().items():
        expected[account] = expected.get(account, 0) + int(cents)
    assert _totals(back) == {k: v for k, v in expected.items() if v}
    assert back.header.opening_source == "period0"
    lines = back.lines.frame()
    entries = lines.loc[~lines["journal_id"].isin(["BEG"])]
    keys = ["journal_id", "entry_nr", "account_id", "amount", "date"]
    mine = source.lines.frame()[keys].sort_values(keys).reset_index(drop=True)
    theirs = entries[keys].sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, theirs, check_dtype=False)
    assert set(back.relations["relation_id"]) == {"D01", "C01"}
    assert dict(zip(back.relations["relation_id"], back.relations["name"], strict=True))["D01"] == "Café de Zon"
    assert set(back.accounts["account_id"]) == set(source.accounts["account_id"])


@pytest.fixture(scope="module")
def package_outputs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("pkg")
    out = {}
    for target in TARGETS:
        convert(SAMPLES / "voorbeeld_xaf32.xaf", target, base / target, options={"entry_numbers": "renumber"})
        out[target] = base / target
    return out


_KINDS_UNKNOWN: dict[Path, bool] = {}


def _kinds_unknown(folder: Path, source: str) -> bool:
    """Whether the package files in ``folder`` read back with an account of unknown kind (read once per folder)."""
    if folder not in _KINDS_UNKNOWN:
        kinds = read_input(folder, source).accounts["kind"]
        _KINDS_UNKNOWN[folder] = bool((kinds.isna() | (kinds == UNKNOWN)).any())
    return _KINDS_UNKNOWN[folder]


@pytest.mark.parametrize("source", TARGETS)
@pytest.mark.parametrize("target", TARGETS)
def test_package_to_package(source: str, target: str, package_outputs, tmp_path: Path) -> None:
    if source == target:
        pytest.skip("same format")
    original = read_input(SAMPLES / "voorbeeld_xaf32.xaf")
    mapping = None
    if _kinds_unknown(package_outputs[source], source) and needs_account_kind(target):
        # a package whose files carry no kinds (AccountView's ACCT_TYPE codes are unknown): a target that needs
        # them refuses until the mapping states them, naming the section
        with pytest.raises(KoppelError, match=r"\[account_kinds\]"):
            convert(package_outputs[source], target, tmp_path / "refused", from_format=source)
        mapping = tmp_path / "kinds.toml"
        kinds = dict(zip(original.accounts["account_id"], original.accounts["kind"], strict=True))
        mapping.write_text("[account_kinds]\n" + "".join(f'"{a}" = "{k}"\n' for a, k in kinds.items()))
    result = convert(package_outputs[source], target, tmp_path / "o", from_format=source, mapping=mapping)
    assert result.equal
    expected = {k: v for k, v in original.stats.cents_by_account.items()}
    for account, cents in original.opening_balance.groupby("account_id")["amount"].sum().items():
        expected[account] = expected.get(account, 0) + int(cents)
    assert {k: v for k, v in result.control["money"]["written_cents_by_account"].items() if v} == {
        k: v for k, v in expected.items() if v
    }
    assert result.control["counts"]["relations"][1] == 40


def test_inspect_reads_a_package_folder(package_outputs, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["inspect", str(package_outputs["minox"]), "--from", "minox", "--json"])
    assert exit_.value.code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["counts"]["lines"] == 604
    assert summary["totals"]["debit"] == "955050.77"  # 647705.10 entries + 307345.67 opening balance
    assert summary["counts"]["relations"] == 40


# -- bad input: one test each, naming entry and field ---------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_unbalanced_entry_is_refused(target: str, tmp_path: Path, with_input) -> None:
    with_input(small_adm(amount=[12100, -10000, -2000, 12100, -12100]))
    with pytest.raises(KoppelError) as err:
        convert(tmp_path / "demo.xaf", target, tmp_path / "out")
    assert "entry VRK/101 does not balance: off by 1.00" in str(err.value)
    assert not (tmp_path / "out").exists()  # not even an empty output folder


def test_unknown_account_under_strict_mapping(tmp_path: Path, with_input) -> None:
    with_input(small_adm())
    mapping = tmp_path / "m.toml"
    mapping.write_text('[accounts]\n"1300" = "130000"\n"8000" = "800000"\n"1100" = "110000"\n"0100" = "010000"\n')
    with pytest.raises(KoppelError) as err:
        convert(tmp_path / "demo.xaf", "accountview", tmp_path / "out", mapping=mapping, strict_mapping=True)
    assert str(err.value).startswith(f"{mapping}: accounts: account '1500' is not in the mapping")
    assert "first used in entry VRK/101, line 3" in str(err.value)


def test_too_long_account_for_accountview(tmp_path: Path, with_input) -> None:
    with_input(small_adm(account_id=["13000000001", "8000", "1500", "1100", "13000000001"]))
    with pytest.raises(KoppelError) as err:
        convert(tmp_path / "demo.xaf", "accountview", tmp_path / "out", options={"strict": True})
    assert err.value.field == "Grootboekrekening"
    assert "entry VRK/101, line 1: Grootboekrekening '13000000001' is longer than 10 characters" in str(err.value)
    assert '[accounts] "13000000001" = ' in err.value.hint
    assert not (tmp_path / "out").exists()  # not even an empty output folder
    result = convert(tmp_path / "demo.xaf", "accountview", tmp_path / "out")  # by default: a generated code
    assert result.equal
    assert result.control["mappings_applied"]["generated"]["accounts"] == {"13000000001": "1300000000"}
    assert ",1300000000," in (tmp_path / "out" / "DEMO_accountview_boekingen.csv").read_text(encoding="cp1252")


def test_too_long_text_is_cut_only_when_asked(tmp_path: Path, with_input) -> None:
    long = "Een omschrijving die veel langer is dan veertig tekens"
    with_input(small_adm(description=[long, "Omzet", "Btw", None, "Betaling"]))
    with pytest.raises(KoppelError, match=r"entry VRK/101, line 1: Omschrijving .* longer than 40"):
        convert(tmp_path / "demo.xaf", "accountview", tmp_path / "out", options={"strict": True})
    cut = {"what": "text cut: boekingen.Omschrijving", "count": 1, "how": "longer than the column takes: cut to 40 "
           "characters"}  # fmt: skip
    mapping = tmp_path / "m.toml"
    mapping.write_text('[vat_codes]\n"V21" = "21"\n')  # AccountView's VAT codes have 2 characters
    for options in ({"strict": True, "truncate": "yes"}, {}):  # asked for under --strict; the default otherwise
        result = convert(tmp_path / "demo.xaf", "accountview", tmp_path / "out", options=options, mapping=mapping)
        assert cut in result.control["adaptations"]
        assert result.equal


def test_character_cp1252_cannot_carry(tmp_path: Path, with_input) -> None:
    with_input(small_adm(description=["Łódź levering", "Omzet", "Btw", None, "Betaling"]))
    with pytest.raises(KoppelError) as err:
        convert(tmp_path / "demo.xaf", "minox", tmp_path / "out")
    assert "entry VRK/101, line 1: oms25 holds 'Ł', which cp1252 cannot carry" in str(err.value)
    assert err.value.field == "oms25"
    assert not (tmp_path / "out").exists()  # not even an empty output folder


def test_cash_needs_numeric_entry_numbers(tmp_path: Path, with_input) -> None:
    with_input(small_adm(entry_nr=["F101", "F101", "F101", "7", "7"]))
    with pytest.raises(KoppelError, match="entry VRK/F101, line 1: 0303 must be a whole number, got 'F101'") as err:
        convert(tmp_path / "demo.xaf", "cash", tmp_path / "out", options={"strict": True})
    assert "--option entry_numbers=renumber" in err.value.hint
    for options in ({"entry_numbers": "renumber", "strict": True}, {}):  # asked for, or by default
        result = convert(tmp_path / "demo.xaf", "cash", tmp_path / "out", options=options)
        assert result.equal
        table = (tmp_path / "out" / "boekstuknummers.csv").read_text()
        assert "VRK;1;VRK;F101" in table


# -- mapping --------------------------------------------------------------------------------------


def test_mapping_init_proposes_codes_that_fit(tmp_path: Path) -> None:
    adm = read_input(XAF_SAMPLES / "rxaf__twinfield_xaf3.1_2016.xaf")
    text = starter_mapping(adm, "minox")
    assert '"JAAREIND-BAL" = "JAA"  # proposed' in text
    assert 'entry_numbers = "renumber"' in text
    mapping = tmp_path / "m.toml"
    mapping.write_text(text)
    result = convert(
        XAF_SAMPLES / "rxaf__twinfield_xaf3.1_2016.xaf", "minox", tmp_path / "out", mapping=mapping, strict_mapping=True
    )
    assert result.equal
    assert result.control["mappings_applied"]["mapped"]["journals"]["SALARIS"] == "SAL"


def test_mapping_init_proposes_an_opening_journal_that_fits(tmp_path: Path) -> None:
    """SnelStart's journals are numbers: the starter mapping's [defaults] opening_journal must be one too, or the
    mapping as written fails on the opening entry (it did: 'BEG')."""
    sample = SAMPLES / "voorbeeld_xaf32.xaf"
    text = starter_mapping(read_input(sample), "snelstart")
    assert "opening_journal = \"5\"  # proposed: 'BEG' does not fit" in text
    assert 'opening_journal = "BEG"' in starter_mapping(read_input(sample), "minox")
    mapping = tmp_path / "m.toml"
    mapping.write_text(text)
    result = convert(sample, "snelstart", tmp_path / "out", mapping=mapping, strict_mapping=True)
    assert result.equal
    opening = (tmp_path / "out" / "VB001_snelstart_beginbalans.csv").read_text(encoding="cp1252")
    assert opening.splitlines()[1].startswith("5;1;")


def test_conversion_accounts_move_history_only(tmp_path: Path, with_input) -> None:
    with_input(small_adm())
    mapping = tmp_path / "m.toml"
    mapping.write_text('[conversion_accounts]\n"1300" = "1310"\n')
    result = convert(tmp_path / "demo.xaf", "accountview", tmp_path / "out", mapping=mapping)
    text = (tmp_path / "out" / "DEMO_accountview_boekingen.csv").read_text(encoding="cp1252")
    assert ",1310," in text and ",1300," not in text
    assert result.control["mappings_applied"]["conversion_accounts"] == {"1300": {"to": "1310", "lines": 2}}
    assert result.control["money"]["written_cents_by_account"]["1300"] == 0  # keyed by the source account


def test_mapping_dialect_and_column_override(tmp_path: Path, with_input) -> None:
    with_input(small_adm())
    mapping = tmp_path / "m.toml"
    mapping.write_text('[dialect]\ndelimiter = ","\ndecimal = "."\n[columns.journaalposten]\n"Datum" = "Boekdatum"\n')
    result = convert(tmp_path / "demo.xaf", "asperion", tmp_path / "out", mapping=mapping)
    first = (tmp_path / "out" / "DEMO_asperion_journaalposten.csv").read_text().splitlines()[0:2]
    assert first[0].startswith("Boekstuknummer,Boekdatum,Grootboekrekening")
    assert first[1].startswith("101,05-03-2025,1300,")
    assert ",121.00," in first[1]
    assert "| scheidingsteken | komma , | A |" in (tmp_path / "out" / "IMPORTEREN.md").read_text()
    assert result.equal


# -- the shared real samples ----------------------------------------------------------------------

BALANCED = (
    "rxaf__exact-online_xaf3.2_2016.xaf",
    "rxaf__unit4-multivers_xaf3.2_2017.xaf",
    "rxaf__twinfield_xaf3.1_2016.xaf",
    "rxaf__osfinancials_xaf3.1_2015.xaf",
    "mikel-dataloader__e-boekhouden_xaf3.2_2019.xaf.xml",
    "banana-nl__banana-accounting_xaf3.2_2018.xaf",
)


@pytest.mark.parametrize("sample", BALANCED)
def test_real_sample_converts_to_every_target(sample: str, tmp_path: Path) -> None:
    adm = read_input(XAF_SAMPLES / sample)
    for target in TARGETS:
        mapping = tmp_path / f"{target}.toml"
        mapping.write_text(starter_mapping(adm, target) + "\n")
        text = mapping.read_text().replace("# truncate = true", "truncate = true")
        mapping.write_text(text)
        result = convert(XAF_SAMPLES / sample, target, tmp_path / target, mapping=mapping)
        control = json.loads((tmp_path / target / "control.json").read_text())
        assert control["money"]["equal"] is True, (sample, target)
        assert control["money"]["read_back"]["equal"] is True
        assert control["counts"]["lines"][0] == control["counts"]["lines"][1] + sum(
            i["count"] for i in control["not_carried"] if i["what"] == "lines with amount 0"
        )
        assert (tmp_path / target / "IMPORTEREN.md").exists()
        assert result.equal


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        ("banana-nl__banana-accounting_clair2_2015.xml", "entry 1/0 does not balance: off by 10000.00"),
        ("banana-nl__unit4-multivers_xaf3.2_2017_reformatted_bad-encoding.xml", "bytes that are not valid UTF-8"),
    ],
)
def test_refused_samples_leave_no_output(sample: str, message: str, tmp_path: Path) -> None:
    for target in TARGETS:
        with pytest.raises(KoppelError, match=message):
            convert(XAF_SAMPLES / sample, target, tmp_path / target)
        assert not (tmp_path / target).exists() or not any((tmp_path / target).iterdir())


def test_cli_convert_reports_files(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "convert",
                str(SAMPLES / "voorbeeld_xaf32.xaf"),
                "--to",
                "minox",
                "-o",
                str(tmp_path / "m"),
                "--option",
                "entry_numbers=renumber",
            ]
        )
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "IMPORTEREN.md" in out and "money in = money out" in out


def test_opening_balance_entry_in_every_target(tmp_path: Path, with_input) -> None:
    adm = small_adm()
    with_input(adm)
    convert(tmp_path / "demo.xaf", "cash", tmp_path / "out")
    text = (tmp_path / "out" / "DEMO_cash_beginbalans.csv").read_text(encoding="cp1252").splitlines()
    assert text[1:] == [
        "BEG;1;250101;2500;00;0100;;Beginbalans;5000;;;;",
        "BEG;1;250101;2500;00;1100;;Beginbalans;-5000;;;;",
    ]
    assert conform("lines", pd.DataFrame()).empty


def test_cash_ascii_is_experimental_and_reports_accounts(tmp_path: Path, with_input) -> None:
    info = get_format("cash-ascii")
    assert info.experimental and info.evidence == "A" and not info.reads
    with_input(small_adm())
    result = convert(tmp_path / "demo.xaf", "cash-ascii", tmp_path / "out")
    assert result.equal
    assert {
        "what": "accounts",
        "count": 5,
        "why": "Cash (ASCII-bestand, Cash formaat) has no file for GL accounts",
    } in (result.control["not_carried"])
    text = (tmp_path / "out" / "CASH-BOEKINGEN.TXT").read_bytes().decode("cp1252")
    assert text.startswith("0901 VRK\r\n0303 101\r\n0302 250305\r\n")
    assert "\r\n0307 12100\r\n" in text and text.count("\r\n\r\n") == 5
    assert "EXPERIMENTEEL" in (tmp_path / "out" / "IMPORTEREN.md").read_text()


def test_cli_mapping_init_writes_a_loadable_file(tmp_path: Path, capsys) -> None:
    target = tmp_path / "cash.toml"
    with pytest.raises(SystemExit) as exit_:
        main(["mapping", "init", str(SAMPLES / "voorbeeld_xaf32.xaf"), "--to", "cash", "-o", str(target)])
    assert exit_.value.code == 0
    text = target.read_text()
    assert (
        '"BNK" = "BNK"  # ' in text
        and 'entry_numbers = "renumber"  # longest entry number has 11 characters; cash allows 9' in text
    )
    from koppel.mapping import Mapping

    loaded = Mapping.load(target)
    assert loaded.options == {"entry_numbers": "renumber"} and loaded.defaults == {"opening_journal": "BEG"}
