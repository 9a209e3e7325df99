"""The half-block QR code holds exactly the modules segno made, two rows per line."""

from __future__ import annotations

import segno

from screens.qr import half_block_lines

URI = "otpauth://totp/Shop%20Console:new-device?secret=ONUG64BNMNXW443PNRSTUZDFNVXU2RSB&issuer=Shop%20Console"
UPPER = {" ": False, "▀": True, "▄": False, "█": True}
LOWER = {" ": False, "▀": False, "▄": True, "█": True}


def test_lines_decode_back_to_the_symbol() -> None:
    lines = half_block_lines(URI, border=2)
    expected = [[bool(m) for m in row] for row in segno.make(URI, error="l").matrix_iter(border=2)]
    decoded = []
    for line in lines:
        decoded += [[UPPER[c] for c in line], [LOWER[c] for c in line]]
    assert decoded[: len(expected)] == expected
    assert not any(module for row in decoded[len(expected) :] for module in row)  # the row that makes a pair


def test_a_demo_secret_fits_an_80x24_terminal() -> None:
    lines = half_block_lines(URI)
    assert len(lines) <= 23 and len(lines[0]) <= 45  # beside the instructions, above the footer
