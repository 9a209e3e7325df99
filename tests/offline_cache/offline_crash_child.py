"""Run by test_offline_crash.py: ring up sales (and refunds, counts) forever, printing each receipt number once
its sale has committed, until killed."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from offline_cache.models import Adjustment, RefundLine, SaleLine, Tender
from offline_cache.store import Store


def main(path: str, seed: int) -> None:
    rng = random.Random(seed)
    with Store.open(Path(path), terminal_id="T1") as store:
        ids = [row[0] for row in store.conn.execute("SELECT id FROM products ORDER BY row_id")]
        while True:
            lines = [SaleLine(product_id, rng.randint(1, 3)) for product_id in rng.sample(ids, rng.randint(1, 4))]
            order = store.writes.record_sale(lines, [Tender("cash", 10**7)])
            print(order.receipt_no, flush=True)
            if rng.random() < 0.2:
                store.writes.record_refund(order.id, [RefundLine(lines[0].product_id, 1)], "crash test")
            if rng.random() < 0.1:
                store.writes.record_adjustments([Adjustment(rng.choice(ids), "count", counted=rng.randint(0, 9))])


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
