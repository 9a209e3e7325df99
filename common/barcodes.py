"""Barcode rules shared by shop-api and the console: GS1 check digits and what a product's barcode may be.

A barcode is either a retail GTIN with a correct check digit (EAN-13, UPC-A, or EAN-8 for small packs), or a
shop's own code: 1-32 printable ASCII characters. An all-digit code of a GTIN length is always read as a GTIN,
so a mistyped EAN is refused instead of being saved as a shop code that no scanner will ever produce.
"""

from __future__ import annotations

MAX_SHOP_CODE_LENGTH = 32

# Length of an all-digit code → the name a cashier sees on the pack.
GTIN_NAMES = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13"}

_PRINTABLE_ASCII = frozenset(map(chr, range(0x20, 0x7F)))


def gtin_check_digit(body: str) -> str:
    """The GS1 check digit for a GTIN body (the code without its last digit), of any length.

    Weights alternate 3, 1 starting from the rightmost digit of the body, which is what makes one function
    right for EAN-8, UPC-A and EAN-13 alike.
    """
    if not body.isascii() or not body.isdigit():
        raise ValueError(f"a GTIN body is digits only, got {body!r}")
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return str(-total % 10)


def has_valid_check_digit(code: str) -> bool:
    """True when an all-digit code ends with the check digit its other digits call for."""
    return len(code) >= 2 and code.isascii() and code.isdigit() and gtin_check_digit(code[:-1]) == code[-1]


def ean13_from_body(body: str) -> str:
    """A valid EAN-13 made from its first 12 digits."""
    if len(body) != 12:
        raise ValueError(f"an EAN-13 body has 12 digits, got {len(body)}")
    return body + gtin_check_digit(body)


def validate_barcode(code: str) -> str | None:
    """None when `code` may be a product's barcode; otherwise the reason, in words for the person at the till."""
    if not code:
        return "The barcode is empty."
    if code.isascii() and code.isdigit() and len(code) in GTIN_NAMES:
        if has_valid_check_digit(code):
            return None
        return (
            f"This is not a valid {GTIN_NAMES[len(code)]} barcode: its last digit (the check digit) does not "
            "match the others, so a digit was probably mistyped. Scan it again or check the number on the pack."
        )
    if len(code) > MAX_SHOP_CODE_LENGTH:
        return f"The barcode is too long: at most {MAX_SHOP_CODE_LENGTH} characters, this one has {len(code)}."
    unusable = next((char for char in code if char not in _PRINTABLE_ASCII), None)
    if unusable is not None:
        return (
            f"The barcode contains a character that cannot be used ({unusable!r}): "
            "use only letters A-Z, digits and common symbols."
        )
    if code != code.strip():
        return "The barcode starts or ends with a space: remove it."
    return None
