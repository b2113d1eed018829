"""Shared test fixtures: where the reference files are, and the samples of our own."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared" / "reference"
XAF_SAMPLES = SHARED / "xaf" / "samples"
XSD_DIR = SHARED / "xaf" / "xsd"


def shared_sample(name: str) -> Path:
    path = XAF_SAMPLES / name
    if not path.exists():
        pytest.fail(f"reference sample missing: {path} (../shared must sit beside the checkout)")
    return path


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES
