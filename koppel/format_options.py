"""The options each reader and writer accepts, declared once as data: name, type, default and meaning.

``koppel convert --option KEY=VALUE`` (and the named flags such as ``--split-mb``) and ``--read-option
KEY=VALUE`` are checked against these lists before any work starts: an unknown key is refused with the valid
ones and a "did you mean"; a value of the wrong type is refused too. ``koppel formats NAME`` prints them.

Every format declares its options in the ``[format]`` table of its folder (``schemas/<name>/``): its own as
``[[format.option]]`` / ``[[format.read_option]]`` and an engine's by name from :data:`OPTION_SETS`
(``option_sets = ["layout"]``); the registry hands them out as ``FormatInfo.write_options``/``read_options``.
Only convert's own options, which every target takes, are declared here in code.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .errors import KoppelError

FLAG_WORDS = ("yes", "no", "true", "false", "1", "0", "ja", "nee", "on", "off")


@dataclass(frozen=True)
class Option:
    """One option: ``kind`` is text, flag, number, integer, date, path or choice (then ``choices``)."""

    name: str
    kind: str
    default: str | None
    meaning: str
    choices: tuple[str, ...] = ()
    # the named switch of koppel convert that sets it (``--split-mb``), the switch's help ({targets}: the
    # formats that take it) and the name of its value (none: a switch without a value, which sets it to yes)
    flag: str = ""
    flag_help: str = ""
    metavar: str = ""

    def as_data(self) -> dict:
        """The option as ``koppel formats --json`` lists it (the switch is the CLI's, not the format's)."""
        return {"name": self.name, "kind": self.kind, "default": self.default, "meaning": self.meaning,
                "choices": list(self.choices)}  # fmt: skip

    def check(self, value: object, *, field: str) -> None:
        """Refuse a value this option cannot take (one line, with what it does take)."""
        text = str(value).strip()
        problem = None
        if self.kind == "choice" and text not in self.choices:
            problem = f"one of {', '.join(self.choices)}"
        elif self.kind == "flag" and not isinstance(value, bool) and text.lower() not in FLAG_WORDS:
            problem = "yes or no"
        elif self.kind in ("number", "integer"):
            try:
                number = float(text) if self.kind == "number" else int(text)
                if number <= 0 and self.name.endswith("_mb"):
                    problem = "a number above 0"
            except ValueError:
                problem = "a number" if self.kind == "number" else "a whole number"
        elif self.kind == "date":
            from .dates import FORMS, is_user_date

            if not is_user_date(text):
                problem = f"a date {FORMS}"
        if problem:
            raise KoppelError(f"{self.name}={text!r} is not valid", field=field, hint=f"{self.name} takes {problem}")

    def describe(self) -> str:
        kind = "|".join(self.choices) if self.kind == "choice" else self.kind
        default = f"; default {self.default}" if self.default is not None else ""
        return f"{self.name} ({kind}{default}): {self.meaning}"


def _o(name: str, kind: str, default: str | None, meaning: str, *choices: str, **switch: str) -> Option:
    return Option(name, kind, default, meaning, tuple(choices), **switch)


def option_from_data(data: dict, where: str) -> Option:
    """An option declared as data (a ``[[format.option]]`` table of a format's spec)."""
    unknown = set(data) - set(Option.__dataclass_fields__)
    missing = {"name", "kind", "meaning"} - set(data)
    if unknown or missing:
        raise KoppelError(
            f"option {data.get('name')!r}: unknown keys {sorted(unknown)}, missing {sorted(missing)}",
            file=where,
            hint="an option has name, kind, default, meaning, (for kind choice) choices and, for a named switch "
            "of koppel convert, flag, flag_help and metavar",
        )
    default = data.get("default")
    switch = {key: str(data[key]) for key in ("flag", "flag_help", "metavar") if key in data}
    return Option(data["name"], data["kind"], None if default is None else str(default), data["meaning"],
                  tuple(data.get("choices", ())), **switch)  # fmt: skip


# Options of koppel convert itself, for every target (see koppel/pipeline.py).
CONVERT_OPTIONS = (
    _o("entry_numbers", "choice", "keep", "renumber entries 1, 2, ... per journal (old and new numbers in "
       "boekstuknummers.csv)", "keep", "renumber"),
    _o("opening_journal", "text", "BEG", "journal of the opening-balance entry"),
    _o("opening_description", "text", "Beginbalans", "description of the opening-balance entry"),
    _o("opening_entry_nr", "text", "1", "entry number of the opening-balance entry"),
    _o("opening_journal_source", "text", None, "source journal of the opening balance (for the mapping)"),
    _o("opening_with_open_items", "flag", "no", "opening balance with one line per open invoice (--opening-with-"
       "open-items)", flag="--opening-with-open-items", flag_help="Opening balance with open items."),
    _o("open_items_at", "date", None, "date of the open items for --opening-with-open-items (default: year start)"),
    _o("result_account", "text", None, "account of the result for --opening-with-open-items"),
    _o("strict", "flag", "no", "refuse what does not fit the target instead of adapting it (--strict)",
       flag="--strict", flag_help="Refuse what does not fit the target instead of adapting it (renumbering, "
       "generated codes, cut texts, ISO country codes)."),
    _o("missing_names", "choice", None, "'code': a relation or account without a required name gets its code as "
       "the name (the default unless --strict)", "code"),
)  # fmt: skip

_TRUNCATE = _o("truncate", "flag", "no", "cut too-long texts to the column width (reported) instead of failing",
               flag="--truncate", flag_help="Truncate too-long texts (reported) instead of failing.")  # fmt: skip
_SCHEMA_DIR = _o("schema_dir", "path", None, "folder with the vendor's XSDs: validate the XML before publishing",
                 flag="--schema-dir", metavar="DIR",
                 flag_help="Validate XML output against vendor XSDs there.")  # fmt: skip
_LAYOUT = (
    _TRUNCATE,
    _o("mixed_kind", "choice", None, "kind for accounts of kind M (mixed): balance sheet or profit and loss", "B",
       "P"),
    _o("journal_types", "flag", "no", "write the journal type column where the layout has one"),
)  # fmt: skip
_TEMPLATE = _o("template", "path", None, "the exported register or import layout to fill (--template)",
               flag="--template", metavar="FILE",
               flag_help="The header file exported from the package (targets {targets}).")  # fmt: skip
_TEMPLATE_FILL = (
    _o("map", "text", None, "column assignments COLUMN=field,... where a header is not recognised"),
    _o("decimal", "choice", ",", "decimal mark of amounts", ",", "."),
    _o("date_format", "text", "%d-%m-%Y", "date format (strftime)"),
)
_ENCODING = _o("encoding", "text", None, "read in this encoding, whatever the file declares (--encoding)")

# Options an engine gives every format it drives, named in a format's spec (``option_sets = ["layout"]``).
OPTION_SETS: dict[str, tuple[Option, ...]] = {
    "layout": _LAYOUT,
    "truncate": (_TRUNCATE,),
    "schema_dir": (_SCHEMA_DIR,),
    "encoding": (_ENCODING,),
    "template": (_TEMPLATE,),
    "template_fill": _TEMPLATE_FILL,
}


def options_from_data(items: list[dict], where: str) -> tuple[Option, ...]:
    """Options declared as data, in order: ``{set = "NAME"}`` is an engine's set of :data:`OPTION_SETS`,
    anything else one option (:func:`option_from_data`)."""
    options: list[Option] = []
    for item in items:
        if set(item) == {"set"}:
            if item["set"] not in OPTION_SETS:
                known = ", ".join(OPTION_SETS)
                raise KoppelError(f"unknown option set {item['set']!r}", file=where, hint=f"known: {known}")
            options.extend(OPTION_SETS[item["set"]])
        else:
            options.append(option_from_data(item, where))
    return tuple(options)


def target_options(target: str) -> tuple[Option, ...]:
    """The options of ``target``'s writer, as its spec declares them."""
    from .registry import get_format

    return get_format(target).write_options or ()


def writer_options(target: str) -> tuple[Option, ...]:
    """Every option ``koppel convert --to target`` accepts: convert's own and the writer's."""
    return CONVERT_OPTIONS + target_options(target)


def reader_options(name: str) -> tuple[Option, ...]:
    """The options of ``name``'s reader, as its spec declares them."""
    from .registry import get_format

    return get_format(name).read_options or ()


def named_switches() -> list[tuple[Option, list[str]]]:
    """The named switches of ``koppel convert`` (``--split-mb``), by name: the option each sets and the targets
    that take it. Convert's own options and every writer's declare them; no list of switches is kept."""
    from .registry import all_formats

    found: dict[str, tuple[Option, list[str]]] = {o.flag: (o, []) for o in CONVERT_OPTIONS if o.flag}
    for info in all_formats():
        for option in info.write_options or ():
            if option.flag:
                found.setdefault(option.flag, (option, []))[1].append(info.name)
    return [found[flag] for flag in sorted(found)]


def reader_option_names() -> set[str]:
    """Every option some reader takes (``--read-option``), for the hint when one is given to ``--option``."""
    from .registry import all_formats

    return {o.name for info in all_formats() if info.reads for o in reader_options(info.name)}


def validate(options: dict, accepted: tuple[Option, ...], *, field: str, what: str) -> None:
    """Refuse an option ``what`` does not take (listing those it takes, with a "did you mean") or a bad value."""
    by_name = {o.name: o for o in accepted}
    for key, value in options.items():
        option = by_name.get(key)
        if option is None and field == "--option" and key in reader_option_names():
            raise KoppelError(
                f"{key!r} is an option of the reader, not of the writer", field=field,
                hint=f"pass it as --read-option {key}={value if value else 'VALUE'}",
            )  # fmt: skip
        if option is None:
            close = difflib.get_close_matches(key, list(by_name), n=1)
            guess = f"did you mean {close[0]}? " if close else ""
            valid = ", ".join(sorted(by_name)) or "none"
            raise KoppelError(
                f"unknown option {key!r} for {what}", field=field,
                hint=f"{guess}valid: {valid}; see 'koppel formats NAME'",
            )  # fmt: skip
        if value is not None:
            option.check(value, field=field)
