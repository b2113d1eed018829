"""Every kind of code a target limits can be mapped, and ``koppel mapping init`` lists each with the limits."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from koppel.cli import cli
from koppel.errors import KoppelError
from koppel.mapping import CODE_SECTIONS, Mapping
from koppel.mapping_init import starter_mapping, target_limits
from koppel.pipeline import convert
from koppel.xaf import read_xaf
from tests.shapes.xaf40 import official_shaped_xaf40


def test_accountview_cost_unit_of_the_official_shaped_file(tmp_path: Path) -> None:
    """prod001 is longer than AccountView's 5-character cost unit: mapping init proposes a code that fits,
    and the file converts with the starter mapping as written."""
    src = official_shaped_xaf40(tmp_path / "o.xaf")
    limits = target_limits("accountview")
    assert limits["cost_units"]["width"] == 5 and limits["cost_centers"]["width"] == 10
    mapping = tmp_path / "m.toml"
    out = CliRunner().invoke(cli, ["mapping", "init", str(src), "--to", "accountview", "-o", str(mapping)])
    assert out.exit_code == 0, out.output
    text = mapping.read_text(encoding="utf-8")
    assert "[cost_units]\n# kostendragers / producten (bron -> doel); accountview: at most 5 characters" in text
    data = tomllib.loads(text)
    assert len(data["cost_units"]["prod001"]) <= 5 and data["cost_centers"] == {"KP01": "KP01"}
    assert data["projects"] == {"PRJ01": "PRJ01"}
    with pytest.raises(KoppelError, match=r"longer than (5|10) characters"):
        convert(src, "accountview", tmp_path / "refused", options={"strict": True})  # without the mapping
    result = convert(src, "accountview", tmp_path / "av", mapping=mapping)
    assert result.equal
    assert result.control["mappings_applied"]["mapped"]["cost_units"] == {"prod001": data["cost_units"]["prod001"]}
    booked = (tmp_path / "av" / "Proefbedrijf_B_V_accountview_boekingen.csv").read_text(encoding="cp1252")
    assert data["cost_units"]["prod001"] in booked and "prod001" not in booked


@pytest.mark.parametrize(("section", "column"), [("cost_centers", "cost_center"), ("cost_units", "cost_unit"),
                                                 ("projects", "project")])  # fmt: skip
def test_line_codes_are_mapped_and_reported(tmp_path: Path, section: str, column: str) -> None:
    src = official_shaped_xaf40(tmp_path / "o.xaf")
    code = {"cost_center": "KP01", "cost_unit": "prod001", "project": "PRJ01"}[column]
    mapping = tmp_path / "m.toml"
    mapping.write_text(f'[{section}]\n"{code}" = "NEW"\n', encoding="utf-8")
    convert(src, "xaf40", tmp_path / "out.xaf", mapping=mapping)
    lines = read_xaf(tmp_path / "out.xaf").lines.frame()
    assert set(lines[column].dropna()) == {"NEW"}
    strict = tmp_path / "strict.toml"  # every code listed but this one: --strict-mapping names it
    full = starter_mapping(read_xaf(src), "xaf40")
    strict.write_text(full.replace(f'"{code}" = "{code}"', ""), encoding="utf-8")
    with pytest.raises(KoppelError, match=rf"not in the mapping.*\[{section}\]"):
        convert(src, "xaf40", tmp_path / "s.xaf", mapping=Mapping.load(strict, strict=True))


def test_every_code_section_is_listed_by_mapping_init(tmp_path: Path) -> None:
    adm = read_xaf(official_shaped_xaf40(tmp_path / "o.xaf"))
    text = starter_mapping(adm, "xaf32")
    for section in CODE_SECTIONS:
        assert f"\n[{section}]\n" in text, section
    assert "xaf32: at most 35 characters (columns: xaf32/format.toml [limits])" in text
    assert set(tomllib.loads(text)) >= {*CODE_SECTIONS, "account_kinds", "conversion_accounts", "defaults"}
