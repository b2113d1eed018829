"""The built-in bank-ing-csv profile reads every era of ING's export: the same two bank lines, booked the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from koppel.errors import KoppelError
from koppel.sources import read_source

HEADER_2023 = (
    '"Datum";"Naam / Omschrijving";"Rekening";"Tegenrekening";"Code";"Af Bij";"Bedrag (EUR)";"Mutatiesoort";'
    '"Mededelingen";"Saldo na mutatie";"Tag"'
)
ERAS = {
    # since 2023: ';', quoted, balance after the line and a tag
    "2023": HEADER_2023
    + "\n"
    + '"20240305";"Bakkerij de Vries";"NL20INGB0001234567";"NL44RABO0123456789";"OV";"Af";"45,95";'
    '"Overschrijving";"Factuur 2024-118";"1154,05";""\n'
    '"20240306";"Hendriks BV";"NL20INGB0001234567";"NL02ABNA0123456789";"OV";"Bij";"1210,00";'
    '"Overschrijving";"Factuur 24017";"2364,05";"klant"\n',
    # the ',' export with dates YYYYMMDD (the layout of formats.md)
    "comma": '"Datum","Naam / Omschrijving","Rekening","Tegenrekening","Code","Af Bij","Bedrag (EUR)",'
    '"Mutatiesoort","Mededelingen"\n'
    '"20240305","Bakkerij de Vries","NL20INGB0001234567","NL44RABO0123456789","OV","Af","45,95",'
    '"Overschrijving","Factuur 2024-118"\n'
    '"20240306","Hendriks BV","NL20INGB0001234567","NL02ABNA0123456789","OV","Bij","1210,00",'
    '"Overschrijving","Factuur 24017"\n',
    # 2009: ',' with DD-MM-YYYY, "MutatieSoort", old account numbers
    "2009": '"Datum","Naam / Omschrijving","Rekening","Tegenrekening","Code","Af Bij","Bedrag (EUR)",'
    '"MutatieSoort","Mededelingen"\n'
    '"05-03-2024","Bakkerij de Vries","1234567","123456789","OV","Af","45,95","Overschrijving","Factuur 2024-118"\n'
    '"06-03-2024","Hendriks BV","1234567","P7654321","GT","Bij","1210,00","Internetbankieren","Factuur 24017"\n',
    # savings account: other column names, ISO dates, a currency column
    "savings": '"Datum";"Omschrijving";"Rekening";"Rekening naam";"Tegenrekening";"Af Bij";"Bedrag";"Valuta";'
    '"Mutatiesoort";"Mededelingen";"Saldo na mutatie"\n'
    '"2024-03-05";"Bakkerij de Vries";"A123-45678";"Spaarrekening";"NL20INGB0001234567";"Af";"45,95";"EUR";'
    '"Overschrijving";"Factuur 2024-118";"1154,05"\n'
    '"2024-03-06";"Hendriks BV";"A123-45678";"Spaarrekening";"NL20INGB0001234567";"Bij";"1210,00";"EUR";'
    '"Overschrijving";"Factuur 24017";"2364,05"\n',
    # headers typed otherwise (case, spaces around the slash), unquoted, tab-separated
    "retyped": "DATUM\tNaam/Omschrijving\tREKENING\tTegenrekening\tCode\tAf Bij\tBedrag (EUR)\tMUTATIESOORT\t"
    "Mededelingen\n"
    "20240305\tBakkerij de Vries\tNL20INGB0001234567\tNL44RABO0123456789\tOV\tAf\t45,95\tOverschrijving\tFactuur\n"
    "20240306\tHendriks BV\tNL20INGB0001234567\tNL02ABNA0123456789\tOV\tBij\t1210,00\tOverschrijving\tFactuur\n",
}


def write(tmp_path: Path, text: str, name: str = "ing.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("era", sorted(ERAS))
def test_every_era_of_the_ing_export_books_the_same(tmp_path, era):
    adm = read_source(write(tmp_path, ERAS[era]), profile="bank-ing-csv")
    assert adm.stats.transactions == 2
    assert adm.stats.cents_by_account == {"1100": 121000 - 4595, "2999": 4595 - 121000}
    assert (adm.header.start_date, adm.header.end_date) == ("2024-03-05", "2024-03-06")
    assert {"Bakkerij de Vries", "Hendriks BV"} <= set(adm.lines.frame()["description"])


def test_a_savings_line_in_another_currency_is_refused(tmp_path):
    path = write(tmp_path, ERAS["savings"].replace('"EUR"', '"USD"', 1))
    with pytest.raises(KoppelError) as err:
        read_source(path, profile="bank-ing-csv")
    assert err.value.line == 2 and "USD" in err.value.message


def test_a_file_mixing_two_date_forms_names_the_value_that_does_not_fit(tmp_path):
    path = write(tmp_path, ERAS["comma"].replace('"20240306"', '"06-03-2024"'))
    with pytest.raises(KoppelError) as err:
        read_source(path, profile="bank-ing-csv")
    assert err.value.line == 3 and "'06-03-2024'" in err.value.message and "%Y%m%d" in err.value.message


@pytest.mark.parametrize(
    ("lines", "delimiter"),
    [
        (['"a;b","c"', '"1;2","3"'], ","),  # delimiters inside quotes do not count
        (["a;b;c", "1,5;2;3"], ";"),
        (["a\tb", "1\t2"], "\t"),
        (["a|b|c", "1|2|3"], "|"),
        (["only one column", "1"], ","),
    ],
)
def test_the_delimiter_is_the_one_that_splits_the_header(lines, delimiter):
    from koppel.sources.table import sniff_delimiter

    assert sniff_delimiter(lines) == delimiter


def test_a_pinned_delimiter_is_not_sniffed(tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text('[profile]\nextends = "bank-ing-csv"\n[dialect]\ndelimiter = ","\n', encoding="utf-8")
    with pytest.raises(KoppelError) as err:
        read_source(write(tmp_path, ERAS["2023"]), profile=profile)
    assert "no column 'Datum'" in err.value.message
