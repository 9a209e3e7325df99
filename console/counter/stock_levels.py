"""Stock as the counter reads it: levels beside a page of products, the below-reorder and oversold lists, and a
product's recent movements (the server's ledger when it answers, plus this terminal's movements that its figures
do not show yet)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from console.api import ApiClient, ApiProblem, ApiUnavailable
from offline_cache.models import Product, StockLevel
from offline_cache.store import Store

MOVEMENTS = 12
LIST_LIMIT = 500
Tone = Literal["ok", "low", "oversold", "none"]
# An outbox op's type → the movement's reason when its payload has none.
_OP_REASONS = {"order.create": "sale", "order.refund": "refund"}


def tone(level: StockLevel | None) -> Tone:
    if level is None:
        return "none"
    if level.oversold:
        return "oversold"
    return "low" if level.below_reorder else "ok"


@dataclass(frozen=True, slots=True)
class StockRow:
    product: Product
    level: StockLevel | None  # at the terminal's location; None: no stock record

    @property
    def tone(self) -> Tone:
        return tone(self.level)


def rows_for(store: Store, products: list[Product], location: str) -> list[StockRow]:
    """A page of products with their level at `location` (one indexed read each)."""
    rows = []
    for product in products:
        here = [level for level in store.stock.levels(product.id) if level.location == location]
        rows.append(StockRow(product, here[0] if here else None))
    return rows


def listed(store: Store, which: Literal["below_reorder", "oversold"]) -> list[StockRow]:
    """Every level below its reorder point (oversold included), or below zero, with its product."""
    levels = store.stock.below_reorder(LIST_LIMIT) if which == "below_reorder" else store.stock.oversold(LIST_LIMIT)
    rows = []
    for level in levels:
        product = store.catalogue.by_id(level.product_id)
        if product is not None:
            rows.append(StockRow(product, level))
    return rows


@dataclass(frozen=True, slots=True)
class Movement:
    id: str  # the op's id here; the server's source id (adjustment, order, refund) there
    at: str  # RFC 3339 UTC
    reason: str
    delta: int
    location: str
    note: str
    unsent: bool  # this terminal's, not in the server's figure yet


def unsettled_movements(store: Store, product_id: str, limit: int = MOVEMENTS) -> list[Movement]:
    """This terminal's movements of the product that the server's figure does not include yet."""
    found = []
    for moved in store.stock.unsettled(product_id, limit):
        adjust = moved.op_type == "stock.adjust"
        reason = moved.payload.get("reason") if adjust else _OP_REASONS.get(moved.op_type, moved.op_type)
        note = moved.payload.get("note", "") if adjust else moved.payload.get("receipt_no", "")
        unsent = moved.status != "done"
        found.append(Movement(moved.op_id, moved.created_at, str(reason), moved.delta, moved.location, note, unsent))
    return found


def server_movements(api: ApiClient, product_id: str, limit: int = MOVEMENTS) -> list[Movement]:
    """The server's ledger for the product, newest first. Raises ApiUnavailable or ApiProblem."""
    answer = api.request("GET", "/v1/inventory/movements", params={"product_id": product_id, "limit": limit}).json()
    return [
        Movement(
            item["source_id"],
            item["created_at"],
            item["reason"],
            item["delta"],
            item["location"],
            item.get("note") or "",
            unsent=False,
        )
        for item in answer["items"]
    ]


@dataclass(frozen=True, slots=True)
class Movements:
    items: list[Movement]
    note: str  # where they come from, or why the server's are missing


def recent_movements(local: list[Movement], api: ApiClient | None, product_id: str) -> Movements:
    """The server's ledger merged with this terminal's unsettled movements (each once), newest first. Blocking:
    call from a worker, without holding the store."""
    if api is None:
        return Movements(local, "offline: this terminal's movements only")
    try:
        remote = server_movements(api, product_id)
    except (ApiUnavailable, ApiProblem) as exc:
        return Movements(local, f"server ledger not available ({exc}): this terminal's movements only")
    known = {movement.id for movement in remote}
    merged = [movement for movement in local if movement.id not in known] + remote
    merged.sort(key=lambda movement: movement.at, reverse=True)
    return Movements(merged[:MOVEMENTS], "server ledger and this terminal's")
