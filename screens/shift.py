"""Till shift: this terminal's shift and its X report (the Z report once closed), kept from this terminal's own
records and marked provisional until everything has synced; then the server's figures are fetched and any
difference is explained (v shows the server's figures). n opens a shift (the float counted by denomination or
as a total), i and u record cash paid in and out with a reason, x saves and prints the X report, z closes the
shift: count the drawer, see expected against counted, confirm, and the Z report is shown, saved and printed.

`ask_to_open_shift` is what the app calls after a cashier signs in: with no shift open on the terminal, it asks
for the float at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from common import money
from console.counter import shifts
from console.counter.receipts import Shop
from offline_cache.shifts import CashAmount
from screens.base import ShellScreen, background
from screens.shift_dialogs import CashDialog, ConfirmCloseDialog, CountDialog

if TYPE_CHECKING:
    from console.app import ShopConsoleApp

OPEN_TITLE = "Open the till: count the float"
CLOSE_TITLE = "Close the shift: count the drawer"


def shop_of(app: ShopConsoleApp) -> Shop:
    who = app.identity
    return Shop(who.shop_name, who.currency, app.profile.terminal_id)


class ShiftScreen(ShellScreen):
    TITLE = "Till shift"
    BINDINGS: ClassVar = [
        Binding("n", "open_shift", "Open shift", id="shift.open"),
        Binding("i", "cash('paid_in')", "Paid in", id="shift.paid_in"),
        Binding("u", "cash('paid_out')", "Paid out", id="shift.paid_out"),
        Binding("x", "x_report", "X report", id="shift.x_report"),
        Binding("z", "close_shift", "Close shift", id="shift.close"),
        Binding("v", "server_figures", "Server figures", id="shift.server"),
        Binding("r", "reload", "Refresh", show=False, id="shift.refresh"),
        Binding("escape", "app.home", "Back", id="shift.back"),
    ]

    class Loaded(Message):
        def __init__(self, view: shifts.ShiftView | None, note: str) -> None:
            super().__init__()
            self.view = view
            self.note = note

    class Finished(Message):
        """An action's outcome for the person: what happened, or why not."""

        def __init__(self, text: str, problem: bool = False) -> None:
            super().__init__()
            self.text = text
            self.problem = problem

    def __init__(self) -> None:
        super().__init__()
        self.view: shifts.ShiftView | None = None
        self.note = ""
        self.use_server = False
        self.busy = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="shift-body"):
            with VerticalScroll(id="shift-report-box"):
                yield Static(id="shift-report")
            with VerticalScroll(id="shift-side"):
                yield Static(id="shift-state")
                yield Static(id="shift-sync")
                yield Static(id="shift-differences")
                yield Static(id="shift-message")

    def on_mount(self) -> None:
        self.query_one("#shift-report-box").focus()
        self.watch(self.app, "queue", lambda _queue: self.action_reload(), init=False)
        self.call_after_refresh(self.action_reload)

    @property
    def shop(self) -> Shop:
        return shop_of(self.app)

    # --- reading -----------------------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self._load()

    @background("shift-read", "Reading the till shift")
    def _load(self) -> None:
        decimals = self.shop.decimals
        note = ""
        with self.app.local_store.use() as store:
            shift = store.shifts.latest()
            if shift is not None and (shift.is_open or shift.server_report is None):
                note = shifts.fetch_server_report(store, self.app.api, shift.id)
            view = shifts.read_shift(store, decimals, shift.id if shift else None)
        self.post_message(self.Loaded(view, note))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.view, self.note = message.view, message.note
        self._show()
        self.refresh_bindings()

    def _show(self) -> None:
        view, shop = self.view, self.shop
        state = self.query_one("#shift-state", Static)
        report = self.query_one("#shift-report", Static)
        if view is None:
            state.update(
                Content(f"No shift has been opened on till {shop.terminal_id}.\n\nn opens one: count the float.")
            )
            report.update("")
            self.query_one("#shift-sync", Static).update("")
            self.query_one("#shift-differences", Static).update("")
            return
        shift, figures = view.shift, view.figures

        def amount(minor: int) -> str:
            return f"{shop.currency} {money.format_amount(minor, shop.decimals)}"

        if shift.is_open:
            state.update(
                Content.assemble(
                    (f"Shift open on till {shift.terminal_id}", "bold $success"),
                    f"\nby {shift.opened_by or '—'}\n",
                    f"Float     {amount(shift.opening_float)}\nExpected  {amount(figures.expected_cash)}\n",
                    f"Orders    {figures.order_count}",
                )
            )
        else:
            state.update(
                Content.assemble(
                    (f"Shift closed on till {shift.terminal_id}", "bold"),
                    "\n",
                    f"Counted   {amount(figures.counted_cash or 0)}\nExpected  {amount(figures.expected_cash)}\n",
                    "n opens the next shift.",
                )
            )
        self.query_one("#shift-sync", Static).update(self._sync_text(view))
        differences = "\n".join(view.differences)
        self.query_one("#shift-differences", Static).update(
            Content.styled(f"Differs from the server:\n{differences}", "$warning") if differences else ""
        )
        report.update(Content(shifts.report_text(view, shop, use_server=self.use_server and view.server is not None)))

    def _sync_text(self, view: shifts.ShiftView) -> Content:
        sync = view.sync
        if view.provisional:
            text = Content.styled(f"{shifts.PROVISIONAL}: {sync.unsent} operation(s) to send.", "bold $warning")
        elif view.server is not None:
            shown = "the server's" if self.use_server else "this till's"
            text = Content.styled(f"Synced. Showing {shown} figures (v switches).", "$success")
        else:
            text = Content("Synced; the server's figures are not here yet.")
        if sync.failed:
            text = Content.assemble(
                text, Content.styled(f"\n{sync.failed} operation(s) refused or in conflict: see Sync (F5).", "$error")
            )
        if self.note and not view.provisional:
            text = Content.assemble(text, f"\n{self.note}")
        return text

    # --- actions -----------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        shift = self.view.shift if self.view else None
        is_open = shift is not None and shift.is_open
        if action == "open_shift":
            return not is_open
        if action in ("cash", "close_shift"):
            return is_open
        if action == "x_report":
            return self.view is not None
        if action == "server_figures":
            return self.view is not None and self.view.server is not None
        return True

    def action_open_shift(self) -> None:
        self.app.push_screen(CountDialog(OPEN_TITLE, self.shop.currency), self._open_counted)

    def _open_counted(self, counted: CashAmount | None) -> None:
        if counted is not None:
            self._open(counted)

    @background("shift-write", "Opening the shift")
    def _open(self, counted: CashAmount) -> None:
        text, problem = open_with(self.app, counted)
        self.post_message(self.Finished(text, problem))

    def action_cash(self, kind: str) -> None:
        self.app.push_screen(CashDialog(kind, self.shop.currency), self._cash_recorded)

    def _cash_recorded(self, recorded: bool | None) -> None:
        if recorded:
            self.post_message(self.Finished("Cash movement recorded; it syncs when the network allows."))

    def action_x_report(self) -> None:
        if self.view is not None:
            self._save_report(self.view)

    @background("shift-print", "Saving the report")
    def _save_report(self, view: shifts.ShiftView) -> None:
        use_server = self.use_server and view.server is not None
        text = shifts.report_text(view, self.shop, use_server=use_server)
        path, problem = shifts.save_and_print(self.app.profile, view, text)
        report = view.figures.report
        printed = " and printed" if self.app.profile.receipt_print_command and not problem else ""
        where = f" as {path.name}" if path else ""
        self.post_message(self.Finished(f"{report} report saved{where}{printed}. {problem}".strip(), bool(problem)))

    def action_close_shift(self) -> None:
        self.app.push_screen(CountDialog(CLOSE_TITLE, self.shop.currency), self._close_counted)

    def _close_counted(self, counted: CashAmount | None) -> None:
        view = self.view
        if counted is None or view is None:
            return
        total = counted if isinstance(counted, int) else sum(d * n for d, n in counted)
        shop = self.shop
        dialog = ConfirmCloseDialog(view.figures.expected_cash, total, shop.decimals, shop.currency, view.provisional)
        self.app.push_screen(dialog, lambda confirmed: self._confirmed(counted, bool(confirmed)))

    def _confirmed(self, counted: CashAmount, confirmed: bool) -> None:
        if confirmed:
            self._close(counted)
        else:
            self.action_close_shift()  # count again

    @background("shift-write", "Closing the shift")
    def _close(self, counted: CashAmount) -> None:
        who, shop = self.app.identity, self.shop
        with self.app.local_store.use() as store:
            try:
                shift = shifts.close_shift(store, shop.currency, who.username, who.role, counted)
            except shifts.ShiftRefused as refused:
                self.post_message(self.Finished(str(refused), problem=True))
                return
            view = shifts.read_shift(store, shop.decimals, shift.id)
        self.app.call_from_thread(self.app.wake_sync)
        assert view is not None
        text = shifts.report_text(view, shop)
        path, problem = shifts.save_and_print(self.app.profile, view, text)
        where = f"saved as {path.name}" if path else "not saved"
        self.post_message(self.Finished(f"Shift closed. Z report {where}. {problem}".strip(), bool(problem)))

    def action_server_figures(self) -> None:
        self.use_server = not self.use_server
        self._show()

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        line = self.query_one("#shift-message", Static)
        line.update(Content.styled(message.text, "$error" if message.problem else "$success"))
        self.action_reload()


def open_with(app: ShopConsoleApp, counted: CashAmount) -> tuple[str, bool]:
    """Open the terminal's shift with the counted float (from a worker): (what happened, whether it failed)."""
    who = app.identity
    with app.local_store.use() as store:
        try:
            shift = shifts.open_shift(store, who.currency, who.username, counted)
        except shifts.ShiftRefused as refused:
            return str(refused), True
    app.call_from_thread(app.wake_sync)
    float_text = money.format_amount(shift.opening_float, money.minor_units(who.currency))
    return f"Shift opened on till {shift.terminal_id} with a float of {who.currency} {float_text}.", False


def ask_to_open_shift(app: ShopConsoleApp) -> None:
    """After a cashier signs in: if this terminal has no shift open, ask for the float now (Esc: later)."""

    def check() -> None:
        with app.local_store.use() as store:
            if store.shifts.current() is not None:
                return
        app.call_from_thread(
            app.push_screen,
            CountDialog(OPEN_TITLE, app.identity.currency, "No shift is open on this till yet"),
            opened,
        )

    def opened(counted: CashAmount | None) -> None:
        if counted is not None:
            app.run_worker(lambda: tell(*open_with(app, counted)), thread=True, group="shift-ask", exit_on_error=False)

    def tell(text: str, problem: bool) -> None:
        app.call_from_thread(app.notify, text, severity="error" if problem else "information", timeout=6)

    app.run_worker(check, thread=True, group="shift-ask", description="Checking the till shift", exit_on_error=False)
