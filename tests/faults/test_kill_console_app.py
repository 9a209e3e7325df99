"""kill -9 of the whole console app during a sale commit (issue 10): the real console (console_sale_child.py: the
app `shop-console` runs, headless under Textual's pilot) signed in as the cashier against the suite's stack, with
the till's shift open, rings up big cash sales through the screens while its sync pushes them; it is SIGKILLed at
seeded moments around the Enter that completes a sale, and started again. After every kill the database passes
`PRAGMA integrity_check`, no sale is torn (every order with all its lines, tenders, outbox op and stock movements;
no op without its order; no receipt number skipped), and every sale whose receipt showed is stored. At the end one
sync sends what is left, and the server has each order exactly once and the stock they add up to.

A moment: the Nth sale of a run (N seeded), a seeded share (1/500 to 2, log-uniform) of the time from that Enter
to the receipt showing (as measured on earlier sales) after the Enter, so that most land between the Enter and the
receipt: before or inside the local commit, or after it and before the receipt shows."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from offline_kills import ROOT, assert_nothing_torn
from offline_stack import Session, pages

from backend.devstack import StackInfo
from console import headless
from console.demo import StackInfo as ConsoleStackInfo
from console.sync_service import open_store, sync_once
from tests.console.conftest import user
from tests.console.counter_screens import CASHIER, till
from tests.console.test_sale_screen import open_shift

CHILD = Path(__file__).with_name("console_sale_child.py")
TRIALS = 2  # two test items, so two workers share the minute-long work
KILLS = 5  # per trial: 10 kills in all
SALES_PER_RUN = (1, 2)  # the sale of a run whose Enter the kill aims at
# After the Enter, a share of the Enter → receipt time, log-uniform from 1/500 to 2: the commit comes early in that
# time (the rest is the receipt's rendering, saving and screen), so a third of the kills aim at its first 2%.
WINDOW_SHARE = (-3.0, 0.0)  # log10 of (share / 2)


def _store_levels(manager: Session) -> Counter[str]:
    return Counter(
        {
            item["product_id"]: item["on_hand"]
            for item in pages(manager, "/v1/inventory", limit=500)
            if item["location"] == "store"
        }
    )


@pytest.mark.timeout(600)  # five starts of the whole app, each signing in: minutes on a loaded machine
@pytest.mark.parametrize("trial", range(TRIALS))
def test_the_console_killed_around_sale_commits_tears_and_loses_nothing(
    stack: StackInfo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    record_property: Callable[[str, object], None],
    trial: int,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # the child's tokens: memory only
    console_stack = ConsoleStackInfo.model_validate_json(stack.to_json())
    profile = till(console_stack)
    (tmp_path / "profile.json").write_text(profile.model_dump_json())
    (tmp_path / "stack.json").write_text(console_stack.model_dump_json())
    with open_store(profile) as store:
        open_shift(store)
    manager = Session(stack, "corner-manager")
    before = _store_levels(manager)

    rng = random.Random(20261211 + trial)
    window_s: float | None = None  # Enter → receipt, the last one seen
    shown: dict[str, str] = {}  # order id → receipt number, of every receipt that showed
    unshown: set[str] = set()  # stored sales whose receipt never showed: the kill came after their commit
    in_window = 0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for kill in range(KILLS):
        aim = rng.randint(*SALES_PER_RUN) if kill else SALES_PER_RUN[1]  # the first measures a sale first
        share = 2 * 10 ** rng.uniform(*WINDOW_SHARE)
        log = tmp_path / f"run-{kill}.log"
        with log.open("w") as stderr:
            child = subprocess.Popen(
                [
                    sys.executable,
                    str(CHILD),
                    str(tmp_path / "profile.json"),
                    str(tmp_path / "stack.json"),
                    str(trial * KILLS + kill),
                ],
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                env=env,
                cwd=ROOT,
            )
        assert child.stdout is not None
        paid_at, pays = 0.0, 0
        for line in child.stdout:
            word, *rest = line.split()
            if word == "sold":
                shown[rest[0]] = rest[1]
                window_s = time.monotonic() - paid_at
            elif word == "pay":
                paid_at, pays = time.monotonic(), pays + 1
                if pays == aim:
                    break
        assert pays == aim, f"run {kill}: the console stopped before its sale {aim}: {log.read_text()[-3000:]}"
        time.sleep(share * (window_s or 0.0))
        child.send_signal(signal.SIGKILL)
        left, _ = child.communicate(timeout=30)
        receipt_showed = False
        for line in left.splitlines():
            word, *rest = line.split()
            if word == "sold":
                shown[rest[0]] = rest[1]
                receipt_showed = True

        with open_store(profile) as store:
            assert_nothing_torn(store)
            stored = dict(store.conn.execute("SELECT id, receipt_no FROM orders WHERE origin = 'local'").fetchall())
        assert shown.items() <= stored.items(), "a sale whose receipt showed is not stored as shown"
        new = stored.keys() - shown.keys() - unshown
        assert len(new) <= (0 if receipt_showed else 1), "more sales stored than were completed"
        in_window += not receipt_showed
        unshown |= new
        assert child.returncode == -signal.SIGKILL
    figures = {
        "kills": KILLS,
        "receipts_shown": len(shown),
        "kills_between_enter_and_receipt": in_window,
        "of_which_after_the_commit": len(unshown),
    }
    print("console kills:", json.dumps(figures))
    record_property("console_kills", figures)

    environ = {"SHOP_CONSOLE_PASSWORD": user(console_stack, CASHIER).password}
    session, _ = headless.sign_in(profile, CASHIER, False, io.StringIO(), environ)
    assert sync_once(profile, session).drained
    with open_store(profile) as store:
        counts = assert_nothing_torn(store)
        assert counts["pending"] == counts["in_flight"] == counts["dead"] == counts["conflict"] == 0
        sold: Counter[str] = Counter()
        for product_id, quantity in store.conn.execute(
            "SELECT l.product_id, l.quantity FROM order_lines l JOIN orders o ON o.id = l.order_id "
            "WHERE o.origin = 'local'"
        ):
            sold[product_id] += quantity
        stored_ids = {row[0] for row in store.conn.execute("SELECT id FROM orders WHERE origin = 'local'")}
    on_server = [order["id"] for order in pages(manager, "/v1/orders", terminal_id=profile.terminal_id, limit=500)]
    assert len(on_server) == len(set(on_server))  # none twice
    assert set(on_server) == stored_ids  # none lost
    after = _store_levels(manager)
    assert {p: after[p] for p in sold} == {p: before[p] - sold[p] for p in sold}
