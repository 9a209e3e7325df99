"""What the headless sub-command tests share: the demo users they sign in as, and a saved profile of the suite's
stack for `run_cli`."""

from __future__ import annotations

from console import config
from console.demo import StackInfo, profile_for_stack

ADMIN = ("ops-admin", "Ops-Console-606!")
CASHIER = ("corner-cashier", "Apples-Till-101!")


def saved_profile(stack: StackInfo, name: str) -> str:
    """The stack's demo profile saved as `name` (what `--profile` takes)."""
    config.save_profile(profile_for_stack(stack, name))
    return name
