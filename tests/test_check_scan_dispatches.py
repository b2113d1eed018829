"""The content scanner only dispatches: every finding it can report comes from a rule function named for its code."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import koppel.checks as checks

FAMILIES = ["rules_unique", "rules_refs", "rules_dates", "rules_values", "rules_codes", "rules_balance"]


def _added_codes(tree: ast.AST) -> list[str]:
    """The XAF codes passed as a literal to ``….add(...)`` in a module."""
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "add"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and str(node.args[0].value).startswith("XAF-")
    ]


def test_the_scanner_reports_nothing_itself() -> None:
    tree = ast.parse((Path(checks.__file__).parent / "scan.py").read_text(encoding="utf-8"))
    assert _added_codes(tree) == []


@pytest.mark.parametrize("family", FAMILIES)
def test_each_rule_reports_the_code_its_name_says(family: str) -> None:
    module = importlib.import_module(f"koppel.checks.{family}")
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    rules = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("rule_")]
    assert rules
    for rule in rules:
        named = re.match(r"rule_([a-z]\d\d)_", rule.name)
        assert named, rule.name
        codes = set(_added_codes(rule)) or {
            code  # a rule that reports through a helper passes its code to it
            for node in ast.walk(rule)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            for code in re.findall(r"XAF-[A-Z]\d\d", node.value)
        }
        assert codes == {f"XAF-{named.group(1).upper()}"}, rule.name


def test_the_codes_of_one_line_are_reported_in_file_order(tmp_path: Path) -> None:
    """Several unknown codes on one trLine: their places in the order written (the scanner used to take them in
    the order of a set of tag names, which changed with Python's hash seed, so the first place could too)."""
    from koppel.checks import check_file
    from tests.conftest import SAMPLES

    text = (SAMPLES / "voorbeeld_xaf32.xaf").read_text(encoding="utf-8")
    codes = "<qntityID>Q</qntityID><projID>P</projID><artGrpID>A</artGrpID><costID>C</costID><prodID>R</prodID>"
    text = text.replace("<amntTp>D</amntTp></trLine>", f"<amntTp>D</amntTp>{codes}</trLine>", 1)
    path = tmp_path / "codes.xaf"
    path.write_text(text, encoding="utf-8")
    k09 = next(f for f in check_file(path, xsd=False)["findings"] if f["code"] == "XAF-K09")
    assert k09["count"] == 5 and {p["line"] for p in k09["places"]} == {97}
    written = ["qntityID", "projID", "artGrpID", "costID", "prodID"]
    assert [p["path"].rsplit("/", 1)[1] for p in k09["places"]] == written
