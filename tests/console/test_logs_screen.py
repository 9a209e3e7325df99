"""The logs screen: against the local stack (moto), new events show within 2 s of their arrival, pause and the
filter work, the slow-query analysis runs (computed from the events, as moto runs no Insights filter), and the
export is valid JSON lines; its pictures against a stubbed CloudWatch Logs (botocore Stubber) and a frozen clock.

Look at a changed SVG (rsvg-convert) before accepting it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from console import paths
from console.app import ShopConsoleApp, create_app
from console.demo import StackInfo
from console.ops.logs import LOG_GROUP, saved_query
from screens.logs import LogsScreen
from tests.console.conftest import FROZEN_NOW, frozen_clock, settle, sign_in, stack_profile, until, user

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "ops"))
from runbooks_testkit import aws

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def app_for(stack: StackInfo) -> ShopConsoleApp:
    return create_app(stack_profile(stack), keys={}, clock=lambda: dt.datetime.now(dt.UTC))


async def opened(pilot: Pilot, stack: StackInfo, screen: LogsScreen | None = None) -> LogsScreen:
    demo = user(stack, "ops-admin")
    await sign_in(pilot, demo.username, demo.password)
    if screen is None:
        await pilot.press("l")
    else:
        pilot.app.push_screen(screen)
    await until(pilot, lambda: isinstance(pilot.app.screen, LogsScreen) and pilot.app.screen.polls > 0)
    shown = pilot.app.screen
    assert isinstance(shown, LogsScreen)
    return shown


def put(stack: StackInfo, message: dict[str, Any]) -> None:
    logs = aws(stack_profile(stack), "logs")
    stream = f"ip-10-0-7-{uuid.uuid4().hex[:8]}"
    logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
    logs.put_log_events(
        logGroupName=LOG_GROUP,
        logStreamName=stream,
        logEvents=[{"timestamp": int(time.time() * 1000), "message": json.dumps(message)}],
    )


def messages(screen: LogsScreen) -> list[str]:
    table = screen.query_one("#tail-table", DataTable)
    return [str(table.get_row_at(i)[2]) for i in range(table.row_count)]


async def test_new_events_show_within_two_seconds(stack: StackInfo) -> None:
    async with app_for(stack).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot, stack)
        marker = uuid.uuid4().hex
        put(stack, {"level": "ERROR", "message": f"Database connection failed {marker}", "userId": "u-9"})
        arrived = time.monotonic()
        await until(pilot, lambda: any(marker in m for m in messages(screen)), seconds=2.0)
        assert time.monotonic() - arrived <= 2.0
        row = screen.query_one("#tail-table", DataTable).get_row_at(
            screen.query_one("#tail-table", DataTable).row_count - 1
        )
        assert str(row[1]) == "ERROR" and str(row[3]) == "user=u-9"

        await pilot.press("p")
        assert "PAUSED" in str(screen.query_one("#tail-status", Static).render())
        paused_marker = uuid.uuid4().hex
        put(stack, {"level": "INFO", "message": f"while paused {paused_marker}"})
        await pilot.pause(1.5)
        assert not any(paused_marker in m for m in messages(screen))
        await pilot.press("p")
        await until(pilot, lambda: any(paused_marker in m for m in messages(screen)), seconds=2.0)

        await pilot.press("slash", *marker, "enter")
        await until(pilot, lambda: messages(screen) == [f"Database connection failed {marker}"])
        await pilot.press("enter")
        detail = str(screen.query_one("#tail-detail", Static).render())
        assert f'"message": "Database connection failed {marker}"' in detail

        await pilot.press("x")
        exports = paths.data_dir() / "exports"
        await until(pilot, lambda: exports.exists() and any(exports.iterdir()))
        (path,) = exports.iterdir()
        (line,) = [json.loads(text) for text in path.read_text().splitlines()]
        assert line["level"] == "ERROR" and line["fields"] == {"userId": "u-9"}


async def test_the_slow_query_analysis_on_the_local_stack(stack: StackInfo) -> None:
    async with app_for(stack).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot, stack)
        await pilot.press("s")
        await until(pilot, lambda: screen.result is not None)
        status = str(screen.query_one("#query-status", Static).render())
        assert "Slow database queries" in status and "did not apply the query's filter" in status
        table = screen.query_one("#query-table", DataTable)
        assert [str(c.label) for c in table.ordered_columns] == ["time", "query ms", "query"]
        durations = [int(str(table.get_row_at(i)[1])) for i in range(table.row_count)]
        assert durations and all(d > 1000 for d in durations)


async def test_under_serve_the_export_goes_to_the_browser(stack: StackInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    """`shop-console serve` runs the app on Textual's web driver (is_web): the file is delivered, not written."""
    delivered: list[tuple[str, str]] = []
    app = app_for(stack)
    monkeypatch.setattr(type(app), "is_web", property(lambda _app: True))
    monkeypatch.setattr(app, "deliver_text", lambda text, save_filename: delivered.append((text.read(), save_filename)))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot, stack)
        await pilot.press("c")
        await until(pilot, lambda: bool(delivered))
    ((text, name),) = delivered
    assert name.startswith("shop-api-tail-") and name.endswith(".csv")
    assert text.splitlines()[0] == "time,level,message,fields" and len(text.splitlines()) == len(screen.shown()) + 1
    assert not (paths.data_dir() / "exports").exists()


# --- pictures -------------------------------------------------------------------------------------------------------


def _event(minutes: float, record: dict[str, Any], n: int) -> dict[str, Any]:
    at = FROZEN_NOW - dt.timedelta(minutes=minutes)
    line = {"timestamp": at.isoformat(), "service": "shop-management-api", **record}
    return {
        "timestamp": int(at.timestamp() * 1000),
        "message": json.dumps(line),
        "eventId": f"e{n}",
        "logStreamName": "ip-10-0-1-23-1",
    }


EVENTS = [
    _event(
        9, {"level": "INFO", "message": "Request completed", "userId": "3f1c2a", "shopId": "corner", "duration": 84}, 1
    ),
    _event(
        8,
        {
            "level": "INFO",
            "message": "User login successful",
            "userId": "9d2e11",
            "shopId": "harbor",
            "action": "login",
        },
        2,
    ),
    _event(
        7,
        {
            "level": "WARN",
            "message": "Slow database query",
            "query_duration": 4120,
            "query": "SELECT o.* FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.shop_id = $1",
        },
        3,
    ),
    _event(
        6,
        {
            "level": "ERROR",
            "message": "Database connection failed",
            "error": "remaining connection slots are reserved",
            "userId": "3f1c2a",
            "shopId": "corner",
            "duration": 30000,
        },
        4,
    ),
    _event(
        5,
        {
            "level": "INFO",
            "message": "Order completed",
            "userId": "3f1c2a",
            "shopId": "corner",
            "action": "purchase",
            "duration": 2210,
        },
        5,
    ),
    _event(
        3,
        {
            "level": "ERROR",
            "message": "Request failed",
            "error": "upstream request timeout",
            "userId": "9d2e11",
            "shopId": "harbor",
            "duration": 12004,
        },
        6,
    ),
    _event(
        1,
        {
            "level": "INFO",
            "message": "Request completed",
            "userId": "9d2e11",
            "shopId": "harbor",
            "duration": 1930,
            "query_duration": 640,
        },
        7,
    ),
]


class Logs:
    """A ClientSource of stubbed CloudWatch Logs clients: the tail's first, then one per query."""

    def __init__(self) -> None:
        self.made: list[Any] = []

    def client(self, service: str, region: str | None = None) -> Any:
        assert service == "logs"
        client = boto3.client("logs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        stubber = Stubber(client)
        if not self.made:
            stubber.add_response("filter_log_events", {"events": EVENTS}, {"logGroupName": LOG_GROUP, "startTime": ANY})
            for _ in range(60):
                stubber.add_response("filter_log_events", {"events": []}, {"logGroupName": LOG_GROUP, "startTime": ANY})
        else:
            stubber.add_response("start_query", {"queryId": "q-1"}, None)
            rows = [(25, 14), (20, 9), (15, 3), (10, 1), (5, 0), (0, 2)]
            results = [
                [
                    {"field": "bin(5m)", "value": f"2026-03-14 09:{m:02d}:00.000"},
                    {"field": "error_count", "value": str(n)},
                ]
                for m, n in rows
            ]
            stubber.add_response(
                "get_query_results",
                {"status": "Complete", "results": results, "statistics": {"recordsScanned": 1804.0}},
                {"queryId": "q-1"},
            )
        stubber.activate()
        self.made.append(client)
        return client


def test_query_is_the_guide_error_rate() -> None:
    assert "stats count(*) as error_count by bin(5m)" in saved_query("error-rate").query


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_tail(stack: StackInfo, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        screen = await opened(pilot, stack, LogsScreen(Logs()))
        await pilot.press("p")
        await settle(pilot)
        assert screen.paused

    app = create_app(stack_profile(stack), keys={}, clock=frozen_clock)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_error_rate(stack: StackInfo, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        screen = await opened(pilot, stack, LogsScreen(Logs()))
        await pilot.press("p")
        await pilot.press("e")
        await until(pilot, lambda: screen.result is not None)
        await settle(pilot)

    app = create_app(stack_profile(stack), keys={}, clock=frozen_clock)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
