"""Fixtures for the fault suite, reused as they are: offline_cache's (a store on a hand-moved clock, a seeded
catalogue), and tests/backend's shop-api fixtures (moto's test pool, both databases) for a shop-api of the test's
own to kill; the suite-wide `stack` (tests/conftest.py) is the demo stack the sync engine tests run against."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "security"))

from fixture_reuse import BACKEND_FIXTURES, fixtures_of, on_path

on_path("offline_cache", "backend")
globals().update(fixtures_of("offline_cache", ["clock", "store", "products", "stocked"]))
globals().update(fixtures_of("backend", BACKEND_FIXTURES))
