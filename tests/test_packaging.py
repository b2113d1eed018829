"""The build lists every subpackage and maps the data folders into the package (pyproject.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_subpackage_is_listed() -> None:
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "koppel").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    listed = set(_setuptools()["packages"])
    assert on_disk - listed == set(), "add the new subpackage to [tool.setuptools] packages"
    assert listed - on_disk == {"koppel.schemas", "koppel.templates"}


def test_data_folders_are_mapped_into_the_package() -> None:
    assert _setuptools()["package-dir"] == {"koppel.schemas": "schemas", "koppel.templates": "templates"}


def test_resources_resolve_to_the_data_folders() -> None:
    from koppel.resources import schema_dir, template_dir

    assert (schema_dir() / "minox" / "target.toml").is_file()
    assert (template_dir() / "report.html.j2").is_file()
