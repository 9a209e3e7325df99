"""Stock forms for managers: receive a delivery (several lines at once), count (the expected figure is recorded
with the counted one), damage, transfer between locations, and correction. Each line names a product by barcode
or SKU; the whole form is one write through the outbox (one stock.adjust op per movement), all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from console.counter.entry import clean_text, parse_quantity
from console.counter.fields import FormErrors, whole_number
from offline_cache.models import Adjustment, Product
from offline_cache.store import Store
from offline_cache.writes import MAX_QUANTITY, TEXT_LIMITS, InvalidWrite

Kind = Literal["receive", "count", "damage", "transfer", "correction"]
KINDS: dict[Kind, str] = {
    "receive": "Receive stock",
    "count": "Count stock",
    "damage": "Write off damaged stock",
    "transfer": "Transfer stock",
    "correction": "Correct stock",
}
# What the quantity column means for each kind, as its label says.
QUANTITY_LABELS: dict[Kind, str] = {
    "receive": "received",
    "count": "counted",
    "damage": "damaged",
    "transfer": "moved",
    "correction": "change (+/-)",
}
NOTE_REQUIRED: frozenset[Kind] = frozenset({"damage", "correction"})  # a loss or a fix needs its why


@dataclass(frozen=True, slots=True)
class TypedLine:
    code: str  # barcode or SKU
    quantity: str


@dataclass(frozen=True, slots=True)
class StockEntry:
    """A line resolved: the product and what the form does with it."""

    product: Product
    quantity: int
    expected: int  # on hand at the location now (what a count records as expected)


def resolve(store: Store, code: str) -> Product:
    """The product a line names, by exact barcode or SKU; ValueError saying why not."""
    typed = clean_text(code)
    if not typed:
        raise ValueError("Scan or type a barcode or SKU.")
    product = store.catalogue.lookup(typed)
    if product is None:
        raise ValueError(f"No product has the barcode or SKU {typed!r}.")
    return product


def line_quantity(kind: Kind, text: str) -> int:
    if kind == "count":
        return whole_number(text, "counted quantity", 0, MAX_QUANTITY)
    if kind == "correction":
        value = whole_number(text, "change", -MAX_QUANTITY, MAX_QUANTITY, signed=True)
        if value == 0:
            raise ValueError("A correction changes stock: type +N or -N.")
        return value
    return parse_quantity(text)


class StockForm:
    def __init__(self, kind: Kind, location: str) -> None:
        self.kind = kind
        self.location = location

    def entries(self, store: Store, lines: Sequence[TypedLine]) -> list[StockEntry]:
        """Every non-empty line resolved, or FormErrors keyed "<n>.code" / "<n>.quantity" (n from 1)."""
        errors: dict[str, str] = {}
        entries: list[StockEntry] = []
        seen: dict[str, int] = {}
        for number, line in enumerate(lines, start=1):
            if not clean_text(line.code) and not clean_text(line.quantity):
                continue
            try:
                product = resolve(store, line.code)
            except ValueError as exc:
                errors[f"{number}.code"] = str(exc)
                product = None
            try:
                amount = line_quantity(self.kind, line.quantity)
            except ValueError as exc:
                errors[f"{number}.quantity"] = str(exc)
                continue
            if product is None:
                continue
            if product.id in seen:
                errors[f"{number}.code"] = f"{product.name} is on line {seen[product.id]} already."
                continue
            seen[product.id] = number
            entries.append(StockEntry(product, amount, store.stock.on_hand(product.id, self.location)))
        if errors:
            raise FormErrors(errors)
        if not entries:
            raise FormErrors({"1.code": "Add at least one line: a barcode or SKU and a quantity."})
        return entries

    def adjustments(
        self, store: Store, lines: Sequence[TypedLine], note: str, to_location: str = ""
    ) -> list[Adjustment]:
        errors: dict[str, str] = {}
        note_text = clean_text(note)
        if self.kind in NOTE_REQUIRED and not note_text:
            errors["note"] = f"Say why in the note: a {self.kind} needs a reason."
        elif len(note_text) > TEXT_LIMITS["note"]:
            errors["note"] = f"The note is at most {TEXT_LIMITS['note']} characters."
        target = clean_text(to_location)
        if self.kind == "transfer":
            if not target:
                errors["to_location"] = "Type where the stock goes."
            elif target == self.location:
                errors["to_location"] = "Stock moves to another location than where it is."
            elif len(target) > 64:
                errors["to_location"] = "A location is at most 64 characters."
        try:
            entries = self.entries(store, lines)
        except FormErrors as exc:
            raise FormErrors({**errors, **exc.errors}) from None
        if errors:
            raise FormErrors(errors)
        return [adjustment for entry in entries for adjustment in self._movements(entry, note_text, target)]

    def _movements(self, entry: StockEntry, note: str, target: str) -> list[Adjustment]:
        pid, n = entry.product.id, entry.quantity
        if self.kind == "count":
            return [Adjustment(pid, "count", counted=n, note=note, location=self.location)]
        if self.kind == "transfer":
            return [
                Adjustment(pid, "transfer_out", delta=-n, note=note, location=self.location),
                Adjustment(pid, "transfer_in", delta=n, note=note, location=target),
            ]
        delta = -n if self.kind == "damage" else n
        return [Adjustment(pid, self.kind, delta=delta, note=note, location=self.location)]

    def submit(self, store: Store, lines: Sequence[TypedLine], note: str, to_location: str = "") -> list[str]:
        """Record the form (one transaction); the new ops' ids, or FormErrors."""
        adjustments = self.adjustments(store, lines, note, to_location)
        try:
            return store.writes.record_adjustments(adjustments)
        except InvalidWrite as exc:
            raise FormErrors({"": str(exc)}) from None
