"""RGS codes proposed for accounts without one: a transparent score of name, kind, number and balance side.

Candidates are the release's account-level codes (level 4) of the account's kind (B… for a balance account,
W… for profit and loss; both when the kind is unknown). Each candidate gets a score from 0 to 1 made of parts
that the review list spells out:

- **naam** (weight 0.75): how much the account's name resembles the code's description, short description and
  the descriptions of its parents (rubriek, hoofdrubriek). Word overlap weighted by rarity (a word common in
  the release counts less) plus overlap of letter trigrams, which catches Dutch compounds
  (*Afschrijvingskosten gebouwen* ~ *Afschrijving bedrijfsgebouwen*); a name word found inside a compound
  of the description (*debiteuren* in *Handelsdebiteuren*) counts 0.8 of a whole-word hit;
- **nummer** (0.10): Dutch charts follow the decimal account scheme, and so does RGS's *Referentienummer*
  (1002010 for the bank): the same first digit (class) scores, the same first two score more;
- **saldo** (0.10): the side of the account's balance in the file agrees with the code's D/C;
- **hoofd** (0.05): the code is the first account of its rubric (lowest Sortering / Referentienummer), the
  main account where the rubric's children differ only in what the name does not say (*Bedrijfsgebouwen*:
  acquisition price before revaluation and depreciation).

Measured on charts that carry their RGS codes (bench/bench_rgs_proposal.py; README): the right code is
first for about a third of the accounts and among the three for somewhat under half — a proposal to
review, not a mapping.

Nothing is accepted silently: the top three are written to a review list beside the mapping, with scores
and reasons; the mapping holds the best one, marked *proposed*, for the bookkeeper to keep or change.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from .release import RgsCode, RgsRelease

WEIGHTS = {"naam": 0.75, "nummer": 0.10, "saldo": 0.10, "hoofd": 0.05}
_STOP = frozenset(
    "de het een en van voor op in met te aan bij of uit over als door naar om tot der des ten ter "  # noqa: SIM905
    "overige overig diverse div totaal nog the and of".split()
)
# abbreviations in charts of accounts, written out as RGS describes
_ABBREVIATIONS = {
    "afschr": "afschrijving", "afschrijvingskosten": "afschrijving", "btw": "omzetbelasting",
    "vpb": "vennootschapsbelasting", "ib": "inkomstenbelasting", "r/c": "rekening courant", "rc": "rekening courant",
    "deb": "debiteuren", "cred": "crediteuren", "crediteur": "crediteuren", "debiteur": "debiteuren",
    "pers": "personeel", "pensioenlasten": "pensioen", "autokosten": "auto", "huisvestingskosten": "huisvesting",
    "kantoorkosten": "kantoor", "verkoopkosten": "verkoop", "bankkosten": "bank", "vak": "vakantie",
    "lh": "loonheffing", "loonheffingen": "loonheffing", "kruisposten": "kruispost", "kas": "kas",
    "omzet": "omzet", "inkoop": "inkoop", "voorraad": "voorraad", "kapitaal": "kapitaal",
}  # fmt: skip


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def words(text: str | None) -> list[str]:
    """Lower-case words without accents and stop words; abbreviations written out."""
    out = []
    for w in re.findall(r"[a-z0-9/]+", _fold(text or "")):
        w = _ABBREVIATIONS.get(w, w)
        for part in w.split():
            if part not in _STOP and len(part) > 1 and not part.isdigit():
                out.append(part)
    return out


def _stem(word: str) -> str:
    """A light Dutch stem: plural and derivational endings off (debiteuren ~ debiteur, kosten ~ kost)."""
    for suffix in ("ingen", "ing", "en", "es", "s", "e"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def trigrams(text: str) -> Counter:
    folded = " ".join(words(text))
    grams: Counter = Counter()
    for w in folded.split():
        padded = f" {w} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def _cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


@dataclass
class Candidate:
    code: RgsCode
    score: float
    parts: dict[str, float]
    reason: str


@dataclass
class AccountFacts:
    account_id: str
    name: str | None
    kind: str | None  # B or P (None: unknown)
    balance: int | None = None  # cents, debit positive (None: not known)


class Proposer:
    """Scores every account-level code of a release against an account; built once per release."""

    def __init__(self, release: RgsRelease, levels: tuple[int, ...] = (4,)) -> None:
        self.release = release
        self.codes = [c for c in release.codes.values() if c.level in levels]
        self._own: dict[str, set[str]] = {}
        self._context: dict[str, set[str]] = {}
        self._grams: dict[str, Counter] = {}
        df: Counter = Counter()
        for c in self.codes:
            own = {_stem(w) for w in words(c.description) + words(c.short)}
            context = {_stem(w) for p in release.path(c.code)[1:] for w in words(p.description)} - own
            self._own[c.code], self._context[c.code] = own, context
            self._grams[c.code] = trigrams(f"{c.short or ''} {c.description or ''}")
            df.update(own | context)
        # the first account-level code of each rubric (lowest Sortering / Referentienummer): its main account
        first: dict[str, tuple] = {}
        for c in self.codes:
            parent = release.parent(c.code)
            key = (c.sort_key or c.number or "~", c.code)
            if parent is not None and (parent.code not in first or key < first[parent.code]):
                first[parent.code] = key
        self._main = {key[1] for key in first.values()}
        n = max(len(self.codes), 1)
        self._idf = {w: math.log((n + 1) / (k + 0.5)) for w, k in df.items()}
        self._idf_default = math.log(n + 1)

    def _name_score(self, name_words: set[str], grams: Counter, code: str) -> tuple[float, list[str]]:
        if not name_words:
            return 0.0, []
        own, context = self._own[code], self._context[code]
        total = sum(self._idf.get(w, self._idf_default) for w in name_words)
        hit_own = [w for w in name_words if w in own]
        # a word inside a compound of the description (debiteur in handelsdebiteuren) counts 0.8
        hit_part = [w for w in name_words if w not in own and len(w) >= 5 and any(w in o for o in own)]
        hit_ctx = [w for w in name_words if w in context and w not in own and w not in hit_part]
        idf = self._idf.get
        overlap = (sum(idf(w, self._idf_default) for w in hit_own)
                   + 0.8 * sum(idf(w, self._idf_default) for w in hit_part)
                   + 0.5 * sum(idf(w, self._idf_default) for w in hit_ctx)) / total  # fmt: skip
        gram = _cosine(grams, self._grams[code])
        return min(1.0, 0.6 * overlap + 0.4 * gram), hit_own + hit_part + hit_ctx

    @staticmethod
    def _number_score(account_id: str, code: RgsCode) -> float:
        digits = re.sub(r"\D", "", account_id)
        number = re.sub(r"\D", "", code.number or "")
        if not digits or not number or len(digits) < 3:
            return 0.0
        if digits[:2] == number[:2]:
            return 1.0
        return 0.6 if digits[0] == number[0] else 0.0

    def propose(self, account: AccountFacts, top: int = 3) -> list[Candidate]:
        """The ``top`` best codes for ``account``, best first, each with its parts and a reason in words."""
        name_words = {_stem(w) for w in words(account.name)}
        grams = trigrams(account.name or "")
        want = {"B": "B", "P": "P"}.get(account.kind or "")
        side = None if not account.balance else ("D" if account.balance > 0 else "C")
        scored: list[Candidate] = []
        for c in self.codes:
            if want is not None and c.kind != want:
                continue
            name, _hits = self._name_score(name_words, grams, c.code)
            number = self._number_score(account.account_id, c)
            balance = 1.0 if side is not None and c.side == side else 0.0
            parts = {"naam": name, "nummer": number, "saldo": balance, "hoofd": float(c.code in self._main)}
            score = sum(WEIGHTS[k] * v for k, v in parts.items())
            scored.append(Candidate(c, score, parts, ""))
        scored.sort(key=lambda x: (-x.score, x.code.sort_key or "", x.code.code))
        best = scored[:top]
        for cand in best:
            cand.reason = self._reason(account, cand, name_words, side, want)
        return best

    def _reason(self, account: AccountFacts, cand: Candidate, name_words: set[str], side: str | None,
                want: str | None) -> str:  # fmt: skip
        c = cand.code
        bits = []
        _, hits = self._name_score(name_words, trigrams(account.name or ""), c.code)
        bits.append(f"naam {cand.parts['naam']:.2f}" + (f" (woorden: {', '.join(sorted(hits))})" if hits else ""))
        if cand.parts["nummer"]:
            bits.append(f"nummer {account.account_id} ~ referentienummer {c.number}")
        if cand.parts["saldo"]:
            bits.append(f"saldo {'debet' if side == 'D' else 'credit'} = {c.side}")
        parent = self.release.parent(c.code)
        if cand.parts.get("hoofd") and parent is not None:
            bits.append(f"eerste rekening van rubriek {parent.code}")
        bits.append("soort " + ("balans" if want == "B" else "winst-en-verlies" if want == "P" else "onbekend"))
        return "; ".join(bits)
