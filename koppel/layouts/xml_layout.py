"""XML layouts as data: one TOML per written XML file, beside the format's descriptor (``schemas/<format>/``).

The second kind of layout of the loader family (:mod:`koppel.layouts.descriptor` reads the delimited one): where a
delimited layout lists columns, an XML layout lists elements, in file order, each with the path it is written at.

``[file]``: ``id`` (the name the descriptor's ``[[files]] match`` uses), ``name`` (``{admin}`` is the
administration), ``content`` (``entries``: one record per entry with its lines; ``accounts``, ``debtors``,
``creditors``, ``relations``: one record per master row), ``title``, ``evidence``, ``hooks`` (the module whose
functions ``hook:NAME`` names), ``root`` and ``root_attrs``, ``wrapper`` (the element path between the root and
the records), ``breaks`` (``every``: a line break after every opening tag of root and wrapper; ``records``: one
before the first record only; ``tree``: the wrapper and its records indented as one tree, for small master
files), ``always`` (the file is written even without records), ``record`` (the element per record), ``lines``
(where the lines go in a record, ``""`` = the record itself), ``line`` (the element per line), ``order`` (a hook
giving a record's lines in the order they are written), ``where`` (how an error names a record: ``entry`` or a
source), ``tally_target`` (the account a line's money is booked on, as written; default the mapped account),
``xsd`` (our own schema, in the folder) or ``schema_root`` and ``schema_prefer`` (the vendor schema found in
``--option schema_dir``), ``like`` (the elements of another layout of the folder: the same record, another root).

``[[head]]``, ``[[element]]``, ``[[line_element]]``: the elements written once before the records (inside the
wrapper), per record and per line. Each: ``path`` (relative to its record, ``a/b/c``; ``@x`` an attribute of
the element before it; ``A|B`` as the last step: A when the value is zero or more, B when it is below zero),
``source`` (see :mod:`koppel.layouts.xml_writer`: a field, ``entry.FIELD``, ``state:KEY``, ``option:KEY``,
``line_number``, ``=CONSTANT``, ``hook:NAME`` or ``hook:NAME:ARG``, alternatives ``a|b`` (the first not empty);
no source: an element always written empty, a container, and with ``when`` the elements under it are written
only when it is), ``type`` (code, text, int, cents, date), ``format`` (a date's strftime), ``width`` (longer
text is an error, or cut and counted with ``--truncate``), ``max`` (cents: a larger amount is an error),
``sign`` (two texts: the first for a value of zero or more), ``map`` (value → text, ``"*"`` for any other, an
empty one too), ``when`` (a source: written only when it is not empty), ``required`` (written even when empty;
an optional element is left out then), ``label`` (the name an error uses), ``where`` (a source naming the record
in its errors, instead of the file's), ``evidence`` (V, 3P, A) and ``note`` (Dutch, for IMPORTEREN.md instead
of the source).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import KoppelError
from ..evidence import is_mark
from ..resources import read_schema_toml, schema_dir

TYPES = ("code", "text", "int", "cents", "date")
CONTENTS = ("entries", "accounts", "debtors", "creditors", "relations")
BREAKS = ("every", "records", "tree")
FILE_KEYS = {
    "id", "name", "content", "title", "evidence", "hooks", "root", "root_attrs", "wrapper", "breaks", "record",
    "lines", "line", "order", "where", "tally_target", "xsd", "schema_root", "schema_prefer", "like", "always",
}  # fmt: skip
LISTS = ("head", "element", "line_element")


@dataclass(frozen=True)
class XmlElement:
    """One element or attribute of a record, in file order."""

    path: str
    source: str = ""
    type: str = "code"
    format: str = ""
    width: int | None = None
    max: int | None = None
    sign: tuple[str, str] | None = None
    map: tuple[tuple[str, str], ...] = ()
    when: str = ""
    required: bool = False
    label: str = ""
    where: str = ""
    evidence: str = "A"
    note: str = ""

    @property
    def steps(self) -> tuple[str, ...]:
        return tuple(self.path.split("/"))

    @property
    def is_attribute(self) -> bool:
        return self.steps[-1].startswith("@")


@dataclass(frozen=True)
class XmlLayout:
    """One written XML file: its frame (root, wrapper, record elements) and its elements."""

    id: str
    name: str
    content: str
    title: str
    evidence: str
    root: str
    record: str
    folder: str
    stem: str
    path: str  # the layout file, for errors
    hooks: str = ""
    root_attrs: tuple[tuple[str, str], ...] = ()
    wrapper: str = ""
    breaks: str = "every"
    lines: str = ""
    line: str = ""
    order: str = ""
    where: str = "entry"
    tally_target: str = ""
    xsd: str = ""
    schema_root: str = ""
    schema_prefer: str = ""
    always: bool = False
    head: tuple[XmlElement, ...] = ()
    element: tuple[XmlElement, ...] = ()
    line_element: tuple[XmlElement, ...] = field(default=())

    def file_name(self, admin: str) -> str:
        return self.name.format(admin=admin)

    def elements(self) -> tuple[tuple[str, XmlElement], ...]:
        """Every element with the record it belongs to (head, record, line), in file order."""
        return tuple((scope, e) for scope in LISTS for e in getattr(self, scope))


def _fail(where: Path, key: str, message: str) -> KoppelError:
    return KoppelError(f"XML layout {where.parent.name}/{where.name}: {message}", file=where, field=key,
                       hint="see koppel/layouts/xml_layout.py for the keys of an XML layout")  # fmt: skip


def _element(data: Any, where: Path, key: str) -> XmlElement:
    if not isinstance(data, dict):
        raise _fail(where, key, "must be a table")
    unknown = set(data) - set(XmlElement.__dataclass_fields__)
    if unknown:
        raise _fail(where, key, f"unknown keys {sorted(unknown)}")
    path = data.get("path")
    if not isinstance(path, str) or not path or any(not step for step in path.split("/")):
        raise _fail(where, f"{key}.path", f"path {path!r} is not an element path such as 'Amount/Currency/@code'")
    key = f"{key} ({path})"
    if any(step.startswith("@") for step in path.split("/")[:-1]) or ("|" in path and path.count("|") != 1):
        raise _fail(where, f"{key}.path", "an attribute or an A|B choice may only be the last step")
    values = dict(data)
    if "sign" in values:
        sign = values["sign"]
        if not (isinstance(sign, list) and len(sign) == 2 and all(isinstance(s, str) for s in sign)):
            raise _fail(where, f"{key}.sign", "sign takes two texts: [zero or more, below zero]")
        values["sign"] = tuple(sign)
    if "map" in values:
        if not isinstance(values["map"], dict):
            raise _fail(where, f"{key}.map", "map is a table of value = text")
        values["map"] = tuple((str(k), str(v)) for k, v in values["map"].items())
    try:
        element = XmlElement(**values)
    except TypeError as exc:
        raise _fail(where, key, str(exc)) from None
    if element.type not in TYPES:
        raise _fail(where, f"{key}.type", f"unknown type {element.type!r}; use {', '.join(TYPES)}")
    if not is_mark(element.evidence):
        raise _fail(where, f"{key}.evidence", f"evidence {element.evidence!r}; use V, 3P or A")
    if element.width is not None and (not isinstance(element.width, int) or element.width < 1):
        raise _fail(where, f"{key}.width", f"width {element.width!r} is not a positive whole number")
    if element.format and element.type != "date":
        raise _fail(where, f"{key}.format", "format applies to dates only")
    if element.max is not None and element.type != "cents":
        raise _fail(where, f"{key}.max", "max applies to cents only")
    if "|" in element.steps[-1] and element.type != "cents":
        raise _fail(where, f"{key}.path", "an A|B choice goes by the sign of a cents value")
    if element.required and not element.source and element.is_attribute:
        raise _fail(where, f"{key}.source", "a required attribute needs a source")
    return element


def _check_contiguous(elements: tuple[XmlElement, ...], where: Path, key: str) -> None:
    """An element's children come one after the other: a container once left is not reopened."""
    closed: set[tuple[str, ...]] = set()
    open_: tuple[str, ...] = ()
    for i, e in enumerate(elements):
        owner = e.steps[:-1]  # the element a leaf goes into, or an attribute is set on
        for depth in range(1, len(owner) + 1):
            if owner[:depth] in closed:
                raise _fail(where, f"{key}[{i}] ({e.path})", f"{'/'.join(owner[:depth])} was left before: keep its "
                            "elements together")  # fmt: skip
        now = owner if e.is_attribute else e.steps
        for depth in range(1, len(open_) + 1):
            if open_[:depth] != now[:depth]:
                closed.add(open_[:depth])
        open_ = now


def _frame(data: dict, where: Path) -> dict:
    head = data.get("file")
    if not isinstance(head, dict):
        raise _fail(where, "file", "no [file] table")
    unknown = set(head) - FILE_KEYS
    if unknown:
        raise _fail(where, "file", f"unknown [file] keys {sorted(unknown)}")
    for key in ("id", "name", "content", "title", "evidence", "root", "record"):
        if not isinstance(head.get(key), str) or not head[key]:
            raise _fail(where, f"file.{key}", f"[file] {key} is missing")
    if head["content"] not in CONTENTS:
        raise _fail(where, "file.content", f"content {head['content']!r}; use one of {', '.join(CONTENTS)}")
    if not is_mark(head["evidence"]):
        raise _fail(where, "file.evidence", f"evidence {head['evidence']!r}; use V, 3P or A")
    if head.get("breaks", "every") not in BREAKS:
        raise _fail(where, "file.breaks", f"breaks {head['breaks']!r}; use {' or '.join(BREAKS)}")
    if head.get("breaks") == "tree" and (head["content"] == "entries" or "/" in head.get("wrapper", "/")):
        raise _fail(where, "file.breaks", "breaks = 'tree' is for a master file with a wrapper of one element")
    if head["content"] == "entries" and not head.get("line"):
        raise _fail(where, "file.line", "an entries layout names the element per line ([file] line)")
    if head["content"] != "entries" and (head.get("line") or data.get("line_element")):
        raise _fail(where, "file.line", f"a {head['content']} layout has no lines")
    return head


@cache
def load_xml_layout(folder: str, file_id: str, base: Path | None = None) -> XmlLayout:
    """Load and check ``schemas/<folder>/<file_id>.toml``; every error names the file and the key."""
    where = (base or schema_dir()) / folder / f"{file_id}.toml"
    data = read_schema_toml(where, "XML layout")
    head = dict(_frame(data, where))
    unknown = set(data) - {"file", *LISTS}
    if unknown:
        raise _fail(where, sorted(unknown)[0], f"unknown tables {sorted(unknown)}; use [file], {', '.join(LISTS)}")
    like = head.pop("like", None)
    if like is not None:  # the elements of another file of the folder (the same record under another root)
        if set(data) & set(LISTS):
            raise _fail(where, "file.like", "a layout with like = ... lists no elements of its own")
        other = where.with_name(f"{like}.toml")
        try:
            data = tomllib.loads(other.read_text(encoding="utf-8"))
        except (FileNotFoundError, tomllib.TOMLDecodeError):
            raise _fail(where, "file.like", f"like = {like!r}: no readable layout {other.name} beside it") from None
    lists = {}
    for key in LISTS:
        items = data.get(key, [])
        if not isinstance(items, list):
            raise _fail(where, key, f"[[{key}]] must be an array of tables")
        lists[key] = tuple(_element(item, where, f"{key}[{i}]") for i, item in enumerate(items))
        _check_contiguous(lists[key], where, key)
    if not lists["element"] and not lists["line_element"]:
        raise _fail(where, "element", "no elements")
    uses_hooks = any("hook:" in f"{e.source} {e.when}" for es in lists.values() for e in es)
    uses_hooks |= any(str(head.get(k, "")).startswith("hook:") for k in ("order", "tally_target", "where"))
    if uses_hooks and not head.get("hooks"):
        raise _fail(where, "file.hooks", "hook:NAME is used, but [file] hooks names no module")
    wrapper = tuple(str(head.get("wrapper", "")).split("/")) if head.get("wrapper") else ()
    for i, e in enumerate(lists["head"]):
        if e.is_attribute or e.steps[:-1] != wrapper[: len(e.steps) - 1] or len(e.steps) > len(wrapper):
            raise _fail(where, f"head[{i}] ({e.path})", "a head element is a child of the root or of a wrapper element")
    master = head["content"] != "entries"
    if master and head.get("where", "entry") == "entry" and any(e.width or e.max for e in lists["element"]):
        raise _fail(where, "file.where", "an element has a width: say which source names a record in errors")
    if head["content"] == "entries":
        money = [e for e in lists["line_element"] if e.source == "amount" and e.type == "cents"]
        if len(money) != 1:
            raise _fail(where, "line_element", "one line element carries the money (source amount, type cents)")
    head["root_attrs"] = tuple((str(k), str(v)) for k, v in dict(head.get("root_attrs", {})).items())
    return XmlLayout(folder=folder, stem=file_id, path=str(where), **head, **lists)


def field_rows(layout: XmlLayout) -> list[dict[str, Any]]:
    """The layout as the field list of IMPORTEREN.md: file, path, source (or note), required, evidence."""
    rows = []
    for scope, e in layout.elements():
        line = "/".join(p for p in (layout.record, layout.lines, layout.line) if p)
        base = {"head": "", "element": layout.record, "line_element": line}[scope]
        path = f"{base}/{e.path}" if base else e.path
        source = e.note or (f"`{e.source}`" if e.source else "(leeg element)")
        rows.append({"file": layout.id, "name": path, "source": source, "required": e.required,
                     "evidence": e.evidence})  # fmt: skip
    return rows
