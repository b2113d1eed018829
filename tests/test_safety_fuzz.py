"""Short bounded fuzzing of every reader, zipped input, `check` and job files (hypothesis): mutated sample bytes
give a KoppelError or a result, never another exception. Longer runs: bench/fuzz.py."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_targets import PACKAGES, PROFILE_SEEDS, Target, scratch_dir, targets

NAMES = ["xaf", "zip", "check", "jobfile", *(f"profile:{p}" for p in PROFILE_SEEDS), *PACKAGES]
OPS = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 1 << 30), st.integers(0, 255)), min_size=1, max_size=4
)


@pytest.fixture(scope="module")
def fuzz_targets():
    scratch = scratch_dir()
    yield targets(scratch), scratch
    shutil.rmtree(scratch, ignore_errors=True)


def test_every_reader_has_a_target(fuzz_targets) -> None:
    found, _ = fuzz_targets
    assert sorted(found) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_reader_survives_mutated_input(fuzz_targets, name: str) -> None:
    found, scratch = fuzz_targets
    target: Target = found[name]
    target.one(0, [], scratch / "intact")  # the seed itself reads

    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(seed=st.integers(0, 100), ops=OPS)
    def fuzz(seed: int, ops: list[tuple[int, int, int]]) -> None:
        target.one(seed, ops, scratch / "work")

    fuzz()
