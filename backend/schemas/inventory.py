"""Stock levels, adjustments (signed movements with a reason) and the ledger of movements."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationInfo, field_validator

from backend.schemas.fields import MAX_STOCK_FIGURE, Location, Note, StockFigure

DEFAULT_LOCATION = "store"

AdjustmentReason = Literal["receive", "count", "damage", "transfer_in", "transfer_out", "correction"]
MovementReason = Literal[AdjustmentReason, "sale", "refund"]

# The sign each reason's delta must have: stock comes in on a receipt, goes out when damaged, and so on.
_SIGN: dict[str, int] = {"receive": 1, "transfer_in": 1, "damage": -1, "transfer_out": -1}


class AdjustmentCreate(BaseModel):
    """`delta` is signed (receive, transfer_in > 0; damage, transfer_out < 0; correction either, never 0). A
    `count` gives `counted` and `expected` (what the device believed was on hand) instead: the server applies
    `counted - expected`, so counting after sales the device had not heard of stays right."""

    model_config = ConfigDict(extra="forbid")

    id: UUID
    product_id: UUID
    location: Location = DEFAULT_LOCATION
    reason: AdjustmentReason
    counted: StockFigure | None = Field(default=None, validate_default=True)
    expected: StockFigure | None = Field(default=None, validate_default=True)
    delta: StockFigure | None = Field(default=None, validate_default=True)
    note: Note = ""

    @field_validator("counted", "expected")
    @classmethod
    def _only_for_counts(cls, value: int | None, info: ValidationInfo) -> int | None:
        reason = info.data.get("reason")
        if reason == "count" and value is None:
            raise ValueError("A count needs `counted` and `expected`.")
        if reason not in (None, "count") and value is not None:
            raise ValueError("Only a count carries `counted` and `expected`.")
        return value

    @field_validator("delta")
    @classmethod
    def _delta_fits_reason(cls, delta: int | None, info: ValidationInfo) -> int | None:
        reason = info.data.get("reason")
        if reason == "count":
            counted, expected = info.data.get("counted"), info.data.get("expected")
            if delta is not None and None not in (counted, expected) and delta != counted - expected:
                raise ValueError("For a count, leave `delta` out: it is `counted - expected`.")
            return delta
        if reason is None:
            return delta
        if delta is None or delta == 0:
            raise ValueError(f"A {reason} needs a non-zero `delta`.")
        sign = _SIGN.get(reason)
        if sign is not None and (delta > 0) != (sign > 0):
            effect, sign_name = ("adds", "positive") if sign > 0 else ("removes", "negative")
            raise ValueError(f"A {reason} {effect} stock: `delta` must be {sign_name}.")
        return delta

    def applied_delta(self) -> int:
        if self.reason == "count":
            assert self.counted is not None and self.expected is not None
            return self.counted - self.expected
        assert self.delta is not None
        return self.delta


class Adjustment(BaseModel):
    id: str
    product_id: str
    location: str
    reason: AdjustmentReason
    delta: int = Field(description="What was applied (for a count: counted - expected)")
    counted: int | None
    expected: int | None
    note: str
    on_hand: int = Field(description="On hand at this location right after this adjustment")
    oversold: bool = Field(description="on_hand went below zero")
    created_by: str
    created_at: datetime


class StockLevel(BaseModel):
    product_id: str
    location: str
    on_hand: int
    reorder_point: int
    oversold: bool = Field(description="on_hand < 0: more was sold than the shelf held")
    updated_at: datetime


class StockPage(BaseModel):
    items: list[StockLevel]
    next_cursor: str | None


class Movement(BaseModel):
    source: Literal["adjustment", "order", "refund"]
    source_id: str = Field(description="The adjustment's, order's or refund's id")
    line_no: int
    product_id: str
    location: str
    delta: int
    reason: MovementReason
    counted: int | None
    expected: int | None
    note: str
    on_hand_after: int | None
    created_by: str
    created_at: datetime


class MovementPage(BaseModel):
    items: list[Movement]
    next_cursor: str | None


class ReorderPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: UUID
    location: Location = DEFAULT_LOCATION
    reorder_point: StrictInt = Field(ge=0, le=MAX_STOCK_FIGURE)
