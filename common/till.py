"""A till shift's cash arithmetic in integer minor units, the one implementation shop-api and the console's
offline cache both use, so a Z report worked out offline matches the server's once the shift has synced.

- expected cash = opening float + cash sales (net of change) - cash refunds + paid in - paid out;
  over/short = counted - expected (negative: the drawer is short).
- A refund's money goes back by the order's tenders, card first, then other, cash last, never more by one method
  than the order took by it; what no tender covers (an order with none) is cash. Earlier refunds of the same
  order use up the methods first, so a refund in parts returns what one whole refund would.
"""

from __future__ import annotations

from collections.abc import Mapping

REFUND_ORDER = ("card", "other", "cash")


def expected_cash(*, opening_float: int, cash_sales: int, cash_refunds: int, paid_in: int, paid_out: int) -> int:
    """What the drawer should hold: see the module's rule."""
    return opening_float + cash_sales - cash_refunds + paid_in - paid_out


def over_short(counted: int, expected: int) -> int:
    """The count against what was expected: positive over, negative short."""
    return counted - expected


def refund_split(taken: Mapping[str, int], refunded_before: int, amount: int) -> dict[str, int]:
    """What a refund of `amount` returns by each method, given what the order took by each (`taken`, cash net of
    change) and what its earlier refunds returned in all. Every method the order took appears (0 if nothing goes
    back by it)."""

    def returned(upto: int) -> dict[str, int]:
        left, out = upto, {}
        for method in REFUND_ORDER:
            if method in taken:
                out[method] = min(left, taken[method])
                left -= out[method]
        if left or not out:
            out["cash"] = out.get("cash", 0) + left
        return out

    before, after = returned(refunded_before), returned(refunded_before + amount)
    return {method: after[method] - before.get(method, 0) for method in after}
