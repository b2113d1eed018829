"""The koppel command uses jemalloc for pyarrow where the build has it; a user's own choice wins."""

from __future__ import annotations

import os

import pyarrow as pa
import pytest

from koppel.arrow_pool import POOL_VARIABLE, prefer_jemalloc


@pytest.fixture
def pool_restored(monkeypatch):
    monkeypatch.delenv(POOL_VARIABLE, raising=False)
    before = pa.default_memory_pool()
    yield
    pa.set_memory_pool(before)


def test_jemalloc_becomes_the_pool_here_and_for_child_processes(pool_restored, monkeypatch):
    try:
        pa.jemalloc_memory_pool()
    except (NotImplementedError, pa.ArrowNotImplementedError):
        pytest.skip("this pyarrow build has no jemalloc")
    assert prefer_jemalloc() == "jemalloc"
    assert pa.default_memory_pool().backend_name == "jemalloc"
    assert os.environ[POOL_VARIABLE] == "jemalloc"


def test_a_users_choice_is_left_alone(pool_restored, monkeypatch):
    monkeypatch.setenv(POOL_VARIABLE, "system")
    name = pa.default_memory_pool().backend_name
    assert prefer_jemalloc() == "system"
    assert pa.default_memory_pool().backend_name == name  # not switched by koppel


def test_a_build_without_jemalloc_keeps_its_default(pool_restored, monkeypatch):
    def missing():
        raise pa.ArrowNotImplementedError("jemalloc support is not built")

    monkeypatch.setattr(pa, "jemalloc_memory_pool", missing)
    name = pa.default_memory_pool().backend_name
    assert prefer_jemalloc() == name
    assert POOL_VARIABLE not in os.environ
