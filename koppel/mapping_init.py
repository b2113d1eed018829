"""``koppel mapping init``: a starter mapping listing every code the input uses, with the target's limits.

A code that fits the target maps to itself; one that does not (too long, not digits) gets a proposed
replacement that does, marked with a comment, so the bookkeeper reviews rather than types.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from .model import Administration

SECTION_SOURCES = {
    "accounts": ("account_id", "control_account"),
    "journals": ("journal_id", "journal_upper"),
    "vat_codes": ("vat_code",),
    "relations": ("relation_id", "relation_customer", "relation_supplier"),
    "cost_centers": ("cost_center",),
    "cost_units": ("cost_unit",),
    "projects": ("project",),
}
SECTION_TITLES = {
    "accounts": "grootboekrekeningen (bron -> doel)",
    "journals": "dagboeken (bron -> doel)",
    "vat_codes": "btw-codes (bron -> doel)",
    "relations": "relaties: debiteuren en crediteuren (bron -> doel)",
    "cost_centers": "kostenplaatsen (bron -> doel)",
    "cost_units": "kostendragers / producten (bron -> doel)",
    "projects": "projecten (bron -> doel)",
}


def target_limits(target: str) -> dict[str, dict]:
    """Per mapping section: the narrowest width, whether digits are required and how the package reads the
    ids (``identity``, koppel/identity.py), from the target's layout (``schemas/<target>/``) or, for the XML
    targets, the ``[limits]`` table of their descriptor (``schemas/<target>/format.toml``)."""
    limits: dict[str, dict] = {
        s: {"width": None, "digits": False, "where": [], "identity": "text"} for s in SECTION_SOURCES
    }
    entry = {"width": None, "digits": False, "where": [], "identity": "text"}
    try:
        from .layouts.descriptor import load_target

        layout = load_target(target)
    except Exception:  # targets without a layout descriptor of ours: the limits their descriptor states, if any
        return _descriptor_limits(target, {**limits, "entry_nr": entry})
    for f in layout.files:
        for col in f.columns:
            for section, sources in [*SECTION_SOURCES.items(), ("entry_nr", ("entry_nr",))]:
                if col.source in sources:
                    lim = entry if section == "entry_nr" else limits[section]
                    if col.width and (lim["width"] is None or col.width < lim["width"]):
                        lim["width"] = col.width
                    lim["digits"] = lim["digits"] or col.type == "int"
                    if col.reads_as != "text":
                        lim["identity"] = col.reads_as
                    lim["where"].append(f"{f.id}.{col.name}")
                    lim.setdefault("contents", set()).add(f.content)
    return {**limits, "entry_nr": entry}


def _descriptor_limits(target: str, limits: dict[str, dict]) -> dict[str, dict]:
    """``[limits]`` of ``schemas/<target>/format.toml``: ``accounts = { width = 10, digits = true }`` and so on."""
    try:
        from .format_folders import descriptor

        stated = descriptor(target).get("limits", {})
    except Exception:  # no descriptor: no limits known
        return limits
    for section, lim in limits.items():
        given = stated.get(section, {})
        lim.update({k: given[k] for k in ("width", "digits", "identity") if k in given})
        if given:
            lim["where"].append(f"{target}/format.toml [limits]")
    return limits


def codes_used(adm: Administration) -> tuple[dict[str, dict[str, str]], dict[str, int | bool]]:
    """Every code per section with a display name, and facts about entry numbers (longest, all digits)."""
    names: dict[str, dict[str, str]] = {s: {} for s in SECTION_SOURCES}

    def add(section: str, ids: pd.Series, labels: pd.Series | None = None) -> None:
        table = names[section]
        if labels is None:
            for code in pd.unique(ids.dropna()):
                table.setdefault(str(code), "")
            return
        for code, label in zip(ids, labels, strict=True):
            if pd.notna(code):
                table.setdefault(str(code), "" if pd.isna(label) else str(label))

    add("accounts", adm.accounts["account_id"], adm.accounts["name"])
    add("journals", adm.journals["journal_id"], adm.journals["description"])
    add("vat_codes", adm.vat_codes["vat_code"], adm.vat_codes["description"])
    add("relations", adm.relations["relation_id"], adm.relations["name"])
    add("accounts", adm.relations["control_account"])
    add("accounts", adm.opening_balance["account_id"])
    entry = {"longest": 0, "digits": True}
    line_codes = (
        ("account_id", "accounts"), ("journal_id", "journals"), ("vat_code", "vat_codes"),
        ("cost_center", "cost_centers"), ("cost_unit", "cost_units"), ("project", "projects"),
    )  # fmt: skip
    for batch in adm.lines.batches():
        for col, section in line_codes:
            add(section, batch[col])
        add("relations", batch["relation_id"])
        nrs = batch["entry_nr"].dropna().astype(str)
        if len(nrs):
            entry["longest"] = max(entry["longest"], int(nrs.str.len().max()))
            entry["digits"] = entry["digits"] and bool(nrs.str.fullmatch(r"\d+").all())
    return names, entry


def fits(code: str, limit: dict) -> bool:
    if limit["width"] and len(code) > limit["width"]:
        return False
    return not (limit["digits"] and not code.isdigit())


def propose(code: str, limit: dict, taken: set[str]) -> str:
    """A replacement for ``code`` that fits ``limit`` and is not taken yet."""
    width = limit["width"] or 20
    if limit["digits"]:
        base = re.sub(r"\D", "", code).lstrip("0")[-width:]
        if base and base not in taken:
            return base
        n = 1
        while str(n) in taken:
            n += 1
        return str(n)
    base = re.sub(r"[^A-Za-z0-9]", "", code).upper() or "X"
    if base[:width] not in taken:
        return base[:width]
    n = 1
    while True:
        suffix = str(n)
        candidate = base[: max(width - len(suffix), 0)] + suffix
        if candidate not in taken:
            return candidate
        n += 1


def needs_account_kind(target: str) -> bool:
    """Whether ``target`` refuses an account of unknown kind (see :mod:`koppel.kinds`): its spec says so
    (``needs_account_kind``), or its layout has a kind_bp column."""
    from .registry import get_format

    try:
        if get_format(target).needs_account_kind:
            return True
        from .layouts.descriptor import load_target

        layout = load_target(target)
    except Exception:
        return False
    return any(col.source == "kind_bp" for f in layout.files for col in f.columns)


def account_kind_lines(adm: Administration, used: dict[str, str], target: str, limits: dict) -> list[str]:
    """``[account_kinds]``: every account whose kind the source leaves open or koppel does not know.

    Such an account is proposed only where the file itself says it (an RGS code starting with B or W);
    the others are listed commented out: the bookkeeper states B or P, koppel does not guess.
    """
    acc = adm.accounts
    known = dict(zip(acc["account_id"].astype(object), acc["kind"].astype(object), strict=True))
    rgs = dict(zip(acc["account_id"].astype(object), acc["rgs_code"].astype(object), strict=True))
    raw = {value for values in adm.unknown_codes.values() for value in values}
    needed = needs_account_kind(target)
    out = [
        "[account_kinds]",
        "# grootboekrekeningen waarvan de bron de soort niet (begrijpelijk) noemt: B balans, P winst en verlies; "
        + (f"{target} heeft de soort nodig" if needed else f"{target} gebruikt de soort niet"),
    ]
    if raw:
        out.append(f"# onbekende soorten in de bron: {', '.join(sorted(map(repr, raw)))}")
    for code in sorted(used):
        kind = known.get(code)
        if isinstance(kind, str) and kind in ("B", "P", "M"):
            continue
        label = used[code]
        what = "soort onbekend" if kind == "?" else "geen soort in de bron"
        comment = f"{what}{' — ' + label if label else ''}"
        code_rgs = rgs.get(code)
        if isinstance(code_rgs, str) and code_rgs[:1] in ("B", "W"):
            proposal = "B" if code_rgs[0] == "B" else "P"
            out.append(f"{_q(code)} = {_q(proposal)}  # proposed from RGS code {code_rgs}; {comment}")
        else:
            out.append(f"# {_q(code)} = \"B\"  # of \"P\"; {comment}")
    out.append("")
    return out


KIND_TITLES = {"B": "balans", "P": "winst en verlies", "M": "gemengd"}


def account_functions(adm: Administration, target: str) -> list[str]:
    """``[account_functions]`` for a target whose chart of accounts needs a function number per account (SnelStart's
    FldGrootboekfunctieID): one line per account kind the input uses, to be filled in (the numbers are not public)."""
    try:
        from .layouts.descriptor import load_target

        columns = [c for f in load_target(target).files for c in f.columns if c.source == "account_function"]
    except Exception:  # no layout of ours: no such column
        return []
    if not columns:
        return []
    kinds = adm.accounts["kind"].value_counts()
    out = [
        "[account_functions]",
        f"# {target}: {columns[0].name} per account kind (digits only). Fill in the function numbers of your",
        "# administration; an empty value leaves the column empty (reported in control.json).",
    ]
    for kind, n in sorted(kinds.items()):
        out.append(f'{_q(str(kind))} = ""  # {KIND_TITLES.get(str(kind), "soort " + str(kind))}: {n} rekeningen')
    return [*out, ""]


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _opening_journal_line(limit: dict, taken: set[str]) -> str:
    """``[defaults] opening_journal``: ``BEG``, or a proposed code that fits when the target takes no ``BEG``
    (SnelStart's journals are numbers): the line the user reviews must convert as written."""
    why = "journal of the opening-balance entry when the source has an openingBalance"
    if fits("BEG", limit):
        return f'opening_journal = "BEG"  # {why}'
    return f"opening_journal = {_q(propose('BEG', limit, taken))}  # proposed: 'BEG' does not fit — {why}"


def starter_mapping(adm: Administration, target: str, source_name: str = "") -> str:
    """The text of a starter mapping file (TOML with comments) for converting ``adm`` to ``target``."""
    limits = target_limits(target)
    names, entry = codes_used(adm)
    out = [
        f"# koppel mapping for {target}" + (f" — made from {source_name}" if source_name else ""),
        "# Every code the input uses is listed. A code maps to itself unless changed here; codes that do not",
        "# fit the target got a proposed replacement (marked 'proposed'). Review, then pass with --mapping.",
        "",
    ]
    journals_taken: set[str] = set()  # the journal codes that fit, which the opening journal must not take
    for section, title in SECTION_TITLES.items():
        lim = limits[section]
        rules = []
        if lim["width"]:
            rules.append(f"at most {lim['width']} characters")
        if lim["digits"]:
            rules.append("digits only")
        where = ", ".join(sorted(set(lim["where"]))) or "—"
        out.append(f"[{section}]")
        out.append(f"# {title}; {target}: {', '.join(rules) or 'no known limits'} (columns: {where})")
        codes = names[section]
        taken = {c for c in codes if fits(c, lim)}
        if section == "journals":
            journals_taken = taken
        for code in sorted(codes):
            label = codes[code]
            comment = f"  # {label}" if label else ""
            if fits(code, lim):
                out.append(f"{_q(code)} = {_q(code)}{comment}")
            else:
                new = propose(code, lim, taken)
                taken.add(new)
                out.append(
                    f"{_q(code)} = {_q(new)}  # proposed: {code!r} does not fit{(' — ' + label) if label else ''}"
                )
        out.append("")
    out += account_kind_lines(adm, names["accounts"], target, limits)
    out += account_functions(adm, target)
    out += [
        "[conversion_accounts]",
        "# control account -> conversion account for converted history, e.g. (Minox practice):",
        '# "1300" = "1310"  # Conversie debiteuren',
        '# "1600" = "1610"  # Conversie crediteuren',
        "",
        "[defaults]",
        _opening_journal_line(limits["journals"], journals_taken),
        "",
        "[options]",
    ]
    ent = limits["entry_nr"]
    too_long = ent["width"] is not None and entry["longest"] > ent["width"]
    not_digits = ent["digits"] and not entry["digits"]
    if too_long or not_digits:
        why = f"longest entry number has {entry['longest']} characters" if too_long else "entry numbers are not digits"
        out.append(
            f'entry_numbers = "renumber"  # {why}; {target} allows {ent["width"] or "any"} (digits: {ent["digits"]})'
        )
    else:
        out.append(
            '# entry_numbers = "renumber"  # number entries 1..n per journal; old numbers in boekstuknummers.csv'
        )
    out += [
        "# truncate = true  # cut too-long texts and leave unfit optional attributes empty, all reported",
        "",
        "[dialect]",
        "# overrides the file settings of every output file, e.g.:",
        '# encoding = "utf-8"',
        '# delimiter = ";"',
        '# decimal = ","',
        '# date = "%d-%m-%Y"',
        "",
    ]
    return "\n".join(out)
