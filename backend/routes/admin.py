"""Operator routes (admin role): the database's sessions, which the runbooks inspect and cancel or terminate,
and the business figures of the health dashboard.

The database routes are PostgreSQL only (501 on SQLite, which has no sessions to speak of). They call the
SECURITY DEFINER functions of migration v0003, since the app role may not see or signal other sessions itself.
A signal names the session by pid and the `backend_start` the operator saw, so a pid the server has since
given to a new connection is never hit (409). The API's own sessions are refused with 403, whatever was sent:
cancelling them would fail requests in flight, and the runbooks must never take the API down with the fault.
Every cancel or terminate, done or refused, is logged as a write (who, which session, the outcome).

Database maintenance (`/db/maintenance`, PostgreSQL only) is the guide's weekly ANALYZE and VACUUM (ANALYZE) with
its unused-index query (backend.services.maintenance; migration v0004): GET reads the tables' vacuum and analyze
times and the unused indexes; POST runs one operation and is logged as a write.

Business metrics count across every shop (the operator's view, so on PostgreSQL a SECURITY DEFINER function of
migration v0003 answers, past RLS). A shop or user is active when it recorded a sale, a refund or a stock
adjustment in the last ACTIVE_WINDOW (24 h); transactions are the orders received in the last hour. All by the
server's clock when it stored them: a device's clock may be off, and a sale made offline counts when it arrives.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from backend.auth import Principal, Role, require_roles
from backend.db.tables import orders, refunds, stock_movements
from backend.dependencies import DbConnection, database
from backend.problems import PROBLEM_RESPONSES, Problem
from backend.services import maintenance
from backend.services.operations import log_write

router = APIRouter(prefix="/v1/admin", tags=["admin"])

ACTIVE_WINDOW = timedelta(hours=24)
TRANSACTIONS_WINDOW = timedelta(hours=1)

AdminPrincipal = Annotated[Principal, Depends(require_roles(Role.admin))]


def _problem(description: str) -> dict[str, Any]:
    """An OpenAPI response entry for a problem+json answer (one body schema for every status)."""
    return {**PROBLEM_RESPONSES["4XX"], "description": description}


ON_SQLITE = _problem("The server runs on SQLite, which has no database sessions")
SESSIONS_PROBLEMS: dict[int | str, dict[str, Any]] = {501: ON_SQLITE}
SIGNAL_PROBLEMS: dict[int | str, dict[str, Any]] = {
    403: _problem("Not an admin, or the session is the API's own (type api-session) or a superuser's"),
    404: _problem("No such session in the API's database (type session-not-found)"),
    409: _problem("The session's backend_start is not the one sent: the pid names another session now"),
    501: ON_SQLITE,
}

# PostgreSQL pids are int4; anything else cannot name a session.
Pid = Annotated[int, Path(ge=1, le=2**31 - 1, description="The session's process id")]


class DbSession(BaseModel):
    pid: int
    user: str | None
    application: str | None = Field(description="The session's application_name")
    client_address: str | None = Field(description="None for a Unix-socket connection")
    state: str | None = Field(description="active, idle, idle in transaction, …")
    backend_start: datetime = Field(description="When the session connected: send it back to cancel or terminate")
    xact_start: datetime | None
    query_start: datetime | None
    state_change: datetime | None
    duration_s: float | None = Field(description="Seconds since query_start (how long the current or last query ran)")
    wait_event_type: str | None
    wait_event: str | None
    query: str | None = Field(description="The current or last query, cut to 200 characters")
    query_truncated: bool
    api_session: bool = Field(description="One of the API's own sessions: never cancelled or terminated")


class DbSessions(BaseModel):
    collected_at: datetime
    items: list[DbSession]


class SignalRequest(BaseModel):
    backend_start: AwareDatetime = Field(description="The backend_start of the session as the caller saw it")


class SignalResult(BaseModel):
    pid: int
    backend_start: datetime
    action: Literal["cancel", "terminate"]
    signalled: Literal[True]


def _postgresql_only(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        raise Problem(
            501, "Database sessions exist only on PostgreSQL; this server runs on SQLite.", type_="no-sessions"
        )


@router.get("/db/sessions", responses=SESSIONS_PROBLEMS)
def list_sessions(_admin: AdminPrincipal, conn: DbConnection) -> DbSessions:
    """The client sessions of the API's database, oldest first (the API's own included and marked)."""
    _postgresql_only(conn)
    rows = conn.execute(sa.text("SELECT * FROM admin_db_sessions()")).mappings().all()
    collected_at = rows[0]["collected_at"] if rows else conn.scalar(sa.text("SELECT clock_timestamp()"))
    items = [
        DbSession(
            pid=row["pid"],
            user=row["username"],
            application=row["application_name"],
            client_address=row["client_addr"],
            state=row["state"],
            backend_start=row["backend_start"],
            xact_start=row["xact_start"],
            query_start=row["query_start"],
            state_change=row["state_change"],
            duration_s=(
                round((row["collected_at"] - row["query_start"]).total_seconds(), 3) if row["query_start"] else None
            ),
            wait_event_type=row["wait_event_type"],
            wait_event=row["wait_event"],
            query=row["query"],
            query_truncated=bool(row["query_truncated"]),
            api_session=row["api_session"],
        )
        for row in rows
    ]
    return DbSessions(collected_at=collected_at, items=items)


def _refusal(outcome: str, pid: int) -> Problem:
    match outcome:
        case "not_found" | "failed":  # failed: it ended between the check and the signal
            return Problem(404, f"No session {pid} in this database.", type_="session-not-found")
        case "changed":
            detail = f"Session {pid} is not the one you saw: its backend_start changed (a new connection got the pid)."
            return Problem(409, detail, type_="session-changed")
        case "api_session":
            detail = f"Session {pid} is one of the API's own: it is never cancelled or terminated."
            return Problem(403, detail, type_="api-session")
        case "superuser":
            return Problem(403, f"Session {pid} belongs to a superuser.", type_="superuser-session")
    raise RuntimeError(f"admin_signal_session answered {outcome!r}")


def _signal(
    conn: Connection, admin: Principal, pid: int, seen: SignalRequest, action: Literal["cancel", "terminate"]
) -> SignalResult:
    _postgresql_only(conn)
    outcome = conn.scalar(
        sa.text("SELECT admin_signal_session(:pid, :backend_start, :kind)"),
        {"pid": pid, "backend_start": seen.backend_start, "kind": action},
    )
    refusal = None if outcome == "signalled" else _refusal(outcome, pid)
    status = refusal.status_code if refusal else 200
    log_write(f"db.{action}_session", admin, str(pid), outcome, status, backend_start=seen.backend_start.isoformat())
    if refusal:
        raise refusal
    return SignalResult(pid=pid, backend_start=seen.backend_start, action=action, signalled=True)


@router.post("/db/sessions/{pid}/cancel", responses=SIGNAL_PROBLEMS)
def cancel_session(pid: Pid, seen: SignalRequest, admin: AdminPrincipal, conn: DbConnection) -> SignalResult:
    """Cancel the session's current query (pg_cancel_backend); the session stays connected."""
    return _signal(conn, admin, pid, seen, "cancel")


@router.post("/db/sessions/{pid}/terminate", responses=SIGNAL_PROBLEMS)
def terminate_session(pid: Pid, seen: SignalRequest, admin: AdminPrincipal, conn: DbConnection) -> SignalResult:
    """End the session (pg_terminate_backend): its open transaction rolls back and its connection closes."""
    return _signal(conn, admin, pid, seen, "terminate")


class BusinessMetrics(BaseModel):
    collected_at: datetime
    active_shops: int = Field(description="Shops with a sale, refund or stock adjustment since active_since")
    active_users: int = Field(description="Staff who recorded a sale, refund or stock adjustment since active_since")
    transactions_last_hour: int = Field(description="Orders the server received since transactions_since")
    active_since: datetime
    transactions_since: datetime


@router.get("/business-metrics")
def business_metrics(_admin: AdminPrincipal, conn: DbConnection) -> BusinessMetrics:
    """Active shops and users (last 24 h) and transactions in the last hour, across every shop."""
    now = datetime.now(UTC)
    active_since, transactions_since = now - ACTIVE_WINDOW, now - TRANSACTIONS_WINDOW
    if conn.dialect.name == "postgresql":
        query = sa.text("SELECT * FROM admin_business_metrics(:active_since, :transactions_since)")
        params = {"active_since": active_since, "transactions_since": transactions_since}
        shops, users, transactions = conn.execute(query, params).one()
    else:
        shops, users, transactions = _count_everywhere(conn, active_since, transactions_since)
    return BusinessMetrics(
        collected_at=now,
        active_shops=shops,
        active_users=users,
        transactions_last_hour=transactions,
        active_since=active_since,
        transactions_since=transactions_since,
    )


def _count_everywhere(conn: Connection, active_since: datetime, transactions_since: datetime) -> tuple[int, int, int]:
    """admin_business_metrics for SQLite, which has no RLS to get past: the same query."""
    adjustments = stock_movements.c.source == "adjustment"
    activity = sa.union(
        sa.select(orders.c.shop_id, orders.c.cashier_sub.label("sub")).where(orders.c.received_at >= active_since),
        sa.select(refunds.c.shop_id, refunds.c.created_by).where(refunds.c.received_at >= active_since),
        sa.select(stock_movements.c.shop_id, stock_movements.c.created_by).where(
            adjustments, stock_movements.c.created_at >= active_since
        ),
    ).subquery()
    shops, users = conn.execute(
        sa.select(sa.func.count(sa.distinct(activity.c.shop_id)), sa.func.count(sa.distinct(activity.c.sub)))
    ).one()
    transactions = conn.scalar(
        sa.select(sa.func.count()).select_from(orders).where(orders.c.received_at >= transactions_since)
    )
    return shops, users, transactions or 0


MAINTENANCE_PROBLEMS: dict[int | str, dict[str, Any]] = {
    501: _problem("The server runs on SQLite (type postgresql-only), or may not VACUUM (type vacuum-unavailable)")
}


def _maintenance_on_postgresql(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        detail = "Database maintenance (ANALYZE, VACUUM) runs only on PostgreSQL; this server runs on SQLite."
        raise Problem(501, detail, type_="postgresql-only")


class TableMaintenance(BaseModel):
    table: str
    live_rows: int
    dead_rows: int
    last_vacuum: datetime | None
    last_autovacuum: datetime | None
    last_analyze: datetime | None
    last_autoanalyze: datetime | None


class UnusedIndex(BaseModel):
    schema_name: str = Field(alias="schema", serialization_alias="schema")
    table: str
    index: str
    idx_tup_read: int
    idx_tup_fetch: int


class MaintenanceStatus(BaseModel):
    collected_at: datetime
    tables: list[TableMaintenance]
    unused_indexes: list[UnusedIndex] = Field(description="The guide's query: indexes with idx_tup_read = 0")
    vacuum_allowed: bool = Field(description="Whether the API's role may VACUUM here (PostgreSQL 17's MAINTAIN)")
    vacuum_refusal: str | None


class MaintenanceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operation: maintenance.Operation = Field(description="analyze: ANALYZE; vacuum_analyze: VACUUM (ANALYZE)")


class MaintenanceResult(BaseModel):
    operation: maintenance.Operation
    tables: list[str]
    seconds: float


@router.get("/db/maintenance", responses=MAINTENANCE_PROBLEMS, response_model_by_alias=True)
def maintenance_status(_admin: AdminPrincipal, conn: DbConnection) -> MaintenanceStatus:
    """When each table was last vacuumed and analyzed, the unused indexes, and whether VACUUM is possible here."""
    _maintenance_on_postgresql(conn)
    found = maintenance.status(conn)
    return MaintenanceStatus(
        collected_at=found.collected_at,
        tables=[TableMaintenance(**row) for row in found.tables],
        unused_indexes=[UnusedIndex(**row) for row in found.unused_indexes],
        vacuum_allowed=found.vacuum_allowed,
        vacuum_refusal=found.vacuum_refusal,
    )


@router.post("/db/maintenance", responses=MAINTENANCE_PROBLEMS)
def run_maintenance(
    body: MaintenanceRequest, admin: AdminPrincipal, conn: DbConnection, request: Request
) -> MaintenanceResult:
    """ANALYZE every table (as its owner), or VACUUM (ANALYZE) each (autocommit; PostgreSQL 17's MAINTAIN)."""
    _maintenance_on_postgresql(conn)
    began = datetime.now(UTC)
    if body.operation == "analyze":
        tables = maintenance.analyze(conn)
        seconds = (datetime.now(UTC) - began).total_seconds()
    else:
        refused = maintenance.vacuum_refusal(conn)
        if refused:
            log_write("db.vacuum_analyze", admin, "database", "rejected", 501)
            raise Problem(501, refused, type_="vacuum-unavailable")
        tables = [row["table"] for row in maintenance.status(conn).tables]
        seconds = maintenance.vacuum_analyze(database(request).engine, tables)
    log_write(f"db.{body.operation}", admin, "database", "applied", 200, tables=len(tables))
    return MaintenanceResult(operation=body.operation, tables=tables, seconds=round(seconds, 3))
