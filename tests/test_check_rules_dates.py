"""The date rules (XAF-D01 … D03) one by one: inside the year or period is quiet, outside is reported."""

from __future__ import annotations

import pytest

from koppel.checks.findings import Collector
from koppel.checks.rules_dates import (
    rule_d01_entry_date_in_year,
    rule_d02_entry_date_in_period,
    rule_d03_effective_date_in_year,
)

YEAR = ("2025-01-01", "2025-12-31")


def _found(out: Collector) -> list[tuple]:
    return [(f["code"], f["line"], f["path"], f["count"], f["places"][0]["values"]) for f in out.findings()]


def test_d01_a_booking_date_outside_the_year() -> None:
    out = Collector()
    for line, date in ((3, "2025-01-01"), (4, "2025-12-31"), (5, "2026-01-01"), (6, None)):
        rule_d01_entry_date_in_year(date, YEAR, line, "j/t[1]", out)
    rule_d01_entry_date_in_year("2024-12-31", ("", ""), 7, "j/t[2]", out)  # no year in the header: no rule
    values = {"trDt": "2026-01-01", "boekjaar": "2025-01-01..2025-12-31"}
    assert _found(out) == [("XAF-D01", 5, "j/t[1]/trDt", 1, values)]


def test_d01_clair2_names_its_field_and_shows_the_year_as_written() -> None:
    out = Collector()
    shown = "2025-01-01T00:00:00..2025-12-31T00:00:00"
    rule_d01_entry_date_in_year("2024-06-01", YEAR, 8, "j/t[1]", out, field="transactionDate", shown=shown)
    values = {"transactionDate": "2024-06-01", "boekjaar": shown}
    assert _found(out) == [("XAF-D01", 8, "j/t[1]/transactionDate", 1, values)]


@pytest.mark.parametrize(("date", "finds"), [("2025-02-01", False), ("2025-02-28", False), ("2025-03-01", True)])
def test_d02_a_booking_date_outside_its_period(date: str, finds: bool) -> None:
    out = Collector()
    rule_d02_entry_date_in_period(date, "2", ("2025-02-01", "2025-02-28", 9), 12, "j/t[1]", out)
    values = {"trDt": date, "period": "2", "periode": "2025-02-01..2025-02-28"}
    assert _found(out) == ([("XAF-D02", 12, "j/t[1]/trDt", 1, values)] if finds else [])


def test_d02_a_period_without_dates_checks_nothing() -> None:
    out = Collector()
    rule_d02_entry_date_in_period("2030-01-01", "2", (None, "2025-02-28", 9), 12, "j/t[1]", out)
    assert _found(out) == []


def test_d03_an_effective_date_outside_the_year_compares_its_date_part() -> None:
    out = Collector()
    rule_d03_effective_date_in_year("2025-12-31T23:59:59", YEAR, 4, "t/trLine[1]", out)
    rule_d03_effective_date_in_year("2026-01-02", YEAR, 5, "t/trLine[2]", out)
    rule_d03_effective_date_in_year("2024-01-02", YEAR, 6, "t/line[3]", out, clair2=True)
    assert _found(out) == [
        ("XAF-D03", 5, "t/trLine[2]/effDate", 2, {"effDate": "2026-01-02", "boekjaar": "2025-01-01..2025-12-31"})
    ]
    assert out.findings()[0]["places"][1] == {
        "line": 6, "path": "t/line[3]/effectiveDate", "values": {"effectiveDate": "2024-01-02"}
    }  # fmt: skip
