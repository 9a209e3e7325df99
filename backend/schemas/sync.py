"""Sync: a client's batch of queued ops and the per-op results; the change feed of products and stock."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from backend.schemas.fields import ClientId
from backend.schemas.inventory import StockLevel
from backend.schemas.products import Product

MAX_OPS = 500
MAX_CHANGES = 5_000

OpStatus = Literal["applied", "duplicate", "rejected", "conflict"]


class SyncOp(BaseModel):
    """One queued write. Only `seq` is checked with the batch; `id`, `type` and `payload` are checked per op, so
    that one bad op is rejected alone and never fails the ops queued behind it."""

    model_config = ConfigDict(extra="forbid")

    seq: StrictInt = Field(ge=0, le=2**62, description="The client's own monotonic number for the op")
    id: str = Field(description="A UUID: for creates, the new entity's id")
    type: str = Field(description="order.create, order.refund, stock.adjust, product.create or product.update")
    payload: Any = Field(description="An object: the single route's body, plus what it takes from path and headers")


class PushRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: ClientId
    ops: list[SyncOp] = Field(max_length=MAX_OPS)


class OpResult(BaseModel):
    seq: int
    id: str
    status: OpStatus
    http_status: int = Field(description="The status the op's single route would have answered")
    body: dict[str, Any] = Field(description="The body that route would have answered (an entity or a problem)")


class PushResponse(BaseModel):
    results: list[OpResult]
    last_applied_seq: int | None = Field(description="The highest seq of this client the server has applied")


class Change(BaseModel):
    cursor: str
    entity: Literal["product", "stock"]
    id: str = Field(description="The product id; for stock `<product_id>/<location>`")
    data: Product | StockLevel
    deleted: bool


class ChangePage(BaseModel):
    changes: list[Change]
    next_cursor: str = Field(description="Pass as `since` next time (also when there were no changes)")
    has_more: bool
