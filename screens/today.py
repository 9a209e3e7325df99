"""Today (managers): the day's sales by hour (a bar per hour), by category, the top 10 products, the tender mix,
the refunds, the shifts open and those closed that day with their over/short. `[` and `]` go a day back and
forward, `d` types a date, `t` comes back to today; `r` reads again (and every minute). Online the figures are
shop-api's for the whole shop; offline, this terminal's cache's, labelled so (console/counter/today.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from common.display import printable
from common.money import format_amount, minor_units
from console.counter import today
from console.counter.orders_view import parse_day
from screens.orders import AskDialog
from screens.refreshing import RefreshingScreen

REFRESH_SECONDS = 60.0
LABEL = 28  # a name's column
FIGURE = 11  # a money column
COUNT = 6  # an orders or units column
BAR = 22  # the longest hour bar
SECTIONS = ("totals", "hours", "categories", "products", "tenders", "refunds", "open", "closed")
TERMINAL = 14  # a terminal id's column
WHO = 15  # whose shift
WHEN = 13  # HH:MM, or "14 Mar 09:26" on another day
SHORT_STYLE = {-1: "$error bold", 0: "$success", 1: "$warning"}

Money = Callable[[int | None], str]


def _cell(text: str, width: int) -> str:
    """Left-aligned in `width` with a space after it, cut with an ellipsis (names from the server or cache, made
    printable)."""
    text = printable(text)
    return (text if len(text) < width else text[: width - 2] + "…").ljust(width)


def _figures(*cells: tuple[str, int]) -> str:
    return "".join(value.rjust(width) for value, width in cells)


def _heading(title: str, lead: int = 0, columns: str = "") -> Content:
    """A section's title, and its figure columns' names over the figures (after `lead` cells of names)."""
    return Content.assemble((title, "bold"), (" " * (lead - len(title)) + columns, "dim"))


def _who(shift: today.ShiftLine) -> str:
    return "unassigned" if shift.kind == "unassigned" else shift.opened_by or "—"


def _none(text: str) -> list[Content]:
    return [Content.styled(text, "dim")]


class TodayScreen(RefreshingScreen[today.DayReport]):
    TITLE = "Today"
    READING = ("today", "Reading the day's sales")
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (110, "-wide")]
    BINDINGS: ClassVar = [
        Binding("left_square_bracket", "day(-1)", "Day before", id="today.previous"),
        Binding("right_square_bracket", "day(1)", "Day after", id="today.next"),
        Binding("d", "pick_day", "Date", id="today.date"),
        Binding("t", "today", "Today", id="today.today"),
        Binding("r", "refresh", "Refresh", id="today.refresh"),
        Binding("escape", "app.home", "Home", id="today.home"),
    ]
    DEFAULT_CSS = """
    TodayScreen #today-summary { height: auto; padding: 0 1; }
    TodayScreen #today-body { height: 1fr; padding: 0 1; }
    TodayScreen #today-grid { layout: grid; grid-size: 1; grid-rows: auto; grid-gutter: 1 2; height: auto; }
    TodayScreen.-wide #today-grid { grid-size: 2; }
    TodayScreen .today-section { height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.zone = today.shop_zone()
        self.day = dt.date.min  # today, once mounted (the app's clock)

    def compose_body(self) -> ComposeResult:
        yield Static(id="today-summary")
        with VerticalScroll(id="today-body"), Container(id="today-grid"):
            for section in SECTIONS:
                yield Static(id=f"today-{section}", classes="today-section")

    def on_mount(self) -> None:
        self.day = self._today()
        self.query_one("#today-body").focus()
        self.action_refresh()

    def _today(self) -> dt.date:
        return today.today(self.app.clock(), self.zone)

    # --- the day ---------------------------------------------------------------------------------------------

    def action_day(self, step: int) -> None:
        self._go(self.day + dt.timedelta(days=step))

    def action_today(self) -> None:
        self._go(self._today())

    def action_pick_day(self) -> None:
        now = self._today()

        def check(text: str) -> str | None:
            try:
                parse_day(text, now)
            except ValueError as exc:
                return str(exc)
            return None

        def chosen(text: str | None) -> None:
            if text is not None:
                self._go(parse_day(text, now))

        hint = "YYYY-MM-DD, today, yesterday or -N days · Esc"
        self.app.push_screen(AskDialog("Sales of which day?", self.day.isoformat(), check, hint), chosen)

    def _go(self, day: dt.date) -> None:
        self.day = day
        self.action_refresh()  # reading already: the answer is checked against the day when it comes

    # --- reading it (RefreshingScreen) -----------------------------------------------------------------------

    def refresh_seconds(self) -> float:
        return REFRESH_SECONDS

    def collect(self) -> today.DayReport:
        app = self.app
        with app.local_store.use() as store:
            return today.read_day(app.api, store, self.day, self.zone, app.identity.currency, app.clock())

    def show_report(self, report: today.DayReport) -> None:
        if report.day != self.day:  # another day was asked for while this one was read
            self.action_refresh()
            return
        self._show_summary()
        decimals = minor_units(report.currency)

        def money(amount: int | None) -> str:
            return "—" if amount is None else format_amount(amount, decimals)

        for section, content in (
            ("totals", self._totals(report, money)),
            ("hours", self._hours(report, money)),
            ("categories", self._categories(report, money)),
            ("products", self._products(report, money)),
            ("tenders", self._tenders(report, money)),
            ("refunds", self._refunds(report, money)),
            ("open", self._open_shifts(report, money)),
            ("closed", self._closed_shifts(report, money)),
        ):
            self.query_one(f"#today-{section}", Static).update(content)

    def _show_summary(self) -> None:
        summary = self.query_one("#today-summary", Static)
        report = self.report
        day = Content.styled(f"{self.day:%a %d %b %Y}", "bold")
        if report is None or report.day != self.day:
            summary.update(Content.assemble(day, f" · {self.zone.key} · reading…"))
            return
        state = "refreshing…" if self.collecting else f"read {report.read_at.astimezone(self.zone):%H:%M}"
        if report.online:
            summary.update(
                Content.assemble(day, f" · {report.zone} · shop-api, all terminals · {state} · {report.currency}")
            )
            return
        summary.update(
            Content.assemble(
                Content.styled(today.OFFLINE, "$warning bold"),
                f" · {report.note}\n",
                day,
                f" · {report.zone} · terminal {self.app.profile.terminal_id} · {state} · {report.currency}",
            )
        )

    # --- the sections ----------------------------------------------------------------------------------------

    @staticmethod
    def _totals(report: today.DayReport, money: Money) -> Content:
        figures = report.totals
        pairs = [
            ("Orders", str(figures.orders), "Net (ex tax)", money(figures.net)),
            ("Items", str(figures.quantity), "Tax", money(figures.tax)),
            ("Gross", money(figures.gross), "Takings", money(figures.takings)),
            ("Discounts", money(figures.discounts), "Refunds", money(figures.refunds)),
        ]
        lines = [f"{a:<10}{b:>12}    {c:<13}{d:>12}" for a, b, c, d in pairs]
        return Content("\n").join([_heading("Sales"), *map(Content, lines)])

    @staticmethod
    def _hours(report: today.DayReport, money: Money) -> Content:
        rows = report.rows("hour")
        largest = max((row.figures.net for row in rows), default=0)
        lines = [
            Content.assemble(
                f"{today.hour_label(row.key)} ",
                Content.styled(today.bar(row.figures.net, largest, BAR).ljust(BAR), "$accent"),
                _figures((str(row.figures.orders), COUNT), (money(row.figures.net), FIGURE)),
            )
            for row in rows
        ]
        head = _heading("By hour", 6 + BAR, _figures(("orders", COUNT), ("net", FIGURE)))
        return Content("\n").join([head, *(lines or _none("No sales"))])

    @staticmethod
    def _categories(report: today.DayReport, money: Money) -> Content:
        lines = [
            Content(
                _cell(row.label or "(no category)", LABEL)
                + _figures(
                    (str(row.figures.orders), COUNT),
                    (str(row.figures.quantity), COUNT),
                    (money(row.figures.net), FIGURE),
                )
            )
            for row in report.rows("category")
        ]
        head = _heading("By category", LABEL, _figures(("orders", COUNT), ("units", COUNT), ("net", FIGURE)))
        return Content("\n").join([head, *(lines or _none("No sales"))])

    @staticmethod
    def _products(report: today.DayReport, money: Money) -> Content:
        lines = [
            Content(
                f"{n:>2} "
                + _cell(row.label or "—", LABEL - 3)
                + _figures((str(row.figures.quantity), COUNT), (money(row.figures.net), FIGURE))
            )
            for n, row in enumerate(report.top_products, start=1)
        ]
        head = _heading(f"Top {today.TOP_PRODUCTS} products", LABEL, _figures(("units", COUNT), ("net", FIGURE)))
        return Content("\n").join([head, *(lines or _none("No sales"))])

    @staticmethod
    def _tenders(report: today.DayReport, money: Money) -> Content:
        whole = report.totals.takings
        lines = [
            Content(
                _cell(today.tender_label(row.key), LABEL)
                + _figures(
                    (str(row.figures.orders), COUNT),
                    (money(row.figures.takings), FIGURE),
                    (today.share(row.figures.takings, whole), COUNT),
                )
            )
            for row in report.rows("tender")
        ]
        head = _heading("Tender mix", LABEL, _figures(("orders", COUNT), ("takings", FIGURE), ("share", COUNT)))
        return Content("\n").join([head, *(lines or _none("No sales"))])

    @staticmethod
    def _refunds(report: today.DayReport, money: Money) -> Content:
        total = report.totals.refunds
        head = _heading("Refunds", LABEL + COUNT, _figures((money(total), FIGURE)) + " ex tax" if total else "")
        lines = [
            Content(_cell(row.label or "—", LABEL + COUNT) + _figures((money(row.figures.refunds), FIGURE)))
            for row in report.refunded
        ]
        return Content("\n").join([head, *(lines or _none("No refunds"))])

    def _open_shifts(self, report: today.DayReport, money: Money) -> Content:
        lines = [
            Content(
                _cell(shift.terminal_id, TERMINAL)
                + _cell(_who(shift), WHO)
                # An unassigned shift opens when the first late sale arrives: that moment says nothing of the day.
                + (self._when(shift.opened_at, report.day) if shift.kind == "till" else "late sales".ljust(WHEN))
                + _figures((money(shift.opening_float), FIGURE))
            )
            for shift in report.open_shifts
        ]
        head = _heading("Open shifts", TERMINAL + WHO, "opened".ljust(WHEN) + _figures(("float", FIGURE)))
        return Content("\n").join([head, *(lines or _none("None open"))])

    def _closed_shifts(self, report: today.DayReport, money: Money) -> Content:
        lines = []
        for shift in report.closed_shifts:
            over_short = shift.over_short or 0
            lines.append(
                Content.assemble(
                    _cell(shift.terminal_id, TERMINAL)
                    + _cell(_who(shift), WHO)
                    + self._when(shift.closed_at, report.day),
                    Content.styled(
                        (("+" if over_short > 0 else "") + money(shift.over_short)).rjust(FIGURE),
                        SHORT_STYLE[(over_short > 0) - (over_short < 0)],
                    ),
                )
            )
        head = _heading("Closed shifts", TERMINAL + WHO, "closed".ljust(WHEN) + _figures(("over/short", FIGURE)))
        return Content("\n").join([head, *(lines or _none("None closed"))])

    def _when(self, moment: dt.datetime | None, day: dt.date) -> str:
        """A time of the day shown as HH:MM; of another day, with its date."""
        if moment is None:
            return "—".ljust(WHEN)
        local = moment.astimezone(self.zone)
        return (f"{local:%H:%M}" if local.date() == day else f"{local:%d %b %H:%M}").ljust(WHEN)

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Sales of another day", "Type a date (d)", self.action_pick_day)
        yield SystemCommand("Sales of today", "Back to today (t)", self.action_today)
        yield SystemCommand("Refresh the day's sales", "Read them again (r)", self.action_refresh)
