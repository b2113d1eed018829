"""Mapping files (TOML): renumber codes for a target administration, override its dialect and columns.

Sections (all optional)::

    [accounts]             "1300" = "130000"      # source account -> target account
    [journals]             "MEMO" = "M01"
    [vat_codes]            "21" = "1"
    [relations]            "DEB001" = "10001"
    [conversion_accounts]  "1300" = "1310"        # applied to converted entries only (formats.md §3.1)
    [account_kinds]        "4000" = "P"           # source account -> B balance, P profit and loss (M mixed):
                                                  # for accounts whose kind the source does not state
    [countries]            "Holland" = "NL"         # a country name or spelling -> ISO code (beside the built-in names)
    [account_functions]    "B" = "..."              # account kind -> the target's function number (SnelStart)
    [defaults]             opening_journal = "BEG"  # and opening_entry_nr, opening_description, ...
    [dialect]              delimiter = ";"          # overrides every file's dialect of the target
    [columns.boekingen]    "Omschrijving" = "Tekst" # rename a column header of one output file
    [options]              truncate = true          # same as --option KEY=VALUE

An unmapped code passes through unchanged and is reported; with ``strict`` it is an error. Codes that koppel
generated because the source's did not fit the target (:mod:`koppel.adapt`) are held apart in ``generated``
and reported as such; ``mapping.generated.toml`` beside the output holds both, for review and reuse.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import KoppelError

CODE_SECTIONS = ("accounts", "journals", "vat_codes", "relations", "cost_centers", "cost_units", "projects")
# Which columns of which table carry a code of which section.
CODE_COLUMNS: dict[str, dict[str, str]] = {
    "lines": {
        "account_id": "accounts",
        "journal_id": "journals",
        "vat_code": "vat_codes",
        "relation_id": "relations",
        "cost_center": "cost_centers",
        "cost_unit": "cost_units",
        "project": "projects",
    },
    "accounts": {"account_id": "accounts"},
    "relations": {"relation_id": "relations", "control_account": "accounts"},
    "vat_codes": {"vat_code": "vat_codes", "pay_account": "accounts", "claim_account": "accounts"},
    "journals": {"journal_id": "journals", "offset_account": "accounts"},
    "opening_balance": {"account_id": "accounts", "relation_id": "relations"},
}


@dataclass
class Mapping:
    """A parsed mapping file plus what applying it did (for control.json)."""

    accounts: dict[str, str] = field(default_factory=dict)
    journals: dict[str, str] = field(default_factory=dict)
    vat_codes: dict[str, str] = field(default_factory=dict)
    relations: dict[str, str] = field(default_factory=dict)
    cost_centers: dict[str, str] = field(default_factory=dict)
    cost_units: dict[str, str] = field(default_factory=dict)
    projects: dict[str, str] = field(default_factory=dict)
    account_kinds: dict[str, str] = field(default_factory=dict)  # source account id -> B, P or M
    conversion_accounts: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, object] = field(default_factory=dict)
    dialect: dict[str, object] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    options: dict[str, object] = field(default_factory=dict)
    rgs: dict[str, str] = field(default_factory=dict)  # source account -> RGS code (koppel/rgs/mapping.py)
    rgs_release: dict[str, object] = field(default_factory=dict)  # version = "3.8": XAF 4.0's RGSVersion
    countries: dict[str, str] = field(default_factory=dict)
    account_functions: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    strict: bool = False
    # bookkeeping while applying: section -> {code used: times}, section -> set of unmapped codes
    applied: dict[str, dict[str, str]] = field(default_factory=lambda: {s: {} for s in CODE_SECTIONS})
    unmapped: dict[str, set[str]] = field(default_factory=lambda: {s: set() for s in CODE_SECTIONS})
    conversions: dict[str, int] = field(default_factory=dict)
    kinds_applied: dict[str, str] = field(default_factory=dict)
    # section -> {source code: code koppel generated because the source's does not fit the target}
    generated: dict[str, dict[str, str]] = field(default_factory=lambda: {s: {} for s in CODE_SECTIONS})

    @classmethod
    def load(cls, path: str | Path | None, strict: bool = False) -> Mapping:
        if path is None:
            return cls(strict=strict)
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KoppelError("mapping file not found", file=path) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise KoppelError(f"not a valid TOML mapping: {exc}", file=path) from None
        known = {*CODE_SECTIONS, "conversion_accounts", "account_kinds", "countries", "account_functions", "defaults",
                 "dialect", "columns", "options", "target", "rgs", "rgs_release"}  # fmt: skip
        unknown = sorted(set(data) - known)
        if unknown:
            raise KoppelError(
                f"unknown section(s) {', '.join(unknown)}", file=path, hint=f"known: {', '.join(sorted(known))}"
            )
        kwargs: dict[str, object] = {}
        for section in (*CODE_SECTIONS, "conversion_accounts", "rgs", "countries", "account_functions"):
            table = data.get(section, {})
            bad = [k for k, v in table.items() if not isinstance(v, str | int) or isinstance(v, bool)]
            if bad:
                raise KoppelError(
                    f"[{section}] {bad[0]!r} must map to a code (a quoted string)", file=path, field=section
                )
            kwargs[section] = {str(k): str(v) for k, v in table.items()}
        kwargs["account_kinds"] = _account_kinds(data.get("account_kinds", {}), path)
        for section in ("defaults", "dialect", "columns", "options", "rgs_release"):
            kwargs[section] = dict(data.get(section, {}))
        return cls(**kwargs, path=path, strict=strict)

    def with_kinds(self, accounts: pd.DataFrame) -> pd.DataFrame:
        """``accounts`` (source ids) with ``[account_kinds]`` applied: the mapping file states what the source
        leaves open or koppel does not know. A kind the source states is replaced too, and counted."""
        if not self.account_kinds or accounts.empty:
            return accounts
        stated = accounts["account_id"].map(self.account_kinds)
        hit = stated.notna()
        if not hit.any():
            return accounts
        out = accounts.copy()
        out["kind"] = out["kind"].where(~hit, stated).astype(accounts["kind"].dtype)
        for code in accounts.loc[hit, "account_id"]:
            self.kinds_applied[str(code)] = self.account_kinds[str(code)]
        return out

    def target_kinds(self) -> dict[str, str]:
        """``[account_kinds]`` by target account id (after ``[accounts]``), for accounts only lines refer to."""
        return {self.accounts.get(code, code): kind for code, kind in self.account_kinds.items()}

    def table(self, section: str) -> dict[str, str]:
        return getattr(self, section)

    def add_generated(self, section: str, codes: dict[str, str]) -> None:
        """Codes koppel made up for ``section`` (never for a code the file maps): applied like the file's own."""
        self.generated[section].update(codes)
        getattr(self, section).update(codes)

    # -- applying -------------------------------------------------------------------------------
    def map_series(self, values: pd.Series, section: str, where: pd.DataFrame | None = None) -> pd.Series:
        """Map one column of codes; record what was mapped and what passed through unchanged."""
        table = self.table(section)
        present = values.dropna()
        if present.empty:
            return values
        uniques = pd.unique(present)
        missing = [u for u in uniques if u not in table]
        if missing:
            if self.strict:
                raise self._strict_error(section, missing[0], values, where)
            self.unmapped[section].update(missing)
        hits = [u for u in uniques if u in table]
        if not hits:
            return values
        for u in hits:
            self.applied[section][u] = table[u]
        mapped = values.map(table)
        return mapped.fillna(values).astype(values.dtype)

    def _strict_error(self, section: str, code: str, values: pd.Series, where: pd.DataFrame | None) -> KoppelError:
        place = ""
        if where is not None and {"journal_id", "entry_nr"} <= set(where.columns):
            row = where.loc[values == code].iloc[0]
            place = f" (first used in entry {row['journal_id']}/{row['entry_nr']}, line {row.get('line_nr')})"
        return KoppelError(
            f"{section[:-1].replace('_', ' ')} {code!r} is not in the mapping{place}",
            file=self.path,
            field=section,
            hint=f"add it under [{section}] or leave out --strict-mapping",
        )

    def apply(self, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy of canonical table ``name`` with every code column mapped."""
        columns = CODE_COLUMNS.get(name, {})
        if frame.empty or not columns:
            return frame
        out = frame.copy(deep=False)
        for col, section in columns.items():
            out[col] = self.map_series(frame[col], section, frame if name == "lines" else None)
        return out

    def convert_accounts(self, accounts: pd.Series) -> pd.Series:
        """Apply ``[conversion_accounts]`` (source ids) to converted entry lines, counting the moves."""
        if not self.conversion_accounts:
            return accounts
        hit = accounts.isin(list(self.conversion_accounts))
        if not hit.any():
            return accounts
        for code, n in accounts[hit].value_counts().items():
            self.conversions[code] = self.conversions.get(code, 0) + int(n)
        return accounts.where(~hit, accounts.map(self.conversion_accounts)).astype(accounts.dtype)

    def report(self) -> dict:
        """What the mapping did, for control.json."""
        out = {
            "file": str(self.path) if self.path else None,
            "strict": self.strict,
            "mapped": {
                s: {k: v for k, v in sorted(self.applied[s].items()) if k not in self.generated[s]}
                for s in CODE_SECTIONS
                if set(self.applied[s]) - set(self.generated[s])
            },
            "generated": {
                s: {k: v for k, v in sorted(self.applied[s].items()) if k in self.generated[s]}
                for s in CODE_SECTIONS
                if set(self.applied[s]) & set(self.generated[s])
            },
            "unmapped_passed_through": {s: sorted(self.unmapped[s]) for s in CODE_SECTIONS if self.unmapped[s]},
            "conversion_accounts": {
                code: {"to": self.conversion_accounts[code], "lines": n} for code, n in sorted(self.conversions.items())
            },
        }
        if self.kinds_applied:
            out["account_kinds"] = dict(sorted(self.kinds_applied.items()))
        return out


def _account_kinds(table: dict, path: Path) -> dict[str, str]:
    """``[account_kinds]``: source account -> B, P or M (case-insensitive); anything else is refused."""
    out = {}
    for code, kind in table.items():
        value = str(kind).strip().upper() if isinstance(kind, str) else None
        if value not in ("B", "P", "M"):
            raise KoppelError(
                f"[account_kinds] {code!r} = {kind!r}: not a kind",
                file=path,
                field="account_kinds",
                hint=f'write "B" (balance sheet), "P" (profit and loss) or "M" (mixed), e.g. "{code}" = "P"',
            )
        out[str(code)] = value
    return out
