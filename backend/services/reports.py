"""The sales report, summed in SQL on either database: order lines in the period (by their order's business time)
and refund lines in the period (by the refund's business time), grouped one way, with the period's totals.

Time zone: the server does not know a shop's zone, so days and hours are counted in the zone the caller names
(`tz`, an IANA name; UTC by default) and the report says which. Days and hours follow that zone's offsets,
daylight saving included: the SQL adds to each time the offset in force at it (a CASE over the zone's changes
within the period, worked out here with zoneinfo), so both databases bucket alike without their own zone data.

Grouped by tender, each order's figures are shared among its tender methods in proportion to what each took
(cash net of change), and each refund's by how its money went back (services.shifts.refund_split); shares are
rounded by cumulative floor, so the rows add up exactly to the totals. Category and product name are the
catalogue's current ones; a refund counts for the cashier who made it (the username on staff, else its sub).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backend.auth import Principal
from backend.db.tables import order_lines, order_tenders, orders, products, refund_lines, refunds, shift_refunds, staff
from backend.schemas.reports import GroupBy, SalesFigures, SalesReport, SalesRow

MAX_PERIOD = timedelta(days=400)
_EPOCH = datetime(1970, 1, 1)
_SEARCH_STEP = timedelta(hours=6)  # zones change offset far less often than this
_FIGURES = ("quantity", "gross", "discounts", "tax", "refunds")


def sales_report(
    conn: Connection,
    principal: Principal,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    group_by: GroupBy,
) -> SalesReport:
    """The report of [start, end) (see `period`), days and hours counted in `zone`."""
    offsets = zone_offsets(zone, start, end)
    if group_by == "tender":
        sales, returned = _tender_facts(conn, principal, start, end)
    else:
        sales, returned = _sales_facts(principal, start, end), _refund_facts(principal, start, end)
    facts = sa.union_all(_keyed(conn, sales, group_by, offsets), _keyed(conn, returned, group_by, offsets)).subquery()
    group = [facts.c.key, facts.c.extra]
    # The same order on both databases; an hour seen twice (clocks going back) comes first with the larger offset.
    order = [facts.c.key.asc().nulls_first(), facts.c.extra.desc()]
    rows = conn.execute(_summed(facts, *group).group_by(*group).order_by(*order)).mappings().all()
    plain = sa.union_all(
        _keyed(conn, _sales_facts(principal, start, end), None, offsets),
        _keyed(conn, _refund_facts(principal, start, end), None, offsets),
    ).subquery()
    totals = conn.execute(_summed(plain)).mappings().one()
    return SalesReport(
        start=start,
        end=end,
        time_zone=zone.key,
        group_by=group_by,
        currency=principal.currency,
        rows=[_row(row, group_by) for row in rows],
        totals=_figures(totals),
    )


def period(start: datetime | None, end: datetime | None, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period asked for; what is left out is today in `zone` (its start, or the day after `start`)."""
    if start is None:
        today = (end - timedelta(microseconds=1) if end else datetime.now(UTC)).astimezone(zone).date()
        start = _midnight(today, zone)
    if end is None:
        end = _midnight(start.astimezone(zone).date() + timedelta(days=1), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def zone_offsets(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[int, int]]:
    """(from epoch second, UTC offset in seconds) of each offset the zone has in [start, end), in order."""

    def offset(moment: datetime) -> int:
        delta = moment.astimezone(zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    found = [(int(start.timestamp()), offset(start))]
    moment = start
    while moment < end:
        step = min(moment + _SEARCH_STEP, end)
        if offset(step) != found[-1][1]:
            low, high = int(moment.timestamp()), int(step.timestamp())  # the change is in (low, high]
            while high - low > 1:
                middle = (low + high) // 2
                if offset(datetime.fromtimestamp(middle, UTC)) == found[-1][1]:
                    low = middle
                else:
                    high = middle
            found.append((high, offset(step)))
        moment = step
    return found


def _epoch(conn: Connection, column: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    """Whole seconds since 1970 of a UTCDateTime column (rounded down)."""
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.func.floor(sa.extract("epoch", column)), sa.BigInteger)
    # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff"; strftime('%s') would round the fraction, so it is cut off first.
    return sa.cast(sa.func.strftime("%s", sa.func.substr(column, 1, 19)), sa.BigInteger)


def _share(conn: Connection, figure: Any, weight: Any, cumulative: Any, whole: Any, rank: Any) -> Any:
    """The part of `figure` for a row of weight `weight` whose running weight (this row included) is
    `cumulative` of `whole`: floor(figure * cumulative / whole) - floor(figure * (cumulative - weight) / whole),
    so the parts add up to the figure exactly. With no weight at all, the first row (`rank` 1) takes it all."""

    def floor_part(upto: Any) -> Any:
        if conn.dialect.name == "postgresql":  # numeric: the product may not fit in a bigint
            return sa.cast(sa.func.div(sa.cast(figure, sa.Numeric) * upto, whole), sa.BigInteger)
        return figure * upto // whole  # SQLite divides integers as integers (truncating)

    return sa.case(
        (sa.func.coalesce(whole, 0) == 0, sa.case((sa.func.coalesce(rank, 1) == 1, figure), else_=0)),
        else_=floor_part(cumulative) - floor_part(cumulative - weight),
    )


def _sales_facts(principal: Principal, start: datetime, end: datetime) -> sa.Select[Any]:
    """One row per order line of the period, with what every grouping keys on."""
    return (
        sa.select(
            orders.c.created_at.label("at"),
            orders.c.id.label("order_id"),
            orders.c.terminal_id.label("terminal"),
            orders.c.cashier_username.label("cashier"),
            products.c.id.label("product"),
            products.c.name.label("product_name"),
            products.c.category.label("category"),
            sa.literal(None, sa.Text).label("method"),
            order_lines.c.quantity.label("quantity"),
            (order_lines.c.quantity * order_lines.c.unit_price).label("gross"),
            order_lines.c.discount.label("discounts"),
            order_lines.c.tax.label("tax"),
            sa.literal(0, sa.BigInteger).label("refunds"),
        )
        .select_from(orders)
        .join(order_lines, sa.and_(order_lines.c.shop_id == orders.c.shop_id, order_lines.c.order_id == orders.c.id))
        .join(products, sa.and_(products.c.shop_id == orders.c.shop_id, products.c.id == order_lines.c.product_id))
        .where(orders.c.shop_id == principal.shop_id, orders.c.created_at >= start, orders.c.created_at < end)
    )


def _refund_facts(principal: Principal, start: datetime, end: datetime) -> sa.Select[Any]:
    """One row per refund line of the period: its refund takes tax off and counts as refunds."""
    return (
        sa.select(
            refunds.c.created_at.label("at"),
            sa.literal(None, orders.c.id.type).label("order_id"),
            orders.c.terminal_id.label("terminal"),
            sa.func.coalesce(staff.c.username, refunds.c.created_by).label("cashier"),
            products.c.id.label("product"),
            products.c.name.label("product_name"),
            products.c.category.label("category"),
            sa.literal(None, sa.Text).label("method"),
            sa.literal(0, sa.BigInteger).label("quantity"),
            sa.literal(0, sa.BigInteger).label("gross"),
            sa.literal(0, sa.BigInteger).label("discounts"),
            (-refund_lines.c.tax).label("tax"),
            refund_lines.c.amount.label("refunds"),
        )
        .select_from(refunds)
        .join(
            refund_lines, sa.and_(refund_lines.c.shop_id == refunds.c.shop_id, refund_lines.c.refund_id == refunds.c.id)
        )
        .join(orders, sa.and_(orders.c.shop_id == refunds.c.shop_id, orders.c.id == refunds.c.order_id))
        .join(products, sa.and_(products.c.shop_id == refunds.c.shop_id, products.c.id == refund_lines.c.product_id))
        .outerjoin(staff, sa.and_(staff.c.shop_id == refunds.c.shop_id, staff.c.sub == refunds.c.created_by))
        .where(refunds.c.shop_id == principal.shop_id, refunds.c.created_at >= start, refunds.c.created_at < end)
    )


def _tender_facts(
    conn: Connection, principal: Principal, start: datetime, end: datetime
) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """Sales and refunds of the period, one row per order (refund) and tender method, figures shared out."""
    shop = principal.shop_id
    lines = (
        sa.select(
            order_lines.c.order_id,
            sa.func.sum(order_lines.c.quantity).label("quantity"),
            sa.func.sum(order_lines.c.quantity * order_lines.c.unit_price).label("gross"),
            sa.func.sum(order_lines.c.discount).label("discounts"),
            sa.func.sum(order_lines.c.tax).label("tax"),
        )
        .join(orders, sa.and_(orders.c.shop_id == order_lines.c.shop_id, orders.c.id == order_lines.c.order_id))
        .where(order_lines.c.shop_id == shop, orders.c.created_at >= start, orders.c.created_at < end)
        .group_by(order_lines.c.order_id)
        .subquery()
    )
    taken = (
        sa.select(
            order_tenders.c.order_id,
            order_tenders.c.method,
            (
                sa.func.sum(order_tenders.c.amount)
                - sa.case((order_tenders.c.method == "cash", sa.func.max(orders.c.change)), else_=0)
            ).label("weight"),
        )
        .join(orders, sa.and_(orders.c.shop_id == order_tenders.c.shop_id, orders.c.id == order_tenders.c.order_id))
        .where(order_tenders.c.shop_id == shop, orders.c.created_at >= start, orders.c.created_at < end)
        .group_by(order_tenders.c.order_id, order_tenders.c.method)
        .subquery()
    )
    sales_weights = _running(taken.c.order_id, taken.c.method, taken.c.weight).subquery()
    sales = (
        sa.select(
            orders.c.created_at.label("at"),
            orders.c.id.label("order_id"),
            *_no_other_keys(),
            sa.func.coalesce(sales_weights.c.method, "none").label("method"),
            *(_shared(conn, lines.c[name], sales_weights, name) for name in ("quantity", "gross", "discounts", "tax")),
            sa.literal(0, sa.BigInteger).label("refunds"),
        )
        .select_from(lines)
        .join(orders, sa.and_(orders.c.shop_id == shop, orders.c.id == lines.c.order_id))
        .outerjoin(sales_weights, sales_weights.c.parent == lines.c.order_id)
    )
    returned = (
        sa.select(
            refund_lines.c.refund_id,
            sa.func.sum(refund_lines.c.amount).label("refunds"),
            sa.func.sum(-refund_lines.c.tax).label("tax"),
        )
        .join(refunds, sa.and_(refunds.c.shop_id == refund_lines.c.shop_id, refunds.c.id == refund_lines.c.refund_id))
        .where(refund_lines.c.shop_id == shop, refunds.c.created_at >= start, refunds.c.created_at < end)
        .group_by(refund_lines.c.refund_id)
        .subquery()
    )
    in_period = sa.select(refunds.c.id).where(
        refunds.c.shop_id == shop, refunds.c.created_at >= start, refunds.c.created_at < end
    )
    refund_weights = _running(
        shift_refunds.c.refund_id,
        shift_refunds.c.method,
        shift_refunds.c.amount,
        shift_refunds.c.shop_id == shop,
        shift_refunds.c.refund_id.in_(in_period),
    ).subquery()
    refunded = (
        sa.select(
            refunds.c.created_at.label("at"),
            sa.literal(None, orders.c.id.type).label("order_id"),
            *_no_other_keys(),
            sa.func.coalesce(refund_weights.c.method, "none").label("method"),
            *(sa.literal(0, sa.BigInteger).label(name) for name in ("quantity", "gross", "discounts")),
            *(_shared(conn, returned.c[name], refund_weights, name) for name in ("tax", "refunds")),
        )
        .select_from(returned)
        .join(refunds, sa.and_(refunds.c.shop_id == shop, refunds.c.id == returned.c.refund_id))
        .outerjoin(refund_weights, refund_weights.c.parent == returned.c.refund_id)
    )
    return sales, refunded


def _running(parent: Any, method: Any, weight: Any, *where: Any) -> sa.Select[Any]:
    """Weights by parent (order or refund) and method, with each parent's running and whole weight and rank."""
    window = {"partition_by": parent, "order_by": method}
    return sa.select(
        parent.label("parent"),
        method.label("method"),
        weight.label("weight"),
        sa.func.sum(weight).over(**window).label("cumulative"),
        sa.func.sum(weight).over(partition_by=parent).label("whole"),
        sa.func.row_number().over(**window).label("rank"),
    ).where(*where)


def _shared(conn: Connection, figure: Any, weights: Any, name: str) -> sa.Label[Any]:
    share = _share(conn, figure, weights.c.weight, weights.c.cumulative, weights.c.whole, weights.c.rank)
    return share.label(name)


def _no_other_keys() -> list[sa.Label[Any]]:
    return [
        sa.literal(None, sa.Text).label(name) for name in ("terminal", "cashier", "product", "product_name", "category")
    ]


def _keyed(
    conn: Connection, facts: sa.Select[Any], group_by: GroupBy | None, offsets: list[tuple[int, int]]
) -> sa.Select[Any]:
    """The facts with the row key of the grouping and `extra`: the product's name, or an hour's UTC offset.
    A day or hour key is the number of local days or hours since 1970, made text in `_row`."""
    source = facts.subquery()
    key: Any
    extra: Any = sa.literal(None, sa.Text)
    if group_by in ("day", "hour"):
        seconds = _epoch(conn, source.c.at)
        offset = _offset_at(seconds, offsets)
        key = (seconds + offset) // sa.literal(86_400 if group_by == "day" else 3_600, sa.BigInteger)
        if group_by == "hour":
            extra = offset
    elif group_by == "category":
        key = source.c.category
    elif group_by == "product":
        key, extra = sa.cast(source.c.product, sa.Text), source.c.product_name
    elif group_by is None:
        key = sa.literal("", sa.Text)
    else:
        key = source.c[{"tender": "method", "terminal": "terminal", "cashier": "cashier"}[group_by]]
    return sa.select(key.label("key"), extra.label("extra"), source.c.order_id, *(source.c[n] for n in _FIGURES))


def _offset_at(seconds: Any, offsets: list[tuple[int, int]]) -> Any:
    """The zone's UTC offset at epoch second `seconds`: WHEN seconds < (a change) THEN (the offset before it)."""
    if len(offsets) == 1:
        return sa.literal(offsets[0][1], sa.BigInteger)
    changes = zip(offsets[1:], offsets, strict=False)
    return sa.case(
        *(
            (seconds < sa.literal(since, sa.BigInteger), sa.literal(before, sa.BigInteger))
            for (since, _), (_, before) in changes
        ),
        else_=sa.literal(offsets[-1][1], sa.BigInteger),
    )


def _summed(facts: Any, *group: Any) -> sa.Select[Any]:
    sums = {name: sa.func.coalesce(sa.func.sum(facts.c[name]), 0) for name in _FIGURES}
    return sa.select(
        *group,
        sa.func.count(sa.distinct(facts.c.order_id)).label("orders"),
        *(total.label(name) for name, total in sums.items()),
        (sums["gross"] - sums["discounts"] - sums["refunds"]).label("net"),
    )


def _figures(row: Any) -> SalesFigures:
    return SalesFigures(**{name: int(row[name]) for name in SalesFigures.model_fields})


def _row(row: Any, group_by: GroupBy) -> SalesRow:
    key, extra = row["key"], row["extra"]
    if group_by == "day":
        key = (_EPOCH + timedelta(days=int(key))).date().isoformat()
    elif group_by == "hour":
        offset = int(extra)
        sign, minutes = "+" if offset >= 0 else "-", abs(offset) // 60
        key = f"{_EPOCH + timedelta(hours=int(key)):%Y-%m-%dT%H:00}{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    label = extra if group_by == "product" else key
    return SalesRow(key=key, label=label, **_figures(row).model_dump())
