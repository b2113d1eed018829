"""Element names per XAF version family and how master-data records map to canonical tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import KoppelError
from ..kinds import UNKNOWN, account_kind, record_unknown
from ..money import parse_cents
from .rows import CUR_AMT, CURRENCY_BLOCK, SLOT, VAT_AMT, VAT_BLOCK, VAT_SIDE, A, B, record_fields
from .versions import XafFile

if TYPE_CHECKING:
    from .reader import XafReader

# Relation types: XAF custSupTp and CLAIR2's free-text type (formats.md §2.4), compared in upper case.
RELATION_KIND = {
    **dict.fromkeys(["C", "D", "DEB", "DEBITEUR", "DEBTOR", "CUSTOMER", "KLANT", "RECEIVABLE"], "customer"),
    **dict.fromkeys(["S", "CRED", "CREDITEUR", "CREDITOR", "SUPPLIER", "LEVERANCIER", "PAYABLE"], "supplier"),
    **dict.fromkeys(["B", "BOTH", "BEIDE"], "both"),
    **dict.fromkeys(["O", "OTHER", "OVERIG"], "other"),
}


def relation_kind(code: str | None) -> str | None:
    """customer, supplier, both or other; None when nothing is written or the value is not known (never a guess)."""
    if code is None or not code.strip():
        return None
    return RELATION_KIND.get(code.strip().upper())


def _relation_kind(reader: XafReader, field: str, code: str | None) -> str | None:
    kind = relation_kind(code)
    if kind is None and code is not None and code.strip():
        record_unknown(reader.unknown_codes, field, code.strip())
    return kind


def _account_kind(reader: XafReader, field: str, raw: str | None) -> str | None:
    kind = account_kind(raw)
    if kind == UNKNOWN:
        record_unknown(reader.unknown_codes, field, raw.strip())
    return kind


class Vocabulary:
    """Tag maps for one version family; ``ns`` is the ``{namespace}`` prefix of every tag."""

    version: str
    line_name = "trLine"

    def __init__(self, info: XafFile, stripped: bool = False) -> None:
        self.version = info.version
        self.ns = f"{{{info.namespace}}}" if info.namespace and not stripped else ""
        self.ns_len = len(self.ns)
        t = self.tag
        self.line_map: dict[str, int] = {t(local): SLOT[name] for local, name in self.LINE_FIELDS.items()}
        self.line_map.update(
            {t(self.AMOUNT_A): A, t(self.AMOUNT_B): B, t("vat"): VAT_BLOCK, t("currency"): CURRENCY_BLOCK}
        )
        self.vat_map = {t(local): SLOT[name] for local, name in self.VAT_FIELDS.items()}
        self.vat_map.update({t(self.VAT_AMOUNT): VAT_AMT})
        if self.VAT_SIDE:
            self.vat_map[t(self.VAT_SIDE)] = VAT_SIDE
        self.currency_map = {t(local): SLOT["currency"] for local in self.CURRENCY_CODE}
        self.currency_map.update({t(local): CUR_AMT for local in self.CURRENCY_AMOUNTS})
        self.tx_fields = {t(local): name for local, name in self.TX_FIELDS.items()}

    def tag(self, local: str) -> str:
        return self.ns + local

    def local(self, role: str) -> str:
        return {"line": self.line_name, "transaction": "transaction"}[role]

    # amounts ---------------------------------------------------------------------------------
    def vat_amounts(self, reader: XafReader, amounts, sides, line_amounts: np.ndarray, src_lines) -> pa.Array:
        """Signed VAT cents: by vatAmntTp where given, else (CLAIR2, or a 3.x file without it) the side of the
        line; null where absent. A vatAmntTp other than D or C leaves the VAT amount unknown (null), reported."""
        present = amounts.is_valid().to_numpy(zero_copy_only=False)
        if not present.any():
            return pa.nulls(len(amounts), pa.int64())
        cents = reader.cents(amounts, src_lines, self.VAT_AMOUNT)
        side = pc.utf8_trim_whitespace(sides)
        is_d = pc.fill_null(pc.equal(side, "D"), False).to_numpy(zero_copy_only=False)
        is_c = pc.fill_null(pc.equal(side, "C"), False).to_numpy(zero_copy_only=False)
        written = pc.fill_null(pc.not_equal(side, ""), False).to_numpy(zero_copy_only=False)
        odd = present & written & ~is_d & ~is_c
        if odd.any():
            for value in side.filter(pa.array(odd)).to_pylist():
                record_unknown(reader.unknown_codes, f"{self.line_name}/vat/{self.VAT_SIDE}", value)
            what = f"{self.line_name}/vat/{self.VAT_AMOUNT} (side unknown: not carried)"
            reader.count_not_carried(what, int(odd.sum()))
        by_line = np.where(line_amounts < 0, -np.abs(cents), np.abs(cents))
        signed = np.where(is_c, -cents, np.where(is_d, cents, by_line))
        return pa.array(signed, pa.int64(), mask=~present | odd)


class Xaf3Vocabulary(Vocabulary):
    """XAF 3.0, 3.1, 3.2, 3.2.1 and 4.0 (4.0 renames the line's analysis codes)."""

    LINE_FIELDS = {
        "nr": "line_nr",
        "accID": "account_id",
        "desc": "description",
        "custSupID": "relation_id",
        "docRef": "doc_ref",
        "invRef": "invoice_ref",
        "effDate": "effective_date",
        "costID": "cost_center",
        "prodID": "cost_unit",
        "projID": "project",
        "cost": "cost_center",
        "product": "cost_unit",
        "project": "project",
        "qntity": "quantity",
        "bankAccNr": "bank_account",
    }
    AMOUNT_A, AMOUNT_B = "amnt", "amntTp"
    VAT_FIELDS = {"vatID": "vat_code", "vatPerc": "vat_rate"}
    VAT_AMOUNT, VAT_SIDE = "vatAmnt", "vatAmntTp"
    CURRENCY_CODE = ("curCode",)
    CURRENCY_AMOUNTS = ("curAmnt",)
    TX_FIELDS = {"nr": "nr", "desc": "desc", "periodNumber": "period", "trDt": "date"}
    TX_DATE = "trDt"
    journal_fields = {"journal_id": "jrnID", "description": "desc", "kind": "jrnTp", "offset_account": "offsetAccID"}

    @property
    def journal_carried(self) -> frozenset[str]:
        return JOURNAL_3_CARRIED

    def amounts(self, reader: XafReader, values, sides, src_lines) -> tuple[np.ndarray, int, int]:
        """Signed cents by amntTp, and the debit and credit totals as written by side."""
        raw = values
        cents = reader.cents(values, src_lines, "amnt")
        side = pc.utf8_trim_whitespace(sides)
        is_d = pc.fill_null(pc.equal(side, "D"), False).to_numpy(zero_copy_only=False)
        is_c = pc.fill_null(pc.equal(side, "C"), False).to_numpy(zero_copy_only=False)
        missing = raw.is_null().to_numpy(zero_copy_only=False)
        unknown = ~(is_d | is_c)
        if missing.any() or (unknown & (cents != 0)).any():
            i = int(np.flatnonzero(missing | (unknown & (cents != 0)))[0])
            if missing[i]:
                message, field = "amnt is missing", "amnt"
            else:
                side_i, value_i = sides[i].as_py(), values[i].as_py()
                found = "missing" if side_i is None else f"{side_i!r}, not D or C"
                message, field = f"amntTp {found}: the side of amount {value_i} is unknown", "amntTp"
            raise KoppelError(
                message,
                file=reader.info.path,
                line=src_lines[i],
                field=field,
                hint="every line needs amnt and amntTp D (debit) or C (credit)",
            )
        debit = int(cents[is_d].sum())
        credit = int(cents[is_c].sum())
        return np.where(is_c, -cents, cents), debit, credit

    def master_handlers(self, reader: XafReader) -> dict[str, Callable]:
        t = self.tag
        company = t("company")

        def header(elem) -> None:
            f = _flat(elem, self)
            h = reader.header
            h.fiscal_year = f.get("fiscalYear")
            h.start_date, h.end_date = f.get("startDate"), f.get("endDate")
            h.currency, h.date_created = f.get("curCode"), f.get("dateCreated")
            h.software, h.software_version = f.get("softwareDesc"), f.get("softwareVersion")
            h.rgs_version = f.get("RGSVersion")
            _count_rest(reader, elem, self, "header", HEADER_3_CARRIED)

        def company_field(elem) -> bool | None:
            if elem.getparent() is None or elem.getparent().tag != company:
                return False  # e.g. customerSupplier/taxRegIdent: read with its relation, so keep its text
            value = elem.text.strip() if elem.text else None
            local = elem.tag[self.ns_len :]
            target = {
                "companyIdent": "company_id",
                "companyName": "company_name",
                "taxRegIdent": "vat_number",
                "Commercenr": "kvk",
            }[local]
            setattr(reader.header, target, value)

        def relation(elem) -> None:
            parent = elem.getparent()
            if parent is not None and parent.tag.endswith("History"):
                return  # customerSupplierHistory/customerSupplier: an earlier state, counted at its end
            f = _flat(elem, self)
            street = f.get("streetAddress") if isinstance(f.get("streetAddress"), dict) else {}
            bank = f.get("bankAccount") if isinstance(f.get("bankAccount"), dict) else {}
            reader.master["relations"].append(
                {
                    "relation_id": f.get("custSupID"),
                    "kind": _relation_kind(reader, "customerSupplier/custSupTp", f.get("custSupTp")),
                    "name": f.get("custSupName"),
                    "contact": f.get("contact"),
                    "street": street.get("streetname"),
                    "house_nr": street.get("number"),
                    "house_nr_addition": street.get("numberExtension"),
                    "postal_code": street.get("postalCode"),
                    "city": street.get("city"),
                    "country": street.get("country"),
                    "phone": f.get("telephone"),
                    "email": f.get("eMail"),
                    "website": f.get("website"),
                    "vat_number": f.get("taxRegIdent"),
                    "kvk": f.get("commerceNr"),
                    "iban": bank.get("bankAccNr"),
                    "bic": bank.get("bankIdCd"),
                }
            )
            repeats = ("streetAddress", "postalAddress", "bankAccount", "customerSupplierHistory", "changeInfo")
            _count_repeats(reader, elem, self, "customerSupplier", repeats)
            _count_rest(
                reader, elem, self, "customerSupplier", RELATION_3_CARRIED,
                skip=("postalAddress", "customerSupplierHistory", "changeInfo"),
            )  # fmt: skip

        def account(elem) -> None:
            f = _flat(elem, self)
            reader.master["accounts"].append(
                {
                    "account_id": f.get("accID"),
                    "name": f.get("accDesc"),
                    "kind": _account_kind(reader, "ledgerAccount/accTp", f.get("accTp")),
                    "rgs_code": f.get("RGScode"),
                }
            )
            _count_rest(reader, elem, self, "ledgerAccount", ACCOUNT_3_CARRIED)

        def simple(table: str, record: str, fields: dict[str, str]) -> Callable:
            """A record whose canonical fields are child elements of the same name in every version."""
            carried = frozenset(fields.values())

            def handler(elem) -> None:
                f = _flat(elem, self)
                reader.master[table].append({canonical: f.get(local) for canonical, local in fields.items()})
                _count_rest(reader, elem, self, record, carried)

            return handler

        vat_code = simple(
            "vat_codes",
            "vatCode",
            {
                "vat_code": "vatID",
                "description": "vatDesc",
                "pay_account": "vatToPayAccID",
                "claim_account": "vatToClaimAccID",
            },
        )
        period = simple(
            "periods",
            "period",
            {
                "period": "periodNumber",
                "description": "periodDesc",
                "start_date": "startDatePeriod",
                "end_date": "endDatePeriod",
            },
        )

        def ob_line(elem) -> None:
            f = _flat(elem, self)
            amnt = elem.find(t("amnt"))
            line = amnt.sourceline if amnt is not None else elem.sourceline
            try:
                cents = parse_cents(f.get("amnt"), field="obLine/amnt")
            except KoppelError as exc:
                raise exc.at(reader.info.path, line) from None
            side = f.get("amntTp")
            if side not in ("D", "C"):
                if cents != 0:
                    raise KoppelError(
                        "obLine without amntTp: the side of the amount is unknown",
                        file=reader.info.path,
                        line=line,
                        field="obLine/amntTp",
                        hint="every opening-balance line needs amntTp D or C",
                    )
                side = "D"  # an amount of 0 has no side to get wrong
            reader.master["opening_balance"].append(
                {
                    "line_nr": f.get("nr"),
                    "account_id": f.get("accID"),
                    "amount": cents if side == "D" else -cents,
                    "description": f.get("desc"),
                    "relation_id": f.get("custSupID"),
                }
            )
            _count_rest(reader, elem, self, "obLine", OB_LINE_CARRIED)

        def opening(elem) -> None:
            f = _flat(elem, self)
            reader.header.opening_date = f.get("opBalDate")
            reader.header.opening_description = f.get("opBalDesc")
            _count_rest(reader, elem, self, "openingBalance", OPENING_CARRIED)

        def counted(what: str) -> Callable:
            def handler(elem) -> None:
                reader.count_not_carried(what)

            return handler

        def subledger(what: str, line_local: str, kind: str) -> Callable:
            """Counted as not carried (no target carries it); its lines kept when open items want them."""

            def handler(elem) -> None:
                reader.count_not_carried(what)
                if reader.subledgers is not None:
                    reader.subledgers.subledger(elem, line_local, kind)

            return handler

        handlers = {
            t("header"): header,
            t("customerSupplier"): relation,
            t("ledgerAccount"): account,
            t("vatCode"): vat_code,
            t("period"): period,
            t("obLine"): ob_line,
            t("openingBalance"): opening,
            t("journal"): reader.journal_end,
            t("basic"): counted("basics/basic"),
            t("subledger"): subledger("transactions/subledgers/subledger", "sbLine", "sb"),
            t("obSubledger"): subledger("openingBalance/obSubledgers/obSubledger", "obSbLine", "ob"),
        }
        for local in ("companyIdent", "companyName", "taxRegIdent", "Commercenr"):
            handlers[t(local)] = company_field
        return handlers


class Clair2Vocabulary(Vocabulary):
    """CLAIR2 (auditfileVersion CLAIR2.00.00), no namespace; debit and credit in separate elements."""

    line_name = "line"
    LINE_FIELDS = {
        "recordID": "line_nr",
        "accountID": "account_id",
        "description": "description",
        "custSupID": "relation_id",
        "documentID": "doc_ref",
        "effectiveDate": "effective_date",
        "costDesc": "cost_center",
        "productDesc": "cost_unit",
        "projectDesc": "project",
    }
    AMOUNT_A, AMOUNT_B = "debitAmount", "creditAmount"
    VAT_FIELDS = {"vatCode": "vat_code", "vatPercentage": "vat_rate"}
    VAT_AMOUNT, VAT_SIDE = "vatAmount", None
    CURRENCY_CODE = ("currencyCode",)
    CURRENCY_AMOUNTS = ("currencyDebitAmount", "currencyCreditAmount")
    TX_FIELDS = {"transactionID": "nr", "description": "desc", "period": "period", "transactionDate": "date"}
    TX_DATE = "transactionDate"
    journal_fields = {"journal_id": "journalID", "description": "description", "kind": "type"}

    @property
    def journal_carried(self) -> frozenset[str]:
        return JOURNAL_C2_CARRIED

    def amounts(self, reader: XafReader, debits, credits, src_lines) -> tuple[np.ndarray, int, int]:
        d = reader.cents(debits, src_lines, "debitAmount")
        c = reader.cents(credits, src_lines, "creditAmount")
        credit_as_read = np.abs(c) if reader.negative_credit_abs else c
        return d - credit_as_read, int(d.sum()), int(c.sum())

    def master_handlers(self, reader: XafReader) -> dict[str, Callable]:
        t = self.tag

        def header(elem) -> None:
            f = _flat(elem, self)
            h = reader.header
            h.fiscal_year = f.get("fiscalYear")
            h.start_date, h.end_date = f.get("startDate"), f.get("endDate")
            h.currency, h.date_created = f.get("currencyCode"), f.get("dateCreated")
            h.software, h.software_version = f.get("productID"), f.get("productVersion")
            h.company_id, h.company_name = f.get("companyID"), f.get("companyName")
            h.vat_number = f.get("taxRegistrationNr")
            _count_rest(reader, elem, self, "header", HEADER_C2_CARRIED)

        def relation(elem) -> None:
            f = _flat(elem, self)
            street = f.get("streetAddress") if isinstance(f.get("streetAddress"), dict) else {}
            reader.master["relations"].append(
                {
                    "relation_id": f.get("custSupID"),
                    "kind": _relation_kind(reader, "customerSupplier/type", f.get("type")),
                    "name": f.get("companyName"),
                    "contact": f.get("contact"),
                    "street": street.get("streetname") or street.get("address"),  # the XSD's choice of the two
                    "house_nr": street.get("number"),
                    "house_nr_addition": street.get("numberExtension"),
                    "postal_code": street.get("postalCode"),
                    "city": street.get("city"),
                    "country": street.get("country"),
                    "phone": f.get("telephone"),
                    "email": f.get("eMail"),
                    "website": f.get("website"),
                    "vat_number": f.get("taxRegistrationNr"),
                }
            )
            _count_repeats(reader, elem, self, "customerSupplier", ("streetAddress", "postalAddress"))
            _count_rest(reader, elem, self, "customerSupplier", RELATION_C2_CARRIED, skip=("postalAddress",))

        def account(elem) -> None:
            f = _flat(elem, self)
            reader.master["accounts"].append(
                {
                    "account_id": f.get("accountID"),
                    "name": f.get("accountDesc"),
                    "kind": _account_kind(reader, "ledgerAccount/accountType", f.get("accountType")),
                }
            )
            _count_rest(reader, elem, self, "ledgerAccount", ACCOUNT_C2_CARRIED)

        return {
            t("header"): header,
            t("customerSupplier"): relation,
            t("ledgerAccount"): account,
            t("journal"): reader.journal_end,
        }


# What the model carries of each master record, as paths below the record; everything else with text is
# counted in not_carried by _count_rest (addresses and bank blocks after the first by _count_repeats).
HEADER_3_CARRIED = frozenset(
    ["fiscalYear", "startDate", "endDate", "curCode", "dateCreated", "softwareDesc", "softwareVersion", "RGSVersion"]
)
HEADER_C2_CARRIED = frozenset(
    [
        "auditfileVersion", "companyID", "taxRegistrationNr", "companyName", "fiscalYear", "startDate", "endDate",
        "currencyCode", "dateCreated", "productID", "productVersion",
    ]
)  # fmt: skip
_STREET = ("streetname", "number", "numberExtension", "postalCode", "city", "country")
RELATION_3_CARRIED = frozenset(
    [
        "custSupID", "custSupTp", "custSupName", "contact", "telephone", "eMail", "website", "taxRegIdent",
        "commerceNr", *(f"streetAddress/{x}" for x in _STREET), "bankAccount/bankAccNr", "bankAccount/bankIdCd",
    ]
)  # fmt: skip
RELATION_C2_CARRIED = frozenset(
    [
        "custSupID", "type", "companyName", "contact", "telephone", "eMail", "website", "taxRegistrationNr",
        "streetAddress/address", *(f"streetAddress/{x}" for x in _STREET),
    ]
)  # fmt: skip
ACCOUNT_3_CARRIED = frozenset(["accID", "accDesc", "accTp", "RGScode"])
ACCOUNT_C2_CARRIED = frozenset(["accountID", "accountDesc", "accountType"])
OB_LINE_CARRIED = frozenset(["nr", "accID", "amnt", "amntTp", "desc", "custSupID"])
# declared control totals are checked by ``koppel check`` and recomputed by every writer: not data to carry
CONTROL_TOTALS = frozenset(["linesCount", "totalDebit", "totalCredit", "numberEntries"])
OPENING_CARRIED = frozenset(["opBalDate", "opBalDesc"]) | CONTROL_TOTALS
JOURNAL_3_CARRIED = frozenset(["jrnID", "desc", "jrnTp", "offsetAccID"])
JOURNAL_C2_CARRIED = frozenset(["journalID", "description", "type"])


def _flat(elem, voc: Vocabulary) -> dict[str, object]:
    return record_fields(elem, voc.ns_len)


def _count_repeats(reader: XafReader, elem, voc: Vocabulary, parent: str, locals_: tuple[str, ...]) -> None:
    """Count address and bank blocks beyond the first, which the canonical relation does not carry."""
    seen: dict[str, int] = {}
    for child in elem:
        if isinstance(child.tag, str):
            name = child.tag[voc.ns_len :]
            if name in locals_:
                seen[name] = seen.get(name, 0) + 1
    for name, n in seen.items():
        if name in ("postalAddress", "customerSupplierHistory", "changeInfo"):
            reader.count_not_carried(f"{parent}/{name}", n)
        elif n > 1:
            reader.count_not_carried(f"{parent}/{name} (second and further)", n - 1)


def _count_rest(
    reader: XafReader, elem, voc: Vocabulary, record: str, carried: frozenset[str], skip: tuple[str, ...] = ()
) -> None:
    """Count every text of a record the model does not carry, as ``record/path`` in not_carried.

    Children named in ``skip`` and repeated blocks are counted whole elsewhere (see :func:`_count_repeats`);
    a repeated single value (a second eMail) is counted here, since only the first one is read.
    """
    cut = voc.ns_len
    seen: set[str] = set()
    for child in elem:
        if not isinstance(child.tag, str):
            continue
        name = child.tag[cut:]
        if name in skip:
            continue
        if len(child):
            if name in seen:
                continue
            seen.add(name)
            for leaf in child.iter():
                if len(leaf) or not isinstance(leaf.tag, str) or not (leaf.text and leaf.text.strip()):
                    continue
                parts = [leaf.tag[cut:]]
                up = leaf.getparent()
                while up is not None and up is not elem:
                    parts.append(up.tag[cut:])
                    up = up.getparent()
                path = "/".join(reversed(parts))
                if path not in carried:
                    reader.count_not_carried(f"{record}/{path}")
            continue
        if not (child.text and child.text.strip()):
            continue
        if name not in carried:
            reader.count_not_carried(f"{record}/{name}")
        elif name in seen:
            reader.count_not_carried(f"{record}/{name} (second and further)")
        seen.add(name)


def vocabulary_for(info: XafFile, stripped: bool = False) -> Vocabulary:
    cls = Clair2Vocabulary if info.version == "2.0" else Xaf3Vocabulary
    return cls(info, stripped)
