"""Till shifts at the counter (no Textual): open with a float, cash paid in and out, close with the counted drawer,
and the X/Z report as text — saved in the profile's data dir and printed through the receipt print command.

Everything goes through the offline cache (offline_cache/shifts.py), so it works the same offline. The figures are
worked out here from what this terminal recorded; while any op of the shift is unsent they are "provisional until
synced". Once synced, the server's own figures (GET /v1/shifts/{id}) are fetched, kept and shown, and any difference
is explained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from common import money
from common.denominations import denominations
from console import paths
from console.api import ApiClient, ApiProblem, ApiUnavailable
from console.config import Profile
from console.counter import receipts
from console.counter.checkout import TENDER_LABELS
from console.counter.entry import Rejected, clean_text, parse_money
from console.files import write_private
from offline_cache.clock import from_text
from offline_cache.db import StorageError
from offline_cache.shifts import CashAmount, CashMovement, LocalShift, ShiftFigures, ShiftSync, figures_from_report
from offline_cache.store import Store
from offline_cache.writes import InvalidWrite

KIND_LABELS = {"paid_in": "Paid in", "paid_out": "Paid out"}
PROVISIONAL = "PROVISIONAL until synced"
# The figures compared with the server's, and how a difference is named.
COMPARED = {
    "order_count": "Orders",
    "sales_total": "Sales",
    "cash_sales": "Cash sales",
    "refund_total": "Refunds",
    "cash_refunds": "Cash refunds",
    "paid_in": "Paid in",
    "paid_out": "Paid out",
    "expected_cash": "Expected cash",
    "over_short": "Over/short",
}


class ShiftRefused(Exception):
    """The shift action could not be done; the message says why and what to do (nothing was stored)."""


@dataclass(frozen=True, slots=True)
class ShiftView:
    """A shift as the screen shows it: its local figures, how far it has synced, and the server's figures."""

    shift: LocalShift
    figures: ShiftFigures
    sync: ShiftSync
    server: ShiftFigures | None = None
    differences: tuple[str, ...] = ()  # each a sentence, when the server's figures differ from these
    server_note: str = ""  # why the server's figures are not shown (offline, not synced yet)

    @property
    def provisional(self) -> bool:
        return self.sync.provisional


# --- the drawer ------------------------------------------------------------------------------------------------


@dataclass
class DenominationGrid:
    """Counts of each coin and note of the shop's currency, largest first, as typed in the count grid."""

    currency: str
    counts: dict[int, int] = field(default_factory=dict)

    @property
    def decimals(self) -> int:
        return money.minor_units(self.currency)

    @property
    def denominations(self) -> tuple[int, ...]:
        return tuple(sorted(denominations(self.currency), reverse=True))

    @property
    def available(self) -> bool:
        """False for a currency without a table: the drawer is typed as a total."""
        return bool(self.denominations)

    def label(self, denomination: int) -> str:
        return money.format_amount(denomination, self.decimals)

    def set(self, denomination: int, typed: str) -> int:
        """Take a typed count ("" is 0); Rejected says why it is not a count."""
        text = clean_text(typed).replace(",", "")
        if not text:
            count = 0
        elif not (text.isdecimal() and text.isascii()) or int(text) > 1_000_000:
            raise Rejected(f"A count is a whole number of {self.label(denomination)}s, not {typed.strip()!r}.")
        else:
            count = int(text)
        self.counts[denomination] = count
        return count

    def line_total(self, denomination: int) -> int:
        return denomination * self.counts.get(denomination, 0)

    @property
    def total(self) -> int:
        return sum(self.line_total(denomination) for denomination in self.denominations)

    def pairs(self) -> list[tuple[int, int]]:
        return [(denomination, self.counts.get(denomination, 0)) for denomination in self.denominations]


def typed_total(typed: str, decimals: int) -> int:
    """A drawer amount typed as a total (0 allowed)."""
    return parse_money(typed, decimals)


# --- actions ---------------------------------------------------------------------------------------------------


T = TypeVar("T")


def _stored(action: Callable[[], T]) -> T:
    """Run a shift write, its refusal or storage failure as a ShiftRefused."""
    try:
        return action()
    except InvalidWrite as exc:
        raise ShiftRefused(str(exc)) from exc
    except StorageError as exc:
        raise ShiftRefused(f"Nothing was stored. {exc}") from exc


def open_shift(store: Store, currency: str, cashier: str, opening_float: CashAmount) -> LocalShift:
    """Open this terminal's shift with its float (call from a worker)."""
    return _stored(lambda: store.shifts.open(opening_float, currency=currency, opened_by=cashier))


def record_cash(store: Store, kind: str, typed_amount: str, reason: str, cashier: str, decimals: int) -> CashMovement:
    """Cash paid in or out of the open shift's drawer, amount as typed; Rejected or ShiftRefused say why not."""
    amount = parse_money(typed_amount, decimals)
    if amount <= 0:
        raise Rejected("A cash movement must be more than 0.")
    return _stored(lambda: store.shifts.record_cash(kind, amount, reason, created_by=cashier))


def may_close(shift: LocalShift, cashier: str, role: str) -> str | None:
    """Why this person may not close the shift (a cashier closes their own; a manager any), or None."""
    if role != "manager" and shift.opened_by not in (None, cashier):
        return f"This is {shift.opened_by}'s shift: they or a manager can close it."
    return None


def close_shift(store: Store, currency: str, cashier: str, role: str, counted: CashAmount) -> LocalShift:
    """Close the open shift with the counted drawer (call from a worker)."""
    shift = store.shifts.current()
    if shift is None:
        raise ShiftRefused("There is no shift open on this terminal.")
    refused = may_close(shift, cashier, role)
    if refused:
        raise ShiftRefused(refused)
    return _stored(lambda: store.shifts.close(counted, currency=currency, closed_by=cashier))


# --- reading, and the server's figures ---------------------------------------------------------------------------


def read_shift(store: Store, decimals: int, shift_id: str | None = None) -> ShiftView | None:
    """The shift (by default the open one, else the last closed) with its local figures and the server's kept
    ones, compared once nothing of it is unsent."""
    shift = store.shifts.get(shift_id) if shift_id else store.shifts.latest()
    if shift is None:
        return None
    figures, sync = store.shifts.figures(shift.id), store.shifts.sync(shift.id)
    if shift.server_report is None:
        return ShiftView(shift, figures, sync)
    server = figures_from_report(shift.server_report)
    differences = () if sync.provisional else explain(figures, server, sync, decimals)
    return ShiftView(shift, figures, sync, server, differences)


def fetch_server_report(store: Store, api: ApiClient, shift_id: str) -> str:
    """Fetch the server's figures of a shift whose ops are all sent, and keep them; "" when done, else why not
    (still unsent, offline, or the server does not know it)."""
    sync = store.shifts.sync(shift_id)
    if sync.provisional:
        return f"{sync.unsent} operation(s) of this shift are still to sync: the figures here are provisional."
    if not api.access_token:
        return "Signed in offline: the server's figures come after the next online sign-in."
    try:
        report = api.request("GET", f"/v1/shifts/{shift_id}").json()
    except ApiUnavailable:
        return "The server cannot be reached: its figures are fetched when it answers again."
    except ApiProblem as exc:
        if exc.status == 404:
            return "The server has no record of this shift (its opening was refused: see Sync)."
        return f"The server refused to show this shift: {exc}"
    store.shifts.keep_server_report(shift_id, report)
    return ""


def explain(local: ShiftFigures, server: ShiftFigures, sync: ShiftSync, decimals: int) -> tuple[str, ...]:
    """Sentences that say where the server's figures differ from this terminal's and why that can be."""

    def shown(name: str, value: int | None) -> str:
        if value is None or name == "order_count":
            return str(value if value is not None else "—")
        return money.format_amount(value, decimals)

    differing = [
        f"{label}: here {shown(name, getattr(local, name))}, server {shown(name, getattr(server, name))}"
        for name, label in COMPARED.items()
        if getattr(local, name) != getattr(server, name)
    ]
    if not differing:
        return ()
    causes = []
    if sync.failed:
        causes.append(f"{sync.failed} operation(s) of this shift were refused by the server or are in conflict (Sync).")
    if server.order_count < local.order_count and not sync.failed:
        causes.append(
            "Some sales reached the server while no shift of this terminal was open there (sent after its close, "
            "or retried late): the server put them in another shift."
        )
    if server.order_count > local.order_count:
        causes.append("The server's shift has sales from elsewhere on this terminal id (another device?).")
    if server.counted_cash != local.counted_cash:
        causes.append("The shift was closed on the server with another count (a manager, or another device).")
    if not causes:
        causes.append("Prices or tax differed on the server; its figures are the ones on record.")
    return (*differing, *causes)


# --- the report ----------------------------------------------------------------------------------------------


def _when(text: str | None) -> str:
    return "—" if text is None else f"{from_text(text).astimezone():%Y-%m-%d %H:%M}"


def report_text(view: ShiftView, shop: receipts.Shop, *, use_server: bool = False) -> str:
    """The X report of an open shift, the Z of a closed one, receipts.WIDTH columns wide. `use_server`: the
    server's figures (when kept) instead of this terminal's."""
    figures = view.server if use_server and view.server is not None else view.figures
    shift, row = view.shift, receipts._row

    def amount(minor: int | None) -> str:
        return "—" if minor is None else money.format_amount(minor, shop.decimals)

    rule = "-" * receipts.WIDTH
    title = f"{figures.report} REPORT" + (" (shift open)" if figures.report == "X" else "")
    rows = [
        shop.name.center(receipts.WIDTH).rstrip(),
        title.center(receipts.WIDTH).rstrip(),
        row(f"Terminal {shift.terminal_id}", shop.currency),
        row(f"Opened {_when(shift.opened_at)}", shift.opened_by or ""),
        row(f"Closed {_when(shift.closed_at)}", shift.closed_by or ""),
    ]
    if view.provisional and not use_server:
        rows.append(f"*** {PROVISIONAL} ***".center(receipts.WIDTH).rstrip())
    elif use_server or view.server is not None:
        rows.append(("Server figures" if use_server else "Synced").center(receipts.WIDTH).rstrip())
    rows += [
        rule,
        row("Orders", str(figures.order_count)),
        row("First receipt", figures.first_receipt_no or "—"),
        row("Last receipt", figures.last_receipt_no or "—"),
        row("Sales (tax incl.)", amount(figures.sales_total)),
        row("  of which tax", amount(figures.sales_tax)),
        rule,
        "Sales by tender",
    ]
    rows += [
        row(f"  {TENDER_LABELS.get(t.method, t.method)} ({t.orders})", amount(t.amount))
        for t in figures.sales_by_tender
    ] or ["  none"]
    rows += [rule, row(f"Refunds ({figures.refund_count})", amount(figures.refund_total))]
    rows += [
        row(f"  {TENDER_LABELS.get(method, method)}", amount(value)) for method, value in figures.refunds_by_tender
    ]
    rows += [rule, "Cash movements"]
    rows += [
        row(f"  {KIND_LABELS[m.kind]}: {m.reason}", amount(m.amount if m.kind == "paid_in" else -m.amount))
        for m in figures.movements
    ] or ["  none"]
    rows += [
        rule,
        row("Opening float", amount(figures.opening_float)),
        row("+ Cash sales", amount(figures.cash_sales)),
        row("- Cash refunds", amount(figures.cash_refunds)),
        row("+ Paid in", amount(figures.paid_in)),
        row("- Paid out", amount(figures.paid_out)),
        row("Expected cash", amount(figures.expected_cash)),
        row("Counted cash", amount(figures.counted_cash)),
        row("Over/short", amount(figures.over_short)),
        rule,
    ]
    if not use_server and view.differences:
        rows.append("Differs from the server:")
        rows += [f"  {line}" for line in view.differences]
    return "\n".join(rows) + "\n"


def reports_dir(profile: Profile) -> Path:
    return paths.profile_data_dir(profile.name) / "shift-reports"


def save_report(profile: Profile, view: ShiftView, text: str) -> Path:
    """Keep the report as `<terminal>-<opened>-<X|Z>.txt` (an X report again replaces the earlier one)."""
    opened = from_text(view.shift.opened_at).astimezone()
    path = reports_dir(profile) / f"{view.shift.terminal_id}-{opened:%Y%m%d-%H%M%S}-{view.figures.report}.txt"
    write_private(path, text)
    return path


def save_and_print(profile: Profile, view: ShiftView, text: str) -> tuple[Path | None, str]:
    """Save the report, and print it when the profile has a print command: (where it was saved, any problem)."""
    problems = []
    path: Path | None = None
    try:
        path = save_report(profile, view, text)
    except OSError as exc:
        problems.append(f"The report was not saved: {exc.strerror or exc}.")
    if profile.receipt_print_command:
        try:
            receipts.print_receipt(profile.receipt_print_command, text)
        except receipts.PrintFailed as exc:
            problems.append(str(exc))
    return path, " ".join(problems)
