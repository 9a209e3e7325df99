"""/v1/reports: the sales report, for managers (support and admin read it too, as every shop screen)."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Query

from backend.auth import Principal, Role, require_roles
from backend.dependencies import DbConnection
from backend.schemas.fields import Timestamp
from backend.schemas.reports import GroupBy, SalesReport
from backend.services import reports
from backend.services.pagination import invalid_query

router = APIRouter(prefix="/v1/reports", tags=["reports"])

ReportReaders = Annotated[Principal, Depends(require_roles(Role.manager, Role.support, Role.admin))]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise invalid_query("tz", f"{name!r} is not a time zone: an IANA name such as Europe/Paris, or UTC.") from None


@router.get("/sales")
def sales_report(
    principal: ReportReaders,
    conn: DbConnection,
    start: Annotated[
        Timestamp | None, Query(alias="from", description="Included; default: the start of today (or of `to`'s day)")
    ] = None,
    end: Annotated[
        Timestamp | None, Query(alias="to", description="Excluded; default: the end of `from`'s day")
    ] = None,
    group_by: GroupBy = "day",
    tz: Annotated[
        str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_+\-/]+$", description="IANA zone for day/hour")
    ] = "UTC",
) -> SalesReport:
    """Sales and refunds of [from, to) grouped by `group_by`, with totals; days and hours in `tz` (the server
    does not know the shop's zone: UTC unless the caller names one). At most 400 days."""
    zone = _zone(tz)
    start, end = reports.period(start, end, zone)
    if end <= start:
        raise invalid_query("to", "`to` must come after `from`.")
    if end - start > reports.MAX_PERIOD:
        raise invalid_query("to", f"A report covers at most {reports.MAX_PERIOD.days} days.")
    return reports.sales_report(conn, principal, start=start, end=end, zone=zone, group_by=group_by)
