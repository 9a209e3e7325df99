"""Offline unlock: sign in again with no network, for a while, as someone who signed in online before.

After each online sign-in the console keeps a scrypt verifier of the password and the identity the server
confirmed (user, shop, role, groups), in a 0600 file in the profile's data dir. With no network that same user may
unlock with the same password for up to `offline_max_hours` since that online sign-in. The password itself is
never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from console.files import write_private

# scrypt cost: about 50 ms on a small till, far too slow to guess a password list quickly.
_N, _R, _P, _LEN = 2**14, 8, 1, 32


class OfflineUnlockError(Exception):
    """Why offline unlock was refused, in words for the person at the counter."""


@dataclass(frozen=True)
class Identity:
    username: str
    sub: str
    shop_id: str
    shop_name: str
    currency: str
    role: str
    groups: tuple[str, ...]


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN, maxmem=64 * 1024 * 1024)


class OfflineUnlock:
    def __init__(self, data_dir: Path, max_hours: int) -> None:
        self.path = data_dir / "offline-unlock.json"
        self.max_age = dt.timedelta(hours=max_hours)

    def _read(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def remember(self, identity: Identity, password: str, now: dt.datetime) -> None:
        """Record a verifier after an online sign-in (one entry per user on this terminal)."""
        salt = secrets.token_bytes(16)
        entries = self._read()
        entries[identity.username] = {
            "identity": {**asdict(identity), "groups": list(identity.groups)},
            "salt": salt.hex(),
            "verifier": _hash(password, salt).hex(),
            "signed_in_at": now.isoformat(),
        }
        self._write(entries)

    def unlock(self, username: str, password: str, now: dt.datetime) -> Identity:
        entry = self._read().get(username)
        if entry is None:
            raise OfflineUnlockError(
                "Offline sign-in is only for someone who signed in online on this terminal recently."
            )
        signed_in_at = dt.datetime.fromisoformat(entry["signed_in_at"])
        # Wrong password first, so the message never tells a guesser whether the window is still open.
        if not hmac.compare_digest(_hash(password, bytes.fromhex(entry["salt"])), bytes.fromhex(entry["verifier"])):
            raise OfflineUnlockError("Wrong username or password.")
        if now - signed_in_at > self.max_age:
            hours = int(self.max_age.total_seconds() // 3600)
            raise OfflineUnlockError(
                f"The last online sign-in was over {hours} hours ago. Connect to the network to sign in."
            )
        identity = entry["identity"]
        return Identity(**{**identity, "groups": tuple(identity["groups"])})

    def forget(self, username: str | None = None) -> None:
        """Drop one user's verifier, or every one (profile reset)."""
        entries = {} if username is None else {k: v for k, v in self._read().items() if k != username}
        if entries:
            self._write(entries)
        else:
            self.path.unlink(missing_ok=True)

    def _write(self, entries: dict[str, dict]) -> None:
        write_private(self.path, json.dumps(entries))
