"""Migration 5: till shifts, their cash movements, and which shift each order and refund belongs to.

Orders and refunds are linked through tables of their own (`shift_orders`, `shift_refunds`) rather than a new
column: the existing tables, their queries and the sync push's inserts stay as they were, and a sale costs one
more small insert. A refund's row per tender method also records how its money went back (see services.shifts),
which the Z figures and the report by tender sum.

At most one till shift and one unassigned shift are open per terminal (partial unique index): opening a second
is refused, and concurrent sales for a terminal with no shift open find or make the same unassigned one.
Tables are defined here as they are at this version; `backend.db.tables` holds their current shape.
"""

from __future__ import annotations

import sqlalchemy as sa

from backend.db.migrations.base import Migration, MigrationContext
from backend.db.types import GUID, UTCDateTime

_metadata = sa.MetaData()
# Only so that foreign keys resolve; migrations 1 and 2 created them.
sa.Table("shops", _metadata, sa.Column("id", GUID, primary_key=True))
sa.Table("orders", _metadata, sa.Column("shop_id", GUID, primary_key=True), sa.Column("id", GUID, primary_key=True))
sa.Table("refunds", _metadata, sa.Column("shop_id", GUID, primary_key=True), sa.Column("id", GUID, primary_key=True))


def _shop_id() -> sa.Column:
    return sa.Column("shop_id", GUID, sa.ForeignKey("shops.id"), nullable=False)


def _fk(columns: list[str], table: str, keys: list[str]) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["shop_id", *columns], [f"{table}.shop_id", *(f"{table}.{k}" for k in keys)])


_shifts = sa.Table(
    "shifts",
    _metadata,
    _shop_id(),
    sa.Column("id", GUID, nullable=False),
    sa.Column("terminal_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("opened_by_sub", sa.Text, nullable=True),  # none for an unassigned shift
    sa.Column("opened_by_username", sa.Text, nullable=True),
    sa.Column("opened_at", UTCDateTime, nullable=False),  # business time
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("opening_float", sa.BigInteger, nullable=False),
    sa.Column("opening_breakdown", sa.JSON, nullable=True),
    sa.Column("request_hash", sa.Text, nullable=False),  # of the open body
    sa.Column("closed_by_sub", sa.Text, nullable=True),
    sa.Column("closed_by_username", sa.Text, nullable=True),
    sa.Column("closed_at", UTCDateTime, nullable=True),
    sa.Column("close_received_at", UTCDateTime, nullable=True),
    sa.Column("counted_cash", sa.BigInteger, nullable=True),
    sa.Column("counted_breakdown", sa.JSON, nullable=True),
    sa.Column("expected_cash", sa.BigInteger, nullable=True),
    sa.Column("close_hash", sa.Text, nullable=True),  # of the close body: the same close again is a replay
    sa.PrimaryKeyConstraint("shop_id", "id"),
    sa.CheckConstraint("kind IN ('till', 'unassigned')", name="shifts_kind"),
    sa.CheckConstraint("status IN ('open', 'closed')", name="shifts_status"),
    sa.CheckConstraint("opening_float >= 0", name="shifts_opening_float_not_negative"),
    sa.CheckConstraint(
        "status = 'open' OR (closed_at IS NOT NULL AND counted_cash IS NOT NULL AND expected_cash IS NOT NULL "
        "AND close_hash IS NOT NULL)",
        name="shifts_closed_figures",
    ),
)
sa.Index(
    "shifts_one_open_per_terminal",
    _shifts.c.shop_id,
    _shifts.c.terminal_id,
    _shifts.c.kind,
    unique=True,
    sqlite_where=_shifts.c.status == "open",
    postgresql_where=_shifts.c.status == "open",
)
sa.Index("shifts_by_time", _shifts.c.shop_id, _shifts.c.opened_at, _shifts.c.id)

_shift_cash_movements = sa.Table(
    "shift_cash_movements",
    _metadata,
    _shop_id(),
    sa.Column("id", GUID, nullable=False),
    sa.Column("shift_id", GUID, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("created_by_sub", sa.Text, nullable=False),
    sa.Column("created_by_username", sa.Text, nullable=False),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("shop_id", "id"),
    _fk(["shift_id"], "shifts", ["id"]),
    sa.CheckConstraint("kind IN ('paid_in', 'paid_out')", name="shift_cash_movements_kind"),
    sa.CheckConstraint("amount > 0", name="shift_cash_movements_amount_positive"),
)
sa.Index("shift_cash_movements_by_shift", _shift_cash_movements.c.shop_id, _shift_cash_movements.c.shift_id)

_shift_orders = sa.Table(
    "shift_orders",
    _metadata,
    _shop_id(),
    sa.Column("order_id", GUID, nullable=False),
    sa.Column("shift_id", GUID, nullable=False),
    sa.PrimaryKeyConstraint("shop_id", "order_id"),
    _fk(["order_id"], "orders", ["id"]),
    _fk(["shift_id"], "shifts", ["id"]),
)
sa.Index("shift_orders_by_shift", _shift_orders.c.shop_id, _shift_orders.c.shift_id)

# One row per refund and tender method of its order: the money that went back by that method.
_shift_refunds = sa.Table(
    "shift_refunds",
    _metadata,
    _shop_id(),
    sa.Column("refund_id", GUID, nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("shift_id", GUID, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("shop_id", "refund_id", "method"),
    _fk(["refund_id"], "refunds", ["id"]),
    _fk(["shift_id"], "shifts", ["id"]),
    sa.CheckConstraint("amount >= 0", name="shift_refunds_amount_not_negative"),
)
sa.Index("shift_refunds_by_shift", _shift_refunds.c.shop_id, _shift_refunds.c.shift_id)

_TABLES = (_shifts, _shift_cash_movements, _shift_orders, _shift_refunds)


def _apply(ctx: MigrationContext) -> None:
    for table in _TABLES:
        ctx.create_tenant_table(table)
    # The sales report reads refunds by business time, as it reads orders (orders_by_time).
    ctx.conn.exec_driver_sql("CREATE INDEX refunds_by_time ON refunds (shop_id, created_at)")


MIGRATION = Migration(5, "shifts", _apply)
