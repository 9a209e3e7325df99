"""What people type at the counter, checked: quantities, discounts, pasted text. Every refusal is a `Rejected`
whose message says why, to show where it was typed. Money itself parses with common.money.parse_amount."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from common import money
from offline_cache.writes import MAX_QUANTITY

PERCENT_DECIMALS = 2  # "12.5%" is fine, "12.345%" is a typing slip


class Rejected(ValueError):
    """An input the counter refuses; the message says why, for the person who typed it."""


def clean_text(text: str) -> str:
    """Pasted or scanned text without control or format characters (a pasted tab, a scanner's stray CR), with runs
    of spaces made one."""
    kept = "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace() or unicodedata.category(char) not in ("Cc", "Cf")
    )
    return " ".join(kept.split())


def parse_quantity(text: str) -> int:
    typed = clean_text(text).replace(",", "")
    if not typed.isdecimal() or not typed.isascii():
        raise Rejected(f"A quantity is a whole number from 1 to {MAX_QUANTITY:,}, not {text.strip()!r}.")
    quantity = int(typed)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise Rejected(f"A quantity is from 1 to {MAX_QUANTITY:,}, not {quantity:,}.")
    return quantity


def parse_money(text: str, decimals: int) -> int:
    """An amount of the shop's currency in minor units (no more decimal places than it has)."""
    try:
        return money.parse_amount(clean_text(text), decimals)
    except ValueError as exc:
        raise Rejected(str(exc)) from None


@dataclass(frozen=True, slots=True)
class Discount:
    """A discount as typed: a percent (in basis points, 10% = 1000) or an amount in minor units."""

    percent_bp: int = 0
    amount: int = 0

    @property
    def is_percent(self) -> bool:
        return self.percent_bp > 0

    def of(self, base: int) -> int:
        """What it takes off `base` (minor units)."""
        if self.is_percent:
            return money.div_round_half_even(base * self.percent_bp, money.BASIS_POINTS)
        return self.amount

    def label(self, decimals: int) -> str:
        if self.is_percent:
            return f"{money.format_amount(self.percent_bp, PERCENT_DECIMALS).rstrip('0').rstrip('.')}%"
        return money.format_amount(self.amount, decimals)

    def to_dict(self) -> dict[str, int]:
        return {"percent_bp": self.percent_bp, "amount": self.amount}


def parse_discount(text: str, decimals: int) -> Discount | None:
    """ "10%" or "12.5%" (a percent), "1.50" (an amount); empty or zero means no discount (None)."""
    typed = clean_text(text).replace(" ", "")
    if not typed:
        return None
    if typed.endswith("%"):
        try:
            percent_bp = money.parse_amount(typed[:-1], PERCENT_DECIMALS)
        except ValueError:
            raise Rejected(f"{typed!r} is not a percent: type it like 10% or 12.5%.") from None
        if percent_bp > 100 * 100:
            raise Rejected("A discount cannot be more than 100%.")
        return Discount(percent_bp=percent_bp) if percent_bp else None
    amount = parse_money(typed, decimals)
    return Discount(amount=amount) if amount else None
