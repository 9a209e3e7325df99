"""`shop-console sync`, `queue` and `reset` as a script runs them: real processes on the suite's stack, sales
recorded in the profile's own offline cache, and the server's orders checked with a manager's session."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console import config, headless, paths
from console.demo import StackInfo, profile_for_stack
from console.session import SessionService
from offline_cache.models import Adjustment, SaleLine, Tender
from offline_cache.store import Store
from tests.console.conftest import run_cli as run

CASHIER = ("corner-cashier", "Apples-Till-101!")
MANAGER = ("corner-manager", "Apples-Stock-202!")


def _profile(stack: StackInfo, name: str) -> config.Profile:
    profile = profile_for_stack(
        stack,
        name,
        terminal_id=f"CL{uuid.uuid4().hex[:8]}",  # receipt numbers are unique per terminal on the server
    ).model_copy(update={"token_store": "file"})  # so that a stored session is there for `reset` to remove
    config.save_profile(profile)
    return profile


@pytest.fixture
def till(stack: StackInfo) -> config.Profile:
    return _profile(stack, "till")


@pytest.fixture
def manager(stack: StackInfo) -> Iterator[SessionService]:
    profile = _profile(stack, "office")
    environ = {"SHOP_CONSOLE_PASSWORD": MANAGER[1]}
    session, _ = headless.sign_in(profile, MANAGER[0], False, io.StringIO(), environ)
    yield session
    session.api.close()


def sync_once(profile: config.Profile) -> tuple[int, dict[str, Any]]:
    done = run(
        profile.name, "sync", "--once", "--json", "--username", CASHIER[0], "--password-stdin", password=CASHIER[1]
    )
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def queue_list(profile: config.Profile) -> list[dict[str, Any]]:
    done = run(profile.name, "queue", "list", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def open_store(profile: config.Profile) -> Store:
    """The profile's cache, as the CLI finds it (the XDG dirs of this test reach its processes too)."""
    return Store.open(paths.profile_data_dir(profile.name) / "queue.db", terminal_id=profile.terminal_id)


def sell(profile: config.Profile, count: int) -> list[str]:
    """Ring up `count` sales of products from the pulled catalogue."""
    with open_store(profile) as store:
        products = [p for p in store.catalogue.page(limit=50, active=True).items if p.price > 0][:3]
        assert products, "the first pull brought no products"
        return [
            store.writes.record_sale([SaleLine(products[n % len(products)].id, 1)], [Tender("cash", 10**6)]).id
            for n in range(count)
        ]


def server_orders(manager: SessionService, profile: config.Profile) -> list[str]:
    page = manager.api.request("GET", "/v1/orders", params={"terminal_id": profile.terminal_id, "limit": 500})
    return sorted(order["id"] for order in page.json()["items"])


def test_sync_once_pushes_each_sale_once_and_empties_the_queue(till: config.Profile, manager: SessionService) -> None:
    code, first = sync_once(till)
    assert code == 0 and first["pulled"] > 0 and first["error"] is None
    sold = sell(till, 3)
    listed = queue_list(till)
    assert [(op["id"], op["type"], op["status"]) for op in listed] == [(i, "order.create", "pending") for i in sold]
    assert {"seq", "attempts", "last_error", "created_at"} <= set(listed[0])

    code, report = sync_once(till)
    assert code == 0, report
    assert set(report) >= {"pushed", "duplicate", "rejected", "conflicts", "pulled", "remaining"}
    assert (report["pushed"], report["rejected"], report["remaining"]) == (3, 0, 0)
    assert server_orders(manager, till) == sorted(sold)

    code, again = sync_once(till)
    assert code == 0 and (again["pushed"], again["duplicate"]) == (0, 0)
    assert queue_list(till) == []
    assert run(till.name, "queue", "list").stdout.strip() == "The queue is empty."
    assert server_orders(manager, till) == sorted(sold)


def test_export_import_on_another_profile_applies_once_and_reset_is_guarded(
    stack: StackInfo, till: config.Profile, manager: SessionService, tmp_path: Path
) -> None:
    assert sync_once(till)[0] == 0
    sold = sell(till, 2)

    refused = run(till.name, "reset")
    assert refused.returncode == 1 and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "2 not yet sent" in refused.stderr and "shop-console queue export FILE" in refused.stderr
    assert (paths.profile_data_dir(till.name) / "queue.db").exists()

    export = tmp_path / "queue.json"
    exported = run(till.name, "queue", "export", str(export))
    assert exported.returncode == 0 and "exported 2 operation(s)" in exported.stdout

    other = _profile(stack, "spare")
    for added, already in ((2, 0), (0, 2)):  # importing the same file twice queues it once
        imported = run(other.name, "queue", "import", str(export))
        assert imported.returncode == 0, imported.stderr
        assert f"queued {added} operation(s)" in imported.stdout and f"{already} were here already" in imported.stdout
    assert [op["id"] for op in queue_list(other)] == sold

    code, report = sync_once(other)
    assert code == 0 and (report["pushed"], report["remaining"]) == (2, 0)
    assert server_orders(manager, till) == sorted(sold)  # the sales keep the first till's terminal id

    # Exported, so the first till may be reset although its own queue never sent them.
    data_dir = paths.profile_data_dir(till.name)
    assert (data_dir / "session.json").exists() and (data_dir / "offline-unlock.json").exists()
    reset = run(till.name, "reset")
    assert reset.returncode == 0, reset.stderr
    assert not data_dir.exists()
    assert server_orders(manager, till) == sorted(sold)


def test_a_dead_op_left_in_the_queue_exits_1_and_a_failed_sign_in_exits_3(till: config.Profile) -> None:
    assert sync_once(till)[0] == 0
    with open_store(till) as store:
        product = store.catalogue.page(limit=1, active=True).items[0]
        [refused] = store.writes.record_adjustments([Adjustment(product.id, "receive", delta=5)])  # managers only
    sell(till, 1)
    code, report = sync_once(till)
    assert code == 1 and (report["pushed"], report["rejected"], report["remaining"]) == (1, 1, 0)
    [dead] = queue_list(till)
    assert (dead["id"], dead["type"], dead["status"], dead["attempts"]) == (refused, "stock.adjust", "dead", 1)
    assert "manager" in dead["last_error"]

    wrong = run(till.name, "sync", "--once", "--username", CASHIER[0], "--password-stdin", password="wrong")
    assert wrong.returncode == 3 and wrong.stdout == "" and len(wrong.stderr.strip().splitlines()) == 1


def test_sync_runs_until_sigterm(till: config.Profile, manager: SessionService) -> None:
    assert sync_once(till)[0] == 0
    sold = sell(till, 2)
    command = [sys.executable, "-m", "console.cli", "--profile", till.name, "sync", "--json"]
    env = {**os.environ, "SHOP_CONSOLE_USERNAME": CASHIER[0], "SHOP_CONSOLE_PASSWORD": CASHIER[1]}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())  # the first cycle drains the queue
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, process.stderr.read() if process.stderr else ""
    assert (first["pushed"], first["remaining"]) == (2, 0)
    assert server_orders(manager, till) == sorted(sold)
