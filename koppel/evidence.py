"""Evidence marks of a layout: how sure koppel is of each file and field (formats.md).

V is stated by the vendor, 3P by third parties, A assumed by us; a format is as sure as its weakest mark.
"""

from __future__ import annotations

from collections.abc import Iterable

MARKS = ("V", "3P", "A")  # strongest first
MEANING = {"V": "stated by the vendor", "3P": "stated by third parties", "A": "assumed, to be confirmed"}


def is_mark(value: object) -> bool:
    return value in MARKS


def weakest(marks: Iterable[str]) -> str:
    """The weakest of ``marks`` (A is weaker than 3P, which is weaker than V); A when there are none."""
    found = set(marks)
    return next((mark for mark in reversed(MARKS) if mark in found), "A")
