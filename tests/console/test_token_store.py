"""Where the refresh token goes: keyring only when a real backend answers, memory otherwise, file on opt-in."""

from __future__ import annotations

import stat
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from console.token_store import FileStore, KeyringStore, MemoryStore, StoredSession, choose_store

SESSION = StoredSession("corner-cashier", "refresh-abc123")


class DictKeyring(KeyringBackend):
    """A real, working keyring backend kept in memory (keyring's own plugin API, not a fake of our code)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class SlowKeyring(DictKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        import time

        time.sleep(5)
        return None


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def use_backend():
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_no_real_keyring_means_memory_only_and_nothing_written(use_backend, backend, tmp_path: Path) -> None:
    use_backend(backend)
    store, warning = choose_store("demo", "auto", tmp_path / "data")
    assert isinstance(store, MemoryStore) and warning is None
    store.save(SESSION)
    assert store.load() == SESSION
    assert files_under(tmp_path) == []


def test_working_keyring_holds_the_session(use_backend, tmp_path: Path) -> None:
    backend = DictKeyring()
    use_backend(backend)
    store, warning = choose_store("demo", "auto", tmp_path)
    assert isinstance(store, KeyringStore) and warning is None
    store.save(SESSION)
    assert store.load() == SESSION
    assert files_under(tmp_path) == []
    store.clear()
    assert store.load() is None and backend.items == {}
    store.clear()  # clearing twice is fine


def test_keyring_that_does_not_answer_in_time_is_not_used(use_backend, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("console.token_store.PROBE_SECONDS", 0.2)
    use_backend(SlowKeyring())
    store, _ = choose_store("demo", "auto", tmp_path)
    assert isinstance(store, MemoryStore)


def test_python_keyring_backend_variable_is_honoured(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    keyring.core.init_backend()
    try:
        store, _ = choose_store("demo", "auto", tmp_path)
        assert isinstance(store, MemoryStore)
    finally:
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
        keyring.core.init_backend()


def test_opt_in_file_is_private_and_warned(tmp_path: Path) -> None:
    store, warning = choose_store("demo", "file", tmp_path)
    assert isinstance(store, FileStore)
    assert warning and str(store.path) in warning
    store.save(SESSION)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert FileStore(store.path).load() == SESSION
    store.clear()
    assert not store.path.exists()


def test_unreadable_file_counts_as_signed_out(tmp_path: Path) -> None:
    path = tmp_path / "session.json"
    path.write_text("{not json")
    assert FileStore(path).load() is None
