"""/v1/products: the catalogue. Anyone reads; managers create and edit (archive with `active: false`)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response

from backend.auth import Managers, Readers
from backend.dependencies import DbConnection
from backend.schemas.fields import Barcode, Cursor, SearchText
from backend.schemas.products import Product, ProductCreate, ProductPage, ProductPatch
from backend.services import products
from backend.services.operations import parse_version, perform

router = APIRouter(prefix="/v1/products", tags=["products"])

REPLAYED = {200: {"model": Product, "description": "The same create came again: the stored product"}}


def _with_etag(response: Response, product: Product) -> Product:
    response.headers["ETag"] = f'"{product.version}"'
    return product


@router.get("")
def list_products(
    principal: Readers,
    conn: DbConnection,
    q: Annotated[SearchText | None, Query(description="Part of the name or SKU, any case")] = None,
    barcode: Annotated[Barcode | None, Query(description="Exact barcode")] = None,
    active: Annotated[bool | None, Query(description="Only active (true) or archived (false) products")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[Cursor | None, Query(description="next_cursor of the previous page")] = None,
) -> ProductPage:
    return products.list_products(conn, principal, q=q, barcode=barcode, active=active, limit=limit, cursor=cursor)


@router.get("/{product_id}")
def get_product(product_id: UUID, principal: Readers, conn: DbConnection, response: Response) -> Product:
    return _with_etag(response, products.get_product(conn, principal, str(product_id)))


@router.post("", status_code=201, responses=REPLAYED)
def create_product(body: ProductCreate, principal: Managers, conn: DbConnection, response: Response) -> Product:
    outcome = perform("product.create", principal, str(body.id), lambda: products.create_product(conn, principal, body))
    response.status_code = outcome.status
    return _with_etag(response, outcome.body)


@router.patch(
    "/{product_id}",
    responses={
        409: {"description": "Stale If-Match: the problem's `current` member holds the current product"},
        428: {"description": "If-Match is missing"},
    },
)
def update_product(
    product_id: UUID,
    body: ProductPatch,
    principal: Managers,
    conn: DbConnection,
    response: Response,
    if_match: Annotated[str | None, Header(description="The version the change is based on")] = None,
) -> Product:
    version = parse_version(if_match)
    outcome = perform(
        "product.update",
        principal,
        str(product_id),
        lambda: products.update_product(conn, principal, str(product_id), version, body),
    )
    return _with_etag(response, outcome.body)
