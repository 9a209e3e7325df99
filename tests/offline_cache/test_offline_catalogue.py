"""Lookups for the counter: exact barcode and SKU, search as you type (any text is safe), keyset pages."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from offline_support import load

from offline_cache import product_view
from offline_cache.models import PageKey
from offline_cache.search_text import prefix_query, terms
from offline_cache.store import Store


def _product(**fields: Any) -> dict[str, Any]:
    return {
        "id": fields.pop("id"),
        "sku": fields.pop("sku", "SKU-" + fields.get("name", "x")[:8]),
        "barcode": None,
        "category": "Misc",
        "price": 100,
        "tax_rate_bp": 0,
        "active": True,
        "version": 1,
        "updated_at": "2026-03-01T00:00:00Z",
    } | fields


def test_exact_barcode_and_sku(stocked: Store, products: list[dict[str, Any]]) -> None:
    wanted = products[17]
    assert stocked.catalogue.by_barcode(wanted["barcode"]).id == wanted["id"]
    assert stocked.catalogue.by_sku(wanted["sku"].lower()).id == wanted["id"]
    assert stocked.catalogue.lookup(f"  {wanted['barcode']}\n").id == wanted["id"]
    assert stocked.catalogue.lookup(wanted["sku"]).id == wanted["id"]
    assert stocked.catalogue.by_barcode("0000000000000") is None
    assert stocked.catalogue.lookup("") is None


def test_search_ranks_names_starting_with_the_text_first_then_words(store: Store) -> None:
    load(
        store,
        [
            _product(id="1", name="Milky Way Bar", sku="CAN-1"),
            _product(id="2", name="Hillside Whole Milk 1 L", sku="DAI-1"),
            _product(id="3", name="Oat Drink", sku="MILK-7"),
            _product(id="4", name="Bread", sku="BAK-1", category="Milkbar"),
            _product(id="5", name="Cheese", sku="DAI-2"),
        ],
    )
    assert [p.id for p in store.catalogue.search("milk")] == ["1", "3", "2", "4"]
    assert [p.id for p in store.catalogue.search("whole mi")] == ["2"]
    assert [p.id for p in store.catalogue.search("hill m")] == ["2"]  # a one-letter word narrows the rest


def test_search_ignores_case_and_accents(store: Store) -> None:
    load(store, [_product(id="1", name="Crème Fraîche 200 g"), _product(id="2", name="Cream")])
    assert [p.id for p in store.catalogue.search("FRAICHE")] == ["1"]
    assert [p.id for p in store.catalogue.search("creme")] == ["1"]


def test_search_leaves_out_inactive_products_unless_asked(store: Store) -> None:
    load(store, [_product(id="1", name="Old Soap", active=False), _product(id="2", name="Olive Oil")])
    assert [p.id for p in store.catalogue.search("ol")] == ["2"]
    assert {p.id for p in store.catalogue.search("ol", include_inactive=True)} == {"1", "2"}


def test_search_returns_at_most_the_limit(stocked: Store) -> None:
    assert len(stocked.catalogue.search("s", limit=7)) == 7
    assert stocked.catalogue.search("s", limit=0) == []


HOSTILE = [
    '"',
    "'",
    '""',
    "*",
    "-",
    "^",
    ":",
    "(",
    ")",
    "a OR b",
    "NOT",
    "AND",
    "NEAR(a b)",
    "a:b",
    "col:milk",
    "{x}",
    'milk"*',
    "\\",
    "%",
    "_",
    "'; DROP TABLE products; --",
    "\x00",
    "\x1b[31mred",
    "🥛 milk",
    "ﬁsh",
    "İstanbul",
    "a" * 5000,
    " ".join(["w"] * 500),
    "\u200b",
    "\ufeff",
    "🏳️‍🌈",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_search_text_never_raises(stocked: Store, text: str) -> None:
    stocked.catalogue.search(text)
    stocked.catalogue.page(text=text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(text=st.text(max_size=40))
def test_any_text_is_a_valid_fts_query(stocked: Store, text: str) -> None:
    stocked.catalogue.search(text, limit=5)
    query = prefix_query(terms(text))
    if query is not None:
        stocked.conn.execute("SELECT rowid FROM products_fts WHERE products_fts MATCH ? LIMIT 1", (query,)).fetchall()


def test_pages_walk_the_whole_catalogue_both_ways(stocked: Store, products: list[dict[str, Any]]) -> None:
    catalogue = stocked.catalogue
    forward, after = [], None
    while True:
        page = catalogue.page(sort="name", after=after, limit=40)
        assert page.total == len(products)
        forward += [p.id for p in page.items]
        if not page.has_after:
            break
        after = page.last_key
    assert forward == [p["id"] for p in sorted(products, key=lambda p: p["name"].lower())]

    backward: list[str] = []
    page = catalogue.page(sort="name", last=True, limit=40)
    while True:
        backward = [p.id for p in page.items] + backward
        if not page.has_before:
            break
        page = catalogue.page(sort="name", before=page.first_key, limit=40)
    assert backward == forward


def test_sort_by_price_descending_with_ties_broken_stably(store: Store) -> None:
    load(store, [_product(id=str(n), name=f"P{n}", price=100 * (n % 3)) for n in range(9)])
    first = store.catalogue.page(sort="price", descending=True, limit=4)
    second = store.catalogue.page(sort="price", descending=True, after=first.last_key, limit=4)
    third = store.catalogue.page(sort="price", descending=True, after=second.last_key, limit=4)
    prices = [p.price for page in (first, second, third) for p in page.items]
    assert prices == sorted(prices, reverse=True)
    assert len({p.id for page in (first, second, third) for p in page.items}) == 9
    assert not third.has_after


def test_filters_and_text_narrow_pages_and_total(stocked: Store, products: list[dict[str, Any]]) -> None:
    category = products[0]["category"]
    page = stocked.catalogue.page(category=category, active=True, limit=500)
    expected = [p for p in products if p["category"] == category and p["active"]]
    assert page.total == len(expected) == len(page.items)
    word = products[0]["name"].split()[-3]
    page = stocked.catalogue.page(text=word, limit=500)
    assert page.total == len(page.items) > 0
    assert all(
        any(w.lower().startswith(word.lower()) for w in f"{p.name} {p.sku} {p.category}".split()) for p in page.items
    )


def test_an_empty_page_has_no_keys(store: Store) -> None:
    page = store.catalogue.page()
    assert (page.items, page.total, page.first_key, page.has_after) == ([], 0, None, False)
    assert store.catalogue.page(after=PageKey("zzz", 10**9)).items == []


def test_a_later_barcode_owner_takes_the_barcode(store: Store) -> None:
    """Pages of changes can bring a barcode's new owner before the change that freed it."""
    load(store, [_product(id="a", name="A", barcode="4006381333931"), _product(id="b", name="B")])
    with store.transaction() as conn:
        product_view.apply_server_products(conn, [_product(id="b", name="B", barcode="4006381333931", version=2)])
    assert store.catalogue.by_barcode("4006381333931").id == "b"
    assert store.catalogue.by_id("a").barcode is None


def test_an_older_server_copy_never_overwrites_a_newer_one(store: Store) -> None:
    load(store, [_product(id="a", name="New name", version=5)])
    with store.transaction() as conn:
        product_view.apply_server_products(conn, [_product(id="a", name="Old name", version=4)])
    assert store.catalogue.by_id("a").name == "New name"
    assert [p.id for p in store.catalogue.search("new")] == ["a"]


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        ("SELECT * FROM products WHERE barcode = '1'", "products_barcode"),
        ("SELECT * FROM products WHERE sku = 'A'", "products_sku"),
        ("SELECT * FROM products WHERE name >= 'a' AND name < 'b' ORDER BY name LIMIT 5", "products_name"),
        ("SELECT * FROM products ORDER BY price DESC, row_id DESC LIMIT 5", "products_price"),
    ],
)
def test_lookups_run_on_indexes_once_the_first_pull_is_in(stocked: Store, sql: str, index: str) -> None:
    plan = " ".join(row[-1] for row in stocked.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert index in plan
