"""Products: the catalogue entry as the contract shows it, its create body and its partial update."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from backend.schemas.fields import Barcode, Category, Money, ProductName, Sku, TaxRate


class ProductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID = Field(description="Made by the client: a retried create is the same create")
    sku: Sku
    barcode: Barcode | None = None
    name: ProductName
    category: Category | None = None
    price: Money = Field(description="Minor units, tax excluded")
    tax_rate_bp: TaxRate = 0
    active: StrictBool = True


# Fields an update may leave out but never set to null.
_REQUIRED_WHEN_GIVEN = ("sku", "name", "price", "tax_rate_bp", "active")


class ProductPatch(BaseModel):
    """The fields to change; absent ones stay. `barcode` and `category` may be set to null to clear them."""

    model_config = ConfigDict(extra="forbid")

    sku: Sku | None = None
    barcode: Barcode | None = None
    name: ProductName | None = None
    category: Category | None = None
    price: Money | None = None
    tax_rate_bp: TaxRate | None = None
    active: StrictBool | None = Field(default=None, description="false archives the product (never deleted)")

    @model_validator(mode="after")
    def _changes_something(self) -> ProductPatch:
        if not self.model_fields_set:
            raise ValueError("Name at least one field to change.")
        nulled = [
            name for name in _REQUIRED_WHEN_GIVEN if name in self.model_fields_set and getattr(self, name) is None
        ]
        if nulled:
            raise ValueError(f"These fields cannot be null: {', '.join(nulled)}.")
        return self

    def changes(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class Product(BaseModel):
    id: str
    sku: str
    barcode: str | None
    name: str
    category: str | None
    price: int
    tax_rate_bp: int
    active: bool
    version: int
    updated_at: datetime


class ProductPage(BaseModel):
    items: list[Product]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
