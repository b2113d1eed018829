"""XML layouts (``schemas/<format>/<file>.toml``): every malformed layout is refused naming its file and key, and
every layout of the registry loads, compiles and writes its elements in the order the layout lists them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from koppel.errors import KoppelError
from koppel.format_folders import descriptor
from koppel.layouts.xml_layout import load_xml_layout
from koppel.layouts.xml_writer import XmlFileWriter
from koppel.pipeline import convert
from koppel.resources import schema_dir
from tests.conftest import SAMPLES, SHARED

GOOD = """
[file]
id = "X"
name = "{admin}_x.xml"
content = "entries"
title = "x"
evidence = "A"
root = "Root"
record = "Entry"
line = "Line"

[[element]]
path = "Journal/@code"
source = "journal_id"
required = true

[[line_element]]
path = "Amount/Debit|Credit"
source = "amount"
type = "cents"
required = true
"""

BAD = {  # what is changed in GOOD -> the key the error names
    "no [file]": (("[file]", "[nofile]"), "file"),
    "unknown file key": (('root = "Root"', 'root = "Root"\nrooot = 1'), "file"),
    "missing record": (('record = "Entry"', ""), "file.record"),
    "unknown content": (('content = "entries"', 'content = "invoices"'), "file.content"),
    "file evidence": (('evidence = "A"\nroot', 'evidence = "B"\nroot'), "file.evidence"),
    "breaks": (('root = "Root"', 'root = "Root"\nbreaks = "some"'), "file.breaks"),
    "format of a code": (('source = "journal_id"', 'source = "journal_id"\nformat = "%Y"'),
                         "element[0] (Journal/@code).format"),
    "head not an array": (("[file]", "head = 3\n[file]"), "head"),
    "head item not a table": (("[file]", "head = [1]\n[file]"), "head[0]"),
    "one tree of entries": (('root = "Root"', 'root = "Root"\nbreaks = "tree"'), "file.breaks"),
    "head outside the wrapper": (("[[element]]", '[[head]]\npath = "A/B"\nsource = "=x"\n\n[[element]]'),
                                 "head[0] (A/B)"),
    "entries without line": (('line = "Line"', ""), "file.line"),
    "master with lines": (('content = "entries"', 'content = "accounts"'), "file.line"),
    "unknown table": (("[[element]]", "[[elements]]"), "elements"),
    "unknown element key": (('source = "journal_id"', 'source = "journal_id"\nsorce = "x"'), "element[0]"),
    "empty path step": (('path = "Journal/@code"', 'path = "Journal//@code"'), "element[0].path"),
    "attribute in the middle": (('path = "Journal/@code"', 'path = "@code/Journal"'),
                                "element[0] (@code/Journal).path"),
    "unknown type": (('source = "journal_id"', 'source = "journal_id"\ntype = "money"'),
                     "element[0] (Journal/@code).type"),
    "element evidence": (('source = "journal_id"', 'source = "journal_id"\nevidence = "X"'),
                         "element[0] (Journal/@code).evidence"),
    "width": (('source = "journal_id"', 'source = "journal_id"\nwidth = 0'), "element[0] (Journal/@code).width"),
    "max on text": (('source = "journal_id"', 'source = "journal_id"\nmax = 5'), "element[0] (Journal/@code).max"),
    "choice on text": (('path = "Journal/@code"', 'path = "A|B"'), "element[0] (A|B).path"),
    "sign of one text": (('source = "journal_id"', 'source = "journal_id"\nsign = ["D"]'),
                         "element[0] (Journal/@code).sign"),
    "map not a table": (('source = "journal_id"', 'source = "journal_id"\nmap = "x"'),
                        "element[0] (Journal/@code).map"),
    "required attribute without source": (('source = "journal_id"', 'source = ""'),
                                          "element[0] (Journal/@code).source"),
    "hook without module": (('source = "journal_id"', 'source = "hook:code"'), "file.hooks"),
    "money twice": (('[[line_element]]', '[[line_element]]\npath = "Other"\nsource = "amount"\ntype = "cents"\n'
                     '[[line_element]]'), "line_element"),
    "no money": (('source = "amount"', 'source = "account_id"'), "line_element"),
}


def _write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "fmt"
    folder.mkdir(exist_ok=True)
    (folder / "x.toml").write_text(text, encoding="utf-8")
    return folder


def test_the_good_layout_loads(tmp_path):
    _write(tmp_path, GOOD)
    layout = load_xml_layout.__wrapped__("fmt", "x", tmp_path)
    assert [e.path for _, e in layout.elements()] == ["Journal/@code", "Amount/Debit|Credit"]


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_malformed_layout_names_its_file_and_key(case, tmp_path):
    (old, new), key = BAD[case]
    assert old in GOOD
    _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(KoppelError) as err:
        load_xml_layout.__wrapped__("fmt", "x", tmp_path)
    assert Path(err.value.file) == tmp_path / "fmt" / "x.toml"
    assert err.value.field == key
    assert "fmt/x.toml" in err.value.message


def test_a_master_layout_with_widths_says_how_errors_name_a_record(tmp_path):
    text = GOOD[: GOOD.index("[[line_element]]")].replace('content = "entries"', 'content = "accounts"')
    _write(tmp_path, text.replace('line = "Line"\n', "") + "width = 3\n")
    with pytest.raises(KoppelError, match="say which source names a record") as err:
        load_xml_layout.__wrapped__("fmt", "x", tmp_path)
    assert err.value.field == "file.where"
    _write(tmp_path, text.replace('line = "Line"\n', 'where = "account_id"\n') + "width = 3\n")
    assert load_xml_layout.__wrapped__("fmt", "x", tmp_path).where == "account_id"


def test_a_layout_without_elements_is_refused(tmp_path):
    _write(tmp_path, GOOD[: GOOD.index("[[element]]")].replace('content = "entries"', 'content = "accounts"')
           .replace('line = "Line"\n', ""))  # fmt: skip
    with pytest.raises(KoppelError, match="no elements") as err:
        load_xml_layout.__wrapped__("fmt", "x", tmp_path)
    assert err.value.field == "element"


def test_a_container_left_and_reopened_is_refused(tmp_path):
    text = GOOD.replace("[[line_element]]", '[[element]]\npath = "Other"\n[[element]]\npath = "Journal/Name"\n'
                        'source = "journal_id"\n\n[[line_element]]', 1)  # fmt: skip
    _write(tmp_path, text)
    with pytest.raises(KoppelError, match="Journal was left before") as err:
        load_xml_layout.__wrapped__("fmt", "x", tmp_path)
    assert err.value.field == "element[2] (Journal/Name)"


def test_like_takes_the_elements_of_its_neighbour_and_refuses_its_own(tmp_path):
    folder = _write(tmp_path, GOOD)
    other = GOOD[: GOOD.index("[[element]]")].replace('id = "X"', 'id = "Y"') + 'like = "x"\n'
    (folder / "y.toml").write_text(other, encoding="utf-8")
    assert load_xml_layout.__wrapped__("fmt", "y", tmp_path).element == load_xml_layout.__wrapped__(
        "fmt", "x", tmp_path).element  # fmt: skip
    (folder / "y.toml").write_text(other.replace('like = "x"', 'like = "z"'), encoding="utf-8")
    with pytest.raises(KoppelError, match=r"no readable layout z\.toml") as err:
        load_xml_layout.__wrapped__("fmt", "y", tmp_path)
    assert err.value.field == "file.like"
    (folder / "y.toml").write_text(GOOD.replace('line = "Line"', 'line = "Line"\nlike = "x"'), encoding="utf-8")
    with pytest.raises(KoppelError, match="lists no elements of its own"):
        load_xml_layout.__wrapped__("fmt", "y", tmp_path)


def test_a_source_that_is_no_field_is_an_error_naming_the_layout(tmp_path):
    _write(tmp_path, GOOD.replace('source = "journal_id"', 'source = "journal"'))
    layout = load_xml_layout.__wrapped__("fmt", "x", tmp_path)
    with pytest.raises(KoppelError, match="'journal' is not a field of a line") as err:
        XmlFileWriter(layout, {})
    assert err.value.field == "journal" and Path(err.value.file) == tmp_path / "fmt" / "x.toml"


def test_invalid_toml_and_a_missing_layout_name_the_file(tmp_path):
    _write(tmp_path, GOOD + "\n[[element]\n")
    with pytest.raises(KoppelError, match="not valid TOML") as err:
        load_xml_layout.__wrapped__("fmt", "x", tmp_path)
    assert Path(err.value.file).name == "x.toml"
    with pytest.raises(KoppelError, match=r"no XML layout fmt/y\.toml"):
        load_xml_layout.__wrapped__("fmt", "y", tmp_path)


def test_a_hook_the_module_lacks_is_an_error_naming_the_layout(tmp_path):
    _write(tmp_path, GOOD.replace('source = "journal_id"', 'source = "hook:no_such_hook"').replace(
        'line = "Line"', 'line = "Line"\nhooks = "koppel.formats.afas"'))  # fmt: skip
    layout = load_xml_layout.__wrapped__("fmt", "x", tmp_path)
    with pytest.raises(KoppelError, match=r"hook 'no_such_hook' is not a function of koppel\.formats\.afas") as err:
        XmlFileWriter(layout, {"job": None})
    assert err.value.field == "no_such_hook" and Path(err.value.file) == tmp_path / "fmt" / "x.toml"


def test_a_descriptor_with_layouts_has_no_fields_prose(tmp_path):
    from koppel.format_folders import read_descriptor

    folder = _write(tmp_path, GOOD)
    spec = folder / "format.toml"
    spec.write_text('xml_layouts = ["x"]\n', encoding="utf-8")
    names = [f["name"] for f in read_descriptor(spec)["fields"]]
    assert names == ["Entry/Journal/@code", "Entry/Line/Amount/Debit|Credit"]
    spec.write_text('xml_layouts = ["x"]\n[[fields]]\nname = "x"\nevidence = "A"\n', encoding="utf-8")
    with pytest.raises(KoppelError, match=r"has no \[\[fields\]\]"):
        read_descriptor(spec)


# -- the registry's layouts -----------------------------------------------------------------------------------

LAYOUTS = sorted(
    (home.name, stem)
    for home in schema_dir().iterdir()
    for spec in (home / "format.toml", home / "xml.toml")
    if spec.is_file()
    for stem in descriptor(f"{home.name}/xml" if spec.name == "xml.toml" else home.name).get("xml_layouts", [])
)
# the target, the options and the file of each layout's format that a sample conversion writes
PACKAGES = SHARED / "packages"
CONVERT = {
    "afas": ("afas", {}),
    "exact-globe": ("exact-globe", {"globe_files": "xml", "schema_dir": str(PACKAGES / "exact-globe")}),
    "king": ("king", {"schema_dir": str(PACKAGES / "king"), "entry_numbers": "renumber"}),
    "twinfield": ("twinfield", {"office": "NL001"}),
    "exact-online": ("exact-online", {"schema_dir": str(PACKAGES / "exact-online")}),
}


def test_the_xml_targets_have_layouts():
    assert {folder for folder, _ in LAYOUTS} >= set(CONVERT)


def _expected(elements) -> list[re.Pattern]:
    """The element paths a record holds, in document order: every element's containers, then itself."""
    out: list[str] = []
    for e in elements:
        steps = e.steps[:-1] if e.is_attribute else e.steps
        for i in range(1, len(steps) + 1):
            path = "/".join(f"({s})" if "|" in s else re.escape(s) for s in steps[:i])
            if path not in out:
                out.append(path)
    return [re.compile(f"^{p}$") for p in out]


def _check_order(rec: etree._Element, elements, skip: set[etree._Element], then: str = "") -> None:
    """``then``: the path of the lines' container, which comes after the record's own elements."""
    steps = then.split("/") if then else []
    expected = _expected(elements) + [re.compile("^" + re.escape("/".join(steps[:i])) + "$")
                                      for i in range(1, len(steps) + 1)]  # fmt: skip
    at = 0
    for el in rec.iterdescendants():
        if any(el is s or s in el.iterancestors() for s in skip):
            continue
        steps, node = [], el
        while node is not rec:
            steps.append(node.tag)
            node = node.getparent()
        path = "/".join(reversed(steps))
        found = next((i for i in range(at, len(expected)) if expected[i].match(path)), None)
        assert found is not None, f"<{path}> is not in the layout after {expected[at - 1].pattern if at else 'start'}"
        at = found + 1


@pytest.mark.parametrize(("folder", "stem"), LAYOUTS)
def test_every_layout_compiles_and_its_written_elements_keep_its_order(folder, stem, tmp_path):
    """What the writer wrote for the sample, element by element in document order, follows the layout's list
    (an optional element may be absent, none comes before one listed ahead of it)."""
    layout = load_xml_layout(folder, stem)
    target, options = CONVERT[folder]
    result = convert(SAMPLES / "voorbeeld_xaf32.xaf", target, tmp_path / "out", options=options)
    assert result.equal
    root = etree.parse(str(tmp_path / "out" / layout.file_name("VB001"))).getroot()
    records = root.findall(f"{layout.wrapper}/{layout.record}" if layout.wrapper else layout.record)
    assert records
    for rec in records[:40]:
        container = (rec.find(layout.lines) if layout.lines else rec) if layout.line else None
        lines = container.findall(layout.line) if container is not None else []
        _check_order(rec, layout.element, set(lines), layout.lines)
        for line in lines:
            _check_order(line, layout.line_element, set())
