"""Taking payment for a cart: tenders (cash, card, other; several at once), change due, and the commit.

The sale completes only when the tenders cover the total, with common.money's rules (only cash is given back as
change). The commit is Store.writes.record_sale: the order, its stock movements and its outbox op in one local
transaction, so it works the same offline. Whatever goes wrong (a full or read-only disk, a refused line), nothing
is stored, the cart is untouched, and the message says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from common import money
from console.counter.cart import Cart
from console.counter.entry import Rejected, parse_money
from offline_cache.db import StorageError
from offline_cache.models import LocalOrder, Tender
from offline_cache.store import Store
from offline_cache.writes import MAX_AMOUNT, TENDER_METHODS, InvalidWrite

NO_SHIFT = "No till shift is open on this terminal: open one (F7, Till shift) before taking cash."

TENDER_LABELS = {"cash": "Cash", "card": "Card", "other": "Other"}


class CheckoutFailed(Exception):
    """The sale could not be stored; the cart is kept. The message says why and what to do."""


@dataclass(frozen=True, slots=True)
class PaymentState:
    total: int
    paid: int
    remaining: int  # still to pay (0 when covered)
    change: int  # cash to hand back (0 until covered)

    @property
    def covered(self) -> bool:
        return self.paid >= self.total


def cash_allowed(store: Store) -> str | None:
    """None when this terminal has a till shift open, else why cash may not be taken: the drawer's count at the
    close must account for every cash sale."""
    shift = store.shifts.current()
    return None if shift is not None and shift.terminal_id == store.terminal_id else NO_SHIFT


class Payment:
    """The tenders taken for one cart's total."""

    def __init__(self, cart: Cart) -> None:
        if not cart.lines:
            raise Rejected("The cart is empty: scan or search for an item first.")
        self.cart = cart
        self.total = cart.totals.total
        self.tenders: list[Tender] = []

    @property
    def state(self) -> PaymentState:
        paid = sum(tender.amount for tender in self.tenders)
        change = money.change_due(self.total, self._pairs()) if paid >= self.total else 0
        return PaymentState(self.total, paid, max(self.total - paid, 0), change)

    def add(self, method: str, typed: str) -> Tender:
        """Take a tender typed in the shop's currency; an empty amount means what is still to pay."""
        if method not in TENDER_METHODS:
            raise Rejected(f"Unknown tender {method!r}: use {', '.join(TENDER_METHODS)}.")
        remaining = self.state.remaining
        if remaining == 0:
            raise Rejected("Nothing is left to pay: press Enter to complete the sale.")
        amount = remaining if not typed.strip() else parse_money(typed, self.cart.decimals)
        if amount <= 0:
            raise Rejected("A tender must be more than 0.")
        if amount > MAX_AMOUNT:
            raise Rejected(f"{money.format_amount(amount, self.cart.decimals)} is more than a till takes.")
        # Only cash is given back as change, so card and other are charged at most what is left to pay.
        if method != "cash" and amount > remaining:
            due = money.format_amount(remaining, self.cart.decimals)
            raise Rejected(f"{TENDER_LABELS[method]} can be at most what is left to pay ({due}).")
        tender = Tender(method, amount)  # type: ignore[arg-type]  # checked against TENDER_METHODS above
        self.tenders.append(tender)
        return tender

    def remove(self, index: int) -> Tender:
        if not 0 <= index < len(self.tenders):
            raise Rejected("Choose a tender first.")
        return self.tenders.pop(index)

    def complete(self, store: Store, cashier: str) -> LocalOrder:
        """Commit the sale locally (call from a worker). Raises Rejected while the tenders fall short or cash is
        taken with no till shift open, and CheckoutFailed when the store cannot take it; nothing is stored then."""
        state = self.state
        if not state.covered:
            short = money.format_amount(state.remaining, self.cart.decimals)
            raise Rejected(f"{short} is still to pay: add a tender.")
        if any(tender.method == "cash" for tender in self.tenders) and (refusal := cash_allowed(store)):
            raise Rejected(refusal)
        try:
            return store.writes.record_sale(self.cart.sale_lines(), list(self.tenders), cashier=cashier)
        except InvalidWrite as exc:
            raise CheckoutFailed(f"The sale was refused: {exc} The cart is kept.") from exc
        except StorageError as exc:
            raise CheckoutFailed(
                f"The sale was not stored. {exc} The cart is kept: press Enter to try again, or Esc to go back to it."
            ) from exc

    def _pairs(self) -> list[tuple[str, int]]:
        return [(tender.method, tender.amount) for tender in self.tenders]
