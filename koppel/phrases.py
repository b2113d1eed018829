"""Sentences translated by pattern: a table of (pattern, template) pairs, the first whole match wins.

The checker's English reports (``koppel/checks/english.py``) and the Dutch IMPORTEREN.md
(``koppel/importeren_nl.py``) both translate sentences koppel composes with values in them this way.
"""

from __future__ import annotations

import re

Phrases = tuple[tuple[re.Pattern[str], str], ...]


def translated(text: str, table: Phrases) -> str | None:
    """``text`` in the other language by the first pattern of ``table`` that matches it whole; None if none does."""
    for pattern, template in table:
        match = pattern.fullmatch(text)
        if match:
            return match.expand(template)
    return None
