"""Field types shared by the contract's models: bounded integers and text that is safe to store and show."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StrictInt, StringConstraints
from pydantic_core import PydanticCustomError

from common.barcodes import MAX_SHOP_CODE_LENGTH, validate_barcode

# Far beyond any till (10 billion in major units), far below where sums of them could overflow a 64-bit column.
MAX_MONEY = 10**12
MAX_QUANTITY = 1_000_000
MAX_STOCK_FIGURE = 10**9
BASIS_POINTS = 10_000

# No control characters (C0, DEL, C1): they would reach receipts and terminals (an ESC sequence in a product name
# must never repaint a till) and PostgreSQL refuses NUL. Multi-line text may hold tabs and newlines.
_SINGLE_LINE = r"^[^\x00-\x1F\x7F-\x9F]*$"
_MULTI_LINE = r"^[^\x00-\x08\x0B-\x1F\x7F-\x9F]*$"


def text(max_length: int, *, min_length: int = 1, multiline: bool = False) -> type[str]:
    pattern = _MULTI_LINE if multiline else _SINGLE_LINE
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length, pattern=pattern)]  # type: ignore[return-value]


Money = Annotated[StrictInt, Field(ge=0, le=MAX_MONEY, description="Minor units (cents)")]
PositiveMoney = Annotated[StrictInt, Field(ge=1, le=MAX_MONEY, description="Minor units (cents)")]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)]
TaxRate = Annotated[StrictInt, Field(ge=0, le=BASIS_POINTS, description="Basis points: 2000 is 20%")]
StockFigure = Annotated[StrictInt, Field(ge=-MAX_STOCK_FIGURE, le=MAX_STOCK_FIGURE)]

Sku = text(64)
ProductName = text(200)
Category = text(100)
Location = text(64)
TerminalId = text(64)
ReceiptNo = text(64)
Note = text(1000, min_length=0, multiline=True)
Reason = text(500, multiline=True)
ClientId = text(128)
SearchText = text(200, min_length=0)
Cursor = text(1000, min_length=0)


# RFC 3339: a full date, a time and an offset. Pydantic would also take a number (as Unix time) or a bare date.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise PydanticCustomError("date_time", "An RFC 3339 date-time with an offset, e.g. 2024-05-01T09:30:00Z.")
    return value


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+02:00 is before the first instant a datetime holds
        raise PydanticCustomError("date_time", "A date-time within the years 1 to 9999 in UTC.") from None


# Kept in UTC: the same instant sent with another offset is the same request.
Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339), AfterValidator(_in_utc)]


def _valid_barcode(code: str) -> str:
    reason = validate_barcode(code)
    if reason is not None:
        raise PydanticCustomError("barcode", reason)
    return code


# common.barcodes decides (shared with the console): a GTIN with a right check digit, or a shop's own code.
Barcode = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_SHOP_CODE_LENGTH, pattern=r"^[\x20-\x7E]+$"),
    AfterValidator(_valid_barcode),
]
