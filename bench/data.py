"""The benchmarks' data: a deterministic catalogue (common/catalogue_gen.py: realistic names, SKUs and valid
EAN-13 barcodes) as the server holds it, and a local cache filled with it as a first full pull fills it."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from common.catalogue_gen import generate_products
from offline_cache import product_view, pull
from offline_cache.store import Store
from offline_cache.transport import Change

SEED = 9
PAGE = 5000  # the engine's pull page (offline_cache.engine.PULL_LIMIT)
FULL_SIZE, QUICK_SIZE = 100_000, 20_000


def size_suffix(count: int) -> str:
    """No suffix at the full size; `_20k` and the like below it (the issue's naming for the quick set)."""
    return "" if count == FULL_SIZE else f"_{count // 1000}k"


def catalogue(count: int) -> list[dict[str, Any]]:
    """`count` products as the change feed carries them: the generated rows with a version and an update time."""
    return [
        {key: value for key, value in product.items() if key not in ("on_hand", "reorder_point")}
        | {"version": 1, "updated_at": "2026-12-01T08:00:00.000000Z"}
        for product in generate_products(count, seed=SEED, kind="mixed", shop_code="BN")
    ]


def cached_store(path: Path, products: list[dict[str, Any]], terminal_id: str = "BENCH1") -> Store:
    """A cache at `path` holding `products` as after a first full pull: pages of changes, then the indexes built
    once (the product screens' figures reuse this to open a 100k catalogue)."""
    store = Store.open(path, terminal_id=terminal_id)
    changes = [Change(str(n), "product", p["id"], p) for n, p in enumerate(products, start=1)]
    for first in range(0, len(changes), PAGE):
        with store.transaction() as conn:
            pull.apply_page(conn, changes[first : first + PAGE])
    with store.transaction() as conn:
        product_view.complete_initial_load(conn)
    return store


def typed_searches(products: list[dict[str, Any]], count: int, rng: random.Random) -> list[str]:
    """What a cashier types, keystroke by keystroke: every prefix of one or two words of a product's name."""
    typed: list[str] = []
    while len(typed) < count:
        words = rng.choice(products)["name"].split()
        start = rng.randrange(len(words))
        text = " ".join(words[start : start + rng.choice((1, 2))])
        typed += [text[:n] for n in range(1, len(text) + 1)]
    return typed[:count]
