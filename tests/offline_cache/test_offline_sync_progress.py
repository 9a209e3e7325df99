"""The engine's loop reports progress as status while it drains (the sync screen's bar and the status bar's count
follow it), and reports no progress once the cycle is over."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

from offline_stack import Session

from backend.devstack import StackInfo
from offline_cache.engine import SyncEngine, SyncStatus
from offline_cache.models import Adjustment, SaleLine, Tender
from offline_cache.store import Store


def test_a_drain_reports_its_progress_batch_by_batch(stack: StackInfo, tmp_path: Path) -> None:
    manager = Session(stack, "corner-manager")
    transport = manager.transport()
    path = tmp_path / "cache.db"
    terminal_id = f"PG{uuid.uuid4().hex[:8]}"
    with Store.open(path, terminal_id=terminal_id) as store, Store.open(path, terminal_id=terminal_id) as own:
        tag = uuid.uuid4().hex[:8].upper()
        product = store.writes.create_product(sku=f"PG-{tag}", name=f"Progress {tag}", price=100, tax_rate_bp=0)
        store.writes.record_adjustments([Adjustment(product.id, "receive", delta=1000)])
        with store.transaction():
            for _ in range(448):  # 450 ops: batches of 200, 200 and 50
                store.writes.record_sale([SaleLine(product.id, 1)], [Tender("cash", 1000)])
        engine = SyncEngine(own, transport, pull_interval=3600)
        seen: list[SyncStatus] = []

        def heard(status: SyncStatus) -> None:
            seen.append(status)
            if status.progress is None and status.queue.unsent == 0:
                engine.stop()

        loop = threading.Thread(target=engine.run, kwargs={"on_status": heard})
        loop.start()
        loop.join(120)
        assert not loop.is_alive()
    transport.close()
    pushes = [
        (s.progress.done, s.progress.total, s.queue.unsent) for s in seen if s.progress and s.progress.phase == "push"
    ]
    assert pushes == [(0, 450, 450), (200, 450, 250), (400, 450, 50), (450, 450, 0)]
    assert any(s.progress is not None and s.progress.phase == "pull" for s in seen)
    assert seen[-1].progress is None and seen[-1].queue.unsent == 0
