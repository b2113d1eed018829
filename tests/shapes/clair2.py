# ruff: noqa: E501 - the records are written the way exporters write them, one per line
"""A CLAIR2 auditfile shaped like EekBoek's export: accountType B and P, the opening balance as a transaction
in period 0 (CLAIR2's ``<period>``), debit and credit in separate elements."""

from __future__ import annotations

from pathlib import Path

ACCOUNTS = [
    ("1000", "Kas", "B"),
    ("1100", "Bank", "B"),
    ("0500", "Eigen vermogen", "B"),
    ("1600", "Crediteuren", "B"),
    ("4500", "Kantoorkosten", "P"),
    ("8000", "Omzet", "P"),
]


def eekboek_clair2(path: Path, kinds: dict[str, str] | None = None) -> Path:
    """Write the file; ``kinds`` overrides the written accountType per account id."""
    kinds = kinds or {}
    ledger = "".join(
        f"<ledgerAccount><accountID>{a}</accountID><accountDesc>{d}</accountDesc>"
        f"<accountType>{kinds.get(a, k)}</accountType><leadCode>{a[:2]}</leadCode></ledgerAccount>\n"
        for a, d, k in ACCOUNTS
    )
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<auditfile>
<header>
<auditfileVersion>CLAIR2.00.00</auditfileVersion><companyID>EB1</companyID>
<taxRegistrationNr>NL001234567B01</taxRegistrationNr><companyName>Boekhouding Kleine Zaak</companyName>
<companyAddress>Dorpsstraat 4</companyAddress><companyCity>Ede</companyCity><companyPostalCode>6711 AA</companyPostalCode>
<fiscalYear>2024</fiscalYear><startDate>2024-01-01</startDate><endDate>2024-12-31</endDate>
<currencyCode>EUR</currencyCode><dateCreated>2025-02-01</dateCreated><productID>EekBoek</productID>
<productVersion>2.04</productVersion>
</header>
<generalLedger>
<taxonomy>EekBoek</taxonomy>
{ledger}</generalLedger>
<customersSuppliers>
<customerSupplier><custSupID>LEV1</custSupID><type>Crediteur</type><companyName>Papierhandel</companyName>
<streetAddress><streetname>Hoofdweg</streetname><number>2</number><numberExtension>a</numberExtension><city>Ede</city><postalCode>6711 AB</postalCode><country>NL</country></streetAddress></customerSupplier>
</customersSuppliers>
<transactions>
<numberEntries>3</numberEntries><totalDebit>6600.00</totalDebit><totalCredit>6600.00</totalCredit>
<journal><journalID>MEM</journalID><description>Memoriaal</description><type>memoriaal</type>
<transaction><transactionID>1</transactionID><description>Openingsbalans</description><period>0</period><transactionDate>2024-01-01</transactionDate>
<line><recordID>1</recordID><accountID>1000</accountID><description>Kas</description><debitAmount>500.00</debitAmount></line>
<line><recordID>2</recordID><accountID>1100</accountID><description>Bank</description><debitAmount>5500.00</debitAmount></line>
<line><recordID>3</recordID><accountID>0500</accountID><description>Eigen vermogen</description><creditAmount>6000.00</creditAmount></line>
</transaction>
</journal>
<journal><journalID>INK</journalID><description>Inkopen</description><type>inkoop</type>
<transaction><transactionID>2</transactionID><description>Papier</description><period>3</period><transactionDate>2024-03-05</transactionDate>
<line><recordID>4</recordID><accountID>4500</accountID><custSupID>LEV1</custSupID><description>Papier</description><debitAmount>100.00</debitAmount></line>
<line><recordID>5</recordID><accountID>1600</accountID><custSupID>LEV1</custSupID><description>Papier</description><creditAmount>100.00</creditAmount></line>
</transaction>
</journal>
<journal><journalID>BNK</journalID><description>Bank</description><type>bank</type>
<transaction><transactionID>3</transactionID><description>Omzet</description><period>4</period><transactionDate>2024-04-10</transactionDate>
<line><recordID>6</recordID><accountID>1100</accountID><description>Ontvangst</description><debitAmount>500.00</debitAmount></line>
<line><recordID>7</recordID><accountID>8000</accountID><description>Omzet</description><creditAmount>500.00</creditAmount></line>
</transaction>
</journal>
</transactions>
</auditfile>
"""
    path.write_text(text, encoding="utf-8")
    return path
