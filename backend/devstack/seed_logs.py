"""CloudWatch Logs: 3 hours of the API's JSON log lines in the guide's logger format, from two tasks.

Lines carry the guide's fields (userId, shopId, duration, query_duration, action login/logout/purchase). Levels are
upper case so the guide's filter pattern "ERROR" finds the error lines; slow queries (query_duration > 1,000 ms)
and errors crowd into the incident at the end of the `Timeline`.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backend.devstack.names import API_SERVICE, ENVIRONMENT, LOG_GROUP, PROJECT
from backend.devstack.timeline import Timeline

APP_VERSION = "2.4.1"
HOSTS = ("ip-10-0-1-23", "ip-10-0-2-47")  # one per running task
RETENTION_DAYS = 30
SEED = 20240102

_SLOW_QUERIES = (
    "SELECT o.* FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.shop_id = $1 AND o.created_at > $2",
    "SELECT p.id, p.name, s.on_hand FROM products p JOIN stock s ON s.product_id = p.id WHERE p.shop_id = $1",
    "UPDATE stock SET on_hand = on_hand + $1 WHERE product_id = $2 AND location = $3",
)
_ERRORS = (
    ("Database connection failed", "remaining connection slots are reserved for non-replication superuser"),
    ("Database connection failed", "timeout exceeded when trying to connect"),
    ("Request failed", "upstream request timeout"),
)
_PATHS = ("/v1/products", "/v1/orders", "/v1/inventory", "/v1/sync/push", "/v1/sync/changes", "/v1/me")


@dataclass(frozen=True)
class StaffMember:
    user_id: str  # the Cognito sub
    shop_id: str


def seed(logs: Any, timeline: Timeline, staff: Sequence[StaffMember]) -> None:
    logs.create_log_group(logGroupName=LOG_GROUP, tags={"Project": PROJECT})
    logs.put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=RETENTION_DAYS)
    for index, host in enumerate(HOSTS):
        # The guide's transport names streams `${HOSTNAME}-${Date.now()}` (at process start).
        stream = f"{host}-{int(timeline.start.timestamp() * 1000)}"
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
        events = _events(random.Random(SEED + index), timeline, staff)
        logs.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream, logEvents=events)


def _events(rng: random.Random, timeline: Timeline, staff: Sequence[StaffMember]) -> list[dict[str, Any]]:
    events = []
    moment = timeline.start
    while moment <= timeline.now:
        incident = timeline.in_incident(moment)
        record = _record(rng, moment, rng.choice(staff), incident)
        events.append({"timestamp": int(moment.timestamp() * 1000), "message": json.dumps(record)})
        moment += timedelta(seconds=rng.uniform(8, 25) if incident else rng.uniform(30, 90))
    return events


def _record(rng: random.Random, moment: datetime, who: StaffMember, incident: bool) -> dict[str, Any]:
    base = {
        "timestamp": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "service": API_SERVICE,
        "environment": ENVIRONMENT,
        "version": APP_VERSION,
        "userId": who.user_id,
        "shopId": who.shop_id,
    }
    roll = rng.random()
    if roll < (0.30 if incident else 0.02):
        message, error = rng.choice(_ERRORS)
        return {
            **base,
            "level": "ERROR",
            "message": message,
            "error": error,
            "path": rng.choice(_PATHS),
            "status": 503,
            "duration": rng.randint(2000, 30000),
        }
    if roll < (0.55 if incident else 0.06):
        return {
            **base,
            "level": "WARN",
            "message": "Slow database query",
            "query": rng.choice(_SLOW_QUERIES),
            "query_duration": rng.randint(1100, 6500) if incident else rng.randint(1001, 1800),
        }
    if roll < 0.70:
        return {
            **base,
            "level": "INFO",
            "message": "Request completed",
            "method": "GET",
            "path": rng.choice(_PATHS),
            "status": 200,
            "duration": rng.randint(1500, 3200) if incident else rng.randint(40, 320),
            "query_duration": rng.randint(200, 900) if incident else rng.randint(2, 60),
        }
    if roll < 0.85:
        return {
            **base,
            "level": "INFO",
            "message": "Order completed",
            "action": "purchase",
            "orderId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "total": rng.randint(199, 18999),
            "duration": rng.randint(1800, 3600) if incident else rng.randint(80, 400),
        }
    login = roll < 0.93
    return {
        **base,
        "level": "INFO",
        "message": "User login successful" if login else "User logged out",
        "action": "login" if login else "logout",
        "ipAddress": f"10.0.{rng.randint(1, 3)}.{rng.randint(10, 250)}",
        "userAgent": "shop-console/0.1.0",
    }
