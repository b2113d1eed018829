"""Source profiles: one declarative TOML file per export (dialect, columns, dates, rules, postings, entries).

A profile is data a bookkeeper can read and edit, like hledger's CSV rules. ``load_profile`` checks it
once, so a mistake in the profile is reported with its TOML key before any row is read. The keys are
documented in ``koppel/sources/profiles/README.md``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import KoppelError
from ..kinds import account_kind
from ..money import parse_cents, parse_rate_bp

FORMATS = ("csv", "xlsx", "mt940", "camt053")
ENCODINGS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8",
    "utf8": "utf-8",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "utf-16": "utf-16",  # with a byte-order mark (Excel's "Unicode text"); a BOM is read whatever is set
    "utf16": "utf-16",
    "utf-32": "utf-32",
    "utf32": "utf-32",
}
AGGREGATIONS = ("none", "day", "month")
NUMBERINGS = ("source", "digits", "date", "sequence")
BUILTIN = "profiles"


@dataclass
class ExportDialect:
    """How to read a foreign export (CSV or Excel): found or sniffed per file, never the exact bytes of a written
    file (that is ``koppel.layouts.descriptor.Dialect``, a different thing: koppel decides every byte there)."""

    format: str = "csv"
    # utf-8, cp1252 or latin-1: an explicit choice, never guessed; a byte-order mark (UTF-8/16/32) overrides it
    encoding: str = "utf-8"
    delimiter: str | None = None  # None: sniffed per file from the header (; , tab |)
    quote: str = '"'
    decimal_mark: str = "."
    thousands: str = ""
    skip_rows: int = 0
    sheet: str | None = None
    totals_rows: list[str] = field(default_factory=list)  # first-cell labels of totals rows ("Totaal")


@dataclass
class FieldSource:
    """Where a canonical field comes from: header names (first one present wins), or a fixed value."""

    names: list[str]
    required: bool = True
    pattern: str | None = None  # regex with one group taken from the cell (e.g. "21" out of "NL BTW 21%")
    default: str | None = None
    upper: bool = False


@dataclass
class Posting:
    """One line every matching row contributes: ``amount`` fields (with sign) to ``account``."""

    amount: list[tuple[int, str]]  # (+1 | -1, money field)
    account: str  # "8000", "field:NAME", "map:TABLE" / "map:TABLE:FIELD", "vat:revenue"
    when: dict[str, list[str]] = field(default_factory=dict)
    vat_rate: str | None = None  # field holding the VAT rate: amounts are gross and VAT is split out
    vat_amount: list[tuple[int, str]] = field(default_factory=list)  # VAT as given by the source (same sign)
    vat_code: str | None = None  # "field:NAME" or literal, for lines whose VAT is already its own line
    description: str | None = None  # literal text or "field:NAME"
    relation: str | None = None  # "field:NAME"


@dataclass
class VatRate:
    bp: int
    code: str
    account: str
    revenue: str | None = None


@dataclass
class Profile:
    name: str
    title: str
    path: Path | None
    evidence: str
    dialect: ExportDialect
    columns: dict[str, FieldSource]
    # date field -> strptime format, or the formats to choose from per file (None: inferred from the usual
    # ones); a value that several of them read differently (03/04) is an error
    dates: dict[str, str | list[str] | None]
    money: list[str]
    direction: dict | None
    maps: dict[str, dict[str, str]]
    vat_rates: dict[int, VatRate]
    postings: list[Posting]
    journal_id: str | None
    journal_field: str | None
    journal_description: str
    journal_kind: str
    aggregate: str
    merge_lines: bool  # aggregate none: still one line per account x VAT code x description within an entry
    numbering: str  # source, digits, date, sequence
    first_number: int
    group_by: list[str]
    entry_description: str
    only_when: dict[str, list[str]]
    rounding_account: str | None
    rounding_tolerance: int
    row_id_field: str | None
    row_id_fields: list[str]
    extra: dict[str, str]
    accounts: dict[str, dict[str, str]]
    currency: str


def builtin_profiles() -> list[str]:
    """Names of the profiles shipped with koppel."""
    folder = resources.files("koppel.sources") / BUILTIN
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def find_profile(name_or_path: str | Path) -> Path:
    """A profile file: a path to a .toml, or the name of a built-in profile."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise KoppelError("profile file not found", file=path)
        return path
    builtin = resources.files("koppel.sources") / BUILTIN / f"{name_or_path}.toml"
    if not builtin.is_file():
        raise KoppelError(
            f"unknown profile {name_or_path!r}",
            hint=f"built-in profiles: {', '.join(builtin_profiles())}; or give the path to a .toml file",
        )
    return Path(str(builtin))


def load_profile(name_or_path: str | Path) -> Profile:
    """Read and check a profile; any mistake is a KoppelError naming the profile file and key."""
    path = find_profile(name_or_path)
    data = _toml(path)
    seen = {path.resolve()}
    while base := data.get("profile", {}).pop("extends", None):  # a profile may change only what differs
        base_path = find_profile(base) if not Path(base).suffix else (path.parent / base)
        if base_path.resolve() in seen:
            raise KoppelError(f"profile extends itself via {base!r}", file=path, field="profile.extends")
        seen.add(base_path.resolve())
        data = _merge(_toml(base_path), data)
    try:
        return _build(data, path)
    except KoppelError as exc:
        raise exc.at(file=path) from None


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KoppelError(f"not a valid TOML profile: {exc}", file=path) from None


def _merge(base: dict, over: dict) -> dict:
    """``over`` on top of ``base``: tables merge key by key, everything else (lists, [[post]]) is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _fail(key: str, message: str, hint: str | None = None) -> KoppelError:
    return KoppelError(message, field=key, hint=hint)


def _accounts(table: dict) -> dict[str, dict[str, str]]:
    """``[accounts]``: id -> name, or a table with name and kind; a kind koppel does not know is refused."""
    out = {}
    for code, value in table.items():
        entry = dict(value) if isinstance(value, dict) else {"name": str(value)}
        if "kind" in entry:
            kind = account_kind(str(entry["kind"]))
            if kind not in ("B", "P", "M"):
                raise _fail(f"accounts.{code}.kind", f"account kind {entry['kind']!r} is not known",
                            hint='write "B" (balance sheet) or "P" (profit and loss)')  # fmt: skip
            entry["kind"] = kind
        out[str(code)] = entry
    return out


def _str_list(value, key: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise _fail(key, "expected a text or a list of texts")


def export_dialect(data: dict) -> ExportDialect:
    d = ExportDialect()
    for key, value in data.items():
        if not hasattr(d, key):
            raise _fail(f"dialect.{key}", "unknown dialect key", hint=", ".join(ExportDialect.__dataclass_fields__))
        setattr(d, key, value)
    if d.format not in FORMATS:
        raise _fail("dialect.format", f"unknown format {d.format!r}", hint=f"use one of {', '.join(FORMATS)}")
    enc = ENCODINGS.get(str(d.encoding).lower())
    if enc is None:
        raise _fail(
            "dialect.encoding",
            f"unsupported encoding {d.encoding!r}",
            hint="use utf-8, cp1252 (Windows, has €), latin-1 (ISO-8859-1, no €), utf-16 or utf-32",
        )
    d.encoding = enc
    if d.decimal_mark not in (".", ","):
        raise _fail("dialect.decimal_mark", "decimal mark must be '.' or ','")
    if d.thousands == d.decimal_mark:
        raise _fail("dialect.thousands", "the thousands separator cannot be the decimal mark")
    if (d.delimiter is not None and (not isinstance(d.delimiter, str) or len(d.delimiter) != 1)) or len(d.quote) != 1:
        raise _fail("dialect.delimiter", 'delimiter and quote are one character each (write tab as "\\t")')
    d.totals_rows = _str_list(d.totals_rows, "dialect.totals_rows")
    return d


def _column(spec, key: str, required: bool) -> FieldSource:
    if isinstance(spec, dict):
        unknown = set(spec) - {"names", "name", "pattern", "default", "upper"}
        if unknown:
            raise _fail(key, f"unknown keys {sorted(unknown)}", hint="use name/names, pattern, default, upper")
        names = _str_list(spec.get("names", spec.get("name", [])), key)
        return FieldSource(names, required, spec.get("pattern"), spec.get("default"), bool(spec.get("upper", False)))
    return FieldSource(_str_list(spec, key), required)


def _amount(spec, key: str, money: list[str]) -> list[tuple[int, str]]:
    out = []
    for term in _str_list(spec, key):
        sign, name = (-1, term[1:]) if term.startswith("-") else (1, term.lstrip("+"))
        if name not in money:
            raise _fail(key, f"{name!r} is not a money field", hint=f"money fields: {', '.join(money)}")
        out.append((sign, name))
    return out


def _posting(spec: dict, i: int, money: list[str], fields: set[str], maps: dict) -> Posting:
    key = f"post[{i}]"
    unknown = set(spec) - {"amount", "account", "when", "vat_rate", "vat_amount", "vat_code", "description", "relation"}
    if unknown:
        raise _fail(key, f"unknown keys {sorted(unknown)}")
    if "amount" not in spec or "account" not in spec:
        raise _fail(key, "a posting needs an amount and an account")
    post = Posting(
        amount=_amount(spec["amount"], f"{key}.amount", money),
        account=str(spec["account"]),
        when={k: _str_list(v, f"{key}.when.{k}") for k, v in spec.get("when", {}).items()},
        vat_rate=spec.get("vat_rate"),
        vat_amount=_amount(spec.get("vat_amount", []), f"{key}.vat_amount", money),
        vat_code=spec.get("vat_code"),
        description=spec.get("description"),
        relation=spec.get("relation"),
    )
    for name in [*post.when, *([post.vat_rate] if post.vat_rate else [])]:
        if name not in fields:
            raise _fail(key, f"{name!r} is not a field of [columns]")
    _check_ref(post.account, f"{key}.account", fields, maps)
    for ref, sub in ((post.vat_code, "vat_code"), (post.description, "description"), (post.relation, "relation")):
        if ref and ref.startswith("field:") and ref[6:] not in fields:
            raise _fail(f"{key}.{sub}", f"{ref[6:]!r} is not a field of [columns]")
    if post.account == "vat:revenue" and not post.vat_rate:
        raise _fail(f"{key}.account", "vat:revenue needs vat_rate on the same posting")
    return post


def _check_ref(ref: str, key: str, fields: set[str], maps: dict) -> None:
    if ref.startswith("field:"):
        if ref[6:] not in fields:
            raise _fail(key, f"{ref[6:]!r} is not a field of [columns]")
    elif ref.startswith("map:"):
        parts = ref.split(":")
        table = parts[1]
        column = parts[2] if len(parts) > 2 else table
        if table not in maps:
            raise _fail(key, f"no table [map.{table}]")
        if column not in fields:
            raise _fail(key, f"{column!r} is not a field of [columns]")
    elif ref.startswith("vat:") and ref != "vat:revenue":
        raise _fail(key, f"unknown reference {ref!r}", hint="use vat:revenue")


def _build(data: dict, path: Path) -> Profile:
    known = {
        "profile",
        "dialect",
        "columns",
        "optional_columns",
        "dates",
        "money",
        "map",
        "vat",
        "post",
        "journal",
        "entries",
        "row_id",
        "extra",
        "accounts",
    }
    unknown = set(data) - known
    if unknown:
        raise _fail(", ".join(sorted(unknown)), "unknown section", hint=f"sections: {', '.join(sorted(known))}")
    meta = data.get("profile", {})
    dialect = export_dialect(data.get("dialect", {}))
    columns = {k: _column(v, f"columns.{k}", True) for k, v in data.get("columns", {}).items()}
    columns |= {k: _column(v, f"optional_columns.{k}", False) for k, v in data.get("optional_columns", {}).items()}
    extra = {k: str(v) for k, v in data.get("extra", {}).items()}
    fields = set(columns)
    money_cfg = data.get("money", {})
    money = _str_list(money_cfg.get("fields", []), "money.fields")
    for name in money:
        if name not in fields:
            raise _fail("money.fields", f"{name!r} is not a field of [columns]")
    direction = money_cfg.get("direction")
    if direction is not None:
        for k in ("field", "negative"):
            if k not in direction:
                raise _fail("money.direction", f"missing {k!r}", hint='e.g. { field = "af_bij", negative = ["Af"] }')
        if direction["field"] not in fields:
            raise _fail("money.direction.field", f"{direction['field']!r} is not a field of [columns]")
        direction = {
            "field": direction["field"],
            "negative": _str_list(direction["negative"], "money.direction.negative"),
            "positive": _str_list(direction.get("positive", []), "money.direction.positive"),
            "fields": _str_list(direction.get("fields", money), "money.direction.fields"),
        }
    dates = {}
    for name, fmt in data.get("dates", {}).items():
        if name not in fields:
            raise _fail(f"dates.{name}", f"{name!r} is not a field of [columns]")
        if isinstance(fmt, list):  # the forms one export wrote over the years: the one that reads the file wins
            dates[name] = _str_list(fmt, f"dates.{name}") or None
        else:
            dates[name] = fmt or None
    if "date" not in fields:
        raise _fail("columns.date", "every profile needs a date column")
    dates.setdefault("date", None)
    maps = {name: {str(k): str(v) for k, v in table.items()} for name, table in data.get("map", {}).items()}
    vat_rates = {}
    vat = data.get("vat", {})
    for rate, spec in vat.get("rates", {}).items():
        bp = parse_rate_bp(str(rate).rstrip("%"), field=f"vat.rates.{rate}")
        if "code" not in spec or "account" not in spec:
            raise _fail(f"vat.rates.{rate}", "a VAT rate needs code and account (the VAT payable account)")
        vat_rates[bp] = VatRate(bp, str(spec["code"]), str(spec["account"]), spec.get("revenue"))
    postings = [_posting(p, i, money, fields, maps) for i, p in enumerate(data.get("post", []))]
    if not postings:
        raise _fail("post", "a profile needs at least one [[post]]")
    if any(p.vat_rate for p in postings) and not vat_rates:
        raise _fail("vat.rates", "postings split VAT but no [vat.rates] are given")
    journal = data.get("journal", {})
    entries = data.get("entries", {})
    aggregate = entries.get("aggregate", "none")
    if aggregate not in AGGREGATIONS:
        raise _fail("entries.aggregate", f"unknown aggregation {aggregate!r}", hint="use none, day or month")
    group_by = _str_list(entries.get("group_by", []), "entries.group_by")
    numbering = entries.get("numbering", "source")
    if numbering not in NUMBERINGS:
        raise _fail("entries.numbering", f"unknown numbering {numbering!r}", hint=f"use {', '.join(NUMBERINGS)}")
    only_when = {k: _str_list(v, f"entries.only_when.{k}") for k, v in entries.get("only_when", {}).items()}
    for name in [*group_by, *only_when]:
        if name not in fields:
            raise _fail("entries", f"{name!r} is not a field of [columns]")
    tolerance = parse_cents(str(entries.get("rounding_tolerance", "0.00")), field="entries.rounding_tolerance")
    row_id = data.get("row_id", {})
    row_id_fields = _str_list(row_id.get("fields", []), "row_id.fields")
    single = [row_id["field"]] if "field" in row_id else []
    for key, names in (("row_id.field", single), ("row_id.fields", row_id_fields)):
        for name in names:
            if name not in fields:  # an id of fewer fields than written would take different rows for one
                raise _fail(key, f"{name!r} is not a field of [columns]", hint="name the field, not the column")
    if "id" not in journal and "field" not in journal:
        raise _fail("journal", 'give the journal: id = "MEM" or field = "journal"')
    return Profile(
        name=str(meta.get("name", path.stem)),
        title=str(meta.get("title", path.stem)),
        path=path,
        evidence=str(meta.get("evidence", "A")),
        dialect=dialect,
        columns=columns,
        dates=dates,
        money=money,
        direction=direction,
        maps=maps,
        vat_rates=vat_rates,
        postings=postings,
        journal_id=journal.get("id"),
        journal_field=journal.get("field"),
        journal_description=str(journal.get("description", "")),
        journal_kind=str(journal.get("kind", "M")),
        aggregate=aggregate,
        merge_lines=bool(entries.get("merge_lines", False)),
        numbering=numbering,
        first_number=int(entries.get("first_number", 1)),
        group_by=group_by,
        entry_description=str(entries.get("description", "")),
        only_when=only_when,
        rounding_account=entries.get("rounding_account"),
        rounding_tolerance=tolerance,
        row_id_field=row_id.get("field"),
        row_id_fields=row_id_fields,
        extra=extra,
        accounts=_accounts(data.get("accounts", {})),
        currency=str(meta.get("currency", "EUR")),
    )
