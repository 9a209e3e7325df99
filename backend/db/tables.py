"""The current shape of every table, for building queries. Migrations create and change the tables; keep
this file in step with them (tests compare it with the migrated schema on both databases)."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db.types import GUID, UTCDateTime

metadata = sa.MetaData()

shops = sa.Table(
    "shops",
    metadata,
    sa.Column("id", GUID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

staff = sa.Table(
    "staff",
    metadata,
    sa.Column("sub", sa.Text, primary_key=True),
    sa.Column("shop_id", GUID, sa.ForeignKey("shops.id"), nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)


def _shop_id() -> sa.Column:
    """Every key below starts with the shop: one shop's ids never collide with, block or reveal another's."""
    return sa.Column("shop_id", GUID, sa.ForeignKey("shops.id"), primary_key=True)


def _fk(columns: list[str], table: str, keys: list[str]) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["shop_id", *columns], [f"{table}.shop_id", *(f"{table}.{k}" for k in keys)])


products = sa.Table(
    "products",
    metadata,
    _shop_id(),
    sa.Column("id", GUID, primary_key=True),
    sa.Column("sku", sa.Text, nullable=False),
    sa.Column("barcode", sa.Text, nullable=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=True),
    sa.Column("price", sa.BigInteger, nullable=False),
    sa.Column("tax_rate_bp", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("change_seq", sa.BigInteger, nullable=False),
)

stock = sa.Table(
    "stock",
    metadata,
    _shop_id(),
    sa.Column("product_id", GUID, primary_key=True),
    sa.Column("location", sa.Text, primary_key=True),
    sa.Column("on_hand", sa.BigInteger, nullable=False),
    sa.Column("reorder_point", sa.BigInteger, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("change_seq", sa.BigInteger, nullable=False),
    _fk(["product_id"], "products", ["id"]),
)

stock_movements = sa.Table(
    "stock_movements",
    metadata,
    _shop_id(),
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("source_id", GUID, primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("product_id", GUID, nullable=False),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("delta", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("counted", sa.BigInteger, nullable=True),
    sa.Column("expected", sa.BigInteger, nullable=True),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("on_hand_after", sa.BigInteger, nullable=True),
    sa.Column("request_hash", sa.Text, nullable=True),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    _fk(["product_id"], "products", ["id"]),
)

orders = sa.Table(
    "orders",
    metadata,
    _shop_id(),
    sa.Column("id", GUID, primary_key=True),
    sa.Column("terminal_id", sa.Text, nullable=False),
    sa.Column("receipt_no", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("cashier_sub", sa.Text, nullable=False),
    sa.Column("cashier_username", sa.Text, nullable=False),
    sa.Column("subtotal", sa.BigInteger, nullable=False),
    sa.Column("tax", sa.BigInteger, nullable=False),
    sa.Column("total", sa.BigInteger, nullable=False),
    sa.Column("tendered", sa.BigInteger, nullable=False),
    sa.Column("change", sa.BigInteger, nullable=False),
    sa.Column("flags", sa.JSON, nullable=False),
    sa.Column("request_hash", sa.Text, nullable=False),
)

order_lines = sa.Table(
    "order_lines",
    metadata,
    _shop_id(),
    sa.Column("order_id", GUID, primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("product_id", GUID, nullable=False),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("unit_price", sa.BigInteger, nullable=False),
    sa.Column("discount", sa.BigInteger, nullable=False),
    sa.Column("tax_rate_bp", sa.Integer, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("tax", sa.BigInteger, nullable=False),
    sa.Column("catalogue_price", sa.BigInteger, nullable=False),
    sa.Column("flags", sa.JSON, nullable=False),
    sa.Column("refunded_quantity", sa.BigInteger, nullable=False),
    _fk(["order_id"], "orders", ["id"]),
    _fk(["product_id"], "products", ["id"]),
)

order_tenders = sa.Table(
    "order_tenders",
    metadata,
    _shop_id(),
    sa.Column("order_id", GUID, primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    _fk(["order_id"], "orders", ["id"]),
)

refunds = sa.Table(
    "refunds",
    metadata,
    _shop_id(),
    sa.Column("id", GUID, primary_key=True),
    sa.Column("order_id", GUID, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("tax", sa.BigInteger, nullable=False),
    sa.Column("total", sa.BigInteger, nullable=False),
    sa.Column("request_hash", sa.Text, nullable=False),
    _fk(["order_id"], "orders", ["id"]),
)

refund_lines = sa.Table(
    "refund_lines",
    metadata,
    _shop_id(),
    sa.Column("refund_id", GUID, primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("product_id", GUID, nullable=False),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("tax", sa.BigInteger, nullable=False),
    _fk(["refund_id"], "refunds", ["id"]),
)

change_counters = sa.Table(
    "change_counters",
    metadata,
    _shop_id(),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
)

sync_clients = sa.Table(
    "sync_clients",
    metadata,
    _shop_id(),
    sa.Column("client_id", sa.Text, primary_key=True),
    sa.Column("last_applied_seq", sa.BigInteger, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

sync_ops = sa.Table(
    "sync_ops",
    metadata,
    _shop_id(),
    sa.Column("id", GUID, primary_key=True),
    sa.Column("client_id", sa.Text, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("http_status", sa.Integer, nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)

# Tables whose rows each belong to one shop, with the column naming it (RLS-protected on PostgreSQL).
TENANT_COLUMNS: dict[str, str] = {
    "shops": "id",
    "staff": "shop_id",
    **{
        table.name: "shop_id"
        for table in (
            products,
            stock,
            stock_movements,
            orders,
            order_lines,
            order_tenders,
            refunds,
            refund_lines,
            change_counters,
            sync_clients,
            sync_ops,
        )
    },
}

# Migration 5: till shifts, their cash movements, and which shift each order and refund belongs to.
shifts = sa.Table(
    "shifts",
    metadata,
    _shop_id(),
    sa.Column("id", GUID, primary_key=True),
    sa.Column("terminal_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("opened_by_sub", sa.Text, nullable=True),
    sa.Column("opened_by_username", sa.Text, nullable=True),
    sa.Column("opened_at", UTCDateTime, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("opening_float", sa.BigInteger, nullable=False),
    sa.Column("opening_breakdown", sa.JSON, nullable=True),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.Column("closed_by_sub", sa.Text, nullable=True),
    sa.Column("closed_by_username", sa.Text, nullable=True),
    sa.Column("closed_at", UTCDateTime, nullable=True),
    sa.Column("close_received_at", UTCDateTime, nullable=True),
    sa.Column("counted_cash", sa.BigInteger, nullable=True),
    sa.Column("counted_breakdown", sa.JSON, nullable=True),
    sa.Column("expected_cash", sa.BigInteger, nullable=True),
    sa.Column("close_hash", sa.Text, nullable=True),
)

shift_cash_movements = sa.Table(
    "shift_cash_movements",
    metadata,
    _shop_id(),
    sa.Column("id", GUID, primary_key=True),
    sa.Column("shift_id", GUID, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("created_by_sub", sa.Text, nullable=False),
    sa.Column("created_by_username", sa.Text, nullable=False),
    sa.Column("request_hash", sa.Text, nullable=False),
    _fk(["shift_id"], "shifts", ["id"]),
)

shift_orders = sa.Table(
    "shift_orders",
    metadata,
    _shop_id(),
    sa.Column("order_id", GUID, primary_key=True),
    sa.Column("shift_id", GUID, nullable=False),
    _fk(["order_id"], "orders", ["id"]),
    _fk(["shift_id"], "shifts", ["id"]),
)

shift_refunds = sa.Table(
    "shift_refunds",
    metadata,
    _shop_id(),
    sa.Column("refund_id", GUID, primary_key=True),
    sa.Column("method", sa.Text, primary_key=True),
    sa.Column("shift_id", GUID, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    _fk(["refund_id"], "refunds", ["id"]),
    _fk(["shift_id"], "shifts", ["id"]),
)

TENANT_COLUMNS.update({table.name: "shop_id" for table in (shifts, shift_cash_movements, shift_orders, shift_refunds)})
