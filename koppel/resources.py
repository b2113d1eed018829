"""Where koppel's own data lives at run time: layout descriptors and templates, inside the installed package.

The repository keeps them as top-level folders (``schemas/``, ``templates/``, the design's layout); the build maps
them to the subpackages ``koppel.schemas`` and ``koppel.templates`` (``pyproject.toml``, ``package-dir``), so a
wheel and an editable install find them the same way, through :mod:`importlib.resources`, from any folder.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import KoppelError


@cache
def _package_dir(package: str) -> Path:
    root = resources.files(package)
    # Installed from a wheel or editable, the subpackage is a real folder; a zipped install is not supported.
    return Path(str(root))


def schema_dir() -> Path:
    """The folder of koppel's layout descriptors and own XSDs (``schemas/`` in the repository)."""
    return _package_dir("koppel.schemas")


def template_dir() -> Path:
    """The folder of koppel's Jinja templates and report assets (``templates/`` in the repository)."""
    return _package_dir("koppel.templates")


def read_schema_toml(path: Path, what: str) -> dict[str, Any]:
    """One TOML file of ``schemas/`` (a spec, a descriptor, a layout), or one line naming it and what is wrong."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KoppelError(f"no {what} {path.parent.name}/{path.name}", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise KoppelError(f"{what} is not valid TOML: {exc}", file=path) from None
