"""What the offline cache hands out: plain frozen dataclasses, cheap to build from a row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

OpStatus = Literal["pending", "in_flight", "done", "dead", "conflict"]
OrderSyncState = Literal["pending", "syncing", "synced", "failed", "discarded"]
SortKey = Literal["name", "sku", "price"]

PRODUCT_FIELDS = ("id", "sku", "barcode", "name", "category", "price", "tax_rate_bp", "active", "version", "updated_at")
EDITABLE_PRODUCT_FIELDS = ("sku", "barcode", "name", "category", "price", "tax_rate_bp", "active")


@dataclass(frozen=True, slots=True)
class Product:
    """A product as the counter sees it: the server's state with this device's unsent edits on top."""

    id: str
    sku: str
    barcode: str | None
    name: str
    category: str | None
    price: int
    tax_rate_bp: int
    active: bool
    version: int  # the server version the local state is based on (0: created here, not on the server yet)
    updated_at: str
    local_changes: bool = False


@dataclass(frozen=True, slots=True)
class PageKey:
    """Where a keyset page starts or ends: the sort value and the row's tie-breaker."""

    value: str | int
    row_id: int


@dataclass(frozen=True, slots=True)
class ProductPage:
    items: list[Product]
    total: int  # rows matching the filters, over every page
    first_key: PageKey | None
    last_key: PageKey | None
    has_before: bool
    has_after: bool


@dataclass(frozen=True, slots=True)
class StockLevel:
    product_id: str
    location: str
    on_hand: int  # server figure plus this device's unsettled movements
    server_on_hand: int
    reorder_point: int
    updated_at: str | None

    @property
    def below_reorder(self) -> bool:
        return self.on_hand <= self.reorder_point

    @property
    def oversold(self) -> bool:
        return self.on_hand < 0


@dataclass(frozen=True, slots=True)
class SaleLine:
    """A cart line. `unit_price` defaults to the product's current local price; `discount` is for the whole
    line, in minor units."""

    product_id: str
    quantity: int
    unit_price: int | None = None
    discount: int = 0


@dataclass(frozen=True, slots=True)
class Tender:
    method: Literal["cash", "card", "other"]
    amount: int


@dataclass(frozen=True, slots=True)
class RefundLine:
    product_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One stock adjustment. For `count`, give `counted` and leave `delta` out: the expected figure is the
    local view's on-hand and the delta is their difference."""

    product_id: str
    reason: Literal["receive", "count", "damage", "transfer_in", "transfer_out", "correction"]
    delta: int | None = None
    counted: int | None = None
    note: str = ""
    location: str | None = None


@dataclass(frozen=True, slots=True)
class OrderLine:
    line_no: int
    product_id: str
    sku: str | None
    name: str
    quantity: int
    unit_price: int
    discount: int
    tax_rate_bp: int
    amount: int
    tax: int
    refunded: int = 0  # quantity refunded so far, counting refunds not yet synced


@dataclass(frozen=True, slots=True)
class RefundRecord:
    id: str
    reason: str
    created_at: str
    amount: int
    tax: int
    sync_state: OrderSyncState


@dataclass(frozen=True, slots=True)
class LocalOrder:
    id: str
    origin: Literal["local", "server"]
    terminal_id: str
    receipt_no: str
    created_at: str
    cashier: str | None
    subtotal: int
    tax: int
    total: int
    change: int
    flags: list[str]
    sync_state: OrderSyncState
    last_error: str | None = None
    lines: list[OrderLine] = field(default_factory=list)
    tenders: list[Tender] = field(default_factory=list)
    refunds: list[RefundRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class OutboxOp:
    id: str
    seq: int
    type: str
    entity: str
    status: OpStatus
    payload: dict[str, Any]
    attempts: int
    created_at: str
    next_attempt_at: str | None = None
    last_error: str | None = None
    http_status: int | None = None
    acked_at: str | None = None
    resolution: str | None = None
    exported_at: str | None = None
    blocked: bool = False  # pending behind a dead or conflicting op on the same entity


@dataclass(frozen=True, slots=True)
class QueueSummary:
    pending: int
    in_flight: int
    dead: int
    conflicts: int
    blocked: int
    oldest_pending_at: dt.datetime | None

    @property
    def unsent(self) -> int:
        return self.pending + self.in_flight

    @property
    def needs_attention(self) -> bool:
        return bool(self.dead or self.conflicts)


@dataclass(frozen=True, slots=True)
class Conflict:
    id: int
    op_id: str
    entity: str
    base: dict[str, Any] | None
    mine: dict[str, Any]
    theirs: dict[str, Any] | None
    created_at: str
    resolved_at: str | None
    resolution: str | None


@dataclass(frozen=True, slots=True)
class ParkedCart:
    id: str
    label: str
    cart: dict[str, Any]
    created_at: str


@dataclass(frozen=True, slots=True)
class SyncState:
    client_id: str
    cursor: str | None
    initial_pull_done: bool
    last_applied_seq: int | None
    clock_skew_seconds: float | None
    skew_checked_at: str | None
    last_push_at: str | None
    last_pull_at: str | None
    last_error: str | None
