"""Orders and refunds: what a till sends, and the stored order with the server's totals and flags."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from backend.schemas.fields import (
    MAX_MONEY,
    Money,
    PositiveMoney,
    Quantity,
    Reason,
    ReceiptNo,
    TaxRate,
    TerminalId,
    Timestamp,
)

TenderMethod = Literal["cash", "card", "other"]
MAX_LINES = 500
MAX_TENDERS = 20

OrderFlag = Literal["price_differs", "tax_differs", "archived_product", "oversold"]


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: UUID
    quantity: Quantity
    unit_price: Money = Field(
        description="The price charged per unit (tax excluded); kept even if the catalogue differs"
    )
    discount: Money = Field(default=0, description="The whole line's discount, at most quantity * unit_price")
    tax_rate_bp: TaxRate | None = Field(
        default=None, description="The rate charged, if the till knew one (e.g. sold offline); default: the catalogue's"
    )

    @field_validator("discount")
    @classmethod
    def _discount_within_line(cls, discount: int, info: ValidationInfo) -> int:
        quantity, unit_price = info.data.get("quantity"), info.data.get("unit_price")
        if quantity is not None and unit_price is not None:
            if quantity * unit_price > MAX_MONEY:
                raise ValueError(f"quantity * unit_price is larger than {MAX_MONEY}.")
            if discount > quantity * unit_price:
                raise ValueError(f"The discount is larger than the line ({quantity} x {unit_price}).")
        return discount


class TenderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: TenderMethod = Field(description="Only cash can be over-tendered (it gives change)")
    amount: PositiveMoney


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID = Field(description="Made by the till; unique forever")
    terminal_id: TerminalId
    receipt_no: ReceiptNo = Field(description="Unique per terminal")
    created_at: Timestamp = Field(description="Business time: the till's clock when the sale was made")
    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES)
    tenders: list[TenderIn] = Field(default_factory=list, max_length=MAX_TENDERS)

    @model_validator(mode="after")
    def _amounts_fit(self) -> OrderCreate:
        if sum(line.quantity * line.unit_price for line in self.lines) > MAX_MONEY:
            raise ValueError(f"The order's lines add up to more than {MAX_MONEY}.")
        return self


class OrderLine(BaseModel):
    line_no: int
    product_id: str
    quantity: int
    unit_price: int
    discount: int
    tax_rate_bp: int
    amount: int = Field(description="quantity * unit_price - discount")
    tax: int = Field(description="round_half_even(amount * tax_rate_bp / 10000)")
    catalogue_price: int = Field(description="The catalogue's price when the server took the order")
    flags: list[OrderFlag]
    refunded_quantity: int


class Tender(BaseModel):
    method: TenderMethod
    amount: int


class Cashier(BaseModel):
    sub: str
    username: str


class RefundSummary(BaseModel):
    id: str
    reason: str
    created_at: datetime
    amount: int
    tax: int
    total: int


class Order(BaseModel):
    id: str
    terminal_id: str
    receipt_no: str
    created_at: datetime = Field(description="Business time, as the till sent it")
    received_at: datetime = Field(description="When the server stored the order")
    cashier: Cashier
    lines: list[OrderLine]
    tenders: list[Tender]
    subtotal: int
    tax: int
    total: int
    tendered: int
    change: int
    flags: list[OrderFlag]
    refunds: list[RefundSummary]


class OrderPage(BaseModel):
    items: list[Order]
    next_cursor: str | None


class RefundLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: UUID
    quantity: Quantity


class RefundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID
    lines: list[RefundLineIn] = Field(min_length=1, max_length=MAX_LINES)
    reason: Reason
    created_at: Timestamp | None = Field(default=None, description="Business time; default: when it arrives")

    @field_validator("lines")
    @classmethod
    def _each_product_once(cls, lines: list[RefundLineIn]) -> list[RefundLineIn]:
        if len({line.product_id for line in lines}) != len(lines):
            raise ValueError("Name each product once, with the whole quantity to refund.")
        return lines


class RefundLine(BaseModel):
    line_no: int = Field(description="The order line it returns")
    product_id: str
    quantity: int
    amount: int
    tax: int


class Refund(BaseModel):
    id: str
    order_id: str
    reason: str
    created_at: datetime
    received_at: datetime
    created_by: str
    lines: list[RefundLine]
    amount: int
    tax: int
    total: int
