"""The writer of a layout-driven package target (Minox, Asperion, AccountView, Cash): every file of its
descriptor, streamed batch by batch, validated before publishing, plus IMPORTEREN.md."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..atomic import AtomicDir
from ..identity import as_read_series, first_merge, merge_error
from ..model import Administration
from ..writejob import WriteJob, WriteResult, entry_starts
from .delimited import DelimitedWriter, amount_cents, format_column
from .descriptor import FileLayout, TargetLayout, load_target
from .importeren import render_importeren
from .sources import Context, account_source, line_source, relation_source

# Canonical line columns worth reporting when a layout has no place for them, and the sources that carry them.
CARRIED_BY = {
    "description": ("description", "text"),
    "relation_id": ("relation_id", "relation_customer", "relation_supplier"),
    "invoice_ref": ("invoice_ref", "invoice_customer", "invoice_supplier"),
    "vat_code": ("vat_code",),
    "vat_amount": ("vat_amount", "vat_amount_abs"),
    "currency_amount": (),
    "cost_center": ("cost_center",),
    "cost_unit": ("cost_unit",),
    "project": ("project",),
    "quantity": ("quantity",),
    "due_date": ("due_date", "payment_days"),
    "doc_ref": ("doc_ref",),
    "bank_account": ("bank_account",),
    "effective_date": ("effective_date",),
    "period": ("period", "year_period", "period2"),
}
RELATION_KINDS = {"debtors": ("customer", "both", "other", None), "creditors": ("supplier", "both")}
# Relation fields worth reporting when a relation file has no place for them, and the sources that carry them.
RELATION_CARRIED_BY = {
    "contact": ("contact",), "street": ("address",), "house_nr": ("address",),
    "postal_code": ("postal_code", "postcode_city"), "city": ("city", "postcode_city"), "country": ("country",),
    "phone": ("phone",), "email": ("email",), "website": ("website",), "vat_number": ("vat_number",),
    "kvk": ("kvk", "kvk_digits"), "iban": ("iban",), "bic": ("bic",), "payment_days": ("payment_days",),
    "control_account": ("control_account",),
}  # fmt: skip
ACCOUNT_KIND_SOURCES = ("kind_bp", "kind_nl", "account_function")


def layout_for(target: str, job: WriteJob) -> TargetLayout:
    return load_target(target).with_overrides(job.mapping.dialect, job.mapping.columns)


def make_writer(target: str):
    """A registry writer for the descriptor-driven target ``target``."""

    def write(adm: Administration, out: AtomicDir, job: WriteJob) -> WriteResult:
        return PackageWriter(layout_for(target, job), adm, out, job).run()

    write.__name__ = f"write_{target.replace('-', '_')}"
    return write


class PackageWriter:
    def __init__(self, layout: TargetLayout, adm: Administration, out: AtomicDir, job: WriteJob) -> None:
        self.layout = layout
        self.adm = adm
        self.out = out
        self.job = job
        self.result = WriteResult()
        self.truncate = job.flag("truncate")
        self.temp: dict[str, Path] = {}
        self.rows: dict[str, int] = {}
        self.truncated: dict[str, int] = {}
        # Line sources need relation kinds and journal kinds by TARGET id; the tables themselves are mapped
        # (and checked under --strict-mapping) only after the entries, so entry problems are reported first.
        rel, jrn = adm.relations, adm.journals
        maps = job.mapping
        mixed = job.option("mixed_kind")
        self.ctx = Context(
            relation_kind={maps.relations.get(r, r): k for r, k in zip(rel["relation_id"], rel["kind"], strict=True)},
            journal_kind={maps.journals.get(j, j): k for j, k in zip(jrn["journal_id"], jrn["kind"], strict=True)},
            journal_types=job.flag("journal_types"),
            mixed_kind=str(mixed).upper() if mixed else None,
            target=job.target,
            account_functions=dict(maps.account_functions),
            account_names=self._account_names(),
        )
        self._relations: pd.DataFrame | None = None
        self.uncarried: dict[str, int] = {}
        self.relation_fields: dict[str, int] = {}  # relation field -> values no relation file has a column for
        self.relations_written: set[str] = set()

    def run(self) -> WriteResult:
        # entries first: an unbalanced entry is refused before any master-data problem is reported
        order = ("entries", "opening", "debtors", "creditors", "relations", "accounts")
        for content in order:
            for f in self.layout.for_content(content):
                getattr(self, f"_write_{'relations' if content in ('debtors', 'creditors') else content}")(f)
        r = self.result
        if not self.layout.for_content("accounts"):
            r.drop("accounts", len(self.adm.accounts), f"{self.layout.title} has no file for GL accounts")
        if not any(self.layout.for_content(c) for c in ("debtors", "creditors", "relations")):
            r.drop("relations", len(self.adm.relations), f"{self.layout.title} has no file for relations")
        for col, n in self.uncarried.items():
            r.drop(f"lines: {col}", n, f"{self.layout.title} has no column for it")
        for col, n in self.relation_fields.items():
            r.drop(f"relations: {col}", n, f"the {self.layout.title} relation file has no column for it")
        if self.ctx.periods_from_date:
            r.notes.append(
                f"{self.ctx.periods_from_date} line value(s) without a period got the month of their date as period [A]"
            )
        for name, n in self.truncated.items():
            file_id, _, column = name.partition(".")
            width = self.layout.file(file_id).column(column).width
            r.adapt(f"text cut: {name}", n, f"longer than the column takes: cut to {width} characters")
        r.files.append("IMPORTEREN.md")
        tmp = self.out.path("IMPORTEREN.md")
        tmp.write_text(render_importeren(self.layout, self.job, self.rows, r), encoding="utf-8")
        r.read_back = self._read_back
        return r

    def _open(self, f: FileLayout) -> DelimitedWriter:
        name = f.file_name(self.job.admin_name)
        tmp = self.out.path(name)
        self.temp[f.id] = tmp
        self.result.files.append(name)
        if self.layout.template:
            from .records import TemplateWriter

            return TemplateWriter(f, tmp, template=self.layout.template, truncate=self.truncate, display_name=name,
                                  strict=self.job.strict)  # fmt: skip
        return DelimitedWriter(f, tmp, truncate=self.truncate, display_name=name, strict=self.job.strict)

    def _finish(self, f: FileLayout, writer: DelimitedWriter, rows: int) -> None:
        writer.close()
        if rows == 0:  # nothing of this kind in the source: no (empty or header-only) file to import
            self.out.discard(self.temp.pop(f.id))
            self.result.files.remove(f.file_name(self.job.admin_name))
            self.result.notes.append(f"{f.file_name(self.job.admin_name)} not written: the source has no rows for it")
            return
        self.rows[f.id] = rows
        for name, n in writer.stats.truncated.items():
            key = f"{f.id}.{name}"
            self.truncated[key] = self.truncated.get(key, 0) + n
        for name, (n, example) in writer.stats.blanked.items():
            self.result.drop(f"left empty: {f.id}.{name}", n, f"does not fit the column (--truncate), e.g. {example}")

    # -- master data ----------------------------------------------------------------------------
    @property
    def relations(self) -> pd.DataFrame:
        if self._relations is None:
            self._relations = self.job.relations()
            self._relations["source_relation_id"] = self.adm.relations["relation_id"].to_numpy()
        return self._relations

    def _write_relations(self, f: FileLayout) -> None:
        rel = self.relations
        if f.content in RELATION_KINDS:
            kinds = RELATION_KINDS[f.content]
            mask = rel["kind"].isin([k for k in kinds if k]).fillna(False)
            if None in kinds:
                mask |= rel["kind"].isna()
            rel = rel.loc[mask]
            if f.content == "debtors":
                odd = int((~rel["kind"].isin(["customer", "both"])).fillna(True).sum())
                if odd:
                    self.result.notes.append(f"{odd} relation(s) of kind other/unknown written as debtors")
        frame = rel.reset_index(drop=True)
        writer = self._open(f)
        ids = frame["relation_id"].astype("string").fillna("")
        self._write_table(f, writer, frame, relation_source, lambda i: f"relation {ids.iloc[i]!r}")
        self.relations_written.update(frame["source_relation_id"].dropna())
        self.result.counts["relations"] = len(self.relations_written)
        sources = {c.source for c in f.columns}
        for col, carriers in RELATION_CARRIED_BY.items():
            if not sources.intersection(carriers):
                n = int((frame[col].notna() & (frame[col].astype("string") != "")).sum())
                self.relation_fields[col] = self.relation_fields.get(col, 0) + n
        self._finish(f, writer, len(frame))

    def _write_accounts(self, f: FileLayout) -> None:
        frame = self.job.accounts().reset_index(drop=True)
        frame["source_account_id"] = self.adm.accounts["account_id"].to_numpy()
        writer = self._open(f)
        ids = frame["account_id"].astype("string").fillna("")
        self._write_table(f, writer, frame, account_source, lambda i: f"account {ids.iloc[i]!r}")
        self.result.counts["accounts"] = len(frame)
        self._report_kinds(f, frame)
        self._finish(f, writer, len(frame))

    def _report_kinds(self, f: FileLayout, frame: pd.DataFrame) -> None:
        """The account kind is not carried where no column takes it, or where its value is not known."""
        kinds = int(frame["kind"].notna().sum())
        carrier = next((c for c in f.columns if c.source in ACCOUNT_KIND_SOURCES), None)
        if carrier is None:
            self.result.drop("accounts: kind", kinds, f"{self.layout.title} has no column for it whose values are "
                             "known; set the kind in the package after the import")  # fmt: skip
        elif carrier.source == "account_function":
            unmapped = frame["kind"].notna() & ~frame["kind"].isin(
                [k for k, v in self.ctx.account_functions.items() if v]
            )
            self.result.drop(
                "accounts: kind",
                int(unmapped.sum()),
                f"{carrier.name} left empty: give the {self.layout.title} number per account kind under "
                '[account_functions] in the mapping, e.g. "B" = "…" (koppel mapping init lists the kinds)',
            )

    def _write_table(self, f, writer, frame, source_fn, label) -> None:
        if frame.empty:
            return
        self._check_distinct(f, frame)
        columns = {c.name: format_column(c, source_fn(c.source, frame, self.ctx), f) for c in f.columns if c.source}
        writer.write_arrays(writer.format_rows(columns, len(frame), label), label)

    def _check_distinct(self, f: FileLayout, frame: pd.DataFrame) -> None:
        """Two relations (accounts) of a master file must not become one id as the package reads it."""
        for source, section, what in (("relation_id", "relations", "relation"), ("account_id", "accounts", "account")):
            col = f.by_source(source)
            if col is None or source not in frame:
                continue
            mapped = frame[source].astype("string").fillna("")
            trio = zip(frame[f"source_{source}"].astype("string").fillna(""), mapped,
                       as_read_series(mapped, col.reads_as), strict=True)  # fmt: skip
            merged = first_merge(trio)
            if merged is not None:
                taken = set(mapped)
                raise merge_error(what, section, self.layout.title, merged[0], merged[1], taken, col.reads_as)

    # -- lines ----------------------------------------------------------------------------------
    def _write_entries(self, f: FileLayout) -> None:
        writer = self._open(f)
        rows = 0
        for batch in self.job.lines():
            rows += self._write_batch(f, writer, batch)
        self._finish(f, writer, rows)

    def _write_opening(self, f: FileLayout) -> None:
        frame = self.job.opening()
        if frame.empty:
            self.result.notes.append("no opening balance in the source: no opening-balance file written")
            return
        writer = self._open(f)
        saved = self.ctx.running
        self.ctx.running = 0
        rows = self._write_batch(f, writer, frame.reset_index(drop=True))
        self.ctx.running = saved
        self._finish(f, writer, rows)

    def _count_uncarried(self, f: FileLayout, batch: pd.DataFrame) -> None:
        sources = {c.source for c in f.columns} | {c.head for c in f.columns}
        for col, carriers in CARRIED_BY.items():
            if not sources.intersection(carriers):
                n = int(batch[col].notna().sum())
                if n:
                    self.uncarried[col] = self.uncarried.get(col, 0) + n

    def _write_batch(self, f: FileLayout, writer: DelimitedWriter, batch: pd.DataFrame) -> int:
        if f.skip_zero:
            zero = batch["amount"] == 0
            if zero.any():
                self.result.drop("lines with amount 0", int(zero.sum()), f"{self.layout.title} skips zero lines [A]")
                batch = batch.loc[~zero].reset_index(drop=True)
        n = len(batch)
        if n == 0:
            return 0
        self._count_uncarried(f, batch)
        starts = entry_starts(batch)
        j, e, ln = batch["journal_id"].astype(object), batch["entry_nr"].astype(object), batch["line_nr"].astype(object)

        def label(i: int) -> str:
            return f"entry {j.iloc[i]}/{e.iloc[i]}, line {ln.iloc[i]}"

        values = {c.name: line_source(c.source, batch, self.ctx, starts) for c in f.columns if c.source}
        columns = {c.name: format_column(c, values[c.name], f) for c in f.columns if c.source}
        arrays = writer.format_rows(columns, n, label)
        cents = amount_cents(f, dict(zip([c.name for c in f.columns], arrays, strict=True)))
        if cents is not None:
            account = f.by_source("account_id")
            read = batch["account_id"] if account is None else as_read_series(batch["account_id"], account.reads_as)
            self.result.tally(batch["source_account_id"], read, cents, mapped_ids=batch["account_id"])
        if f.head:
            heads = batch.iloc[starts].reset_index(drop=True)

            def head_label(i: int) -> str:
                return f"entry {heads['journal_id'].iloc[i]}/{heads['entry_nr'].iloc[i]}, head line"

            hcols = {
                c.name: format_column(c, line_source(c.head, heads, self.ctx, np.arange(len(heads))), f)
                for c in f.columns
                if c.head
            }
            harrays = writer.format_rows(hcols, len(heads), head_label)
            keys = np.concatenate([starts * 2, np.arange(n) * 2 + 1])
            order = pa.array(np.argsort(keys, kind="stable"))
            arrays = [pc.take(pa.concat_arrays([h, a]), order) for h, a in zip(harrays, arrays, strict=True)]
            label_all = _merged_label(starts, n, head_label, label)
            writer.write_arrays(arrays, label_all)
        else:
            writer.write_arrays(arrays, label)
        self.ctx.running += n
        self.result.count("lines", n)
        self.result.count("entries", len(starts))
        return n

    def _account_names(self) -> dict[str, str]:
        """Account names by TARGET id, for layouts whose lines carry them (source ``account_name``)."""
        if not any(c.source == "account_name" for f in self.layout.files for c in f.columns):
            return {}
        acc, maps = self.adm.accounts, self.job.mapping
        names = acc["name"].fillna("").astype(str)
        return {maps.accounts.get(a, a): n for a, n in zip(acc["account_id"], names, strict=True)}

    # -- proof ----------------------------------------------------------------------------------
    def _read_back(self) -> dict[str, int]:
        if self.layout.template:
            from .records import record_account_totals

            return record_account_totals(self.layout, dict(self.temp))
        from .reader import account_totals

        return account_totals(self.layout, dict(self.temp))


def _merged_label(starts: np.ndarray, n: int, head_label, line_label):
    """Row position in the interleaved (head + lines) output -> label of that row."""
    keys = np.concatenate([starts * 2, np.arange(n) * 2 + 1])
    order = np.argsort(keys, kind="stable")
    heads = len(starts)

    def label(i: int) -> str:
        k = int(order[i]) if i < len(order) else 0
        return head_label(k) if k < heads else line_label(k - heads)

    return label
