"""Refunds for managers: some lines of an order, or all of what is left of it, with a reason; never more than was
sold, counting earlier refunds (synced or not). Recorded through the outbox with the stock going back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from console.counter.entry import clean_text, parse_quantity
from console.counter.fields import FormErrors
from offline_cache.models import LocalOrder, RefundLine, RefundRecord
from offline_cache.store import Store
from offline_cache.writes import TEXT_LIMITS, InvalidWrite


@dataclass(frozen=True, slots=True)
class RefundableLine:
    line_no: int
    product_id: str
    name: str
    sold: int
    refunded: int
    amount: int  # the line's amount before tax

    @property
    def left(self) -> int:
        return self.sold - self.refunded


def refundable(order: LocalOrder) -> list[RefundableLine]:
    return [RefundableLine(x.line_no, x.product_id, x.name, x.quantity, x.refunded, x.amount) for x in order.lines]


def whole_order(order: LocalOrder) -> dict[int, str]:
    """The form filled in for everything not refunded yet."""
    return {line.line_no: str(line.left) for line in refundable(order) if line.left}


def plan(order: LocalOrder, quantities: Mapping[int, str], reason: str) -> tuple[list[RefundLine], str]:
    """The refund's lines and reason from the typed form (line number → quantity text, blank for none), or
    FormErrors keyed by line number (as text) and "reason"."""
    errors: dict[str, str] = {}
    reason_text = clean_text(reason)
    if not reason_text:
        errors["reason"] = "A refund needs a reason."
    elif len(reason_text) > TEXT_LIMITS["reason"]:
        errors["reason"] = f"The reason is at most {TEXT_LIMITS['reason']} characters."
    lines: list[RefundLine] = []
    for line in refundable(order):
        typed = clean_text(quantities.get(line.line_no, ""))
        if not typed or typed == "0":
            continue
        if line.left == 0:
            errors[str(line.line_no)] = "This line is refunded in full already."
            continue
        try:
            amount = parse_quantity(typed)
        except ValueError as exc:
            errors[str(line.line_no)] = str(exc)
            continue
        if amount > line.left:
            errors[str(line.line_no)] = (
                f"Only {line.left} of {line.sold} can be refunded: {line.refunded} were refunded before."
            )
            continue
        lines.append(RefundLine(line.product_id, amount))
    if not lines and not any(key != "reason" for key in errors):
        errors[""] = "Type a quantity on at least one line, or refund the whole order."
    if errors:
        raise FormErrors(errors)
    return lines, reason_text


def record(store: Store, order_id: str, quantities: Mapping[int, str], reason: str) -> RefundRecord:
    """Check the form against the order as it is now in the cache, then record the refund."""
    order = store.orders.get(order_id)
    if order is None:
        raise FormErrors({"": "This order is not on this terminal."})
    lines, reason_text = plan(order, quantities, reason)
    try:
        return store.writes.record_refund(order_id, lines, reason_text)
    except InvalidWrite as exc:
        raise FormErrors({"": str(exc)}) from None
