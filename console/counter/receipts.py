"""Receipts: the text of a committed sale, kept as a file in the profile's data dir and, when the profile names a
print command (e.g. `receipt_print_command = "lp -d receipt"`), sent to that command's stdin.

The command is split like a shell would (shlex) but no shell runs it, so nothing in a receipt can become a command.
"""

from __future__ import annotations

import datetime as dt
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from common import money
from common.display import printable
from console import paths
from console.config import Profile
from console.counter.checkout import TENDER_LABELS
from console.files import write_private
from offline_cache.models import LocalOrder

WIDTH = 42  # a 80 mm receipt printer's line
PRINT_TIMEOUT_SECONDS = 30
OFFLINE_LINE = "OFFLINE — will sync when back online"


class PrintFailed(Exception):
    """The print command did not take the receipt; the message says why (the receipt file is kept)."""


@dataclass(frozen=True, slots=True)
class Shop:
    name: str
    currency: str
    terminal_id: str

    @property
    def decimals(self) -> int:
        return money.minor_units(self.currency)


def _row(left: str, right: str = "") -> str:
    room = WIDTH - len(right) - 1
    if len(left) > room:
        left = left[: room - 1] + "…"
    return f"{left:<{room}} {right}" if right else left[:WIDTH]


def render(order: LocalOrder, shop: Shop, *, offline: bool) -> str:
    """The receipt as text, WIDTH columns wide."""

    def amount(minor: int) -> str:
        return money.format_amount(minor, shop.decimals)

    when = dt.datetime.fromisoformat(order.created_at).astimezone()
    rule = "-" * WIDTH
    rows = [
        shop.name.center(WIDTH).rstrip(),
        _row(f"Receipt {order.receipt_no}"),
        _row(f"{when:%Y-%m-%d %H:%M}", f"Terminal {order.terminal_id}"),
        _row(f"Cashier {order.cashier or '—'}"),
        rule,
    ]
    for line in order.lines:
        rows.append(_row(line.name))
        rows.append(_row(f"  {line.quantity} x {amount(line.unit_price)}", amount(line.quantity * line.unit_price)))
        if line.discount:
            rows.append(_row("  discount", amount(-line.discount)))
    rows += [
        rule,
        _row("Subtotal", amount(order.subtotal)),
        _row("Tax", amount(order.tax)),
        _row(f"TOTAL {shop.currency}", amount(order.total)),
    ]
    rows += [_row(TENDER_LABELS.get(tender.method, tender.method), amount(tender.amount)) for tender in order.tenders]
    rows.append(_row("Change", amount(order.change)))
    rows.append(rule)
    if offline:
        rows.append(OFFLINE_LINE.center(WIDTH).rstrip())
    rows.append("Thank you".center(WIDTH).rstrip())
    # Names, receipt numbers and cashiers come from the cache: inert on the screen and on an ESC/POS printer.
    return "\n".join(printable(row) for row in rows) + "\n"


def receipts_dir(profile: Profile) -> Path:
    return paths.profile_data_dir(profile.name) / "receipts"


def save(profile: Profile, order: LocalOrder, text: str) -> Path:
    """Keep the receipt as `<receipt number>.txt` (receipt numbers are unique per terminal and never reused)."""
    path = receipts_dir(profile) / f"{order.receipt_no}.txt"
    write_private(path, text)
    return path


def print_receipt(command: str, text: str) -> None:
    """Send the receipt to the configured print command's stdin; PrintFailed says why when it does not take it."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise PrintFailed(f"The print command {command!r} is not valid: {exc}.") from None
    if not argv:
        raise PrintFailed("The print command is empty.")
    try:
        done = subprocess.run(
            argv, input=text, text=True, capture_output=True, timeout=PRINT_TIMEOUT_SECONDS, check=False
        )
    except FileNotFoundError:
        raise PrintFailed(f"The print command {argv[0]!r} was not found.") from None
    except subprocess.TimeoutExpired:
        raise PrintFailed(f"The print command did not finish within {PRINT_TIMEOUT_SECONDS} s.") from None
    except OSError as exc:
        raise PrintFailed(f"The print command could not run: {exc.strerror or exc}.") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit status {done.returncode}"
        raise PrintFailed(f"The printer refused the receipt: {reason}")
