"""Dates typed by a person on the command line or in a job file: ISO (2016-12-31) or Dutch (31-12-2016).

A Dutch accountant writes day-month-year; a program writes ISO. Both mean one day, so both are taken; any
other shape (12/31/2016, 2016-31-12, 31-12-16) is refused with the two forms that work.
"""

from __future__ import annotations

import datetime as dt
import re

from .errors import KoppelError

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})\Z")
_DUTCH = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})\Z")
FORMS = "YYYY-MM-DD or DD-MM-YYYY, e.g. 2016-12-31 or 31-12-2016"


def parse_user_date(value: str | dt.date, *, field: str | None = None) -> dt.date:
    """``value`` as a date: ``2016-12-31`` or ``31-12-2016`` (also ``31.12.2016``, ``31/12/2016``)."""
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    match = _ISO.match(text)
    parts = (match.group(1), match.group(2), match.group(3)) if match else None
    if parts is None and (match := _DUTCH.match(text)):
        parts = (match.group(3), match.group(2), match.group(1))
    if parts is not None:
        try:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            raise KoppelError(f"not a date: {text!r}", field=field, hint=f"write a real day as {FORMS}") from None
    raise KoppelError(f"not a date: {text!r}", field=field, hint=f"write {FORMS}")


def is_user_date(value: str) -> bool:
    try:
        parse_user_date(value)
    except KoppelError:
        return False
    return True
