"""The XML writer engine: writes a file from its XML layout (:mod:`koppel.layouts.xml_layout`), streaming.

The layout is compiled once per file into one function per record scope (record, line), generated from its
elements, so the per-line work is that of a hand-written writer: get the value, format it, append it where its
path says; hooks, maps and widths are small closures it calls. (A closure per element, called in a loop, cost
the Globe writer a fifth more time than the hand-written one; the generated function is a little faster than
it.) Records are built one at a time and streamed through lxml's ``xmlfile``; the money of every line is tallied
as written (``Tally``), so the money proof and the read-back work as they do for every writer.

A source (``getter``): a field of the record (a line's field; an entry's first line, or ``journal_id``,
``entry_nr``, ``opening``, ``kind`` of the entry; a master row's column), ``entry.FIELD`` (the entry's, from a
line), ``line_number`` (1..n in written order), ``state:KEY`` (what the writer prepared), ``option:KEY`` (a
``--option``), ``=TEXT`` (a constant), ``hook:NAME`` (``NAME(state, record, row, n)`` of the layout's hooks
module, for what data cannot say); ``a|b`` takes the first that is not empty.
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import KoppelError
from ..formats.entry_rows import ROW_FIELDS, Tally
from ..formats.xml_writing import Truncator, find_schema, peek, validate_file
from ..money import format_cents
from ..resources import schema_dir
from .xml_layout import XmlElement, XmlLayout, load_xml_layout

Getter = Callable[[Any, Any, int], Any]  # (record, row, line number) -> value
Build = Callable[[etree._Element, Any, Any, int, str | None], Any]  # (record element, record, row, n, where)
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
        self._ids = itertools.count()  # names of the closures a built function calls
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
            if name not in ROW_FIELDS and name not in ENTRY_FIELDS:
                raise self.fail(source, f"source {source!r}: {name!r} is not a field of an entry or its first line")
            if name in ENTRY_FIELDS:
                get = attrgetter(name)
                return lambda rec, row, n: get(rec)
            get = attrgetter(name)
            return lambda rec, row, n: get(rec.rows[0])
        if source not in ROW_FIELDS and not (scope == "entry" and source in ENTRY_FIELDS):
            raise self.fail(source, f"source {source!r} is not a field of a line ({', '.join(ROW_FIELDS)})")
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

    def builder(self, elements: tuple[XmlElement, ...], scope: str, money: list | None = None,
                lines: tuple[str, ...] = ()) -> Build:  # fmt: skip
        """One function that writes ``elements`` into a record element, compiled from generated Python once per
        write (see the module's docstring). With ``lines``, it returns the element the lines go in."""
        names: dict[str, Any] = {"SE": _SubElement}
        owners = {e.steps[:i] for e in elements for i in range(1, len(e.steps))}
        owners |= {lines[:i] for i in range(1, len(lines) + 1)}
        var = {path: f"n{i}" for i, path in enumerate(sorted(owners))}
        var[()] = "R"
        code = ["def build(R, rec, row, n, where):"]
        if len(var) > 1:
            code.append("    " + " = ".join(v for p, v in var.items() if p) + " = None")
        self._emit_code(elements, scope, money, names, var, code, 1)
        if lines:
            code += self._ensure(lines, var, 1)
        code.append(f"    return {var[lines] if lines else None}")
        namespace: dict[str, Any] = {}
        where = f"<xml layout {self.layout.folder}/{self.layout.stem}>"
        exec(compile("\n".join(code), where, "exec"), names, namespace)  # the code is made from our own layout
        return namespace["build"]

    def _ensure(self, path: tuple[str, ...], var: dict, depth: int) -> list[str]:
        """Code that makes the element at ``path`` (and its parents) unless the record has it already."""
        if not path:
            return []
        pad = "    " * depth
        return [f"{pad}if {var[path]} is None:", *self._ensure(path[:-1], var, depth + 1),
                f"{pad}    {var[path]} = SE({var[path[:-1]]}, {path[-1]!r})"]  # fmt: skip

    def _value(self, source: str, scope: str, names: dict, k: int) -> str:
        """An expression for ``source``: a field, constant, state or hook inline; alternatives (``a|b``) and the
        rest through the source's getter closure."""
        if "|" in source:
            names[f"G{k}"] = self.getter(source, scope)
            return f"G{k}(rec, row, n)"
        return self._one_expr(source.strip(), scope, names, k)

    def _one_expr(self, source: str, scope: str, names: dict, k: int) -> str:
        if source.startswith("="):
            return repr(source[1:])
        if source.startswith("state:"):
            names[f"S{k}"] = self.state.get(source[6:])
            return f"S{k}"
        if source == "line_number":
            return "str(n)"
        if source.startswith("hook:"):
            name, _, arg = source[5:].partition(":")
            names[f"H{k}"], names["STATE"] = self.hook(name), self.state
            return f"H{k}(STATE, rec, row, n{', ' + repr(arg) if arg else ''})"
        if scope in ("line", "entry") and source.startswith("entry.") and source[6:].isidentifier():
            self.getter(source, scope)  # refuses a name that is no field
            name = source[6:]
            return f"rec.{name}" if name in ENTRY_FIELDS else f"rec.rows[0].{name}"
        if source.isidentifier() and scope in ("line", "entry", "master"):
            if scope == "master":
                return f"rec.get({source!r})"
            self.getter(source, scope)  # refuses a name that is no field
            return f"rec.{source}" if scope == "entry" and source in ENTRY_FIELDS else f"row.{source}"
        names[f"G{k}"] = self.getter(source, scope)
        return f"G{k}(rec, row, n)"

    def _fetch(self, source: str, scope: str, names: dict, k: int, pad: str) -> list[str]:
        """Statements that put ``source``'s value in ``v``; alternatives as ``a or b`` would, inline."""
        options = [s.strip() for s in source.split("|")]
        code = [f"{pad}v = {self._one_expr(options[0], scope, names, k)}"]
        for option in options[1:]:
            code.append(f"{pad}if v is None or v == '': v = {self._one_expr(option, scope, names, next(self._ids))}")
        return code

    def _emit_code(self, elements, scope: str, money, names: dict, var: dict, code: list[str], depth: int) -> None:
        i = 0
        while i < len(elements):
            e, k = elements[i], next(self._ids)
            pad = "    " * depth
            j = i + 1
            if not e.source and e.when:  # a guarded container: the elements under it are written only with it
                while j < len(elements) and elements[j].steps[: len(e.steps)] == e.steps:
                    j += 1
            if e.when:
                code.append(f"{pad}if {self._value(e.when, scope, names, next(self._ids))}:")
                depth, pad = depth + 1, pad + "    "
            if not e.source:
                code += self._ensure(e.steps[:-1], var, depth)
                target = var.get(e.steps, f"c{k}")
                code.append(f"{pad}{target} = SE({var[e.steps[:-1]]}, {e.steps[-1]!r})")
                self._emit_code(elements[i + 1 : j], scope, money, names, var, code, depth)
            else:
                self._leaf_code(e, scope, money, names, var, code, depth, k)
            if e.when:
                depth -= 1
            i = j

    def _leaf_code(self, e: XmlElement, scope: str, money, names: dict, var: dict, code: list[str], depth: int,
                   k: int) -> None:  # fmt: skip
        pad = "    " * depth
        owner, leaf = e.steps[:-1], e.steps[-1]
        plain = not (e.map or e.sign or e.width or e.max or e.type in ("cents", "int") or e.format)
        otherwise = any(key == "*" for key, _ in e.map)  # a map's "*" also takes an empty value
        code += self._fetch(e.source, scope, names, k, pad)
        names[f"C{k}"] = self.text(e)
        where = "where"
        if e.where:
            names[f"W{k}"] = self.getter(e.where, scope)
            where = f"W{k}(rec, row, n)"
        convert = "t = v" if plain else f"t = C{k}(v, {where})"
        write: list[str] = self._ensure(owner, var, 0)
        if leaf.startswith("@"):
            write.append(f"if t is not None: {var[owner]}.set({leaf[1:]!r}, t)")
        else:
            tag = repr(leaf) if "|" not in leaf else "({!r} if v >= 0 else {!r})".format(*leaf.split("|"))
            write += [f"e = SE({var[owner]}, {tag})", "if t is not None: e.text = t"]
            if e.steps in var:
                write.append(f"{var[e.steps]} = e")
            if money is not None and e.source == "amount" and e.type == "cents":
                names["MONEY"] = money
                write.append("MONEY[0] = t")
        if otherwise:
            code.append(f"{pad}if True:")
        else:
            code.append(f"{pad}if v is None or v == '':")
            code += [f"{pad}    t = v", *(f"{pad}    {w}" for w in write)] if e.required else [f"{pad}    pass"]
            code.append(f"{pad}else:")
        code.append(f"{pad}    {convert}")
        if not plain and not e.required:
            code.append(f"{pad}    if t is not None and t != '':")
            code += [f"{pad}        {w}" for w in write]
        else:
            code += [f"{pad}    {w}" for w in write]


class XmlFileWriter:
    """Writes one XML file of a layout: records built from data, streamed into root and wrapper, tallied."""

    def __init__(self, layout: XmlLayout, state: dict, cut: Truncator | None = None, tally: Tally | None = None):
        self.layout = layout
        self.tally = tally
        self.compiler = c = Compiler(layout, state, cut)
        entries = layout.content == "entries"
        record_scope = "entry" if entries else "master"
        self.money: list[str | None] = [None]
        self.lines = tuple(layout.lines.split("/")) if layout.lines else ()
        self.build_record = c.builder(layout.element, record_scope, lines=self.lines if entries else ())
        self.build_line = c.builder(layout.line_element, "line", self.money)
        self.order = c.hook(layout.order[5:]) if layout.order.startswith("hook:") else None
        self.target = c.getter(layout.tally_target, "line") if layout.tally_target else None
        checked = any(e.width or e.max for e in (*layout.element, *layout.line_element))
        if not checked:
            self.where: Getter | None = None
        elif layout.where == "entry":
            self.where = lambda rec, row, n: f"entry {rec.journal_id}/{rec.entry_nr}"
        else:
            self.where = c.getter(layout.where, record_scope)
        self.state = state

    def records(self, items: Iterable[Any]) -> Iterator[etree._Element]:
        """One element per record of ``items`` (entries or master rows), with its lines."""
        layout, build_record, where_of = self.layout, self.build_record, self.where
        if layout.content != "entries":
            for rec in items:
                el = etree.Element(layout.record)
                build_record(el, rec, rec, 0, where_of(rec, rec, 0) if where_of is not None else None)
                yield el
            return
        line_tag, build_line, order, state = layout.line, self.build_line, self.order, self.state
        tally, money, target = self.tally, self.money, self.target
        for entry in items:
            el = etree.Element(layout.record)
            first = entry.rows[0]
            where = where_of(entry, first, 0) if where_of is not None else None
            rows = order(state, entry, first, 0) if order is not None else entry.rows
            container = build_record(el, entry, first, 0, where)
            if container is None:  # the lines go in the record itself
                container = el
            for n, row in enumerate(rows, start=1):
                build_line(_SubElement(container, line_tag), entry, row, n, where)
                if tally is not None:
                    tally.add(row, money[0], row.amount >= 0, target=target(entry, row, n) if target else None)
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


class LayoutFiles:
    """The files of one XML target written from its layouts into an output folder, kept by layout stem: what the
    writers of several files (King, Twinfield, Exact Online) shared as a local closure each."""

    def __init__(self, target: str, out, admin: str, state: dict, cut: Truncator, tally: Tally) -> None:
        self.target, self.out, self.admin = target, out, admin
        self.state, self.cut, self.tally = state, cut, tally
        self.written: dict[str, tuple[Path, XmlLayout]] = {}  # file name -> (path, layout)
        self._by_stem: dict[str, Path] = {}

    def write(self, stem: str, items: Iterable[Any]) -> Path | None:
        """Write the layout ``stem`` with ``items``; no file for no records."""
        layout = load_xml_layout(self.target, stem)
        name = layout.file_name(self.admin)
        path = XmlFileWriter(layout, self.state, self.cut, self.tally).write(lambda: self.out.path(name), items)
        if path is not None:
            self.written[name] = (path, layout)
            self._by_stem[stem] = path
        return path

    def path(self, stem: str) -> Path | None:
        """The file written from layout ``stem``, or None when it had no records."""
        return self._by_stem.get(stem)
