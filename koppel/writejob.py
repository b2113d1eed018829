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

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .adapt import Plan, apply_to_accounts, apply_to_relations
from .adapt import plan as adapt_plan
from .atomic import AtomicDir
from .entry_frames import check_balance, entry_starts, whole_entries
from .errors import KoppelError
from .mapping import Mapping
from .model import Administration, conform
from .money import format_cents
from .preparation import ADMINISTRATION_STEPS, LINE_STEPS, LineBatch, Renumbering, map_lines

__all__ = [
    "CONTROL_NAME",
    "WriteJob",
    "WriteResult",
    "Writer",
    "check_balance",
    "entry_starts",
    "whole_entries",
]

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
        read_options: dict | None = None,
        balance_hint=None,
        extras: dict[str, pd.DataFrame] | None = None,
    ):
        self.adm = adm
        self.source_path = source_path  # the input (for messages and writers that re-read it)
        self.balance_hint = balance_hint  # the reader's word on why an entry may not balance (ReadResult)
        self.extras = dict(extras or {})  # what the reader read beyond the model (ReadResult.extras)
        self.read_options = dict(read_options or {})  # what the reader was given (e.g. encoding)
        self.given_options = dict(options)  # the options of the call, before the mapping's [options]
        self.target = target
        self.output = output
        self.mapping = mapping
        self.options = {**mapping.options, **options}
        self.admin_name = name
        self.source_cents: dict[str, int] = {}
        self.counts_in = {"entries": 0, "lines": 0}
        self._lines_done = False
        self.renumbering = Renumbering(self)
        self.strict = self.flag("strict")  # --strict: refuse what does not fit instead of adapting it
        self.plan: Plan | None = None  # the adaptations (koppel/adapt.py); under --strict only the mapping's
        self.adaptations: list[dict] = []
        self.preparation: dict[str, dict] = {}  # step name -> what it did (koppel/preparation.py)

    @property
    def opening_source(self) -> str | None:
        return self.adm.header.opening_source

    @property
    def entry_numbers(self) -> int:
        """Entries renumbered (``entry_numbers=renumber``)."""
        return self.renumbering.count

    def prepare(self) -> None:
        """Run the administration steps (koppel/preparation.py) before the writer is called."""
        for step in ADMINISTRATION_STEPS:
            self.preparation[step.name] = step.run(self)

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
        if found.opening_journal:
            self.options["opening_journal"] = found.opening_journal
        self.options.setdefault("truncate", True)
        self.plan = found
        self.adaptations = found.adaptations
        return found

    def vat_codes(self) -> pd.DataFrame:
        return self.mapping.apply("vat_codes", self.adm.vat_codes)

    def journals(self) -> pd.DataFrame:
        return self.mapping.apply("journals", self.adm.journals)

    # -- lines ----------------------------------------------------------------------------------
    def _prepare(self, batch: pd.DataFrame) -> pd.DataFrame:
        return self.renumbering.apply(map_lines(self, batch), batch)

    def lines(self) -> Iterator[pd.DataFrame]:
        """Whole-entry, mapped, balance-checked batches (opening entries of period 0 left out)."""
        if self._lines_done:
            raise RuntimeError("WriteJob.lines() can be iterated once")
        self._lines_done = True
        stream: Iterator[LineBatch] = (LineBatch(b, b) for b in self.adm.lines.batches())
        for step in LINE_STEPS:
            stream = step.run(self, stream, self.preparation.setdefault(step.name, {}))
        for item in stream:
            yield item.lines

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
        # The opening journal is a target code already ([defaults] opening_journal): it is not mapped, so a strict
        # mapping does not ask for the placeholder.
        placeholder = (lines["journal_id"] == "__opening__").fillna(False).to_numpy(dtype=bool)
        out = self.mapping.apply("lines", lines.assign(journal_id=lines["journal_id"].mask(placeholder)))
        if placeholder.any():
            out["journal_id"] = out["journal_id"].mask(placeholder, str(self.option("opening_journal", "BEG")))
        out["source_account_id"] = lines["account_id"]
        return self.renumbering.apply(out, lines)

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
