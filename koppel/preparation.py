"""How a conversion prepares the data for a writer: an ordered list of named steps, each saying what it did.

Two lists, run in their order; every step's report goes into control.json under ``preparation``:

- :data:`ADMINISTRATION_STEPS` run once before the writer is called: they may replace ``job.adm`` or plan
  what the writer adapts (open-items opening, RGS codes, adaptation).
- :data:`LINE_STEPS` run over the stream of line batches while the writer reads ``job.lines()`` (whole
  entries, balance, period-0 opening, periods, map codes, renumber); memory stays one batch.

A step that does not apply still reports (``"applied": false``), so control.json shows that it was
considered. A new step is a function and one line in a list here; a module that owns the knowledge (e.g.
``koppel/openitems/opening.py``) contributes the function.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .entry_frames import check_balance, entry_starts, whole_entries
from .errors import KoppelError
from .reports.safe_text import csv_cells_arrow

if TYPE_CHECKING:
    from .writejob import WriteJob


@dataclass
class LineBatch:
    """Lines on their way to the writer, with the same lines as read (renumbering names the source entry)."""

    lines: pd.DataFrame
    source: pd.DataFrame


@dataclass(frozen=True)
class AdministrationStep:
    """A step run once before the writer; ``run`` returns its report."""

    name: str
    run: Callable[[WriteJob], dict]


@dataclass(frozen=True)
class LineStep:
    """A step over the stream of line batches; it fills its report as the batches pass."""

    name: str
    run: Callable[[WriteJob, Iterator[LineBatch], dict], Iterator[LineBatch]]


# -- administration steps -------------------------------------------------------------------------------


def open_items_opening(job: WriteJob) -> dict:
    """``--opening-with-open-items``: one opening line per open invoice (the open-items engine's step)."""
    from .openitems.opening import opening_step

    return opening_step(job)


def rgs_codes(job: WriteJob) -> dict:
    """``[rgs]`` of ``mapping init --rgs``: RGS codes per source account and the RGS release on the header."""
    maps = job.mapping
    if not (maps.rgs or maps.rgs_release):
        return {"applied": False}
    from .rgs.mapping import apply_rgs

    apply_rgs(job.adm, maps.rgs, maps.rgs_release)
    return {"applied": True, "accounts": len(maps.rgs)}


def adaptation(job: WriteJob) -> dict:
    """Plan what to adapt so that the target takes the data (under ``--strict`` only what the mapping says)."""
    if job.strict:
        from .adapt import strict_plan

        job.plan = strict_plan(job.adm, job.target, job.mapping, job.options)
    else:
        job.adapt()
    plan = job.plan
    generated = {section: len(codes) for section, codes in (plan.generated.items() if plan else ()) if codes}
    return {"strict": job.strict, "generated_codes": generated, "renumber": bool(plan and plan.renumber)}


ADMINISTRATION_STEPS: tuple[AdministrationStep, ...] = (
    AdministrationStep("open-items opening", open_items_opening),
    AdministrationStep("rgs codes", rgs_codes),
    AdministrationStep("adaptation", adaptation),
)


# -- line steps -----------------------------------------------------------------------------------------


def _whole_entries(job: WriteJob, stream: Iterator[LineBatch], report: dict) -> Iterator[LineBatch]:
    """Re-cut the batches so that no entry spans two of them."""
    report["batches"] = 0
    for batch in whole_entries(b.lines for b in stream):
        report["batches"] += 1
        yield LineBatch(batch, batch)


def _balance(job: WriteJob, stream: Iterator[LineBatch], report: dict) -> Iterator[LineBatch]:
    """Every entry sums to zero (else a KoppelError naming the first that does not); tally the money in."""
    report.update(entries=0, lines=0)
    for item in stream:
        batch = item.lines
        for key, value in batch["amount"].groupby(batch["account_id"].fillna(""), sort=False).sum().items():
            job.source_cents[key] = job.source_cents.get(key, 0) + int(value)
        starts = check_balance(batch, job.source_path, hint=job.balance_hint)
        job.counts_in["entries"] += len(starts)
        job.counts_in["lines"] += len(batch)
        report["entries"] += len(starts)
        report["lines"] += len(batch)
        yield item


def _period0_opening(job: WriteJob, stream: Iterator[LineBatch], report: dict) -> Iterator[LineBatch]:
    """Leave out the entries of period 0 when they are the opening balance: ``job.opening()`` writes them."""
    opening = job.adm.opening_entries if job.opening_source == "period0" else set()
    report.update(applied=bool(opening), entries=len(opening), lines=0)
    for item in stream:
        batch = item.lines
        if opening:
            keys = pd.Series(list(zip(batch["journal_id"], batch["entry_nr"], strict=True)), index=batch.index)
            is_opening = keys.isin(opening)
            if is_opening.any():
                report["lines"] += int(is_opening.sum())
                batch = batch.loc[~is_opening]
                if batch.empty:
                    continue
        batch = batch.reset_index(drop=True)
        yield LineBatch(batch, batch)


PERIOD_NUMBER = r"\d{1,3}"  # what XAF's periodNumber and the packages' period columns take


def _periods(job: WriteJob, stream: Iterator[LineBatch], report: dict) -> Iterator[LineBatch]:
    """A period that is not a period number (Banana's CLAIR2 files write the year there, "2015") becomes the
    month of the line's date, the rule the XAF writer applies to periodNumber; reported as an adaptation. Under
    ``--strict`` nothing changes and a target that checks periods refuses the value. An empty period stays empty."""
    report.update(applied=not job.strict, lines=0)
    example = ""
    for item in stream:
        batch = item.lines
        if not job.strict:
            period = batch["period"].astype("string").str.strip()
            bad = (period.notna() & ~period.str.fullmatch(PERIOD_NUMBER).fillna(False) & batch["date"].notna())
            if bad.any():
                months = batch["date"].dt.month.astype("Int64").astype("string")
                if not example:
                    first = bad.to_numpy().argmax()
                    example = f"{period.iloc[first]!r} → {months.iloc[first]!r}"
                batch = batch.assign(period=batch["period"].astype("string").where(~bad, months))
                report["lines"] += int(bad.sum())
        yield LineBatch(batch, batch)
    if report["lines"]:
        job.adaptations.append(
            {
                "what": "periods",
                "count": report["lines"],
                "how": f"not a period number: the month of the line's date (e.g. {example}), as XAF's periodNumber",
            }
        )


def map_lines(job: WriteJob, batch: pd.DataFrame) -> pd.DataFrame:
    """The codes of ``batch`` mapped (``[conversion_accounts]`` too), with ``source_account_id`` beside them."""
    out = job.mapping.apply("lines", batch)
    if job.mapping.conversion_accounts:
        converted = job.mapping.convert_accounts(batch["account_id"])
        moved = converted != batch["account_id"]
        out["account_id"] = out["account_id"].where(~moved.fillna(False), converted)
    out["source_account_id"] = batch["account_id"]
    return out


def _map_codes(job: WriteJob, stream: Iterator[LineBatch], report: dict) -> Iterator[LineBatch]:
    report["lines"] = 0
    for item in stream:
        report["lines"] += len(item.lines)
        yield LineBatch(map_lines(job, item.lines), item.source)


def _renumber(job: WriteJob, stream: Iterator[LineBatch], report: dict) -> Iterator[LineBatch]:
    report["applied"] = job.renumbering.active
    for item in stream:
        yield LineBatch(job.renumbering.apply(item.lines, item.source), item.source)


LINE_STEPS: tuple[LineStep, ...] = (
    LineStep("whole entries", _whole_entries),
    LineStep("balance", _balance),
    LineStep("period-0 opening", _period0_opening),
    LineStep("periods", _periods),
    LineStep("map codes", _map_codes),
    LineStep("renumber", _renumber),
)


class Renumbering:
    """``--option entry_numbers=renumber``: entries numbered 1, 2, ... per (target) journal in file order, for
    targets whose entry numbers are short or numeric; old -> new numbers spooled to a temp file, not held."""

    HEADER = "dagboek;boekstuknummer;dagboek_bron;boekstuknummer_bron\r\n"

    def __init__(self, job: WriteJob):
        self.job = job
        self.count = 0  # entries renumbered
        self._counters: dict[str, int] = {}
        self._file = None

    @property
    def active(self) -> bool:
        return str(self.job.option("entry_numbers", "keep")) == "renumber"

    def apply(self, out: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
        """``out`` with new entry numbers (``source``: the same lines as read, for the translation table)."""
        mode = str(self.job.option("entry_numbers", "keep"))
        if mode == "keep" or out.empty:
            return out
        if mode != "renumber":
            raise KoppelError(f"entry_numbers={mode!r}", field="entry_numbers", hint="use keep or renumber")
        starts = entry_starts(out)
        journals = out["journal_id"].fillna("").to_numpy(dtype=object)[starts]
        codes, uniques = pd.factorize(journals)
        seq = pd.Series(codes).groupby(codes).cumcount().to_numpy() + 1
        base = np.array([self._counters.get(u, 0) for u in uniques], dtype=np.int64)
        numbers = base[codes] + seq
        for i, u in enumerate(uniques):
            self._counters[u] = int(numbers[codes == i].max())
        new = pc.cast(pa.array(numbers), pa.string())
        columns = [
            pa.array(journals, type=pa.string()),
            new,
            pa.array(source["journal_id"].to_numpy(dtype=object)[starts], type=pa.string()),
            pa.array(source["entry_nr"].to_numpy(dtype=object)[starts], type=pa.string()),
        ]
        rows = pc.binary_join_element_wise(*[csv_cells_arrow(pc.fill_null(c, "")) for c in columns], ";").to_pylist()
        if self._file is None:
            self._file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
            self._file.write(self.HEADER)
        self._file.write("\r\n".join(rows) + "\r\n")
        self.count += len(rows)
        spread = new.take(pa.array(np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(out))))))
        out["entry_nr"] = pd.Series(pd.arrays.ArrowStringArray(spread), index=out.index)
        return out

    def write_table(self, path: Path) -> None:
        """Write the old -> new numbers (boekstuknummers.csv) to ``path`` and drop the spool."""
        if self._file is None:
            return
        import shutil

        self._file.seek(0)
        with path.open("w", encoding="utf-8", newline="") as handle:
            shutil.copyfileobj(self._file, handle)
        self._file.close()
        self._file = None
