"""The writers' contract: what a writer is given (:class:`WriteJob`) and what it returns (:class:`WriteResult`).

Every writer imports this module and nothing of the pipeline (``koppel/pipeline.py``), so a format can change
without touching how a conversion runs, and the pipeline can change without touching the formats.

A target registers its writer in the registry (``koppel/registry.py``) with ``output="folder"`` (``-o`` names a
folder; control.json and IMPORTEREN.md go in it) or ``output="file"`` (``-o`` names one file such as ``OUT.xaf``;
control.json goes beside it as ``OUT.control.json``).

The writer is called as ``write(adm, out, job) -> WriteResult``:
- ``adm`` — the source :class:`~koppel.model.Administration` (header facts; read-only).
- ``out`` — an :class:`~koppel.atomic.AtomicDir` on the output folder. Ask it for temp paths,
  ``tmp = out.path("name.csv")`` (``out.path(job.output.name)`` for a single-file target); write and validate
  there. Never write into the folder directly: convert publishes every file together after control.json is
  made, and none of them when anything raises.
- ``job`` — a :class:`WriteJob` with the prepared data; use it instead of ``adm.lines.batches()``:

  * ``job.lines()`` — batches of canonical ``lines`` holding whole entries, codes already mapped
    (``[accounts]``, ``[journals]``, ``[vat_codes]``, ``[relations]``, ``[conversion_accounts]``), every entry
    checked to balance (a KoppelError naming the first unbalanced entry is raised from the iterator), and the
    opening-balance entries left out when the source delivered its opening balance as period-0 entries.
    Extra column ``source_account_id`` (the id before mapping) for the money tally. Iterate it once.
  * ``job.opening()`` — the opening balance as one balanced entry frame in ``lines`` columns (journal from
    ``[defaults] opening_journal``, default ``"BEG"``, or the source journal for period-0 entries), mapped,
    with ``source_account_id``; empty when the source has none. Write it once, never also as entries.
  * ``job.accounts()``, ``job.relations()``, ``job.vat_codes()``, ``job.journals()`` — mapped master tables.
  * ``job.options`` (dict: ``--option KEY=VALUE``, named CLI flags and ``[options]`` of the mapping),
    ``job.option(key, default)``, ``job.flag(key)``, ``job.mapping``, ``job.target``, ``job.output``,
    ``job.admin_name`` (for file names), ``job.source_path`` (the input, for messages).

- Return :class:`WriteResult`: ``files`` (final names), money via ``result.tally(source_ids, target_ids,
  cents)`` computed from the values AS FORMATTED in the file (parse your own strings back), counts
  ``entries``/``lines``/``relations``/``accounts`` out, ``not_carried`` items ``{"what", "count", "why"}``
  and, where you can, ``read_back`` — a callable that reads the temp files with the format's own reader and
  returns cents by target account; convert compares it with the tally.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .adapt import Plan, apply_to_accounts, apply_to_relations
from .adapt import plan as adapt_plan
from .atomic import AtomicDir
from .errors import KoppelError
from .mapping import Mapping
from .model import Administration, conform
from .money import format_cents
from .reports.safe_text import csv_cells_arrow

CONTROL_NAME = "control.json"


@dataclass
class WriteResult:
    """What a writer wrote: files, money per account (as formatted), counts and what it could not carry."""

    files: list[str] = field(default_factory=list)
    written_cents_by_account: dict[str, int] = field(default_factory=dict)  # by SOURCE account id
    written_cents_by_target: dict[str, int] = field(default_factory=dict)  # by target account id
    counts: dict[str, int] = field(default_factory=dict)  # entries, lines, relations, accounts written
    not_carried: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    adaptations: list[dict] = field(default_factory=list)  # what was adapted to fit the target (koppel/adapt.py)
    read_back: Callable[[], dict[str, int]] | None = None
    # (source account, account after the mapping, account as written): ids are identities (koppel/identity.py)
    account_ids: set[tuple[str, str, str]] = field(default_factory=set)

    def tally(
        self, source_ids: pd.Series, target_ids: pd.Series, cents: pd.Series, mapped_ids: pd.Series | None = None
    ) -> None:
        """Add written amounts per source and per target account (vectorised).

        ``target_ids`` are the accounts as the package reads them from the file; ``mapped_ids`` the accounts
        the writer was given (after the mapping), when the writer formats ids (leading zeros, case, ...)."""
        cents = pd.Series(np.asarray(cents, dtype=np.int64))
        source = pd.Series(np.asarray(source_ids, dtype=object)).fillna("")
        target = pd.Series(np.asarray(target_ids, dtype=object)).fillna("")
        for ids, into in ((source, self.written_cents_by_account), (target, self.written_cents_by_target)):
            sums = cents.groupby(ids, sort=False).sum()
            for key, value in sums.items():
                into[key] = into.get(key, 0) + int(value)
        mapped = target if mapped_ids is None else pd.Series(np.asarray(mapped_ids, dtype=object)).fillna("")
        trio = pd.DataFrame({"s": source, "m": mapped, "t": target}).drop_duplicates()
        self.account_ids.update(trio.itertuples(index=False, name=None))

    def count(self, what: str, n: int) -> None:
        self.counts[what] = self.counts.get(what, 0) + int(n)

    def drop(self, what: str, count: int, why: str) -> None:
        """Report something the target cannot carry (never drop silently)."""
        if count:
            self.not_carried.append({"what": what, "count": int(count), "why": why})

    def adapt(self, what: str, count: int, how: str) -> None:
        """Report a value changed to fit the target without changing its meaning (e.g. a text cut)."""
        if count:
            self.adaptations.append({"what": what, "count": int(count), "how": how})


Writer = Callable[[Administration, AtomicDir, "WriteJob"], WriteResult]


class WriteJob:
    """The prepared data a writer consumes: mapped tables, balanced whole-entry batches, options."""

    def __init__(
        self,
        adm: Administration,
        target: str,
        output: Path,
        mapping: Mapping,
        options: dict,
        name: str,
        source_path: Path | None = None,
    ):
        self.adm = adm
        self.source_path = source_path  # the input (for messages and writers that re-read it)
        self.target = target
        self.output = output
        self.mapping = mapping
        self.options = {**mapping.options, **options}
        self.admin_name = name
        self.source_cents: dict[str, int] = {}
        self.counts_in = {"entries": 0, "lines": 0}
        self.opening_source = adm.header.opening_source
        self._lines_done = False
        self._entry_counters: dict[str, int] = {}
        self.entry_numbers = 0  # entries renumbered; old -> new numbers spooled to a temp file, not held
        self._numbers_file = None
        self.strict = self.flag("strict")  # --strict: refuse what does not fit instead of adapting it
        self.plan: Plan | None = None  # the adaptations (koppel/adapt.py); under --strict only the mapping's
        self.adaptations: list[dict] = []

    # -- options --------------------------------------------------------------------------------
    def option(self, key: str, default=None):
        return self.options.get(key, self.mapping.defaults.get(key, default))

    def flag(self, key: str) -> bool:
        value = self.option(key, False)
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "ja", "on")
        return bool(value)

    # -- master data ----------------------------------------------------------------------------
    def accounts(self) -> pd.DataFrame:
        """The chart of accounts, ``[account_kinds]`` applied (by source id), then the ids mapped and adapted."""
        frame = self.mapping.apply("accounts", self.mapping.with_kinds(self.adm.accounts))
        return frame if self.plan is None else apply_to_accounts(frame, self.plan, self.adaptations)

    def relations(self) -> pd.DataFrame:
        frame = self.mapping.apply("relations", self.adm.relations)
        return frame if self.plan is None else apply_to_relations(frame, self.plan, self.adaptations)

    def adapt(self) -> Plan:
        """Plan what to adapt so that the target takes the data without a second run (not under --strict)."""
        found = adapt_plan(self.adm, self.target, self.mapping, self.options)
        for section, codes in found.generated.items():
            self.mapping.add_generated(section, codes)
        if found.renumber:
            self.options["entry_numbers"] = "renumber"
        self.options.setdefault("truncate", True)
        self.plan = found
        self.adaptations = found.adaptations
        return found

    def vat_codes(self) -> pd.DataFrame:
        return self.mapping.apply("vat_codes", self.adm.vat_codes)

    def journals(self) -> pd.DataFrame:
        return self.mapping.apply("journals", self.adm.journals)

    # -- lines ----------------------------------------------------------------------------------
    def _tally_source(self, batch: pd.DataFrame) -> None:
        for key, value in batch["amount"].groupby(batch["account_id"].fillna(""), sort=False).sum().items():
            self.source_cents[key] = self.source_cents.get(key, 0) + int(value)

    def _prepare(self, batch: pd.DataFrame) -> pd.DataFrame:
        out = self.mapping.apply("lines", batch)
        if self.mapping.conversion_accounts:
            converted = self.mapping.convert_accounts(batch["account_id"])
            moved = converted != batch["account_id"]
            out["account_id"] = out["account_id"].where(~moved.fillna(False), converted)
        out["source_account_id"] = batch["account_id"]
        return self._renumber(out, batch)

    def _renumber(self, out: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
        """``--option entry_numbers=renumber``: number entries 1, 2, ... per (target) journal in file order,
        for targets whose entry numbers are short or numeric; the translation goes to boekstuknummers.csv."""
        mode = str(self.option("entry_numbers", "keep"))
        if mode == "keep" or out.empty:
            return out
        if mode != "renumber":
            raise KoppelError(f"entry_numbers={mode!r}", field="entry_numbers", hint="use keep or renumber")
        starts = entry_starts(out)
        journals = out["journal_id"].fillna("").to_numpy(dtype=object)[starts]
        codes, uniques = pd.factorize(journals)
        seq = pd.Series(codes).groupby(codes).cumcount().to_numpy() + 1
        base = np.array([self._entry_counters.get(u, 0) for u in uniques], dtype=np.int64)
        numbers = base[codes] + seq
        for i, u in enumerate(uniques):
            self._entry_counters[u] = int(numbers[codes == i].max())
        new = pc.cast(pa.array(numbers), pa.string())
        columns = [
            pa.array(journals, type=pa.string()),
            new,
            pa.array(source["journal_id"].to_numpy(dtype=object)[starts], type=pa.string()),
            pa.array(source["entry_nr"].to_numpy(dtype=object)[starts], type=pa.string()),
        ]
        rows = pc.binary_join_element_wise(*[csv_cells_arrow(pc.fill_null(c, "")) for c in columns], ";").to_pylist()
        if self._numbers_file is None:
            self._numbers_file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
            self._numbers_file.write("dagboek;boekstuknummer;dagboek_bron;boekstuknummer_bron\r\n")
        self._numbers_file.write("\r\n".join(rows) + "\r\n")
        table = rows
        self.entry_numbers += len(table)
        spread = new.take(pa.array(np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(out))))))
        out["entry_nr"] = pd.Series(pd.arrays.ArrowStringArray(spread), index=out.index)
        return out

    def lines(self) -> Iterator[pd.DataFrame]:
        """Whole-entry, mapped, balance-checked batches (opening entries of period 0 left out)."""
        if self._lines_done:
            raise RuntimeError("WriteJob.lines() can be iterated once")
        self._lines_done = True
        opening = self.adm.opening_entries if self.opening_source == "period0" else set()
        for batch in whole_entries(self.adm.lines.batches()):
            self._tally_source(batch)
            starts = check_balance(batch, self.source_path)
            self.counts_in["entries"] += len(starts)
            self.counts_in["lines"] += len(batch)
            if opening:
                keys = pd.Series(list(zip(batch["journal_id"], batch["entry_nr"], strict=True)), index=batch.index)
                is_opening = keys.isin(opening)
                if is_opening.any():
                    batch = batch.loc[~is_opening]
                    if batch.empty:
                        continue
            yield self._prepare(batch.reset_index(drop=True))

    def opening(self) -> pd.DataFrame:
        """The opening balance as balanced entry lines (empty frame when there is none)."""
        ob = self.adm.opening_balance
        if self.opening_source == "period0":
            lines = self._opening_lines_from_period0()
        elif ob.empty:
            return self._prepare(conform("lines", pd.DataFrame()))
        else:
            n = len(ob)
            h = self.adm.header
            date = h.opening_date or h.start_date
            lines = conform(
                "lines",
                pd.DataFrame(
                    {
                        "journal_id": [self.option("opening_journal_source", "__opening__")] * n,
                        "entry_nr": [str(self.option("opening_entry_nr", "1"))] * n,
                        "line_nr": ob["line_nr"].to_numpy(),
                        "date": pd.to_datetime(pd.Series([date] * n)).astype("datetime64[s]")
                        if date
                        else pd.Series([pd.NaT] * n, dtype="datetime64[s]"),
                        "period": ["0"] * n,
                        "entry_description": [
                            h.opening_description or self.option("opening_description", "Beginbalans")
                        ]
                        * n,
                        "account_id": ob["account_id"].to_numpy(),
                        "amount": ob["amount"].to_numpy(),
                        "description": ob["description"].to_numpy(),
                        "relation_id": ob["relation_id"].to_numpy(),
                        "invoice_ref": ob["invoice_ref"].to_numpy(),
                        "effective_date": ob["invoice_date"].to_numpy(),
                        "due_date": ob["due_date"].to_numpy(),
                    }
                ),
            )
            total = int(lines["amount"].sum())
            if total:
                raise KoppelError(
                    f"the opening balance does not balance: off by {format_cents(total)}",
                    field="opening_balance",
                    hint="fix the opening balance in the source; koppel never adds a balancing line",
                )
        out = self.mapping.apply("lines", lines)
        self.mapping.unmapped["journals"].discard("__opening__")
        if "__opening__" in set(out["journal_id"].dropna()):
            out["journal_id"] = out["journal_id"].replace("__opening__", str(self.option("opening_journal", "BEG")))
        out["source_account_id"] = lines["account_id"]
        return self._renumber(out, lines)

    def _opening_lines_from_period0(self) -> pd.DataFrame:
        keys = self.adm.opening_entries
        parts = []
        for batch in self.adm.lines.batches():
            mask = pd.Series(list(zip(batch["journal_id"], batch["entry_nr"], strict=True)), index=batch.index).isin(
                keys
            )
            if mask.any():
                parts.append(batch.loc[mask])
        # The money of period-0 entries is tallied by lines(); they are written here instead.
        return pd.concat(parts, ignore_index=True) if parts else conform("lines", pd.DataFrame())


def whole_entries(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Re-cut batches so that no entry (contiguous journal_id + entry_nr) spans two of them.

    A batch is held back until the next one shows that its last entry is complete; batches that already
    end on an entry boundary (the XAF reader's do) pass through without a copy.
    """
    held: pd.DataFrame | None = None
    for batch in batches:
        if batch.empty:
            continue
        if held is not None:
            if _key(held, -1) != _key(batch, 0):
                yield held
            else:
                starts = entry_starts(held)
                last = int(starts[-1])
                if last:
                    yield held.iloc[:last].reset_index(drop=True)
                batch = pd.concat([held.iloc[last:], batch], ignore_index=True)
        held = batch
    if held is not None:
        yield held


def _key(frame: pd.DataFrame, i: int) -> tuple:
    row = frame.iloc[i]
    return tuple(None if pd.isna(row[c]) else str(row[c]) for c in ("journal_id", "entry_nr"))


def entry_starts(batch: pd.DataFrame) -> np.ndarray:
    """Row positions where a new entry (journal_id + entry_nr) starts; lines of an entry are contiguous."""
    n = len(batch)
    change = np.zeros(n, dtype=bool)
    change[:1] = True
    if n > 1:
        for col in ("journal_id", "entry_nr"):
            arr = pa.array(batch[col], type=pa.string(), from_pandas=True)
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            arr = pc.fill_null(arr, "\x00")
            change[1:] |= pc.not_equal(arr[1:], arr[:-1]).to_numpy(zero_copy_only=False)
    return np.flatnonzero(change)


def check_balance(batch: pd.DataFrame, source_path: Path | None = None) -> np.ndarray:
    """Raise a KoppelError naming the first entry whose lines do not sum to zero; return the entry starts."""
    starts = entry_starts(batch)
    if len(batch) == 0:
        return starts
    sums = np.add.reduceat(batch["amount"].to_numpy(dtype=np.int64), starts)
    bad = np.flatnonzero(sums != 0)
    if len(bad):
        row = batch.iloc[int(starts[bad[0]])]
        raise KoppelError(
            f"entry {row['journal_id']}/{row['entry_nr']} does not balance: off by {format_cents(int(sums[bad[0]]))}"
            " (debit minus credit)",
            file=source_path,
            field="amount",
            hint="correct the entry in the source; koppel never invents a balancing line, so nothing was written",
        )
    return starts


