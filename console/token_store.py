"""Where the refresh token lives between runs. Access and ID tokens never leave memory.

- The OS keyring, when a real backend answers a probe within 2 s (not the fail, null or chainer backends).
  `PYTHON_KEYRING_BACKEND` picks the backend, as keyring itself honours it.
- Otherwise memory only, unless the profile opts in (`token_store = "file"`): a 0600 file, written atomically,
  with a warning on every start.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from console.files import write_private

KEYRING_SERVICE = "shop-console"
PROBE_SECONDS = 2.0
FILE_WARNING = (
    'The sign-in is kept in a file on this device (token_store = "file"). '
    "Anyone who can read {path} can use it until it expires."
)


@dataclass(frozen=True)
class StoredSession:
    username: str
    refresh_token: str


class TokenStore(Protocol):
    kind: str

    def load(self) -> StoredSession | None: ...
    def save(self, session: StoredSession) -> None: ...
    def clear(self) -> None: ...


class MemoryStore:
    kind = "memory"

    def __init__(self) -> None:
        self._session: StoredSession | None = None

    def load(self) -> StoredSession | None:
        return self._session

    def save(self, session: StoredSession) -> None:
        self._session = session

    def clear(self) -> None:
        self._session = None


def _encode(session: StoredSession) -> str:
    return json.dumps({"username": session.username, "refresh_token": session.refresh_token})


def _decode(raw: str | None) -> StoredSession | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return StoredSession(str(data["username"]), str(data["refresh_token"]))
    except (ValueError, KeyError, TypeError):
        return None  # unreadable: treated as signed out, never as a crash


class KeyringStore:
    kind = "keyring"

    def __init__(self, backend: object, profile: str) -> None:
        self._backend = backend
        self._key = f"profile:{profile}"

    def load(self) -> StoredSession | None:
        return _decode(self._backend.get_password(KEYRING_SERVICE, self._key))  # type: ignore[attr-defined]

    def save(self, session: StoredSession) -> None:
        self._backend.set_password(KEYRING_SERVICE, self._key, _encode(session))  # type: ignore[attr-defined]

    def clear(self) -> None:
        import keyring.errors

        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self._backend.delete_password(KEYRING_SERVICE, self._key)  # type: ignore[attr-defined]


class FileStore:
    kind = "file"

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> StoredSession | None:
        try:
            return _decode(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def save(self, session: StoredSession) -> None:
        write_private(self.path, _encode(session))

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def usable_keyring(timeout: float = PROBE_SECONDS) -> object | None:
    """The keyring backend if it is a real one that answers in time, else None. Call it off the UI thread."""
    import keyring
    from keyring.backends import chainer, fail, null

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring | chainer.ChainerBackend):
        return None
    answered = threading.Event()

    def probe() -> None:
        with contextlib.suppress(Exception):
            backend.get_password(KEYRING_SERVICE, "probe")
            answered.set()

    threading.Thread(target=probe, daemon=True, name="keyring-probe").start()
    return backend if answered.wait(timeout) else None


def choose_store(profile: str, token_store: str, data_dir: Path) -> tuple[TokenStore, str | None]:
    """The store for this profile, and a warning to show when the choice puts the token at risk."""
    if token_store == "file":
        path = data_dir / "session.json"
        return FileStore(path), FILE_WARNING.format(path=path)
    backend = usable_keyring()
    if backend is not None:
        return KeyringStore(backend, profile), None
    return MemoryStore(), None
