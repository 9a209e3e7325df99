"""Backups (admin, support): can the shop system be restored within its RPO and RTO targets, and why not if not.

On top, one line per DR scenario of the guide, failures first, with its RPO and RTO against the targets, and how
old the figures are. Below, in tabs: every check (failures first, each not OK with target, source and hint), the
point-in-time restore window with the cluster's settings, the snapshots (sortable, filtered by kind), and S3.
The report comes from console.ops.backups in a worker, on `r` and every five minutes (not while a dialog is open).

An admin may take a manual snapshot (`m`): a preview with the API call and the CLI command, and — only in a
console started with --write — a confirmation; the action runs in a worker, is verified and audited by
console.ops.snapshot_action, and its progress and result show above the tabs. Support never sees the action.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TabbedContent, TabPane

from common.display import printable
from console.ops.audit import Actor, AuditLog
from console.ops.aws import AwsClients
from console.ops.backup_facts import Cluster, Snapshot, Unknown
from console.ops.backups import BackupReport, collect_report, scenario_rows
from console.ops.checks import Check, Verdict, by_severity, format_duration, format_time
from console.ops.snapshot_action import SnapshotOutcome, SnapshotPreview, preview_manual_snapshot, take_manual_snapshot
from console.ops.write_mode import ACTION_ROLE, refusal
from screens.action_dialog import ActionDialog
from screens.base import background
from screens.data_table import DataTable
from screens.refreshing import RefreshingScreen, verify_wait

AUTO_REFRESH_SECONDS = 300.0
VERDICT_STYLE = {
    Verdict.FAIL: "$error bold",
    Verdict.UNKNOWN: "$warning bold",
    Verdict.WARN: "$warning",
    Verdict.OK: "$success",
}
OUTCOME_STYLE = {"verified": "$success", "unverified": "$warning", "cancelled": "$text-muted"}
TABS = {"checks": "Checks", "window": "Restore window", "snapshots": "Snapshots", "s3": "S3"}  # keys 1-4

ReportSource = Callable[[], BackupReport]


@dataclass(frozen=True)
class SnapshotSort:
    label: str
    key: Callable[[Snapshot], object]
    descending: bool = False


_OLDEST = dt.datetime.min.replace(tzinfo=dt.UTC)
SORTS = (
    SnapshotSort("newest first", lambda s: s.created or _OLDEST, descending=True),
    SnapshotSort("oldest first", lambda s: s.created or _OLDEST),
    SnapshotSort("by name", lambda s: s.identifier),
    SnapshotSort("by kind", lambda s: (s.kind, -(s.created or _OLDEST).timestamp())),
)
KINDS = ("all", "automated", "manual")


def headline(text: str) -> str:
    """A check's figure without its explanation: "4 min (failover drill by …); readers: …" → "4 min"."""
    cut = min((i for i in (text.find(" ("), text.find("; "), text.find(": ")) if i >= 0), default=len(text))
    return text[:cut]


def verdict_label(verdict: Verdict) -> Content:
    return Content.styled(f"{verdict.value:<8}", VERDICT_STYLE[verdict])


class CheckList(Vertical):
    """Checks one per row, verdict first; a check that is not OK adds its target, source and hint below its line,
    indented under it. A refresh with as many checks updates the rows in place."""

    def show(self, checks: Sequence[Check]) -> None:
        rows = self.query_children(".check")
        if len(rows) == len(checks):
            for row, check in zip(rows, checks, strict=True):
                row.query_one(".verdict", Static).update(verdict_label(check.verdict))
                row.query_one(".check-body", Static).update(self._body(check))
            return
        self.remove_children()
        self.mount_all(
            Horizontal(
                Static(verdict_label(c.verdict), classes="verdict"),
                Static(self._body(c), classes="check-body"),
                classes="check",
            )
            for c in checks
        )

    @staticmethod
    def _body(check: Check) -> Content:
        first = Content.assemble((check.title, "bold"), f": {check.actual}")
        if check.verdict is Verdict.OK:
            return first
        return Content.assemble(
            first,
            ("\ntarget ", "dim"),
            check.target,
            (" · source ", "dim"),
            check.source,
            ("\nhint ", "dim"),
            check.hint or "",
        )


def check_lines(checks: Iterable[Check]) -> Content:
    """A tab's own checks in brief, one line each (the Checks tab has their targets and hints)."""
    return Content("\n").join(
        Content.assemble(verdict_label(c.verdict), (c.title, "bold"), f": {c.actual}") for c in checks
    )


class BackupsScreen(RefreshingScreen[BackupReport]):
    TITLE = "Backups"
    READING = ("backups", "Reading the backup status")
    BINDINGS: ClassVar = [
        Binding("r", "refresh", "Refresh", id="backups.refresh"),
        Binding("m", "manual_snapshot", "Manual snapshot", id="backups.manual_snapshot"),
        # The snapshots tab names these two; the footer has no room for them at 80 columns.
        Binding("s", "sort", "Sort snapshots", show=False, id="backups.sort"),
        Binding("f", "filter", "Snapshots of one kind", show=False, id="backups.filter"),
        *(
            Binding(str(n), f"tab('{tab}')", f"{title} tab", show=False, id=f"backups.tab_{tab}")
            for n, (tab, title) in enumerate(TABS.items(), start=1)
        ),
        Binding("escape", "app.home", "Home", id="backups.home"),
    ]

    class PreviewReady(Message):
        def __init__(self, preview: SnapshotPreview) -> None:
            super().__init__()
            self.preview = preview

    class SnapshotProgress(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class SnapshotDone(Message):
        def __init__(self, outcome: SnapshotOutcome) -> None:
            super().__init__()
            self.outcome = outcome

    def __init__(self, collect: ReportSource | None = None) -> None:
        """`collect` reads the report (blocking); by default from the profile's AWS and the audit log."""
        super().__init__()
        self._collect = collect
        self._sort = 0
        self._kind = 0
        self._snapshot_started: dt.datetime | None = None
        self._snapshot_text = ""

    # --- layout ---------------------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static(id="backups-summary")
        yield Static(id="scenarios")
        yield Static(id="snapshot-action")
        with TabbedContent(id="backups-tabs"):
            with TabPane(self._tab_label("checks"), id="checks"), VerticalScroll(classes="tab-body"):
                yield CheckList(id="all-checks")
            with TabPane(self._tab_label("window"), id="window"), VerticalScroll(classes="tab-body"):
                yield Static(id="restore-window")
            with TabPane(self._tab_label("snapshots"), id="snapshots"):
                yield Static(id="snapshot-caption")
                yield DataTable(id="snapshot-table", cursor_type="row", zebra_stripes=True)
            with TabPane(self._tab_label("s3"), id="s3"), VerticalScroll(classes="tab-body"):
                yield Static(id="s3-status")

    def _tab_label(self, tab: str) -> str:
        """The tab's title after its key, as the keymap has it."""
        key = self.app.key_display(f"backups.tab_{tab}", str(list(TABS).index(tab) + 1))
        return f"{key} {TABS[tab]}"

    def on_mount(self) -> None:
        self.query_one("#snapshot-table", DataTable).add_columns(
            "Snapshot", "Age", "Kind", "Status", "Size", "Enc", "Region", "Created"
        )
        self.query_one("#snapshot-action", Static).display = False
        self._show_summary()
        self.set_interval(1, self._tick)
        self.action_refresh()
        self.query_one("#checks VerticalScroll").focus()

    # --- reading the report ---------------------------------------------------------------------------------

    def refresh_seconds(self) -> float:
        return AUTO_REFRESH_SECONDS

    def collect(self) -> BackupReport:
        collect = self._collect or partial(collect_report, self.app.profile, clock=self.app.clock)
        return collect()

    # --- showing it -----------------------------------------------------------------------------------------

    def _tick(self) -> None:
        self._show_summary()
        if self._snapshot_started is not None:
            self._show_snapshot_progress()

    def _show_summary(self) -> None:
        report = self.report
        summary = self.query_one("#backups-summary", Static)
        if report is None:
            summary.update(Content("Backups: reading the status from AWS…"))
            return
        counts = [
            Content.styled(f"{count} {v.value}", VERDICT_STYLE[v] if count else "dim")
            for v in (Verdict.FAIL, Verdict.UNKNOWN, Verdict.WARN, Verdict.OK)
            for count in [sum(c.verdict is v for c in report.checks)]
        ]
        age = format_duration(self.app.clock() - report.collected_at)
        summary.update(
            Content.assemble(
                "Backups ",
                Content.styled(report.verdict.value, VERDICT_STYLE[report.verdict]),
                " · ",
                Content(" ").join(counts),
                " · ",
                "refreshing…" if self.collecting else f"collected {age} ago",
            )
        )

    def show_report(self, report: BackupReport) -> None:
        self._show_summary()
        self._show_scenarios(report)
        self.query_one("#all-checks", CheckList).show(by_severity(report.checks))
        self.query_one("#s3-status", Static).update(check_lines(c for c in report.checks if c.group == "s3"))
        self._show_restore_window(report)
        self._show_snapshots()

    def _show_scenarios(self, report: BackupReport) -> None:
        # Two figure columns share what the verdict and the scenario leave of the line (padding 1 each side); on a
        # wide terminal the RPO column stays near its figures, so the eye need not travel.
        figures = max(48, self.size.width - 2 - 8 - 21)
        rpo_width = min(figures // 2, 34)
        rto_width = figures - rpo_width
        header = f"{'Verdict':<8}{'Scenario':<21}{'RPO (target)':<{rpo_width}}RTO (target)"
        lines = [Content.styled(header, "dim")]
        for row in scenario_rows(report):
            lines.append(
                Content.assemble(
                    verdict_label(row.verdict),
                    f"{row.scenario.title:<21}",
                    self._figure(row.rpo, rpo_width),
                    self._figure(row.rto, rto_width),
                )
            )
        self.query_one("#scenarios", Static).update(Content("\n").join(lines))

    def on_resize(self) -> None:
        if self.report is not None:
            self._show_scenarios(self.report)

    @staticmethod
    def _figure(check: Check, width: int) -> Content:
        """ "40 min (≤ 5 min)" in a column of `width`: a long figure is shortened, never its target."""
        target = f" ({headline(check.target)})"
        figure = headline(check.actual)
        room = width - 1 - len(target)
        if len(figure) > room:
            figure = figure[: max(room - 1, 0)] + "…"
        style = "" if check.verdict is Verdict.OK else VERDICT_STYLE[check.verdict]
        return Content.styled(f"{figure + target:<{width}}", style)

    def _show_restore_window(self, report: BackupReport) -> None:
        cluster, now = report.facts.cluster, report.collected_at
        if isinstance(cluster, Unknown):
            window = f"Cluster: unknown: {cluster.reason}"
        elif cluster is None:
            window = "Cluster: not found"
        else:
            window = "\n".join(self._window_lines(cluster, now))
        settings = check_lines(c for c in report.checks if c.group == "cluster")
        self.query_one("#restore-window", Static).update(Content.assemble(window, "\n\n", settings))

    @staticmethod
    def _window_lines(cluster: Cluster, now: dt.datetime) -> list[str]:
        def moment(at: dt.datetime | None) -> str:
            return "unknown" if at is None else f"{format_time(at)} ({format_duration(now - at)} ago)"

        lines = [
            f"Cluster   {cluster.identifier} ({cluster.engine}, {cluster.status})",
            f"Earliest  {moment(cluster.earliest_restorable)}",
            f"Latest    {moment(cluster.latest_restorable)}",
        ]
        if cluster.earliest_restorable and cluster.latest_restorable:
            span = format_duration(cluster.latest_restorable - cluster.earliest_restorable)
            lines.append(f"Window    {span} of point-in-time restore, retention {cluster.backup_retention_days} d")
        return lines

    def _show_snapshots(self) -> None:
        table = self.query_one("#snapshot-table", DataTable)
        caption = self.query_one("#snapshot-caption", Static)
        table.clear()
        report = self.report
        if report is None:
            return
        local, copies = report.facts.snapshots, report.facts.region_copies
        known = [*([] if isinstance(local, Unknown) else local), *([] if isinstance(copies, Unknown) else copies)]
        kind, order = KINDS[self._kind], SORTS[self._sort]
        shown = sorted((s for s in known if kind == "all" or s.kind == kind), key=order.key, reverse=order.descending)
        for snapshot in shown:
            table.add_row(*self._snapshot_row(snapshot, report.collected_at))
        unread = (("this region", local), ("backup region copies", copies))
        problems = [f"{where}: unknown: {facts.reason}" for where, facts in unread if isinstance(facts, Unknown)]
        caption.update(
            Content.assemble(
                f"{len(shown)} of {len(known)} snapshots · {kind} · {order.label}",
                ("   s sort · f kind", "dim"),
                *((f"\n{p}", VERDICT_STYLE[Verdict.UNKNOWN]) for p in problems),
            )
        )

    @staticmethod
    def _snapshot_row(snapshot: Snapshot, now: dt.datetime) -> tuple[str, ...]:
        progress = "" if snapshot.progress in (None, 100) else f" {snapshot.progress} %"
        return (
            snapshot.identifier,
            "—" if snapshot.created is None else format_duration(now - snapshot.created),
            snapshot.kind,
            snapshot.status + progress,
            "—" if snapshot.size_gib is None else f"{snapshot.size_gib} GiB",
            "yes" if snapshot.encrypted else "NO",
            snapshot.region,
            "—" if snapshot.created is None else format_time(snapshot.created),
        )

    # --- keys -----------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "manual_snapshot":
            signed_in = self.app.signed_in  # None for a moment while signing out
            return signed_in is not None and signed_in.identity.role == ACTION_ROLE  # support never sees it
        return True

    def action_tab(self, tab: str) -> None:
        self.query_one("#backups-tabs", TabbedContent).active = tab
        pane = self.query_one(f"#{tab}", TabPane)
        pane.query("VerticalScroll, DataTable").first().focus()

    def action_sort(self) -> None:
        self._sort = (self._sort + 1) % len(SORTS)
        self._show_snapshots()
        self.action_tab("snapshots")

    def action_filter(self) -> None:
        self._kind = (self._kind + 1) % len(KINDS)
        self._show_snapshots()
        self.action_tab("snapshots")

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Refresh backup status", "Read the backup status from AWS again", self.action_refresh)
        if self.check_action("manual_snapshot", ()):
            yield SystemCommand(
                "Take a manual snapshot",
                "Preview the guide's manual backup (runs with --write)",
                self.action_manual_snapshot,
            )
        yield SystemCommand("Sort snapshots", "Newest, oldest, by name, by kind", self.action_sort)
        yield SystemCommand("Filter snapshots by kind", "All, automated, manual", self.action_filter)

    # --- the manual snapshot --------------------------------------------------------------------------------

    def _actor(self) -> tuple[Actor, bool]:
        """Who acts, and whether they signed in offline."""
        signed_in = self.app.signed_in
        if signed_in is None:
            return Actor.current(None, None), True
        who = signed_in.identity
        return Actor.current(who.username, who.role), signed_in.offline

    def _refusal(self) -> str | None:
        actor, offline = self._actor()
        return refusal(actor.role, self.app.write_mode, offline)

    def action_manual_snapshot(self) -> None:
        if self._snapshot_started is not None:
            self.notify("A manual snapshot is being taken already.", timeout=4)
            return
        self._prepare_snapshot()

    @background("snapshot-preview", "Preparing the snapshot preview")
    def _prepare_snapshot(self) -> None:
        preview = preview_manual_snapshot(self.app.profile, AwsClients(self.app.profile), self.app.clock)
        self.post_message(self.PreviewReady(preview))

    @on(PreviewReady)
    def _preview_ready(self, message: PreviewReady) -> None:
        refused = self._refusal()
        dialog = ActionDialog("Take a manual snapshot now", message.preview.as_preview(), refused)
        if refused is None:
            self.app.push_screen(dialog, partial(self._confirmed, message.preview))
        else:
            self.app.push_screen(dialog)  # read-only: nothing to run, nothing to record

    def _confirmed(self, preview: SnapshotPreview, confirmation: str | None) -> None:
        actor, offline = self._actor()
        if confirmation is None:
            self._take_snapshot(preview, "n", actor, offline)  # the service records the cancel in the audit log
            return
        self._snapshot_started = self.app.clock()
        self._snapshot_text = f"{preview.snapshot_id}: calling CreateDBClusterSnapshot"
        self._show_snapshot_progress()
        self._take_snapshot(preview, confirmation, actor, offline)

    @background("snapshot", "Taking a manual snapshot")
    def _take_snapshot(self, preview: SnapshotPreview, confirmation: str, actor: Actor, offline: bool) -> None:
        def say(checks: int) -> None:
            text = f"{preview.snapshot_id}: accepted; waiting until it is available (check {checks})"
            self.post_message(self.SnapshotProgress(text))

        app = self.app
        outcome = take_manual_snapshot(
            preview,
            profile=app.profile,
            clients=AwsClients(app.profile),
            actor=actor,
            write_mode=app.write_mode,
            offline=offline,
            confirmation=confirmation,
            audit=AuditLog(clock=app.clock),
            clock=app.clock,
            sleep=verify_wait(say),
        )
        self.post_message(self.SnapshotDone(outcome))

    @on(SnapshotProgress)
    def _snapshot_progress(self, message: SnapshotProgress) -> None:
        self._snapshot_text = message.text
        self._show_snapshot_progress()

    def _show_snapshot_progress(self) -> None:
        line = self.query_one("#snapshot-action", Static)
        elapsed = format_duration(self.app.clock() - self._snapshot_started) if self._snapshot_started else ""
        line.update(Content.assemble(("Manual snapshot ", "bold"), self._snapshot_text, (f" · {elapsed}", "dim")))
        line.display = True

    @on(SnapshotDone)
    def _snapshot_done(self, message: SnapshotDone) -> None:
        outcome = message.outcome
        self._snapshot_started = None
        if outcome.status == "cancelled":
            self.notify("Manual snapshot cancelled; nothing was changed.", timeout=4)
            return
        style = OUTCOME_STYLE.get(outcome.status, "$error bold")
        line = self.query_one("#snapshot-action", Static)
        line.update(
            Content.assemble(
                ("Manual snapshot ", "bold"),
                Content.styled(outcome.status, style),
                f": {outcome.detail}",
                (f" · audit {outcome.action_id[:8]}", "dim"),
            )
        )
        line.display = True
        severity = "information" if outcome.status == "verified" else "warning"
        text = printable(f"Manual snapshot {outcome.status}: {outcome.detail}")  # AWS's words: no markup, no escapes
        self.notify(text, severity=severity, timeout=8, markup=False)
        self.action_refresh()  # the new snapshot in the list
