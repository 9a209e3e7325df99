"""The health dashboard's data against the local stack: the guide's business and infrastructure metrics as series
with their latest value (the seeded incident at the end), its two alarms firing, shop-api's live figures for an
admin only, and an unreachable AWS endpoint costing one timeout, not one per metric."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from ops_testkit import UNREACHABLE, profile_for
from runbooks_testkit import seeded_clock, signed_in, stack_profile_for

from console.config import Profile
from console.demo import StackInfo
from console.ops.dashboard import Dashboard, collect_dashboard
from console.session import SessionService, SignedIn
from offline_cache.clock import Clock


@pytest.fixture(scope="module")
def profile(stack: StackInfo) -> Profile:
    return stack_profile_for(stack, "dashboard")


@pytest.fixture(scope="module")
def clock(profile: Profile) -> Clock:
    return seeded_clock(profile)


@pytest.fixture(scope="module")
def users(
    stack: StackInfo, profile: Profile, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[SessionService, SignedIn]]:
    with pytest.MonkeyPatch.context() as env:
        for kind in ("CONFIG", "DATA", "STATE", "CACHE"):
            env.setenv(f"XDG_{kind}_HOME", str(tmp_path_factory.mktemp(kind.lower())))
        return {name: signed_in(profile, stack, name) for name in ("ops-admin", "corner-support")}


@pytest.fixture(scope="module")
def dashboard(profile: Profile, clock: Clock, users: dict[str, tuple[SessionService, SignedIn]]) -> Dashboard:
    return collect_dashboard(profile, api=users["ops-admin"][0].api, clock=clock)


def test_the_guides_metrics_as_series_with_the_latest_value(dashboard: Dashboard) -> None:
    assert [p.spec.key for p in dashboard.business] == ["active_shops", "active_users", "transactions_per_hour"]
    assert [p.spec.key for p in dashboard.infrastructure] == [
        "ecs_cpu",
        "ecs_memory",
        "alb_response",
        "rds_connections",
    ]
    for panel in (*dashboard.business, *dashboard.infrastructure):
        assert panel.error is None and len(panel.series) >= 30, panel.spec.key  # 3 hours at 5-minute periods
        assert panel.latest == panel.series[-1] and len(panel.spark(20)) == 20
    panels = {p.spec.key: p for p in (*dashboard.business, *dashboard.infrastructure)}
    assert panels["active_shops"].latest_text == "2"
    latest = {key: panel.latest.value for key, panel in panels.items() if panel.latest}
    assert latest["ecs_cpu"] > 80 and latest["alb_response"] > 2 and latest["rds_connections"] > 80  # the incident
    assert panels["ecs_cpu"].latest_text.endswith(" %") and panels["alb_response"].latest_text.endswith(" s")
    assert max(p.value for p in panels["ecs_cpu"].series[:20]) < 50  # calm before it


def test_the_guides_alarms_first_with_their_state(dashboard: Dashboard) -> None:
    assert dashboard.alarms_error is None
    first, second = dashboard.alarms[:2]
    assert {first.name, second.name} == {"API-High-Response-Time", "Database-High-Connections"}
    assert first.state == second.state == "ALARM" and first.in_guide and second.in_guide
    assert first.reason.startswith("Threshold Crossed")
    assert {a.name for a in dashboard.alarms_firing} == {first.name, second.name}


def test_live_figures_for_an_admin_only(
    dashboard: Dashboard, profile: Profile, clock: Clock, users: dict[str, tuple[SessionService, SignedIn]]
) -> None:
    assert dashboard.live is not None and dashboard.live_error is None
    assert min(dashboard.live.active_shops, dashboard.live.active_users, dashboard.live.transactions_last_hour) >= 0
    for_support = collect_dashboard(profile, api=users["corner-support"][0].api, clock=clock)
    assert for_support.live is None and (for_support.live_error or "").startswith("shop-api refused: ")
    assert for_support.infrastructure[0].error is None  # the rest is there for support
    assert collect_dashboard(profile, clock=clock).live_error == "not signed in to shop-api"


def test_it_says_how_old_it_is(dashboard: Dashboard) -> None:
    assert dashboard.collected_text(dashboard.collected_at + dt.timedelta(seconds=12)) == "collected 12 s ago"
    assert json.loads(json.dumps(dashboard.to_json()))["alarms"][0]["state"] == "ALARM"


def test_an_unreachable_endpoint_costs_one_timeout() -> None:
    began = time.monotonic()
    down = collect_dashboard(profile_for(UNREACHABLE))
    assert time.monotonic() - began < 10
    reason = "AWS endpoint not reachable: http://127.0.0.1:1"
    assert {p.error for p in (*down.business, *down.infrastructure)} == {reason}
    assert down.alarms == () and down.alarms_error == reason
    assert down.infrastructure[0].latest_text == f"unknown: {reason}"
