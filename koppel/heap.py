"""Handing the C heap's free pages back to the system between the phases of a long computation.

glibc's malloc keeps what is freed inside its heap for reuse: after a phase that made and dropped many
temporaries (per-batch columns, sort keys, the matching's Python values), the holes stay resident while the next
phase's long-lived arrays are placed elsewhere. ``malloc_trim(0)`` returns every whole free page, also those in
the middle of the heap, in a few milliseconds. Other C libraries (musl, macOS, Windows) have no such call: there
:func:`give_back` does nothing.
"""

from __future__ import annotations

import ctypes
import functools


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim  # the process's own C library: glibc has it, musl and macOS not
    except (OSError, AttributeError, TypeError):  # Windows: no handle of the process's own symbols (TypeError)
        return None


def give_back() -> None:
    """Return the C heap's free pages to the system, where the C library can (glibc)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
