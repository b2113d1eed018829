"""The checker's subscription to the content pass (:class:`koppel.xaf.events.RecordPass`): raw values as written.

Master data, transactions and subledgers are handled when their element ends; the pass then frees them, so
memory does not grow with the number of lines. Handlers never change the tree themselves: they answer KEEP for a
container (company, periods, transactions) whose unread content another subscriber may still count. What the
end-of-file rules need is kept as small dicts, sets of 64-bit hashes (uniqueness) and one int64 array of
line-key hashes (K10). The scanner only dispatches: each per-element rule is a small function in a module of its
family (:mod:`.rules_unique`, :mod:`.rules_refs`, :mod:`.rules_dates`, :mod:`.rules_values`,
:mod:`.rules_codes`, :mod:`.rules_balance`), called with the values the handler read; the rules that need the
whole file run afterwards in :mod:`koppel.checks.rules`. What stays here is reading: which children a record
has, the running totals, and the facts the file-level rules and the result need.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from ..errors import KoppelError
from ..money import parse_cents
from ..xaf.codes import BASIC_TYPE_OF, ONLY_IN_3, ONLY_IN_40, REF_FIELDS, codes_for
from ..xaf.events import KEEP, Handler, RecordPass
from .findings import Collector
from .rules_balance import rule_o03_opening_on_result_account, rule_t07_entry_balances, rule_t10_subledger_totals
from .rules_codes import (
    rule_v05_account_type,
    rule_v05_clair2_account_type,
    rule_v05_journal_type,
    rule_v05_relation_type,
)
from .rules_dates import rule_d01_entry_date_in_year, rule_d02_entry_date_in_period, rule_d03_effective_date_in_year
from .rules_refs import (
    rule_k01_account_known,
    rule_k02_opening_account_known,
    rule_k03_relation_known,
    rule_k04_vat_code_known,
    rule_k06_period_known,
    rule_k08_subledger_journal_known,
    rule_k09_code_in_basics,
)
from .rules_unique import (
    rule_u01_relation_id_unique,
    rule_u02_account_id_unique,
    rule_u03_rgs_code_unique,
    rule_u04_vat_id_unique,
    rule_u05_period_number_unique,
    rule_u06_journal_id_unique,
    rule_u07_entry_unique,
    rule_u08_line_nr_unique,
    rule_u09_opening_line_nr_unique,
    rule_u10_basic_unique,
    rule_u11_subledger_line_nr_unique,
    rule_u12_clair2_id_unique,
)
from .rules_values import (
    MAX_REFERENCE,
    rule_v01_reference_length,
    rule_v02_amount_not_negative,
    rule_v03_amount,
    rule_v03_line_amount,
    rule_v04_side,
    rule_v06_clair2_one_side,
    rule_v07_negative_vat,
)
from .rules_values import text_of as _t


@dataclass
class Facts:
    """What the pass learnt; read by the file-level rules and the result builder."""

    version: str
    header: dict = field(default_factory=dict)
    header_lines: dict = field(default_factory=dict)
    company: dict = field(default_factory=dict)
    accounts: dict = field(default_factory=dict)  # accID -> (name, kind)
    relations: set = field(default_factory=set)
    vat_codes: set = field(default_factory=set)
    vat_accounts: list = field(default_factory=list)  # (line, vatID, which, accID)
    periods: dict = field(default_factory=dict)  # number -> (start, end, line)
    periods_table: bool = False
    basics: set = field(default_factory=set)  # (type, id)
    journals: dict = field(default_factory=dict)  # jrnID -> stats dict
    tb: dict = field(default_factory=dict)  # account -> [opening, debit, credit]
    by_period: dict = field(default_factory=dict)  # period -> [debit, credit, lines]
    ob: dict | None = None  # openingBalance facts
    tx_totals: dict = field(default_factory=dict)  # declared linesCount/totalDebit/totalCredit (+ lines)
    sum_d: int = 0
    sum_c: int = 0
    n_tx: int = 0
    n_lines: int = 0
    opening_tx: list = field(default_factory=list)  # (line, journal, nr) of period-0 / jrnTp O transactions
    # the opening balance as period-0 / jrnTp O transactions, as the reader takes it: lines, Σ debit, Σ credit
    opening_tx_lines: int = 0
    opening_tx_d: int = 0
    opening_tx_c: int = 0
    offset_accounts: list = field(default_factory=list)  # (line, jrnID, offsetAccID) for K11
    negative_vat: int = 0
    line_keys: array = field(default_factory=lambda: array("q"))
    sb_refs: list = field(default_factory=list)  # (line, path, jrnID, trNr, trLineNr)
    subledgers: int = 0
    sb_lines: int = 0
    markers: dict = field(default_factory=dict)  # foreign-vocabulary element -> first line


class Scanner:
    """Subscribes to a content pass and reports per-element findings to ``out``."""

    def __init__(self, version: str, out: Collector) -> None:
        self.v = version
        self.c2 = version == "2.0"
        self.v4 = version == "4.0"
        self.codes = codes_for(version)
        self.ns = ""  # the tag prefix of the pass subscribed to (empty where the source dropped the namespace)
        self.out = out
        self.f = Facts(version)
        self._tx_seen: set[int] = set()
        self._record_ids: set[int] = set()
        self._tx_ids: set[int] = set()
        self._seen: dict[str, set] = {}
        self._journal_elem = None
        self._jstats: dict | None = None
        self._jrn_opening = False

    # ------------------------------------------------------------------------------------------
    def tag(self, name: str) -> str:
        return self.ns + name

    def subscribe(self, records: RecordPass) -> None:
        """Hand the pass this scanner's handlers; it sees tags as ``records`` parses them."""
        self.ns = records.ns
        # few tags: libxml2 compares every element against this list
        names = ["header", "customerSupplier", "ledgerAccount", "journal", "transaction", "transactions", "company"]
        if not self.c2:
            names += ["vatCode", "period", "basic", "obLine", "openingBalance", "subledger", "obSubledger", "periods"]
        handlers: dict[str, Handler] = {n: getattr(self, "_" + n) for n in names}
        handlers["auditfile"] = self._auditfile  # its end is the end of the pass
        records.subscribe(handlers)

    def run(self, records: RecordPass) -> Facts:
        """The pass with only this scanner subscribed, to its end."""
        self.subscribe(records)
        records.run_to_end()
        return self.f

    def _auditfile(self, _elem) -> bool:
        """The pass has ended: drop what only the uniqueness rules needed while it ran (a hash per transaction).

        A job that checks and converts on one pass writes its output after the pass, with the check's result still
        to come; these sets were then the check's largest part (1.2M lines: ~30 MB of 424k transactions' hashes)."""
        self._tx_seen = set()
        self._record_ids = set()
        self._tx_ids = set()
        self._seen = {}
        return KEEP  # the root: what is left of the tree stays for the reader's count

    # -- helpers -------------------------------------------------------------------------------
    def _kids(self, elem) -> dict:
        """First child element per local name (text-bearing children only matter here)."""
        cut = len(self.ns)
        out: dict = {}
        for child in elem:
            tag = child.tag
            if isinstance(tag, str):
                out.setdefault(tag[cut:], child)
        return out

    def _seen_in(self, scope: str) -> set:
        """The ids a uniqueness scope has seen (one set per scope, made on first use)."""
        seen = self._seen.get(scope)
        if seen is None:
            seen = self._seen[scope] = set()
        return seen

    def _negative_vat(self, elem, path: str) -> None:
        if rule_v07_negative_vat(elem, path, self.out):
            self.f.negative_vat += 1

    # -- header and company --------------------------------------------------------------------
    def _header(self, elem) -> None:
        for name, child in self._kids(elem).items():
            self.f.header[name] = _t(child)
            self.f.header_lines[name] = child.sourceline
        self.f.header_lines["header"] = elem.sourceline
        if not self.c2 and not self.v4 and "RGSVersion" in self.f.header:
            self._mark(["RGSVersion"], elem)

    def _company(self, elem) -> bool:
        kids = self._kids(elem)
        for name, child in kids.items():
            if not len(child):
                self.f.company[name] = _t(child)
        if not self.c2:
            self._mark([n for n in (ONLY_IN_3 if self.v4 else ONLY_IN_40) if n in kids], elem)
        return KEEP  # it holds everything: what no one read stays for the reader's count of what is left

    # -- master data ---------------------------------------------------------------------------
    def _customerSupplier(self, elem) -> None:
        k = self._kids(elem)
        cid = _t(k.get("custSupID"))
        line = elem.sourceline
        path = f"customerSupplier[{cid}]"
        rule_u01_relation_id_unique(cid, line, self._seen_in("cs"), self.out)
        if cid is not None:
            self.f.relations.add(cid)
        if not self.c2:
            rule_v05_relation_type(k, path, self.codes, self.out)

    def _ledgerAccount(self, elem) -> None:
        k = self._kids(elem)
        line = elem.sourceline
        if self.c2:
            acc, name = _t(k.get("accountID")), _t(k.get("accountDesc"))
            kind = rule_v05_clair2_account_type(k, acc, self.out)
        else:
            acc, name = _t(k.get("accID")), _t(k.get("accDesc"))
            kind = rule_v05_account_type(k, acc, self.codes, self.out)
            rgs = _t(k.get("RGScode"))
            rule_u03_rgs_code_unique(rgs, acc, line, self._seen_in("rgs"), self.out)
        if not self.c2:
            self._mark([n for n in (ONLY_IN_3 if self.v4 else ONLY_IN_40) if n in k], elem)
        rule_u02_account_id_unique(acc, line, self._seen_in("acc"), self.out)
        if acc is not None and acc not in self.f.accounts:
            self.f.accounts[acc] = (name, kind)

    def _vatCode(self, elem) -> None:
        k = self._kids(elem)
        vid = _t(k.get("vatID"))
        rule_u04_vat_id_unique(vid, elem.sourceline, self._seen_in("vat"), self.out)
        if vid is not None:
            self.f.vat_codes.add(vid)
        for which in ("vatToPayAccID", "vatToClaimAccID"):
            acc = _t(k.get(which))
            if acc is not None:
                self.f.vat_accounts.append((k[which].sourceline, vid, which, acc))

    def _periods(self, elem) -> bool:
        self.f.periods_table = True
        return KEEP

    def _period(self, elem) -> None:
        k = self._kids(elem)
        nr = _t(k.get("periodNumber"))
        rule_u05_period_number_unique(nr, elem.sourceline, self._seen_in("period"), self.out)
        start, end = _t(k.get("startDatePeriod")), _t(k.get("endDatePeriod"))
        if nr is not None and nr not in self.f.periods:
            self.f.periods[nr] = (start[:10] if start else None, end[:10] if end else None, elem.sourceline)
        self.f.periods_table = True

    def _basic(self, elem) -> None:
        if self.v4:
            self._mark(["basics"], elem)
        k = self._kids(elem)
        rule_u10_basic_unique(_t(k.get("basicType")), _t(k.get("basicID")), elem.sourceline, self.f.basics, self.out)

    # -- opening balance -----------------------------------------------------------------------
    def _ob(self) -> dict:
        if self.f.ob is None:
            self.f.ob = {"lines": 0, "sum_d": 0, "sum_c": 0, "line": None}
        return self.f.ob

    def _obLine(self, elem) -> None:
        k = self._kids(elem)
        ob = self._ob()
        ob["lines"] += 1
        nr, acc = _t(k.get("nr")), _t(k.get("accID"))
        line = elem.sourceline
        path = f"openingBalance/obLine[{nr}]"
        out = self.out
        rule_u09_opening_line_nr_unique(nr, line, path, self._seen_in("obline"), out)
        if acc is not None:
            rule_k02_opening_account_known(acc, k["accID"].sourceline, path, self.f.accounts, out)
        cents = rule_v03_amount(k.get("amnt"), path + "/amnt", out)
        side = rule_v04_side(k.get("amntTp"), line, path, out)
        if cents is not None:
            rule_v02_amount_not_negative(cents, k["amnt"], path + "/amnt", out)
        if cents is not None and side is not None:
            if side == "D":
                ob["sum_d"] += cents
            else:
                ob["sum_c"] += cents
            signed = cents if side == "D" else -cents
            row = self.f.tb.setdefault(acc, [0, 0, 0])
            row[0] += signed
            rule_o03_opening_on_result_account(acc, signed, self.f.accounts.get(acc), _t(k["amnt"]), line, path, out)

    def _openingBalance(self, elem) -> None:
        k = self._kids(elem)
        ob = self._ob()
        ob["line"] = elem.sourceline
        ob["present"] = True
        for name in ("linesCount", "totalDebit", "totalCredit", "opBalDate", "opBalDesc"):
            child = k.get(name)
            ob[name] = _t(child)
            ob[name + "_line"] = child.sourceline if child is not None else elem.sourceline

    # -- control totals (transactions; CLAIR2 header of transactions) ---------------------------
    def _transactions(self, elem) -> bool:
        """Declared control totals; journals and subledgers are gone by now, so few children remain."""
        for name, child in self._kids(elem).items():
            if name in ("linesCount", "totalDebit", "totalCredit", "numberEntries"):
                self.f.tx_totals[name] = _t(child)
                self.f.tx_totals[name + "_line"] = child.sourceline
        return KEEP

    def _mark(self, names, elem) -> None:
        """XAF-F07 evidence: elements of the other vocabulary (4.0 in a 3.x file or the reverse)."""
        for name in names:
            self.f.markers.setdefault(name, elem.sourceline)

    # -- journals and transactions -------------------------------------------------------------
    def _journal_of(self, jelem) -> dict:
        if jelem is self._journal_elem and self._jstats is not None:
            return self._jstats
        k = {}
        cut = len(self.ns)
        tx_tag = self.ns + "transaction"
        for child in jelem:
            if child.tag == tx_tag:
                break
            if isinstance(child.tag, str):
                k.setdefault(child.tag[cut:], child)
        offset = None
        if self.c2:
            jid, desc, kind = _t(k.get("journalID")), _t(k.get("description")), _t(k.get("type"))
        else:
            jid, desc, kind = _t(k.get("jrnID")), _t(k.get("desc")), _t(k.get("jrnTp"))
            offset = _t(k.get("offsetAccID"))
            rule_v05_journal_type(k, jid, self.codes, self.out)
        rule_u06_journal_id_unique(jid, jelem.sourceline, self._seen_in("jrn"), self.out)
        key = jid if jid is not None else ""
        stats = self.f.journals.get(key)
        if stats is None:
            stats = self.f.journals[key] = {
                "journal": key, "description": desc, "kind": kind, "transactions": 0, "lines": 0,
                "debit": 0, "credit": 0, "line": jelem.sourceline,
            }  # fmt: skip
            if offset is not None:  # XAF-K11, checked against the accounts at the end
                self.f.offset_accounts.append((k["offsetAccID"].sourceline, key, offset))
        self._journal_elem, self._jstats = jelem, stats
        self._jrn_opening = kind == "O" and not self.c2
        return stats

    def _journal(self, elem) -> None:
        self._journal_of(elem)
        self._journal_elem = self._jstats = None

    def _transaction(self, elem) -> None:
        if self.c2:
            self._transaction_c2(elem)
            return
        f, out, ns = self.f, self.out, self.ns
        jstats = self._journal_of(elem.getparent())
        jid = jstats["journal"]
        line_tag = ns + "trLine"
        k: dict = {}
        lines = []
        for child in elem:
            tag = child.tag
            if tag == line_tag:
                lines.append(child)
            elif tag not in k:
                k[tag] = child
        nr = _t(k.get(ns + "nr"))
        txline = elem.sourceline
        tpath = f"journal[{jid}]/transaction[{nr}]"
        f.n_tx += 1
        jstats["transactions"] += 1
        rule_u07_entry_unique(jid, nr, txline, tpath, self._tx_seen, out)
        period_el, date_el = k.get(ns + "periodNumber"), k.get(ns + "trDt")
        period = _t(period_el)
        date = _t(date_el)
        date = date[:10] if date else None
        opening = period == "0" or self._jrn_opening
        if opening:
            f.opening_tx.append((txline, jid, nr))
        start, end = self._year
        if date and start and end and not (start <= date <= end):
            rule_d01_entry_date_in_year(date, self._year, date_el.sourceline, tpath, out)
        if period is not None:
            bounds = f.periods.get(period)
            if bounds is None:
                rule_k06_period_known(period, period_el.sourceline, tpath, f.periods, f.periods_table, out)
            elif date and not (bounds[0] and bounds[1] and bounds[0] <= date <= bounds[1]):
                rule_d02_entry_date_in_period(date, period, bounds, date_el.sourceline, tpath, out)
        if not self.v4 and (ns + "Source" in k or ns + "User" in k):  # XAF-F07 evidence
            self._mark([n for n in ("Source", "User") if ns + n in k], elem)
        if not self.v4:  # XAF-K09 on the transaction (sourceID, userID)
            for name in ("sourceID", "userID"):
                code_el = k.get(ns + name)
                if code_el is not None:
                    code = _t(code_el)
                    rule_k09_code_in_basics(name, code, BASIC_TYPE_OF[name], code_el.sourceline, tpath, f.basics, out)
        self._lines(lines, jid, nr, tpath, period, opening, jstats)
        f.n_lines += len(lines)
        if opening:
            f.opening_tx_lines += len(lines)

    def _optional_tags(self) -> dict:
        """trLine children checked only when present: codes with a basic type (K09), references (V01)."""
        if self._optional is None:
            ns = self.ns
            self._optional = {} if self.v4 else {
                **{ns + n: (n, tp) for n, tp in BASIC_TYPE_OF.items() if n not in ("sourceID", "userID")},
                **{ns + n: (n, None) for n in REF_FIELDS},
                **{ns + n: (n, "marker") for n in ("settDate", "offsetBankAccNr")},
            }
        return self._optional

    _optional: dict | None = None

    @property
    def _year(self) -> tuple[str | None, str | None]:
        if self._year_cache is None:
            start, end = self.f.header.get("startDate"), self.f.header.get("endDate")
            self._year_cache = (start[:10] if start else None, end[:10] if end else None)
        return self._year_cache

    _year_cache: tuple | None = None

    def _lines(self, lines, jid, nr, tpath, period, opening, jstats) -> None:
        """The trLines of one transaction: the hot loop, so tags are compared whole and a rule is called only
        where its cheap test fails (it tests again itself)."""
        f, out, ns = self.f, self.out, self.ns
        accounts, relations, vat_codes, basics, tb = f.accounts, f.relations, f.vat_codes, f.basics, f.tb
        keys_append = f.line_keys.append if not self.v4 else None
        year = self._year
        start, end = year
        T_NR, T_ACC, T_AMNT, T_TP, T_REL, T_EFF, T_VAT = (
            ns + "nr", ns + "accID", ns + "amnt", ns + "amntTp", ns + "custSupID", ns + "effDate", ns + "vat"
        )
        optional = self._optional_tags()
        optional_get = optional.get
        seen_nr: set = set()
        sum_d = sum_c = debit = credit = 0
        pstats = f.by_period.get(period)
        if pstats is None:
            pstats = f.by_period[period] = [0, 0, 0]
        for ln in lines:
            k = {c.tag: c for c in ln}
            el = k.get(T_NR)
            lnr = el.text if el is not None else None
            if lnr is not None:
                lnr = lnr.strip() or None
            lpath = f"{tpath}/trLine[{lnr}]"  # cheap next to the parse; every rule names its line's place
            # a rule is called where its cheap test fails (it tests again): a call per line costs ~5% here
            if lnr is not None:
                if lnr in seen_nr:
                    rule_u08_line_nr_unique(lnr, nr, ln.sourceline, lpath, seen_nr, out)
                else:
                    seen_nr.add(lnr)
                if keys_append is not None:
                    keys_append(hash((jid, nr, lnr)))
            el = k.get(T_ACC)
            acc = el.text if el is not None else None
            if acc is not None:
                acc = acc.strip() or None
                if acc is not None and acc not in accounts:
                    rule_k01_account_known(acc, el.sourceline, lpath, accounts, out)
            el = k.get(T_REL)
            if el is not None and el.text not in relations:
                rule_k03_relation_known(_t(el), el.sourceline, lpath, relations, out)
            if T_VAT in k:
                for vat in ln.iterchildren(T_VAT):
                    sub = vat.find(ns + "vatID")
                    vid = _t(sub)
                    if vid is not None:
                        rule_k04_vat_code_known(vid, sub.sourceline, lpath, vat_codes, out)
                    self._negative_vat(vat.find(ns + "vatAmnt"), f"{lpath}/vat/vatAmnt")
            el = k.get(T_EFF)
            if el is not None and start and end:
                eff = el.text
                if eff is None or not (start <= eff[:10] <= end):
                    rule_d03_effective_date_in_year(_t(el), year, el.sourceline, lpath, out)
            for tag, child in k.items() if optional else ():  # codes (K09), references (V01): in file order
                spec = optional_get(tag)
                if spec is None:
                    continue
                name, tp = spec
                if tp == "marker":
                    self._mark([name], child)
                elif tp is None:
                    if child.text is not None and len(child.text) > MAX_REFERENCE:
                        rule_v01_reference_length(name, child, lpath, out)
                else:
                    rule_k09_code_in_basics(name, _t(child), tp, child.sourceline, lpath, basics, out)
            amnt = k.get(T_AMNT)
            cents = rule_v03_line_amount(amnt, lpath, out)
            el = k.get(T_TP)
            side = el.text if el is not None else None
            if side != "D" and side != "C":
                side = rule_v04_side(el, ln.sourceline, lpath, out)
                if side is None:
                    continue
            if cents is None:
                continue
            if cents < 0:
                rule_v02_amount_not_negative(cents, amnt, lpath + "/amnt", out, side=side)
            if side == "D":
                sum_d += cents
                signed = cents
            else:
                sum_c += cents
                signed = -cents
            row = tb.get(acc)
            if row is None:
                row = tb[acc] = [0, 0, 0]
            if opening:
                row[0] += signed
            elif signed >= 0:
                row[1] += signed
            else:
                row[2] -= signed
            if signed >= 0:
                debit += signed
            else:
                credit -= signed
        if opening:
            f.opening_tx_d += sum_d
            f.opening_tx_c += sum_c
        pstats[0] += debit
        pstats[1] += credit
        pstats[2] += len(lines)
        jstats["debit"] += debit
        jstats["credit"] += credit
        jstats["lines"] += len(lines)
        f.sum_d += sum_d
        f.sum_c += sum_c
        if sum_d != sum_c:
            rule_t07_entry_balances(sum_d, sum_c, lines[0].getparent().sourceline, tpath, out)

    # -- CLAIR2 transactions -------------------------------------------------------------------
    def _transaction_c2(self, elem) -> None:
        f, out = self.f, self.out
        jstats = self._journal_of(elem.getparent())
        jid = jstats["journal"]
        k = self._kids(elem)
        nr = _t(k.get("transactionID"))
        txline = elem.sourceline
        tpath = f"journal[{jid}]/transaction[{nr}]"
        f.n_tx += 1
        jstats["transactions"] += 1
        if nr is not None:
            rule_u07_entry_unique(jid, nr, txline, tpath, self._tx_seen, out, clair2=True)
            rule_u12_clair2_id_unique(nr, "transactionID", txline, tpath, self._tx_ids, out)
        period = _t(k.get("period"))
        opening = period == "0"  # CLAIR2's period; the reader takes these lines as the opening balance
        if opening:
            f.opening_tx.append((txline, jid, nr))
        date = _t(k.get("transactionDate"))
        date = date[:10] if date else None
        start, end = f.header.get("startDate"), f.header.get("endDate")
        year = self._year
        if date:
            rule_d01_entry_date_in_year(date, year, k["transactionDate"].sourceline, tpath, out,
                                        field="transactionDate", shown=f"{start}..{end}")  # fmt: skip
        pstats = f.by_period.setdefault(period, [0, 0, 0])
        sum_d = sum_c = 0
        seen_nr: set = set()
        n = 0
        for ln in elem.iterchildren(self.ns + "line"):
            n += 1
            lk = self._kids(ln)
            rid = _t(lk.get("recordID"))
            lpath = f"{tpath}/line[{rid}]"
            if rid is not None:
                rule_u08_line_nr_unique(rid, nr, ln.sourceline, lpath, seen_nr, out, field="recordID")
                rule_u12_clair2_id_unique(rid, "recordID", ln.sourceline, lpath, self._record_ids, out)
            acc = _t(lk.get("accountID"))
            if acc is not None:
                rule_k01_account_known(acc, lk["accountID"].sourceline, lpath, f.accounts, out, field="accountID")
            rel = _t(lk.get("custSupID"))
            if rel is not None:
                rule_k03_relation_known(rel, lk["custSupID"].sourceline, lpath, f.relations, out)
            eff_el = lk.get("effectiveDate")
            if eff_el is not None:
                rule_d03_effective_date_in_year(_t(eff_el), year, eff_el.sourceline, lpath, out, clair2=True)
            vat = lk.get("vat")
            if vat is not None:
                self._negative_vat(vat.find(self.ns + "vatAmount"), lpath + "/vat/vatAmount")
            d_el, c_el = lk.get("debitAmount"), lk.get("creditAmount")
            rule_v06_clair2_one_side(d_el, c_el, ln.sourceline, lpath, out)
            d = rule_v03_amount(d_el, lpath + "/debitAmount", out) or 0
            c = rule_v03_amount(c_el, lpath + "/creditAmount", out) or 0
            for el, val in ((d_el, d), (c_el, c)):
                if val < 0:
                    rule_v02_amount_not_negative(val, el, f"{lpath}/{el.tag}", out, clair2=True)
            sum_d += d
            sum_c += c
            row = f.tb.get(acc)
            if row is None:
                row = f.tb[acc] = [0, 0, 0]
            signed = d - c
            if opening:
                row[0] += signed
            elif signed >= 0:
                row[1] += signed
            else:
                row[2] -= signed
            if signed >= 0:
                pstats[0] += signed
                jstats["debit"] += signed
            else:
                pstats[1] -= signed
                jstats["credit"] -= signed
        pstats[2] += n
        jstats["lines"] += n
        f.n_lines += n
        f.sum_d += sum_d
        f.sum_c += sum_c
        if opening:
            f.opening_tx_lines += n
            f.opening_tx_d += sum_d
            f.opening_tx_c += sum_c
        rule_t07_entry_balances(sum_d, sum_c, txline, tpath, out, clair2=True)

    # -- subledgers ----------------------------------------------------------------------------
    def _subledger(self, elem, ob: bool = False) -> None:
        f, out = self.f, self.out
        k = self._kids(elem)
        f.subledgers += 1
        if self.v4:
            self._mark(["obSubledgers" if ob else "subledgers"], elem)
        kind = _t(k.get("sbType"))
        name = "obSubledger" if ob else "subledger"
        spath = f"{name}[{kind}]"
        line_tag = self.ns + ("obSbLine" if ob else "sbLine")
        n = sd = sc = 0
        seen: set = set()
        for sb in elem.iterchildren(line_tag):
            n += 1
            sk = self._kids(sb)
            nr = _t(sk.get("nr"))
            lpath = f"{spath}/{line_tag[len(self.ns):]}[{nr}]"
            rule_u11_subledger_line_nr_unique(nr, sb.sourceline, lpath, seen, out)
            rel = _t(sk.get("custSupID"))
            if rel is not None:
                rule_k03_relation_known(rel, sk["custSupID"].sourceline, lpath, f.relations, out)
            for vat in sb.iterchildren(self.ns + "vat"):
                rule_k04_vat_code_known(_t(vat.find(self.ns + "vatID")), sb.sourceline, lpath, f.vat_codes, out)
            if not ob:
                jid = _t(sk.get("jrnID"))
                if jid is not None:
                    rule_k08_subledger_journal_known(jid, sk["jrnID"].sourceline, lpath, f.journals, out)
                f.sb_refs.append((sb.sourceline, lpath, jid, _t(sk.get("trNr")), _t(sk.get("trLineNr"))))
            amnt = _t(sk.get("amnt"))
            side = _t(sk.get("amntTp"))
            if amnt is not None:
                try:
                    cents = parse_cents(amnt)
                except KoppelError:
                    cents = 0
                if side == "D":
                    sd += cents
                elif side == "C":
                    sc += cents
        f.sb_lines += n
        declared = {x: _t(k.get(x)) for x in ("linesCount", "totalDebit", "totalCredit")}
        rule_t10_subledger_totals(declared, n, sd, sc, elem.sourceline, spath, out)

    def _obSubledger(self, elem) -> None:
        self._subledger(elem, ob=True)
