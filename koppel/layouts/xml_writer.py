"""The XML writer engine: writes a file from its XML layout (:mod:`koppel.layouts.xml_layout`), streaming.

The layout is compiled once per file into small closures, one per element, so the per-line work stays that of a
hand-written writer: get the value, format it, append it where its path says. Records are built one at a time
and streamed through lxml's ``xmlfile``; the money of every line is tallied as written (``Tally``), so the money
proof and the read-back work as they do for every writer.

A source (``getter``): a field of the record (a line's field; an entry's first line, or ``journal_id``,
``entry_nr``, ``opening``, ``kind`` of the entry; a master row's column), ``entry.FIELD`` (the entry's, from a
line), ``line_number`` (1..n in written order), ``state:KEY`` (what the writer prepared), ``option:KEY`` (a
``--option``), ``=TEXT`` (a constant), ``hook:NAME`` (``NAME(state, record, row, n)`` of the layout's hooks
module, for what data cannot say); ``a|b`` takes the first that is not empty.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import KoppelError
from ..formats.entry_rows import Tally
from ..formats.xml_writing import Truncator, find_schema, peek, validate_file
from ..money import format_cents
from ..resources import schema_dir
from .xml_layout import XmlElement, XmlLayout

Getter = Callable[[Any, Any, int], Any]  # (record, row, line number) -> value
Emit = Callable[[dict, Any, Any, int, str | None], None]  # (nodes, record, row, n, where)
ENTRY_FIELDS = ("journal_id", "entry_nr", "opening", "kind")  # of the entry itself, not of its first line
_SubElement = etree.SubElement


def _empty(value: Any) -> bool:
    return value is None or value == ""


class Compiler:
    """Turns a layout's sources and elements into closures bound to one write (its state, job, truncator)."""

    def __init__(self, layout: XmlLayout, state: dict, cut: Truncator | None = None) -> None:
        self.layout = layout
        self.state = state
        self.cut = cut or Truncator(False, layout.title)
        self.hooks = importlib.import_module(layout.hooks) if layout.hooks else None

    def fail(self, key: str, message: str) -> KoppelError:
        return KoppelError(f"XML layout {self.layout.folder}/{self.layout.stem}.toml: {message}", file=self.layout.path,
                           field=key)  # fmt: skip

    def getter(self, source: str, scope: str) -> Getter:
        """``source`` as a function of (record, row, n); ``scope`` is line, entry, master or head."""
        options = [self._one(s.strip(), scope) for s in source.split("|")] if source else []
        if not options:
            return lambda rec, row, n: None
        if len(options) == 1:
            return options[0]

        def first_of(rec: Any, row: Any, n: int) -> Any:
            for get in options:
                value = get(rec, row, n)
                if not _empty(value):
                    return value
            return value  # as Python's ``a or b``: the last one, None or ""

        return first_of

    def _one(self, source: str, scope: str) -> Getter:
        if source.startswith("="):
            constant = source[1:]
            return lambda rec, row, n: constant
        if source.startswith("hook:"):
            name, _, arg = source[5:].partition(":")
            hook = self.hook(name)
            state = self.state
            if arg:  # hook:NAME:ARG, one hook for several elements (an extra field by its name)
                return lambda rec, row, n: hook(state, rec, row, n, arg)
            return lambda rec, row, n: hook(state, rec, row, n)
        if source.startswith("state:"):
            value = self.state.get(source[6:])
            return lambda rec, row, n: value
        if source.startswith("option:"):
            job = self.state["job"]
            value = job.option(source[7:])
            value = None if value is None else str(value)
            return lambda rec, row, n: value
        if source == "line_number":
            return lambda rec, row, n: str(n)
        if scope == "head":
            raise self.fail(source, f"source {source!r} needs a record; a head element takes a constant or state")
        if scope == "master":
            return lambda rec, row, n: rec.get(source)
        if source.startswith("entry."):
            name = source[6:]
            if name in ENTRY_FIELDS:
                get = attrgetter(name)
                return lambda rec, row, n: get(rec)
            get = attrgetter(name)
            return lambda rec, row, n: get(rec.rows[0])
        get = attrgetter(source)
        if scope == "entry" and source in ENTRY_FIELDS:
            return lambda rec, row, n: get(rec)
        return lambda rec, row, n: get(row)

    def hook(self, name: str) -> Callable:
        found = getattr(self.hooks, name, None) if self.hooks is not None else None
        if found is None:
            raise self.fail(name, f"hook {name!r} is not a function of {self.layout.hooks or 'any module'}")
        return found

    def text(self, e: XmlElement) -> Callable[[Any, str | None], str | None]:
        """The element's value as written: mapped, signed, formatted, checked against its width or maximum."""
        mapping = dict(e.map)
        default = mapping.pop("*", None)
        sign, cut, width, label, kind = e.sign, self.cut, e.width, e.label or e.steps[-1], e.type
        title, limit = self.cut.target, e.max

        def convert(value: Any, where: str | None) -> str | None:
            if mapping or default is not None:
                value = mapping.get(value, default)
                if value is None:
                    return None
            if sign is not None:
                return sign[0] if value >= 0 else sign[1]
            if kind == "cents":
                if limit is not None and abs(value) > limit:
                    raise KoppelError(f"{where}: amount {format_cents(value)} is too large for {title}", field=label)
                value = format_cents(abs(value))
            elif kind == "int":
                value = str(int(value))
            elif kind == "date" and e.format:
                value = date.fromisoformat(value).strftime(e.format)
            if width is not None:
                value = cut(value, width, label, where)
            return value

        return convert

    def emitters(self, elements: tuple[XmlElement, ...], scope: str, money: list | None = None) -> list[Emit]:
        """The closures of ``elements`` in order; a container with ``when`` holds those of the elements under it,
        which are not looked at at all when it is not written."""
        out: list[Emit] = []
        i = 0
        while i < len(elements):
            e = elements[i]
            j = i + 1
            if not e.source and e.when:
                while j < len(elements) and elements[j].steps[: len(e.steps)] == e.steps:
                    j += 1
            children = self.emitters(elements[i + 1 : j], scope, money) if j > i + 1 else []
            out.append(self.emitter(e, scope, money if e.source == "amount" and e.type == "cents" else None, children))
            i = j
        return out

    def emitter(self, e: XmlElement, scope: str, money: list | None = None, children: list[Emit] = ()) -> Emit:
        """The closure that writes ``e`` into a record's ``nodes`` (path → element already written)."""
        get = self.getter(e.source, scope)
        when = self.getter(e.when, scope) if e.when else None
        own_where = self.getter(e.where, scope) if e.where else None
        convert = self.text(e)
        plain = not (e.map or e.sign or e.width or e.max or e.type in ("cents", "int") or e.format)
        required, container = e.required, not e.source
        otherwise = any(k == "*" for k, _ in e.map)  # a map's "*" also takes an empty value
        steps = e.steps
        owner, leaf = steps[:-1], steps[-1]
        chain = tuple(owner[: i + 1] for i in range(len(owner)))
        attribute = leaf[1:] if leaf.startswith("@") else None
        choice = tuple(leaf.split("|")) if "|" in leaf else None
        key = steps

        def parent_of(nodes: dict) -> etree._Element:
            parent = nodes.get(owner)
            if parent is None:
                parent = nodes[()]
                for step in chain:
                    found = nodes.get(step)
                    if found is None:
                        found = nodes[step] = _SubElement(parent, step[-1])
                    parent = found
            return parent

        def emit(nodes: dict, rec: Any, row: Any, n: int, where: str | None) -> None:
            if when is not None and not when(rec, row, n):
                return
            if container:
                nodes[key] = _SubElement(parent_of(nodes), leaf)
                for child in children:
                    child(nodes, rec, row, n, where)
                return
            value = get(rec, row, n)
            if _empty(value) and not otherwise:
                if not required:
                    return
                text = value  # as written by hand: None an empty element, "" an element with empty text
            else:
                if own_where is not None:
                    where = own_where(rec, row, n)
                text = value if plain else convert(value, where)
                if _empty(text) and not required:
                    return
            parent = parent_of(nodes)
            if attribute is not None:
                if text is not None:
                    parent.set(attribute, text)
                return
            tag = leaf if choice is None else choice[0 if value >= 0 else 1]
            el = nodes[key] = _SubElement(parent, tag)
            if text is not None:
                el.text = text
            if money is not None:
                money[0] = text

        return emit


class XmlFileWriter:
    """Writes one XML file of a layout: records built from data, streamed into root and wrapper, tallied."""

    def __init__(self, layout: XmlLayout, state: dict, cut: Truncator | None = None, tally: Tally | None = None):
        self.layout = layout
        self.tally = tally
        self.compiler = c = Compiler(layout, state, cut)
        entries = layout.content == "entries"
        record_scope = "entry" if entries else "master"
        self.money: list[str | None] = [None]
        self.record_emits = c.emitters(layout.element, record_scope)
        self.line_emits = c.emitters(layout.line_element, "line", self.money)
        self.order = c.hook(layout.order[5:]) if layout.order.startswith("hook:") else None
        self.target = c.getter(layout.tally_target, "line") if layout.tally_target else None
        checked = any(e.width or e.max for e in (*layout.element, *layout.line_element))
        if not checked:
            self.where: Getter | None = None
        elif layout.where == "entry":
            self.where = lambda rec, row, n: f"entry {rec.journal_id}/{rec.entry_nr}"
        else:
            self.where = c.getter(layout.where, record_scope)
        self.lines = tuple(layout.lines.split("/")) if layout.lines else ()
        self.state = state

    def records(self, items: Iterable[Any]) -> Iterator[etree._Element]:
        """One element per record of ``items`` (entries or master rows), with its lines."""
        layout, record_emits, where_of = self.layout, self.record_emits, self.where
        if layout.content != "entries":
            for rec in items:
                el = etree.Element(layout.record)
                nodes = {(): el}
                where = where_of(rec, rec, 0) if where_of is not None else None
                for emit in record_emits:
                    emit(nodes, rec, rec, 0, where)
                yield el
            return
        line_tag, line_emits, lines, order, state = layout.line, self.line_emits, self.lines, self.order, self.state
        tally, money, target = self.tally, self.money, self.target
        for entry in items:
            el = etree.Element(layout.record)
            nodes = {(): el}
            first = entry.rows[0]
            where = where_of(entry, first, 0) if where_of is not None else None
            rows = order(state, entry, first, 0) if order is not None else entry.rows
            for emit in record_emits:
                emit(nodes, entry, first, 0, where)
            container = el
            for i in range(len(lines)):
                step = lines[: i + 1]
                found = nodes.get(step)
                if found is None:
                    found = nodes[step] = _SubElement(container, lines[i])
                container = found
            for n, row in enumerate(rows, start=1):
                line_nodes = {(): _SubElement(container, line_tag)}
                for emit in line_emits:
                    emit(line_nodes, entry, row, n, where)
                if tally is not None:
                    booked = target(entry, row, n) if target is not None else None
                    tally.add(row, money[0], row.amount >= 0, target=booked)
            if tally is not None:
                tally.entries += 1
            yield el

    def write(self, place: Callable[[], Path], items: Iterable[Any]) -> Path | None:
        """Stream the records of ``items`` into the file ``place()`` gives; None, and no file asked for (an output
        folder publishes every path it handed out), when there are none."""
        layout = self.layout
        records = peek(self.records(items))
        if records is None:
            if not layout.always:
                return None
            records = iter(())
        path = place()
        every = layout.breaks == "every"
        wrapper = tuple(layout.wrapper.split("/")) if layout.wrapper else ()
        heads: dict[tuple[str, ...], list[tuple[str, str | None]]] = {}
        for e in layout.head:
            value = self.compiler.getter(e.source, "head")(None, None, 0)
            heads.setdefault(e.steps[:-1], []).append((e.steps[-1], None if value is None else str(value)))
        with etree.xmlfile(str(path), encoding="utf-8") as xf:
            xf.write_declaration()
            if layout.breaks == "tree":  # a small master file: the wrapper with its records, indented as a whole
                tree = etree.Element(wrapper[0])
                tree.extend(records)
                with xf.element(layout.root, dict(layout.root_attrs)):
                    xf.write("\n")
                    xf.write(tree, pretty_print=True)
            else:
                self._open(xf, layout.root, dict(layout.root_attrs), (), wrapper, heads, records, every)
        with path.open("ab") as handle:
            handle.write(b"\n")
        return path

    def _open(self, xf, tag: str, attrs: dict, at: tuple, wrapper: tuple, heads: dict, records, every: bool) -> None:
        """Open ``tag`` (and, inside it, the rest of the wrapper), write its head elements, then the records."""
        with xf.element(tag, attrs):
            for name, text in heads.get(at, ()):
                el = etree.Element(name)
                el.text = text
                xf.write(el)
            if every or not wrapper:
                xf.write("\n")
            if wrapper:
                self._open(xf, wrapper[0], {}, (*at, wrapper[0]), wrapper[1:], heads, records, every)
                if every:
                    xf.write("\n")
                return
            for record in records:
                xf.write(record, pretty_print=True)


def validate(layout: XmlLayout, path: Path, job, shown_as: str) -> Path | None:
    """Check a written file against its schema: ours (``xsd``), or the vendor's found in ``--option schema_dir``
    (``schema_root``). The schema used, or None when the layout names none or no folder was given."""
    if layout.xsd:
        xsd = schema_dir() / layout.folder / layout.xsd
    elif layout.schema_root and job.option("schema_dir"):
        xsd = find_schema(job.option("schema_dir"), layout.schema_root, prefer=layout.schema_prefer)
    else:
        return None
    validate_file(path, xsd, shown_as=shown_as)
    return xsd
