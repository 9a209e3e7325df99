"""The change feed of products and stock: every row carries the number of its latest change, `change_seq`.

Numbers come from one counter row per shop (`change_counters`), and a writing transaction takes its numbers there
as its very last step (`stamp`). Taking the counter locks that row until the transaction ends, so a later number
always belongs to a later commit: on PostgreSQL, where transactions commit out of order, a reader that saw number
N can never miss a change committed afterwards, since that change's number is above N. (On SQLite writers take
turns anyway.) Taken last, the counter is the last lock a writer waits for, so it adds no deadlock: whoever holds it
already holds every row it is about to stamp.

A row changed twice carries only its latest number, so the feed shows it once, at its latest state. The cursor is
that number, stored in the database: it survives restarts.

A sync push applies many ops in one transaction: there each op's `stamp` only notes its rows (`noted`), and the
push stamps them all once, as its last step, so the counter is still the last lock it takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backend.db.tables import change_counters, products, stock
from backend.db.upsert import insert
from backend.problems import Problem
from backend.schemas.inventory import StockLevel
from backend.schemas.products import Product
from backend.schemas.sync import Change, ChangePage
from backend.services.pagination import invalid_query

_PRODUCT_FIELDS = ("sku", "barcode", "name", "category", "price", "tax_rate_bp", "active", "version")
_STOCK_FIELDS = ("on_hand", "reorder_point")


_NOTED = "changes.noted"  # conn.info key of the Noted collecting stamps instead of taking numbers


@dataclass
class Noted:
    """Rows changed while stamps were deferred (see `noted`), to stamp later in one go."""

    products: set[str] = field(default_factory=set)
    stock: set[tuple[str, str]] = field(default_factory=set)

    def update(self, other: Noted) -> None:
        self.products |= other.products
        self.stock |= other.stock


@contextmanager
def noted(conn: Connection) -> Iterator[Noted]:
    """In this block `stamp` only notes the rows on `conn` into the Noted it yields; the caller stamps them later."""
    collected = Noted()
    conn.info[_NOTED] = collected
    try:
        yield collected
    finally:
        del conn.info[_NOTED]


def stamp(
    conn: Connection,
    shop_id: str,
    *,
    products_changed: Iterable[str] = (),
    stock_changed: Iterable[tuple[str, str]] = (),
) -> None:
    """Give each row this transaction changed the next change numbers. Call it once, after the last write."""
    collecting: Noted | None = conn.info.get(_NOTED)
    if collecting is not None:
        collecting.products.update(products_changed)
        collecting.stock.update(stock_changed)
        return
    product_ids = sorted(set(products_changed))
    stock_keys = sorted(set(stock_changed))
    count = len(product_ids) + len(stock_keys)
    if not count:
        return
    statement = insert(conn, change_counters).values(shop_id=shop_id, last_seq=count)
    last = conn.execute(
        statement.on_conflict_do_update(
            index_elements=[change_counters.c.shop_id],
            set_={"last_seq": change_counters.c.last_seq + count},
        ).returning(change_counters.c.last_seq)
    ).scalar_one()
    numbers = iter(range(last - count + 1, last + 1))
    if product_ids:
        conn.execute(
            sa.update(products)
            .where(products.c.shop_id == shop_id, products.c.id == sa.bindparam("key_id"))
            .values(change_seq=sa.bindparam("seq")),
            [{"key_id": product_id, "seq": next(numbers)} for product_id in product_ids],
        )
    if stock_keys:
        conn.execute(
            sa.update(stock)
            .where(
                stock.c.shop_id == shop_id,
                stock.c.product_id == sa.bindparam("key_id"),
                stock.c.location == sa.bindparam("key_location"),
            )
            .values(change_seq=sa.bindparam("seq")),
            [{"key_id": pid, "key_location": location, "seq": next(numbers)} for pid, location in stock_keys],
        )


def parse_since(since: str | None) -> int:
    if not since:
        return 0
    if not since.isascii() or not since.isdigit() or len(since) > 19:
        raise invalid_query("since", "This cursor was not issued by this server: pull again without one.")
    return int(since)


def read_changes(conn: Connection, shop_id: str, since: int, limit: int) -> ChangePage:
    """The next `limit` changes after `since`, in commit order, in one statement (one snapshot)."""

    def typed_null(column: sa.Column) -> sa.ColumnElement:
        return sa.cast(sa.null(), column.type).label(column.name)

    def product_branch() -> sa.Select:
        return (
            sa.select(
                sa.literal("product").label("entity"),
                products.c.change_seq.label("seq"),
                products.c.id.label("product_id"),
                typed_null(stock.c.location),
                *(products.c[name] for name in _PRODUCT_FIELDS),
                *(typed_null(stock.c[name]) for name in _STOCK_FIELDS),
                products.c.updated_at,
            )
            .where(products.c.shop_id == shop_id, products.c.change_seq > since)
            .order_by(products.c.change_seq)
            .limit(limit + 1)
        )

    def stock_branch() -> sa.Select:
        return (
            sa.select(
                sa.literal("stock").label("entity"),
                stock.c.change_seq.label("seq"),
                stock.c.product_id,
                stock.c.location,
                *(typed_null(products.c[name]) for name in _PRODUCT_FIELDS),
                *(stock.c[name] for name in _STOCK_FIELDS),
                stock.c.updated_at,
            )
            .where(stock.c.shop_id == shop_id, stock.c.change_seq > since)
            .order_by(stock.c.change_seq)
            .limit(limit + 1)
        )

    # Each branch reads at most limit + 1 rows off its (shop_id, change_seq) index; SQLite wants them as subqueries.
    branches = [branch().subquery() for branch in (product_branch, stock_branch)]
    feed = sa.union_all(*(sa.select(branch) for branch in branches)).subquery()
    rows = conn.execute(sa.select(feed).order_by(feed.c.seq).limit(limit + 1)).mappings().all()
    if not rows:
        latest = conn.scalar(sa.select(change_counters.c.last_seq).where(change_counters.c.shop_id == shop_id)) or 0
        if since > latest:
            raise Problem(
                410,
                "This cursor is ahead of every change this server has made (was the database replaced?): "
                "pull again from the start.",
                type_="cursor-ahead",
            )
    page = rows[:limit]
    return ChangePage(
        changes=[_change(row) for row in page],
        next_cursor=str(page[-1]["seq"] if page else since),
        has_more=len(rows) > limit,
    )


def _change(row: sa.RowMapping) -> Change:
    product_id = str(row["product_id"])
    if row["entity"] == "product":
        data: Product | StockLevel = Product(
            id=product_id, **{name: row[name] for name in _PRODUCT_FIELDS}, updated_at=row["updated_at"]
        )
        key = product_id
    else:
        data = StockLevel(
            product_id=product_id,
            location=row["location"],
            on_hand=row["on_hand"],
            reorder_point=row["reorder_point"],
            oversold=row["on_hand"] < 0,
            updated_at=row["updated_at"],
        )
        key = f"{product_id}/{row['location']}"
    return Change(cursor=str(row["seq"]), entity=row["entity"], id=key, data=data, deleted=False)
