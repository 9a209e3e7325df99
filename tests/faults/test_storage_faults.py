"""The data dir fails while selling: the disk fills up (SQLite's own "database or disk is full", by capping the
file's pages; and the OS refusing to grow the file, by a file-size limit in a child process), or the database
turns read-only. The sale is refused with a StorageError whose message says what happened, nothing of it is
written (no order, lines, tenders, outbox row, stock movement or receipt number), and once the fault clears
the same cart sells, with the receipt number the refused sale would have had."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from offline_support import load

from offline_cache.db import StorageError
from offline_cache.models import SaleLine, Tender
from offline_cache.store import Store

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("orders", "order_lines", "order_tenders", "outbox", "stock_delta", "receipt_counters")


def counts(store: Store) -> dict[str, Any]:
    conn = store.conn
    found: dict[str, Any] = {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}
    found["receipts"] = conn.execute("SELECT terminal_id, day, last_number FROM receipt_counters").fetchall()
    return found


@contextmanager
def disk_full(store: Store) -> Iterator[None]:
    """No page beyond those the file has (what SQLite meets on a full disk), free pages used up first."""
    conn = store.conn
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    yield
    conn.execute("PRAGMA max_page_count = 1073741823")


@contextmanager
def read_only(store: Store) -> Iterator[None]:
    store.conn.execute("PRAGMA query_only = ON")
    yield
    store.conn.execute("PRAGMA query_only = OFF")


FAULTS: dict[str, tuple[Callable[[Store], Any], str]] = {
    "disk full": (disk_full, "disk is full"),
    "read-only": (read_only, "read-only"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_sale_on_a_failing_disk_is_refused_whole_and_the_cart_sells_later(
    stocked: Store, products: list[dict[str, Any]], fault: str
) -> None:
    store = stocked
    cart = [SaleLine(products[n]["id"], 1 + n) for n in range(3)]
    paid = [Tender("cash", 10**6)]
    store.writes.record_sale(cart[:1], paid)  # a receipt counter exists: the refused sale must not move it
    inject, says = FAULTS[fault]
    with inject(store):
        sold_before_the_fault = 0
        while True:  # sell until the fault bites (a full disk: once the pages run out)
            before = counts(store)
            try:
                store.writes.record_sale(cart, paid)
            except StorageError as exc:
                refused = str(exc)
                break
            sold_before_the_fault += 1
            assert sold_before_the_fault < 1000, "the fault never refused a sale"
        assert says in refused and "nothing was saved" in refused, refused
        with pytest.raises(StorageError, match=says):  # the cashier tries again: the same answer
            store.writes.record_sale(cart, paid)
        assert counts(store) == before
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    sold = store.writes.record_sale(cart, paid)  # the cart kept by the screen sells once the disk has room
    assert sold.receipt_no.endswith(f"-{sold_before_the_fault + 2}") and len(sold.lines) == 3
    assert counts(store)["orders"] == before["orders"] + 1


CHILD = """
import resource, signal, sys
from offline_cache.db import StorageError
from offline_cache.models import SaleLine, Tender
from offline_cache.store import Store
store = Store.open(sys.argv[1], terminal_id="T1")
product_ids = [row[0] for row in store.conn.execute("SELECT id FROM products LIMIT 3")]
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the OS then answers EFBIG, as a full disk answers ENOSPC
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))
note = "x" * 4000
sold = 0
try:
    while True:
        store.writes.record_sale([SaleLine(p, 1) for p in product_ids], [Tender("cash", 10**6)])
        sold += 1
except StorageError as exc:
    print(sold, exc, sep="\\n")
"""


def test_the_os_refusing_to_grow_the_file_refuses_the_sale_whole(
    tmp_path: Path, products: list[dict[str, Any]]
) -> None:
    path = tmp_path / "cache.db"
    with Store.open(path, terminal_id="T1") as store:
        load(store, products[:20])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    limit = path.stat().st_size + 64 * 1024  # room for a few sales in the write-ahead log, then no more
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(limit)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.returncode == 0, child.stderr
    sold_text, message = child.stdout.splitlines()[:2]
    assert int(sold_text) >= 1 and "nothing was saved" in message, child.stdout
    with Store.open(path, terminal_id="T1") as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        found = counts(store)
        assert found["orders"] == int(sold_text) == found["outbox"]
        assert found["order_lines"] == 3 * found["orders"] and found["stock_delta"] >= found["orders"]
        assert found["receipts"][0][2] == found["orders"]
