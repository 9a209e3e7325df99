"""Migration 2: the catalogue, the stock ledger, orders and refunds, and what sync needs (applied ops, per-client
seq, the per-shop change counter that orders the change feed).

Every table belongs to one shop: its key starts with `shop_id`, so one shop's ids never collide with, block or
reveal another's, and on PostgreSQL RLS scopes every row. Money and quantities are integers (minor units).
Tables are defined here as they were at this version; `backend.db.tables` holds their current shape.
"""

from __future__ import annotations

import sqlalchemy as sa

from backend.db.migrations.base import Migration, MigrationContext
from backend.db.types import GUID, UTCDateTime

_metadata = sa.MetaData()
# Only so that foreign keys to shops resolve; migration 1 created it.
sa.Table("shops", _metadata, sa.Column("id", GUID, primary_key=True))


def _shop_id() -> sa.Column:
    return sa.Column("shop_id", GUID, sa.ForeignKey("shops.id"), nullable=False)


def _fk(columns: list[str], table: str, keys: list[str]) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["shop_id", *columns], [f"{table}.shop_id", *(f"{table}.{k}" for k in keys)])


_products = sa.Table(
    "products",
    _metadata,
    _shop_id(),
    sa.Column("id", GUID, nullable=False),
    sa.Column("sku", sa.Text, nullable=False),
    sa.Column("barcode", sa.Text, nullable=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=True),
    sa.Column("price", sa.BigInteger, nullable=False),
    sa.Column("tax_rate_bp", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("request_hash", sa.Text, nullable=False),  # of the create body: a replay must match it
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("change_seq", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("shop_id", "id"),
    sa.UniqueConstraint("shop_id", "barcode", name="products_barcode_unique"),
    sa.CheckConstraint("price >= 0", name="products_price_not_negative"),
    sa.CheckConstraint("tax_rate_bp BETWEEN 0 AND 10000", name="products_tax_rate_range"),
    sa.CheckConstraint("version >= 1", name="products_version_positive"),
)
# SKUs are typed and read by people: "abc-1" and "ABC-1" are the same SKU.
sa.Index("products_sku_unique", _products.c.shop_id, sa.func.lower(_products.c.sku), unique=True)
sa.Index("products_by_name", _products.c.shop_id, _products.c.name, _products.c.id)
sa.Index("products_changes", _products.c.shop_id, _products.c.change_seq)

_stock = sa.Table(
    "stock",
    _metadata,
    _shop_id(),
    sa.Column("product_id", GUID, nullable=False),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("on_hand", sa.BigInteger, nullable=False),
    sa.Column("reorder_point", sa.BigInteger, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("change_seq", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("shop_id", "product_id", "location"),
    _fk(["product_id"], "products", ["id"]),
    sa.CheckConstraint("reorder_point >= 0", name="stock_reorder_point_not_negative"),
)
sa.Index("stock_changes", _stock.c.shop_id, _stock.c.change_seq)

# The ledger: every change of stock is one signed movement, keyed by what caused it (an adjustment is its own
# source, line 0; an order or refund has one movement per line), so a cause moves stock at most once.
_stock_movements = sa.Table(
    "stock_movements",
    _metadata,
    _shop_id(),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("source_id", GUID, nullable=False),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("product_id", GUID, nullable=False),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("delta", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("counted", sa.BigInteger, nullable=True),
    sa.Column("expected", sa.BigInteger, nullable=True),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("on_hand_after", sa.BigInteger, nullable=True),  # set once the stock row has moved
    sa.Column("request_hash", sa.Text, nullable=True),  # adjustments: of the create body
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("shop_id", "source", "source_id", "line_no"),
    _fk(["product_id"], "products", ["id"]),
    sa.CheckConstraint("source IN ('adjustment', 'order', 'refund')", name="stock_movements_source"),
    sa.CheckConstraint(
        "reason IN ('receive', 'count', 'damage', 'transfer_in', 'transfer_out', 'correction', 'sale', 'refund')",
        name="stock_movements_reason",
    ),
)
sa.Index(
    "stock_movements_by_product",
    _stock_movements.c.shop_id,
    _stock_movements.c.product_id,
    _stock_movements.c.location,
    _stock_movements.c.created_at,
)

_orders = sa.Table(
    "orders",
    _metadata,
    _shop_id(),
    sa.Column("id", GUID, nullable=False),
    sa.Column("terminal_id", sa.Text, nullable=False),
    sa.Column("receipt_no", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),  # business time: the device's clock at the sale
    sa.Column("received_at", UTCDateTime, nullable=False),  # when the server stored it
    sa.Column("cashier_sub", sa.Text, nullable=False),
    sa.Column("cashier_username", sa.Text, nullable=False),
    sa.Column("subtotal", sa.BigInteger, nullable=False),
    sa.Column("tax", sa.BigInteger, nullable=False),
    sa.Column("total", sa.BigInteger, nullable=False),
    sa.Column("tendered", sa.BigInteger, nullable=False),
    sa.Column("change", sa.BigInteger, nullable=False),
    sa.Column("flags", sa.JSON, nullable=False),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("shop_id", "id"),
    sa.UniqueConstraint("shop_id", "terminal_id", "receipt_no", name="orders_receipt_unique"),
    sa.CheckConstraint("total = subtotal + tax", name="orders_total"),
    sa.CheckConstraint("change >= 0 AND change = tendered - total", name="orders_change"),
)
sa.Index("orders_by_time", _orders.c.shop_id, _orders.c.created_at, _orders.c.id)
sa.Index("orders_by_terminal", _orders.c.shop_id, _orders.c.terminal_id, _orders.c.created_at)
sa.Index("orders_received", _orders.c.received_at)  # counts across shops (the admin's business metrics)

_order_lines = sa.Table(
    "order_lines",
    _metadata,
    _shop_id(),
    sa.Column("order_id", GUID, nullable=False),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("product_id", GUID, nullable=False),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("unit_price", sa.BigInteger, nullable=False),  # the price charged, whatever the catalogue said
    sa.Column("discount", sa.BigInteger, nullable=False),
    sa.Column("tax_rate_bp", sa.Integer, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("tax", sa.BigInteger, nullable=False),
    sa.Column("catalogue_price", sa.BigInteger, nullable=False),
    sa.Column("flags", sa.JSON, nullable=False),
    sa.Column("refunded_quantity", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("shop_id", "order_id", "line_no"),
    _fk(["order_id"], "orders", ["id"]),
    _fk(["product_id"], "products", ["id"]),
    sa.CheckConstraint("quantity > 0", name="order_lines_quantity_positive"),
    sa.CheckConstraint("amount >= 0 AND amount = quantity * unit_price - discount", name="order_lines_amount"),
    sa.CheckConstraint("refunded_quantity BETWEEN 0 AND quantity", name="order_lines_refund_limit"),
)

_order_tenders = sa.Table(
    "order_tenders",
    _metadata,
    _shop_id(),
    sa.Column("order_id", GUID, nullable=False),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("shop_id", "order_id", "line_no"),
    _fk(["order_id"], "orders", ["id"]),
    sa.CheckConstraint("amount > 0", name="order_tenders_amount_positive"),
)

_refunds = sa.Table(
    "refunds",
    _metadata,
    _shop_id(),
    sa.Column("id", GUID, nullable=False),
    sa.Column("order_id", GUID, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("tax", sa.BigInteger, nullable=False),
    sa.Column("total", sa.BigInteger, nullable=False),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("shop_id", "id"),
    _fk(["order_id"], "orders", ["id"]),
)
sa.Index("refunds_by_order", _refunds.c.shop_id, _refunds.c.order_id)

_refund_lines = sa.Table(
    "refund_lines",
    _metadata,
    _shop_id(),
    sa.Column("refund_id", GUID, nullable=False),
    sa.Column("line_no", sa.Integer, nullable=False),  # the order line it returns
    sa.Column("product_id", GUID, nullable=False),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("tax", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("shop_id", "refund_id", "line_no"),
    _fk(["refund_id"], "refunds", ["id"]),
    sa.CheckConstraint("quantity > 0", name="refund_lines_quantity_positive"),
)

# The change feed's clock: each writing transaction takes its numbers here, last, so they follow commit order.
_change_counters = sa.Table(
    "change_counters",
    _metadata,
    sa.Column("shop_id", GUID, sa.ForeignKey("shops.id"), primary_key=True),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
)

_sync_clients = sa.Table(
    "sync_clients",
    _metadata,
    _shop_id(),
    sa.Column("client_id", sa.Text, nullable=False),
    sa.Column("last_applied_seq", sa.BigInteger, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("shop_id", "client_id"),
)

# One row per applied sync op, committed with the op's effect: a replay answers from here.
_sync_ops = sa.Table(
    "sync_ops",
    _metadata,
    _shop_id(),
    sa.Column("id", GUID, nullable=False),
    sa.Column("client_id", sa.Text, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("http_status", sa.Integer, nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("shop_id", "id"),
)

_TABLES = (
    _products,
    _stock,
    _stock_movements,
    _orders,
    _order_lines,
    _order_tenders,
    _refunds,
    _refund_lines,
    _change_counters,
    _sync_clients,
    _sync_ops,
)


def _apply(ctx: MigrationContext) -> None:
    for table in _TABLES:
        ctx.create_tenant_table(table)


MIGRATION = Migration(2, "catalogue_sales_sync", _apply)
