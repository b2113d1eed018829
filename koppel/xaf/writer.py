"""Write an Administration as XAF 3.2 (3.2.1) or 4.0: streaming, XSD-validated, published atomically.

Two passes over the lines: pass 1 (cheap, vectorised) gathers totals, counts and referenced ids, because
``linesCount``/``totalDebit``/``totalCredit`` and every referenced master record precede the lines in
the file; pass 2 formats the lines batch by batch. Journals interleaved in the input are written one
journal at a time (memory bounded by the largest journal). Period-0 opening entries of a 3.x source are
moved into ``openingBalance`` (never written twice). Every value the target cannot hold is fixed by a
documented rule or refused; each fix and drop is counted in the :class:`ConversionReport`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..atomic import AtomicDir
from ..errors import KoppelError
from ..kinds import UNKNOWN
from ..model import Administration
from ..money import format_cents
from .codes import codes_for
from .lines_out import KEY_SEP, LineFormatter, LinePlan, entry_keys, esc_text, opening_mask, plan_lines
from .report import ConversionReport
from .schema import code_list, validate_file
from .versions import NAMESPACE_OF

WRITE_VERSIONS = ("3.2", "3.2.1", "4.0")
RELATION_TYPE = {"customer": "C", "supplier": "S", "both": "B", "other": "O"}
LINES_CAP_321 = 9999


@dataclass
class XafWriteResult:
    """What :func:`write_xaf` wrote and changed."""

    paths: list[Path]
    version: str
    report: ConversionReport
    lines: int = 0
    entries: int = 0
    opening_lines: int = 0
    stats: dict = field(default_factory=dict)
    temp_paths: list[Path] = field(default_factory=list)  # where the files are until published


def _v(value) -> str | None:
    """A master-data value as stripped text, None when absent or empty."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _el(tag: str, value: str | None) -> str:
    return "" if value is None else f"<{tag}>{esc_text(value)}</{tag}>"


def _date(value) -> str | None:
    if value is None or value is pd.NaT or pd.isna(value):
        return None
    return pd.Timestamp(value).strftime("%Y-%m-%d")


class _Writer:
    def __init__(self, adm: Administration, version: str, report: ConversionReport, options: dict) -> None:
        if version not in WRITE_VERSIONS:
            raise KoppelError(f"koppel writes XAF {', '.join(WRITE_VERSIONS)}, not {version!r}")
        self.adm = adm
        self.version = version
        self.v4 = version == "4.0"
        self.report = report
        self.start_date: str | None = None  # the header's startDate as written (opBalDate falls back to it)
        self.schema_dir = options.get("schema_dir")
        self.mixed_as = options.get("mixed_account_kind", "B")
        self.account_kinds: dict[str, str] = dict(options.get("account_kinds") or {})  # [account_kinds], target ids
        self.other_relation_as = options.get("other_relation_kind")  # None: omit custSupTp (4.0)
        self.date_created = options.get("date_created") or dt.date.today().isoformat()
        self.countries = code_list(version, "country", self.schema_dir)
        self.currencies = code_list(version, "currency", self.schema_dir)
        self.skip = entry_keys(adm) if adm.header.opening_source == "period0" else set()

    # -- helpers -------------------------------------------------------------------------------
    def _cut(self, element: str, value: str | None, limit: int) -> str | None:
        if value is not None and len(value) > limit:
            self.report.fixed(element, f"cut to {limit} characters")
            return value[:limit]
        return value

    def _country(self, element: str, value: str | None) -> str | None:
        """An ISO 3166 alpha-2 code the target accepts, else None (reported)."""
        if value is None:
            return None
        code = value.strip().upper()
        ok = len(code) == 2 and code.isalpha() and (self.countries is None or code in self.countries)
        if not ok:
            self.report.dropped(element, "not an ISO 3166 two-letter country code the target schema accepts")
            return None
        return code

    def _vat_country(self, vat_number: str | None) -> str | None:
        # an EU VAT number starts with its country code and holds digits (NL001234567B01, BE0123456789)
        if vat_number and re.fullmatch(r"[A-Za-z]{2}[0-9A-Za-z+*.]{2,13}", vat_number) and re.search(r"\d", vat_number):
            code = vat_number[:2].upper()
            if self.countries is None or code in self.countries:
                return code
        return None

    # -- sections ------------------------------------------------------------------------------
    def header(self, plan: LinePlan) -> str:
        h = self.adm.header
        rep = self.report
        start, end = _v(h.start_date), _v(h.end_date)
        if start is None:
            start = _date(plan.min_date) or self.date_created
            rep.fixed("header/startDate", "missing: the first booking date")
        if end is None:
            end = _date(plan.max_date) or start
            rep.fixed("header/endDate", "missing: the last booking date")
        self.start_date = start
        fiscal = _v(h.fiscal_year)
        y0, y1 = start[:4], end[:4]
        derived = y0 if y0 == y1 else f"{y0}-{y1}"
        if self.v4:
            ok = fiscal is not None and (
                (len(fiscal) == 4 and fiscal.isdigit())
                or (len(fiscal) == 9 and fiscal[4] == "-" and fiscal[:4].isdigit() and fiscal[5:].isdigit())
            )
        else:
            ok = fiscal is not None and len(fiscal) <= 9
        if not ok:
            rep.fixed("header/fiscalYear", f"{fiscal!r} does not fit: the year(s) of startDate..endDate")
            fiscal = derived
        currency = _v(h.currency)
        if currency is None:
            currency = "EUR"
            rep.fixed("header/curCode", "missing: EUR assumed")
        currency = currency.upper()
        if (self.currencies is not None and currency not in self.currencies) or (
            self.currencies is None and not (currency.isalpha() and len(currency) <= 3)
        ):
            raise KoppelError(
                f"currency {currency!r} is not allowed by the XAF {self.version} schema",
                field="header/curCode",
                hint="convert to XAF 4.0, which accepts any three-letter code",
            )
        software, version = _v(h.software), _v(h.software_version)
        if software is None and self.v4:
            software = "koppel"
            rep.fixed("header/softwareDesc", "missing (mandatory in 4.0): 'koppel'")
        if version is None and self.v4:
            version = "unknown" if software != "koppel" else __version__
            rep.fixed("header/softwareVersion", f"missing (mandatory in 4.0): {version!r}")
        software = self._cut("header/softwareDesc", software, 50)
        version = self._cut("header/softwareVersion", version, 20)
        return (
            "<header>"
            + _el("fiscalYear", fiscal)
            + _el("startDate", start)
            + _el("endDate", end)
            + _el("curCode", currency)
            + _el("dateCreated", self.date_created)
            + _el("softwareDesc", software)
            + _el("softwareVersion", version)
            + (_el("RGSVersion", self._cut("header/RGSVersion", _v(h.rgs_version), 20)) if self.v4 else "")
            + "</header>\n"
        )

    def company_head(self) -> str:
        h = self.adm.header
        rep = self.report
        name = _v(h.company_name)
        if name is None:
            name = _v(h.company_id) or "onbekend"
            rep.fixed("company/companyName", f"missing (mandatory): {name!r}")
        name = self._cut("company/companyName", name, 255 if self.v4 else 999)
        vat = _v(h.vat_number)
        country = self._vat_country(vat)
        if country is None:
            country = "NL"
            rep.fixed("company/taxRegistrationCountry", "not derivable from the VAT number: NL assumed")
        if vat is None:
            rep.fixed("company/taxRegIdent", "missing (mandatory): written empty")
        vat = self._cut("company/taxRegIdent", vat, 30)
        if self.v4:
            if _v(h.company_id) is not None:
                rep.dropped_element("company/companyIdent", "XAF 4.0 has no companyIdent")
            head = _el("Commercenr", self._cut("company/Commercenr", _v(h.kvk), 100)) + _el("companyName", name)
        else:
            if _v(h.kvk) is not None:
                rep.dropped_element("company/Commercenr", "XAF 3.2 has no company KvK number")
            head = _el("companyIdent", self._cut("company/companyIdent", _v(h.company_id), 35))
            head += _el("companyName", name)
        return (
            "<company>"
            + head
            + _el("taxRegistrationCountry", country)
            + f"<taxRegIdent>{esc_text(vat or '')}</taxRegIdent>\n"
        )

    def relations(self, referenced: set[str]) -> str:
        rel = self.adm.relations
        rep = self.report
        out = []
        defined = set()
        for r in rel.itertuples(index=False):
            rid = _v(r.relation_id)
            if rid is None:
                rep.dropped("customerSupplier", "no custSupID")
                continue
            if rid in defined:
                rep.dropped("customerSupplier", "custSupID defined twice: the second is left out")
                continue
            defined.add(rid)
            if len(rid) > 35:
                raise KoppelError(f"relation id {rid!r} is longer than 35 characters", field="custSupID")
            vat = _v(r.vat_number)
            kind = RELATION_TYPE.get(_v(r.kind) or "")
            if kind == "O" and self.v4:
                if self.other_relation_as:
                    kind = self.other_relation_as
                    rep.fixed("customerSupplier/custSupTp", f"O (other) is not in 4.0: written as {kind}")
                else:
                    kind = None
                    rep.dropped("customerSupplier/custSupTp", "O (other) is not in 4.0: left out")
            parts = [
                _el("custSupID", rid),
                _el("custSupName", self._cut("customerSupplier/custSupName", _v(r.name), 50)),
            ]
            if not self.v4:
                parts += [
                    _el("contact", self._cut("customerSupplier/contact", _v(r.contact), 50)),
                    _el("telephone", self._cut("customerSupplier/telephone", _v(r.phone), 30)),
                ]
            parts.append(_el("eMail", _v(r.email)))
            if not self.v4:
                parts.append(_el("website", _v(r.website)))
            parts.append(
                _el("commerceNr", self._cut("customerSupplier/commerceNr", _v(r.kvk), 100 if self.v4 else 999))
            )
            parts.append(_el("taxRegistrationCountry", self._vat_country(vat)))
            parts.append(_el("taxRegIdent", self._cut("customerSupplier/taxRegIdent", vat, 30)))
            parts.append(_el("custSupTp", kind))
            street = [
                _el("streetname", self._cut("streetAddress/streetname", _v(r.street), 100 if self.v4 else 999)),
                _el("number", self._cut("streetAddress/number", _v(r.house_nr), 15)),
                _el("numberExtension", self._cut("streetAddress/numberExtension", _v(r.house_nr_addition), 999)),
                _el("city", self._cut("streetAddress/city", _v(r.city), 50)),
                _el("postalCode", self._cut("streetAddress/postalCode", _v(r.postal_code), 10)),
                _el("country", self._country("customerSupplier/streetAddress/country", _v(r.country))),
            ]
            if any(street):
                parts.append("<streetAddress>" + "".join(street) + "</streetAddress>")
            iban, bic = _v(r.iban), _v(r.bic)
            if self.v4:
                for name, value in (("contact", r.contact), ("telephone", r.phone), ("website", r.website)):
                    if _v(value) is not None:
                        rep.dropped_element(f"customerSupplier/{name}", "XAF 4.0 has no such element")
                if iban is not None or bic is not None:
                    rep.dropped_element("customerSupplier/bankAccount", "XAF 4.0 has no bank accounts of relations")
            elif iban is not None:
                parts.append(
                    "<bankAccount>"
                    + _el("bankAccNr", self._cut("bankAccount/bankAccNr", iban, 35))
                    + _el("bankIdCd", self._cut("bankAccount/bankIdCd", bic, 35))
                    + "</bankAccount>"
                )
            elif bic is not None:
                rep.dropped("customerSupplier/bankAccount", "a BIC without an account number (bankAccNr is mandatory)")
            if _v(r.payment_days) is not None:
                rep.dropped("customerSupplier/paymentDays", "XAF has no payment terms")
            if _v(r.control_account) is not None:
                rep.dropped("customerSupplier/controlAccount", "XAF has no control account on a relation")
            out.append("<customerSupplier>" + "".join(parts) + "</customerSupplier>\n")
        for rid in sorted(referenced - defined):
            if len(rid) > 35:
                raise KoppelError(f"relation id {rid!r} is longer than 35 characters", field="custSupID")
            rep.added("customerSupplier", "referenced by a line but not defined: id only")
            out.append(f"<customerSupplier>{_el('custSupID', rid)}</customerSupplier>\n")
        if not out:
            return ""
        return "<customersSuppliers>\n" + "".join(out) + "</customersSuppliers>\n"

    def _account_kind(self, acc_id: str, kind: str | None, rgs: str | None) -> str:
        rep = self.report
        if kind in ("B", "P"):
            return kind
        if kind == "M":
            if not self.v4:
                return "M"
            if self.mixed_as not in ("B", "P"):
                raise KoppelError(
                    f"account {acc_id!r} is mixed (accTp M), which XAF 4.0 does not allow",
                    field="accTp",
                    hint="choose B or P for mixed accounts (option mixed_account_kind / --mixed-as)",
                )
            rep.fixed("ledgerAccount/accTp", f"M (mixed) is not in 4.0: written as {self.mixed_as}")
            return self.mixed_as
        if rgs and rgs[:1] in ("B", "W"):
            rep.fixed("ledgerAccount/accTp", "missing or unknown: from the RGS code (B balance, W result)")
            return "B" if rgs[0] == "B" else "P"
        stated = self.account_kinds.get(acc_id)
        if stated in ("B", "P", "M"):
            return self._account_kind(acc_id, stated, None)
        what = "an unknown kind" if kind == UNKNOWN else "no kind"
        raise KoppelError(
            f"account {acc_id!r} has {what} in the source; XAF needs accTp B (balance sheet) or P (profit and loss)",
            field="accTp",
            hint=f'state it in the mapping file: [account_kinds] "{acc_id}" = "P" (or "B"); '
            "koppel mapping init lists every such account",
        )

    def accounts(self, referenced: set[str]) -> str:
        rep = self.report
        out = []
        defined = set()
        for a in self.adm.accounts.itertuples(index=False):
            aid = _v(a.account_id)
            if aid is None:
                rep.dropped("ledgerAccount", "no accID")
                continue
            if aid in defined:
                rep.dropped("ledgerAccount", "accID defined twice: the second is left out")
                continue
            defined.add(aid)
            if len(aid) > 35:
                raise KoppelError(f"account id {aid!r} is longer than 35 characters", field="accID")
            name = _v(a.name)
            if name is None:
                name = aid
                rep.fixed("ledgerAccount/accDesc", "missing (mandatory): the account id")
            rgs = _v(a.rgs_code)
            text = (
                _el("accID", aid)
                + _el("accDesc", self._cut("ledgerAccount/accDesc", name, 255 if self.v4 else 999))
                + _el("accTp", self._account_kind(aid, _v(a.kind), rgs))
            )
            if self.v4:
                text += _el("RGScode", self._cut("ledgerAccount/RGScode", rgs, 255))
            elif rgs is not None:
                rep.dropped("ledgerAccount/RGScode", "XAF 3.2 carries RGS only as a taxonomy reference; not written")
            out.append("<ledgerAccount>" + text + "</ledgerAccount>\n")
        for aid in sorted(referenced - defined):
            if len(aid) > 35:
                raise KoppelError(f"account id {aid!r} is longer than 35 characters", field="accID")
            rep.added("ledgerAccount", "referenced but not defined: id as description, accTp from [account_kinds]")
            out.append(
                "<ledgerAccount>"
                + _el("accID", aid)
                + _el("accDesc", aid)
                + _el("accTp", self._account_kind(aid, None, None))
                + "</ledgerAccount>\n"
            )
        if out and not self.v4:  # basics belong to a generalLedger, which needs at least one ledgerAccount
            out.append(self.basics())
        if not out:
            return ""
        return "<generalLedger>\n" + "".join(out) + "</generalLedger>\n"

    def basics(self) -> str:
        """3.2: every cost centre (02), cost unit/product (03) and project (04) code on a line gets a basic."""
        out = []
        for col, basic_type in (("cost_center", "02"), ("cost_unit", "03"), ("project", "04")):
            for code in sorted(self.plan.codes.get(col, ())):
                if len(code) > 35:
                    raise KoppelError(f"{col} code {code!r} is longer than 35 characters", field="basicID")
                self.report.added("basics/basic", "a code used on lines: the code as its description")
                text = _el("basicType", basic_type) + _el("basicID", code) + _el("basicDesc", code)
                out.append(f"<basic>{text}</basic>\n")
        return "<basics>\n" + "".join(out) + "</basics>\n" if out else ""

    def vat_codes(self, referenced: set[str]) -> str:
        rep = self.report
        out = []
        defined = set()
        for c in self.adm.vat_codes.itertuples(index=False):
            cid = _v(c.vat_code)
            if cid is None or cid in defined:
                rep.dropped("vatCode", "no vatID, or vatID defined twice")
                continue
            defined.add(cid)
            desc = _v(c.description)
            if desc is None:
                desc = cid
                rep.fixed("vatCode/vatDesc", "missing (mandatory): the VAT code")
            out.append(
                "<vatCode>"
                + _el("vatID", cid)
                + _el("vatDesc", self._cut("vatCode/vatDesc", desc, 100 if self.v4 else 999))
                + _el("vatToPayAccID", _v(c.pay_account))
                + _el("vatToClaimAccID", _v(c.claim_account))
                + "</vatCode>\n"
            )
        for cid in sorted(referenced - defined):
            rep.added("vatCode", "referenced by a line but not defined: code as description")
            out.append("<vatCode>" + _el("vatID", cid) + _el("vatDesc", cid) + "</vatCode>\n")
        if not out:
            return ""
        return "<vatCodes>\n" + "".join(out) + "</vatCodes>\n"

    def periods(self, plan: LinePlan) -> str:
        rep = self.report
        out = []
        defined = set()
        for p in self.adm.periods.itertuples(index=False):
            number = _v(p.period)
            if number is None or not number.isdigit() or len(number) > 3 or number in defined:
                rep.dropped("period", "periodNumber missing, not a number of at most 3 digits, or defined twice")
                continue
            start, end = _date(p.start_date), _date(p.end_date)
            if start is None or end is None:
                bounds = plan.period_dates.get(number)
                if bounds is None:
                    rep.dropped("period", "no start or end date and no lines to take them from")
                    continue
                start, end = start or _date(bounds[0]), end or _date(bounds[1])
                rep.fixed("period/startDatePeriod", "missing: first/last booking date in the period")
            defined.add(number)
            desc = _v(p.description)
            if self.v4:
                if desc is not None:
                    rep.dropped_element("period/periodDesc", "XAF 4.0 has no period description")
                text = _el("periodNumber", number) + _el("startDatePeriod", start) + _el("endDatePeriod", end)
            else:
                text = (
                    _el("periodNumber", number)
                    + _el("periodDesc", self._cut("period/periodDesc", desc, 50))
                    + _el("startDatePeriod", start)
                    + _el("endDatePeriod", end)
                )
            out.append("<period>" + text + "</period>\n")
        for number in sorted(set(plan.period_dates) - defined, key=lambda x: (len(x), x)):
            lo, hi = plan.period_dates[number]
            rep.added("period", "referenced but not defined: dates of its first and last booking")
            out.append(
                "<period>"
                + _el("periodNumber", number)
                + _el("startDatePeriod", _date(lo))
                + _el("endDatePeriod", _date(hi))
                + "</period>\n"
            )
        if not out:
            return ""
        return "<periods>\n" + "".join(out) + "</periods>\n"

    def opening(self, ob: pd.DataFrame) -> str:
        """``openingBalance`` from the opening-balance table (period-0 entries were collected into it)."""
        rep = self.report
        h = self.adm.header
        if ob.empty:
            return ""
        if self.version == "3.2.1" and len(ob) > LINES_CAP_321:
            raise KoppelError(
                f"{len(ob)} opening lines exceed the 9999 lines XAF 3.2.1 allows", hint="write 3.2 or 4.0"
            )
        nrs = ob["line_nr"].astype("string").str.strip()
        if nrs.isna().any() or nrs.duplicated().any() or (nrs.str.len() > 35).any():
            rep.fixed("obLine/nr", "missing, repeated or too long: numbered 1..n", len(ob))
            nrs = pd.Series([str(i) for i in range(1, len(ob) + 1)], dtype="string")
        amount = ob["amount"].to_numpy()
        debit = int(amount[amount >= 0].sum())
        credit = -int(amount[amount < 0].sum())
        rep.dropped_element(
            "obLine/desc", "an opening-balance line carries no description", int(ob["description"].notna().sum())
        )
        rep.dropped_element(
            "obLine/custSupID", "an opening-balance line carries no relation", int(ob["relation_id"].notna().sum())
        )
        head = ["<openingBalance>"]
        if self.v4:
            if _v(h.opening_date) is not None:
                rep.dropped_element("openingBalance/opBalDate", "XAF 4.0 has no opening-balance date")
            if _v(h.opening_description) is not None:
                rep.dropped_element("openingBalance/opBalDesc", "XAF 4.0 has no opening-balance description")
        else:
            date = _v(h.opening_date) or self.start_date  # header() ran first
            if _v(h.opening_date) is None:
                rep.fixed("openingBalance/opBalDate", "missing (mandatory in 3.2): the header's startDate")
            head += [_el("opBalDate", date), _el("opBalDesc", _v(h.opening_description))]
        head.append(
            f"<linesCount>{len(ob)}</linesCount><totalDebit>{format_cents(debit)}</totalDebit>"
            f"<totalCredit>{format_cents(credit)}</totalCredit>\n"
        )
        acc = ob["account_id"].astype("string")
        body = [
            f"<obLine><nr>{esc_text(n)}</nr><accID>{esc_text(a)}</accID><amnt>{format_cents(abs(c))}</amnt>"
            f"<amntTp>{'C' if c < 0 else 'D'}</amntTp></obLine>\n"
            for n, a, c in zip(nrs.tolist(), acc.tolist(), amount.tolist(), strict=True)
        ]
        return "".join(head) + "".join(body) + "</openingBalance>\n"

    def journal_heads(self, plan: LinePlan) -> tuple[dict[str, str], list[str]]:
        """Head text (up to the first transaction) of every journal, and the journal order."""
        rep = self.report
        heads: dict[str, str] = {}
        order: list[str] = []
        for j in self.adm.journals.itertuples(index=False):
            jid = _v(j.journal_id)
            if jid is None or jid in heads:
                rep.dropped("journal", "no jrnID, or jrnID defined twice")
                continue
            if len(jid) > 35:
                raise KoppelError(f"journal id {jid!r} is longer than 35 characters", field="jrnID")
            desc = _v(j.description)
            if desc is None:
                desc = jid
                rep.fixed("journal/desc", "missing (mandatory): the journal id")
            kind = _v(j.kind)
            if kind is not None and kind.upper() not in codes_for(self.version).journal_types:
                rep.dropped("journal/jrnTp", "not in the XAF journal type list")
                kind = None
            heads[jid] = (
                "<journal>"
                + _el("jrnID", jid)
                + _el("desc", desc)
                + _el("jrnTp", kind and kind.upper())
                + _el("offsetAccID", _v(j.offset_account))
                + "\n"
            )
            order.append(jid)
        for jid in plan.journals:
            if jid not in heads:
                if len(jid) > 35:
                    raise KoppelError(f"journal id {jid!r} is longer than 35 characters", field="jrnID")
                rep.added("journal", "referenced by a line but not defined: id as description")
                heads[jid] = "<journal>" + _el("jrnID", jid) + _el("desc", jid) + "\n"
                order.append(jid)
        return heads, order

    def referenced_accounts(self, plan: LinePlan, ob: pd.DataFrame) -> set[str]:
        # stripped like the ids of the accounts table (_v), or an id with a leading space is "not defined"
        refs = {x for x in (_v(v) for v in (*plan.accounts, *ob["account_id"].dropna().tolist())) if x}
        for col in ("pay_account", "claim_account"):
            refs |= {x for x in (_v(v) for v in self.adm.vat_codes[col]) if x}
        refs |= {x for x in (_v(v) for v in self.adm.journals["offset_account"]) if x}
        return refs

    # -- the file ------------------------------------------------------------------------------
    def write(self, out) -> dict:
        adm = self.adm
        rep = self.report
        plan = plan_lines(adm, self.skip)
        self.plan = plan
        if self.version == "3.2.1" and plan.lines > LINES_CAP_321:
            raise KoppelError(
                f"{plan.lines} transaction lines exceed the 9999 lines XAF 3.2.1 allows (linesCount 1..9999)",
                hint="write XAF 3.2 or 4.0 instead",
            )
        _refuse_unbalanced(plan, adm.header.source_version == "2.0")
        if self.v4 and plan.period0_lines:
            raise KoppelError(
                f"{plan.period0_lines} transaction lines are in period 0, which XAF 4.0 does not allow, and the "
                "opening balance is already given in openingBalance (XAF-O01 in the source)",
                field="periodNumber",
                hint="remove the double opening balance in the source, or write XAF 3.2",
            )
        ob = adm.opening_balance
        net = int(ob["amount"].sum())
        if net:
            raise KoppelError(
                f"the opening balance does not balance: debit minus credit is {format_cents(net)}",
                field="openingBalance",
                hint="a defect of the source that koppel cannot repair; correct the opening balance there",
            )
        if self.skip:
            rep.add("moved", "transaction (period 0)", "opening balance moved into openingBalance", len(self.skip))
        ns = NAMESPACE_OF[self.version]
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<auditfile xmlns="{ns}">\n')
        out.write(self.header(plan))
        out.write(self.company_head())
        out.write(self.relations(plan.relations))
        out.write(self.accounts(self.referenced_accounts(plan, ob)))
        out.write(self.vat_codes(plan.vat_codes))
        out.write(self.periods(plan))
        out.write(self.opening(ob))
        heads, order = self.journal_heads(plan)
        out.write(
            f"<transactions>\n<linesCount>{plan.lines}</linesCount><totalDebit>{format_cents(plan.debit)}"
            f"</totalDebit><totalCredit>{format_cents(plan.credit)}</totalCredit>\n"
        )
        fmt = LineFormatter(self.version, rep, heads, self.currencies)
        if plan.journals_contiguous and plan.entries_contiguous:
            for batch in adm.lines.batches():
                if self.skip:
                    batch = batch[~opening_mask(batch, self.skip)]
                out.write(fmt.batch(batch))
        else:
            rep.fixed("transaction", "lines of a journal or entry were not together: regrouped", plan.entries)
            for jid in plan.journals:
                parts = []
                for batch in adm.lines.batches():
                    part = batch[(batch["journal_id"] == jid).fillna(False).to_numpy()]
                    if self.skip:
                        part = part[~opening_mask(part, self.skip)]
                    if not part.empty:
                        parts.append(part)
                frame = pd.concat(parts, ignore_index=True)
                codes, _ = pd.factorize(frame["entry_nr"].astype("string"))
                frame = frame.iloc[np.argsort(codes, kind="stable")]
                out.write(fmt.batch(frame))
                out.write(fmt.close())
        out.write(fmt.close())
        for jid in order:
            if jid not in fmt.written:
                out.write(heads[jid] + "</journal>\n")
        out.write("</transactions>\n</company>\n</auditfile>\n")
        return {
            "lines": plan.lines,
            "entries": plan.entries,
            "debit": plan.debit,
            "credit": plan.credit,
            "opening_lines": len(ob),
        }


def _refuse_unbalanced(plan: LinePlan, clair2: bool) -> None:
    if not plan.unbalanced:
        return
    first = list(plan.unbalanced.items())[:3]
    shown = ", ".join(f"{k.replace(KEY_SEP, '/')} ({format_cents(v)})" for k, v in first)
    raise KoppelError(
        f"{len(plan.unbalanced)} entries do not balance (debit minus credit): {shown}",
        field="transaction",
        hint="a defect of the source that koppel cannot repair"
        + (
            "; Banana CLAIR2 files write credits negative: read them with --read-option clair2_negative_credit=abs"
            if clair2
            else ""
        ),
    )


def write_xaf(adm: Administration, path: str | Path, version: str = "4.0", **kwargs) -> XafWriteResult:
    """Write ``adm`` as an XAF ``version`` auditfile at ``path``: validated against its XSD, then published
    atomically (with ``split_mb``: all parts together). See :func:`write_xaf_into` for the options."""
    path = Path(path)
    with AtomicDir(path.parent) as out:
        return write_xaf_into(adm, out, path.name, version, **kwargs)


def write_xaf_into(
    adm: Administration,
    out: AtomicDir,
    name: str,
    version: str = "4.0",
    *,
    validate: bool = True,
    schema_dir: str | Path | None = None,
    report: ConversionReport | None = None,
    split_mb: float | None = None,
    **options,
) -> XafWriteResult:
    """Write ``adm`` as file ``name`` into the pending outputs of ``out`` (published by its commit).

    Options: ``mixed_account_kind`` ("B"/"P": accTp M in 4.0, default "B"), ``account_kinds`` (account id ->
    B/P/M for accounts of unknown kind, e.g. referenced by lines only), ``other_relation_kind``
    (custSupTp for relations of kind "other" in 4.0; default: left out), ``date_created`` (ISO date,
    default today). ``split_mb`` writes continuation files of at most about that many MB (§2.6).
    """
    report = report or ConversionReport(target=f"xaf {version}")
    writer = _Writer(adm, version, report, {"schema_dir": schema_dir, **options})
    target = out.folder / name

    def check(tmp: Path) -> None:
        if validate:
            validate_file(tmp, version, schema_dir, label=target)

    if split_mb:
        from .split import write_split

        paths, stats, temps = write_split(target, split_mb, writer.write, check, out=out)
    else:
        tmp = out.path(name)
        with tmp.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
            stats = writer.write(handle)
        check(tmp)
        paths, temps = [target], [tmp]
    return XafWriteResult(
        paths=paths,
        version=version,
        report=report,
        lines=stats["lines"],
        entries=stats["entries"],
        opening_lines=stats["opening_lines"],
        stats=stats,
        temp_paths=temps,
    )
