"""The products list service over the whole cache: keyset pages, "N of M", search, filters, sorts, the end."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from counter_support import FakeClock, catalogue, filled_store

from console.counter.catalogue_view import CatalogueQuery, CatalogueView
from offline_cache.store import Store


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """100,000 generated products, loaded as an initial pull loads them (once for the module)."""
    path = tmp_path_factory.mktemp("big") / "cache.db"
    with filled_store(path, catalogue(100_000), FakeClock(), {}) as store:
        yield store


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Store]:
    products = catalogue(120)
    for n, product in enumerate(products):
        product["active"] = n != 3  # one inactive product
    with filled_store(tmp_path / "cache.db", products, FakeClock(), {}) as store:
        yield store


def names(view: CatalogueView) -> list[str]:
    assert view.window is not None
    return [p.name for p in view.window.items]


def test_opening_and_jumping_to_the_end_of_100k_stay_keyset_and_fast(big: Store) -> None:
    statements: list[str] = []
    big.conn.set_trace_callback(statements.append)
    view = CatalogueView()
    view.query = CatalogueQuery(active=None)  # every product, inactive ones too
    started = time.perf_counter()
    first = view.first(big)
    opened = time.perf_counter() - started
    started = time.perf_counter()
    last = view.last(big)
    jumped = time.perf_counter() - started
    big.conn.set_trace_callback(None)
    assert first.position() == "1-50 of 100,000" and first.catalogue_size == 100_000
    assert last.position() == "99,951-100,000 of 100,000"
    assert not last.has_after and last.has_before
    assert not any("OFFSET" in s.upper() for s in statements)  # keyset pages, never an offset scan
    assert all("LIMIT" in s for s in statements if "SELECT p.id" in s)  # never every row
    # Loose bounds only (a loaded CI machine); the real figures come from bench/.
    assert opened < 2.0 and jumped < 2.0


def test_paging_forward_and_back_counts_positions(big: Store) -> None:
    view = CatalogueView(page_size=40)
    view.query = CatalogueQuery(active=None)
    first = names_after(view, view.first(big))
    second = view.next(big)
    assert second.position() == "41-80 of 100,000"
    third = view.next(big)
    assert third.position() == "81-120 of 100,000"
    back = view.previous(big)
    assert back.position() == "41-80 of 100,000" and back.items == second.items
    top = view.previous(big)
    assert top.position() == "1-40 of 100,000" and [p.name for p in top.items] == first
    assert first == sorted(first)


def names_after(view: CatalogueView, window: Any) -> list[str]:
    return [p.name for p in window.items]


def test_search_as_you_type_narrows_and_counts(big: Store) -> None:
    view = CatalogueView()
    sample = view.first(big).items[10].name.split()[0]
    found = view.set_query(big, text=sample[:3])
    narrower = view.set_query(big, text=sample)
    assert 0 < narrower.total <= found.total < 100_000
    assert all(sample.lower() in f"{p.name} {p.sku} {p.category}".lower() for p in narrower.items)
    nothing = view.set_query(big, text="zzzqqq")
    assert nothing.position() == "No products match"
    pasted = view.set_query(big, text=f"{sample}\t\x07")  # a paste with control characters is cleaned
    assert view.query.text == sample and pasted.total == narrower.total


def test_sorts_and_filters(small: Store) -> None:
    view = CatalogueView(page_size=200)
    by_price = view.set_query(small, sort="price").items
    assert [p.price for p in by_price] == sorted(p.price for p in by_price)
    by_sku_desc = view.set_query(small, sort="sku", descending=True).items
    assert [p.sku for p in by_sku_desc] == sorted((p.sku for p in by_sku_desc), reverse=True)
    category = small.catalogue.categories()[0]
    in_category = view.set_query(small, category=category)
    assert in_category.items and all(p.category == category for p in in_category.items)
    view.set_query(small, category=None)
    assert view.set_query(small, active=None).total == 120
    assert view.set_query(small, active=True).total == 119
    inactive = view.set_query(small, active=False)
    assert inactive.total == 1 and not inactive.items[0].active
    assert "inactive" in view.query.describe()


def test_reload_keeps_the_page_and_shows_an_edit(small: Store) -> None:
    view = CatalogueView(page_size=10)
    view.first(small)
    page = view.next(small)
    product = page.items[0]
    small.writes.update_product(product.id, {"price": product.price + 100})
    again = view.reload(small)
    assert again.position() == "11-20 of 119"
    assert again.items[0].id == product.id and again.items[0].price == product.price + 100
    assert again.items[0].local_changes
