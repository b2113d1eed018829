"""Source profiles: every pain point of ERP/POS/shop/bank exports, and every built-in profile on its sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from koppel.cli import cli
from koppel.errors import KoppelError
from koppel.sources import builtin_profiles, load_profile, read_source
from koppel.sources.reader import read_export
from koppel.sources.sniff import starter_profile

SRC = SAMPLES / "sources"
BUILTIN_SAMPLES = {
    "pos-z": "pos_zrapport.csv",
    "journal-lines": "journal_lines_nl.csv",
    "journal-lines-en": "journal_lines_en.csv",
    "journal-lines-xlsx": "journal_lines.xlsx",
    "shopify-orders": "shopify_orders.csv",
    "stripe-payouts": "stripe_payouts.csv",
    "mollie-balance": "mollie_balance.csv",
    "bank-ing-csv": "bank_ing.csv",
    "bank-mt940": "bank.sta",
    "bank-camt053": "bank_camt053.xml",
}

EN_PROFILE = """
[dialect]
delimiter = ","
[columns]
date = "Date"
doc = "Entry"
account = "Account"
amount = "Amount"
[money]
fields = ["amount"]
[journal]
id = "MEM"
[[post]]
amount = "amount"
account = "field:account"
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def balanced(adm) -> pd.DataFrame:
    lines = adm.lines.frame()
    sums = lines.groupby(["journal_id", "entry_nr"])["amount"].sum()
    assert (sums == 0).all(), sums[sums != 0]
    return lines


def test_every_builtin_profile_has_a_sample():
    assert sorted(BUILTIN_SAMPLES) == builtin_profiles()


@pytest.mark.parametrize("profile", sorted(BUILTIN_SAMPLES))
def test_builtin_profile_reads_its_sample_into_balanced_entries(profile):
    adm = read_source(SRC / BUILTIN_SAMPLES[profile], profile=profile)
    lines = balanced(adm)
    assert adm.stats.lines == len(lines) > 0
    assert adm.stats.debit == adm.stats.credit
    assert set(lines["account_id"]) <= set(adm.accounts["account_id"])
    assert (lines["amount"] != 0).all()


# --- pain points -------------------------------------------------------------------------------------------


def test_cp1252_euro_sign_and_decimal_comma_with_thousands():
    adm = read_source(SRC / "journal_lines_nl.csv", profile="journal-lines")
    lines = balanced(adm)
    wages = lines[lines["account_id"] == "4000"].iloc[0]
    assert wages["description"] == "Salarissen januari € netto"
    assert wages["amount"] == 1_234_567  # "12.345,67"
    assert "Kantoorbenodigdheden – Café Noël" in set(lines["description"])  # en dash 0x96, é, ë in cp1252
    assert adm.not_carried == {"totals rows of the export (skipped)": 1}


def test_utf8_profile_on_cp1252_file_says_which_encoding(tmp_path):
    path = write(tmp_path, "x.csv", "Date,Entry,Account,Amount\n2024-01-01,1,4000,1.00 \u20ac\n".encode("cp1252"))
    prof = tmp_path / "p.toml"
    prof.write_text('[dialect]\nencoding = "utf-8"\n' + EN_PROFILE.replace("[dialect]\n", ""), encoding="utf-8")
    with pytest.raises(KoppelError) as err:
        read_source(path, profile=prof)
    assert err.value.line == 2 and err.value.field == "encoding"
    assert "0x80" in err.value.message and "cp1252" in err.value.hint


@pytest.mark.parametrize(
    ("declared", "data", "says"),
    [
        ("latin-1", "€".encode("cp1252"), "cp1252"),  # 0x80 is a control character in latin-1
        ("cp1252", "é".encode(), "UTF-8"),  # valid UTF-8 would turn into mojibake
    ],
)
def test_cp1252_versus_latin1_is_an_explicit_choice(tmp_path, declared, data, says):
    path = write(tmp_path, "x.csv", b"Date,Entry,Account,Amount\n2024-01-01,1,4000," + data + b"\n")
    prof = write(tmp_path, "p.toml", f'[dialect]\nencoding = "{declared}"\n' + EN_PROFILE.replace("[dialect]\n", ""))
    with pytest.raises(KoppelError) as err:
        read_source(path, profile=prof)
    assert says in err.value.message


def test_bom_is_skipped_so_the_first_header_is_found():
    assert (SRC / "shopify_orders.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    adm = read_source(SRC / "shopify_orders.csv", profile="shopify-orders")
    lines = balanced(adm)
    assert sorted(set(lines["entry_nr"])) == ["1001", "1002", "1004"]  # Name, the first column
    assert sorted(set(lines["doc_ref"])) == ["#1001", "#1002", "#1004"]
    assert adm.not_carried == {"rows held back: financial_status not paid": 1}


def test_ambiguous_date_column_is_an_error_until_the_format_is_given(tmp_path):
    csv = "Date,Entry,Account,Amount\n03/04/2024,1,4000,10.00\n03/04/2024,1,1600,-10.00\n05/06/2024,2,4000,1.00\n"
    csv += "05/06/2024,2,1600,-1.00\n"
    path = write(tmp_path, "x.csv", csv)
    prof = write(tmp_path, "p.toml", EN_PROFILE)
    with pytest.raises(KoppelError) as err:
        read_source(path, profile=prof)
    assert "ambiguous" in err.value.message and err.value.field == "Date" and err.value.line == 2
    assert "%d/%m/%Y" in err.value.hint and "%m/%d/%Y" in err.value.hint
    prof.write_text(EN_PROFILE + '[dates]\ndate = "DD/MM/YYYY"\n', encoding="utf-8")
    lines = balanced(read_source(path, profile=prof))
    assert sorted(set(lines["date"].dt.strftime("%Y-%m-%d"))) == ["2024-04-03", "2024-06-05"]


def test_unambiguous_day_first_column_is_inferred(tmp_path):
    path = write(tmp_path, "x.csv", "Date,Entry,Account,Amount\n13/04/2024,1,4000,1.00\n03/04/2024,1,1600,-1.00\n")
    lines = balanced(read_source(path, profile=write(tmp_path, "p.toml", EN_PROFILE)))
    assert list(lines["date"].dt.strftime("%Y-%m-%d")) == ["2024-04-03", "2024-04-03"]  # entry date = first day


def test_bad_amount_names_file_row_and_column(tmp_path):
    shutil.copy(SRC / "journal_lines_nl.csv", tmp_path / "j.csv")
    data = (tmp_path / "j.csv").read_bytes().replace(b"1.250,00;;", b"1.250,0O;;", 1)
    (tmp_path / "j.csv").write_bytes(data)
    with pytest.raises(KoppelError) as err:
        read_source(tmp_path / "j.csv", profile="journal-lines")
    e = err.value
    assert (Path(e.file).name, e.line, e.field) == ("j.csv", 4, "Debet")
    assert "1.250,0O" in e.message
    assert str(e).startswith(f"{tmp_path / 'j.csv'}:4: Debet: not an amount")


def test_duplicate_rows_across_two_overlapping_exports_are_booked_once(tmp_path):
    rows = (SRC / "mollie_balance.csv").read_text(encoding="utf-8").splitlines()
    header, body = rows[0], rows[1:]
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a_week1.csv").write_text("\n".join([header, *body[:5]]) + "\n", encoding="utf-8")
    (folder / "b_week2.csv").write_text("\n".join([header, *body[3:]]) + "\n", encoding="utf-8")
    once = read_source(SRC / "mollie_balance.csv", profile="mollie-balance")
    both = read_source(folder, profile="mollie-balance")
    assert both.not_carried["rows already in an earlier file (duplicates, skipped)"] == 2
    assert both.stats.cents_by_account == once.stats.cents_by_account
    assert both.stats.lines == once.stats.lines


def test_identical_rows_within_one_export_are_both_booked(tmp_path):
    text = "Date,Entry,Account,Amount\n" + "2024-01-02,1,4000,1.00\n" * 2 + "2024-01-02,1,1600,-2.00\n"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_text(text, encoding="utf-8")
    (folder / "b.csv").write_text(text + "2024-01-03,2,4000,5.00\n2024-01-03,2,1600,-5.00\n", encoding="utf-8")
    adm = read_source(folder, profile=write(tmp_path, "p.toml", EN_PROFILE))
    assert adm.stats.cents_by_account == {"4000": 700, "1600": -700}
    assert adm.not_carried["rows already in an earlier file (duplicates, skipped)"] == 3


def test_stripe_rows_are_identified_by_balance_transaction(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SRC / "stripe_payouts.csv", folder / "a.csv")
    shutil.copy(SRC / "stripe_payouts.csv", folder / "b.csv")
    adm = read_source(folder, profile="stripe-payouts")
    assert adm.not_carried["rows already in an earlier file (duplicates, skipped)"] == 6
    assert adm.stats.debit == read_source(SRC / "stripe_payouts.csv", profile="stripe-payouts").stats.debit


# --- aggregation, VAT and rounding -------------------------------------------------------------------------


def test_pos_z_report_daily_entries_exact():
    adm = read_source(SRC / "pos_zrapport.csv", profile="pos-z")
    lines = balanced(adm)
    assert sorted(set(lines["entry_nr"])) == ["24030101", "24030102", "24030201"]
    day1 = lines[lines["entry_nr"] == "24030101"].set_index("account_id")["amount"].to_dict()
    assert day1 == {
        "8000": -102030,
        "8010": -77532,
        "8020": -1200,
        "1520": -21426,
        "1521": -6978,
        "1000": 41230,
        "1100": 154431,
        "1110": 12500,
        "1600": 2500,
        "1610": -1500,
        "8980": 5,
    }
    day2 = lines[lines["entry_nr"] == "24030201"]
    assert day2[day2["account_id"] == "8990"]["amount"].tolist() == [4]  # cash rounded to 5 cents at the till
    assert adm.not_carried["rows held back: closed not Y/J/yes/ja"] == 2  # the open day 03-03
    assert lines.loc[lines["account_id"] == "8000", "vat_code"].unique().tolist() == ["V21"]


def test_until_holds_back_periods_not_closed():
    adm = read_source(SRC / "pos_zrapport.csv", profile="pos-z", until="2024-03-01")
    assert sorted(set(adm.lines.frame()["entry_nr"])) == ["24030101", "24030102"]
    assert adm.not_carried["rows held back: period not closed by 2024-03-01"] == 6
    month = read_source(SRC / "pos_zrapport.csv", profile="pos-z", aggregate="month", until="2024-03-30")
    assert month.stats.lines == 0  # March is not over on the 30th


def test_convert_passes_until_and_aggregate_to_the_profile(tmp_path):
    args = ["convert", str(SRC / "pos_zrapport.csv"), "--profile", "pos-z", "--to", "minox"]
    held = CliRunner().invoke(cli, [*args, "--until", "2024-03-01", "-o", str(tmp_path / "day")])
    assert held.exit_code == 0, held.output
    assert "rows held back: period not closed by 2024-03-01 (6)" in held.output
    assert "entries 2 -> 2" in held.output
    month = CliRunner().invoke(cli, [*args, "--aggregate", "month", "-o", str(tmp_path / "month")])
    assert month.exit_code == 0 and "entries 2 -> 2" in month.output  # one per register for March
    daily = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "all")])
    assert daily.exit_code == 0 and "entries 3 -> 3" in daily.output


def test_month_aggregation_one_entry_per_register_dated_month_end():
    adm = read_source(SRC / "pos_zrapport.csv", profile="pos-z", aggregate="month")
    lines = balanced(adm)
    assert sorted(set(lines["entry_nr"])) == ["20240301", "20240302"]
    assert set(lines["date"].dt.strftime("%Y-%m-%d")) == {"2024-03-31"}
    daily = read_source(SRC / "pos_zrapport.csv", profile="pos-z")
    assert adm.stats.cents_by_account == {k: v for k, v in daily.stats.cents_by_account.items()}


def gross_profile(tmp_path: Path, tolerance: str = "0.00", rounding: str = 'rounding_account = "8990"') -> Path:
    return write(
        tmp_path,
        "g.toml",
        f"""
[dialect]
delimiter = ";"
decimal_mark = ","
thousands = "."
[columns]
date = "datum"
rate = "btw"
category = "groep"
method = "betaling"
gross = "bedrag"
[dates]
date = "DD-MM-YYYY"
[money]
fields = ["gross"]
[journal]
id = "VK"
[entries]
aggregate = "day"
{rounding}
rounding_tolerance = "{tolerance}"
[[post]]
amount = "-gross"
vat_rate = "rate"
account = "map:category"
[[post]]
amount = "gross"
account = "map:method"
[map.category]
koffie = "8001"
gebak = "8002"
"*" = "8009"
[map.method]
pin = "1100"
contant = "1000"
[vat.rates."21"]
code = "H"
account = "1520"
[vat.rates."9"]
code = "L"
account = "1521"
""",
    )


def test_vat_from_gross_per_rate_per_entry_shared_over_revenue_accounts(tmp_path):
    csv = (
        "datum;btw;groep;betaling;bedrag\n"
        + "".join(
            f"01-03-2024;9;{g};pin;{a}\n" for g, a in [("koffie", "3,30"), ("gebak", "4,15"), ("koffie", "1.000,01")]
        )
        + "01-03-2024;21;souvenir;contant;10,00\n"
    )
    read = read_export(write(tmp_path, "x.csv", csv), profile=gross_profile(tmp_path))
    adm = read.adm
    lines = balanced(adm).set_index("account_id")
    # 9%: gross 1007.46 -> VAT round_half_up(100746 * 9 / 109) = 8318.4 -> 8318 cents
    assert lines.loc["1521", "amount"] == -8318
    assert lines.loc["8001", "vat_amount"] + lines.loc["8002", "vat_amount"] == -8318
    assert lines.loc["8001", "amount"] + lines.loc["8002", "amount"] == -(100746 - 8318)
    # 21%: 10.00 -> 1.7355 -> 1.74; the unmapped group went to the fallback and is reported
    assert lines.loc["1520", "amount"] == -174 and lines.loc["8009", "amount"] == -826
    report = read.extras["source_report"]
    assert report[report["item"] == "fallback account of [map.category]"]["detail"].tolist() == ["souvenir"]


@pytest.mark.parametrize("path", ["one file (rows summed in Arrow)", "a folder (rows read one by one)"])
def test_report_counts_source_rows_even_when_equal_rows_are_summed(tmp_path, path):
    # 3 equal unmapped rows, 1 mapped row on the 1st; on the 2nd 4 equal rows and 2 without an amount
    csv = (
        "datum;btw;groep;betaling;bedrag\n"
        + "01-03-2024;21;souvenir;contant;10,00\n" * 3
        + "01-03-2024;9;koffie;pin;3,30\n"
        + "02-03-2024;9;koffie;pin;3,30\n" * 4
        + "02-03-2024;9;koffie;pin;\n" * 2
    )
    if path.startswith("one file"):
        source = write(tmp_path, "x.csv", csv)
    else:
        source = tmp_path / "drops"
        source.mkdir()
        write(source, "a.csv", csv)
        write(source, "b.csv", "datum;btw;groep;betaling;bedrag\n")
    read = read_export(source, profile=gross_profile(tmp_path), until="2024-03-01")
    adm = read.adm
    report = read.extras["source_report"].set_index("item")["count"].to_dict()
    assert report["rows read"] == 10
    assert report["rows without amounts (nothing to post)"] == 2
    assert report["fallback account of [map.category]"] == 3
    assert adm.not_carried == {"rows held back: period not closed by 2024-03-01": 4}
    assert balanced(adm).set_index("account_id").loc["8009", "amount"] == -2479  # 30.00 less 21% VAT


def test_half_cent_vat_rounds_away_from_zero(tmp_path):
    # 0.55 at 21%: 55 * 21 / 121 = 9.545.. -> 10 ; 2.42 at 21%: 42.0 exactly; 10.90 at 9%: 90.0
    csv = "datum;btw;groep;betaling;bedrag\n01-03-2024;21;koffie;pin;0,55\n01-03-2024;9;koffie;pin;-6,05\n"
    lines = balanced(read_source(write(tmp_path, "x.csv", csv), profile=gross_profile(tmp_path))).set_index(
        "account_id"
    )
    assert lines.loc["1520", "amount"] == -10  # 9.545 -> 10
    assert lines.loc["1521", "amount"] == 50  # -605 * 9 / 109 = -49.95 -> -50 (a refund: VAT back, debit)


def test_residual_beyond_tolerance_is_an_error_naming_the_entry(tmp_path):
    csv = "datum;btw;groep;betaling;bedrag\n01-03-2024;21;koffie;pin;10,00\n"
    prof = write(
        tmp_path,
        "g.toml",
        gross_profile(tmp_path)
        .read_text()
        .replace(
            '[[post]]\namount = "gross"\naccount = "map:method"',
            '[[post]]\namount = "gross"\naccount = "map:method"\nwhen = { method = "pin" }',
        ),
    )
    path = write(tmp_path, "x.csv", csv + "01-03-2024;21;koffie;bon;1,00\n")
    with pytest.raises(KoppelError) as err:
        read_source(path, profile=prof)
    assert "entry 20240301 in journal VK does not balance: off by -1.00" in err.value.message
    assert err.value.line == 2


def test_unmapped_value_without_fallback_names_row_column_and_table(tmp_path):
    csv = "datum;btw;groep;betaling;bedrag\n01-03-2024;21;koffie;pin;10,00\n01-03-2024;21;koffie;ideal;1,00\n"
    with pytest.raises(KoppelError) as err:
        read_source(write(tmp_path, "x.csv", csv), profile=gross_profile(tmp_path))
    assert (err.value.line, err.value.field) == (3, "betaling")
    assert "'ideal' is not in [map.method]" in err.value.message


def test_unknown_vat_rate_is_an_error(tmp_path):
    csv = "datum;btw;groep;betaling;bedrag\n01-03-2024;6;koffie;pin;10,00\n"
    with pytest.raises(KoppelError) as err:
        read_source(write(tmp_path, "x.csv", csv), profile=gross_profile(tmp_path))
    assert (err.value.line, err.value.field) == (2, "btw") and "VAT rate '6'" in err.value.message


def test_profile_mistakes_name_the_key(tmp_path):
    bad = write(tmp_path, "bad.toml", EN_PROFILE.replace('account = "field:account"', 'account = "map:nope"'))
    with pytest.raises(KoppelError) as err:
        load_profile(bad)
    assert err.value.field == "post[0].account" and "no table [map.nope]" in err.value.message
    with pytest.raises(KoppelError, match="unknown profile"):
        load_profile("no-such-profile")
    enc = write(tmp_path, "enc.toml", '[dialect]\nencoding = "ascii"\n' + EN_PROFILE.replace("[dialect]\n", ""))
    with pytest.raises(KoppelError) as err:
        load_profile(enc)
    assert err.value.field == "dialect.encoding" and "cp1252" in err.value.hint


@pytest.mark.parametrize("row_id", ['fields = ["date", "Entry"]', 'field = "entry"'])
def test_row_id_names_a_field_of_the_profile_not_a_column(tmp_path, row_id):
    # a row id built from fewer fields than written would take two different rows for one: an error, not a guess
    bad = write(tmp_path, "bad.toml", EN_PROFILE + f"\n[row_id]\n{row_id}\n")
    with pytest.raises(KoppelError) as err:
        load_profile(bad)
    assert err.value.field.startswith("row_id.field") and "is not a field of [columns]" in err.value.message


def test_pos_z_row_id_tells_two_closures_of_one_day_apart(tmp_path):
    # a till closed twice on one day: the second Z-report is new money, not the first one exported again
    header = "date;register;closure_id;closed;kind;key;gross;net;vat\n"
    first = header + "2024-03-01;01;Z0412;Y;SALE;21;12.10;10.00;2.10\n2024-03-01;01;Z0412;Y;PAYMENT;pin;12.10;;\n"
    second = first.replace("Z0412", "Z0413")
    earlier = read_export(write(tmp_path, "a.csv", first), profile="pos-z", want_row_ids=True)
    again = read_export(write(tmp_path, "b.csv", second), profile="pos-z", skip_row_ids=earlier.row_ids)
    assert again.rows_skipped == 0 and again.adm.stats.lines > 0


def test_missing_column_lists_what_the_file_has(tmp_path):
    path = write(tmp_path, "x.csv", "Datum,Boekstuk,Rekening,Bedrag\n2024-01-01,1,4000,1.00\n")
    with pytest.raises(KoppelError) as err:
        read_source(path, profile=write(tmp_path, "p.toml", EN_PROFILE))
    assert err.value.line == 1 and err.value.field == "date" and "Datum" in err.value.hint


def test_unbalanced_journal_lines_are_refused_not_patched(tmp_path):
    path = write(tmp_path, "x.csv", "Date,Entry,Account,Amount\n2024-01-01,1,4000,1.00\n2024-01-01,1,1600,-0.99\n")
    with pytest.raises(KoppelError, match=r"does not balance: off by 0\.01"):
        read_source(path, profile=write(tmp_path, "p.toml", EN_PROFILE))


def test_bank_statement_formats_agree():
    csv = read_source(SRC / "bank_ing.csv", profile="bank-ing-csv")
    mt940 = read_source(SRC / "bank.sta", profile="bank-mt940")
    camt = read_source(SRC / "bank_camt053.xml", profile="bank-camt053")
    assert mt940.stats.cents_by_account == camt.stats.cents_by_account == {"1100": 116085, "2999": -116085}
    assert csv.stats.cents_by_account["1100"] == 116085 + 127091  # the CSV also holds the Stripe payout
    names = set(camt.lines.frame()["description"])
    assert {"Bakkerij de Vries", "Factuur 24017"} <= names


def test_extra_fields_are_carried_beside_the_lines():
    extra = read_export(SRC / "shopify_orders.csv", profile="shopify-orders").extras["lines"]
    first = extra[(extra["entry_nr"] == "1002") & (extra["line_nr"] == "1")].iloc[0]
    assert (first["customer_email"], first["billing_name"]) == ("bram@example.nl", "Bram Jansen")
    day = read_export(SRC / "shopify_orders.csv", profile="shopify-orders", aggregate="day")
    assert "lines" not in day.extras
    assert day.adm.not_carried["extra field billing_name (entries aggregated per day)"] == 6


def test_shopify_vat_is_the_shops_own_figure():
    lines = balanced(read_source(SRC / "shopify_orders.csv", profile="shopify-orders"))
    vat = lines[lines["account_id"].isin(["1520", "1521"])].groupby("entry_nr")["amount"].sum().to_dict()
    assert vat == {"1001": -1126, "1002": -21677, "1004": -372}


# --- CLI ---------------------------------------------------------------------------------------------------


def test_cli_inspect_with_profile_and_bad_amount_exit_code(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["inspect", str(SRC / "pos_zrapport.csv"), "--profile", "pos-z", "--json"])
    assert result.exit_code == 0, result.output
    assert '"transactions": 3' in result.output
    bad = write(tmp_path, "z.csv", (SRC / "pos_zrapport.csv").read_text().replace("845.10", "845,10"))
    from koppel.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["inspect", str(bad), "--profile", "pos-z"])
    assert exit_.value.code == 2


def test_profile_init_writes_a_loadable_starter(tmp_path):
    text = starter_profile(SRC / "journal_lines_nl.csv")
    assert 'encoding = "cp1252"' in text and 'decimal_mark = ","' in text and 'thousands = "."' in text
    assert 'date = "%d-%m-%Y"' in text and "DECIDE" in text
    out = tmp_path / "starter.toml"
    result = CliRunner().invoke(cli, ["profile", "init", str(SRC / "journal_lines_nl.csv"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    adm = read_source(SRC / "journal_lines_nl.csv", profile=out)
    assert adm.stats.debit == 1_371_667


def test_profile_init_flags_an_ambiguous_date_column(tmp_path):
    path = write(tmp_path, "x.csv", "Datum;Bedrag\n03/04/2024;1,00\n05/06/2024;2,00\n")
    assert "ambiguous" in starter_profile(path)


def test_profile_init_takes_debit_and_credit_in_whole_euros_and_an_abbreviated_account(tmp_path):
    """Was: in Asperion's own journal example (Debet/Credit in whole euros, account 'Grbrek') no amount was
    recognised, [columns] amount became 'Omschrijving' and the postings went to placeholder accounts."""
    path = write(tmp_path, "journaal.csv", "Boekstuk;Credit;Debet;Datum;Grbrek;Omschrijving\n"
                 "1;100;;27-9-2013;1000;Betaling\n1;;100;27-9-2013;1250;Tegenboeking\n")  # fmt: skip
    text = starter_profile(path)
    assert 'account = "Grbrek"' in text and 'amount = ["debit", "-credit"]' in text
    assert "no amount column" not in text and "placeholder" not in text
    adm = read_source(path, profile=write(tmp_path, "p.toml", text))
    assert (adm.stats.debit, adm.stats.credit) == (10_000, 10_000)
    assert sorted(adm.lines.frame()["account_id"]) == ["1000", "1250"]


def test_entries_that_balance_only_per_day_name_the_aggregation_that_books_them(tmp_path):
    """Asperion's journal example books a payment in two Boekstukken and its counter-entry in a third: per
    document nothing balances, per day it does. The refusal says so, with the setting that books it."""
    path = write(tmp_path, "journaal.csv", "Boekstuk;Credit;Debet;Datum;Grbrek;Omschrijving\n"
                 "1;100;;27-9-2013;1000;Betaling\n2;100;;27-9-2013;1000;Betaling\n"
                 "3;;200;27-9-2013;1250;Tegenboeking\n4;;5;28-9-2013;1250;Rest\n")  # fmt: skip
    profile = write(tmp_path, "p.toml", starter_profile(path))
    with pytest.raises(KoppelError) as raised:
        read_source(path, profile=profile)
    assert raised.value.message == "entry 1 in journal MEM does not balance: off by -100.00"
    assert raised.value.hint.endswith('the rows of 27-09-2013 balance together: one entry a day is [entries] '
                                      'aggregate = "day" (or --aggregate day)')  # fmt: skip
    with pytest.raises(KoppelError) as raised:  # per day, 28-09 stays unbalanced: no such word there
        read_source(path, profile=profile, aggregate="day")
    assert raised.value.message == "entry 20130928 in journal MEM does not balance: off by 5.00"
    assert "balance together" not in raised.value.hint


# targets that need an input of their own besides the administration
NEEDS_MORE = {
    "template": "is filled from a register file exported from the package (--template FILE)",
    "visma-eaccounting": "takes relations only",
}


@pytest.mark.slow
@pytest.mark.parametrize("profile", sorted(BUILTIN_SAMPLES))
def test_builtin_profile_sample_converts_to_every_target(profile, tmp_path):
    from koppel.pipeline import convert
    from koppel.registry import all_formats

    # real targets only: other test modules register throw-away "test-…" writers of their own
    targets = [f for f in all_formats() if f.writes and f.name not in NEEDS_MORE and not f.name.startswith("test-")]
    assert len(targets) >= 4
    # a generic journal-lines file names accounts of the user's own chart without their kinds: the bookkeeper
    # states them in the mapping file (targets that need the kind refuse without; see test_account_kinds.py)
    accounts = read_source(SRC / BUILTIN_SAMPLES[profile], profile=profile).accounts
    unstated = accounts.loc[accounts["kind"].isna(), "account_id"].tolist()
    mapping = None
    if unstated:
        mapping = tmp_path / "kinds.toml"
        mapping.write_text(
            "[account_kinds]\n" + "".join(f'"{a}" = "{"B" if a < "4" else "P"}"\n' for a in unstated), encoding="utf-8"
        )
    for info in targets:
        out = tmp_path / info.name / ("out" if info.output == "folder" else "out.xaf")
        result = convert(
            SRC / BUILTIN_SAMPLES[profile],
            info.name,
            out,
            from_format="profile",
            reader_options={"profile": profile},
            options={"truncate": True, "office": "NL001"},  # bank texts are long; Twinfield needs its office
            mapping=mapping,
        )
        assert result.equal, (info.name, result.control["money"])
        assert result.control["counts"]["lines"][0] > 0


def test_source_vat_that_does_not_fit_its_rate_is_reported(tmp_path):
    text = (SRC / "pos_zrapport.csv").read_text(encoding="utf-8")
    wrong = write(tmp_path, "z.csv", text.replace("SALE;9;432.10;396.42;35.68", "SALE;9;432.10;356.42;75.68"))
    read = read_export(wrong, profile="pos-z")
    balanced(read.adm)
    report = read.extras["source_report"]
    found = report[report["item"].str.startswith("VAT of the source differs")]["detail"].tolist()
    assert found == ["entry 20240302-01, rate 9.00: source VAT -75.68, computed -35.68"]
    assert (
        not read_export(SRC / "pos_zrapport.csv", profile="pos-z")
        .extras["source_report"]["item"]
        .str.startswith("VAT of the source")
        .any()
    )


@pytest.mark.parametrize("amount", [b"92.233.720.368.547.758,08", b"1.000.000.000.000.000,00"])
def test_an_amount_beyond_a_trillion_names_file_row_and_column(tmp_path, amount):
    """More than 15 digits before the mark is a misread column, not an amount: a clear error, never a traceback."""
    shutil.copy(SRC / "journal_lines_nl.csv", tmp_path / "j.csv")
    data = (tmp_path / "j.csv").read_bytes().replace(b"1.250,00;;", amount + b";;", 1)
    (tmp_path / "j.csv").write_bytes(data)
    with pytest.raises(KoppelError) as err:
        read_source(tmp_path / "j.csv", profile="journal-lines")
    e = err.value
    assert (Path(e.file).name, e.line, e.field) == ("j.csv", 4, "Debet")
    assert e.message == f"not an amount: {amount.decode()!r}"
