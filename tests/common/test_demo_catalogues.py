"""The committed demo seed files are exactly what the generator makes, so they cannot drift from it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from common.barcodes import validate_barcode

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "assets" / "demo"
SHOPS = {
    "corner-grocer.json": ("Corner Grocer", "USD", "grocery"),
    "harbor-hardware.json": ("Harbor Hardware", "EUR", "hardware"),
}


def test_the_demo_folder_holds_the_two_shops() -> None:
    assert sorted(path.name for path in DEMO.glob("*.json")) == sorted(SHOPS)


@pytest.mark.parametrize("file_name", sorted(SHOPS))
def test_demo_file_is_the_generator_output_of_its_recorded_command(file_name: str) -> None:
    text = (DEMO / file_name).read_text(encoding="utf-8")
    document = json.loads(text)
    shop, made_by = document["shop"], document["generated_by"]
    assert (shop["name"], shop["currency"], made_by["kind"]) == SHOPS[file_name]
    command = [
        sys.executable, "-m", "common.catalogue_gen",
        "--kind", made_by["kind"], "--shop-code", made_by["shop_code"],
        "--count", str(made_by["count"]), "--seed", str(made_by["seed"]),
        "--shop-name", shop["name"], "--currency", shop["currency"],
    ]  # fmt: skip
    regenerated = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert regenerated == text, f"{file_name} drifted: regenerate it with {' '.join(command[1:])}"


@pytest.mark.parametrize("file_name", sorted(SHOPS))
def test_demo_file_has_a_full_catalogue_one_product_per_line(file_name: str) -> None:
    text = (DEMO / file_name).read_text(encoding="utf-8")
    items = json.loads(text)["products"]
    assert len(items) >= 300
    assert len({p["barcode"] for p in items}) == len({p["sku"] for p in items}) == len(items)
    assert all(validate_barcode(p["barcode"]) is None for p in items)
    product_lines = [line for line in text.splitlines() if line.lstrip().startswith('{"id"')]
    assert len(product_lines) == len(items)
