"""Offline unlock: the same user, the right password, within the window; nothing else."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from console.offline_unlock import Identity, OfflineUnlock, OfflineUnlockError

T0 = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)
ANA = Identity("corner-cashier", "sub-1", "shop-1", "Corner Grocer", "USD", "cashier", ("cashier",))
PASSWORD = "Counter-Demo-1!"


@pytest.fixture
def unlock(tmp_path: Path) -> OfflineUnlock:
    keeper = OfflineUnlock(tmp_path, max_hours=72)
    keeper.remember(ANA, PASSWORD, T0)
    return keeper


def test_unlocks_within_the_window(unlock: OfflineUnlock) -> None:
    assert unlock.unlock("corner-cashier", PASSWORD, T0 + dt.timedelta(hours=71, minutes=59)) == ANA


def test_refused_with_a_wrong_password(unlock: OfflineUnlock) -> None:
    with pytest.raises(OfflineUnlockError, match="Wrong username or password"):
        unlock.unlock("corner-cashier", "guess", T0)


def test_refused_after_the_window(unlock: OfflineUnlock) -> None:
    with pytest.raises(OfflineUnlockError, match="over 72 hours ago"):
        unlock.unlock("corner-cashier", PASSWORD, T0 + dt.timedelta(hours=72, seconds=1))


def test_refused_for_another_user(unlock: OfflineUnlock) -> None:
    with pytest.raises(OfflineUnlockError, match="only for someone who signed in online"):
        unlock.unlock("corner-manager", PASSWORD, T0)


def test_file_is_private_and_holds_no_password(unlock: OfflineUnlock) -> None:
    assert stat.S_IMODE(unlock.path.stat().st_mode) == 0o600
    assert PASSWORD not in unlock.path.read_text()


def test_forget_one_user_keeps_the_others(unlock: OfflineUnlock) -> None:
    other = Identity("corner-manager", "sub-2", "shop-1", "Corner Grocer", "USD", "manager", ("manager",))
    unlock.remember(other, "Other-Pass-1", T0)
    unlock.forget("corner-cashier")
    assert unlock.unlock("corner-manager", "Other-Pass-1", T0) == other
    with pytest.raises(OfflineUnlockError):
        unlock.unlock("corner-cashier", PASSWORD, T0)
    unlock.forget()
    assert not unlock.path.exists()
