"""Barcode rules: GS1 check digits against real codes and an independent formula, and what a product may carry."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.barcodes import (
    MAX_SHOP_CODE_LENGTH,
    ean13_from_body,
    gtin_check_digit,
    has_valid_check_digit,
    validate_barcode,
)

# Codes printed on real packs (and in the GS1 / Wikipedia examples).
REAL_CODES = [
    "4006381333931",  # EAN-13
    "5901234123457",  # EAN-13
    "9780306406157",  # EAN-13 (ISBN-13)
    "036000291452",  # UPC-A
    "012345678905",  # UPC-A
    "96385074",  # EAN-8
]

digits = st.text(alphabet=string.digits, min_size=1, max_size=1)


def weighted_sum_from_left(code: str) -> int:
    """The GS1 sum as the standard writes it for a whole code: weights 3 and 1 counted from the check digit."""
    return sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(reversed(code)))


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert gtin_check_digit(code[:-1]) == code[-1]
    assert has_valid_check_digit(code)
    assert validate_barcode(code) is None


def test_ean13_from_body_appends_the_check_digit() -> None:
    assert ean13_from_body("400638133393") == "4006381333931"
    assert ean13_from_body("003600029145") == "0036000291452"  # a UPC-A written as an EAN-13


@pytest.mark.parametrize("body", ["40063813339", "4006381333931", "40063813339X"])
def test_ean13_from_body_refuses_anything_but_twelve_digits(body: str) -> None:
    with pytest.raises(ValueError):
        ean13_from_body(body)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("4006381333932", "EAN-13"),  # last digit wrong
        ("4060381333931", "EAN-13"),  # two digits swapped
        ("036000291453", "UPC-A"),
        ("036000921452", "UPC-A"),
        ("96385075", "EAN-8"),
    ],
)
def test_mistyped_codes_are_refused_with_a_reason_naming_the_format(code: str, kind: str) -> None:
    reason = validate_barcode(code)
    assert reason is not None
    assert kind in reason
    assert "mistyped" in reason


@pytest.mark.parametrize(
    "code",
    ["BAG-SMALL", "PLU 4011", "X", "1234", "12345678901234", "03600029145A", "A" * MAX_SHOP_CODE_LENGTH, "~!@#$%^&*()"],
)
def test_shop_codes_are_accepted(code: str) -> None:
    assert validate_barcode(code) is None


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("", "empty"),
        ("A" * (MAX_SHOP_CODE_LENGTH + 1), "too long"),
        ("9" * 40, "too long"),
        ("CAFÉ-1", "cannot be used"),
        ("TAB\tCODE", "cannot be used"),
        ("LINE\n", "cannot be used"),
        ("٠٣٦٠٠٠٢٩١٤٥٢", "cannot be used"),  # Arabic-Indic digits: not what a scanner sends
        (" BAG", "space"),
        ("BAG ", "space"),
    ],
)
def test_bad_shop_codes_are_refused_with_a_reason(code: str, words: str) -> None:
    reason = validate_barcode(code)
    assert reason is not None
    assert words in reason


@given(st.text(alphabet=string.digits, min_size=12, max_size=12))
def test_any_body_makes_an_ean13_that_validates(body: str) -> None:
    code = ean13_from_body(body)
    assert code.startswith(body)
    assert weighted_sum_from_left(code) % 10 == 0
    assert validate_barcode(code) is None


@given(
    st.sampled_from([7, 11, 12]).flatmap(lambda n: st.text(alphabet=string.digits, min_size=n, max_size=n)),
    st.data(),
)
def test_changing_any_one_digit_makes_a_gtin_invalid(body: str, data: st.DataObject) -> None:
    code = body + gtin_check_digit(body)
    position = data.draw(st.integers(0, len(code) - 1), label="position")
    digit = data.draw(digits.filter(lambda d: d != code[position]), label="digit")
    mistyped = code[:position] + digit + code[position + 1 :]
    assert validate_barcode(code) is None
    assert validate_barcode(mistyped) is not None


@given(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=32).filter(
        lambda code: code == code.strip() and not (code.isdigit() and len(code) in (8, 12, 13))
    )
)
def test_any_printable_ascii_code_that_is_not_a_gtin_is_a_shop_code(code: str) -> None:
    assert validate_barcode(code) is None
