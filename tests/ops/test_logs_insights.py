"""The saved Logs Insights queries against answers a real endpoint gives (botocore Stubber: moto does not run
`filter` or `stats`): polled until complete, rows and bins as Insights returns them, a failed or slow query
computed from the events instead and said so."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
from botocore.stub import ANY, Stubber
from ops_testkit import NOW

from console.ops.logs import LOG_GROUP, bar_lines, result_table, run_saved_query, saved_query

START, END = NOW - dt.timedelta(hours=1), NOW


def row(**fields: str) -> list[dict[str, str]]:
    return [{"field": "@ptr", "value": "p"}, *({"field": k, "value": v} for k, v in fields.items())]


ERROR_ROWS = [
    {"bin(5m)": "2026-03-14 09:25:00.000", "error_count": "14"},
    {"bin(5m)": "2026-03-14 09:20:00.000", "error_count": "7"},
    {"bin(5m)": "2026-03-14 09:15:00.000", "error_count": "1"},
]
SLOW = '{"level":"WARN","message":"Slow database query","query":"SELECT o.* FROM orders o","query_duration":%d}'


def insights(query_name: str, rows: list[dict[str, str]], statuses: tuple[str, ...] = ("Running",)) -> Any:
    """A logs client that answers one StartQuery, then `statuses`, then Complete with `rows`."""
    client = boto3.client("logs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    stubber.add_response(
        "start_query",
        {"queryId": "q-1"},
        {
            "logGroupName": LOG_GROUP,
            "startTime": int(START.timestamp()),
            "endTime": int(END.timestamp()),
            "queryString": saved_query(query_name).query,
        },
    )
    for status in statuses:
        stubber.add_response("get_query_results", {"status": status, "results": []}, {"queryId": "q-1"})
    stubber.add_response(
        "get_query_results",
        {
            "status": "Complete",
            "results": [row(**r) for r in rows],
            "statistics": {"recordsMatched": 22.0, "recordsScanned": 412.0, "bytesScanned": 90000.0},
        },
        {"queryId": "q-1"},
    )
    stubber.activate()
    return client, stubber


def test_error_rate_rows_and_bins() -> None:
    client, stubber = insights("error-rate", ERROR_ROWS, ("Scheduled", "Running"))
    waits: list[float] = []
    result = run_saved_query(client, saved_query("error-rate"), START, END, sleep=waits.append)
    stubber.assert_no_pending_responses()
    assert waits == [1.0, 1.0]
    assert (result.source, result.unanswered, result.scanned) == ("Logs Insights", None, 412.0)
    assert result.rows == tuple(ERROR_ROWS)
    assert result.bins == [
        ("2026-03-14 09:15:00.000", 1),
        ("2026-03-14 09:20:00.000", 7),
        ("2026-03-14 09:25:00.000", 14),
    ]
    chart = bar_lines(result.bins, 30)
    assert chart[0].startswith("09:15 █ ") and chart[2] == "09:25 " + "█" * 19 + " 14"


def test_slow_queries_table() -> None:
    rows = [
        {"@timestamp": "2026-03-14 09:21:07.120", "@message": SLOW % 6400},
        {"@timestamp": "2026-03-14 09:02:51.004", "@message": SLOW % 1200},
    ]
    client, _stubber = insights("slow-queries", rows)
    result = run_saved_query(client, saved_query("slow-queries"), START, END, sleep=lambda _: None)
    assert result.unanswered is None and result.bins == []
    columns, table = result_table(result)
    assert columns == ("time", "query ms", "query")
    assert table == [
        ("2026-03-14 09:21:07", "6400", "SELECT o.* FROM orders o"),
        ("2026-03-14 09:02:51", "1200", "SELECT o.* FROM orders o"),
    ]


def test_user_activity_bins_sum_over_users() -> None:
    rows = [
        {"userId": "u-1", "bin(1h)": "2026-03-14 09:00:00.000", "activity_count": "9"},
        {"userId": "u-2", "bin(1h)": "2026-03-14 09:00:00.000", "activity_count": "4"},
        {"userId": "u-1", "bin(1h)": "2026-03-14 08:00:00.000", "activity_count": "3"},
    ]
    client, _stubber = insights("user-activity", rows)
    result = run_saved_query(client, saved_query("user-activity"), START, END, sleep=lambda _: None)
    assert result.bins == [("2026-03-14 08:00:00.000", 3), ("2026-03-14 09:00:00.000", 13)]


def test_a_failed_query_is_computed_from_the_events_and_said_so() -> None:
    client = boto3.client("logs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    stubber.add_client_error("start_query", "LimitExceededException", "too many concurrent queries")
    stubber.add_response(
        "filter_log_events",
        {
            "events": [
                {"timestamp": int((NOW - dt.timedelta(minutes=2)).timestamp() * 1000), "message": SLOW % 2500},
                {"timestamp": int((NOW - dt.timedelta(minutes=1)).timestamp() * 1000), "message": SLOW % 900},
            ]
        },
        {"logGroupName": LOG_GROUP, "startTime": ANY, "endTime": ANY, "filterPattern": "query_duration"},
    )
    stubber.activate()
    result = run_saved_query(client, saved_query("slow-queries"), START, END, sleep=lambda _: None)
    assert result.unanswered == "Logs Insights: LimitExceededException on StartQuery: too many concurrent queries"
    assert result.source == "computed here from 2 events (FilterLogEvents)"
    assert [r["@message"] for r in result.rows] == [SLOW % 2500]
