"""Killed mid-commit (SIGKILL at seeded random moments): never a torn write, never a reused receipt number."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from offline_support import load

from offline_cache.store import Store

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("offline_crash_child.py")
TRIALS = 8


def _invariants(store: Store) -> None:
    conn = store.conn
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    orders = {row[0] for row in conn.execute("SELECT id FROM orders")}
    ops = dict(conn.execute("SELECT id, type FROM outbox").fetchall())
    assert {op for op, kind in ops.items() if kind == "order.create"} == orders
    assert not conn.execute(
        "SELECT id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"
    ).fetchall()
    assert not conn.execute(
        "SELECT id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_tenders t WHERE t.order_id = o.id)"
    ).fetchall()
    assert not conn.execute(
        "SELECT id FROM outbox o WHERE o.type IN ('order.create', 'order.refund') "
        "AND NOT EXISTS (SELECT 1 FROM stock_delta d WHERE d.op_id = o.id)"
    ).fetchall()
    refunds = {row[0] for row in conn.execute("SELECT id FROM refunds")}
    assert refunds == {op for op, kind in ops.items() if kind == "order.refund"}
    for terminal, day, last in conn.execute("SELECT terminal_id, day, last_number FROM receipt_counters"):
        numbers = sorted(
            int(r[0].rsplit("-", 1)[1])
            for r in conn.execute("SELECT receipt_no FROM orders WHERE receipt_no LIKE ?", (f"{terminal}-{day}-%",))
        )
        assert numbers == list(range(1, last + 1))


def test_sales_killed_mid_commit_are_whole_or_absent(tmp_path: Path, products: list[dict[str, Any]]) -> None:
    path = tmp_path / "cache.db"
    with Store.open(path, terminal_id="T1") as store:
        load(store, products[:50])
    rng = random.Random(20260302)
    printed: list[str] = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(TRIALS):
        child = subprocess.Popen(
            [sys.executable, str(CHILD), str(path), str(rng.randrange(10**6))],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert child.stdout is not None
        started = child.stdout.readline()  # running: the store is open and a sale went through
        assert started, "the child process did not start selling"
        printed.append(started.strip())
        time.sleep(rng.uniform(0.0, 0.3))
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate()
        printed += rest.split()
        with Store.open(path, terminal_id="T1") as store:
            _invariants(store)
            stored = {row[0] for row in store.conn.execute("SELECT receipt_no FROM orders")}
        assert set(printed) <= stored  # whatever a receipt showed was committed
    assert max(Counter(printed).values()) == 1  # and no number was handed out twice
    assert len(printed) > TRIALS
