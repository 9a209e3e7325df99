"""The sales report: a period's sales and refunds grouped one way, with totals. Money in minor units."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

GroupBy = Literal["day", "hour", "category", "product", "tender", "terminal", "cashier"]


class SalesFigures(BaseModel):
    orders: int = Field(description="Orders with a sale in the row (an order may be in several rows)")
    quantity: int = Field(description="Units sold (refunded units are not taken off)")
    gross: int = Field(description="Sum of quantity * unit_price, tax excluded")
    discounts: int
    tax: int = Field(description="Tax on the sales less the tax refunded")
    net: int = Field(description="gross - discounts - refunds, tax excluded")
    refunds: int = Field(description="Money refunded in the period, tax excluded")


class SalesRow(SalesFigures):
    key: str | None = Field(
        description="day: YYYY-MM-DD; hour: YYYY-MM-DDTHH:00±HH:MM (local, with its offset); category (null: none); "
        "product: its id; tender: card, cash, other (none: an order without tenders); terminal: its id; cashier: "
        "the username"
    )
    label: str | None = Field(description="What to show: the product's name for a product, else the key")


class SalesReport(BaseModel):
    start: datetime = Field(serialization_alias="from", description="Start of the period (included), UTC")
    end: datetime = Field(serialization_alias="to", description="End of the period (excluded), UTC")
    time_zone: str = Field(description="The zone days and hours are counted in")
    group_by: GroupBy
    currency: str
    rows: list[SalesRow]
    totals: SalesFigures = Field(description="The whole period; money and quantity are the sums of the rows")
