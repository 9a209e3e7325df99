"""Stores for the counter services' tests: a fresh cache filled as an initial pull fills it (products and stock),
reusing the offline cache tests' generator and loader."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from offline_cache import stock
from offline_cache.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "offline_cache"))
from offline_support import FakeClock, catalogue, load

__all__ = ["FakeClock", "catalogue", "filled_store"]


def filled_store(path: Path, products: list[dict[str, Any]], clock: FakeClock, levels: dict[str, int]) -> Store:
    """A store with `products`, and stock at "store" for the given product ids (on hand; reorder point 5)."""
    store = Store.open(path, terminal_id="T1", clock=clock)
    load(store, products)
    with store.transaction() as conn:
        stock.apply_server_stock(
            conn,
            [{"product_id": pid, "location": "store", "on_hand": n, "reorder_point": 5} for pid, n in levels.items()],
        )
    return store
