"""Who is signed in on this console, and keeping that true: sign-in, refresh, offline unlock, sign-out.

No Textual: the app drives it from workers, the headless commands call it directly.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from console.api import ApiClient, ApiProblem, ApiUnavailable
from console.auth import AuthError, Challenge, CognitoAuth, Tokens
from console.config import Profile
from console.offline_unlock import Identity, OfflineUnlock
from console.token_store import StoredSession, TokenStore

log = logging.getLogger(__name__)
REFRESH_BEFORE = dt.timedelta(minutes=2)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SignInError(Exception):
    """Sign-in failed; the message is for the person, `offline_possible` says whether to offer offline unlock."""

    def __init__(self, message: str, offline_possible: bool = False) -> None:
        super().__init__(message)
        self.offline_possible = offline_possible


@dataclass(frozen=True)
class SignedIn:
    identity: Identity
    tokens: Tokens | None  # None after an offline unlock: reads from the cache, writes to the outbox
    signed_in_at: dt.datetime

    @property
    def offline(self) -> bool:
        return self.tokens is None


class SessionService:
    def __init__(
        self,
        profile: Profile,
        auth: CognitoAuth,
        api: ApiClient,
        store: TokenStore,
        unlock: OfflineUnlock,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.profile = profile
        self.auth = auth
        self.api = api
        self.store = store
        self.unlock = unlock
        self.clock = clock
        self.current: SignedIn | None = None
        # Held only between a password and its last challenge, to leave the offline verifier; never stored.
        self._password: str | None = None

    @classmethod
    def for_profile(cls, profile: Profile, api: ApiClient) -> tuple[SessionService, str | None]:
        """The session service a profile calls for, and the token-store warning to show (if any).

        Probes the keyring (up to 2 s): call it off the UI thread.
        """
        from console import paths
        from console.token_store import choose_store

        data_dir = paths.profile_data_dir(profile.name)
        store, warning = choose_store(profile.name, profile.token_store, data_dir)
        auth = CognitoAuth(profile.region, profile.user_pool_id, profile.client_id, profile.aws_endpoint_url)
        return cls(profile, auth, api, store, OfflineUnlock(data_dir, profile.offline_max_hours)), warning

    # --- online sign-in ---------------------------------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> Challenge | SignedIn:
        username = username.strip()
        if not username or not password:
            raise SignInError("Enter your username and password.")
        self._password = password
        return self._step(lambda: self.auth.sign_in(username, password))

    def answer(self, challenge: Challenge, value: str) -> Challenge | SignedIn:
        if challenge.kind == "new_password":
            self._password = value
            return self._step(lambda: self.auth.answer_new_password(challenge, value))
        if challenge.kind == "totp":
            return self._step(lambda: self.auth.answer_totp(challenge, value))
        return self._step(lambda: self.auth.answer_mfa_setup(challenge, value))

    def _step(self, call: Callable[[], Tokens | Challenge]) -> Challenge | SignedIn:
        try:
            outcome = call()
        except AuthError as exc:
            log.info("sign-in refused", extra={"fields": {"reason": exc.kind, "detail": exc.detail}})
            raise SignInError(str(exc), offline_possible=exc.kind == "network") from exc
        if isinstance(outcome, Challenge):
            return outcome
        return self._complete(outcome)

    def _complete(self, tokens: Tokens) -> SignedIn:
        identity = self._identity(tokens)
        now = self.clock()
        self.current = SignedIn(identity, tokens, now)
        if self._password is not None:
            self.unlock.remember(identity, self._password, now)
            self._password = None
        if tokens.refresh_token:
            self.store.save(StoredSession(identity.username, tokens.refresh_token))
        log.info("signed in", extra={"fields": {"user": identity.username, "role": identity.role}})
        return self.current

    def _identity(self, tokens: Tokens) -> Identity:
        """The server's word on shop and role (its staff table), not the token's."""
        self.api.access_token = tokens.access_token
        try:
            me = self.api.me()
        except ApiUnavailable as exc:
            self.api.access_token = None
            raise SignInError("Signed in, but the shop server is not answering. Try again.", True) from exc
        except ApiProblem as exc:
            self.api.access_token = None
            if exc.status == 403:
                raise SignInError("This account is not set up for any shop. Ask your manager.") from exc
            raise SignInError(f"The shop server refused the sign-in: {exc}") from exc
        return Identity(
            me.user.username, me.user.sub, me.shop.id, me.shop.name, me.shop.currency, me.role, tokens.groups
        )

    def resume(self) -> SignedIn | None:
        """Sign in again from a stored refresh token (a restart, or a headless command); None when there is none."""
        stored = self.store.load()
        if stored is None:
            return None
        try:
            tokens = self.auth.refresh(stored.refresh_token)
        except AuthError as exc:
            if exc.kind not in ("network", "server"):
                self.store.clear()  # revoked or expired: sign in with a password next time
            return None
        return self._complete(tokens)

    # --- offline --------------------------------------------------------------------------------------------

    def unlock_offline(self, username: str, password: str) -> SignedIn:
        from console.offline_unlock import OfflineUnlockError

        try:
            identity = self.unlock.unlock(username.strip(), password, self.clock())
        except OfflineUnlockError as exc:
            raise SignInError(str(exc)) from exc
        self.current = SignedIn(identity, None, self.clock())
        log.info("offline unlock", extra={"fields": {"user": identity.username}})
        return self.current

    # --- keeping the session ----------------------------------------------------------------------------------

    def seconds_until_refresh(self) -> float | None:
        """When the background worker should refresh (about 2 minutes before expiry); None when offline."""
        if self.current is None or self.current.tokens is None:
            return None
        due = self.current.tokens.expires_at - REFRESH_BEFORE
        return max(0.0, (due - self.clock()).total_seconds())

    def refresh(self) -> bool:
        """Refresh the tokens. False when it could not (offline is not a sign-out: the session stays)."""
        current = self.current
        if current is None or current.tokens is None or not current.tokens.refresh_token:
            return False
        try:
            tokens = self.auth.refresh(current.tokens.refresh_token)
        except AuthError as exc:
            log.warning("refresh failed", extra={"fields": {"reason": exc.kind}})
            return False
        self.current = SignedIn(current.identity, tokens, current.signed_in_at)
        self.api.access_token = tokens.access_token
        return True

    def sign_out(self, everywhere: bool = False) -> None:
        """Revoke the refresh token and clear local secrets. A failed revoke still signs out locally."""
        current, self.current = self.current, None
        self.api.access_token = None
        self.store.clear()
        if current is None or current.tokens is None:
            return
        try:
            self.auth.sign_out(current.tokens, everywhere=everywhere)
        except AuthError as exc:
            log.warning("revoke failed; signed out locally", extra={"fields": {"reason": exc.kind}})
        log.info("signed out", extra={"fields": {"user": current.identity.username, "everywhere": everywhere}})
