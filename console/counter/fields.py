"""The forms' side of console.counter.entry (which cleans typed text and parses quantities and money): refusals
gathered per field so each shows where it was typed, and whole numbers in other ranges than a sale's quantity."""

from __future__ import annotations

from collections.abc import Mapping

from console.counter.entry import Rejected, clean_text


class FormErrors(ValueError):
    """Why a form was refused, per field (the key "" for the form as a whole)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


def whole_number(text: str, what: str, low: int, high: int, *, signed: bool = False) -> int:
    """A typed whole number from `low` to `high` ("1,200" is fine; "+5"/"-5" when `signed`); Rejected saying why."""
    typed = clean_text(text).replace(",", "").replace(" ", "")
    digits = typed[1:] if signed and typed[:1] in ("+", "-") else typed
    if not typed:
        raise Rejected(f"Type the {what}.")
    if not (digits.isascii() and digits.isdecimal()):
        raise Rejected(f"The {what} must be a whole number, not {clean_text(text)!r}.")
    value = int(typed)
    if not low <= value <= high:
        raise Rejected(f"The {what} must be from {low:,} to {high:,}, not {value:,}.")
    return value
