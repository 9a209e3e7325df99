"""Test helpers for offline_cache: a clock a test moves by hand, seeded catalogues, and loading them the way
the initial pull does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from common.catalogue_gen import generate_products
from offline_cache import product_view
from offline_cache.store import Store

START = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


class FakeClock:
    def __init__(self, start: dt.datetime = START) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def catalogue(count: int, seed: int = 7, kind: str = "mixed") -> list[dict[str, Any]]:
    """Server products: the generator's rows with a version and an update time."""
    return [
        {key: value for key, value in product.items() if key not in ("on_hand", "reorder_point")}
        | {"version": 1, "updated_at": "2026-03-01T08:00:00.000000Z"}
        for product in generate_products(count, seed=seed, kind=kind, shop_code="OC")  # type: ignore[arg-type]
    ]


def load(store: Store, products: list[dict[str, Any]], page: int = 1000) -> None:
    """Fill the cache as a first full pull does: pages of server rows, then the search index built once."""
    for start in range(0, len(products), page):
        with store.transaction() as conn:
            product_view.apply_server_products(conn, products[start : start + page])
    with store.transaction() as conn:
        product_view.complete_initial_load(conn)
