"""Local writes: each one commits the entity's local rows and its outbox row in ONE transaction, so a crash
leaves either the whole write or none of it. Payloads are the bodies of DESIGN.md's routes.

Receipt numbers are `<terminal_id>-<yyyymmdd>-<n>` (the device's local date): the day's counter is bumped in
the sale's own transaction, so a number shown on a receipt was committed with its sale and is never reused.
"""

from __future__ import annotations

import sqlite3
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from common import money
from common.barcodes import validate_barcode
from offline_cache import outbox, product_view, stock
from offline_cache.catalogue import Catalogue
from offline_cache.clock import Clock, to_text
from offline_cache.db import transaction
from offline_cache.models import (
    EDITABLE_PRODUCT_FIELDS,
    Adjustment,
    LocalOrder,
    OrderLine,
    Product,
    RefundLine,
    RefundRecord,
    SaleLine,
    Tender,
)
from offline_cache.orders import refunded_by_line

MAX_QUANTITY = 9_999
MAX_AMOUNT = 100_000_000_00  # a hundred million in major units: anything above is a typing slip
MAX_STOCK_DELTA = 1_000_000
TENDER_METHODS = ("cash", "card", "other")
# reason → the sign its delta must have (0: either); `count` carries counted and expected instead
ADJUSTMENT_SIGNS = {"receive": 1, "transfer_in": 1, "damage": -1, "transfer_out": -1, "correction": 0, "count": 0}
# The server's limits (backend/schemas/fields.py), so a write accepted here is not refused there for its length.
TEXT_LIMITS = {"sku": 64, "name": 200, "category": 100, "note": 1000, "reason": 500}
MULTI_LINE = frozenset({"note", "reason"})


class InvalidWrite(ValueError):
    """The write was refused before anything was stored; the message says why, for the person at the till."""


def _whole(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidWrite(f"{what} must be a whole number, got {value!r}.")
    if not low <= value <= high:
        raise InvalidWrite(f"{what} must be from {low:,} to {high:,}, got {value:,}.")
    return value


def clean_text(value: Any, what: str, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidWrite(f"{what.capitalize()} is required.")
        return None
    if not isinstance(value, str):
        raise InvalidWrite(f"{what.capitalize()} must be text.")
    value = value.strip()
    allowed = "\t\n" if what in MULTI_LINE else ""
    if any(unicodedata.category(char) == "Cc" and char not in allowed for char in value):
        raise InvalidWrite(f"{what.capitalize()} contains control characters.")
    limit = TEXT_LIMITS[what]
    if len(value) > limit:
        raise InvalidWrite(f"{what.capitalize()} is too long: at most {limit} characters, this has {len(value)}.")
    return value


def adjustment_change(reason: str, delta: Any, where: str) -> int:
    """A non-count adjustment's change of stock, checked against its reason's sign (a receipt adds, damage takes)."""
    change = _whole(delta, f"{where} quantity", -MAX_STOCK_DELTA, MAX_STOCK_DELTA)
    sign = ADJUSTMENT_SIGNS[reason]
    if change == 0 or change * sign < 0:
        direction = {1: "more than 0", -1: "less than 0", 0: "other than 0"}[sign]
        raise InvalidWrite(f"{where}: a {reason.replace('_', ' ')} must change stock by {direction}.")
    return change


def counted_quantity(counted: Any, where: str) -> int:
    return _whole(counted, f"{where} counted quantity", 0, MAX_STOCK_DELTA)


class LocalWrites:
    def __init__(self, conn: sqlite3.Connection, clock: Clock, terminal_id: str, location: str) -> None:
        self._conn = conn
        self._clock = clock
        self._terminal_id = terminal_id
        self._location = location
        self._catalogue = Catalogue(conn)

    # --- sales and refunds ---------------------------------------------------------------------------------

    def record_sale(
        self,
        lines: Sequence[SaleLine],
        tenders: Sequence[Tender],
        *,
        cashier: str | None = None,
        order_id: str | None = None,
        location: str | None = None,
    ) -> LocalOrder:
        """Commit a sale: the order, its lines and tenders, its receipt number, its outbox op (order.create)
        and its stock movements, in one transaction. Prices default to the product's local price."""
        if not lines:
            raise InvalidWrite("A sale needs at least one line.")
        order_lines = [self._sale_line(number, line) for number, line in enumerate(lines, start=1)]
        totals = money.order_totals([(line.amount, line.tax) for line in order_lines])
        paid = self._tenders(tenders)
        try:
            change = money.change_due(totals.total, [(tender.method, tender.amount) for tender in paid])
        except money.TenderError as exc:
            raise InvalidWrite(str(exc)) from None
        order_id = order_id or str(uuid.uuid4())
        location = location or self._location
        now = self._clock()
        created_at = to_text(now)
        movements: dict[tuple[str, str], int] = defaultdict(int)
        for line in order_lines:
            movements[(line.product_id, location)] -= line.quantity
        day = f"{now.astimezone():%Y%m%d}"  # the device's local business day
        with transaction(self._conn):
            number = self._conn.execute(
                "INSERT INTO receipt_counters (terminal_id, day, last_number) VALUES (?, ?, 1) "
                "ON CONFLICT (terminal_id, day) DO UPDATE SET last_number = last_number + 1 RETURNING last_number",
                (self._terminal_id, day),
            ).fetchone()[0]
            receipt_no = f"{self._terminal_id}-{day}-{number}"
            self._conn.execute(
                "INSERT INTO orders (id, origin, terminal_id, receipt_no, created_at, cashier, location, subtotal, "
                "tax, total, change) VALUES (?, 'local', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    order_id,
                    self._terminal_id,
                    receipt_no,
                    created_at,
                    cashier,
                    location,
                    totals.subtotal,
                    totals.tax,
                    totals.total,
                    change,
                ),
            )
            self._conn.executemany(
                "INSERT INTO order_lines (order_id, line_no, product_id, sku, name, quantity, unit_price, discount, "
                "tax_rate_bp, amount, tax) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        order_id,
                        line.line_no,
                        line.product_id,
                        line.sku,
                        line.name,
                        line.quantity,
                        line.unit_price,
                        line.discount,
                        line.tax_rate_bp,
                        line.amount,
                        line.tax,
                    )
                    for line in order_lines
                ],
            )
            self._conn.executemany(
                "INSERT INTO order_tenders (order_id, n, method, amount) VALUES (?, ?, ?, ?)",
                [(order_id, n, tender.method, tender.amount) for n, tender in enumerate(paid, start=1)],
            )
            payload = {
                "id": order_id,
                "terminal_id": self._terminal_id,
                "receipt_no": receipt_no,
                "created_at": created_at,
                # The tax rate charged goes along: the server uses it instead of its catalogue's (which may have
                # changed while this till was offline), so both compute the same tax.
                "lines": [
                    {
                        "product_id": line.product_id,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price,
                        "discount": line.discount,
                        "tax_rate_bp": line.tax_rate_bp,
                    }
                    for line in order_lines
                ],
                "tenders": [{"method": tender.method, "amount": tender.amount} for tender in paid],
            }
            outbox.enqueue(
                self._conn,
                op_id=order_id,
                op_type="order.create",
                entity=f"order:{order_id}",
                payload=payload,
                created_at=created_at,
            )
            stock.add_deltas(self._conn, order_id, movements)
        return LocalOrder(
            id=order_id,
            origin="local",
            terminal_id=self._terminal_id,
            receipt_no=receipt_no,
            created_at=created_at,
            cashier=cashier,
            subtotal=totals.subtotal,
            tax=totals.tax,
            total=totals.total,
            change=change,
            flags=[],
            sync_state="pending",
            lines=order_lines,
            tenders=paid,
        )

    def _sale_line(self, number: int, line: SaleLine) -> OrderLine:
        product = self._catalogue.by_id(line.product_id)
        if product is None:
            raise InvalidWrite(f"Line {number}: the product {line.product_id} is not in the catalogue.")
        quantity = _whole(line.quantity, f"Line {number} quantity", 1, MAX_QUANTITY)
        unit_price = product.price
        if line.unit_price is not None:
            unit_price = _whole(line.unit_price, f"Line {number} price", 0, MAX_AMOUNT)
        discount = _whole(line.discount, f"Line {number} discount", 0, quantity * unit_price)
        priced = money.PricedLine(quantity, unit_price, discount, product.tax_rate_bp)
        return OrderLine(
            number,
            product.id,
            product.sku,
            product.name,
            quantity,
            unit_price,
            discount,
            product.tax_rate_bp,
            priced.amount,
            priced.tax,
        )

    @staticmethod
    def _tenders(tenders: Sequence[Tender]) -> list[Tender]:
        if not tenders:
            raise InvalidWrite("A sale needs at least one tender.")
        for tender in tenders:
            if tender.method not in TENDER_METHODS:
                raise InvalidWrite(f"Unknown tender {tender.method!r}: use {', '.join(TENDER_METHODS)}.")
            _whole(tender.amount, f"The {tender.method} amount", 1, MAX_AMOUNT)
        return list(tenders)

    def record_refund(
        self, order_id: str, lines: Sequence[RefundLine], reason: str, *, refund_id: str | None = None
    ) -> RefundRecord:
        """Commit a refund of some of an order's items (order.refund), never more than was sold counting earlier
        refunds (synced or not), with the stock going back where the sale took it from."""
        reason_text = clean_text(reason, "reason")
        order = self._conn.execute("SELECT location FROM orders WHERE id = ?", (order_id,)).fetchone()
        if order is None:
            raise InvalidWrite("This order is not on this terminal: open it while online to refund it.")
        location = order[0] or self._location
        wanted: dict[str, int] = defaultdict(int)
        for line in lines:
            wanted[line.product_id] += _whole(line.quantity, "A refund quantity", 1, MAX_QUANTITY)
        if not wanted:
            raise InvalidWrite("A refund needs at least one line.")
        sold = self._conn.execute(
            "SELECT line_no, product_id, quantity, amount, tax FROM order_lines WHERE order_id = ? ORDER BY line_no",
            (order_id,),
        ).fetchall()
        refunded = refunded_by_line(self._conn, order_id)
        parts: list[tuple[int, int, int, int]] = []  # line_no, quantity, amount, tax
        for product_id, quantity in wanted.items():
            left = quantity
            for line_no, line_product, line_quantity, amount, tax in sold:
                if line_product != product_id or left == 0:
                    continue
                before = refunded.get(line_no, 0)
                take = min(left, line_quantity - before)
                if take > 0:
                    parts.append(
                        (
                            line_no,
                            take,
                            money.refund_share(amount, line_quantity, before, take),
                            money.refund_share(tax, line_quantity, before, take),
                        )
                    )
                    left -= take
            if left == quantity and not any(row[1] == product_id for row in sold):
                raise InvalidWrite("This order has no such product to refund.")
            if left:
                raise InvalidWrite(f"Cannot refund {quantity} of that product: only {quantity - left} are unrefunded.")
        refund_id = refund_id or str(uuid.uuid4())
        created_at = to_text(self._clock())
        amount = sum(part[2] for part in parts)
        tax = sum(part[3] for part in parts)
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO refunds (id, order_id, reason, created_at, amount, tax) VALUES (?, ?, ?, ?, ?, ?)",
                (refund_id, order_id, reason_text, created_at, amount, tax),
            )
            self._conn.executemany(
                "INSERT INTO refund_lines (refund_id, line_no, quantity, amount, tax) VALUES (?, ?, ?, ?, ?)",
                [(refund_id, *part) for part in parts],
            )
            payload = {
                "id": refund_id,
                "order_id": order_id,
                "lines": [{"product_id": product_id, "quantity": quantity} for product_id, quantity in wanted.items()],
                "reason": reason_text,
                "created_at": created_at,
            }
            outbox.enqueue(
                self._conn,
                op_id=refund_id,
                op_type="order.refund",
                entity=f"order:{order_id}",
                payload=payload,
                created_at=created_at,
            )
            stock.add_deltas(self._conn, refund_id, {(product_id, location): q for product_id, q in wanted.items()})
        return RefundRecord(refund_id, reason_text, created_at, amount, tax, "pending")

    # --- stock ---------------------------------------------------------------------------------------------

    def record_adjustments(self, adjustments: Sequence[Adjustment]) -> list[str]:
        """Commit stock adjustments (stock.adjust, one op each) in one transaction: a delivery of several lines
        is received whole or not at all. A count records the counted and the expected (local view) figures."""
        if not adjustments:
            raise InvalidWrite("There is nothing to adjust.")
        created_at = to_text(self._clock())
        levels = stock.StockView(self._conn)
        with transaction(self._conn):
            ids = []
            for number, item in enumerate(adjustments, start=1):
                payload = self._adjustment(number, item, levels)
                key = (payload["product_id"], payload["location"])
                delta = stock.adjustment_delta(payload)
                outbox.enqueue(
                    self._conn,
                    op_id=payload["id"],
                    op_type="stock.adjust",
                    entity=f"stock:{key[0]}/{key[1]}",
                    payload=payload,
                    created_at=created_at,
                )
                stock.add_deltas(self._conn, payload["id"], {key: delta})
                ids.append(payload["id"])
        return ids

    def _adjustment(self, number: int, item: Adjustment, levels: stock.StockView) -> dict[str, Any]:
        where = f"Line {number}"
        if self._catalogue.by_id(item.product_id) is None:
            raise InvalidWrite(f"{where}: the product {item.product_id} is not in the catalogue.")
        if item.reason not in ADJUSTMENT_SIGNS:
            raise InvalidWrite(f"{where}: unknown reason {item.reason!r}: use {', '.join(ADJUSTMENT_SIGNS)}.")
        location = item.location or self._location
        payload: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "product_id": item.product_id,
            "location": location,
            "reason": item.reason,
            "note": clean_text(item.note, "note", required=False) or "",
        }
        if item.reason == "count":
            if item.delta is not None:
                raise InvalidWrite(f"{where}: a count gives the counted quantity, not a change.")
            counted = counted_quantity(item.counted, where)
            expected = levels.on_hand(item.product_id, location)
            # The server applies counted - expected itself; `delta` stays local (the stock movement shown here).
            payload.update(counted=counted, expected=expected)
            return payload
        if item.counted is not None:
            raise InvalidWrite(f"{where}: only a count takes a counted quantity.")
        payload["delta"] = adjustment_change(item.reason, item.delta, where)
        return payload

    # --- products ------------------------------------------------------------------------------------------

    def create_product(
        self,
        *,
        sku: str,
        name: str,
        price: int,
        tax_rate_bp: int,
        barcode: str | None = None,
        category: str | None = None,
        active: bool = True,
        product_id: str | None = None,
    ) -> Product:
        """Commit a new product (product.create): in the local view at once, on the server after sync."""
        product_id = product_id or str(uuid.uuid4())
        fields = self.product_fields(
            {
                "sku": sku,
                "name": name,
                "price": price,
                "tax_rate_bp": tax_rate_bp,
                "barcode": barcode,
                "category": category,
                "active": active,
            },
            product_id,
        )
        with transaction(self._conn):
            outbox.enqueue(
                self._conn,
                op_id=product_id,
                op_type="product.create",
                entity=f"product:{product_id}",
                payload={"id": product_id, **fields},
                created_at=to_text(self._clock()),
            )
            product_view.refresh(self._conn, product_id)
        return self._product(product_id)

    def update_product(self, product_id: str, changes: Mapping[str, Any]) -> Product:
        """Commit an edit (product.update with the version it is based on and the changed fields only)."""
        current = self._catalogue.by_id(product_id)
        if current is None:
            raise InvalidWrite("This product is not in the catalogue.")
        unknown = set(changes) - set(EDITABLE_PRODUCT_FIELDS)
        if unknown:
            raise InvalidWrite(f"These product fields cannot be edited: {', '.join(sorted(unknown))}.")
        merged = {name: getattr(current, name) for name in EDITABLE_PRODUCT_FIELDS} | dict(changes)
        fields = self.product_fields(merged, product_id)
        changed = {name: fields[name] for name in changes if fields[name] != getattr(current, name)}
        if not changed:
            return current
        with transaction(self._conn):
            server = product_view.server_copy(self._conn, product_id) or {}
            outbox.enqueue(
                self._conn,
                op_id=str(uuid.uuid4()),
                op_type="product.update",
                entity=f"product:{product_id}",
                payload={"product_id": product_id, "version": current.version, **changed},
                base={name: server.get(name) for name in changed},
                created_at=to_text(self._clock()),
            )
            product_view.refresh(self._conn, product_id)
        return self._product(product_id)

    def _product(self, product_id: str) -> Product:
        product = self._catalogue.by_id(product_id)
        assert product is not None, "the local view lost a product it was just given"
        return product

    def product_fields(self, values: Mapping[str, Any], product_id: str) -> dict[str, Any]:
        """Every editable field of a product, checked as a write checks them (a SKU or barcode another product has
        is refused); raises InvalidWrite."""
        sku = clean_text(values["sku"], "sku")
        barcode = values.get("barcode") or None
        if barcode is not None:
            problem = validate_barcode(barcode) if isinstance(barcode, str) else "The barcode must be text."
            if problem:
                raise InvalidWrite(problem)
            holder = self._catalogue.by_barcode(barcode)
            if holder is not None and holder.id != product_id:
                raise InvalidWrite(f"The barcode {barcode} already belongs to {holder.name} ({holder.sku}).")
        holder = self._catalogue.by_sku(sku)
        if holder is not None and holder.id != product_id:
            raise InvalidWrite(f"The SKU {sku} already belongs to {holder.name}.")
        if not isinstance(values["active"], bool):
            raise InvalidWrite("Active must be yes or no.")
        return {
            "sku": sku,
            "barcode": barcode,
            "name": clean_text(values["name"], "name"),
            "category": clean_text(values.get("category"), "category", required=False),
            "price": _whole(values["price"], "The price", 1, MAX_AMOUNT),
            "tax_rate_bp": _whole(values["tax_rate_bp"], "The tax rate (basis points)", 0, 10_000),
            "active": values["active"],
        }
