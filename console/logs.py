"""The console's JSON-lines log: a file in the state dir, never the terminal (it would tear the TUI)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from common.jsonlog import JsonLinesFormatter, configure
from console import paths
from console.version import VERSION

SERVICE = "shop-console"


def setup(environment: str, terminal: str | None = None, path: Path | None = None) -> Path:
    """Start logging for this process; returns the log file's path."""
    path = path or paths.log_file()
    configure(SERVICE, environment, VERSION, path, static={"terminal": terminal})
    return path


def set_context(**fields: Any) -> None:
    """Add who and where (user, shop, profile) to every later log line, once they are known; None removes one
    (after sign-out), so that it neither names the last user nor hides a line's own field."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, JsonLinesFormatter):
            static = handler.formatter.static
            for key, value in fields.items():
                if value is None:
                    static.pop(key, None)
                else:
                    static[key] = value
