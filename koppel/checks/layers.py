"""Findings of layers that run after the file's own check (RGS release, previous year), merged into its result."""

from __future__ import annotations

from .findings import SEVERITY_RANK, Collector
from .result import summary, verdict


def merge_findings(result: dict, out: Collector) -> dict:
    """Add ``out``'s finding groups to a check result; summary and verdict follow (an unusable file stays so)."""
    findings = [*result["findings"], *out.findings()]
    findings.sort(key=lambda f: (-SEVERITY_RANK[f["severity"]], f["code"]))
    result["findings"] = findings
    result["summary"] = summary(findings)
    if result.get("verdict") != "unusable":
        result["verdict"] = verdict(findings)
    return result
