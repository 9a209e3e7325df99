"""Where the console keeps its files: platformdirs, so XDG_* variables move them."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "shop-console"


def config_file() -> Path:
    """The profiles file: $SHOP_CONSOLE_CONFIG, else config.toml in the user config dir."""
    override = os.environ.get("SHOP_CONSOLE_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME))


def profile_data_dir(profile: str) -> Path:
    """One folder per profile for its cache, queue and receipts, so profiles never share state."""
    return data_dir() / "profiles" / profile


def log_file() -> Path:
    return state_dir() / "shop-console.log"
