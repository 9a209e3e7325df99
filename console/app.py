"""The Textual app: a small App subclass that wires the services to the screens, and a factory that tests reuse.

The app decides which screen is in front (login, a challenge, home), keeps the session alive and runs the sync
engine for it; screens compose, bind keys and run service calls in workers. Every blocking call happens in a worker
thread.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from console import keymap, logs, navigation, paths
from console.api import ApiClient, ApiUnavailable, HealthReport
from console.auth import Challenge
from console.config import Profile
from console.demo import BackendSwitch, DemoUser
from console.local_store import LocalStore
from console.offline_unlock import Identity
from console.session import SessionService, SignedIn
from console.sync_service import BackgroundSync, exit_check, export_queue
from screens import themes
from screens.base import background
from screens.error_dialog import ErrorDialog
from screens.help import HelpScreen
from screens.home import HomeScreen
from screens.login import LoginScreen
from screens.palette import ShellCommands

if TYPE_CHECKING:
    from offline_cache.engine import SyncStatus
    from offline_cache.exchange import ExitCheck

STYLES = Path(__file__).resolve().parent.parent / "assets" / "styles" / "app.tcss"
HEALTH_POLL_SECONDS = 10.0
REFRESH_RETRY_SECONDS = 30.0
MIN_TIMER_SECONDS = 0.1
SYNC_STOP_WAIT_SECONDS = 20.0  # an HTTP call under way finishes first (its timeout is 15 s)

log = logging.getLogger(__name__)

SessionFactory = Callable[[], tuple[SessionService, str | None]]


def local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


@dataclass(frozen=True)
class QueueStatus:
    """The outbox as the status bar shows it; the sync engine feeds `ShopConsoleApp.queue` (empty until then)."""

    count: int = 0  # not sent yet
    oldest: dt.datetime | None = None  # the oldest of those
    attention: bool = False  # something dead or in conflict: a person must settle it


@dataclass(frozen=True)
class ApiStatus:
    reachable: bool | None  # None until the first check answers
    text: str


class ShopConsoleApp(App[None]):
    CSS_PATH = STYLES
    TITLE = "Shop Console"
    COMMANDS = {ShellCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    signed_in: var[SignedIn | None] = var(None)
    online: var[bool] = var(False)
    queue: var[QueueStatus] = var(QueueStatus())
    sync_status: var[SyncStatus | None] = var(None)  # the sync engine's latest, while signed in
    api_status: var[ApiStatus] = var(ApiStatus(None, "checking…"))
    store_warning: var[str | None] = var(None)

    class HealthChecked(Message):
        def __init__(self, report: HealthReport | None, problem: str = "") -> None:
            super().__init__()
            self.report = report
            self.problem = problem

    class SessionReady(Message):
        def __init__(self, warning: str | None) -> None:
            super().__init__()
            self.warning = warning

    class Refreshed(Message):
        def __init__(self, ok: bool) -> None:
            super().__init__()
            self.ok = ok

    class SyncReported(Message):
        def __init__(self, sync: BackgroundSync, status: SyncStatus) -> None:
            super().__init__()
            self.sync = sync
            self.status = status

    class SignOutChecked(Message):
        def __init__(self, check: ExitCheck, everywhere: bool) -> None:
            super().__init__()
            self.check = check
            self.everywhere = everywhere

    class QueueExported(Message):
        def __init__(self, text: str, failed: bool) -> None:
            super().__init__()
            self.text = text
            self.failed = failed

    def __init__(
        self,
        profile: Profile,
        api: ApiClient,
        session_factory: SessionFactory,
        demo_users: Sequence[DemoUser] = (),
        keys: Mapping[str, str] | None = None,
        clock: Callable[[], dt.datetime] = local_now,
        write_mode: bool = False,
        backend_switch: BackendSwitch | None = None,
    ) -> None:
        super().__init__()
        self.profile = profile
        # `shop-console demo` only: stops and starts the embedded shop-api (the sync screen's key).
        self.backend_switch = backend_switch
        # `--write`: admin actions may run (console.ops.write_mode); read-only otherwise.
        self.write_mode = write_mode
        self.api = api
        self.demo_users = list(demo_users)
        self.clock = clock  # what the status bar shows; tests freeze it
        self.session: SessionService | None = None
        self._session_factory = session_factory
        self._session_lock = threading.Lock()
        self._keys = dict(keys or {})
        self._refresh_timer: Timer | None = None
        self._health_timer: Timer | None = None
        self._told_network_back = False
        self._sync: BackgroundSync | None = None
        self._sync_online: bool | None = None  # the engine's probe, fresher than the health check
        # The offline cache as the screens read and write it (sales, lookups); the sync engine has its own.
        self.local_store = LocalStore(profile)

    # --- start ----------------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        for _label, theme in themes.THEMES.values():
            self.register_theme(theme)
        self.theme = themes.starting_theme()
        self.set_keymap(self._keys)
        self.push_screen(LoginScreen())
        # After the first frame: the keyring probe and the health check's threads would slow its painting.
        self.call_after_refresh(self._prepare_session)
        self.call_after_refresh(self.check_health)

    def on_unmount(self) -> None:
        sync = self._stop_sync()
        if sync is not None:
            sync.stop(wait=SYNC_STOP_WAIT_SECONDS)  # no sync thread outlives the app
        self.local_store.close()
        self.api.close()

    def session_service(self) -> SessionService:
        """The session service, built on first use. Worker threads only: the keyring probe can take 2 s."""
        with self._session_lock:
            if self.session is None:
                self.session, warning = self._session_factory()
                self.post_message(self.SessionReady(warning))
            return self.session

    @background("session", "Preparing sign-in")
    def _prepare_session(self) -> None:
        self.session_service()  # probe the keyring while the person types

    @on(SessionReady)
    def _session_ready(self, message: SessionReady) -> None:
        if message.warning:
            self.store_warning = message.warning
            self.notify(message.warning, severity="warning", timeout=15)

    # --- signing in and out ---------------------------------------------------------------------------------

    @property
    def identity(self) -> Identity:
        assert self.signed_in is not None, "only screens after sign-in ask who is signed in"
        return self.signed_in.identity

    def advance(self, outcome: Challenge | SignedIn) -> None:
        """The next screen after a sign-in step: another challenge, or home."""
        if isinstance(outcome, Challenge):
            from screens.challenges import screen_for  # the QR code's segno: only when a challenge comes

            self._show_front(screen_for(outcome))
            return
        self.signed_in = outcome
        who = outcome.identity
        logs.set_context(user=who.username, shop=who.shop_id)
        self._told_network_back = False
        self._start_sync(outcome)
        self._update_online()
        self._show_front(HomeScreen())
        if who.role == "cashier":  # a till with no shift open asks the cashier for the float (Esc: later)
            from screens.shift import ask_to_open_shift

            ask_to_open_shift(self)
        if outcome.offline:
            self.notify(
                "Signed in offline: sales stay on this terminal until the network returns (Sync shows the queue).",
                timeout=8,
            )
        self.arm_refresh()

    def action_start_over(self) -> None:
        self._show_front(LoginScreen())

    def action_sign_out(self, everywhere: bool = False) -> None:
        """Sign out, unless work that was neither sent nor exported would be stranded on this terminal."""
        if self.signed_in is None or self.session is None:
            return
        self._check_sign_out(everywhere)

    @background("sign-out", "Checking the queue before signing out")
    def _check_sign_out(self, everywhere: bool) -> None:
        self.post_message(self.SignOutChecked(exit_check(self.profile), everywhere))

    @on(SignOutChecked)
    def _sign_out_checked(self, message: SignOutChecked) -> None:
        if self.signed_in is None or self.session is None:
            return  # signed out meanwhile
        if not message.check.allowed:
            from screens.sync_dialogs import SignOutRefusedDialog

            self.push_screen(SignOutRefusedDialog(message.check), self._sign_out_refused)
            return
        self.signed_in = None
        self._stop_refresh()
        logs.set_context(user=None, shop=None)
        self._sign_out(self.session, self._stop_sync(), message.everywhere)
        self.sync_status = None
        self.queue = QueueStatus()
        self._update_online()
        self.action_start_over()
        self.notify("Signed out everywhere." if message.everywhere else "Signed out.", timeout=4)

    def _sign_out_refused(self, choice: object) -> None:
        """The refusal dialog's way on: export the queue to a file (then sign-out may go ahead), or open Sync."""
        if choice == "sync":
            self.open_destination("sync")
        elif choice == "export":
            from console.sync_view import default_export_path
            from screens.sync_dialogs import ExportDialog

            suggested = default_export_path(self.profile, self.clock())
            self.push_screen(ExportDialog(str(suggested)), self._export_for_sign_out)

    def _export_for_sign_out(self, typed: object) -> None:
        if isinstance(typed, str):
            self._export_queue(typed)

    @background("sign-out", "Exporting the queue")
    def _export_queue(self, typed: str) -> None:
        from console.sync_view import export_path

        try:
            path = export_path(typed, self.profile, self.clock())
            count = export_queue(self.profile, path)
        except (ValueError, OSError) as exc:  # InvalidWrite is a ValueError: the path is unusable
            self.post_message(self.QueueExported(f"Not exported: {exc}", failed=True))
            return
        self.post_message(self.QueueExported(f"Exported {count} operation(s) to {path}. You may sign out now.", False))

    @on(QueueExported)
    def _queue_exported(self, message: QueueExported) -> None:
        self.notify(message.text, severity="error" if message.failed else "information", timeout=10)

    @background("sign-out", "Signing out")
    def _sign_out(self, session: SessionService, sync: BackgroundSync | None, everywhere: bool) -> None:
        if sync is not None:
            sync.stop(wait=SYNC_STOP_WAIT_SECONDS)  # its last push still uses the session
        self.local_store.close()
        session.sign_out(everywhere=everywhere)  # local secrets first, then the revoke over the network

    def _show_front(self, screen: Screen[None]) -> None:
        """Make `screen` the only one above the app's base screen (login, a challenge, or home)."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    # --- the sync engine ------------------------------------------------------------------------------------

    def _start_sync(self, signed_in: SignedIn) -> None:
        """Run the engine for this session: it pushes and pulls when online, and only counts the queue after an
        offline unlock (no token to push with)."""
        assert self.session is not None
        self._stop_sync()
        self._sync = BackgroundSync(self.profile, self.session, push=not signed_in.offline)
        self._run_sync(self._sync)

    @background("sync", "Syncing the queue")
    def _run_sync(self, sync: BackgroundSync) -> None:
        sync.run(lambda status: self.post_message(self.SyncReported(sync, status)))

    def wake_sync(self) -> None:
        """Something was queued (a sale): sync now rather than at the engine's next tick."""
        if self._sync is not None:
            self._sync.wake()

    def _stop_sync(self) -> BackgroundSync | None:
        """Ask the engine to stop (it ends after the step under way); its later reports are ignored."""
        sync, self._sync = self._sync, None
        if sync is not None:
            sync.stop()
        self._sync_online = None
        return sync

    @on(SyncReported)
    def _sync_reported(self, message: SyncReported) -> None:
        if message.sync is not self._sync:
            return  # from an engine stopped since
        status = message.status
        self.sync_status = status
        queue = status.queue
        self.queue = QueueStatus(queue.unsent, queue.oldest_pending_at, queue.needs_attention)
        self._sync_online = status.online
        self._update_online()

    # --- keeping the session --------------------------------------------------------------------------------

    def arm_refresh(self) -> None:
        """Schedule the next renewal from the session's expiry (done after sign-in and after each renewal)."""
        self._stop_refresh()
        seconds = self.session.seconds_until_refresh() if self.session else None
        if seconds is not None:
            # Never a zero delay: Textual's timer divides by it.
            self._refresh_timer = self.set_timer(max(seconds, MIN_TIMER_SECONDS), self._refresh)

    def _stop_refresh(self) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
            self._refresh_timer = None

    @background("refresh", "Renewing the session")
    def _refresh(self) -> None:
        if self.session is not None:
            self.post_message(self.Refreshed(self.session.refresh()))

    @on(Refreshed)
    def _refreshed(self, message: Refreshed) -> None:
        if self.signed_in is None or self.session is None or self.session.current is None:
            return  # signed out meanwhile
        if message.ok:
            self.signed_in = self.session.current
            self.arm_refresh()
        else:
            # Offline is not a sign-out: keep the session and try again.
            self._stop_refresh()
            self._refresh_timer = self.set_timer(REFRESH_RETRY_SECONDS, self._refresh)

    # --- API reachability -----------------------------------------------------------------------------------

    def check_health(self) -> None:
        """Ask shop-api now (at start, or when a sign-in could not reach it), and again a while after each answer."""
        if self._health_timer is not None:
            self._health_timer.stop()
            self._health_timer = None
        self._check_health()

    @background("health", "Checking the API")
    def _check_health(self) -> None:
        try:
            self.post_message(self.HealthChecked(self.api.health()))
        except ApiUnavailable as exc:
            self.post_message(self.HealthChecked(None, str(exc)))

    @on(HealthChecked)
    def _health_checked(self, message: HealthChecked) -> None:
        if message.report:
            health = message.report.health
            self.api_status = ApiStatus(True, f"reachable · shop-api {health.version} on {health.database}")
        else:
            self.api_status = ApiStatus(False, f"unreachable: {message.problem}")
        self._update_online()
        # Said on a check made during an offline session, never on one from before it (that answer is stale).
        if message.report and self.signed_in is not None and self.signed_in.offline and not self._told_network_back:
            self._told_network_back = True
            self.notify(
                "The network is back. Quit and start the console again to sign in online and send what waits "
                "(it stays on this terminal).",
                timeout=10,
            )
        # Re-armed after each answer, never on a fixed interval, so a slow API never stacks up checks.
        if self._health_timer is not None:
            self._health_timer.stop()  # an answer to a check asked for early
        self._health_timer = self.set_timer(HEALTH_POLL_SECONDS, self._check_health)

    def _update_online(self) -> None:
        reachable = bool(self.api_status.reachable)
        linked = reachable if self._sync_online is None else self._sync_online
        self.online = self.signed_in is not None and not self.signed_in.offline and linked

    # --- navigation, help, palette --------------------------------------------------------------------------

    def open_destination(self, destination_id: str) -> None:
        if self.signed_in is None or not navigation.allowed(destination_id, self.identity.role):
            self.notify("That is not open to your role.", severity="error")
            return
        module, _, name = navigation.get(destination_id).screen.partition(":")
        screen = getattr(importlib.import_module(module), name)()
        self.action_home()
        self.push_screen(screen)

    def action_home(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def key_display(self, binding_id: str, default: str) -> str:
        """A binding's key as the person sees it, after the keymap."""
        key = self._keys.get(binding_id, default).split(",")[0]
        return self.get_key_display(Binding(key, ""))

    def action_help(self) -> None:
        # The console's own keys (they all have ids) and the palette's; not every widget's cursor keys.
        rows = [
            (
                self.get_key_display(active.binding),
                active.binding.description if active.binding.id else "Command palette",
                active.binding.id or "",
            )
            for active in self.screen.active_bindings.values()
            if active.binding.id or active.binding.action == "command_palette"
        ]
        self.push_screen(HelpScreen(self.screen.title or self.title, rows))

    def palette_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette's commands on `screen`: the screen's own, then where this role may go, then the rest."""
        commands = getattr(screen, "commands", None)
        if commands is not None:
            yield from commands()
        if self.signed_in is not None:
            for destination in navigation.for_role(self.identity.role):
                key = self.key_display(f"open.{destination.id}", destination.key)
                help_text = f"{destination.description} ({key})"
                yield SystemCommand(
                    f"Open {destination.title}", help_text, partial(self.open_destination, destination.id)
                )
            yield SystemCommand("Home", "Back to the home screen", self.action_home)
            yield SystemCommand("Sign out", "End this session on this terminal", self.action_sign_out)
            yield SystemCommand(
                "Sign out everywhere", "End this user's sessions on every device", partial(self.action_sign_out, True)
            )
        for name, (label, _theme) in themes.THEMES.items():
            yield SystemCommand(f"Theme: {label}", "Change the colours", partial(setattr, self, "theme", name))
        yield SystemCommand("Keys", "Show the keys of this screen", self.action_help)
        yield SystemCommand("Quit", "Close the console", self.action_quit)

    # --- unexpected errors ----------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.report_worker_error(event.worker)

    def report_worker_error(self, worker: Worker[object]) -> None:
        """One readable dialog for a failure nobody planned for; the traceback goes to the log, never the screen."""
        error = worker.error
        log.error(
            "worker failed",
            exc_info=(type(error), error, error.__traceback__) if error else None,
            extra={"fields": {"worker": worker.name, "group": worker.group}},
        )
        what = (worker.description or "A background task").rstrip(".")
        self.push_screen(
            ErrorDialog(
                "Something went wrong",
                f"{what} did not finish because of an unexpected problem. Try again; if it happens again, "
                f"tell support. The details are in the log: {paths.log_file()}",
            )
        )


def create_app(
    profile: Profile,
    demo_users: Sequence[DemoUser] = (),
    *,
    keys: Mapping[str, str] | None = None,
    clock: Callable[[], dt.datetime] = local_now,
    session_factory: Callable[[Profile, ApiClient], tuple[SessionService, str | None]] = SessionService.for_profile,
    write_mode: bool = False,
    backend_switch: BackendSwitch | None = None,
) -> ShopConsoleApp:
    """The console for a profile. `keys` defaults to the config file's [keymap] (a ConfigError if it is wrong);
    `write_mode` is `--write`; `backend_switch` is the demo's (`shop-console demo`)."""
    api = ApiClient(profile.api_url)
    return ShopConsoleApp(
        profile,
        api,
        partial(session_factory, profile, api),
        demo_users,
        keymap.load() if keys is None else keys,
        clock,
        write_mode,
        backend_switch,
    )
