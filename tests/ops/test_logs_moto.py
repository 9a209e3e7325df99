"""The API's logs against the local stack (moto, seeded with the guide logger's JSON lines): the tail follows new
events, lines parse into level, message and fields, the saved queries say that moto does not run them and compute
the figures from the events instead, and exports are valid JSON lines and CSV. The Insights answers of a real
endpoint are in test_logs_insights.py (botocore Stubber)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import time
import uuid

import pytest
from runbooks_testkit import aws, seeded_clock, stack_profile_for

from console.config import Profile
from console.demo import StackInfo
from console.ops.logs import (
    LOG_GROUP,
    LogTail,
    export_lines,
    export_result,
    parse_event,
    recent_lines,
    run_logs_command,
    run_saved_query,
    saved_query,
)


@pytest.fixture(scope="module")
def profile(stack: StackInfo) -> Profile:
    return stack_profile_for(stack, "logs")


def put(profile: Profile, *records: dict[str, object]) -> str:
    """New events now, in a stream of their own (as a new task would write them)."""
    logs = aws(profile, "logs")
    stream = f"ip-10-0-9-{uuid.uuid4().hex[:6]}-{int(time.time() * 1000)}"
    logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
    now = int(time.time() * 1000)
    events = [{"timestamp": now + i, "message": json.dumps(r)} for i, r in enumerate(records)]
    logs.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream, logEvents=events)
    return stream


def test_the_tail_follows_new_events(profile: Profile) -> None:
    tail = LogTail(aws(profile, "logs"), dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5))
    tail.poll()
    assert tail.poll() == []  # nothing new: nothing twice
    marker = uuid.uuid4().hex
    stream = put(
        profile,
        {"level": "error", "message": f"Database connection failed {marker}", "userId": "u-1", "shopId": "s-1"},
        {"level": "info", "message": "Request completed", "duration": 41, "path": "/v1/me"},
    )
    new = tail.poll()
    assert [(line.level, line.stream) for line in new] == [("ERROR", stream), ("INFO", stream)]
    assert new[0].message == f"Database connection failed {marker}"
    assert new[0].shown_fields == "user=u-1 shop=s-1"
    assert new[1].fields == {"duration": 41, "path": "/v1/me"}
    assert tail.poll() == []


def test_plain_text_lines_parse_too() -> None:
    line = parse_event({"timestamp": 0, "message": "WARNING: disk 91% full", "eventId": "1"})
    assert (line.level, line.message, line.fields) == ("WARN", "WARNING: disk 91% full", {})


def test_saved_queries_on_moto_say_so_and_compute_the_figures(profile: Profile) -> None:
    now = seeded_clock(profile)()
    client = aws(profile, "logs")
    slow = run_saved_query(client, saved_query("slow-queries"), now - dt.timedelta(hours=1), now)
    assert slow.unanswered is not None and "did not apply the query's filter" in slow.unanswered
    assert slow.source.startswith("computed here from")
    durations = [json.loads(r["@message"])["query_duration"] for r in slow.rows]
    assert durations and all(d > 1000 for d in durations) and durations == sorted(durations, reverse=True)
    errors = run_saved_query(client, saved_query("error-rate"), now - dt.timedelta(hours=1), now)
    assert errors.unanswered is not None and "lack bin(5m), error_count" in errors.unanswered
    assert errors.bins and sum(c for _b, c in errors.bins) > 5  # the seeded incident
    activity = run_saved_query(client, saved_query("user-activity"), now - dt.timedelta(hours=3), now)
    assert activity.rows and set(activity.rows[0]) == {"userId", "bin(1h)", "activity_count"}


def test_exports_are_valid_json_lines_and_csv(profile: Profile) -> None:
    now = seeded_clock(profile)()
    lines = recent_lines(aws(profile, "logs"), now - dt.timedelta(minutes=30), now)
    assert lines
    parsed = [json.loads(text) for text in export_lines(lines, "jsonl").splitlines()]
    assert [p["message"] for p in parsed] == [line.message for line in lines]
    rows = list(csv.DictReader(io.StringIO(export_lines(lines, "csv"))))
    assert len(rows) == len(lines) and rows[0]["level"] == lines[0].level
    assert json.loads(rows[0]["fields"]) == lines[0].fields
    result = run_saved_query(aws(profile, "logs"), saved_query("error-rate"), now - dt.timedelta(hours=1), now)
    table = list(csv.reader(io.StringIO(export_result(result, "csv"))))
    assert table[0] == ["bin(5m)", "error_count"] and len(table) == len(result.rows) + 1
    assert [json.loads(t) for t in export_result(result, "jsonl").splitlines()] == list(result.rows)


def test_the_headless_command(profile: Profile) -> None:
    now = seeded_clock(profile)
    marker = uuid.uuid4().hex
    put(profile, {"level": "ERROR", "message": f"headless {marker}"})
    args = argparse.Namespace(logs_command="tail", query=None, since="1h", filter=marker, follow=False, json=True)
    out = io.StringIO()
    assert run_logs_command(profile, "admin", args, out) == 0
    (line,) = [json.loads(text) for text in out.getvalue().splitlines()]
    assert line["level"] == "ERROR" and line["message"] == f"headless {marker}"
    args = argparse.Namespace(
        logs_command="query", query="slow-queries", since="1h", filter="", follow=False, json=False
    )
    out = io.StringIO()
    assert run_logs_command(profile, "support", args, out, clock=now) == 0
    text = out.getvalue().splitlines()
    assert text[0].startswith("Slow database queries · ") and "Logs Insights not used" in text[1]
    assert text[2] == "time\tquery ms\tquery"
    err = io.StringIO()
    args.query = "nope"
    assert run_logs_command(profile, "admin", args, io.StringIO(), err) == 64 and "no saved query" in err.getvalue()
    assert run_logs_command(profile, "cashier", args, io.StringIO(), io.StringIO()) == 4
