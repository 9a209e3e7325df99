"""Suite-wide fixtures: every test gets its own config, data and state dirs, and no SHOP_CONSOLE_* leaks in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    dirs = {}
    for kind in ("CONFIG", "DATA", "STATE", "CACHE"):
        dirs[kind.lower()] = tmp_path / "xdg" / kind.lower()
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(dirs[kind.lower()]))
    for key in [k for k in os.environ if k.startswith("SHOP_CONSOLE_")]:
        monkeypatch.delenv(key)
    return dirs
