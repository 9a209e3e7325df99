"""What each screen of the shell looks like, at the smallest supported terminal (80x24) and a roomy one (120x40).

Deterministic by construction: the stack's fixed demo users and authenticator key, a frozen status-bar clock, still
cursors, no ports or paths on these screens. Look at a changed SVG (rsvg-convert) before accepting it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from console.app import create_app
from console.config import Profile
from console.demo import DemoUser, StackInfo
from screens import themes
from tests.console.conftest import (
    frozen_clock,
    offline_profile,
    past_float_prompt,
    settle,
    sign_in,
    stack_profile,
    until,
    user,
)

SnapCompare = Callable[..., bool]
RunBefore = Callable[[Pilot], Awaitable[None]]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
ROLE_USERS = {
    "cashier": "corner-cashier",
    "manager": "corner-manager",
    "support": "corner-support",
    "admin": "ops-admin",
}


def signed_in_as(username: str, password: str, *keys: str) -> RunBefore:
    async def run_before(pilot: Pilot) -> None:
        await sign_in(pilot, username, password)
        await past_float_prompt(pilot)  # the shift screen's tests picture it
        if keys:
            await pilot.press(*keys)
            lists = pilot.app.screen.query(OptionList)  # the palette fills its list asynchronously
            await until(pilot, lambda: not lists or lists.first().option_count > 0)
        await settle(pilot)

    return run_before


def shot(
    snap_compare: SnapCompare,
    profile: Profile,
    size: tuple[int, int],
    run_before: RunBefore,
    users: Sequence[DemoUser] = (),
) -> bool:
    app = create_app(profile, users, keys={}, clock=frozen_clock)
    return snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_login_with_demo_users(snap_compare: SnapCompare, stack: StackInfo, size: tuple[int, int]) -> None:
    assert shot(snap_compare, stack_profile(stack), size, settle, stack.users)


@pytest.mark.parametrize("size", SIZES)
def test_login_without_network_offers_offline_unlock(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert shot(snap_compare, offline_profile("production"), size, signed_in_as("corner-cashier", "Apples-Till-101!"))


@pytest.mark.parametrize("size", SIZES)
def test_new_password_challenge(
    snap_compare: SnapCompare, stack: StackInfo, new_starter: tuple[str, str], size: tuple[int, int]
) -> None:
    assert shot(snap_compare, stack_profile(stack), size, signed_in_as(*new_starter))


@pytest.mark.parametrize("size", SIZES)
def test_authenticator_code_challenge(snap_compare: SnapCompare, stack: StackInfo, size: tuple[int, int]) -> None:
    mfa = user(stack, "harbor-mfa-manager")
    assert shot(snap_compare, stack_profile(stack), size, signed_in_as(mfa.username, mfa.password))


@pytest.mark.parametrize("size", SIZES)
def test_authenticator_setup_challenge(
    snap_compare: SnapCompare, mfa_required_pool: tuple[Profile, str, str], size: tuple[int, int]
) -> None:
    profile, username, password = mfa_required_pool
    assert shot(snap_compare, profile, size, signed_in_as(username, password))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_home_of_each_role(snap_compare: SnapCompare, stack: StackInfo, role: str, size: tuple[int, int]) -> None:
    demo = user(stack, ROLE_USERS[role])
    assert shot(snap_compare, stack_profile(stack), size, signed_in_as(demo.username, demo.password))


@pytest.mark.parametrize("size", SIZES)
def test_help_on_home(snap_compare: SnapCompare, stack: StackInfo, size: tuple[int, int]) -> None:
    demo = user(stack, "corner-manager")
    assert shot(snap_compare, stack_profile(stack), size, signed_in_as(demo.username, demo.password, "question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_palette_on_home(snap_compare: SnapCompare, stack: StackInfo, size: tuple[int, int]) -> None:
    demo = user(stack, "corner-cashier")
    assert shot(snap_compare, stack_profile(stack), size, signed_in_as(demo.username, demo.password, "ctrl+p"))


@pytest.mark.parametrize("theme", [themes.HIGH_CONTRAST, themes.SIXTEEN_COLOURS])
def test_home_in_the_other_themes(snap_compare: SnapCompare, stack: StackInfo, theme: str) -> None:
    demo = user(stack, "corner-cashier")
    sign_in_then = signed_in_as(demo.username, demo.password)

    async def run_before(pilot: Pilot) -> None:
        await sign_in_then(pilot)
        pilot.app.theme = theme
        await settle(pilot)

    assert shot(snap_compare, stack_profile(stack, environment="production"), (80, 24), run_before)
