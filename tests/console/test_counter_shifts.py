"""The counter's till-shift services: the count grid, open / cash / close with the checks a person meets, the sale
screen's cash check, the X/Z report text (provisional until synced, then the server's figures and any difference
explained), saving and printing it; and a whole shift kept offline, then synced with sync_once to the real stack:
the server's Z equals the local one."""

from __future__ import annotations

import dataclasses
import shlex
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from console.api import ApiClient
from console.config import Profile
from console.counter import checkout, shifts
from console.counter.entry import Rejected
from console.counter.receipts import Shop
from console.demo import StackInfo
from console.session import SessionService, SignedIn
from console.sync_service import open_store, sync_once
from offline_cache import product_view
from offline_cache.models import SaleLine, Tender
from offline_cache.shifts import figures_from_report
from offline_cache.store import Store
from tests.console.conftest import stack_profile, user

SHOP = Shop("Corner Grocer", "USD", "T1")


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with Store.open(tmp_path / "c.db", terminal_id="T1") as opened:
        product = {
            "id": "p-1",
            "sku": "TEA-1",
            "barcode": None,
            "name": "Tea",
            "category": "Drinks",
            "price": 1000,
            "tax_rate_bp": 0,
            "active": True,
            "version": 1,
            "updated_at": "2026-03-01T08:00:00.000000Z",
        }
        with opened.transaction() as conn:
            product_view.apply_server_products(conn, [product])
        yield opened


def _sell(store: Store, *tenders: Tender) -> Any:
    return store.writes.record_sale([SaleLine("p-1", 1)], list(tenders), cashier="cg.cashier")


def test_the_count_grid_offers_the_currency_largest_first() -> None:
    grid = shifts.DenominationGrid("USD")
    assert grid.denominations[:3] == (10000, 5000, 2000) and grid.denominations[-1] == 1
    assert [grid.label(d) for d in (10000, 25, 1)] == ["100.00", "0.25", "0.01"]
    grid.set(2000, "3")
    grid.set(25, " 4 ")
    grid.set(1, "")
    assert (grid.total, grid.line_total(25)) == (6100, 100)
    assert (2000, 3) in grid.pairs() and len(grid.pairs()) == len(grid.denominations)
    with pytest.raises(Rejected, match=r"whole number of 0\.25s"):
        grid.set(25, "1.5")
    assert shifts.DenominationGrid("JPY").label(1000) == "1,000"
    assert not shifts.DenominationGrid("XTS").available


def test_open_cash_and_close_with_the_checks_a_person_meets(store: Store) -> None:
    assert checkout.cash_allowed(store) == checkout.NO_SHIFT
    with pytest.raises(shifts.ShiftRefused, match="no shift open"):
        shifts.record_cash(store, "paid_out", "5", "milk", "cg.cashier", 2)
    opened = shifts.open_shift(store, "USD", "cg.cashier", [(2000, 5)])
    assert opened.opening_float == 10000 and checkout.cash_allowed(store) is None
    with pytest.raises(shifts.ShiftRefused, match="already has a shift open"):
        shifts.open_shift(store, "USD", "cg.cashier", 100)
    with pytest.raises(Rejected, match="not an amount"):
        shifts.record_cash(store, "paid_out", "five", "milk", "cg.cashier", 2)
    with pytest.raises(Rejected, match="more than 0"):
        shifts.record_cash(store, "paid_out", "0", "milk", "cg.cashier", 2)
    with pytest.raises(shifts.ShiftRefused, match="required"):
        shifts.record_cash(store, "paid_out", "5", "", "cg.cashier", 2)
    movement = shifts.record_cash(store, "paid_out", "5.00", "milk", "cg.cashier", 2)
    assert (movement.kind, movement.amount, movement.created_by) == ("paid_out", 500, "cg.cashier")
    with pytest.raises(shifts.ShiftRefused, match=r"cg\.cashier's shift"):
        shifts.close_shift(store, "USD", "other.cashier", "cashier", 9500)
    closed = shifts.close_shift(store, "USD", "cg.manager", "manager", 9500)  # a manager closes any shift
    assert (closed.status, closed.closed_by, closed.counted_cash) == ("closed", "cg.manager", 9500)
    assert checkout.cash_allowed(store) == checkout.NO_SHIFT
    with pytest.raises(shifts.ShiftRefused, match="no shift open"):
        shifts.close_shift(store, "USD", "cg.cashier", "cashier", 0)


def test_the_x_report_is_provisional_while_anything_is_unsent(store: Store) -> None:
    shifts.open_shift(store, "USD", "cg.cashier", 5000)
    first = _sell(store, Tender("cash", 2000))
    _sell(store, Tender("card", 1000))
    last = _sell(store, Tender("card", 400), Tender("cash", 600))
    shifts.record_cash(store, "paid_out", "5", "window cleaner", "cg.cashier", 2)
    view = shifts.read_shift(store, 2)
    assert view is not None and view.provisional and view.server is None
    text = shifts.report_text(view, SHOP)
    assert all(len(line) <= 42 for line in text.splitlines())
    for expected in (
        "X REPORT (shift open)",
        shifts.PROVISIONAL,
        first.receipt_no,
        last.receipt_no,
        "Paid out: window cleaner",
    ):
        assert expected in text
    assert _figure(text, "Orders") == "3"
    assert _figure(text, "  Card (2)") == "14.00" and _figure(text, "  Cash (2)") == "16.00"
    assert _figure(text, "Expected cash") == "61.00"  # 50.00 + 16.00 - 5.00
    assert _figure(text, "Counted cash") == "—" and _figure(text, "Over/short") == "—"


def test_once_synced_the_server_figures_are_shown_and_a_difference_explained(store: Store) -> None:
    shift = shifts.open_shift(store, "USD", "cg.cashier", 5000)
    _sell(store, Tender("cash", 1000))
    _sell(store, Tender("cash", 1000))
    shifts.close_shift(store, "USD", "cg.cashier", "cashier", 6990)
    local = store.shifts.figures(shift.id)
    store.conn.execute("UPDATE outbox SET status = 'done', acked_at = '2026-03-02T10:00:00.000000Z'")
    server = _as_report(dataclasses.replace(local, order_count=1, cash_sales=1000, expected_cash=6000, over_short=990))
    store.shifts.keep_server_report(shift.id, server)
    view = shifts.read_shift(store, 2, shift.id)
    assert view is not None and not view.provisional and view.server == figures_from_report(server)
    assert view.differences[:3] == (
        "Orders: here 2, server 1",
        "Cash sales: here 20.00, server 10.00",
        "Expected cash: here 70.00, server 60.00",
    )
    assert "another shift" in view.differences[-1]
    text = shifts.report_text(view, SHOP)
    assert "Z REPORT" in text and "Differs from the server:" in text and shifts.PROVISIONAL not in text
    server_text = shifts.report_text(view, SHOP, use_server=True)
    assert "Server figures" in server_text and _figure(server_text, "Over/short") == "9.90"
    same = _as_report(local)
    store.shifts.keep_server_report(shift.id, same)
    agreed = shifts.read_shift(store, 2, shift.id)
    assert agreed is not None and agreed.differences == ()


def _figure(text: str, label: str) -> str:
    """The value on the report's line for `label`."""
    return next(line[len(label) :].strip() for line in text.splitlines() if line.startswith(label + " "))


def _as_report(figures: Any) -> dict[str, Any]:
    """Local figures in the server's ShiftReport form."""
    return {
        "report": figures.report,
        "opening_float": figures.opening_float,
        "order_count": figures.order_count,
        "first_receipt_no": figures.first_receipt_no,
        "last_receipt_no": figures.last_receipt_no,
        "sales_total": figures.sales_total,
        "sales_tax": figures.sales_tax,
        "sales_by_tender": [dataclasses.asdict(t) for t in figures.sales_by_tender],
        "refunds": {
            "count": figures.refund_count,
            "total": figures.refund_total,
            "by_tender": [{"method": m, "amount": a} for m, a in figures.refunds_by_tender],
        },
        "cash_movements": {"paid_in": figures.paid_in, "paid_out": figures.paid_out, "items": []},
        "cash_sales": figures.cash_sales,
        "cash_refunds": figures.cash_refunds,
        "expected_cash": figures.expected_cash,
        "counted_cash": figures.counted_cash,
        "over_short": figures.over_short,
    }


def test_the_report_is_saved_in_the_data_dir_and_printed(store: Store, tmp_path: Path) -> None:
    shifts.open_shift(store, "USD", "cg.cashier", 0)
    view = shifts.read_shift(store, 2)
    assert view is not None
    printed = tmp_path / "printed.txt"
    script = f"import sys; open({str(printed)!r}, 'w').write(sys.stdin.read())"
    profile = Profile(
        name="shifts",
        api_url="http://127.0.0.1:1",
        region="us-east-1",
        user_pool_id="p",
        client_id="c",
        receipt_print_command=shlex.join([sys.executable, "-c", script]),
    )
    text = shifts.report_text(view, SHOP)
    path, problem = shifts.save_and_print(profile, view, text)
    assert problem == "" and path is not None and path.read_text() == text == printed.read_text()
    assert path.parent == shifts.reports_dir(profile) and path.name.endswith("-X.txt")
    broken = profile.model_copy(update={"receipt_print_command": "no-such-printer-command"})
    _, problem = shifts.save_and_print(broken, view, text)
    assert "was not found" in problem


def test_a_shift_kept_offline_syncs_to_the_servers_z(stack: StackInfo) -> None:
    """Open offline, cash sales, a paid-out, close: all queued, then sync_once; GET /v1/shifts/{id} equals the
    local Z and the report shows the server's figures with no difference."""
    profile = stack_profile(stack).model_copy(update={"terminal_id": f"SH{uuid.uuid4().hex[:8]}"})
    api = ApiClient(profile.api_url)
    session, _ = SessionService.for_profile(profile, api)
    cashier = user(stack, "corner-cashier")
    assert isinstance(session.sign_in(cashier.username, cashier.password), SignedIn)
    try:
        products = api.request("GET", "/v1/products", params={"limit": 3}).json()["items"]
        with open_store(profile) as store:
            with store.transaction() as conn:  # as a pull would have them
                product_view.apply_server_products(conn, products)
            shift = shifts.open_shift(store, "USD", cashier.username, [(2000, 2), (500, 2)])
            for n, product in enumerate(products):
                order = store.writes.record_sale([SaleLine(product["id"], 1 + n)], [Tender("cash", 10**5)])
                assert order.change > 0
            shifts.record_cash(store, "paid_out", "5.00", "milk", cashier.username, 2)
            expected = store.shifts.figures(shift.id).expected_cash
            shifts.close_shift(store, "USD", cashier.username, "cashier", expected + 10)
            local_z = store.shifts.figures(shift.id)
            view = shifts.read_shift(store, 2, shift.id)
            assert view is not None and view.provisional
            assert "to sync" in shifts.fetch_server_report(store, api, shift.id)
        outcome = sync_once(profile, session)
        assert outcome.drained, outcome
        with open_store(profile) as store:
            assert shifts.fetch_server_report(store, api, shift.id) == ""
            server_z = api.request("GET", f"/v1/shifts/{shift.id}").json()
            assert figures_from_report(server_z) == local_z
            view = shifts.read_shift(store, 2, shift.id)
            assert view is not None and not view.provisional and view.differences == ()
            assert (local_z.over_short, local_z.order_count, local_z.paid_out) == (10, 3, 500)
            assert "Synced" in shifts.report_text(view, SHOP)
    finally:
        session.sign_out()
        api.close()
