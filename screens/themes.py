"""The console's themes: the default, a high-contrast one, and one made of the 16 ANSI colours."""

from __future__ import annotations

import dataclasses
import os

from textual.theme import BUILTIN_THEMES, Theme

DEFAULT = "shop"
HIGH_CONTRAST = "shop-high-contrast"
SIXTEEN_COLOURS = "shop-16"

THEMES: dict[str, tuple[str, Theme]] = {
    DEFAULT: (
        "Default",
        Theme(
            name=DEFAULT,
            primary="#3D8BFD",
            secondary="#5AA9E6",
            accent="#F4B942",
            warning="#F4B942",
            error="#E5484D",
            success="#46A758",
            foreground="#E6E8EB",
            background="#111418",
            surface="#1A1E24",
            panel="#232932",
        ),
    ),
    HIGH_CONTRAST: (
        "High contrast",
        Theme(
            name=HIGH_CONTRAST,
            primary="#FFFF00",
            secondary="#00FFFF",
            accent="#FFFF00",
            warning="#FFAF00",
            error="#FF3B3B",
            success="#00FF5F",
            foreground="#FFFFFF",
            background="#000000",
            surface="#000000",
            panel="#000000",
            text_alpha=1.0,
            variables={"border": "#FFFFFF", "border-blurred": "#FFFFFF", "footer-key-foreground": "#FFFF00"},
        ),
    ),
    # The terminal's own 16 colours: right for TEXTUAL_COLOR_SYSTEM=standard, NO_COLOR and limited terminals.
    SIXTEEN_COLOURS: ("16 colours", dataclasses.replace(BUILTIN_THEMES["ansi-dark"], name=SIXTEEN_COLOURS)),
}


def starting_theme() -> str:
    """The 16-colour theme where the terminal cannot show more (or should show none), else the default."""
    limited = os.environ.get("TEXTUAL_COLOR_SYSTEM", "auto") in ("standard", "windows")
    return SIXTEEN_COLOURS if limited or "NO_COLOR" in os.environ else DEFAULT
