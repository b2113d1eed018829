"""The streaming content pass: one lxml ``iterparse`` over the file, raw values as written.

Master data, transactions and subledgers are handled when their element ends and then removed from
the tree, so memory does not grow with the number of lines. What the end-of-file rules need is kept
as small dicts, sets of 64-bit hashes (uniqueness) and one int64 array of line-key hashes (K10).
The per-element rules run inline here, each marked with its code; the rules that need the whole file
run afterwards in :mod:`koppel.checks.rules`.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from lxml import etree

from ..errors import KoppelError
from ..money import format_cents, parse_cents
from ..xaf.codes import BASIC_TYPE_OF, ONLY_IN_3, ONLY_IN_40, REF_FIELDS, codes_for
from ..xaf.safety import parser_options
from .findings import Collector
from .rules_codes import (
    rule_v05_account_type,
    rule_v05_clair2_account_type,
    rule_v05_journal_type,
    rule_v05_relation_type,
)


def _t(elem) -> str | None:
    """Text of an element; empty elements count as absent."""
    if elem is None:
        return None
    text = elem.text
    if text is None:
        return None
    text = text.strip()
    return text or None


def _two_decimals(text: str) -> bool:
    return len(text) >= 3 and text[-3] == "." and text[-2:].isdigit()


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
    """Runs the pass over ``source`` and reports per-element findings to ``out``."""

    def __init__(self, version: str, namespace: str | None, out: Collector) -> None:
        self.v = version
        self.c2 = version == "2.0"
        self.v4 = version == "4.0"
        self.codes = codes_for(version)
        self.ns = f"{{{namespace}}}" if namespace else ""
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

    def run(self, source, *, encoding: str | None = None, schema=None, huge_tree: bool = False) -> Facts:
        ns = self.ns
        # few tags: libxml2 compares every element against this list
        names = ["header", "customerSupplier", "ledgerAccount", "journal", "transaction", "transactions", "company"]
        if not self.c2:
            names += ["vatCode", "period", "basic", "obLine", "openingBalance", "subledger", "obSubledger", "periods"]
        tags = [ns + n for n in names]
        handlers = {ns + n: getattr(self, "_" + n, None) for n in names}
        context = etree.iterparse(
            source,
            events=("end",),
            tag=tags,
            encoding=encoding,
            schema=schema,
            **parser_options(huge_tree),
        )
        for _event, elem in context:
            handler = handlers[elem.tag]
            if handler is not None:
                handler(elem)
        return self.f

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

    def _unique(self, code: str, scope: str, key: str | None, line: int | None, path: str, what: str) -> None:
        if key is None:
            return
        seen = self._seen.setdefault(scope, set())
        if key in seen:
            self.out.add(code, line, path, {what: key})
        else:
            seen.add(key)

    @staticmethod
    def _drop(elem) -> None:
        elem.clear()
        parent = elem.getparent()
        if parent is not None:
            parent.remove(elem)

    def _amount(self, elem, path: str, *, count_v03: bool = True) -> int | None:
        """Cents of an amount element as written (sign kept); V03 for other than two decimals."""
        text = _t(elem)
        if text is None:
            return None
        if count_v03 and not _two_decimals(text):
            self.out.add("XAF-V03", elem.sourceline, path, {"found": text, "expected": "two decimals"})
        try:
            return parse_cents(text)
        except KoppelError as exc:
            self.out.add("XAF-V03", elem.sourceline, path, {"found": text, "problem": exc.message})
            return None

    def _negative_vat(self, elem, path: str) -> None:
        """XAF-V07: a negative VAT amount (information, as pyxaf's XAF7001 for any amount)."""
        text = _t(elem)
        if text is not None and text.startswith("-"):
            try:
                negative = parse_cents(text) < 0
            except KoppelError:
                return  # not an amount: the XSD layer reports it
            if negative:
                self.f.negative_vat += 1
                self.out.add("XAF-V07", elem.sourceline, path, {"found": text})

    # -- header and company --------------------------------------------------------------------
    def _header(self, elem) -> None:
        for name, child in self._kids(elem).items():
            self.f.header[name] = _t(child)
            self.f.header_lines[name] = child.sourceline
        self.f.header_lines["header"] = elem.sourceline
        if not self.c2 and not self.v4 and "RGSVersion" in self.f.header:
            self._mark(["RGSVersion"], elem)
        if self.c2:
            self._drop(elem)

    def _company(self, elem) -> None:
        kids = self._kids(elem)
        for name, child in kids.items():
            if not len(child):
                self.f.company[name] = _t(child)
        if not self.c2:
            self._mark([n for n in (ONLY_IN_3 if self.v4 else ONLY_IN_40) if n in kids], elem)

    # -- master data ---------------------------------------------------------------------------
    def _customerSupplier(self, elem) -> None:
        k = self._kids(elem)
        cid = _t(k.get("custSupID"))
        line = elem.sourceline
        path = f"customerSupplier[{cid}]"
        self._unique("XAF-U01", "cs", cid, line, path, "custSupID")  # XAF-U01
        if cid is not None:
            self.f.relations.add(cid)
        if not self.c2:
            rule_v05_relation_type(k, path, self.codes, self.out)
        self._drop(elem)

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
            self._unique("XAF-U03", "rgs", rgs, line, f"ledgerAccount[{acc}]/RGScode", "RGScode")  # XAF-U03
        if not self.c2:
            self._mark([n for n in (ONLY_IN_3 if self.v4 else ONLY_IN_40) if n in k], elem)
        self._unique("XAF-U02", "acc", acc, line, f"ledgerAccount[{acc}]", "accID")  # XAF-U02
        if acc is not None and acc not in self.f.accounts:
            self.f.accounts[acc] = (name, kind)
        self._drop(elem)

    def _vatCode(self, elem) -> None:
        k = self._kids(elem)
        vid = _t(k.get("vatID"))
        self._unique("XAF-U04", "vat", vid, elem.sourceline, f"vatCode[{vid}]", "vatID")  # XAF-U04
        if vid is not None:
            self.f.vat_codes.add(vid)
        for which in ("vatToPayAccID", "vatToClaimAccID"):
            acc = _t(k.get(which))
            if acc is not None:
                self.f.vat_accounts.append((k[which].sourceline, vid, which, acc))
        self._drop(elem)

    def _periods(self, elem) -> None:
        self.f.periods_table = True

    def _period(self, elem) -> None:
        k = self._kids(elem)
        nr = _t(k.get("periodNumber"))
        self._unique("XAF-U05", "period", nr, elem.sourceline, f"period[{nr}]", "periodNumber")  # XAF-U05
        start, end = _t(k.get("startDatePeriod")), _t(k.get("endDatePeriod"))
        if nr is not None and nr not in self.f.periods:
            self.f.periods[nr] = (start[:10] if start else None, end[:10] if end else None, elem.sourceline)
        self.f.periods_table = True
        self._drop(elem)

    def _basic(self, elem) -> None:
        if self.v4:
            self._mark(["basics"], elem)
        k = self._kids(elem)
        tp, bid = _t(k.get("basicType")), _t(k.get("basicID"))
        if tp is not None and bid is not None:
            key = (tp.zfill(2), bid)
            if key in self.f.basics:  # XAF-U10
                self.out.add("XAF-U10", elem.sourceline, f"basic[{tp}/{bid}]", {"basicType": tp, "basicID": bid})
            self.f.basics.add(key)
        self._drop(elem)

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
        self._unique("XAF-U09", "obline", nr, line, path, "nr")  # XAF-U09
        if acc is not None and acc not in self.f.accounts:  # XAF-K02
            self.out.add("XAF-K02", k["accID"].sourceline, path + "/accID", {"accID": acc})
        cents = self._amount(k.get("amnt"), path + "/amnt")  # XAF-V03
        side = _t(k.get("amntTp"))
        if side not in ("D", "C"):  # XAF-V04
            self.out.add("XAF-V04", line, path + "/amntTp", {"found": side or "(ontbreekt)", "expected": "D of C"})
            side = None
        if cents is not None and cents < 0:  # XAF-V02
            self.out.add("XAF-V02", k["amnt"].sourceline, path + "/amnt", {"found": _t(k["amnt"])})
        if cents is not None and side is not None:
            if side == "D":
                ob["sum_d"] += cents
            else:
                ob["sum_c"] += cents
            signed = cents if side == "D" else -cents
            row = self.f.tb.setdefault(acc, [0, 0, 0])
            row[0] += signed
            info = self.f.accounts.get(acc)
            if info is not None and info[1] == "P" and signed:  # XAF-O03
                self.out.add("XAF-O03", line, path, {"accID": acc, "amount": _t(k["amnt"])})
        self._drop(elem)

    def _openingBalance(self, elem) -> None:
        k = self._kids(elem)
        ob = self._ob()
        ob["line"] = elem.sourceline
        ob["present"] = True
        for name in ("linesCount", "totalDebit", "totalCredit", "opBalDate", "opBalDesc"):
            child = k.get(name)
            ob[name] = _t(child)
            ob[name + "_line"] = child.sourceline if child is not None else elem.sourceline
        self._drop_children(elem, keep=())

    def _drop_children(self, elem, keep=()) -> None:
        for child in list(elem):
            if child.tag not in keep:
                elem.remove(child)

    # -- control totals (transactions; CLAIR2 header of transactions) ---------------------------
    def _transactions(self, elem) -> None:
        """Declared control totals; journals and subledgers are gone by now, so few children remain."""
        for name, child in self._kids(elem).items():
            if name in ("linesCount", "totalDebit", "totalCredit", "numberEntries"):
                self.f.tx_totals[name] = _t(child)
                self.f.tx_totals[name + "_line"] = child.sourceline

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
        self._unique("XAF-U06", "jrn", jid, jelem.sourceline, f"journal[{jid}]", "jrnID")  # XAF-U06
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
        self._drop(elem)

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
        if nr is not None:  # XAF-U07
            h = hash((jid, nr))
            if h in self._tx_seen:
                out.add("XAF-U07", txline, tpath, {"jrnID": jid, "nr": nr})
            else:
                self._tx_seen.add(h)
        period_el, date_el = k.get(ns + "periodNumber"), k.get(ns + "trDt")
        period = _t(period_el)
        date = _t(date_el)
        date = date[:10] if date else None
        opening = period == "0" or self._jrn_opening
        if opening:
            f.opening_tx.append((txline, jid, nr))
        start, end = self._year
        if date and start and end and not (start <= date <= end):  # XAF-D01
            out.add("XAF-D01", date_el.sourceline, tpath + "/trDt", {"trDt": date, "boekjaar": f"{start}..{end}"})
        if period is not None:
            p = f.periods.get(period)
            if p is None:
                if f.periods_table:  # XAF-K06
                    out.add("XAF-K06", period_el.sourceline, tpath + "/periodNumber", {"periodNumber": period})
            elif date and p[0] and p[1] and not (p[0] <= date <= p[1]):  # XAF-D02
                out.add("XAF-D02", date_el.sourceline, tpath + "/trDt",
                        {"trDt": date, "period": period, "periode": f"{p[0]}..{p[1]}"})
        if not self.v4 and (ns + "Source" in k or ns + "User" in k):  # XAF-F07 evidence
            self._mark([n for n in ("Source", "User") if ns + n in k], elem)
        if not self.v4:  # XAF-K09 on the transaction (sourceID, userID)
            for name in ("sourceID", "userID"):
                code_el = k.get(ns + name)
                code = _t(code_el)
                if code is not None and (BASIC_TYPE_OF[name], code) not in f.basics:
                    out.add("XAF-K09", code_el.sourceline, f"{tpath}/{name}",
                            {name: code, "basicType": BASIC_TYPE_OF[name]})
        self._lines(lines, jid, nr, tpath, period, opening, jstats)
        f.n_lines += len(lines)
        if opening:
            f.opening_tx_lines += len(lines)
        elem.clear()
        elem.getparent().remove(elem)

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
        """The trLines of one transaction: the hot loop, so tags are compared whole and paths made lazily."""
        f, out, ns = self.f, self.out, self.ns
        accounts, relations, vat_codes, basics, tb = f.accounts, f.relations, f.vat_codes, f.basics, f.tb
        keys_append = f.line_keys.append if not self.v4 else None
        start, end = self._year
        T_NR, T_ACC, T_AMNT, T_TP, T_REL, T_EFF, T_VAT = (
            ns + "nr", ns + "accID", ns + "amnt", ns + "amntTp", ns + "custSupID", ns + "effDate", ns + "vat"
        )
        optional = self._optional_tags()
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
            if lnr is not None:
                if lnr in seen_nr:  # XAF-U08
                    out.add("XAF-U08", ln.sourceline, f"{tpath}/trLine[{lnr}]", {"transaction": nr, "nr": lnr})
                else:
                    seen_nr.add(lnr)
                if keys_append is not None:
                    keys_append(hash((jid, nr, lnr)))
            el = k.get(T_ACC)
            acc = el.text if el is not None else None
            if acc is not None:
                acc = acc.strip() or None
            if acc is not None and acc not in accounts:  # XAF-K01
                out.add("XAF-K01", el.sourceline, f"{tpath}/trLine[{lnr}]/accID", {"accID": acc})
            if T_REL in k:
                rel = _t(k[T_REL])
                if rel is not None and rel not in relations:  # XAF-K03
                    out.add("XAF-K03", k[T_REL].sourceline, f"{tpath}/trLine[{lnr}]/custSupID", {"custSupID": rel})
            if T_VAT in k:
                for vat in ln.iterchildren(T_VAT):  # XAF-K04
                    sub = vat.find(ns + "vatID")
                    vid = _t(sub)
                    if vid is not None and vid not in vat_codes:
                        out.add("XAF-K04", sub.sourceline, f"{tpath}/trLine[{lnr}]/vat/vatID", {"vatID": vid})
                    self._negative_vat(vat.find(ns + "vatAmnt"), f"{tpath}/trLine[{lnr}]/vat/vatAmnt")  # XAF-V07
            el = k.get(T_EFF)
            if el is not None and start and end:
                eff = _t(el)
                if eff and not (start <= eff[:10] <= end):  # XAF-D03
                    out.add("XAF-D03", el.sourceline, f"{tpath}/trLine[{lnr}]/effDate",
                            {"effDate": eff, "boekjaar": f"{start}..{end}"})
            for tag in optional.keys() & k.keys():  # codes (K09) and references (V01) present on the line
                name, tp = optional[tag]
                child = k[tag]
                if tp == "marker":
                    self._mark([name], child)
                    continue
                if tp is None:
                    if child.text is not None and len(child.text) > 255:  # XAF-V01
                        out.add("XAF-V01", child.sourceline, f"{tpath}/trLine[{lnr}]/{name}",
                                {"length": len(child.text)})
                    continue
                code = _t(child)
                if code is not None and (tp, code) not in basics:  # XAF-K09
                    out.add("XAF-K09", child.sourceline, f"{tpath}/trLine[{lnr}]/{name}",
                            {name: code, "basicType": tp})
            amnt = k.get(T_AMNT)
            cents = None
            if amnt is not None and amnt.text is not None:
                text = amnt.text.strip()
                if len(text) < 3 or text[-3] != ".":  # XAF-V03
                    self.out.add("XAF-V03", amnt.sourceline, f"{tpath}/trLine[{lnr}]/amnt",
                                 {"found": text, "expected": "two decimals"})
                try:
                    cents = parse_cents(text)
                except KoppelError as exc:
                    self.out.add("XAF-V03", amnt.sourceline, f"{tpath}/trLine[{lnr}]/amnt",
                                 {"found": text, "problem": exc.message})
            el = k.get(T_TP)
            side = el.text if el is not None else None
            if side != "D" and side != "C":
                side = side.strip() if side else side
                if side != "D" and side != "C":  # XAF-V04
                    out.add("XAF-V04", ln.sourceline, f"{tpath}/trLine[{lnr}]/amntTp",
                            {"found": side or "(ontbreekt)", "expected": "D of C"})
                    continue
            if cents is None:
                continue
            if cents < 0:  # XAF-V02
                out.add("XAF-V02", amnt.sourceline, f"{tpath}/trLine[{lnr}]/amnt", {"found": text, "amntTp": side})
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
        if sum_d != sum_c:  # XAF-T07
            self.out.add("XAF-T07", lines[0].getparent().sourceline if lines else None, tpath,
                         {"debet": format_cents(sum_d), "credit": format_cents(sum_c)})

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
            h = hash((jid, nr))
            if h in self._tx_seen:  # XAF-U07
                out.add("XAF-U07", txline, tpath, {"journalID": jid, "transactionID": nr})
            self._tx_seen.add(h)
            h2 = hash(nr)
            if h2 in self._tx_ids:  # XAF-U12
                out.add("XAF-U12", txline, tpath, {"transactionID": nr})
            self._tx_ids.add(h2)
        period = _t(k.get("period"))
        opening = period == "0"  # CLAIR2's period; the reader takes these lines as the opening balance
        if opening:
            f.opening_tx.append((txline, jid, nr))
        date = _t(k.get("transactionDate"))
        date = date[:10] if date else None
        start, end = f.header.get("startDate"), f.header.get("endDate")
        if date and start and end and not (start[:10] <= date <= end[:10]):  # XAF-D01
            out.add("XAF-D01", k["transactionDate"].sourceline, tpath + "/transactionDate",
                    {"transactionDate": date, "boekjaar": f"{start}..{end}"})
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
                if rid in seen_nr:  # XAF-U08
                    out.add("XAF-U08", ln.sourceline, lpath, {"transaction": nr, "recordID": rid})
                seen_nr.add(rid)
                h = hash(rid)
                if h in self._record_ids:  # XAF-U12
                    out.add("XAF-U12", ln.sourceline, lpath, {"recordID": rid})
                self._record_ids.add(h)
            acc = _t(lk.get("accountID"))
            if acc is not None and acc not in f.accounts:  # XAF-K01
                out.add("XAF-K01", lk["accountID"].sourceline, lpath + "/accountID", {"accountID": acc})
            rel = _t(lk.get("custSupID"))
            if rel is not None and rel not in f.relations:  # XAF-K03
                out.add("XAF-K03", lk["custSupID"].sourceline, lpath + "/custSupID", {"custSupID": rel})
            eff = _t(lk.get("effectiveDate"))
            if eff and start and end and not (start[:10] <= eff[:10] <= end[:10]):  # XAF-D03
                out.add("XAF-D03", lk["effectiveDate"].sourceline, lpath + "/effectiveDate", {"effectiveDate": eff})
            vat = lk.get("vat")
            if vat is not None:
                self._negative_vat(vat.find(self.ns + "vatAmount"), lpath + "/vat/vatAmount")  # XAF-V07
            d_el, c_el = lk.get("debitAmount"), lk.get("creditAmount")
            if _t(d_el) is not None and _t(c_el) is not None:  # XAF-V06
                out.add("XAF-V06", ln.sourceline, lpath, {"debitAmount": _t(d_el), "creditAmount": _t(c_el)})
            d = self._amount(d_el, lpath + "/debitAmount") or 0
            c = self._amount(c_el, lpath + "/creditAmount") or 0
            for el, val in ((d_el, d), (c_el, c)):
                if val < 0:  # XAF-V02 (a warning in CLAIR2)
                    out.add("XAF-V02", el.sourceline, f"{lpath}/{el.tag}", {"found": _t(el)}, severity="warning")
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
        if sum_d != sum_c:  # XAF-T07
            out.add("XAF-T07", txline, tpath, {"debitAmount": format_cents(sum_d), "creditAmount": format_cents(sum_c)})
        elem.clear()
        elem.getparent().remove(elem)

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
            if nr is not None:
                if nr in seen:  # XAF-U11
                    out.add("XAF-U11", sb.sourceline, lpath, {"nr": nr})
                seen.add(nr)
            rel = _t(sk.get("custSupID"))
            if rel is not None and rel not in f.relations:  # XAF-K03
                out.add("XAF-K03", sk["custSupID"].sourceline, lpath + "/custSupID", {"custSupID": rel})
            for vat in sb.iterchildren(self.ns + "vat"):  # XAF-K04
                vid = _t(vat.find(self.ns + "vatID"))
                if vid is not None and vid not in f.vat_codes:
                    out.add("XAF-K04", sb.sourceline, lpath + "/vat/vatID", {"vatID": vid})
            if not ob:
                jid = _t(sk.get("jrnID"))
                if jid is not None and jid not in f.journals:  # XAF-K08
                    out.add("XAF-K08", sk["jrnID"].sourceline, lpath + "/jrnID", {"jrnID": jid})
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
        found = {"linesCount": str(n), "totalDebit": format_cents(sd), "totalCredit": format_cents(sc)}
        bad = {}
        for x, want in declared.items():
            if x == "linesCount":
                ok = want is not None and want.isdigit() and int(want) == n
            else:
                try:
                    ok = want is not None and parse_cents(want) == (sd if x == "totalDebit" else sc)
                except KoppelError:
                    ok = False
            if not ok:
                bad[x] = f"{want if want is not None else '(ontbreekt)'} ≠ {found[x]}"
        if bad:  # XAF-T10
            out.add("XAF-T10", elem.sourceline, spath, bad)
        self._drop(elem)

    def _obSubledger(self, elem) -> None:
        self._subledger(elem, ob=True)
