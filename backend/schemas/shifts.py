"""Till shifts: opening with a float, cash paid in and out, closing with the counted drawer, and the X/Z figures.

Cash amounts (`opening_float`, `counted_cash`) are a total in minor units, or a count by denomination: a list of
`{denomination, count}` with each denomination (minor units) one of the shop's currency (DENOMINATIONS) and named
once. The server keeps the total and the breakdown, and answers both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt

from backend.schemas.fields import MAX_MONEY, Money, PositiveMoney, Reason, TerminalId, Timestamp
from backend.schemas.orders import Cashier, TenderMethod
from common.denominations import DENOMINATIONS as DENOMINATIONS  # the one table (common/): services check counts

MAX_COUNT = 1_000_000

ShiftKind = Literal["till", "unassigned"]
ShiftStatus = Literal["open", "closed"]
CashMovementKind = Literal["paid_in", "paid_out"]


class DenominationCount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    denomination: StrictInt = Field(ge=1, le=MAX_MONEY, description="A coin or note of the shop's currency")
    count: StrictInt = Field(ge=0, le=MAX_COUNT)


def _distinct_denominations(value: int | list[DenominationCount]) -> int | list[DenominationCount]:
    if isinstance(value, list):
        if len({item.denomination for item in value}) != len(value):
            raise ValueError("Name each denomination once.")
        if sum(item.denomination * item.count for item in value) > MAX_MONEY:
            raise ValueError(f"The count adds up to more than {MAX_MONEY}.")
    return value


# Which denominations the shop's currency has is checked by the service, which knows the shop.
CashCount = Annotated[Money | list[DenominationCount], AfterValidator(_distinct_denominations)]


class ShiftOpen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID = Field(description="Made by the till; unique forever")
    terminal_id: TerminalId
    opening_float: CashCount = Field(description="The float put in the drawer: a total, or counts by denomination")
    opened_at: Timestamp | None = Field(default=None, description="Business time; default: when it arrives")


class CashMovementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID
    kind: CashMovementKind
    amount: PositiveMoney
    reason: Reason
    created_at: Timestamp | None = Field(default=None, description="Business time; default: when it arrives")


class ShiftClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    counted_cash: CashCount = Field(description="The drawer as counted: a total, or counts by denomination")
    closed_at: Timestamp | None = Field(default=None, description="Business time; default: when it arrives")


class CashMovement(BaseModel):
    id: str
    shift_id: str
    kind: CashMovementKind
    amount: int
    reason: str
    created_at: datetime
    received_at: datetime
    created_by: Cashier


class Shift(BaseModel):
    id: str
    terminal_id: str
    kind: ShiftKind = Field(description="unassigned: the server's shift for sales that came with no shift open")
    status: ShiftStatus
    opened_by: Cashier | None = Field(description="Whose shift it is (none for an unassigned shift)")
    opened_at: datetime
    received_at: datetime
    opening_float: int
    opening_float_breakdown: list[DenominationCount] | None
    closed_by: Cashier | None
    closed_at: datetime | None
    counted_cash: int | None
    counted_cash_breakdown: list[DenominationCount] | None
    expected_cash: int | None = Field(
        description="opening_float + cash_sales - cash_refunds + paid_in - paid_out; in a list, set once closed"
    )
    over_short: int | None = Field(description="Set at close: counted_cash - expected_cash (negative: short)")


class ShiftPage(BaseModel):
    items: list[Shift]
    next_cursor: str | None


class TenderTotal(BaseModel):
    method: TenderMethod
    orders: int = Field(description="Orders paid (at least partly) by this method")
    amount: int = Field(description="What the method took; cash net of change given")


class RefundTenderTotal(BaseModel):
    method: TenderMethod
    amount: int


class RefundFigures(BaseModel):
    count: int
    total: int = Field(description="Money returned, tax included")
    by_tender: list[RefundTenderTotal]


class CashMovementFigures(BaseModel):
    paid_in: int
    paid_out: int
    items: list[CashMovement]


class ShiftReport(Shift):
    """The shift and its figures: an X report while it is open (expected_cash so far; counted_cash and
    over_short null), the Z report once closed. All money in minor units."""

    report: Literal["X", "Z"]
    order_count: int
    first_receipt_no: str | None = Field(description="Of the shift's first order by business time")
    last_receipt_no: str | None
    sales_total: int = Field(description="Orders' totals, tax included")
    sales_tax: int
    sales_by_tender: list[TenderTotal]
    refunds: RefundFigures
    cash_movements: CashMovementFigures
    cash_sales: int = Field(description="Cash taken, net of change")
    cash_refunds: int = Field(description="Refunds paid out in cash")
