"""The API's logs (guide: "Application Logging", "Log Analysis Queries"): a live tail, the guide's three saved Logs
Insights queries, and exports — for the logs screen and `shop-console logs tail|query`.

- Tail: `LogTail.poll()` returns the events of `/aws/ecs/shop-management-api` that arrived since the last poll
  (FilterLogEvents from the newest event seen, with a short overlap for events that arrive late, deduplicated by
  event id). Each JSON line is parsed into level, time, message and its other fields (`LogLine`).
- Saved queries: `run_saved_query` runs one of `SAVED_QUERIES` over a range with StartQuery/GetQueryResults and
  checks that the answer is one: an endpoint that does not run a query kind (the local stack's moto runs only
  `fields`, `sort` and `limit`: no `filter`, no `stats`) returns rows without the query's fields, or rows the filter
  should have dropped. Then the result says so (`unanswered`), and the same figures are computed here from the
  matching events (FilterLogEvents), labelled as such — never passed off as the Insights answer.
  The guide's "User Activity Patterns" names its fields `user_id`; the guide's logger writes `userId`, so the saved
  query uses `userId` (the field that exists). `sort` after `stats` sorts by the bin, since `@timestamp` is gone.
- Export: the tail's lines or a query's rows as JSON lines or CSV.

Nothing here raises for AWS errors except through `describe_error`-worded `LogsError`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import logging
import re
import sys
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from common.display import printable
from console.config import Profile
from console.ops.aws import AwsClients, ClientSource, describe_error
from console.ops.backups import EXIT_REFUSED, role_refused
from console.ops.checks import format_time
from offline_cache.clock import Clock, system_clock

log = logging.getLogger(__name__)

LOG_GROUP = "/aws/ecs/shop-management-api"
LATE_ARRIVALS = dt.timedelta(seconds=10)  # how far back each poll looks again, for events that arrive late
TAIL_POLL_SECONDS = 1.0
QUERY_TIMEOUT = dt.timedelta(seconds=60)
QUERY_POLL_SECONDS = 1.0
EXPORT_FORMATS = ("jsonl", "csv")
EXIT_ERROR = 1
EXIT_USAGE = 64  # sysexits' EX_USAGE, as the CLI's own usage errors
SINCE = re.compile(r"^(\d+)([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
# The fields a tail line shows after its message, in this order, by the guide logger's names.
SHOWN_FIELDS = (("userId", "user"), ("shopId", "shop"), ("duration", "ms"), ("query_duration", "query ms"))
_LEVEL_WORDS = ("ERROR", "WARN", "INFO", "DEBUG")


class LogsError(Exception):
    """An AWS error reading the logs, in one line (console.ops.aws.describe_error)."""


def parse_since(text: str) -> dt.timedelta:
    """ "15m", "1h", "3h", "1d" → a span; ValueError for anything else."""
    match = SINCE.match(text.strip())
    if not match or int(match[1]) == 0:
        raise ValueError(f"not a span: {text!r} (e.g. 15m, 1h, 1d)")
    return dt.timedelta(**{_UNITS[match[2]]: int(match[1])})


# --- lines --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogLine:
    event_id: str
    at: dt.datetime
    stream: str
    level: str  # ERROR, WARN, INFO, DEBUG, or "-" for a line that names none
    message: str
    fields: dict[str, Any]  # the JSON's other fields (without timestamp, level, message)
    raw: str

    def matches(self, text: str) -> bool:
        return not text or text.lower() in self.raw.lower()

    @property
    def shown_fields(self) -> str:
        """user, shop and durations first (the guide's fields), then the rest; for one line on a screen."""
        parts = [f"{label}={str(self.fields[key])[:12]}" for key, label in SHOWN_FIELDS if key in self.fields]
        return printable(" ".join(parts))

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.at.isoformat(),
            "level": self.level,
            "message": self.message,
            "stream": self.stream,
            "event_id": self.event_id,
            "fields": self.fields,
        }


def parse_event(event: dict[str, Any]) -> LogLine:
    """One FilterLogEvents event: a JSON line as the guide's logger writes it, or plain text."""
    raw = event.get("message", "")
    at = dt.datetime.fromtimestamp(event["timestamp"] / 1000, dt.UTC)
    ident, stream = event.get("eventId", f"{event['timestamp']}-{hash(raw)}"), event.get("logStreamName", "")
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        level = next((word for word in _LEVEL_WORDS if word in raw.upper()), "-")
        return LogLine(ident, at, stream, level, raw.strip(), {}, raw)
    level = str(data.get("level", "-")).upper()
    level = "WARN" if level == "WARNING" else level
    rest = {k: v for k, v in data.items() if k not in ("timestamp", "level", "message")}
    return LogLine(ident, at, stream, level, str(data.get("message", "")), rest, raw)


class LogTail:
    """Follows a log group from `since`: each `poll` returns the events that arrived since the previous one, oldest
    first. Blocking (one AWS call or a few): call it from a worker."""

    def __init__(self, client: Any, since: dt.datetime, log_group: str = LOG_GROUP, filter_pattern: str = "") -> None:
        self.client = client
        self.log_group = log_group
        self.filter_pattern = filter_pattern
        self.cursor = since
        self._seen: OrderedDict[str, dt.datetime] = OrderedDict()

    def poll(self) -> list[LogLine]:
        start = self.cursor - LATE_ARRIVALS
        try:
            events = list(_events(self.client, self.log_group, start, None, self.filter_pattern))
        except (BotoCoreError, ClientError) as exc:
            raise LogsError(describe_error(exc)) from exc
        new = [parse_event(e) for e in events if e.get("eventId") not in self._seen]
        new.sort(key=lambda line: line.at)
        for line in new:
            self._seen[line.event_id] = line.at
            self.cursor = max(self.cursor, line.at)
        while self._seen and next(iter(self._seen.values())) < self.cursor - 2 * LATE_ARRIVALS:
            self._seen.popitem(last=False)  # an id older than the overlap cannot come back
        return new


def _events(
    client: Any, log_group: str, start: dt.datetime, end: dt.datetime | None, pattern: str
) -> Iterable[dict[str, Any]]:
    params: dict[str, Any] = {"logGroupName": log_group, "startTime": _ms(start)}
    if end is not None:
        params["endTime"] = _ms(end)
    if pattern:
        params["filterPattern"] = pattern
    for page in client.get_paginator("filter_log_events").paginate(**params):
        yield from page.get("events", [])


def recent_lines(client: Any, since: dt.datetime, end: dt.datetime, pattern: str = "") -> list[LogLine]:
    try:
        return sorted((parse_event(e) for e in _events(client, LOG_GROUP, since, end, pattern)), key=lambda x: x.at)
    except (BotoCoreError, ClientError) as exc:
        raise LogsError(describe_error(exc)) from exc


# --- saved queries ------------------------------------------------------------------------------------------------


def _json_number(line: LogLine, name: str) -> float | None:
    value = line.fields.get(name)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _bin(at: dt.datetime, size: dt.timedelta) -> str:
    """A bin's label as Logs Insights prints it: "2026-03-14 09:20:00.000"."""
    start = dt.datetime.fromtimestamp(at.timestamp() // size.total_seconds() * size.total_seconds(), dt.UTC)
    return start.strftime("%Y-%m-%d %H:%M:%S.000")


def _error_rate(lines: Sequence[LogLine]) -> list[dict[str, str]]:
    counts = Counter(_bin(line.at, dt.timedelta(minutes=5)) for line in lines if "ERROR" in line.raw)
    return [{"bin(5m)": label, "error_count": str(n)} for label, n in sorted(counts.items(), reverse=True)]


def _slow_queries(lines: Sequence[LogLine]) -> list[dict[str, str]]:
    slow = [line for line in lines if (_json_number(line, "query_duration") or 0) > 1000]
    slow.sort(key=lambda line: -(_json_number(line, "query_duration") or 0))
    return [{"@timestamp": line.at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3], "@message": line.raw} for line in slow[:100]]


def _user_activity(lines: Sequence[LogLine]) -> list[dict[str, str]]:
    counts = Counter(
        (str(line.fields.get("userId", "")), _bin(line.at, dt.timedelta(hours=1)))
        for line in lines
        if line.fields.get("action") in ("login", "logout", "purchase")
    )
    rows = [{"userId": user, "bin(1h)": hour, "activity_count": str(n)} for (user, hour), n in counts.items()]
    return sorted(rows, key=lambda r: (-int(r["activity_count"]), r["bin(1h)"], r["userId"]))


def _slow_rows_hold(rows: Sequence[dict[str, str]]) -> bool:
    """Every row is a slow query: the endpoint applied the query's filter."""
    for row in rows:
        try:
            duration = json.loads(row.get("@message", "")).get("query_duration")
        except (ValueError, AttributeError):
            return False
        if not isinstance(duration, int | float) or duration <= 1000:
            return False
    return True


@dataclass(frozen=True)
class SavedQuery:
    name: str
    title: str
    query: str
    columns: tuple[str, ...]  # the fields every row of a real answer has
    local_pattern: str  # FilterLogEvents' pattern for the same events, when computing it here
    local: Callable[[Sequence[LogLine]], list[dict[str, str]]]
    bin_field: str | None = None  # rows counted per bin: the bar chart's bins
    count_field: str | None = None
    answer_holds: Callable[[Sequence[dict[str, str]]], bool] = lambda rows: True


SAVED_QUERIES: tuple[SavedQuery, ...] = (
    SavedQuery(
        "error-rate",
        "API error rate",
        "fields @timestamp, @message\n| filter @message like /ERROR/\n"
        "| stats count(*) as error_count by bin(5m)\n| sort bin(5m) desc",
        ("bin(5m)", "error_count"),
        "ERROR",
        _error_rate,
        bin_field="bin(5m)",
        count_field="error_count",
    ),
    SavedQuery(
        "slow-queries",
        "Slow database queries",
        "fields @timestamp, @message\n| filter @message like /query_duration/\n| filter query_duration > 1000\n"
        "| sort query_duration desc\n| limit 100",
        ("@timestamp", "@message"),
        "query_duration",
        _slow_queries,
        answer_holds=_slow_rows_hold,
    ),
    SavedQuery(
        "user-activity",
        "User activity patterns",
        'fields @timestamp, userId, action\n| filter action in ["login", "logout", "purchase"]\n'
        "| stats count(*) as activity_count by userId, bin(1h)\n| sort activity_count desc",
        ("userId", "bin(1h)", "activity_count"),
        "",
        _user_activity,
        bin_field="bin(1h)",
        count_field="activity_count",
    ),
)


def saved_query(name: str) -> SavedQuery:
    for query in SAVED_QUERIES:
        if query.name == name:
            return query
    raise KeyError(f"no saved query {name!r} (saved: {', '.join(q.name for q in SAVED_QUERIES)})")


@dataclass(frozen=True)
class QueryResult:
    query: SavedQuery
    start: dt.datetime
    end: dt.datetime
    rows: tuple[dict[str, str], ...]
    source: str  # "Logs Insights", or how it was computed instead
    unanswered: str | None = None  # why Logs Insights' answer was not used
    scanned: float | None = None  # Insights' recordsScanned
    columns: tuple[str, ...] = field(default=())

    @property
    def bins(self) -> list[tuple[str, int]]:
        """Counts per bin, oldest first (summed over the other group-by fields), for the bar chart."""
        q = self.query
        if q.bin_field is None or q.count_field is None:
            return []
        totals: Counter[str] = Counter()
        for row in self.rows:
            try:
                totals[row.get(q.bin_field, "")] += int(float(row.get(q.count_field, "0")))
            except ValueError:
                continue
        return sorted(totals.items())

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query.name,
            "title": self.query.title,
            "query_string": self.query.query,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "source": self.source,
            "unanswered": self.unanswered,
            "rows": list(self.rows),
            "bins": [{"bin": label, "count": count} for label, count in self.bins],
        }


def run_saved_query(
    client: Any,
    query: SavedQuery,
    start: dt.datetime,
    end: dt.datetime,
    *,
    sleep: Callable[[float], None] = time.sleep,
    timeout: dt.timedelta = QUERY_TIMEOUT,
) -> QueryResult:
    """Run it on Logs Insights and wait for the answer; if the endpoint does not run this kind of query, compute it
    from the matching events instead (and say so). LogsError when neither can be read."""
    try:
        answer = _insights(client, query, start, end, sleep, timeout)
    except (BotoCoreError, ClientError) as exc:
        answer = f"Logs Insights: {describe_error(exc)}"
    if isinstance(answer, QueryResult):
        return answer
    lines = recent_lines(client, start, end, query.local_pattern)
    rows = tuple(query.local(lines))
    source = f"computed here from {len(lines)} events (FilterLogEvents)"
    return QueryResult(query, start, end, rows, source, answer, None, query.columns)


def _insights(
    client: Any,
    query: SavedQuery,
    start: dt.datetime,
    end: dt.datetime,
    sleep: Callable[[float], None],
    timeout: dt.timedelta,
) -> QueryResult | str:
    """The Insights answer, or why there is none."""
    query_id = client.start_query(
        logGroupName=LOG_GROUP,
        startTime=int(start.timestamp()),
        endTime=int(end.timestamp()),
        queryString=query.query,
    )["queryId"]
    waited = 0.0
    while True:
        answer = client.get_query_results(queryId=query_id)
        status = answer.get("status", "Unknown")
        if status == "Complete":
            break
        if status not in ("Scheduled", "Running"):
            return f"Logs Insights: the query ended {status}"
        if waited >= timeout.total_seconds():
            client.stop_query(queryId=query_id)
            return f"Logs Insights: no answer within {timeout.total_seconds():g} s"
        sleep(QUERY_POLL_SECONDS)
        waited += QUERY_POLL_SECONDS
    rows = tuple(
        {f["field"]: f.get("value", "") for f in row if f["field"] != "@ptr"} for row in answer.get("results", [])
    )
    missing = sorted({c for c in query.columns for row in rows if c not in row})
    if missing:
        return (
            f"the endpoint does not run this query kind: its rows lack {', '.join(missing)} "
            "(moto runs only fields, sort, limit)"
        )
    if not query.answer_holds(rows):
        return "the endpoint did not apply the query's filter (moto runs only fields, sort, limit)"
    scanned = answer.get("statistics", {}).get("recordsScanned")
    return QueryResult(query, start, end, rows, "Logs Insights", None, scanned, query.columns)


# --- display and export ---------------------------------------------------------------------------------------------


def bar_lines(bins: Sequence[tuple[str, int]], width: int, label_width: int = 5) -> list[str]:
    """A small horizontal bar chart: "09:20 ████████ 12", one line per bin, the label as HH:MM."""
    if not bins:
        return []
    top = max(count for _label, count in bins) or 1
    room = max(1, width - label_width - 6)
    return [
        f"{_short(label):<{label_width}} {'█' * max(1 if count else 0, round(count / top * room)):<{room}} {count}"
        for label, count in bins
    ]


def _short(label: str) -> str:
    """ "2026-03-14 09:20:00.000" → "09:20"."""
    match = re.search(r"(\d\d:\d\d):\d\d", label)
    return match[1] if match else label[:5]


def result_table(result: QueryResult) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Columns and rows as the screen and the text output show them (inert: a log line is anyone's text): a slow
    query is its time, its duration and its SQL (from the JSON line), not one long @message."""
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    if result.query.name == "slow-queries":
        columns, rows = ("time", "query ms", "query"), []
        for row in result.rows:
            try:
                data = json.loads(row.get("@message", ""))
            except ValueError:
                data = {}
            rows.append(
                (row.get("@timestamp", "")[:19], str(data.get("query_duration", "")), str(data.get("query", "")))
            )
    else:
        columns = result.columns or result.query.columns
        rows = [tuple(row.get(c, "") for c in columns) for row in result.rows]
    return columns, [tuple(printable(cell) for cell in row) for row in rows]


def export_lines(lines: Sequence[LogLine], fmt: str) -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(line.to_json(), ensure_ascii=False) + "\n" for line in lines)
    rows = [
        (line.at.isoformat(), line.level, line.message, json.dumps(line.fields, ensure_ascii=False)) for line in lines
    ]
    return _csv(("time", "level", "message", "fields"), rows)


def export_result(result: QueryResult, fmt: str) -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in result.rows)
    columns = result.columns or result.query.columns
    return _csv(columns, [tuple(row.get(c, "") for c in columns) for row in result.rows])


def _csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def export_name(kind: str, moment: dt.datetime, fmt: str) -> str:
    return f"shop-api-{kind}-{moment.astimezone(dt.UTC):%Y%m%d-%H%M%S}.{fmt}"


def tail_text(line: LogLine) -> str:
    """One line as shown (the CLI's tail and the screen): a log line is anyone's text, so it is drawn inert."""
    return printable(f"{line.at:%H:%M:%S} {line.level:<5} {line.message} {line.shown_fields}".rstrip())


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


# --- the headless command -----------------------------------------------------------------------------------------


def run_logs_command(
    profile: Profile,
    role: str | None,
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO = sys.stderr,
    *,
    clients: ClientSource | None = None,
    clock: Clock = system_clock,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """`shop-console logs tail [--since 1h] [--filter TEXT] [--follow] [--json]` and `logs query [NAME] [--since 1h]
    [--json]`. Exit 0, 1 an AWS error, 4 refused (not admin or support), 64 a usage error."""
    if role_refused("logs", role, err):
        return EXIT_REFUSED
    try:
        since = parse_since(args.since)
    except ValueError as exc:
        err.write(f"shop-console logs: --since: {exc}\n")
        return EXIT_USAGE
    client = (clients or AwsClients(profile)).client("logs")
    now = clock()
    try:
        if args.logs_command == "tail":
            return _tail(client, now - since, args, out, sleep)
        if not args.query:
            for query in SAVED_QUERIES:
                out.write(f"{query.name:<14} {query.title}\n")
            return 0
        try:
            query = saved_query(args.query)
        except KeyError as exc:
            err.write(f"shop-console logs: {exc.args[0]}\n")
            return EXIT_USAGE
        result = run_saved_query(client, query, now - since, now, sleep=sleep)
    except LogsError as exc:
        err.write(f"shop-console logs: {exc}\n")
        return EXIT_ERROR
    if args.json:
        out.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
        return 0
    out.write(f"{query.title} · {format_time(result.start)} to {format_time(result.end)} · {result.source}\n")
    if result.unanswered:
        out.write(f"Logs Insights not used: {result.unanswered}\n")
    columns, rows = result_table(result)
    out.write("\t".join(columns) + "\n")
    out.writelines("\t".join(row) + "\n" for row in rows)
    out.writelines(line + "\n" for line in bar_lines(result.bins, 60))
    return 0


def _tail(
    client: Any, since: dt.datetime, args: argparse.Namespace, out: TextIO, sleep: Callable[[float], None]
) -> int:
    tail = LogTail(client, since)
    while True:
        for line in tail.poll():
            if line.matches(args.filter):
                out.write(
                    json.dumps(line.to_json(), ensure_ascii=False) + "\n" if args.json else tail_text(line) + "\n"
                )
        out.flush()
        if not args.follow:
            return 0
        sleep(TAIL_POLL_SECONDS)
