"""Key overrides from the config file: a `[keymap]` table of binding id → keys, applied with Textual's keymap.

    [keymap]
    home.sign_out = "x"          # a binding id (shown in the help screen) and its new key
    "open.sale" = "f2,s"         # several keys, comma-separated

Plain Python: the app passes the result to `App.set_keymap`. Keys use Textual's names ("f5", "question_mark",
"shift+tab") or a single character.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from console.config import ConfigError, read_table

_KEY = re.compile(r"^(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*(?:[a-z][a-z0-9_]*|[^\s,])$")


def _flatten(table: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    # TOML reads `home.sign_out = "x"` as a nested table; binding ids are the dotted names.
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def load(path: Path | None = None) -> dict[str, str]:
    """The keymap from the config file (empty when there is none); a bad entry names its file and line."""
    table, where = read_table("keymap", path)
    keymap: dict[str, str] = {}
    for binding_id, value in _flatten(table):
        keys = [key.strip() for key in value.split(",")] if isinstance(value, str) else []
        if not keys or not all(_KEY.match(key) for key in keys):
            raise ConfigError(
                f"{where(binding_id)}: [keymap] {binding_id}: {value!r} is not a key; "
                'use a key name such as "f5", "x" or "shift+tab" (several: "f5,x")'
            )
        keymap[binding_id] = ",".join(keys)
    return keymap
