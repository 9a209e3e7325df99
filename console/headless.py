"""Sign-in for headless sub-commands: never a prompt that hangs a script.

A stored session (refresh token) is used when there is one; otherwise the user comes from `--username` or
SHOP_CONSOLE_USERNAME and the password from `--password-stdin` or SHOP_CONSOLE_PASSWORD. Any failure is one line
and exit code 3.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

from console.api import ApiClient
from console.config import Profile
from console.session import SessionService, SignedIn, SignInError

EXIT_AUTH = 3


class HeadlessAuthError(Exception):
    """One line for stderr; the command exits with EXIT_AUTH."""


def sign_in(
    profile: Profile,
    username: str | None,
    password_stdin: bool,
    stdin: TextIO,
    environ: Mapping[str, str] | None = None,
) -> tuple[SessionService, SignedIn]:
    environ = os.environ if environ is None else environ
    api = ApiClient(profile.api_url)
    session, _warning = SessionService.for_profile(profile, api)
    username = username or environ.get("SHOP_CONSOLE_USERNAME")
    if not username:
        resumed = session.resume()
        if resumed is None:
            raise HeadlessAuthError(
                "not signed in: give --username (or SHOP_CONSOLE_USERNAME) with --password-stdin "
                "(or SHOP_CONSOLE_PASSWORD), or sign in once in the console"
            )
        return session, resumed
    password = stdin.readline().rstrip("\r\n") if password_stdin else environ.get("SHOP_CONSOLE_PASSWORD", "")
    if not password:
        raise HeadlessAuthError("no password: pipe it to --password-stdin or set SHOP_CONSOLE_PASSWORD")
    try:
        outcome = session.sign_in(username, password)
    except SignInError as exc:
        raise HeadlessAuthError(str(exc)) from exc
    if not isinstance(outcome, SignedIn):
        raise HeadlessAuthError(f"{username} must first complete sign-in ({outcome.kind}) in the console")
    return session, outcome
