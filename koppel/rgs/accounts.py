"""The chart of accounts of an input with its RGS codes, as ``check --rgs`` and ``mapping init --rgs`` need it.

For an XML auditfile only the header and the general ledger are parsed: the pass stops where the
transactions begin, so checking RGS codes costs little on a large file. Other inputs are read whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from lxml import etree

from ..errors import KoppelError


@dataclass
class LedgerAccount:
    account_id: str
    name: str | None
    kind: str | None  # B, P, M or None
    rgs_code: str | None
    line: int | None = None  # line of the ledgerAccount element (XAF)


@dataclass
class Chart:
    accounts: list[LedgerAccount]
    rgs_version: str | None
    version: str | None  # the input's format version (XAF "4.0" …, "ADF")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_xaf_chart(path: Path) -> Chart:
    """An auditfile's chart as the content pass reads it: header and ledger accounts, stopping where the
    transactions begin (the XAF format's ``chart`` hook, schemas/xaf/format.toml)."""
    from ..xaf.events import KEEP, RecordPass, open_source
    from ..xaf.safety import xml_error
    from ..xaf.versions import sniff_xaf

    info = sniff_xaf(path)
    accounts: list[LedgerAccount] = []
    rgs_version: list[str | None] = [None]

    def header(elem) -> None:
        for child in elem:
            if isinstance(child.tag, str) and _local(child.tag) == "RGSVersion":
                rgs_version[0] = (child.text or "").strip() or None

    def ledger_account(elem) -> bool | None:
        if _local(elem.getparent().tag) != "generalLedger":
            return KEEP
        values = {_local(c.tag): (c.text or "").strip() or None for c in elem if isinstance(c.tag, str)}
        account_id = values.get("accID") or values.get("accountID") or ""
        name = values.get("accDesc") or values.get("accountDesc")
        accounts.append(LedgerAccount(account_id, name, values.get("accTp"), values.get("RGScode"), elem.sourceline))
        return None

    records = RecordPass(open_source(info), info.namespace, stop_at="transactions")
    records.subscribe({"header": header, "ledgerAccount": ledger_account})
    try:
        records.run_to_end()
    except etree.XMLSyntaxError as exc:
        raise xml_error(path, exc, None) from None
    return Chart(accounts, rgs_version[0], info.version)


def _v(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def read_chart(path: str | Path, from_format: str | None = None, **options) -> Chart:
    """The accounts (with RGS codes and kinds) and the RGS version of any input koppel reads."""
    from ..registry import detect_format, get_format, read_input

    path = Path(path)
    if not path.exists():
        raise KoppelError("file not found", file=path)
    name = from_format or detect_format(path)
    chart = get_format(name).chart  # a format that reads its chart alone, without the entries
    if chart is not None and path.is_file():
        return chart(path)
    adm = read_input(path, from_format, **options)
    accounts = [LedgerAccount(str(a.account_id), _v(a.name), _v(a.kind), _v(a.rgs_code))
                for a in adm.accounts.itertuples(index=False)]  # fmt: skip
    return Chart(accounts, getattr(adm.header, "rgs_version", None), adm.header.source_version or name)
