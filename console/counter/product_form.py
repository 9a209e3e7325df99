"""Creating and editing a product: each field checked as it is typed (the same checks again on save), then saved
through the offline cache's outbox with the version the edit was based on.

Prices are typed in the shop's currency with its decimal places; the tax rate as a percentage ("8.25" is 825
basis points). An edit sends only the fields that changed from the product as it was opened; if a sync brought a
newer version meanwhile, the save is refused so the person reviews the new figures instead of overwriting them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.barcodes import validate_barcode
from common.money import format_amount, parse_amount
from console.counter.entry import clean_text
from console.counter.fields import FormErrors
from offline_cache.models import Product
from offline_cache.store import Store
from offline_cache.writes import MAX_AMOUNT, TEXT_LIMITS, InvalidWrite

FIELDS = ("name", "sku", "barcode", "category", "price", "tax_rate", "active")
LABELS = {
    "name": "Name",
    "sku": "SKU",
    "barcode": "Barcode",
    "category": "Category",
    "price": "Price",
    "tax_rate": "Tax rate %",
    "active": "Active",
}
MAX_TAX_BP = 10_000
Values = Mapping[str, str | bool]


def tax_text(tax_rate_bp: int) -> str:
    """825 → "8.25", 1000 → "10"."""
    return format_amount(tax_rate_bp, 2).removesuffix(".00")


@dataclass(frozen=True, slots=True)
class Saved:
    product: Product
    created: bool
    changed: tuple[str, ...]  # the fields sent (an edit that changed nothing sends nothing)


class ProductForm:
    """The form's rules for one product (None: a new one), in a shop whose prices have `decimals` places."""

    def __init__(self, decimals: int, product: Product | None = None) -> None:
        self.decimals = decimals
        self.product = product

    @property
    def creating(self) -> bool:
        return self.product is None

    def initial(self) -> dict[str, str | bool]:
        p = self.product
        if p is None:
            return {"name": "", "sku": "", "barcode": "", "category": "", "price": "", "tax_rate": "0", "active": True}
        return {
            "name": p.name,
            "sku": p.sku,
            "barcode": p.barcode or "",
            "category": p.category or "",
            "price": format_amount(p.price, self.decimals),
            "tax_rate": tax_text(p.tax_rate_bp),
            "active": p.active,
        }

    # --- checks ----------------------------------------------------------------------------------------------

    def check(self, store: Store, field: str, value: str | bool) -> str | None:
        """Why `value` cannot be this field's (None when it can), as shown under the field while typing."""
        try:
            self._parse(store, field, value)
        except ValueError as exc:
            return str(exc)
        return None

    def parse(self, store: Store, values: Values) -> dict[str, object]:
        """Every field parsed to what the cache stores, or FormErrors with every field's refusal."""
        parsed: dict[str, object] = {}
        errors: dict[str, str] = {}
        for field in FIELDS:
            try:
                parsed[field] = self._parse(store, field, values.get(field, ""))
            except ValueError as exc:
                errors[field] = str(exc)
        if errors:
            raise FormErrors(errors)
        return parsed

    def _parse(self, store: Store, field: str, value: str | bool) -> object:
        if field == "active":
            if not isinstance(value, bool):
                raise ValueError("Active is yes or no.")
            return value
        text = clean_text(str(value))
        own_id = None if self.product is None else self.product.id
        if field in ("name", "sku", "category"):
            if not text:
                if field == "category":
                    return None
                raise ValueError(f"The {LABELS[field].lower() if field == 'name' else 'SKU'} is required.")
            if len(text) > TEXT_LIMITS[field]:
                raise ValueError(f"At most {TEXT_LIMITS[field]} characters (this has {len(text)}).")
            if field == "sku":
                holder = store.catalogue.by_sku(text)
                if holder is not None and holder.id != own_id:
                    raise ValueError(f"The SKU {text} already belongs to {holder.name}.")
            return text
        if field == "barcode":
            if not text:
                return None
            problem = validate_barcode(text)
            if problem:
                raise ValueError(problem)
            holder = store.catalogue.by_barcode(text)
            if holder is not None and holder.id != own_id:
                raise ValueError(f"The barcode already belongs to {holder.name} ({holder.sku}).")
            return text
        if field == "price":
            price = parse_amount(text, self.decimals)
            if price <= 0:
                raise ValueError("The price must be more than 0.")
            if price > MAX_AMOUNT:
                raise ValueError(f"The price must be at most {format_amount(MAX_AMOUNT, self.decimals)}.")
            return price
        if field == "tax_rate":
            try:
                rate = parse_amount(text.removesuffix("%"), 2)
            except ValueError as exc:
                raise ValueError(f"The tax rate is a percentage from 0 to 100, like 8.25: {exc}") from None
            if rate > MAX_TAX_BP:
                raise ValueError("The tax rate is a percentage from 0 to 100.")
            return rate
        raise ValueError(f"Unknown field {field!r}.")

    # --- saving ----------------------------------------------------------------------------------------------

    def save(self, store: Store, values: Values) -> Saved:
        """Create or edit through the outbox; FormErrors (per field, or "" for the form) when refused."""
        parsed = self.parse(store, values)
        fields = {
            "name": parsed["name"],
            "sku": parsed["sku"],
            "barcode": parsed["barcode"],
            "category": parsed["category"],
            "price": parsed["price"],
            "tax_rate_bp": parsed["tax_rate"],
            "active": parsed["active"],
        }
        try:
            if self.product is None:
                product = store.writes.create_product(**fields)  # type: ignore[arg-type]
                return Saved(product, True, tuple(fields))
            current = store.catalogue.by_id(self.product.id)
            if current is None:
                raise FormErrors({"": "This product is no longer in the catalogue."})
            if current.version != self.product.version:
                self.product = current
                raise FormErrors(
                    {
                        "": f"The product changed on the server while you edited it (now version {current.version}). "
                        "The form shows the new figures: check them and save again."
                    }
                )
            changes = {name: value for name, value in fields.items() if value != getattr(self.product, name)}
            product = store.writes.update_product(self.product.id, changes) if changes else current
            self.product = product
            return Saved(product, False, tuple(changes))
        except InvalidWrite as exc:
            raise FormErrors({"": str(exc)}) from None
