"""Fixtures for offline_cache tests: a store per test in its own temporary directory on a hand-moved clock. The
sync tests use the suite's `stack` fixture (tests/conftest.py): real shop-api and moto's Cognito."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from offline_support import FakeClock, catalogue, load

from offline_cache.store import Store


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    with Store.open(tmp_path / "cache.db", terminal_id="T1", clock=clock) as opened:
        yield opened


@pytest.fixture(scope="session")
def products() -> list[dict[str, Any]]:
    return catalogue(300)


@pytest.fixture
def stocked(store: Store, products: list[dict[str, Any]]) -> Store:
    """A store with 300 products loaded as by an initial pull."""
    load(store, products)
    return store
