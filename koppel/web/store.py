"""The viewer's store: what Browse queries, in one SQLite file per auditfile plus a flat search text, built once.

Chosen by measurement (bench/bench_viewer_store.py, figures in the README): every page is an index range of at
most :data:`PAGE` rows, because the expensive parts are computed once while loading — each line's place on its
account's and its relation's card with the running balance (window functions), the entries per journal, and the
totals per account, journal and relation. So a page of a ledger card holding 300,000 lines costs what its first
page costs. Text search ("anywhere in the text") can use no index; SQLite's LIKE over 1.2M lines was the slowest
page of all, so the texts are also written lower-cased, one line per line, to ``search.txt`` (with the byte
offset of every line in ``search.idx``) and searched with ``mmap.find`` (a fast substring search, no copy): one
pass over ~50 MB in a fraction of LIKE's time, and a common word stops at its first page of hits.

The files are built under temporary names and renamed when complete (the SQLite file last: its presence means
the store is ready), so a half-built store is never opened.
"""

from __future__ import annotations

import mmap
import os
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..model import Administration

PAGE = 100
STORE_NAME = "view.sqlite"
OPEN_ITEMS_NAME = "openitems.sqlite"
OPEN_ITEM_COLUMNS = ("relation_id", "control_account", "invoice", "kind", "invoice_date", "due_date",
                     "original_amount", "paid_amount", "open_amount", "days_overdue", "status", "matched_by")
TEXT_NAME = "search.txt"
INDEX_NAME = "search.idx"
SCHEMA_VERSION = 1

# Line columns kept for the viewer (money as int64 cents, dates as ISO text so they sort as text).
LINE_COLUMNS = (
    "journal_id",
    "entry_nr",
    "line_nr",
    "date",
    "period",
    "entry_description",
    "account_id",
    "amount",
    "description",
    "relation_id",
    "doc_ref",
    "invoice_ref",
    "vat_code",
    "vat_amount",
    "currency",
    "cost_center",
    "project",
)
_INT_COLUMNS = {"amount", "vat_amount"}

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE lines (seq INTEGER PRIMARY KEY, {", ".join(c + (" INTEGER" if c in _INT_COLUMNS else " TEXT")
                                                       for c in LINE_COLUMNS)});
CREATE TABLE opening (account_id TEXT, relation_id TEXT, amount INTEGER, description TEXT);
CREATE TABLE master_accounts (account_id TEXT, name TEXT, kind TEXT);
CREATE TABLE master_journals (journal_id TEXT, description TEXT, kind TEXT);
CREATE TABLE master_relations (relation_id TEXT, name TEXT, kind TEXT, city TEXT, vat_number TEXT, iban TEXT);
"""

# Built after the lines are in: the pages' keys, clustered (WITHOUT ROWID), so a page is one index range.
_DERIVED = """
CREATE TABLE ledger (account_id TEXT NOT NULL, n INTEGER NOT NULL, seq INTEGER NOT NULL, running INTEGER NOT NULL,
    PRIMARY KEY (account_id, n)) WITHOUT ROWID;
INSERT INTO ledger SELECT ifnull(account_id, ''), row_number() OVER w, seq, sum(amount) OVER w FROM lines
    WINDOW w AS (PARTITION BY ifnull(account_id, '') ORDER BY date, seq ROWS UNBOUNDED PRECEDING);
CREATE TABLE relledger (relation_id TEXT NOT NULL, n INTEGER NOT NULL, seq INTEGER NOT NULL, running INTEGER NOT NULL,
    PRIMARY KEY (relation_id, n)) WITHOUT ROWID;
INSERT INTO relledger SELECT relation_id, row_number() OVER w, seq, sum(amount) OVER w FROM lines
    WHERE relation_id IS NOT NULL AND relation_id != ''
    WINDOW w AS (PARTITION BY relation_id ORDER BY date, seq ROWS UNBOUNDED PRECEDING);
CREATE TABLE entries (journal_id TEXT NOT NULL, n INTEGER NOT NULL, entry_nr TEXT, first_seq INTEGER, date TEXT,
    description TEXT, lines INTEGER, debit INTEGER, credit INTEGER, PRIMARY KEY (journal_id, n)) WITHOUT ROWID;
INSERT INTO entries SELECT j, row_number() OVER (PARTITION BY j ORDER BY first_seq), entry_nr, first_seq, date,
    description, lines, debit, credit FROM (
    SELECT ifnull(journal_id, '') AS j, entry_nr, min(seq) AS first_seq, min(date) AS date,
        max(entry_description) AS description, count(*) AS lines,
        sum(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS debit,
        -sum(CASE WHEN amount < 0 THEN amount ELSE 0 END) AS credit
    FROM lines GROUP BY ifnull(journal_id, ''), entry_nr);
CREATE INDEX entries_by_nr ON entries (entry_nr);
CREATE INDEX master_accounts_id ON master_accounts (account_id);
CREATE INDEX master_relations_id ON master_relations (relation_id);
CREATE INDEX lines_by_entry ON lines (entry_nr, journal_id);
CREATE INDEX lines_by_amount ON lines (amount);
CREATE TABLE account_totals AS
    SELECT a.account_id AS account_id, max(m.name) AS name, max(m.kind) AS kind,
        ifnull((SELECT sum(o.amount) FROM opening o WHERE o.account_id = a.account_id), 0) AS opening,
        ifnull(max(t.debit), 0) AS debit, ifnull(max(t.credit), 0) AS credit, ifnull(max(t.lines), 0) AS lines
    FROM (SELECT account_id FROM master_accounts UNION SELECT ifnull(account_id, '') FROM lines
          UNION SELECT account_id FROM opening) a
    LEFT JOIN master_accounts m ON m.account_id = a.account_id
    LEFT JOIN (SELECT ifnull(account_id, '') AS account_id, count(*) AS lines,
                      sum(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS debit,
                      -sum(CASE WHEN amount < 0 THEN amount ELSE 0 END) AS credit
               FROM lines GROUP BY 1) t ON t.account_id = a.account_id
    GROUP BY a.account_id ORDER BY a.account_id;
CREATE TABLE journal_totals AS
    SELECT j.journal_id AS journal_id, max(m.description) AS description, max(m.kind) AS kind,
        ifnull(max(t.entries), 0) AS entries, ifnull(max(t.lines), 0) AS lines,
        ifnull(max(t.debit), 0) AS debit, ifnull(max(t.credit), 0) AS credit
    FROM (SELECT journal_id FROM master_journals UNION SELECT journal_id FROM entries) j
    LEFT JOIN master_journals m ON m.journal_id = j.journal_id
    LEFT JOIN (SELECT journal_id, count(*) AS entries, sum(lines) AS lines, sum(debit) AS debit,
                      sum(credit) AS credit FROM entries GROUP BY 1) t ON t.journal_id = j.journal_id
    GROUP BY j.journal_id ORDER BY j.journal_id;
CREATE TABLE relation_totals AS
    SELECT r.relation_id AS relation_id, max(m.name) AS name, max(m.kind) AS kind, max(m.city) AS city,
        ifnull(max(t.lines), 0) AS lines, ifnull(max(t.balance), 0) AS balance
    FROM (SELECT relation_id FROM master_relations UNION SELECT relation_id FROM relledger) r
    LEFT JOIN master_relations m ON m.relation_id = r.relation_id
    LEFT JOIN (SELECT relation_id, count(*) AS lines, sum(amount) AS balance FROM lines
               WHERE relation_id IS NOT NULL AND relation_id != '' GROUP BY 1) t ON t.relation_id = r.relation_id
    GROUP BY r.relation_id ORDER BY r.relation_id;
"""

_LINE_SELECT = "l.seq, l." + ", l.".join(LINE_COLUMNS)


@dataclass
class Page:
    """One page of rows, with where it sits among all of them."""

    rows: list[dict]
    page: int
    pages: int
    total: int


def arrow_lines(adm: Administration) -> Iterator[pa.RecordBatch]:
    """The administration's lines as Arrow batches of :data:`LINE_COLUMNS` plus ``seq`` (file order)."""
    seq = 0
    for frame in adm.lines.batches():
        table = pa.Table.from_pandas(frame[list(LINE_COLUMNS)], preserve_index=False)
        columns = {"seq": pa.array(range(seq + 1, seq + 1 + len(frame)), pa.int64())}
        for name in LINE_COLUMNS:
            col = table.column(name)
            if name == "date":
                col = pc.strftime(col, format="%Y-%m-%d")
            elif name in _INT_COLUMNS:
                col = col.cast(pa.int64())
            else:
                col = col.cast(pa.string())
            columns[name] = col
        seq += len(frame)
        yield pa.Table.from_pydict(columns).combine_chunks().to_batches()[0]


def _rows(batch: pa.RecordBatch, names: list[str]) -> Iterator[tuple]:
    return zip(*(batch.column(n).to_pylist() for n in names), strict=True)


def searchable(text: str) -> str:
    """Text as the search file holds it: lower-cased the way Arrow does, line breaks and controls as spaces."""
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return pc.utf8_lower(pa.scalar(text, pa.string())).as_py()


def _search_block(batch: pa.RecordBatch) -> tuple[bytes, np.ndarray]:
    """The batch's search text — entry and line description, document and invoice reference, lower-cased, one
    line per line — and each line's length in bytes."""
    parts = [pc.fill_null(batch.column(n), "") for n in ("entry_description", "description", "doc_ref", "invoice_ref")]
    text = pc.utf8_lower(pc.binary_join_element_wise(*parts, " | "))
    text = pc.replace_substring_regex(text, r"[\x00-\x1f\x7f]", " ")  # one line per line, always
    lines = pc.binary_join_element_wise(text, pa.scalar("", pa.string()), "\n")
    return "".join(lines.to_pylist()).encode("utf-8"), pc.binary_length(lines).to_numpy().astype(np.int64)


def _frame_rows(frame: pd.DataFrame | None, columns: list[str]) -> list[tuple]:
    if frame is None or frame.empty:
        return []
    out = frame.reindex(columns=columns).astype(object).where(frame.reindex(columns=columns).notna(), None)
    return [tuple(row) for row in out.itertuples(index=False, name=None)]


def _remove_leftovers(folder: Path) -> None:
    """Temp files of a build whose process is gone (killed while building): ``.NAME.PID.part``."""
    for path in folder.glob(".*.part"):
        pid = path.name.rsplit(".", 2)[-2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
        except PermissionError:  # alive, someone else's
            continue
        else:
            if int(pid) == os.getpid():
                path.unlink(missing_ok=True)


class Store:
    """One auditfile's viewer store in ``folder`` (``view.sqlite``); read-only once built."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / STORE_NAME

    # ---- building ------------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self.path.is_file()

    def load(
        self,
        lines: Iterable[pa.RecordBatch],
        *,
        accounts: pd.DataFrame | None = None,
        journals: pd.DataFrame | None = None,
        relations: pd.DataFrame | None = None,
        opening: pd.DataFrame | None = None,
        meta: dict[str, str] | None = None,
    ) -> None:
        """Build the store from Arrow line batches and the master tables; published whole or not at all."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{STORE_NAME}.{os.getpid()}.part"
        tmp_text = self.folder / f".{TEXT_NAME}.{os.getpid()}.part"
        tmp_index = self.folder / f".{INDEX_NAME}.{os.getpid()}.part"
        _remove_leftovers(self.folder)
        try:
            with closing(sqlite3.connect(tmp, isolation_level=None)) as db:
                db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-200000;"
                                 "PRAGMA temp_store=FILE;")
                db.executescript(_SCHEMA)
                db.execute("BEGIN")
                names = ["seq", *LINE_COLUMNS]
                insert = f"INSERT INTO lines VALUES ({','.join('?' * len(names))})"
                with tmp_text.open("wb") as text_out, tmp_index.open("wb") as index_out:
                    position = 0
                    np.zeros(1, dtype="<i8").tofile(index_out)
                    for batch in lines:
                        db.executemany(insert, _rows(batch, names))
                        block, lengths = _search_block(batch)
                        text_out.write(block)
                        (position + np.cumsum(lengths)).astype("<i8").tofile(index_out)
                        position += len(block)
                db.executemany("INSERT INTO master_accounts VALUES (?,?,?)",
                               _frame_rows(accounts, ["account_id", "name", "kind"]))
                db.executemany("INSERT INTO master_journals VALUES (?,?,?)",
                               _frame_rows(journals, ["journal_id", "description", "kind"]))
                db.executemany("INSERT INTO master_relations VALUES (?,?,?,?,?,?)",
                               _frame_rows(relations, ["relation_id", "name", "kind", "city", "vat_number", "iban"]))
                db.executemany("INSERT INTO opening VALUES (?,?,?,?)",
                               _frame_rows(opening, ["account_id", "relation_id", "amount", "description"]))
                db.executemany("INSERT INTO meta VALUES (?, ?)",
                               [("schema", str(SCHEMA_VERSION)), *sorted((meta or {}).items())])
                db.execute("COMMIT")
                db.executescript(f"BEGIN; {_DERIVED} COMMIT;")
                db.execute("ANALYZE")
            os.replace(tmp_text, self.folder / TEXT_NAME)
            os.replace(tmp_index, self.folder / INDEX_NAME)
            os.replace(tmp, self.path)
        finally:
            for path in (tmp, tmp_text, tmp_index):
                path.unlink(missing_ok=True)

    # ---- reading -------------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        db.row_factory = sqlite3.Row
        return db

    def _all(self, sql: str, args: tuple = ()) -> list[dict]:
        with closing(self._db()) as db:
            return [dict(row) for row in db.execute(sql, args)]

    def _one(self, sql: str, args: tuple = ()) -> dict | None:
        rows = self._all(sql, args)
        return rows[0] if rows else None

    def meta(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self._all("SELECT key, value FROM meta")}

    def accounts(self) -> list[dict]:
        """The trial balance: opening, debit, credit, closing and number of lines per account."""
        rows = self._all("SELECT * FROM account_totals ORDER BY account_id")
        for row in rows:
            row["closing"] = row["opening"] + row["debit"] - row["credit"]
        return rows

    def account(self, account_id: str) -> dict | None:
        row = self._one("SELECT * FROM account_totals WHERE account_id = ?", (account_id,))
        if row is not None:
            row["closing"] = row["opening"] + row["debit"] - row["credit"]
        return row

    @staticmethod
    def _paging(total: int, page: int) -> tuple[int, int]:
        pages = max(1, -(-total // PAGE))
        page = min(max(page, 1), pages)
        return page, pages

    def ledger(self, account_id: str, page: int = 1) -> Page:
        """An account's ledger card, in date order, with the running balance (opening included)."""
        account = self.account(account_id)
        total = account["lines"] if account else 0
        page, pages = self._paging(total, page)
        opening = account["opening"] if account else 0
        rows = self._all(
            f"SELECT g.n, g.running + ? AS running, {_LINE_SELECT}, r.name AS relation_name FROM ledger g "
            "JOIN lines l ON l.seq = g.seq LEFT JOIN master_relations r ON r.relation_id = l.relation_id "
            "WHERE g.account_id = ? AND g.n BETWEEN ? AND ? ORDER BY g.n",
            (opening, account_id, (page - 1) * PAGE + 1, page * PAGE),
        )
        return Page(rows, page, pages, total)

    def entry(self, journal_id: str, entry_nr: str) -> list[dict]:
        """Every line of one entry, in file order, with account names."""
        return self._all(
            f"SELECT {_LINE_SELECT}, a.name AS account_name, r.name AS relation_name FROM lines l "
            "LEFT JOIN master_accounts a ON a.account_id = l.account_id "
            "LEFT JOIN master_relations r ON r.relation_id = l.relation_id "
            "WHERE l.journal_id IS ? AND l.entry_nr IS ? ORDER BY l.seq",
            (journal_id or None, entry_nr),
        )

    def journals(self) -> list[dict]:
        return self._all("SELECT * FROM journal_totals ORDER BY journal_id")

    def journal(self, journal_id: str) -> dict | None:
        return self._one("SELECT * FROM journal_totals WHERE journal_id = ?", (journal_id,))

    def journal_entries(self, journal_id: str, page: int = 1) -> Page:
        journal = self.journal(journal_id)
        total = journal["entries"] if journal else 0
        page, pages = self._paging(total, page)
        rows = self._all(
            "SELECT * FROM entries WHERE journal_id = ? AND n BETWEEN ? AND ? ORDER BY n",
            (journal_id, (page - 1) * PAGE + 1, page * PAGE),
        )
        return Page(rows, page, pages, total)

    def relations(self) -> list[dict]:
        """Every relation with its lines, its balance and (once computed) what is open on it."""
        rows = self._all("SELECT * FROM relation_totals ORDER BY relation_id")
        open_by = self._open_totals()
        for row in rows:
            row["open"] = None if open_by is None else open_by.get(row["relation_id"], 0)
        return rows

    def relation(self, relation_id: str) -> dict | None:
        return self._one(
            "SELECT t.*, m.vat_number, m.iban FROM relation_totals t "
            "LEFT JOIN master_relations m ON m.relation_id = t.relation_id WHERE t.relation_id = ?",
            (relation_id,),
        )

    def relation_lines(self, relation_id: str, page: int = 1) -> Page:
        relation = self.relation(relation_id)
        total = relation["lines"] if relation else 0
        page, pages = self._paging(total, page)
        rows = self._all(
            f"SELECT g.n, g.running, {_LINE_SELECT}, a.name AS account_name FROM relledger g "
            "JOIN lines l ON l.seq = g.seq LEFT JOIN master_accounts a ON a.account_id = l.account_id "
            "WHERE g.relation_id = ? AND g.n BETWEEN ? AND ? ORDER BY g.n",
            (relation_id, (page - 1) * PAGE + 1, page * PAGE),
        )
        return Page(rows, page, pages, total)

    # ---- open items: computed after the store (they need a pass of their own), kept in their own file ----------
    @property
    def open_items_ready(self) -> bool:
        return (self.folder / OPEN_ITEMS_NAME).is_file()

    def save_open_items(self, items: pd.DataFrame | None, note: str = "") -> None:
        """Publish the open items (``koppel openitems``' item table), or a note why there are none."""
        tmp = self.folder / f".{OPEN_ITEMS_NAME}.{os.getpid()}.part"
        tmp.unlink(missing_ok=True)
        try:
            with closing(sqlite3.connect(tmp, isolation_level=None)) as db:
                db.execute(f"CREATE TABLE open_items ({', '.join(OPEN_ITEM_COLUMNS)})")
                db.execute("CREATE TABLE note (text TEXT)")
                db.execute("BEGIN")
                db.execute("INSERT INTO note VALUES (?)", (note,))
                if items is not None and not items.empty:
                    frame = items.copy()
                    for col in ("invoice_date", "due_date"):
                        frame[col] = frame[col].map(lambda d: d.isoformat() if hasattr(d, "isoformat") else None)
                    db.executemany(f"INSERT INTO open_items VALUES ({','.join('?' * len(OPEN_ITEM_COLUMNS))})",
                                   _frame_rows(frame, list(OPEN_ITEM_COLUMNS)))
                # a relation's open items page by page, and its totals without counting them again
                db.execute("CREATE TABLE open_page AS SELECT relation_id, row_number() OVER (PARTITION BY relation_id"
                           " ORDER BY invoice_date, invoice, rowid) AS n, rowid AS item FROM open_items"
                           " WHERE open_amount != 0")
                db.execute("CREATE UNIQUE INDEX open_page_key ON open_page (relation_id, n)")
                db.execute("CREATE TABLE open_totals AS SELECT relation_id, sum(open_amount) AS open,"
                           " sum(open_amount != 0) AS open_count, sum(open_amount = 0) AS paid_count"
                           " FROM open_items GROUP BY relation_id")
                db.execute("CREATE UNIQUE INDEX open_totals_key ON open_totals (relation_id)")
                db.execute("COMMIT")
            os.replace(tmp, self.folder / OPEN_ITEMS_NAME)
        finally:
            tmp.unlink(missing_ok=True)

    def _open_db(self) -> sqlite3.Connection | None:
        if not self.open_items_ready:
            return None
        db = sqlite3.connect(f"file:{self.folder / OPEN_ITEMS_NAME}?mode=ro", uri=True, check_same_thread=False)
        db.row_factory = sqlite3.Row
        return db

    def _open_totals(self) -> dict[str, int] | None:
        db = self._open_db()
        if db is None:
            return None
        with closing(db):
            return {r[0]: r[1] for r in db.execute("SELECT relation_id, open FROM open_totals")}

    def open_summary(self, relation_id: str) -> dict | None:
        """What is open on a relation (amount, open and paid items), or None while not computed."""
        db = self._open_db()
        if db is None:
            return None
        with closing(db):
            row = db.execute("SELECT open, open_count, paid_count FROM open_totals WHERE relation_id = ?",
                             (relation_id,)).fetchone()
        return dict(row) if row else {"open": 0, "open_count": 0, "paid_count": 0}

    def open_items(self, relation_id: str, page: int = 1) -> Page | None:
        """One page of the relation's open items (by invoice date), or None while they are not computed."""
        summary = self.open_summary(relation_id)
        if summary is None:
            return None
        page, pages = self._paging(summary["open_count"], page)
        db = self._open_db()
        with closing(db):  # type: ignore[arg-type]
            rows = [dict(r) for r in db.execute(
                "SELECT o.* FROM open_page p JOIN open_items o ON o.rowid = p.item WHERE p.relation_id = ? "
                "AND p.n BETWEEN ? AND ? ORDER BY p.n", (relation_id, (page - 1) * PAGE + 1, page * PAGE))]
        return Page(rows, page, pages, summary["open_count"])

    def open_items_note(self) -> str:
        db = self._open_db()
        if db is None:
            return ""
        with closing(db):
            row = db.execute("SELECT text FROM note").fetchone()
        return row[0] if row else ""

    def search(
        self, *, text: str | None = None, cents: int | None = None, entry_nr: str | None = None, after: int = 0
    ) -> tuple[list[dict], bool]:
        """Lines matching the condition, in file order from ``seq > after``; and whether more follow.

        ``text`` is found anywhere in the entry or line description or the document/invoice reference (case
        ignored); ``cents`` matches the amount on either side; ``entry_nr`` the entry number exactly.
        """
        if text:
            seqs = self._find_text(searchable(text), after, PAGE + 1)
        else:
            where, args = ["seq > ?"], [after]
            if cents is not None:
                where.append("amount IN (?, ?)")
                args += [cents, -cents]
            if entry_nr:
                where.append("entry_nr = ?")
                args.append(entry_nr)
            rows = self._all(f"SELECT seq FROM lines WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?",
                             (*args, PAGE + 1))
            seqs = [r["seq"] for r in rows]
        more = len(seqs) > PAGE
        seqs = seqs[:PAGE]
        if not seqs:
            return [], False
        rows = self._all(
            f"SELECT {_LINE_SELECT}, a.name AS account_name, r.name AS relation_name FROM lines l "
            "LEFT JOIN master_accounts a ON a.account_id = l.account_id "
            "LEFT JOIN master_relations r ON r.relation_id = l.relation_id "
            f"WHERE l.seq IN ({','.join('?' * len(seqs))}) ORDER BY l.seq",
            tuple(seqs),
        )
        return rows, more

    def _find_text(self, term: str, after: int, limit: int) -> list[int]:
        """The seq of the first ``limit`` lines after ``after`` whose search text holds ``term``."""
        needle = term.encode("utf-8")
        index = np.memmap(self.folder / INDEX_NAME, dtype="<i8", mode="r")
        if not needle or after >= len(index) - 1 or int(index[-1]) == 0:
            return []
        found: list[int] = []
        with (self.folder / TEXT_NAME).open("rb") as handle, \
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as text:  # unmapped again after the search
            pos = text.find(needle, int(index[after]))
            while pos != -1 and len(found) < limit:
                line = int(np.searchsorted(index, pos, side="right"))  # 1-based: the line's seq
                found.append(line)
                pos = text.find(needle, int(index[line]))  # on from the next line
        return found
