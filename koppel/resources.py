"""Where koppel's own data lives at run time: layout descriptors and templates, inside the installed package.

The repository keeps them as top-level folders (``schemas/``, ``templates/``, the design's layout); the build maps
them to the subpackages ``koppel.schemas`` and ``koppel.templates`` (``pyproject.toml``, ``package-dir``), so a
wheel and an editable install find them the same way, through :mod:`importlib.resources`, from any folder.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


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
