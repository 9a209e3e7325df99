"""A QR code drawn with half-block characters: two rows of modules per line of text, so it fits a terminal."""

from __future__ import annotations

import segno
from textual.content import Content
from textual.widgets import Static

# (upper module dark, lower module dark) → the character that draws them in the foreground colour.
_HALF_BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def half_block_lines(data: str, border: int = 2) -> list[str]:
    """The QR code of `data` as lines of text; dark modules are drawn, light ones left as background."""
    # Low error correction keeps the symbol small; a phone reads a screen at close range without damage.
    rows = [[bool(module) for module in row] for row in segno.make(data, error="l").matrix_iter(border=border)]
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))  # one more row of quiet zone to make pairs
    return [
        "".join(_HALF_BLOCKS[pair] for pair in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    ]


class QrCode(Static):
    """Styled dark on light in app.tcss whatever the theme: readers expect dark modules on a light quiet zone."""

    def __init__(self, data: str, id: str | None = None) -> None:
        super().__init__(Content("\n".join(half_block_lines(data))), id=id)
