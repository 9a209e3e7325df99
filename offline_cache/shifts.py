"""Till shifts on this terminal: open with a float, cash paid in and out, close with the counted drawer, and the
X/Z figures worked out from what was recorded here.

Each write commits its local row and its outbox op (shift.open, shift.cash, shift.close, on the entity
`shift:<id>`) in one transaction, like a sale. A sale or refund recorded while the shift is open joins it in the
sale's own transaction (triggers of migration 2), which is where shop-api puts it when the ops arrive in queue
order: open, sales, close. The figures use common.till, as the server does, so they agree once everything has
synced; until then they are provisional. The server's own figures are kept once fetched (or answered by the
close) so a synced shift can be compared with them.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from common import till
from common.denominations import count_total, denominations
from offline_cache import outbox
from offline_cache.clock import Clock, from_text, to_text
from offline_cache.db import transaction
from offline_cache.jsonutil import dumps, loads_or_none
from offline_cache.outbox import QueuedOp
from offline_cache.writes import MAX_AMOUNT, InvalidWrite, clean_text

CashKind = Literal["paid_in", "paid_out"]
CASH_KINDS: tuple[CashKind, ...] = ("paid_in", "paid_out")
MAX_COUNT = 1_000_000  # of one coin or note, as shop-api takes it

# A cash amount as typed: a total in minor units, or counts by denomination ((denomination, count) pairs).
CashAmount = int | Sequence[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class CashMovement:
    id: str
    kind: CashKind
    amount: int
    reason: str
    created_at: str
    created_by: str | None = None


@dataclass(frozen=True, slots=True)
class LocalShift:
    id: str
    terminal_id: str
    status: Literal["open", "closed"]
    opened_by: str | None
    opened_at: str
    opening_float: int
    opening_breakdown: tuple[tuple[int, int], ...] | None
    closed_by: str | None
    closed_at: str | None
    counted_cash: int | None
    counted_breakdown: tuple[tuple[int, int], ...] | None
    server_report: dict[str, Any] | None  # the server's figures as it answered them, when fetched
    server_report_at: str | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True, slots=True)
class TenderFigure:
    method: str
    orders: int
    amount: int  # cash net of change given


@dataclass(frozen=True, slots=True)
class ShiftFigures:
    """A shift's X (open) or Z (closed) figures, as shop-api's ShiftReport has them. All money in minor units."""

    report: Literal["X", "Z"]
    opening_float: int
    order_count: int
    first_receipt_no: str | None
    last_receipt_no: str | None
    sales_total: int
    sales_tax: int
    sales_by_tender: tuple[TenderFigure, ...]
    refund_count: int
    refund_total: int
    refunds_by_tender: tuple[tuple[str, int], ...]
    paid_in: int
    paid_out: int
    movements: tuple[CashMovement, ...]
    cash_sales: int
    cash_refunds: int
    expected_cash: int
    counted_cash: int | None
    over_short: int | None


@dataclass(frozen=True, slots=True)
class ShiftSync:
    """Where the shift's own ops and its sales' and refunds' ops are in the queue."""

    unsent: int  # pending or in flight: the figures are provisional
    failed: int  # refused by the server (dead) or in conflict: they will not count there until settled
    discarded: int  # given up on: left out of the figures here too

    @property
    def provisional(self) -> bool:
        return self.unsent > 0


def figures_from_report(body: Mapping[str, Any]) -> ShiftFigures:
    """The figures of shop-api's answer (GET /v1/shifts/{id}, or a close), in the local form."""
    refunds, movements = body["refunds"], body["cash_movements"]
    return ShiftFigures(
        report=body["report"],
        opening_float=body["opening_float"],
        order_count=body["order_count"],
        first_receipt_no=body.get("first_receipt_no"),
        last_receipt_no=body.get("last_receipt_no"),
        sales_total=body["sales_total"],
        sales_tax=body["sales_tax"],
        sales_by_tender=tuple(TenderFigure(t["method"], t["orders"], t["amount"]) for t in body["sales_by_tender"]),
        refund_count=refunds["count"],
        refund_total=refunds["total"],
        refunds_by_tender=tuple((t["method"], t["amount"]) for t in refunds["by_tender"]),
        paid_in=movements["paid_in"],
        paid_out=movements["paid_out"],
        movements=tuple(
            CashMovement(
                m["id"],
                m["kind"],
                m["amount"],
                m["reason"],
                to_text(from_text(m["created_at"])),
                m["created_by"]["username"],
            )
            for m in movements["items"]
        ),
        cash_sales=body["cash_sales"],
        cash_refunds=body["cash_refunds"],
        expected_cash=body["expected_cash"],
        counted_cash=body.get("counted_cash"),
        over_short=body.get("over_short"),
    )


def _breakdown(text: str | None) -> tuple[tuple[int, int], ...] | None:
    items = loads_or_none(text)
    return None if items is None else tuple((item["denomination"], item["count"]) for item in items)


_SHIFT_COLUMNS = (
    "id, terminal_id, status, opened_by, opened_at, opening_float, opening_breakdown, closed_by, closed_at, "
    "counted_cash, counted_breakdown, server_report, server_report_at"
)


def _shift(row: tuple[Any, ...]) -> LocalShift:
    return LocalShift(
        *row[:6],
        opening_breakdown=_breakdown(row[6]),
        closed_by=row[7],
        closed_at=row[8],
        counted_cash=row[9],
        counted_breakdown=_breakdown(row[10]),
        server_report=loads_or_none(row[11]),
        server_report_at=row[12],
    )


def cash_amount(value: CashAmount, currency: str, what: str) -> tuple[int, list[dict[str, int]] | None]:
    """(total, breakdown for the payload) of a typed cash amount; InvalidWrite says what is wrong with it."""
    if isinstance(value, bool):
        raise InvalidWrite(f"{what} must be an amount.")
    if isinstance(value, int):
        if not 0 <= value <= MAX_AMOUNT:
            raise InvalidWrite(f"{what} must be from 0 to {MAX_AMOUNT:,}, got {value:,}.")
        return value, None
    known = denominations(currency)
    if not known:
        raise InvalidWrite(f"No coins and notes are known for {currency}: type {what.lower()} as a total.")
    counts: dict[int, int] = {}
    for denomination, count in value:
        if denomination not in known:
            raise InvalidWrite(f"{currency} has no coin or note of {denomination} (minor units).")
        if denomination in counts:
            raise InvalidWrite(f"Count each coin or note once ({denomination} twice).")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_COUNT:
            raise InvalidWrite(f"A count must be a whole number from 0 to {MAX_COUNT:,}, got {count!r}.")
        counts[denomination] = count
    total = count_total(counts.items())
    if total > MAX_AMOUNT:
        raise InvalidWrite(f"{what} adds up to more than a till holds ({total:,}).")
    # Largest first, every denomination counted (0s too): the breakdown shop-api keeps and a report prints.
    return total, [{"denomination": d, "count": counts.get(d, 0)} for d in sorted(known, reverse=True)]


def taken_by_method(conn: sqlite3.Connection, order_id: str) -> dict[str, int]:
    """What an order took by each method, cash net of its change."""
    change = conn.execute("SELECT change FROM orders WHERE id = ?", (order_id,)).fetchone()[0]
    return {
        method: amount - (change if method == "cash" else 0)
        for method, amount in conn.execute(
            "SELECT method, SUM(amount) FROM order_tenders WHERE order_id = ? GROUP BY method", (order_id,)
        )
    }


def refunded_before(conn: sqlite3.Connection, order_id: str, refund_id: str) -> int:
    """What the order's refunds recorded before this one returned (discarded ones never reached the server)."""
    return conn.execute(
        "SELECT COALESCE(SUM(r.amount + r.tax), 0) FROM refunds r WHERE r.order_id = ? "
        "AND r.rowid < (SELECT rowid FROM refunds WHERE id = ?) "
        "AND (SELECT resolution FROM outbox WHERE id = r.id) IS NOT 'discarded'",
        (order_id, refund_id),
    ).fetchone()[0]


class TillShifts:
    """This terminal's shifts in the offline cache."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock, terminal_id: str) -> None:
        self._conn = conn
        self._clock = clock
        self._terminal_id = terminal_id

    # --- reading ---------------------------------------------------------------------------------------------

    def current(self) -> LocalShift | None:
        """This terminal's open shift, if any."""
        row = self._conn.execute(
            f"SELECT {_SHIFT_COLUMNS} FROM shifts WHERE terminal_id = ? AND status = 'open'", (self._terminal_id,)
        ).fetchone()
        return None if row is None else _shift(row)

    def get(self, shift_id: str) -> LocalShift | None:
        row = self._conn.execute(f"SELECT {_SHIFT_COLUMNS} FROM shifts WHERE id = ?", (shift_id,)).fetchone()
        return None if row is None else _shift(row)

    def latest(self) -> LocalShift | None:
        """The open shift, else the one closed last."""
        row = self._conn.execute(
            f"SELECT {_SHIFT_COLUMNS} FROM shifts WHERE terminal_id = ? "
            "ORDER BY status = 'open' DESC, opened_at DESC LIMIT 1",
            (self._terminal_id,),
        ).fetchone()
        return None if row is None else _shift(row)

    def sync(self, shift_id: str) -> ShiftSync:
        """How far the shift's ops and those of its sales, refunds and cash movements have got."""
        row = self._conn.execute(
            "SELECT COALESCE(SUM(x.status IN ('pending', 'in_flight')), 0), "
            "COALESCE(SUM(x.status IN ('dead', 'conflict')), 0), "
            "COALESCE(SUM(x.status = 'done' AND x.resolution = 'discarded'), 0) FROM outbox x "
            "WHERE x.entity = ? OR x.id IN (SELECT order_id FROM shift_orders WHERE shift_id = ?) "
            "OR x.id IN (SELECT refund_id FROM shift_refunds WHERE shift_id = ?)",
            (f"shift:{shift_id}", shift_id, shift_id),
        ).fetchone()
        return ShiftSync(*row)

    def figures(self, shift_id: str) -> ShiftFigures:
        """The X figures of an open shift, the Z of a closed one, from the sales, refunds and cash movements
        recorded here; discarded ops do not count (they never reach the server)."""
        shift = self.get(shift_id)
        if shift is None:
            raise InvalidWrite("There is no such shift on this terminal.")
        kept = "(SELECT resolution FROM outbox WHERE id = {}) IS NOT 'discarded'"
        orders = self._conn.execute(
            "SELECT o.receipt_no, o.total, o.tax, o.change FROM shift_orders s "
            f"JOIN orders o ON o.id = s.order_id WHERE s.shift_id = ? AND {kept.format('o.id')} "
            "ORDER BY o.created_at, o.receipt_no",
            (shift_id,),
        ).fetchall()
        change_given = sum(row[3] for row in orders)
        tenders: dict[str, tuple[int, int]] = {}  # method → (orders, amount)
        for method, count, amount in self._conn.execute(
            "SELECT t.method, COUNT(DISTINCT t.order_id), SUM(t.amount) FROM shift_orders s "
            f"JOIN order_tenders t ON t.order_id = s.order_id WHERE s.shift_id = ? AND {kept.format('s.order_id')} "
            "GROUP BY t.method",
            (shift_id,),
        ):
            tenders[method] = (count, amount - (change_given if method == "cash" else 0))
        by_tender = tuple(TenderFigure(method, *tenders[method]) for method in sorted(tenders))
        refund_count, refunded = self._refunds(shift_id, kept)
        movements = tuple(
            CashMovement(*row)
            for row in self._conn.execute(
                "SELECT m.id, m.kind, m.amount, m.reason, m.created_at, m.created_by FROM shift_cash_movements m "
                f"WHERE m.shift_id = ? AND {kept.format('m.id')} ORDER BY m.created_at, m.id",
                (shift_id,),
            )
        )
        paid_in = sum(m.amount for m in movements if m.kind == "paid_in")
        paid_out = sum(m.amount for m in movements if m.kind == "paid_out")
        cash_sales = tenders.get("cash", (0, 0))[1]
        cash_refunds = refunded.get("cash", 0)
        expected = till.expected_cash(
            opening_float=shift.opening_float,
            cash_sales=cash_sales,
            cash_refunds=cash_refunds,
            paid_in=paid_in,
            paid_out=paid_out,
        )
        counted = shift.counted_cash
        return ShiftFigures(
            report="X" if shift.is_open else "Z",
            opening_float=shift.opening_float,
            order_count=len(orders),
            first_receipt_no=orders[0][0] if orders else None,
            last_receipt_no=orders[-1][0] if orders else None,
            sales_total=sum(row[1] for row in orders),
            sales_tax=sum(row[2] for row in orders),
            sales_by_tender=by_tender,
            refund_count=refund_count,
            refund_total=sum(refunded.values()),
            refunds_by_tender=tuple(sorted(refunded.items())),
            paid_in=paid_in,
            paid_out=paid_out,
            movements=movements,
            cash_sales=cash_sales,
            cash_refunds=cash_refunds,
            expected_cash=expected,
            counted_cash=counted,
            over_short=None if counted is None else till.over_short(counted, expected),
        )

    def _refunds(self, shift_id: str, kept: str) -> tuple[int, dict[str, int]]:
        """The shift's refunds: how many, and the money returned by each method (common.till.refund_split)."""
        rows = self._conn.execute(
            "SELECT r.id, r.order_id, r.amount + r.tax FROM shift_refunds s JOIN refunds r ON r.id = s.refund_id "
            f"WHERE s.shift_id = ? AND {kept.format('r.id')} ORDER BY r.rowid",
            (shift_id,),
        ).fetchall()
        by_method: dict[str, int] = defaultdict(int)
        for refund_id, order_id, total in rows:
            for method, amount in till.refund_split(
                taken_by_method(self._conn, order_id), refunded_before(self._conn, order_id, refund_id), total
            ).items():
                by_method[method] += amount
        return len(rows), dict(by_method)

    # --- writing ---------------------------------------------------------------------------------------------

    def open(
        self, opening_float: CashAmount, *, currency: str, opened_by: str | None = None, shift_id: str | None = None
    ) -> LocalShift:
        """Open a shift on this terminal with its float (a total, or counts by denomination of `currency`)."""
        total, breakdown = cash_amount(opening_float, currency, "The float")
        shift_id = shift_id or str(uuid.uuid4())
        opened_at = to_text(self._clock())
        with transaction(self._conn):
            if self.current() is not None:
                raise InvalidWrite(f"Terminal {self._terminal_id} already has a shift open: close it first.")
            self._conn.execute(
                "INSERT INTO shifts (id, terminal_id, status, opened_by, opened_at, opening_float, opening_breakdown) "
                "VALUES (?, ?, 'open', ?, ?, ?, ?)",
                (
                    shift_id,
                    self._terminal_id,
                    opened_by,
                    opened_at,
                    total,
                    None if breakdown is None else dumps(breakdown),
                ),
            )
            payload = {
                "id": shift_id,
                "terminal_id": self._terminal_id,
                "opening_float": total if breakdown is None else breakdown,
                "opened_at": opened_at,
            }
            outbox.enqueue(
                self._conn,
                op_id=shift_id,
                op_type="shift.open",
                entity=f"shift:{shift_id}",
                payload=payload,
                created_at=opened_at,
            )
        return self._must(shift_id)

    def record_cash(
        self, kind: str, amount: int, reason: str, *, created_by: str | None = None, movement_id: str | None = None
    ) -> CashMovement:
        """Cash paid into or out of the open shift's drawer, with the reason."""
        if kind not in CASH_KINDS:
            raise InvalidWrite(f"Unknown cash movement {kind!r}: use paid_in or paid_out.")
        if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_AMOUNT:
            raise InvalidWrite(f"The amount must be from 1 to {MAX_AMOUNT:,}.")
        reason_text = clean_text(reason, "reason")
        assert reason_text is not None
        movement_id = movement_id or str(uuid.uuid4())
        created_at = to_text(self._clock())
        with transaction(self._conn):
            shift = self._open_shift()
            self._conn.execute(
                "INSERT INTO shift_cash_movements (id, shift_id, kind, amount, reason, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (movement_id, shift.id, kind, amount, reason_text, created_at, created_by),
            )
            payload = {
                "id": movement_id,
                "shift_id": shift.id,
                "kind": kind,
                "amount": amount,
                "reason": reason_text,
                "created_at": created_at,
            }
            outbox.enqueue(
                self._conn,
                op_id=movement_id,
                op_type="shift.cash",
                entity=f"shift:{shift.id}",
                payload=payload,
                created_at=created_at,
            )
        return CashMovement(movement_id, kind, amount, reason_text, created_at, created_by)  # type: ignore[arg-type]

    def close(self, counted_cash: CashAmount, *, currency: str, closed_by: str | None = None) -> LocalShift:
        """Close the open shift with the drawer as counted (a total, or counts by denomination)."""
        total, breakdown = cash_amount(counted_cash, currency, "The count")
        closed_at = to_text(self._clock())
        with transaction(self._conn):
            shift = self._open_shift()
            self._conn.execute(
                "UPDATE shifts SET status = 'closed', closed_by = ?, closed_at = ?, counted_cash = ?, "
                "counted_breakdown = ? WHERE id = ?",
                (closed_by, closed_at, total, None if breakdown is None else dumps(breakdown), shift.id),
            )
            outbox.enqueue(
                self._conn,
                op_id=str(uuid.uuid4()),
                op_type="shift.close",
                entity=f"shift:{shift.id}",
                payload={
                    "shift_id": shift.id,
                    "counted_cash": total if breakdown is None else breakdown,
                    "closed_at": closed_at,
                },
                created_at=closed_at,
            )
        return self._must(shift.id)

    def keep_server_report(self, shift_id: str, report: Mapping[str, Any]) -> None:
        """Keep the server's figures of a shift (fetched, or the answer to its close)."""
        with transaction(self._conn):
            keep_server_report(self._conn, shift_id, report, to_text(self._clock()))

    def _open_shift(self) -> LocalShift:
        shift = self.current()
        if shift is None:
            raise InvalidWrite(f"Terminal {self._terminal_id} has no shift open: open one first.")
        return shift

    def _must(self, shift_id: str) -> LocalShift:
        shift = self.get(shift_id)
        assert shift is not None, "a shift just written is gone"
        return shift


def keep_server_report(conn: sqlite3.Connection, shift_id: str, report: Mapping[str, Any], now: str) -> None:
    conn.execute(
        "UPDATE shifts SET server_report = ?, server_report_at = ? WHERE id = ?", (dumps(report), now, shift_id)
    )


def close_acked(conn: sqlite3.Connection, op: QueuedOp, body: Any) -> None:
    """The server's answer to a shift.close is the shift's Z: kept as its figures (acks.py calls this, after
    marking the op done)."""
    if isinstance(body, dict) and body.get("report") == "Z":
        acked_at = conn.execute("SELECT acked_at FROM outbox WHERE id = ?", (op.id,)).fetchone()[0]
        keep_server_report(conn, op.payload["shift_id"], body, acked_at)
