"""The actions of the weekly maintenance (scripts/weekly-maintenance.sh):

- `db.maintenance`: ANALYZE, or VACUUM (ANALYZE), of the API's database through shop-api
  (POST /v1/admin/db/maintenance; PostgreSQL only). Low risk: it changes no data and takes no lock that blocks
  reads or writes. Verified when every table's last analyze is after the run started (the database's clock).
- `logs.delete_log_streams`: delete the log streams of a group created more than N days ago (the guide's log
  cleanup). High risk, since deleted log data is gone: the confirmation is "delete N streams", typed. Verified when
  none of them is listed any more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field

from console.api import ApiProblem, ApiUnavailable
from console.ops.aws import describe_error
from console.ops.maintenance import MAINTENANCE_PATH, old_log_streams
from console.ops.runbooks.actions import Action, ActionFailed, Env, Executed, Observation, Preview, Risk

LOG_GROUP = "/aws/ecs/shop-management-api"
MAX_STREAMS = 200  # per confirmation: a person should be able to read what they delete
SQL = {"analyze": "ANALYZE", "vacuum_analyze": "VACUUM (ANALYZE)"}


class DbMaintenanceParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operation: Literal["analyze", "vacuum_analyze"] = "analyze"


@dataclass(frozen=True)
class DbPlan:
    operation: str
    tables: tuple[str, ...]


@dataclass(frozen=True)
class DbRun:
    operation: str
    since: dt.datetime  # the database's clock just before the run
    tables: tuple[str, ...]


class DbMaintenance(Action[DbMaintenanceParams]):
    name = "db.maintenance"
    risk = Risk.LOW
    params = DbMaintenanceParams
    operation = f"POST {MAINTENANCE_PATH}"
    verify_timeout = dt.timedelta(minutes=2)
    poll = dt.timedelta(seconds=5)

    def preview(self, params: DbMaintenanceParams, env: Env, findings: Mapping[str, Any]) -> Preview:
        sql = SQL[params.operation]
        blocked: str | None = None
        tables: tuple[str, ...] = ()
        if env.api is None:
            blocked = "not signed in to shop-api"
        else:
            try:
                status = env.api.request("GET", MAINTENANCE_PATH).json()
                tables = tuple(t["table"] for t in status["tables"])
                if params.operation == "vacuum_analyze" and not status["vacuum_allowed"]:
                    blocked = status["vacuum_refusal"]
            except (ApiProblem, ApiUnavailable) as exc:
                blocked = f"shop-api: {exc}"
        return Preview(
            action=self.name,
            risk=self.risk,
            summary=f"{sql} of the API's database ({len(tables)} tables)",
            details=(f"tables: {', '.join(tables) or 'unknown'}",),
            api_calls=(f"shop-api POST {MAINTENANCE_PATH} operation={params.operation}",),
            cli=(f"psql -h $DB_ENDPOINT -U postgres -d shop_management -c '{sql};'",),
            verify="every table's last analyze is after the run started (pg_stat_user_tables)",
            notes=("plain VACUUM blocks no reads or writes; it is still the maintenance window's task",),
            inputs=params.model_dump(),
            subject=DbPlan(params.operation, tables),
            blocked=blocked,
        )

    def execute(self, preview: Preview, env: Env) -> Executed:
        plan: DbPlan = preview.subject
        assert env.api is not None
        since = dt.datetime.fromisoformat(env.api.request("GET", MAINTENANCE_PATH).json()["collected_at"])
        answer = env.api.request("POST", MAINTENANCE_PATH, json={"operation": plan.operation}).json()
        done = tuple(answer["tables"])
        detail = f"{SQL[plan.operation]} ran on {len(done)} tables in {answer['seconds']:g} s"
        return Executed(
            detail, DbRun(plan.operation, since, done), result={"tables": len(done), "s": answer["seconds"]}
        )

    def observe(self, executed: Executed, env: Env) -> Observation:
        run: DbRun = executed.subject
        assert env.api is not None
        tables = env.api.request("GET", MAINTENANCE_PATH).json()["tables"]
        stale = [t["table"] for t in tables if t["table"] in run.tables and not _analyzed_since(t, run.since)]
        if stale:
            return Observation(None, f"not analyzed yet: {', '.join(stale)}")
        return Observation("verified", f"{len(run.tables)} tables analyzed since {run.since:%H:%M:%S} UTC")

    def pending(self, executed: Executed) -> str:
        return "some tables not analyzed"


def _analyzed_since(table: dict[str, Any], since: dt.datetime) -> bool:
    times = [dt.datetime.fromisoformat(t) for t in (table.get("last_analyze"), table.get("last_autoanalyze")) if t]
    return any(t >= since for t in times)


class DeleteStreamsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    log_group: str = LOG_GROUP
    older_than_days: int = Field(default=30, ge=7, le=3650)  # never last week's: an incident may still need them


@dataclass(frozen=True)
class StreamsPlan:
    log_group: str
    streams: tuple[str, ...]


class DeleteLogStreams(Action[DeleteStreamsParams]):
    name = "logs.delete_log_streams"
    risk = Risk.HIGH  # deleted log data cannot come back
    params = DeleteStreamsParams
    operation = "DeleteLogStream"
    verify_timeout = dt.timedelta(minutes=1)
    poll = dt.timedelta(seconds=5)

    def preview(self, params: DeleteStreamsParams, env: Env, findings: Mapping[str, Any]) -> Preview:
        before = env.clock() - dt.timedelta(days=params.older_than_days)
        blocked: str | None = None
        streams: list[dict[str, Any]] = []
        try:
            streams = old_log_streams(env.clients.client("logs"), params.log_group, before)
        except (BotoCoreError, ClientError) as exc:
            blocked = f"cannot list the streams: {describe_error(exc)}"
        if not blocked and not streams:
            blocked = f"no stream of {params.log_group} is older than {params.older_than_days} days: nothing to delete"
        chosen = streams[:MAX_STREAMS]
        size = sum(s["stored_bytes"] or 0 for s in chosen)
        names = tuple(s["stream"] for s in chosen)
        return Preview(
            action=self.name,
            risk=self.risk,
            summary=f"Delete {len(chosen)} log streams of {params.log_group} created before {before:%Y-%m-%d}",
            details=tuple(f"{s['stream']} (created {s['created'][:10]})" for s in chosen[:10])
            + ((f"… and {len(chosen) - 10} more ({size} bytes in all)",) if len(chosen) > 10 else ()),
            api_calls=tuple(
                f"logs:DeleteLogStream logGroupName={params.log_group} logStreamName={n}" for n in names[:3]
            )
            + (("…",) if len(names) > 3 else ()),
            cli=(f"aws logs delete-log-stream --log-group-name {params.log_group} --log-stream-name NAME",),
            verify="none of them is listed by describe-log-streams any more",
            notes=(f"at most {MAX_STREAMS} streams per confirmation",) if len(streams) > MAX_STREAMS else (),
            inputs={**params.model_dump(), "streams": list(names)},
            subject=StreamsPlan(params.log_group, names),
            confirm_phrase=f"delete {len(chosen)} streams",
            blocked=blocked,
        )

    def execute(self, preview: Preview, env: Env) -> Executed:
        plan: StreamsPlan = preview.subject
        logs = env.clients.client("logs")
        deleted, skipped = [], []
        for stream in plan.streams:
            try:
                logs.delete_log_stream(logGroupName=plan.log_group, logStreamName=stream)
                deleted.append(stream)
            except ClientError as exc:
                skipped.append(f"{stream}: {describe_error(exc)}")
        if not deleted:
            raise ActionFailed(f"no stream was deleted: {skipped[0]}")
        done = StreamsPlan(plan.log_group, tuple(deleted))
        return Executed(f"deleted {len(deleted)} streams", done, tuple(skipped), {"deleted": len(deleted)})

    def observe(self, executed: Executed, env: Env) -> Observation:
        plan: StreamsPlan = executed.subject
        logs = env.clients.client("logs")
        pages = logs.get_paginator("describe_log_streams").paginate(logGroupName=plan.log_group)
        left = {s["logStreamName"] for page in pages for s in page.get("logStreams", [])} & set(plan.streams)
        if left:
            return Observation(None, f"{len(left)} still listed")
        return Observation("verified", f"{len(plan.streams)} streams gone from {plan.log_group}")

    def pending(self, executed: Executed) -> str:
        return "some deleted streams are still listed"
