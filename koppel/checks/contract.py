"""The facts check shares with inspect, in inspect's shape: ``software`` {name, version}, ``company`` {name, …}.

``check --json`` had ``software`` as a string and the company only at ``header.company_name``, where
``inspect --json`` has ``software.name`` and ``company.name``; a program reading both needed two paths for one
fact. The check engine's own dict (``header`` included) is unchanged; this is what koppel writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def shared_shape(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` with ``software`` and ``company`` as inspect --json has them (``header`` kept as it is)."""
    header = result.get("header") if isinstance(result.get("header"), Mapping) else {}
    software = result.get("software")
    if isinstance(software, Mapping):
        return dict(result)
    return {
        **result,
        "software": {"name": header.get("software") or software, "version": header.get("software_version")},
        "company": {"name": header.get("company_name"), "id": header.get("company_id"), "kvk": header.get("kvk"),
                    "vat_number": header.get("vat_number")},
    }  # fmt: skip

