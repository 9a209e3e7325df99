"""The Textual app: a small App subclass and a factory that tests reuse."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from console.api import ApiClient
from console.config import Profile
from console.demo import DemoUser

STYLES = Path(__file__).resolve().parent.parent / "assets" / "styles" / "app.tcss"


class ShopConsoleApp(App[None]):
    CSS_PATH = STYLES
    TITLE = "Shop Console"
    BINDINGS = [Binding("q", "quit", "Quit", id="app.quit")]

    def __init__(self, profile: Profile, api: ApiClient, demo_users: Sequence[DemoUser] = ()) -> None:
        super().__init__()
        self.profile = profile
        self.api = api
        self.demo_users = list(demo_users)
        self.sub_title = f"{profile.name} · {profile.environment}"

    def on_mount(self) -> None:
        from screens.connection import ConnectionScreen

        self.push_screen(ConnectionScreen())

    def on_unmount(self) -> None:
        self.api.close()


def create_app(profile: Profile, demo_users: Sequence[DemoUser] = ()) -> ShopConsoleApp:
    return ShopConsoleApp(profile, ApiClient(profile.api_url), demo_users)
