"""The manager's "Today" (no Textual): a day's sales by hour, by category, the top products, the tender mix and
the refunds, with the shifts open and the ones closed that day (over/short each).

Online it is shop-api's: GET /v1/reports/sales once per grouping and GET /v1/shifts, the whole shop, every
terminal (and the "unassigned" shift of sales that came with no shift open). Signed in offline, or with shop-api
out of reach, it is worked out from this terminal's cache by the same rules (offline_cache/reports.py) and
labelled so: this terminal's own sales and shifts only.

Days are those of the shop's time zone: the terminal's own (TZ, else /etc/localtime), named to shop-api so its
hours are the same ones.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.api import ApiClient, ApiProblem, ApiUnavailable
from console.counter.checkout import TENDER_LABELS
from offline_cache.clock import from_text
from offline_cache.reports import GroupBy, SalesFigures, SalesReport, SalesRow
from offline_cache.store import Store

GROUPS: tuple[GroupBy, ...] = ("hour", "category", "product", "tender")
TOP_PRODUCTS = 10
OFFLINE = "OFFLINE — this terminal only (from the local cache)"
SHIFT_PAGE = 500
# Shifts come newest opened first: one closed on the day was opened at most this long before it.
SHIFT_LOOKBACK = dt.timedelta(days=31)
BAR_EIGHTHS = " ▏▎▍▌▋▊▉"


@dataclass(frozen=True, slots=True)
class ShiftLine:
    """A shift as Today lists it."""

    id: str
    terminal_id: str
    kind: str  # "till", or "unassigned": the server's shift for sales that came with none open
    opened_by: str | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    opening_float: int
    counted_cash: int | None
    expected_cash: int | None
    over_short: int | None


@dataclass(frozen=True, slots=True)
class DayReport:
    day: dt.date
    zone: str
    currency: str
    online: bool  # shop-api's figures for the whole shop; else this terminal's cache
    note: str  # why the figures are the cache's (signed in offline, shop-api out of reach)
    read_at: dt.datetime
    reports: dict[GroupBy, SalesReport]
    open_shifts: tuple[ShiftLine, ...]
    closed_shifts: tuple[ShiftLine, ...]

    @property
    def totals(self) -> SalesFigures:
        return self.reports["hour"].totals

    def rows(self, group_by: GroupBy) -> tuple[SalesRow, ...]:
        return self.reports[group_by].rows

    @property
    def top_products(self) -> list[SalesRow]:
        """The best sellers by net, then units."""
        ranked = sorted(self.rows("product"), key=lambda r: (-r.figures.net, -r.figures.quantity, r.label or ""))
        return ranked[:TOP_PRODUCTS]

    @property
    def refunded(self) -> list[SalesRow]:
        """The products refunded, most first."""
        return sorted((r for r in self.rows("product") if r.figures.refunds), key=lambda r: -r.figures.refunds)


# --- the day and its zone ----------------------------------------------------------------------------------------


def shop_zone() -> ZoneInfo:
    """The shop's time zone: the terminal's (TZ, else the /etc/localtime link), UTC when it has no IANA name."""
    candidates = [os.environ.get("TZ", "").removeprefix(":")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        candidates.append(str(localtime.resolve()).partition("/zoneinfo/")[2])
    for name in candidates:
        if name and not name.startswith("/"):
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                continue
    return ZoneInfo("UTC")


def today(now: dt.datetime, zone: ZoneInfo) -> dt.date:
    return now.astimezone(zone).date()


def day_period(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The day's [start, end) in UTC (23 or 25 hours long on a clock change)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


# --- reading ---------------------------------------------------------------------------------------------------


def read_day(api: ApiClient, store: Store, day: dt.date, zone: ZoneInfo, currency: str, now: dt.datetime) -> DayReport:
    """The day's figures: shop-api's when signed in online and it answers, else this terminal's cache's (call
    from a worker)."""
    if not api.access_token:
        note = "Signed in offline."
    else:
        try:
            return server_day(api, day, zone, now)
        except ApiUnavailable:
            note = "shop-api unreachable."
        except ApiProblem as exc:
            note = f"shop-api refused the report: {exc}"
    return cache_day(store, day, zone, currency, now, note)


def server_day(api: ApiClient, day: dt.date, zone: ZoneInfo, now: dt.datetime) -> DayReport:
    """The whole shop's day from shop-api."""
    start, end = day_period(day, zone)
    period = {"from": start.isoformat(), "to": end.isoformat(), "tz": zone.key}

    def report(group_by: str) -> dict[str, Any]:
        return api.request("GET", "/v1/reports/sales", params={**period, "group_by": group_by}).json()

    answers = {group: report(group) for group in GROUPS}
    # An unassigned shift is opened when a late sale arrives: it belongs to any day its terminal sold on.
    selling = {row["key"] for row in report("terminal")["rows"]}
    open_shifts = [
        s
        for s in _server_shifts(api, "open", None)
        if s.opened_at < end or (s.kind == "unassigned" and s.terminal_id in selling)
    ]
    closed = [
        s for s in _server_shifts(api, "closed", start - SHIFT_LOOKBACK) if s.closed_at and start <= s.closed_at < end
    ]
    return DayReport(
        day=day,
        zone=zone.key,
        currency=answers["hour"]["currency"],
        online=True,
        note="",
        read_at=now,
        reports={group: _report(group, body) for group, body in answers.items()},
        open_shifts=tuple(sorted(open_shifts, key=lambda s: (s.terminal_id, s.opened_at))),
        closed_shifts=tuple(sorted(closed, key=lambda s: s.closed_at or s.opened_at)),
    )


def cache_day(store: Store, day: dt.date, zone: ZoneInfo, currency: str, now: dt.datetime, note: str = "") -> DayReport:
    """This terminal's day from its cache."""
    start, end = day_period(day, zone)
    opened, closed = store.reports.shift_ids(start, end)
    return DayReport(
        day=day,
        zone=zone.key,
        currency=currency,
        online=False,
        note=note,
        read_at=now,
        reports={group: store.reports.sales(start, end, group, zone) for group in GROUPS},
        open_shifts=tuple(_cached_shift(store, shift_id) for shift_id in opened),
        closed_shifts=tuple(_cached_shift(store, shift_id) for shift_id in closed),
    )


def _figures(body: dict[str, Any]) -> SalesFigures:
    return SalesFigures(**{name: body[name] for name in SalesFigures.__dataclass_fields__})


def _report(group_by: GroupBy, body: dict[str, Any]) -> SalesReport:
    rows = tuple(SalesRow(row["key"], row["label"], _figures(row)) for row in body["rows"])
    return SalesReport(group_by, rows, _figures(body["totals"]))


def _server_shifts(api: ApiClient, status: str, opened_since: dt.datetime | None) -> Iterator[ShiftLine]:
    """The shop's shifts of a status, newest opened first, back to `opened_since` (None: all)."""
    cursor: str | None = None
    while True:
        params = {"status": status, "limit": SHIFT_PAGE} | ({"cursor": cursor} if cursor else {})
        page = api.request("GET", "/v1/shifts", params=params).json()
        for item in page["items"]:
            shift = _server_shift(item)
            if opened_since is not None and shift.opened_at < opened_since:
                return
            yield shift
        cursor = page["next_cursor"]
        if not cursor:
            return


def _server_shift(item: dict[str, Any]) -> ShiftLine:
    opened_by = item.get("opened_by")
    return ShiftLine(
        id=item["id"],
        terminal_id=item["terminal_id"],
        kind=item["kind"],
        opened_by=opened_by["username"] if opened_by else None,
        opened_at=from_text(item["opened_at"]),
        closed_at=from_text(item["closed_at"]) if item.get("closed_at") else None,
        opening_float=item["opening_float"],
        counted_cash=item.get("counted_cash"),
        expected_cash=item.get("expected_cash"),
        over_short=item.get("over_short"),
    )


def _cached_shift(store: Store, shift_id: str) -> ShiftLine:
    shift = store.shifts.get(shift_id)
    assert shift is not None, "a shift just listed is gone"
    figures = store.shifts.figures(shift_id)
    return ShiftLine(
        id=shift.id,
        terminal_id=shift.terminal_id,
        kind="till",
        opened_by=shift.opened_by,
        opened_at=from_text(shift.opened_at),
        closed_at=from_text(shift.closed_at) if shift.closed_at else None,
        opening_float=shift.opening_float,
        counted_cash=shift.counted_cash,
        expected_cash=figures.expected_cash if not shift.is_open else None,
        over_short=figures.over_short,
    )


# --- showing ---------------------------------------------------------------------------------------------------


def bar(value: int, largest: int, width: int) -> str:
    """A bar of block characters `width` long for `largest`, to the eighth of a cell; nothing for 0 or less."""
    if value <= 0 or largest <= 0:
        return ""
    eighths = max(1, value * width * 8 // largest)
    return "█" * (eighths // 8) + BAR_EIGHTHS[eighths % 8].strip()


def hour_label(key: str | None) -> str:
    """ "2026-03-14T09:00+01:00" → "09:00"."""
    return key[11:16] if key else "—"


def tender_label(key: str | None) -> str:
    return TENDER_LABELS.get(key or "", "No tender" if key == "none" else key or "—")


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole > 0 else "—"
