# ruff: noqa: E501 - the records are written the way exporters write them, one per line
"""An XAF 4.0 auditfile with the shape of the official 4.0 test file: every optional element filled once.

Header RGSVersion; company address with a house-number extension; relations with opening and closing
balances and a tax registration country; a journal with an offset account; a line with settlement date,
references, cost centre, cost unit ``prod001`` (longer than AccountView's 5 characters), project,
bank accounts, VAT and currency.
"""

from __future__ import annotations

from pathlib import Path

NS = "http://www.odb.belastingdienst.nl/Belastingdienst/BCPP/1.1/structures/XmlauditfileXAF_4.0"


def official_shaped_xaf40(path: Path, *, product: str = "prod001", offset_account: str = "1100") -> Path:
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<auditfile xmlns="{NS}">
<header><fiscalYear>2025</fiscalYear><startDate>2025-01-01</startDate><endDate>2025-12-31</endDate><curCode>EUR</curCode>
<dateCreated>2026-01-20</dateCreated><softwareDesc>Boekhoudpakket</softwareDesc><softwareVersion>4.0.3</softwareVersion>
<RGSVersion>3.7</RGSVersion></header>
<company>
<Commercenr>12345678</Commercenr><companyName>Proefbedrijf B.V.</companyName><taxRegistrationCountry>NL</taxRegistrationCountry>
<taxRegIdent>NL001234567B01</taxRegIdent>
<streetAddress><streetname>Kerkplein</streetname><number>123</number><numberExtension>B</numberExtension><city>Zeist</city><postalCode>3701 AA</postalCode><country>NL</country></streetAddress>
<customersSuppliers>
<customerSupplier><custSupID>Debiteur123</custSupID><custSupName>Klant Een</custSupName><eMail>klant@example.nl</eMail>
<commerceNr>87654321</commerceNr><taxRegistrationCountry>BE</taxRegistrationCountry><taxRegIdent>BE0123456789</taxRegIdent>
<custSupTp>C</custSupTp><opBalDesc>121.00</opBalDesc><opBalTp>D</opBalTp><clBalDesc>0.00</clBalDesc><clBalTp>D</clBalTp>
<streetAddress><streetname>Stationsweg</streetname><number>7</number><numberExtension>bis</numberExtension><city>Gent</city><postalCode>9000</postalCode><country>BE</country></streetAddress>
</customerSupplier>
</customersSuppliers>
<generalLedger>
<ledgerAccount><accID>1100</accID><accDesc>Bank</accDesc><accTp>B</accTp><RGScode>BLimBanRba</RGScode></ledgerAccount>
<ledgerAccount><accID>1300</accID><accDesc>Debiteuren</accDesc><accTp>B</accTp><RGScode>BVorDebHad</RGScode></ledgerAccount>
<ledgerAccount><accID>0500</accID><accDesc>Eigen vermogen</accDesc><accTp>B</accTp><RGScode>BEivGokGea</RGScode></ledgerAccount>
<ledgerAccount><accID>8000</accID><accDesc>Omzet</accDesc><accTp>P</accTp><RGScode>WOmzNopOlh</RGScode></ledgerAccount>
<ledgerAccount><accID>1500</accID><accDesc>Te betalen btw</accDesc><accTp>B</accTp><RGScode>BSchBepBtwAfo</RGScode></ledgerAccount>
</generalLedger>
<vatCodes><vatCode><vatID>V21</vatID><vatDesc>Btw hoog</vatDesc><vatToPayAccID>1500</vatToPayAccID></vatCode></vatCodes>
<periods><period><periodNumber>1</periodNumber><startDatePeriod>2025-01-01</startDatePeriod><endDatePeriod>2025-12-31</endDatePeriod></period></periods>
<openingBalance><linesCount>2</linesCount><totalDebit>121.00</totalDebit><totalCredit>121.00</totalCredit>
<obLine><nr>1</nr><accID>1300</accID><amnt>121.00</amnt><amntTp>D</amntTp></obLine>
<obLine><nr>2</nr><accID>0500</accID><amnt>121.00</amnt><amntTp>C</amntTp></obLine>
</openingBalance>
<transactions><linesCount>3</linesCount><totalDebit>121.00</totalDebit><totalCredit>121.00</totalCredit>
<journal><jrnID>VRK</jrnID><desc>Verkoop</desc><jrnTp>S</jrnTp><offsetAccID>{offset_account}</offsetAccID>
<transaction><nr>2025001</nr><desc>Factuur 2025001</desc><periodNumber>1</periodNumber><trDt>2025-03-01</trDt>
<Source>Verkoopmodule</Source><User>Boekhouder</User>
<trLine><nr>1</nr><accID>1300</accID><docRef>F2025001</docRef><effDate>2025-03-01</effDate><settDate>2025-03-31</settDate>
<desc>Factuur</desc><amnt>121.00</amnt><amntTp>D</amntTp><custSupID>Debiteur123</custSupID><invRef>F2025001</invRef>
<receivingDocRef>ONTV-1</receivingDocRef><shipDocRef>PAKB-1</shipDocRef><bankAccNr>NL91ABNA0417164300</bankAccNr>
<offsetBankAccNr>BE71096123456769</offsetBankAccNr></trLine>
<trLine><nr>2</nr><accID>8000</accID><docRef>F2025001</docRef><effDate>2025-03-01</effDate><desc>Omzet</desc>
<amnt>100.00</amnt><amntTp>C</amntTp><cost>KP01</cost><product>{product}</product><project>PRJ01</project>
<workCostArrRef>WKR-1</workCostArrRef>
<vat><vatID>V21</vatID><vatPerc>0.21</vatPerc><vatAmnt>21.00</vatAmnt><vatAmntTp>C</vatAmntTp></vat>
<currency><curCode>USD</curCode><curAmnt>110.00</curAmnt></currency></trLine>
<trLine><nr>3</nr><accID>1500</accID><docRef>F2025001</docRef><effDate>2025-03-01</effDate><desc>Btw</desc>
<amnt>21.00</amnt><amntTp>C</amntTp></trLine>
</transaction>
</journal>
</transactions>
</company>
</auditfile>
"""
    path.write_text(text, encoding="utf-8")
    return path
