"""Date rules (XAF-D01 … XAF-D03): a booking or effective date outside the fiscal year or its period.

Dates are compared as written (their first ten characters, ``YYYY-MM-DD``), so no date is parsed on the hot
path; a date that is not one is the XSD layer's finding. ``year`` is (start, end) of the header, already cut
to ten characters; ``shown`` is the year as the finding prints it.
"""

from __future__ import annotations

from .findings import Collector


def rule_d01_entry_date_in_year(
    date: str | None, year: tuple, line: int | None, path: str, out: Collector, *, field: str = "trDt",
    shown: str | None = None,
) -> None:  # fmt: skip
    """transaction/trDt (CLAIR2 transactionDate, ``field``) inside the fiscal year; ``date`` has ten characters.

    ``shown``: the year as the finding prints it (default: ``year``).
    """
    start, end = year
    if date and start and end and not (start <= date <= end):
        out.add("XAF-D01", line, f"{path}/{field}", {field: date, "boekjaar": shown or f"{start}..{end}"})


def rule_d02_entry_date_in_period(
    date: str | None, period: str, bounds: tuple, line: int | None, path: str, out: Collector
) -> None:
    """transaction/trDt inside its period's startDatePeriod..endDatePeriod (when both are given)."""
    first, last = bounds[0], bounds[1]
    if date and first and last and not (first <= date <= last):
        out.add("XAF-D02", line, path + "/trDt", {"trDt": date, "period": period, "periode": f"{first}..{last}"})


def rule_d03_effective_date_in_year(
    eff: str | None, year: tuple, line: int | None, path: str, out: Collector, *, clair2: bool = False
) -> None:
    """trLine/effDate (CLAIR2 line/effectiveDate) inside the fiscal year."""
    start, end = year
    if eff and start and end and not (start <= eff[:10] <= end):
        if clair2:
            out.add("XAF-D03", line, path + "/effectiveDate", {"effectiveDate": eff})
        else:
            out.add("XAF-D03", line, path + "/effDate", {"effDate": eff, "boekjaar": f"{start}..{end}"})
