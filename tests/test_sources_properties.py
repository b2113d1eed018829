"""Property: aggregation into daily/monthly entries conserves money to the cent and every entry balances."""

from __future__ import annotations

import tempfile
from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from koppel.money import format_cents
from koppel.sources import read_source

PROFILE = """
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
date = "%Y-%m-%d"
[money]
fields = ["gross"]
[journal]
id = "VK"
[entries]
aggregate = "{aggregate}"
rounding_account = "8990"
[[post]]
amount = "-gross"
vat_rate = "rate"
account = "map:category"
[[post]]
amount = "gross"
account = "map:method"
[map.category]
a = "8001"
b = "8002"
c = "8003"
[map.method]
pin = "1100"
contant = "1000"
[vat.rates."21"]
code = "H"
account = "1520"
[vat.rates."9"]
code = "L"
account = "1521"
[vat.rates."0"]
code = "N"
account = "1522"
"""

row = st.tuples(
    st.integers(1, 40),  # day of the year (two months)
    st.sampled_from([0, 9, 21]),
    st.sampled_from("abc"),
    st.sampled_from(["pin", "contant"]),
    st.integers(-2_000_000, 20_000_000),  # cents, refunds included
)


def half_up(value: Fraction) -> int:
    sign = -1 if value < 0 else 1
    return sign * int(abs(value) + Fraction(1, 2))


def dutch(cents: int) -> str:
    text = format_cents(cents, decimal_mark=",", thousands=".")
    return text


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(row, min_size=1, max_size=60), aggregate=st.sampled_from(["day", "month"]))
def test_aggregation_conserves_money_and_balances(rows, aggregate):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lines_csv = ["datum;btw;groep;betaling;bedrag"]
        for day, rate, cat, method, cents in rows:
            date = f"2024-{1 + (day - 1) // 20:02d}-{1 + (day - 1) % 20:02d}"
            lines_csv.append(f"{date};{rate};{cat};{method};{dutch(cents)}")
        (folder / "x.csv").write_text("\n".join(lines_csv) + "\n", encoding="utf-8")
        (folder / "p.toml").write_text(PROFILE.replace("{aggregate}", aggregate), encoding="utf-8")
        adm = read_source(folder / "x.csv", profile=folder / "p.toml")
    lines = adm.lines.frame()
    # every entry balances; no rounding line is needed when VAT is computed from gross
    assert (lines.groupby("entry_nr")["amount"].sum() == 0).all()
    assert "8990" not in set(lines["account_id"])
    # money per payment account equals the source
    for method, account in (("pin", "1100"), ("contant", "1000")):
        expected = sum(c for *_, m, c in rows if m == method)
        assert adm.stats.cents_by_account.get(account, 0) == expected
    # per entry and rate: VAT = round_half_up(gross * r / (100 + r)); net + VAT = gross
    key = (
        (lambda d: f"2024{1 + (d - 1) // 20:02d}{1 + (d - 1) % 20:02d}")
        if aggregate == "day"
        else (lambda d: f"2024{1 + (d - 1) // 20:02d}")
    )
    gross: dict[tuple[str, int], int] = {}
    for day, rate, _cat, _method, cents in rows:
        gross[(key(day), rate)] = gross.get((key(day), rate), 0) + cents
    vat_account = {21: "1520", 9: "1521", 0: "1522"}
    for (entry, rate), g in gross.items():
        mine = lines[lines["entry_nr"] == entry]
        vat = int(mine.loc[mine["account_id"] == vat_account[rate], "amount"].sum())
        assert vat == -half_up(Fraction(g * rate, 100 + rate))
        revenue = mine[(mine["vat_rate"] == rate * 100) & mine["account_id"].isin(["8001", "8002", "8003"])]
        assert int(revenue["amount"].sum()) + vat == -g
        assert int(revenue["vat_amount"].sum()) == vat


@settings(max_examples=60, deadline=None)
@given(
    cents=st.lists(st.integers(-(10**14), 10**14), min_size=1, max_size=30),
    dialect=st.sampled_from([(".", ""), (",", "."), (",", "")]),
)
def test_vectorised_amount_parse_is_exact(cents, dialect):
    import pandas as pd

    from koppel.money import parse_cents_series

    mark, thousands = dialect
    text = pd.Series([format_cents(c, decimal_mark=mark, thousands=thousands) for c in cents])
    parsed, bad = parse_cents_series(text, decimal_mark=mark, thousands=thousands)
    assert not bad.any()
    assert parsed.tolist() == cents
    short = text.str.replace(r"0$", "", regex=True)  # '12,50' -> '12,5': one decimal is the same amount
    assert parse_cents_series(short, decimal_mark=mark, thousands=thousands)[0].tolist() == cents
