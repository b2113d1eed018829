"""Adapting a conversion to what the target takes, wherever that keeps the meaning — the default, so that the
first run on a real file works; ``--strict`` refuses instead, as koppel did before.

What is adapted (each listed in the console summary and in control.json under ``adaptations``):

- entry numbers that are too long, not digits where the target needs digits, or with leading zeros where the
  target reads them as numbers: every entry renumbered 1..n per journal, old → new in ``boekstuknummers.csv``;
- a code (account, journal, VAT code, relation) that does not fit the target: a generated code that does,
  unique as the package reads codes (never for a code the mapping file maps: that is the user's choice);
- texts longer than a column: cut (``truncate``), and optional attributes that do not fit left empty (those are
  counted under not_carried, as values not carried);
- country names (``Nederland``, ``Germany``) as ISO codes (built-in names plus ``[countries]`` of the mapping);
- a relation or account without the name a target requires: its code as the name.

The generated codes and choices are written beside the output as ``mapping.generated.toml``: the user's mapping
plus everything koppel generated, a mapping file to review and to pass with ``--mapping`` next time.

What cannot be adapted without changing the meaning (an unbalanced entry, an account of kind M where the target
needs B or P, two codes that would merge, a character the encoding cannot carry) is still refused, naming the
option or the mapping line that resolves it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .countries import country_code
from .errors import KoppelError
from .identity import as_read
from .mapping import CODE_SECTIONS, Mapping
from .mapping_init import target_limits

GENERATED_NAME = "mapping.generated.toml"
# canonical columns that hold a code of a mapping section, per table
CODE_COLUMNS = {
    "accounts": {"accounts": ("account_id",), "relations": ("control_account",),
                 "vat_codes": ("pay_account", "claim_account"), "journals": ("offset_account",),
                 "opening_balance": ("account_id",)},
    "journals": {"journals": ("journal_id",)},
    "vat_codes": {"vat_codes": ("vat_code",)},
    "relations": {"relations": ("relation_id",), "opening_balance": ("relation_id",)},
}  # fmt: skip
LINE_COLUMNS = {"accounts": "account_id", "journals": "journal_id", "vat_codes": "vat_code", "relations": "relation_id",
                "cost_centers": "cost_center", "cost_units": "cost_unit", "projects": "project"}  # fmt: skip
SECTION_WORD = {"accounts": "account", "journals": "journal", "vat_codes": "VAT", "relations": "relation",
                "cost_centers": "cost centre", "cost_units": "cost unit", "projects": "project"}  # fmt: skip


@dataclass
class Plan:
    """What this conversion adapts; ``adaptations`` is what control.json lists."""

    generated: dict[str, dict[str, str]] = field(default_factory=dict)  # section -> source code -> new code
    why: dict[str, dict[str, str]] = field(default_factory=dict)  # section -> source code -> reason
    renumber: str | None = None  # why the entries are renumbered
    opening_journal: str | None = None  # the opening entry's journal, when the default does not fit the target
    countries: dict[str, str] = field(default_factory=dict)  # country as written -> ISO code
    names: dict[str, bool] = field(default_factory=dict)  # table -> fill a missing name with the code
    adaptations: list[dict] = field(default_factory=list)

    @property
    def anything_generated(self) -> bool:
        return bool(any(self.generated.values()) or self.renumber or self.countries)


def required_names(target: str) -> dict[str, bool]:
    """Which master tables the target's layout needs a name for (a required column fed by ``name``)."""
    try:
        from .layouts.descriptor import load_target

        layout = load_target(target)
    except Exception:  # no layout of ours: the writer decides
        return {}
    out = {}
    for f in layout.files:
        table = "accounts" if f.content == "accounts" else "relations" if f.content != "entries" else None
        if table and any(c.required and c.source == "name" for c in f.columns):
            out[table] = True
    return out


def fits(code: str, limit: dict) -> bool:
    if limit["width"] and len(code) > limit["width"]:
        return False
    return not (limit["digits"] and not code.isdigit())


def why_not(code: str, limit: dict) -> str:
    if limit["digits"] and not code.isdigit():
        return "not digits only"
    return f"longer than {limit['width']} characters"


def generate(code: str, limit: dict, taken: set[str]) -> str:
    """A code for ``code`` that fits ``limit`` and that nobody uses yet (``taken``: codes as the package reads
    them; the new one is added). Digits of the code are kept where they fit; else the next free number."""
    identity = limit["identity"]
    width = limit["width"] or 20

    def free(candidate: str) -> bool:
        return bool(candidate) and len(candidate) <= width and as_read(candidate, identity) not in taken

    if limit["digits"]:
        digits = re.sub(r"\D", "", code).lstrip("0")
        candidate = digits if free(digits) else ""
        if not candidate:
            numbers = [int(t) for t in taken if t.isdigit() and len(t) <= width]
            n = max(numbers, default=0) + 1
            while not free(str(n)):
                n = n + 1 if len(str(n + 1)) <= width else 1
            candidate = str(n)
    else:
        base = re.sub(r"[^A-Za-z0-9]", "", code).upper() or "X"
        candidate = base[:width]
        n = 1
        while not free(candidate):
            suffix = str(n)
            if len(suffix) > width:
                raise KoppelError(
                    f"no free code of {width} characters left for {code!r}",
                    hint=f'map it yourself in the mapping file: "{code}" = "…"',
                )
            candidate = base[: max(width - len(suffix), 0)] + suffix
            n += 1
    taken.add(as_read(candidate, identity))
    return candidate


# the contents of a target's files (``content`` of a layout file) that write a master table's codes
WRITTEN_AS = {"accounts": {"accounts"}, "relations": {"relations", "debtors", "creditors"},
              "opening_balance": {"opening", "entries"}, "vat_codes": set(), "journals": set()}  # fmt: skip


def _codes_in_use(adm, section: str, contents: set[str] | None = None) -> set[str]:
    """Every code of ``section`` in the master tables (the lines are scanned separately). With ``contents`` (the
    target's files that carry the section's codes, from its layout): only the tables those files write, so a code
    the target never writes (a VAT code no line uses, for a target without a VAT table) is not adapted."""
    out: set[str] = set()
    for table, columns in CODE_COLUMNS.get(section, {}).items():  # cost centres, units, projects: lines only
        if contents is not None and not WRITTEN_AS.get(table, {table}) & contents:
            continue
        frame = getattr(adm, table)
        for col in columns:
            out.update(str(v) for v in pd.unique(frame[col].dropna()))
    return out


def scan_lines(adm, sections) -> tuple[dict[str, set[str]], dict[str, object]]:
    """One pass over the lines: the codes of each section and what the entry numbers look like."""
    codes: dict[str, set[str]] = {s: set() for s in sections}
    entry = {"longest": 0, "digits": True, "leading_zero": False}
    for batch in adm.lines.batches():
        for section in sections:
            codes[section].update(str(v) for v in pd.unique(batch[LINE_COLUMNS[section]].dropna()))
        nrs = pa.array(batch["entry_nr"], type=pa.string(), from_pandas=True).drop_null()
        if len(nrs):
            entry["longest"] = max(int(entry["longest"]), int(pc.max(pc.utf8_length(nrs)).as_py()))
            entry["digits"] = bool(entry["digits"]) and bool(pc.all(pc.match_substring_regex(nrs, r"^\d+$")).as_py())
            entry["leading_zero"] = bool(entry["leading_zero"]) or bool(
                pc.any(pc.match_substring_regex(nrs, r"^0\d")).as_py()
            )
    return codes, entry


def plan(adm, target: str, mapping: Mapping, options: dict) -> Plan:
    """Decide every adaptation for converting ``adm`` to ``target`` (mapping and options as the user gave them)."""
    limits = target_limits(target)
    result = Plan(names=required_names(target))
    limited = [s for s in CODE_SECTIONS if limits[s]["width"] or limits[s]["digits"]]
    entry_limit = limits["entry_nr"]
    scan_entries = (entry_limit["width"] or entry_limit["digits"]) and "entry_numbers" not in options
    line_codes, entry = scan_lines(adm, limited) if (limited or scan_entries) else ({}, {})
    if not mapping.strict:  # --strict-mapping: every code comes from the user's file
        for section in limited:
            _generate_section(adm, section, limits[section], mapping, line_codes[section], result)
    if not mapping.strict and "journals" in limited:
        _opening_journal(adm, limits["journals"], mapping, options, line_codes["journals"], result)
    if scan_entries and entry.get("longest"):
        if entry_limit["width"] and entry["longest"] > entry_limit["width"]:
            result.renumber = (
                f"entry numbers up to {entry['longest']} characters; {target} takes {entry_limit['width']}"
            )
        elif entry_limit["digits"] and not entry["digits"]:
            result.renumber = f"entry numbers that are not digits only; {target} takes numbers"
        elif entry_limit["identity"] == "number" and entry["leading_zero"]:
            result.renumber = f"entry numbers with leading zeros, which {target} reads as numbers (001 = 1)"
    result.countries = _countries(adm, mapping)
    return result


def _generate_section(adm, section: str, limit: dict, mapping: Mapping, in_lines: set[str], result: Plan) -> None:
    table = mapping.table(section)
    sources = _codes_in_use(adm, section, limit.get("contents")) | in_lines
    identity = limit["identity"]
    mapped = {s: table.get(s, s) for s in sources}
    bad = sorted(s for s, m in mapped.items() if not fits(m, limit) and s not in table)
    if not bad:
        return
    taken = {as_read(m, identity) for s, m in mapped.items() if s not in bad}
    new = {s: generate(s, limit, taken) for s in bad}
    result.generated[section] = new
    result.why[section] = {s: why_not(s, limit) for s in bad}
    example = next(iter(new.items()))
    result.adaptations.append(
        {
            "what": f"{SECTION_WORD[section]} codes",
            "count": len(new),
            "how": f"{why_not(example[0], limit)} for the target: a generated code that fits "
            f"(e.g. {example[0]!r} → {example[1]!r}); all in {GENERATED_NAME} [{section}]",
        }
    )


def _opening_journal(adm, limit: dict, mapping: Mapping, options: dict, in_lines: set[str], result: Plan) -> None:
    """The opening entry is written in ``opening_journal`` (default ``BEG``): a target that takes other journal codes
    (digits only, say) gets a free code that fits, unless the user chose the journal."""
    if "opening_journal" in options or "opening_journal" in mapping.defaults or adm.opening_balance.empty:
        return
    default = "BEG"
    if fits(default, limit):
        return
    table = mapping.table("journals")
    identity = limit["identity"]
    taken = {as_read(table.get(s, s), identity) for s in _codes_in_use(adm, "journals") | in_lines}
    taken |= {as_read(c, identity) for c in result.generated.get("journals", {}).values()}
    result.opening_journal = generate(default, limit, taken)
    result.adaptations.append(
        {
            "what": "opening journal",
            "count": 1,
            "how": f"{why_not(default, limit)} for the target: the opening balance is booked in journal "
            f"{result.opening_journal!r} (set [defaults] opening_journal to choose another; in {GENERATED_NAME})",
        }
    )


def _countries(adm, mapping: Mapping, built_in: bool = True) -> dict[str, str]:
    """Country as written -> ISO code: the mapping's ``[countries]`` first, then (unless strict) koppel's names."""
    values = [str(v) for v in pd.unique(adm.relations["country"].dropna())]
    out = {}
    for value in values:
        code = mapping.countries.get(value) or (country_code(value) if built_in else None)
        if code is not None and code != value:
            out[value] = code
    return out


def strict_plan(adm, target: str, mapping: Mapping, options: dict) -> Plan:
    """Under --strict nothing is adapted but what the user asks for: ``[countries]`` of the mapping, and
    ``missing_names = "code"`` (a relation or account without a name gets its code as the name)."""
    names = required_names(target) if str(options.get("missing_names", "")) == "code" else {}
    return Plan(countries=_countries(adm, mapping, built_in=False), names=names)


def apply_to_relations(frame: pd.DataFrame, found: Plan, adaptations: list[dict]) -> pd.DataFrame:
    """Country names as ISO codes, and the code as the name where the target needs one (on the mapped table)."""
    out = frame
    if found.countries and "country" in frame:
        hit = frame["country"].isin(list(found.countries)).fillna(False).to_numpy()
        if hit.any():
            out = out.copy()
            out["country"] = frame["country"].where(~hit, frame["country"].map(found.countries)).astype("string")
            _once(adaptations, "relations: country", int(hit.sum()),
                  "country name written as its ISO code (e.g. " + _example(found.countries) + "); the table is under "
                  "[countries] of the mapping")  # fmt: skip
    return _names(out, "relations", "relation_id", found, adaptations)


def apply_to_accounts(frame: pd.DataFrame, found: Plan, adaptations: list[dict]) -> pd.DataFrame:
    return _names(frame, "accounts", "account_id", found, adaptations)


def _names(frame: pd.DataFrame, table: str, key: str, found: Plan, adaptations: list[dict]) -> pd.DataFrame:
    if not found.names.get(table) or frame.empty:
        return frame
    missing = (frame["name"].isna() | (frame["name"].astype("string").str.strip() == "")).fillna(True).to_numpy()
    if not missing.any():
        return frame
    out = frame.copy()
    out["name"] = frame["name"].where(~missing, frame[key]).astype("string")
    _once(adaptations, f"{table}: name", int(missing.sum()), "no name in the source, which the target requires: "
          "the code written as the name")  # fmt: skip
    return out


def _example(table: dict[str, str]) -> str:
    k, v = next(iter(sorted(table.items())))
    return f"{k!r} → {v!r}"


def _once(adaptations: list[dict], what: str, count: int, how: str) -> None:
    """Master tables may be asked for more than once: list each adaptation once."""
    if not any(a["what"] == what for a in adaptations):
        adaptations.append({"what": what, "count": count, "how": how})


def _q(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def generated_mapping_text(mapping: Mapping, found: Plan, target: str, source_name: str) -> str:
    """``mapping.generated.toml``: the user's mapping plus what koppel generated, loadable with --mapping."""
    out = [
        f"# koppel: the mapping of this conversion to {target}" + (f" of {source_name}" if source_name else ""),
        "# Your own mapping (if any) plus the codes koppel generated because the source's do not fit the target",
        "# (marked 'generated'). Review them; pass this file with --mapping to convert the same way next time.",
        "",
    ]
    for section in (*CODE_SECTIONS, "conversion_accounts", "countries"):
        own = {k: v for k, v in mapping.table(section).items() if k not in mapping.generated.get(section, {})}
        made = found.generated.get(section, {}) if section != "countries" else found.countries
        if not own and not made:
            continue
        out.append(f"[{section}]")
        for key, value in sorted(own.items()):
            out.append(f"{_q(key)} = {_q(value)}")
        for key, value in sorted(made.items()):
            why = found.why.get(section, {}).get(key, "country name as its ISO code")
            out.append(f"{_q(key)} = {_q(value)}  # generated: {why}")
        out.append("")
    options = dict(mapping.options)
    if found.renumber:
        options.setdefault("entry_numbers", "renumber")
    if any(a["what"].endswith(": name") for a in found.adaptations):
        options.setdefault("missing_names", "code")
    defaults = dict(mapping.defaults)
    if found.opening_journal:
        defaults.setdefault("opening_journal", found.opening_journal)
    for section, values in (("defaults", defaults), ("options", options), ("dialect", mapping.dialect)):
        if values:
            out.append(f"[{section}]")
            for key, value in values.items():
                note = f"  # generated: {found.renumber}" if section == "options" and key == "entry_numbers" and \
                    found.renumber and key not in mapping.options else ""  # fmt: skip
                if section == "defaults" and key == "opening_journal" and found.opening_journal and \
                        key not in mapping.defaults:  # fmt: skip
                    note = "  # generated: BEG does not fit the target's journal codes"
                out.append(f"{key} = {_q(value)}{note}")
            out.append("")
    for file_id, renames in mapping.columns.items():
        out.append(f"[columns.{file_id}]")
        out += [f"{_q(k)} = {_q(v)}" for k, v in renames.items()]
        out.append("")
    return "\n".join(out)


__all__ = ["GENERATED_NAME", "Plan", "apply_to_accounts", "apply_to_relations", "generated_mapping_text", "plan"]
