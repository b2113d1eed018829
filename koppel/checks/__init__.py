"""``koppel check``: is an auditfile complete and consistent? Every rule of formats.md §2.8, with places.

The checker itself is :mod:`.file_check` (:func:`check_file`, :func:`begin_check`). This package's own import
loads nothing else, so the streaming XSD validation can run in a lean process of its own (:mod:`.xsd`) that does
not load pandas and pyarrow for a module it never uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .file_check import CheckRun, begin_check, check_file

__all__ = ["CheckRun", "begin_check", "check_file"]


def __getattr__(name: str):
    if name in __all__:
        from . import file_check

        return getattr(file_check, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
