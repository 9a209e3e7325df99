"""The managers' forms as services: product create/edit checks and saves, and the stock forms; each refusal says
why, on the field it is about, and nothing reaches the outbox unless the whole form is right."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from counter_support import FakeClock, catalogue, filled_store

from common.barcodes import ean13_from_body
from console.counter.fields import FormErrors
from console.counter.product_form import ProductForm, tax_text
from console.counter.stock_forms import StockForm, TypedLine
from offline_cache.store import Store


@pytest.fixture
def products() -> list[dict[str, Any]]:
    return catalogue(40, kind="grocery")


@pytest.fixture
def store(tmp_path: Path, products: list[dict[str, Any]]) -> Iterator[Store]:
    levels = {products[0]["id"]: 12, products[1]["id"]: 3}
    with filled_store(tmp_path / "cache.db", products, FakeClock(), levels) as opened:
        yield opened


def ops(store: Store) -> list[tuple[str, dict[str, Any]]]:
    return [(op.type, op.payload) for op in store.outbox.list()]


NEW = {
    "name": "Corner Oat Bar 40 g",
    "sku": "GRC-NEW-1",
    "barcode": ean13_from_body("002000000001"),
    "category": "Snacks",
    "price": "1.25",
    "tax_rate": "8.25",
    "active": True,
}


def test_create_checks_then_saves_one_op(store: Store) -> None:
    form = ProductForm(2)
    saved = form.save(store, NEW)
    assert saved.created and saved.product.price == 125 and saved.product.tax_rate_bp == 825
    [(op_type, payload)] = ops(store)
    assert op_type == "product.create"
    assert payload == {
        "id": saved.product.id,
        "sku": "GRC-NEW-1",
        "barcode": NEW["barcode"],
        "name": "Corner Oat Bar 40 g",
        "category": "Snacks",
        "price": 125,
        "tax_rate_bp": 825,
        "active": True,
    }


def test_every_field_says_why_in_place(store: Store, products: list[dict[str, Any]]) -> None:
    form = ProductForm(2)
    taken = products[0]
    wrong = {
        "name": "  \x07 ",
        "sku": taken["sku"].lower(),  # SKUs are unique ignoring case
        "barcode": NEW["barcode"][:-1] + str((int(NEW["barcode"][-1]) + 1) % 10),
        "category": "x" * 101,
        "price": "1.255",
        "tax_rate": "120",
        "active": True,
    }
    with pytest.raises(FormErrors) as refused:
        form.save(store, wrong)
    errors = refused.value.errors
    assert errors["name"] == "The name is required."
    assert errors["sku"] == f"The SKU {taken['sku'].lower()} already belongs to {taken['name']}."
    assert "check digit" in errors["barcode"]
    assert errors["category"] == "At most 100 characters (this has 101)."
    assert errors["price"] == "Use at most 2 decimal places."
    assert errors["tax_rate"] == "The tax rate is a percentage from 0 to 100."
    assert form.check(store, "price", "0") == "The price must be more than 0."
    assert form.check(store, "price", "abc") == "'abc' is not an amount: type digits, like 12.50."
    assert form.check(store, "barcode", taken["barcode"]) == (
        f"The barcode already belongs to {taken['name']} ({taken['sku']})."
    )
    assert form.check(store, "price", "3") is None
    assert ops(store) == []


def test_edit_sends_only_what_changed_with_the_version(store: Store, products: list[dict[str, Any]]) -> None:
    product = store.catalogue.by_id(products[2]["id"])
    assert product is not None
    form = ProductForm(2, product)
    values = form.initial()
    assert values["tax_rate"] == tax_text(product.tax_rate_bp)
    assert form.check(store, "sku", product.sku) is None  # its own SKU is not a duplicate
    saved = form.save(store, {**values, "price": "9.99", "name": f"{product.name}\n"})  # a pasted newline is cleaned
    assert saved.changed == ("price",)
    [(op_type, payload)] = ops(store)
    assert op_type == "product.update"
    assert payload == {"product_id": product.id, "version": product.version, "price": 999}
    assert ProductForm(2, saved.product).save(store, ProductForm(2, saved.product).initial()).changed == ()


def test_an_edit_based_on_an_old_version_is_refused(store: Store, products: list[dict[str, Any]]) -> None:
    from offline_cache import product_view

    product = store.catalogue.by_id(products[2]["id"])
    assert product is not None
    form = ProductForm(2, product)
    newer = {**products[2], "price": 4242, "version": product.version + 1}
    with store.transaction() as conn:
        product_view.apply_server_products(conn, [newer])
    with pytest.raises(FormErrors) as refused:
        form.save(store, {**form.initial(), "price": "1.00"})
    assert "changed on the server while you edited it" in refused.value.errors[""]
    assert form.initial()["price"] == "42.42"  # the form now holds the new figures
    assert ops(store) == []


def test_receive_several_lines_at_once(store: Store, products: list[dict[str, Any]]) -> None:
    form = StockForm("receive", "store")
    ids = form.submit(
        store, [TypedLine(products[0]["barcode"], "24"), TypedLine("", ""), TypedLine(products[1]["sku"], "6")], "PO 77"
    )
    assert len(ids) == 2
    assert [(p["product_id"], p["reason"], p["delta"], p["note"]) for _, p in ops(store)] == [
        (products[0]["id"], "receive", 24, "PO 77"),
        (products[1]["id"], "receive", 6, "PO 77"),
    ]
    assert store.stock.on_hand(products[0]["id"], "store") == 36


def test_count_records_counted_and_expected(store: Store, products: list[dict[str, Any]]) -> None:
    StockForm("count", "store").submit(store, [TypedLine(products[0]["sku"], "10")], "")
    [(_, payload)] = ops(store)
    assert (payload["reason"], payload["counted"], payload["expected"]) == ("count", 10, 12)
    assert store.stock.on_hand(products[0]["id"], "store") == 10


def test_damage_transfer_and_correction(store: Store, products: list[dict[str, Any]]) -> None:
    pid = products[0]["id"]
    StockForm("damage", "store").submit(store, [TypedLine(products[0]["sku"], "2")], "dropped")
    StockForm("transfer", "store").submit(store, [TypedLine(products[0]["sku"], "3")], "", "backroom")
    StockForm("correction", "store").submit(store, [TypedLine(products[0]["sku"], "-1")], "miskeyed")
    assert [(p["reason"], p["location"], p["delta"]) for _, p in ops(store)] == [
        ("damage", "store", -2),
        ("transfer_out", "store", -3),
        ("transfer_in", "backroom", 3),
        ("correction", "store", -1),
    ]
    assert store.stock.on_hand(pid, "store") == 6 and store.stock.on_hand(pid, "backroom") == 3


def test_stock_forms_refuse_saying_why_and_store_nothing(store: Store, products: list[dict[str, Any]]) -> None:
    with pytest.raises(FormErrors) as refused:
        StockForm("receive", "store").submit(
            store,
            [
                TypedLine("nope", "1"),
                TypedLine(products[0]["sku"], "0"),
                TypedLine(products[1]["sku"], "10000"),
                TypedLine(products[2]["sku"], "2.5"),
                TypedLine(products[3]["sku"], "1"),
                TypedLine(products[3]["barcode"], "1"),
            ],
            "",
        )
    assert refused.value.errors == {
        "1.code": "No product has the barcode or SKU 'nope'.",
        "2.quantity": "A quantity is from 1 to 9,999, not 0.",
        "3.quantity": "A quantity is from 1 to 9,999, not 10,000.",
        "4.quantity": "A quantity is a whole number from 1 to 9,999, not '2.5'.",
        "6.code": f"{products[3]['name']} is on line 5 already.",
    }
    with pytest.raises(FormErrors) as refused:
        StockForm("correction", "store").submit(store, [TypedLine(products[0]["sku"], "0")], "")
    assert refused.value.errors == {
        "note": "Say why in the note: a correction needs a reason.",
        "1.quantity": "A correction changes stock: type +N or -N.",
    }
    with pytest.raises(FormErrors) as refused:
        StockForm("transfer", "store").submit(store, [TypedLine(products[0]["sku"], "1")], "", "store")
    assert refused.value.errors == {"to_location": "Stock moves to another location than where it is."}
    with pytest.raises(FormErrors) as refused:
        StockForm("receive", "store").submit(store, [TypedLine("", "")], "")
    assert refused.value.errors == {"1.code": "Add at least one line: a barcode or SKU and a quantity."}
    assert ops(store) == []
