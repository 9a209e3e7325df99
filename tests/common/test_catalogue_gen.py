"""The catalogue generator: deterministic, unique at 100,000 products and at full capacity, plausible values."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest

from common.barcodes import validate_barcode
from common.catalogue_gen import (
    CATEGORIES,
    PRODUCT_NAMESPACE,
    GeneratedProduct,
    Kind,
    capacity,
    generate_products,
)

KINDS: list[Kind] = ["grocery", "hardware", "mixed"]
SKU = re.compile(r"^(GRC|HWR)-\d{6}$")
PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]+$")


def products(n: int, kind: Kind, seed: int = 1, shop_code: str = "T") -> list[GeneratedProduct]:
    return list(generate_products(n, seed=seed, kind=kind, shop_code=shop_code))


def unique(values: Iterator[str]) -> bool:
    seen = list(values)
    return len(seen) == len(set(seen))


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_gives_the_same_catalogue_and_another_seed_another(kind: Kind) -> None:
    assert products(2_000, kind, seed=5) == products(2_000, kind, seed=5)
    assert [p["name"] for p in products(200, kind, seed=5)] != [p["name"] for p in products(200, kind, seed=6)]


@pytest.mark.parametrize("kind", KINDS)
def test_a_smaller_catalogue_is_the_start_of_a_larger_one(kind: Kind) -> None:
    assert products(5_000, kind)[:320] == products(320, kind)


def check_catalogue(catalogue: list[GeneratedProduct], kind: Kind) -> None:
    for field in ("id", "sku", "barcode", "name"):
        assert unique(p[field] for p in catalogue), field
    categories = {category.name: category for category in CATEGORIES[kind]}
    for p in catalogue:
        assert validate_barcode(p["barcode"]) is None and len(p["barcode"]) == 13, p
        assert SKU.match(p["sku"]), p
        assert PRINTABLE_ASCII.match(p["name"]) and p["name"] == " ".join(p["name"].split()), p
        assert type(p["price"]) is int and 0 < p["price"] < 100_000, p
        assert p["tax_rate_bp"] == categories[p["category"]].tax_rate_bp, p
        assert type(p["on_hand"]) is int and p["on_hand"] >= 0, p
        assert type(p["reorder_point"]) is int and p["reorder_point"] >= 0, p
        assert type(p["active"]) is bool
    active = sum(p["active"] for p in catalogue)
    assert 0.9 * len(catalogue) < active < len(catalogue)  # mostly on sale, a few archived
    assert any(p["on_hand"] == 0 for p in catalogue)
    assert any(p["on_hand"] < p["reorder_point"] for p in catalogue)


def test_100k_mixed_products_are_unique_valid_and_plausible() -> None:
    catalogue = products(100_000, "mixed")
    assert len(catalogue) == 100_000
    check_catalogue(catalogue, "mixed")


def test_every_combination_of_the_word_lists_makes_a_unique_valid_product() -> None:
    # Each kind at full capacity (both above 100,000), so no seed and no size can meet a duplicate. Their names
    # and barcodes are also distinct from each other's, which covers "mixed" at any size.
    grocery = products(capacity("grocery"), "grocery")
    hardware = products(capacity("hardware"), "hardware")
    assert min(len(grocery), len(hardware)) > 100_000
    check_catalogue(grocery, "grocery")
    check_catalogue(hardware, "hardware")
    for field in ("name", "barcode"):
        assert unique(p[field] for p in grocery + hardware), field


def test_ids_come_from_shop_code_and_sku() -> None:
    corner, harbor = products(50, "mixed", shop_code="CG"), products(50, "mixed", shop_code="HH")
    assert [p["sku"] for p in corner] == [p["sku"] for p in harbor]
    for a, b in zip(corner, harbor, strict=True):
        assert a["id"] == str(uuid.uuid5(PRODUCT_NAMESPACE, f"CG/{a['sku']}"))
        assert a["id"] != b["id"]


def test_barcodes_carry_gs1_like_prefixes_by_kind() -> None:
    catalogue = products(5_000, "mixed")
    for p in catalogue:
        if p["sku"].startswith("GRC"):
            assert p["barcode"][:2] in {"00", "01", "06", "07", "08"}, p  # US/Canada, regular UPC number systems
        else:
            assert 400 <= int(p["barcode"][:3]) <= 440, p  # Germany
    assert {p["sku"][:3] for p in catalogue} == {"GRC", "HWR"}


def test_every_category_of_a_kind_shows_up_in_a_demo_sized_catalogue() -> None:
    for kind in ("grocery", "hardware"):
        assert {p["category"] for p in products(2_000, kind)} == {c.name for c in CATEGORIES[kind]}


@pytest.mark.parametrize(
    ("n", "kind", "shop_code"),
    [(-1, "grocery", "T"), (capacity("grocery") + 1, "grocery", "T"), (10, "bakery", "T"), (10, "grocery", "")],
)
def test_impossible_requests_are_refused_at_the_call(n: int, kind: Kind, shop_code: str) -> None:
    with pytest.raises(ValueError):
        generate_products(n, seed=1, kind=kind, shop_code=shop_code)


def test_zero_products() -> None:
    assert products(0, "hardware") == []
