"""The formats a test runs over, learnt from the registry (the folders under ``schemas/``) and filtered by what
their specs say, so that no test lists format names and a new folder is tested without editing a test.

A format's own expectations (a pattern its output must show) sit in the ``[tests]`` table of its spec.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path

from koppel.registry import FormatInfo, all_formats, get_format


def formats(keep: Callable[[FormatInfo], bool] = lambda f: True) -> list[str]:
    """The names of koppel's formats (not the test doubles some tests register) that ``keep`` keeps."""
    return sorted(f.name for f in all_formats() if f.home is not None and keep(f))


def writes_entries(f: FormatInfo) -> bool:
    return f.writes and "w" in f.carries.get("entries", "")


def fills_a_template(f: FormatInfo) -> bool:
    """A writer that fills the user's exported template (it cannot run without one)."""
    return "template" in {o.name for o in f.write_options or ()}


def accepted(name: str, options: dict) -> dict:
    """The subset of ``options`` the writer of ``name`` declares (e.g. an office code only where it has one)."""
    declared = {o.name for o in get_format(name).write_options or ()}
    return {k: v for k, v in options.items() if k in declared}


@cache
def spec_tests(name: str) -> dict:
    """The ``[tests]`` table of the format's spec: what its own output is checked for."""
    home = get_format(name).home
    assert home is not None, name
    spec = home / "target.toml" if (home / "target.toml").is_file() else home / "format.toml"
    return tomllib.loads(spec.read_text(encoding="utf-8")).get("tests", {})


def example_options(name: str, folder: Path) -> dict:
    """The options a test conversion to ``name`` needs, from its spec's ``[tests]`` table: ``options``, and for a
    target that fills an exported header, ``template_header`` written into ``folder``."""
    stated = spec_tests(name)
    options = dict(stated.get("options", {}))
    if "template_header" in stated:
        header = folder / f"{name}.header.csv"
        header.write_text(stated["template_header"] + "\r\n", encoding="utf-8")
        options["template"] = str(header)
    return options
