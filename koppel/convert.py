"""``koppel convert``: read any input, map its codes, check every entry balances, write a target, prove
that nothing was lost (control.json).

Writer protocol — how a target plugs in
---------------------------------------
Register the target in the registry (``koppel/registry.py``)::

    register(FormatInfo(name="minox", title=..., evidence="3P", writer=write_minox, output="folder", ...))

``output="folder"``: ``-o`` names a folder; control.json (and IMPORTEREN.md, written by the writer) go in it.
``output="file"``: ``-o`` names one file (e.g. ``OUT.xaf``); control.json goes beside it as ``OUT.control.json``.

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
    ``job.admin_name`` (for file names).

- Return :class:`WriteResult`: ``files`` (final names), money via ``result.tally(source_ids, target_ids,
  cents)`` computed from the values AS FORMATTED in the file (parse your own strings back), counts
  ``entries``/``lines``/``relations``/``accounts`` out, ``not_carried`` items ``{"what", "count", "why"}``
  and, where you can, ``read_back`` — a callable that reads the temp files with the format's own reader and
  returns cents by target account; convert compares it with the tally.

``convert`` then writes control.json (money in vs money out per source account, counts in/out, mappings
applied, what the target cannot carry) and returns :class:`ConvertResult`; ``equal`` False means exit 1.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .adapt import GENERATED_NAME, Plan, apply_to_accounts, apply_to_relations, generated_mapping_text, strict_plan
from .adapt import plan as adapt_plan
from .atomic import AtomicDir
from .errors import KoppelError
from .identity import first_merge, merge_error
from .mapping import Mapping
from .model import Administration, conform
from .money import format_cents
from .registry import get_format, read_input
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


@dataclass
class ConvertResult:
    target: str
    output: Path
    files: list[Path]
    control_path: Path
    control: dict
    # ids of the source rows booked and rows left out as booked before (readers that track row ids)
    row_ids: tuple[str, ...] = ()
    rows_skipped: int = 0

    @property
    def equal(self) -> bool:
        return bool(self.control["money"]["equal"])


def admin_name(adm: Administration, input_path: Path) -> str:
    """A file-name-safe administration name: company id or name, else the input's stem."""
    raw = adm.header.company_id or adm.header.company_name or input_path.stem
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", str(raw)).strip("_")
    return name[:40] or "administratie"


class WriteJob:
    """The prepared data a writer consumes: mapped tables, balanced whole-entry batches, options."""

    def __init__(self, adm: Administration, target: str, output: Path, mapping: Mapping, options: dict, name: str):
        self.adm = adm
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
            starts = check_balance(batch, self.adm)
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


def check_balance(batch: pd.DataFrame, adm: Administration | None = None) -> np.ndarray:
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
            file=getattr(adm, "source_path", None),
            field="amount",
            hint="correct the entry in the source; koppel never invents a balancing line, so nothing was written",
        )
    return starts


def parse_options(pairs: list[str] | tuple[str, ...], field: str = "--option") -> dict[str, str]:
    """``KEY=VALUE`` strings (from --option or --read-option) as a dict."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise KoppelError(f"{field} {pair!r} is not KEY=VALUE", field=field, hint=f"e.g. {field} truncate=yes")
        out[key.strip().replace("-", "_")] = value.strip()
    return out


def control_path_for(target_output: str, output: Path) -> Path:
    """Where control.json goes: in the folder, or beside a single output file as NAME.control.json."""
    if target_output == "file":
        return output.with_name(output.stem + ".control.json")
    return output / CONTROL_NAME


def convert(
    input_path: str | Path,
    to: str,
    output: str | Path,
    *,
    from_format: str | None = None,
    mapping: str | Path | Mapping | None = None,
    strict_mapping: bool = False,
    options: dict | None = None,
    reader_options: dict | None = None,
) -> ConvertResult:
    """Convert ``input_path`` to target ``to`` in ``output``; all files appear together, or none.

    ``reader_options`` go to the reader (e.g. ``encoding``, ``profile``); ``options`` to the writer.
    """
    input_path = Path(input_path)
    output = Path(output)
    info = get_format(to)
    if info.writer is None:
        raise KoppelError(f"koppel reads {info.title} but cannot write it", hint="see 'koppel formats'")
    # a Mapping object is copied: applying it records what it did, and adaptation adds generated codes
    maps = copy.deepcopy(mapping) if isinstance(mapping, Mapping) else Mapping.load(mapping, strict=strict_mapping)
    maps.strict = maps.strict or strict_mapping
    kind = getattr(info, "output", "folder")
    if kind == "folder" and output.exists() and not output.is_dir():
        raise KoppelError("the output path exists and is not a folder", file=output, hint="-o names a folder")
    if kind == "file" and output.is_dir():
        raise KoppelError("the output path is a folder; this target writes one file", file=output)
    from .archive import extract_single, is_zip_input

    given_path = input_path  # what control.json names (the .zip, not its temp copy)
    if is_zip_input(input_path):  # later passes (open items, XAF 4.0 upgrade) re-read the unpacked file
        input_path = extract_single(input_path)
    from .xaf.consumers import wanted_in_pass

    open_items = bool((options or {}).get("opening_with_open_items"))
    with wanted_in_pass(dropped_in_40=to == "xaf40", subledgers=open_items):  # gathered in the read's own pass
        adm = read_input(input_path, from_format, **(reader_options or {}))
    if (options or {}).get("opening_with_open_items"):  # issue 9: one opening line per open invoice
        from .openitems.opening import prepare_for_convert

        adm = prepare_for_convert(adm, input_path, info, {**(reader_options or {}), **(options or {})})
    adm.source_path = input_path  # type: ignore[attr-defined]  # for error messages
    if maps.rgs or maps.rgs_release:  # [rgs] of mapping init --rgs: codes per source account, RGSVersion
        from .rgs.mapping import apply_rgs

        apply_rgs(adm, maps.rgs, maps.rgs_release)
    folder = output if kind == "folder" else (output.parent if str(output.parent) else Path("."))
    job = WriteJob(adm, to, output, maps, dict(options or {}), admin_name(adm, input_path))
    if job.strict:
        job.plan = strict_plan(adm, to, maps, job.options)
    else:
        job.adapt()
    control_path = control_path_for(kind, output)
    with AtomicDir(folder) as out:
        try:
            result = info.writer(adm, out, job)
            if job.entry_numbers:
                name = "boekstuknummers.csv" if kind == "folder" else output.stem + ".boekstuknummers.csv"
                job._numbers_file.seek(0)
                with out.path(name).open("w", encoding="utf-8", newline="") as handle:
                    shutil.copyfileobj(job._numbers_file, handle)
                job._numbers_file.close()
                result.files.append(name)
                result.notes.append(
                    f"{job.entry_numbers} entries renumbered per journal; old and new numbers in {name}"
                )
                if job.plan is not None and job.plan.renumber:
                    job.adaptations.append(
                        {
                            "what": "entry numbers",
                            "count": job.entry_numbers,
                            "how": f"{job.plan.renumber}: numbered 1..n per journal; old → new in {name}",
                        }
                    )
            if not job.strict and job.plan is not None and job.plan.anything_generated:
                name = GENERATED_NAME if kind == "folder" else f"{output.stem}.{GENERATED_NAME}"
                text = generated_mapping_text(job.mapping, job.plan, info.name, Path(given_path).name)
                out.path(name).write_text(text, encoding="utf-8")
                result.files.append(name)
            control = build_control(adm, job, result, given_path, info.name)
            tmp = out.path(control_path.name)
            tmp.write_text(json.dumps(control, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except KoppelError as exc:
            raise without_temp_names(exc, out) from None
        files = [folder / name for name in result.files]
    row_ids = tuple(adm.row_ids or ())
    return ConvertResult(to, output, [*files, control_path], control_path, control, row_ids, adm.rows_skipped)


def without_temp_names(exc: KoppelError, out: AtomicDir) -> KoppelError:
    """The error as the user should see it: outputs named as they will be called, never as hidden temp files."""
    if exc.file is not None:
        exc.file = out.hide_temp_names(str(exc.file))
    exc.message = out.hide_temp_names(exc.message)
    if exc.hint:
        exc.hint = out.hide_temp_names(exc.hint)
    return exc


def build_control(adm: Administration, job: WriteJob, result: WriteResult, input_path: Path, target: str) -> dict:
    """control.json: money in vs money out per source account, counts in/out, mappings, what was not carried."""
    if not job._lines_done:  # a writer that skipped the lines must show up as money not written
        for _batch in job.lines():
            pass
    source_cents = dict(job.source_cents)
    if adm.header.opening_source == "openingBalance":
        ob = adm.opening_balance
        for key, value in ob["amount"].groupby(ob["account_id"].fillna(""), sort=False).sum().items():
            source_cents[key] = source_cents.get(key, 0) + int(value)
    source = dict(sorted(source_cents.items()))
    written = dict(sorted(result.written_cents_by_account.items()))
    keys = sorted(set(source) | set(written))
    differences = {
        k: {"in": source.get(k, 0), "out": written.get(k, 0)} for k in keys if source.get(k, 0) != written.get(k, 0)
    }
    money: dict[str, object] = {
        "source_cents_by_account": source,
        "written_cents_by_account": written,
        "differences": differences,
    }
    equal = not differences
    if result.read_back is not None:
        back = result.read_back()
        tally = result.written_cents_by_target
        tkeys = sorted(set(back) | set(tally))
        back_diff = {
            k: {"written": tally.get(k, 0), "read_back": back.get(k, 0)}
            for k in tkeys
            if tally.get(k, 0) != back.get(k, 0)
        }
        money["read_back"] = {
            "equal": not back_diff,
            "differences": back_diff,
            "cents_by_account": dict(sorted(back.items())),  # as the package reads the ids
        }
        equal = equal and not back_diff
    if "w" not in get_format(target).carries.get("entries", "w") and not written:
        # a relations-only target (Visma eAccounting, templates): there is no money to compare; the entry
        # lines it could not take are listed under not_carried by the writer, with their count
        money["applicable"] = False
        money["why"] = f"{target} imports no entries: money is not carried, see not_carried"
        equal = True
    merged = first_merge(result.account_ids)
    if merged is not None:
        written_id, ids = merged
        taken = {m for _s, m, _t in result.account_ids} | {t for _s, _m, t in result.account_ids}
        raise merge_error("account", "accounts", get_format(target).title, written_id, ids, taken, "number")
    money["equal"] = equal
    relations_in = len(adm.relations)
    accounts_in = len(adm.accounts)
    not_carried = list(result.not_carried)
    for what, n in sorted(adm.not_carried.items()):
        why = adm.not_carried_why.get(what, "not part of the canonical model")
        not_carried.append({"what": f"source: {what}", "count": n, "why": why})
    if adm.header.rgs_version and target != "xaf40":  # only XAF 4.0 has a field for the RGS release
        why = f"{target} has no field for the RGS version"
        not_carried.append({"what": "header: RGSVersion", "count": 1, "why": why})
    return {
        "target": target,
        "source": {
            "file": str(input_path),
            "format": adm.header.source_format,
            "version": adm.header.source_version,
            "company": adm.header.company_name,
            "opening_source": adm.header.opening_source,
        },
        "money": money,
        "counts": {
            "entries": [job.counts_in["entries"] + (1 if _ob_lines(adm) else 0), result.counts.get("entries", 0)],
            "lines": [job.counts_in["lines"] + _ob_lines(adm), result.counts.get("lines", 0)],
            "relations": [relations_in, result.counts.get("relations", 0)],
            "accounts": [accounts_in, result.counts.get("accounts", 0)],
        },
        "files": result.files,
        "strict": job.strict,
        "adaptations": [*job.adaptations, *result.adaptations],
        "mappings_applied": job.mapping.report(),
        "not_carried": not_carried,
        "notes": result.notes,
        **({"unknown_codes": adm.unknown_codes} if adm.unknown_codes else {}),
    }


def _ob_lines(adm: Administration) -> int:
    """Opening-balance lines that are not already among the entry lines (they become one opening entry)."""
    return len(adm.opening_balance) if adm.header.opening_source == "openingBalance" else 0


def _make_module_callable() -> None:
    """``koppel.convert`` names both this module and the API function :func:`koppel.api.convert`.

    ``import koppel`` binds the package attribute to the function; importing this module rebinds it to the
    module. So that ``koppel.convert(...)`` converts either way, the module forwards calls to the function.
    """
    import sys
    import types

    class CallableModule(types.ModuleType):
        def __call__(self, *args, **kwargs) -> ConvertResult:
            from .api import convert as convert_file

            return convert_file(*args, **kwargs)

    sys.modules[__name__].__class__ = CallableModule


_make_module_callable()
