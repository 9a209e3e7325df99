"""Text from the cache, the server or AWS made safe to draw on a terminal.

Textual writes a widget's text to the terminal as it is, so an ESC, a C1 control or a bidi override in a product
name or a log line would act on the terminal (clear it, retitle it, set the clipboard, reorder what is shown). The
one rule for everything a screen or a headless command shows: control (Cc) and format (Cf) characters are drawn as
visible placeholders, never sent.
"""

from __future__ import annotations

import unicodedata

_CONTROL_PICTURES = 0x2400  # U+2400 "␀" ... U+241F: one picture per C0 control
_DELETE_PICTURE = "\u2421"  # ␡
REPLACEMENT = "\ufffd"  # C1 controls and format characters (bidi overrides, zero-width) have no picture


def _placeholder(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(_CONTROL_PICTURES + code)
    return _DELETE_PICTURE if code == 0x7F else REPLACEMENT


def printable(text: str) -> str:
    """`text` with every control and format character replaced by a visible placeholder ("\\x1b" → "␛")."""
    if text.isprintable():  # the common case, and str.isprintable is false for every Cc and Cf character
        return text
    return "".join(_placeholder(char) if unicodedata.category(char) in ("Cc", "Cf") else char for char in text)
