"""Who may run an action: DESIGN.md's "read-only by default" in one place, for every action of the admin screens."""

from __future__ import annotations

ACTION_ROLE = "admin"


def refusal(role: str | None, write_mode: bool, offline: bool) -> str | None:
    """Why an action may not run, or None when it may: only an admin, in a console started with --write, and
    signed in online (an offline unlock has no tokens to vouch for the user)."""
    if role != ACTION_ROLE:
        return f"actions need the {ACTION_ROLE} role (yours: {role or 'none'})"
    if not write_mode:
        return "the console is read-only: start it with --write to run actions"
    if offline:
        return "signed in offline: actions need an online sign-in"
    return None
