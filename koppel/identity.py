"""Ids are identities: once a target has formatted an id the way the package reads it (a number without
leading zeros, upper case, trimmed), two different ids must not have become one — unless the mapping file
merged them on purpose.

A layout column says how the package reads its ids (``identity``: ``text``, ``number`` or ``upper``;
``int`` columns are ``number``). The money proof records, per line, the source account, the account after
the mapping and the account as written; :func:`first_merge` finds a written id that more than one mapped id
fed, and :func:`merge_error` names both and the mapping line that keeps them apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .errors import KoppelError

IDENTITIES = ("text", "number", "upper")


def as_read(code: str, identity: str) -> str:
    """``code`` as a package that reads ids by ``identity`` sees it."""
    text = code.strip()
    if identity == "number" and text.isdigit():
        return str(int(text))
    if identity == "upper":
        return text.upper()
    return text


def as_read_series(values: pd.Series, identity: str) -> pd.Series:
    """:func:`as_read` for a column, by distinct value (ids repeat a lot in lines)."""
    if identity not in IDENTITIES:
        raise ValueError(f"unknown identity {identity!r}")
    codes, uniques = pd.factorize(values)
    read = np.asarray([*(as_read(str(u), identity) for u in uniques), None], dtype=object)
    return pd.Series(read[codes], index=values.index, dtype=object)  # code -1 (missing) takes the last: None


def first_merge(triples: Iterable[tuple[str, str, str]]) -> tuple[str, list[tuple[str, str]]] | None:
    """The first written id fed by more than one mapped id: (written, [(source, mapped), ...] one per mapped id).

    ``triples`` are (source id, mapped id, written id)."""
    by_written: dict[str, dict[str, str]] = {}
    for source, mapped, written in sorted(triples):
        by_written.setdefault(written, {}).setdefault(mapped, source)
    for written, mapped in sorted(by_written.items()):
        if len(mapped) > 1:
            return written, sorted((source, m) for m, source in mapped.items())
    return None


def free_code(code: str, taken: set[str], identity: str = "text") -> str:
    """A code near ``code`` that nobody uses yet (compared as the package reads ids)."""
    seen = {as_read(t, identity) for t in taken}
    digits = identity == "number" and code.strip().isdigit()
    base = code.strip().lstrip("0") if digits else code.strip()
    for prefix in ("9", "99", "999", "8", "7"):
        candidate = prefix + base if digits else base + "-" + prefix
        if as_read(candidate, identity) not in seen:
            return candidate
    n = 1
    while as_read(f"{base}{n}", identity) in seen:
        n += 1
    return f"{base}{n}"


def merge_error(
    what: str, section: str, target: str, written: str, ids: list[tuple[str, str]], taken: set[str], identity: str
) -> KoppelError:
    """One line: which two ids became one, and the mapping line that keeps them apart."""
    (first, first_mapped), (second, second_mapped) = ids[0], ids[1]

    def shown(source: str, mapped: str) -> str:
        return repr(source) if source == mapped else f"{source!r} (mapped to {mapped!r})"

    more = f" (and {len(ids) - 2} more)" if len(ids) > 2 else ""
    return KoppelError(
        f"{what}s {shown(first, first_mapped)} and {shown(second, second_mapped)}{more} would both be {written!r} "
        f"in the {target} files, which would merge them",
        field=section,
        hint=f"give one its own code in the mapping file, e.g. [{section}] {json.dumps(second)} = "
        f"{json.dumps(free_code(second_mapped, taken, identity))}, or map both to one code if that is what you want",
    )
