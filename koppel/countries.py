"""Country names as ISO 3166-1 alpha-2 codes: what packages expect where an export wrote "Nederland".

Names come from pycountry (English names, their Dutch translations, alpha-3 codes) plus the spellings Dutch
bookkeeping exports use that ISO does not list (Holland, Engeland, Amerika, ...). A name that is not known stays
as it is: it is never guessed.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import cache

# Spellings seen in Dutch and English exports that are not ISO names or their Dutch translations.
COMMON: dict[str, str] = {
    "holland": "NL",
    "the netherlands": "NL",
    "nederland": "NL",
    "nl": "NL",
    "koninkrijk der nederlanden": "NL",
    "belgie": "BE",
    "belgique": "BE",
    "deutschland": "DE",
    "bondsrepubliek duitsland": "DE",
    "engeland": "GB",
    "england": "GB",
    "groot brittannie": "GB",
    "great britain": "GB",
    "britain": "GB",
    "uk": "GB",
    "schotland": "GB",
    "scotland": "GB",
    "wales": "GB",
    "noord ierland": "GB",
    "northern ireland": "GB",
    "verenigd koninkrijk": "GB",
    "amerika": "US",
    "usa": "US",
    "us": "US",
    "america": "US",
    "verenigde staten van amerika": "US",
    "united states of america": "US",
    "letzebuerg": "LU",
    "groothertogdom luxemburg": "LU",
    "frankrijk": "FR",
    "spanje": "ES",
    "espana": "ES",
    "italie": "IT",
    "italia": "IT",
    "zwitserland": "CH",
    "schweiz": "CH",
    "suisse": "CH",
    "oostenrijk": "AT",
    "osterreich": "AT",
    "denemarken": "DK",
    "danmark": "DK",
    "zweden": "SE",
    "sverige": "SE",
    "noorwegen": "NO",
    "norge": "NO",
    "polen": "PL",
    "polska": "PL",
    "tsjechie": "CZ",
    "turkije": "TR",
    "turkiye": "TR",
    "china": "CN",
    "volksrepubliek china": "CN",
    "zuid korea": "KR",
    "south korea": "KR",
    "rusland": "RU",
    "russia": "RU",
    "curacao": "CW",
    "aruba": "AW",
    "sint maarten": "SX",
    "bonaire": "BQ",
}


def _key(text: str) -> str:
    """Case, accents, punctuation and a leading article do not matter."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()
    plain = re.sub(r"[^a-z0-9]+", " ", plain).strip()
    return re.sub(r"^(the|de|het) ", "", plain)


@cache
def _names() -> dict[str, str]:
    import pycountry

    try:
        dutch = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"]).gettext
    except OSError:  # the translations ship with pycountry; without them English names still work
        dutch = None
    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = [country.name, country.alpha_3, getattr(country, "common_name", None),
                 getattr(country, "official_name", None)]  # fmt: skip
        if dutch is not None:
            names += [dutch(n) for n in names[:1] + names[2:] if n]
        for name in names:
            if name:
                table.setdefault(_key(name), code)
    for name, code in COMMON.items():
        table[_key(name)] = code
    return table


def country_code(text: str | None) -> str | None:
    """The ISO alpha-2 code of a country name or code (``Nederland`` → ``NL``), None when unknown."""
    if text is None or not text.strip():
        return None
    if text.strip().upper() in _codes():
        return text.strip().upper()
    return _names().get(_key(text))


@cache
def _codes() -> frozenset[str]:
    return frozenset(_names().values())
