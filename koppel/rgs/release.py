"""An RGS release (Referentie Grootboekschema) as the user downloads it: the official Excel workbook.

koppel bundles no RGS data; the user passes the release (``--rgs RGS-3.8.xlsx``). The workbook's main sheet
has a header row (within its first rows) with ``Referentiecode`` and, as far as the release has them,
``Referentieomslagcode``/``Omslagcode``, ``Sortering``, ``Referentienummer``, ``Omschrijving (verkort)``,
``Omschrijving``, ``D/C`` and ``Nivo``; then one row per code. Headers are matched ignoring case, spaces and
punctuation. A code is ``B`` (balance) or ``W`` (profit and loss) followed by groups of three characters; its
level is its number of groups plus one (1 ``B`` … 4 ``BLimBanRba`` the account … 5 a mutation), which a
``Nivo`` column confirms. The release's version comes from the title above the header, the sheet's or the
file's name (``RGS 3.8``), else stays unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import KoppelError

ACCOUNT_LEVELS = frozenset({4, 5})  # 4 = grootboekrekening, 5 = mutatie (both may carry an account)
_HEADER_ROWS = 12
_CODE = re.compile(r"^[BW](?:[A-Z][A-Za-z0-9]{2}){0,4}$")
_VERSION = re.compile(r"rgs\s*[-_ ]?\s*v?(?:ersie\s*)?(\d+(?:[.,]\d+)+)", re.IGNORECASE)
_HEADERS = {
    "referentiecode": "code",
    "rgscode": "code",
    "referentieomslagcode": "opposite",
    "omslagcode": "opposite",
    "sortering": "sort_key",
    "referentienummer": "number",
    "omschrijvingverkort": "short",
    "verkorteomschrijving": "short",
    "omschrijving": "description",
    "dc": "side",
    "debetcredit": "side",
    "nivo": "level",
    "niveau": "level",
    "level": "level",
}


def _norm(text: object) -> str:
    return "".join(ch for ch in str(text or "").casefold() if ch.isalnum())


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def code_level(code: str) -> int:
    """Level from the code's shape: ``B`` 1, ``BLim`` 2, ``BLimBan`` 3, ``BLimBanRba`` 4, one more group 5."""
    return 1 + (len(code) - 1) // 3


def parse_version(text: str | None) -> str | None:
    """``3.8`` from ``RGS 3.8``, ``RGS3.8-def``, ``rgs-3,7``, ``Versie RGS 3.5.0`` (a trailing ``.0`` dropped)."""
    if not text:
        return None
    m = _VERSION.search(text) or re.fullmatch(r"\s*v?(\d+(?:[.,]\d+)+)\s*", text)
    if not m:
        return None
    parts = re.split(r"[.,]", m.group(1))
    while len(parts) > 2 and parts[-1] == "0":
        parts.pop()
    return ".".join(str(int(p)) for p in parts)


@dataclass(frozen=True)
class RgsCode:
    code: str
    level: int
    description: str | None
    short: str | None = None
    side: str | None = None  # D or C: the normal side of the balance
    number: str | None = None  # Referentienummer (7 digits, sometimes with a suffix)
    sort_key: str | None = None
    opposite: str | None = None

    @property
    def kind(self) -> str:
        """B balance sheet or P profit and loss (the model's account kinds), from the first letter."""
        return "B" if self.code.startswith("B") else "P"


@dataclass
class RgsRelease:
    """The codes of one release, in sheet order, with their hierarchy."""

    codes: dict[str, RgsCode]
    version: str | None
    source: str = ""
    sheet: str = ""
    duplicates: list[str] = field(default_factory=list)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def __len__(self) -> int:
        return len(self.codes)

    def parent(self, code: str) -> RgsCode | None:
        """The nearest existing ancestor: the longest proper prefix that is a code of the release."""
        for k in range(len(code) - 1, 0, -1):
            found = self.codes.get(code[:k])
            if found is not None:
                return found
        return None

    def path(self, code: str) -> list[RgsCode]:
        """The ancestors of ``code`` from the top (without ``code`` itself)."""
        out = []
        node = self.parent(code)
        while node is not None:
            out.append(node)
            node = self.parent(node.code)
        return out[::-1]

    def account_codes(self) -> list[RgsCode]:
        return [c for c in self.codes.values() if c.level in ACCOUNT_LEVELS]


def _header_row(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(rows[:_HEADER_ROWS]):
        names = [_HEADERS.get(_norm(v)) for v in row]
        if names.count("code") == 1:
            columns: dict[str, int] = {}
            for j, name in enumerate(names):
                if name is not None and name not in columns:
                    columns[name] = j
            return i, columns
    return None


def load_release(path: str | Path, sheet: str | None = None) -> RgsRelease:
    """Read an RGS release workbook (``.xlsx``) with python-calamine; one-line errors for what is not one."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    if not path.is_file():
        raise KoppelError("RGS release not found", file=path, hint="pass the RGS Excel release with --rgs FILE")
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for broken or non-Excel files
        raise KoppelError(
            f"cannot open this workbook: {exc}",
            file=path,
            hint="pass the RGS release as the Excel file (.xlsx) the RGS site publishes",
        ) from None
    names = [sheet] if sheet else list(book.sheet_names)
    if sheet and sheet not in book.sheet_names:
        raise KoppelError(f"no sheet named {sheet!r}", file=path, hint=f"sheets: {', '.join(book.sheet_names)}")
    found: list[tuple[bool, int, str, list[list], int, dict[str, int]]] = []
    for name in names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        header = _header_row(rows)
        if header is not None:
            found.append((_norm(name).startswith("totaal"), len(rows), name, rows, *header))
    if not found:
        raise KoppelError(
            "no sheet with a 'Referentiecode' column in its first rows", file=path,
            hint="this does not look like an RGS release; download the Excel release from the RGS site",
        )  # fmt: skip
    _, _, name, rows, head, columns = max(found, key=lambda f: (f[0], f[1]))
    codes: dict[str, RgsCode] = {}
    duplicates: list[str] = []
    for row in rows[head + 1 :]:

        def cell(key: str, row: list = row) -> str | None:
            j = columns.get(key)
            return _text(row[j]) if j is not None and j < len(row) else None

        code = cell("code")
        if code is None or not _CODE.match(code):
            continue
        if code in codes:
            duplicates.append(code)
            continue
        level_text = cell("level")
        level = int(level_text) if level_text and level_text.isdigit() else code_level(code)
        side = (cell("side") or "").upper()[:1] or None
        codes[code] = RgsCode(code, level, cell("description"), cell("short"), side if side in ("D", "C") else None,
                              cell("number"), cell("sort_key"), cell("opposite"))  # fmt: skip
    if not codes:
        raise KoppelError("the RGS sheet holds no reference codes", file=path, field=name)
    version = None
    above = [_text(v) for r in rows[:head] for v in r]
    for text in [*above, name, path.name]:
        version = parse_version(text)
        if version:
            break
    return RgsRelease(codes, version, str(path), name, duplicates)
