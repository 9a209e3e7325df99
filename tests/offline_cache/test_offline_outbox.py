"""The outbox's own rules: seqs never reused, done rows pruned after 30 days, interrupted sends recovered, and the
guarded exits with export and import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from offline_support import FakeClock, load

from offline_cache import outbox
from offline_cache.exchange import ImportRefused
from offline_cache.models import SaleLine, Tender
from offline_cache.store import Store


def _sell(store: Store, product: dict[str, Any]) -> str:
    return store.writes.record_sale([SaleLine(product["id"], 1)], [Tender("cash", 10**6)]).id


def test_ops_in_flight_when_the_process_died_go_back_to_pending(stocked: Store, products: list[dict]) -> None:
    op_id = _sell(stocked, products[0])
    outbox.mark_in_flight(stocked.conn, outbox.due_batch(stocked.conn, 10))
    assert stocked.outbox.get(op_id).status == "in_flight"
    assert stocked.orders.get(op_id).sync_state == "syncing"
    assert outbox.recover_in_flight(stocked.conn) == 1
    assert (stocked.outbox.get(op_id).status, stocked.outbox.get(op_id).attempts) == ("pending", 1)


def test_exit_is_refused_until_the_queue_is_exported(stocked: Store, products: list[dict], tmp_path: Path) -> None:
    assert stocked.exit_check().allowed
    first = _sell(stocked, products[0])
    check = stocked.exit_check()
    assert (check.allowed, check.unsent, check.unexported) == (False, 1, 1)
    assert "export the queue" in check.reason
    assert stocked.export_queue(tmp_path / "queue.json") == 1
    assert stocked.exit_check().allowed
    _sell(stocked, products[1])
    assert not stocked.exit_check().allowed  # written after the export
    document = json.loads((tmp_path / "queue.json").read_text())
    assert document["format"] == "shop-console-queue"
    assert [op["id"] for op in document["ops"]] == [first]
    assert document["ops"][0]["payload"] == stocked.outbox.get(first).payload


def test_an_imported_queue_keeps_its_op_ids_and_is_imported_once(
    stocked: Store, products: list[dict], tmp_path: Path, clock: FakeClock
) -> None:
    sold = [_sell(stocked, product) for product in products[:3]]
    edited = stocked.writes.update_product(products[4]["id"], {"price": 999})
    stocked.export_queue(tmp_path / "queue.json")
    with Store.open(tmp_path / "other.db", terminal_id="T2", clock=clock) as other:
        load(other, products[:10])
        result = other.import_queue(tmp_path / "queue.json")
        assert (result.added, result.already_queued) == (4, 0)
        assert [op.id for op in other.outbox.list()][:3] == sold
        assert other.catalogue.by_id(edited.id).price == 999  # the imported edit shows in the local view
        assert other.import_queue(tmp_path / "queue.json").added == 0


@pytest.mark.parametrize(
    "content", ["not json", '{"format": "something else"}', '{"format": "shop-console-queue", "version": 9}']
)
def test_a_file_that_is_not_a_queue_export_is_refused(store: Store, tmp_path: Path, content: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    with pytest.raises(ImportRefused):
        store.import_queue(tmp_path / "bad.json")
