"""Read an ADF auditfile (``CLAIR1.00.00``) into the canonical :class:`Administration`, streaming.

ADF has no master-data section: accounts, relations and journals are collected from the mutation lines
(the first line that names a code gives its name and kind). Lines flow in batches into the line store
(spooled to disk past its limit), so memory stays flat for any file size. Lines of period 0 are the
opening balance, as in XAF 3.x. A malformed line stops the read with one line naming line, field and columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import kinds
from ..errors import KoppelError
from ..model import Administration, Header, conform, make_table
from .layout import SIGNATURE, adf_layout
from .parse import CHUNK, ParsedLines, iter_mutation_blocks, parse_header, parse_lines, read_header_line

# ADF's debCredSoort is free text of at most five characters; only unambiguous values are mapped.
RELATION_KIND = {
    **dict.fromkeys(["D", "DEB", "DEBIT", "DEBITEUR", "KLANT", "K"], "customer"),
    **dict.fromkeys(["CRED", "CREDI", "CREDITEUR", "LEV", "LEVER", "LEVERANCIER", "L"], "supplier"),
}
# what the model has no place for: field -> why it is left out
NOT_CARRIED_WHY = {
    "verwerkingsdatum": "processing date; the model keeps the mutation date (mutatiedatum) as the booking date",
    "cluster": "the package's own grouping code of the account (no RGS code)",
    "soortMutatie": "kind of mutation as the package codes it",
    "relatieAndereAdministraties": "link to another administration",
    "kostensoort": "cost type; the model has cost centre and cost unit only",
    "valuta": "foreign currency without a foreign amount (ADF carries the rate only)",
    "koers": "exchange rate",
    "header adres/plaats": "the company's address; the model's header has none",
}
_NOT_CARRIED_FIELDS = ("verwerkingsdatum", "cluster", "soortMutatie", "relatieAndereAdministraties", "kostensoort",
                       "valuta", "koers")  # fmt: skip


def account_kind(raw: str | None) -> str | None:
    """B, P or M from ``soortGrootboekrekening`` (the free-text words of :mod:`koppel.kinds`); a word koppel does
    not know stays unknown (``?``), never B; None when nothing is written."""
    return kinds.account_kind(raw)


def relation_kind(raw: str | None) -> str | None:
    if raw is None:
        return None
    return RELATION_KIND.get(raw.strip().upper())  # unknown stays empty, never "other" (as in the XAF reader)


@dataclass
class MasterData:
    """Accounts, relations and journals in order of first appearance, with later values that disagree."""

    accounts: dict[str, dict] = field(default_factory=dict)
    relations: dict[str, dict] = field(default_factory=dict)
    journals: dict[str, dict] = field(default_factory=dict)
    # (table, code, column) -> (first line where it differs, value there)
    conflicts: dict[tuple[str, str, str], tuple[int, str]] = field(default_factory=dict)

    def collect(
        self, table: str, frame: pd.DataFrame, key: str, columns: dict[str, str], conflicts: bool = False
    ) -> None:
        """Add codes first seen in ``frame`` (columns: model name -> frame column); with ``conflicts``, note
        later values that disagree with the first (``koppel check`` reports them)."""
        store: dict[str, dict] = getattr(self, table)
        sub = frame[[key, "_line", *columns.values()]].dropna(subset=[key])
        first = sub.drop_duplicates(subset=[key])
        for row in first.itertuples(index=False):
            code = row[0]
            if code not in store:
                values = dict(zip(columns, row[2:], strict=True))
                store[code] = {k: (None if pd.isna(v) else v) for k, v in values.items()} | {"_line": row[1]}
        if not conflicts:
            return
        for model_col, col in columns.items():
            pairs = sub.drop_duplicates(subset=[key, col])
            if len(pairs) == len(first):
                continue
            for code, line, value in zip(pairs[key], pairs["_line"], pairs[col], strict=True):
                known = store[code][model_col]
                value = None if pd.isna(value) else value
                if value != known and value is not None and (table, code, model_col) not in self.conflicts:
                    self.conflicts[(table, code, model_col)] = (int(line), value)


def canonical_batch(parsed: ParsedLines) -> pd.DataFrame:
    """The ``lines`` columns of one parsed batch (plus ``_line``, the file line, and raw kind columns)."""
    t, n, d = parsed.text, parsed.numbers, parsed.dates
    debit = pc.fill_null(n["debet"], 0)
    credit = pc.fill_null(n["credit"], 0)
    amount = pc.subtract(debit, credit)
    entry = pc.coalesce(t["volgnummer"], t["identificatieJournaalpost"])
    date = pc.cast(d["mutatiedatum"], pa.timestamp("s"))
    columns = {
        "journal_id": t["dagboekcode"],
        "entry_nr": entry,
        "line_nr": t["regelnummer"],
        "date": date,
        "period": t["periode"],
        "account_id": t["grootboekrekeningcode"],
        "amount": amount,
        "description": t["omschrijving"],
        "relation_id": t["debCredNummer"],
        "doc_ref": t["boekstuknummer"],
        "vat_code": t["btwCode"],
        "cost_center": t["kostenplaats"],
        "cost_unit": t["kostendrager"],
    }
    table = pa.table(columns)
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    frame["amount"] = frame["amount"].astype("int64")
    frame["date"] = frame["date"].astype("datetime64[s]")
    return frame


def is_opening_period(period: pd.Series) -> pd.Series:
    """Period 0 (written 0, 00, 000 …) holds the opening balance."""
    return period.fillna("").str.fullmatch(r"0+").fillna(False).astype(bool)


def header_facts(header_fields: dict[str, str | None], created: str | None) -> Header:
    layout = adf_layout()
    h = Header(source_format="adf", source_version=SIGNATURE)
    for f in layout.header:
        if f.to and f.to != "date_created":
            setattr(h, f.to, header_fields.get(f.name))
    h.date_created = created
    return h


def read_adf(path: str | Path, *, encoding: str | None = None, chunk: int = CHUNK, **_options) -> Administration:
    """Read an ADF auditfile into an :class:`Administration`; a malformed line raises :class:`KoppelError`."""
    path = Path(path)
    layout = adf_layout()
    enc = encoding or layout.encoding
    head = parse_header(read_header_line(path, enc), layout)
    fatal = [p for p in head.problems if p.field in ("versie",)]
    if fatal:
        raise fatal[0].error(path)
    adm = Administration(header=header_facts(head.fields, head.created))
    adm.header.encoding = enc
    master = MasterData()
    opening: list[pd.DataFrame] = []
    counts = dict.fromkeys(_NOT_CARRIED_FIELDS, 0)
    side_debit = side_credit = 0
    last_key: tuple | None = None
    for block in iter_mutation_blocks(path, layout, chunk):
        parsed = parse_lines(block, enc, layout)
        if parsed.problems:
            raise parsed.problems[0].error(path)
        if not len(parsed.line_nrs):
            continue
        frame = canonical_batch(parsed)
        frame["_line"] = parsed.line_nrs
        raw = parsed.text
        frame["_kind"] = raw["soortGrootboekrekening"].to_pandas()
        frame["_name"] = raw["grootboekrekeningnaam"].to_pandas()
        for col in ("debCredNaam", "debCredSoort", "debCredFiscaalNummer", "debCredAdres", "debCredPostcode",
                    "debCredPlaats", "debCredLand", "dagboekomschrijving"):  # fmt: skip
            frame["_" + col] = raw[col].to_pandas()
        master.collect("accounts", frame, "account_id", {"name": "_name", "kind": "_kind"})
        master.collect("relations", frame, "relation_id", {
            "name": "_debCredNaam", "kind": "_debCredSoort", "vat_number": "_debCredFiscaalNummer",
            "street": "_debCredAdres", "postal_code": "_debCredPostcode", "city": "_debCredPlaats",
            "country": "_debCredLand"})  # fmt: skip
        master.collect("journals", frame, "journal_id", {"description": "_dagboekomschrijving"})
        for name in _NOT_CARRIED_FIELDS:
            values = parsed.dates.get(name, parsed.numbers.get(name, parsed.text.get(name)))
            counts[name] += len(values) - values.null_count
        side_debit += int(pc.sum(parsed.numbers["debet"]).as_py() or 0)
        side_credit += int(pc.sum(parsed.numbers["credit"]).as_py() or 0)
        key = (frame["journal_id"].fillna("") + "\x00" + frame["period"].fillna("") + "\x00"
               + frame["entry_nr"].fillna(""))  # fmt: skip
        keys = key.to_numpy(dtype=object)
        starts = np.ones(len(keys), dtype=bool)
        starts[1:] = keys[1:] != keys[:-1]
        starts[0] = keys[0] != last_key
        last_key = keys[-1]
        is_open = is_opening_period(frame["period"])
        if is_open.any():
            ob = frame[is_open]
            adm.opening_entries.update(zip(ob["journal_id"], ob["entry_nr"], strict=True))
            opening.append(conform("opening_balance", ob[["line_nr", "account_id", "amount", "description",
                                                          "relation_id"]].reset_index(drop=True)))  # fmt: skip
        lines_frame = conform("lines", frame.drop(columns=[c for c in frame.columns if c.startswith("_")]))
        adm.lines.append(lines_frame)
        adm.stats.add_batch(lines_frame, int(starts.sum()))
    adm.lines.close()
    if adm.stats.lines == 0:
        raise KoppelError(
            "the ADF auditfile holds no mutation lines after its header line",
            file=path,
            line=2,
            hint="export the auditfile again; an ADF file has one line per mutation after line 1",
        )
    adm.stats.debit, adm.stats.credit = side_debit, side_credit
    _master_tables(adm, master)
    if opening:
        adm.header.opening_source = "period0"
        adm.opening_balance = conform("opening_balance", pd.concat(opening, ignore_index=True))
    if head.fields.get("adres") or head.fields.get("plaats"):
        counts["header adres/plaats"] = 1
    adm.not_carried = {k: v for k, v in sorted(counts.items()) if v}
    adm.not_carried_why = {k: NOT_CARRIED_WHY[k] for k in adm.not_carried}
    return adm


def _master_tables(adm: Administration, master: MasterData) -> None:
    accounts = list(master.accounts.items())
    kinds = [account_kind(v["kind"]) for _, v in accounts]
    unmapped = sum(1 for (_, v), k in zip(accounts, kinds, strict=True) if v["kind"] and k is None)
    if unmapped:
        adm.not_carried["soortGrootboekrekening (not mappable to B or P)"] = unmapped
    adm.accounts = make_table("accounts", {
        "account_id": [k for k, _ in accounts], "name": [v["name"] for _, v in accounts], "kind": kinds})  # fmt: skip
    rel = list(master.relations.items())
    adm.relations = make_table("relations", {
        "relation_id": [k for k, _ in rel],
        "kind": [relation_kind(v["kind"]) for _, v in rel],
        **{col: [v[col] for _, v in rel] for col in ("name", "vat_number", "street", "postal_code", "city", "country")},
    })  # fmt: skip
    jr = list(master.journals.items())
    adm.journals = make_table(
        "journals", {"journal_id": [k for k, _ in jr], "description": [v["description"] for _, v in jr]}
    )


def sniff_adf(path: Path) -> bool:
    """True when ``path`` is an ADF auditfile (by its first bytes)."""
    from .parse import is_adf

    try:
        with path.open("rb") as handle:
            return is_adf(handle.read(16))
    except OSError as exc:
        raise KoppelError(f"cannot read the file: {exc.strerror}", file=path) from None


__all__ = ["account_kind", "read_adf", "relation_kind", "sniff_adf"]
