"""The contenders of bench_viewer_store.py: the same viewer store and queries on DuckDB and on Parquet (pyarrow).

koppel's own store (SQLite, koppel/web/store.py) is the reference: same method names, same rows, same paging.
Only what the benchmark times is implemented here (lines, ledger cards, entries, relation cards, search).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from koppel.web.store import _LINE_SELECT, LINE_COLUMNS, PAGE, Page, Store

_SELECT = "l.seq, " + ", ".join(f"l.{c}" for c in LINE_COLUMNS)


class SqliteLikeStore(Store):
    """koppel's store with text search as SQLite's LIKE over a lower-cased text column (what it replaced)."""

    def load(self, lines, **kwargs) -> None:
        import sqlite3

        super().load(lines, **kwargs)
        with sqlite3.connect(self.path) as db:
            db.execute("CREATE TABLE search_text (seq INTEGER PRIMARY KEY, text TEXT)")
            db.execute("INSERT INTO search_text SELECT seq, lower(ifnull(entry_description, '') || ' | ' ||"
                       " ifnull(description, '') || ' | ' || ifnull(doc_ref, '') || ' | ' || ifnull(invoice_ref, ''))"
                       " FROM lines")

    def search(self, *, text=None, cents=None, entry_nr=None, after: int = 0):
        if not text:
            return super().search(cents=cents, entry_nr=entry_nr, after=after)
        rows = self._all(
            f"SELECT {_LINE_SELECT} FROM lines l WHERE l.seq IN (SELECT seq FROM search_text WHERE seq > ? AND "
            "text LIKE ? ORDER BY seq LIMIT ?) ORDER BY l.seq", (after, f"%{text.lower()}%", PAGE + 1))
        return rows[:PAGE], len(rows) > PAGE


class DuckStore:
    """DuckDB: lines in file order plus a ledger ordered by (account, n); zone maps prune the pages."""

    def __init__(self, folder: Path) -> None:
        import duckdb

        self.path = Path(folder) / "view.duckdb"
        self._duckdb = duckdb
        self._con = duckdb.connect(str(self.path)) if self.path.exists() else None

    def load(self, lines) -> None:
        con = self._duckdb.connect(str(self.path))
        first = True
        for batch in lines:
            arrow_batch = pa.Table.from_batches([batch])  # noqa: F841 (DuckDB reads the local variable by name)
            con.execute("CREATE TABLE lines AS SELECT * FROM arrow_batch" if first
                        else "INSERT INTO lines SELECT * FROM arrow_batch")
            first = False
        con.execute("""
            CREATE TABLE search_text AS SELECT seq, lower(concat_ws(chr(31), coalesce(entry_description, ''),
                coalesce(description, ''), coalesce(doc_ref, ''), coalesce(invoice_ref, ''))) AS text FROM lines;
            CREATE TABLE ledger AS SELECT coalesce(account_id, '') AS account_id,
                row_number() OVER w AS n, seq, sum(amount) OVER w AS running FROM lines
                WINDOW w AS (PARTITION BY coalesce(account_id, '') ORDER BY date, seq ROWS UNBOUNDED PRECEDING)
                ORDER BY account_id, n;
            CREATE TABLE relledger AS SELECT relation_id, row_number() OVER w AS n, seq, sum(amount) OVER w AS running
                FROM lines WHERE relation_id IS NOT NULL AND relation_id != ''
                WINDOW w AS (PARTITION BY relation_id ORDER BY date, seq ROWS UNBOUNDED PRECEDING)
                ORDER BY relation_id, n;
            CREATE TABLE entries AS SELECT j AS journal_id, row_number() OVER (PARTITION BY j ORDER BY first_seq) AS n,
                entry_nr, first_seq, date, description, lines, debit, credit FROM (
                SELECT coalesce(journal_id, '') AS j, entry_nr, min(seq) AS first_seq, min(date) AS date,
                    max(entry_description) AS description, count(*) AS lines,
                    sum(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS debit,
                    -sum(CASE WHEN amount < 0 THEN amount ELSE 0 END) AS credit
                FROM lines GROUP BY 1, 2) ORDER BY journal_id, n;
            CREATE TABLE account_totals AS SELECT coalesce(account_id, '') AS account_id, count(*) AS lines,
                sum(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS debit,
                -sum(CASE WHEN amount < 0 THEN amount ELSE 0 END) AS credit FROM lines GROUP BY 1 ORDER BY 1;
            CREATE TABLE relation_totals AS SELECT relation_id, count(*) AS lines FROM relledger GROUP BY 1 ORDER BY 1;
            CREATE TABLE journal_totals AS SELECT journal_id, count(*) AS entries FROM entries GROUP BY 1 ORDER BY 1;
            CREATE INDEX lines_seq ON lines (seq);
            CREATE INDEX lines_entry ON lines (entry_nr);
            CREATE INDEX lines_amount ON lines (amount);
        """)
        con.close()
        self._con = self._duckdb.connect(str(self.path))

    def _all(self, sql: str, args: tuple = ()) -> list[dict]:
        cur = self._con.cursor()
        cur.execute(sql, list(args))
        names = [d[0] for d in cur.description]
        out = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        cur.close()
        return out

    def accounts(self) -> list[dict]:
        rows = self._all("SELECT * FROM account_totals ORDER BY account_id")
        for row in rows:
            row["closing"] = row["debit"] - row["credit"]
        return rows

    def ledger(self, account_id: str, page: int = 1) -> Page:
        total = self._all("SELECT lines FROM account_totals WHERE account_id = ?", (account_id,))[0]["lines"]
        rows = self._all(
            f"SELECT g.n, g.running, {_SELECT} FROM ledger g JOIN lines l ON l.seq = g.seq "
            "WHERE g.account_id = ? AND g.n BETWEEN ? AND ? ORDER BY g.n",
            (account_id, (page - 1) * PAGE + 1, page * PAGE),
        )
        return Page(rows, page, -(-total // PAGE), total)

    def entry(self, journal_id: str, entry_nr: str) -> list[dict]:
        return self._all(
            f"SELECT {_SELECT} FROM lines l WHERE l.entry_nr = ? AND l.journal_id IS NOT DISTINCT FROM ? "
            "ORDER BY l.seq",
            (entry_nr, journal_id),
        )

    def journals(self) -> list[dict]:
        return self._all("SELECT * FROM journal_totals ORDER BY journal_id")

    def journal_entries(self, journal_id: str, page: int = 1) -> Page:
        total = self._all("SELECT entries FROM journal_totals WHERE journal_id = ?", (journal_id,))[0]["entries"]
        rows = self._all(
            "SELECT * FROM entries WHERE journal_id = ? AND n BETWEEN ? AND ? ORDER BY n",
            (journal_id, (page - 1) * PAGE + 1, page * PAGE),
        )
        return Page(rows, page, -(-total // PAGE), total)

    def relations(self) -> list[dict]:
        return self._all("SELECT * FROM relation_totals ORDER BY relation_id")

    def relation_lines(self, relation_id: str, page: int = 1) -> Page:
        total = self._all("SELECT lines FROM relation_totals WHERE relation_id = ?", (relation_id,))[0]["lines"]
        rows = self._all(
            f"SELECT g.n, g.running, {_SELECT} FROM relledger g JOIN lines l ON l.seq = g.seq "
            "WHERE g.relation_id = ? AND g.n BETWEEN ? AND ? ORDER BY g.n",
            (relation_id, (page - 1) * PAGE + 1, page * PAGE),
        )
        return Page(rows, page, -(-total // PAGE), total)

    def search(self, *, text=None, cents=None, entry_nr=None, after: int = 0):
        where, args = ["seq > ?"], [after]
        table = "lines"
        if cents is not None:
            where.append("amount IN (?, ?)")
            args += [cents, -cents]
        if entry_nr:
            where.append("entry_nr = ?")
            args.append(entry_nr)
        if text:
            table = "search_text"
            where.append("contains(text, ?)")
            args.append(text.lower())
        seqs = [r["seq"] for r in self._all(
            f"SELECT seq FROM {table} WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?", (*args, PAGE + 1))]
        if not seqs:
            return [], False
        rows = self._all(f"SELECT {_SELECT} FROM lines l WHERE l.seq IN ({','.join('?' * len(seqs))}) ORDER BY l.seq",
                         tuple(seqs))
        return rows[:PAGE], len(rows) > PAGE


class ParquetStore:
    """Parquet files read with pyarrow: lines by seq, a ledger sorted by (account, n) with the line columns
    beside it, a relation card likewise; row-group statistics prune; text search scans its column."""

    ROW_GROUP = 16_384

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def load(self, lines) -> None:
        import duckdb  # only to compute the windows once; the queries are pyarrow's

        lines_path = self.folder / "lines.parquet"
        writer = None
        for batch in lines:
            text = pc.utf8_lower(pc.binary_join_element_wise(
                *[pc.fill_null(batch.column(n), "") for n in ("entry_description", "description", "doc_ref",
                                                             "invoice_ref")], "\x1f"))
            batch = pa.RecordBatch.from_arrays([*batch.columns, text], [*batch.schema.names, "text"])
            if writer is None:
                writer = pq.ParquetWriter(lines_path, batch.schema)
            writer.write_batch(batch, row_group_size=self.ROW_GROUP)
        writer.close()
        con = duckdb.connect()
        src = f"read_parquet('{lines_path}')"
        con.execute(f"""COPY (SELECT coalesce(account_id, '') AS key, row_number() OVER w AS n,
            CAST(sum(amount) OVER w AS BIGINT) AS running, * EXCLUDE (text) FROM {src}
            WINDOW w AS (PARTITION BY coalesce(account_id, '') ORDER BY date, seq ROWS UNBOUNDED PRECEDING)
            ORDER BY key, n) TO '{self.folder / "ledger.parquet"}' (ROW_GROUP_SIZE {self.ROW_GROUP})""")
        con.execute(f"""COPY (SELECT relation_id AS key, row_number() OVER w AS n, sum(amount) OVER w AS running,
            * EXCLUDE (text) FROM {src} WHERE relation_id IS NOT NULL AND relation_id != ''
            WINDOW w AS (PARTITION BY relation_id ORDER BY date, seq ROWS UNBOUNDED PRECEDING)
            ORDER BY key, n) TO '{self.folder / "relledger.parquet"}' (ROW_GROUP_SIZE {self.ROW_GROUP})""")
        con.execute(f"""COPY (SELECT j AS key, row_number() OVER (PARTITION BY j ORDER BY first_seq) AS n, * EXCLUDE (j)
            FROM (SELECT coalesce(journal_id, '') AS j, entry_nr, min(seq) AS first_seq, min(date) AS date,
                max(entry_description) AS description, count(*) AS lines,
                sum(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS debit,
                -sum(CASE WHEN amount < 0 THEN amount ELSE 0 END) AS credit FROM {src} GROUP BY 1, 2)
            ORDER BY key, n) TO '{self.folder / "entries.parquet"}' (ROW_GROUP_SIZE {self.ROW_GROUP})""")
        con.execute(f"""COPY (SELECT * FROM {src} ORDER BY entry_nr, seq)
            TO '{self.folder / "lines_by_entry.parquet"}' (ROW_GROUP_SIZE {self.ROW_GROUP})""")
        con.close()

    def _page(self, name: str, key: str, page: int, columns=None) -> Page:
        data = ds.dataset(self.folder / f"{name}.parquet")
        keyed = ds.field("key") == key
        total = data.count_rows(filter=keyed)
        lo, hi = (page - 1) * PAGE + 1, page * PAGE
        table = data.to_table(filter=keyed & (ds.field("n") >= lo) & (ds.field("n") <= hi), columns=columns)
        rows = table.sort_by("n").to_pylist()
        for row in rows:
            row.pop("key", None)
        return Page(rows, page, -(-total // PAGE), total)

    def accounts(self) -> list[dict]:
        table = ds.dataset(self.folder / "lines.parquet").to_table(columns=["account_id", "amount"])
        amount = table.column("amount")
        grouped = pa.table({
            "account_id": pc.fill_null(table.column("account_id"), ""),
            "debit": pc.if_else(pc.greater(amount, 0), amount, 0),
            "credit": pc.negate(pc.if_else(pc.less(amount, 0), amount, 0)),
        }).group_by("account_id").aggregate([("debit", "sum"), ("debit", "count"), ("credit", "sum")])
        rows = sorted(grouped.to_pylist(), key=lambda r: r["account_id"])
        return [{"account_id": r["account_id"], "lines": r["debit_count"], "debit": r["debit_sum"],
                 "credit": r["credit_sum"], "closing": r["debit_sum"] - r["credit_sum"]} for r in rows]

    def ledger(self, account_id: str, page: int = 1) -> Page:
        return self._page("ledger", account_id, page)

    def entry(self, journal_id: str, entry_nr: str) -> list[dict]:
        data = ds.dataset(self.folder / "lines_by_entry.parquet")
        table = data.to_table(filter=(ds.field("entry_nr") == entry_nr) & (ds.field("journal_id") == journal_id))
        return table.drop_columns(["text"]).sort_by("seq").to_pylist()

    def journals(self) -> list[dict]:
        table = ds.dataset(self.folder / "entries.parquet").to_table(columns=["key"])
        counts = table.group_by("key").aggregate([("key", "count")]).to_pylist()
        return sorted(({"journal_id": r["key"], "entries": r["key_count"]} for r in counts),
                      key=lambda r: r["journal_id"])

    def journal_entries(self, journal_id: str, page: int = 1) -> Page:
        result = self._page("entries", journal_id, page)
        for row in result.rows:
            row["journal_id"] = journal_id
        return result

    def relations(self) -> list[dict]:
        table = ds.dataset(self.folder / "relledger.parquet").to_table(columns=["key"])
        counts = table.group_by("key").aggregate([("key", "count")]).to_pylist()
        return sorted(({"relation_id": r["key"], "lines": r["key_count"]} for r in counts),
                      key=lambda r: r["relation_id"])

    def relation_lines(self, relation_id: str, page: int = 1) -> Page:
        return self._page("relledger", relation_id, page)

    def search(self, *, text=None, cents=None, entry_nr=None, after: int = 0):
        data = ds.dataset(self.folder / "lines.parquet")
        cond = ds.field("seq") > after
        if cents is not None:
            cond = cond & ds.field("amount").isin([cents, -cents])
        if entry_nr:
            cond = cond & (ds.field("entry_nr") == entry_nr)
        if text:
            cond = cond & pc.match_substring(ds.field("text"), text.lower())
        rows = []
        for batch in data.to_batches(filter=cond):  # file order; stop at the first page
            rows += batch.drop_columns(["text"]).to_pylist() if hasattr(batch, "drop_columns") else [
                {k: v for k, v in r.items() if k != "text"} for r in batch.to_pylist()]
            if len(rows) > PAGE:
                break
        return rows[:PAGE], len(rows) > PAGE


ENGINES = {"sqlite": Store, "sqlite-like": SqliteLikeStore, "duckdb": DuckStore, "parquet": ParquetStore}


def _norm(rows: list[dict], keys: tuple[str, ...]) -> list[tuple]:
    return [tuple(str(r.get(k)) for k in keys) for r in rows]


def queries(store):
    """(name, callable) for every page the viewer serves, with keys taken from the store itself: the largest
    account's card (first, middle and last page), an entry, a journal's and a relation's middle page, and the
    three kinds of search (a text found nowhere scans everything)."""
    accounts = store.accounts()
    big = max(accounts, key=lambda a: a["lines"])
    pages = -(-big["lines"] // PAGE)
    journals = store.journals()
    journal = max(journals, key=lambda j: j["entries"])
    jpages = -(-journal["entries"] // PAGE)
    relations = store.relations()
    relation = max(relations, key=lambda r: r["lines"])
    rpages = -(-relation["lines"] // PAGE)
    middle = store.journal_entries(journal["journal_id"], jpages // 2).rows[0]
    sample = store.entry(middle["journal_id"], middle["entry_nr"])
    line_keys = ("seq", "account_id", "amount", "date")
    ledger_keys = ("n", "seq", "running", "amount")
    return [
        ("trial balance", lambda: [(a["account_id"], a["debit"], a["credit"]) for a in store.accounts()]),
        (f"ledger {big['account_id']} page 1", lambda: _norm(store.ledger(big["account_id"], 1).rows, ledger_keys)),
        (f"ledger {big['account_id']} page {pages // 2}",
         lambda: _norm(store.ledger(big["account_id"], pages // 2).rows, ledger_keys)),
        (f"ledger {big['account_id']} page {pages} (last)",
         lambda: _norm(store.ledger(big["account_id"], pages).rows, ledger_keys)),
        ("entry (all its lines)", lambda: _norm(store.entry(middle["journal_id"], middle["entry_nr"]), line_keys)),
        (f"journal {journal['journal_id']} entries page {jpages // 2}",
         lambda: _norm(store.journal_entries(journal["journal_id"], jpages // 2).rows, ("n", "entry_nr", "lines"))),
        (f"relation {relation['relation_id']} page {rpages // 2}",
         lambda: _norm(store.relation_lines(relation["relation_id"], rpages // 2).rows, ledger_keys)),
        ("search text, no hit (full scan)", lambda: _norm(store.search(text="zzqx")[0], line_keys)),
        ("search text, common (first page)", lambda: _norm(store.search(text="factuur")[0], line_keys)),
        (f"search text {middle['entry_nr']} (rare)",
         lambda: _norm(store.search(text=middle["entry_nr"].lower())[0], line_keys)),
        ("search amount", lambda: _norm(store.search(cents=abs(sample[0]["amount"]))[0], line_keys)),
        ("search entry number", lambda: _norm(store.search(entry_nr=middle["entry_nr"])[0], line_keys)),
    ]
