"""The build lists every subpackage and maps the data folders into the package (pyproject.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _importable_folders(folder: Path, name: str) -> set[str]:
    """``name`` and the dotted names of the folders below ``folder`` that hold files and that Python could
    import (code or data only): setuptools warns that it would ignore such a folder when it is not listed."""
    found = set()
    for sub in (folder, *folder.rglob("*")):
        parts = sub.relative_to(folder).parts
        if not sub.is_dir() or "__pycache__" in parts or not all(p.isidentifier() for p in parts):
            continue
        if any(f.is_file() for f in sub.iterdir()):
            found.add(".".join((name, *parts)))
    return found


def test_every_subpackage_is_listed() -> None:
    """Code and data folders alike: a folder with a name like a package holds files the wheel needs."""
    on_disk = (
        _importable_folders(ROOT / "koppel", "koppel")
        | _importable_folders(ROOT / "schemas", "koppel.schemas")
        | _importable_folders(ROOT / "templates", "koppel.templates")
    )
    listed = set(_setuptools()["packages"])
    assert on_disk - listed == set(), "add the new folder to [tool.setuptools] packages in pyproject.toml"
    assert listed - on_disk == set(), "remove the folder that is gone from [tool.setuptools] packages"


def test_data_folders_are_mapped_into_the_package() -> None:
    assert _setuptools()["package-dir"] == {"koppel.schemas": "schemas", "koppel.templates": "templates"}


def test_resources_resolve_to_the_data_folders() -> None:
    from koppel.resources import schema_dir, template_dir

    assert (schema_dir() / "minox" / "target.toml").is_file()
    assert (template_dir() / "report.html.j2").is_file()
