"""Profiles: which backend and AWS account a console talks to.

A TOML file holds `[profiles.NAME]` tables. The profile is chosen by `--profile`, else `SHOP_CONSOLE_PROFILE`,
else the file's `default_profile`. Each key can be overridden by `SHOP_CONSOLE_<KEY>` (e.g.
`SHOP_CONSOLE_API_URL`). Errors in the file name the file, the line and the key instead of raising a traceback.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from console import paths
from console.files import write_private

ENV_PREFIX = "SHOP_CONSOLE_"
DEFAULT_PROFILE = "default"
Environment = Literal["demo", "development", "staging", "production"]


class ConfigError(Exception):
    """A config problem a person can fix: the message names the file, line and key."""


class Profile(BaseModel):
    """One backend and AWS account. A real-AWS profile needs api_url, region, user_pool_id and client_id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = DEFAULT_PROFILE
    environment: Environment = "production"
    api_url: str
    region: str
    user_pool_id: str
    client_id: str
    # Admin screens: a named AWS profile for real accounts, or an endpoint and dummy keys for moto.
    aws_profile: str | None = None
    aws_endpoint_url: str | None = None
    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    terminal_id: str = Field(default="T1", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$")
    token_store: Literal["auto", "file"] = "auto"
    offline_max_hours: int = Field(default=72, ge=1, le=24 * 30)
    # The user pool's password rules in words: a public app client cannot read them from Cognito.
    password_policy: str | None = None
    # Receipts go to this command's stdin when set, e.g. "lp -d receipt" (split like a shell would; no shell runs).
    receipt_print_command: str | None = None
    # The largest discount, as a percent of what is discounted, each role may give at the counter.
    cashier_discount_limit_percent: int = Field(default=10, ge=0, le=100)
    manager_discount_limit_percent: int = Field(default=50, ge=0, le=100)

    @field_validator("api_url", "aws_endpoint_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/") if value else value


def _line_of(text: str, table: str, key: str | None) -> int | None:
    """The line of `key` inside `[table]` (or of the table header), for error messages. 1-based."""
    in_table = False
    header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(map(re.escape, table.split("."))) + r"\s*\]\s*(#.*)?$")
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("["):
            in_table = bool(header.match(line))
            if in_table and key is None:
                return number
            continue
        if in_table and key and re.match(rf"^\s*\"?{re.escape(key)}\"?\s*=", line):
            return number
    return None


def _read(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, ""
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def _env_overrides(environ: Mapping[str, str]) -> dict[str, str]:
    fields = set(Profile.model_fields) - {"name"}
    return {
        key[len(ENV_PREFIX) :].lower(): value
        for key, value in environ.items()
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() in fields
    }


def read_table(name: str, path: Path | None = None) -> tuple[dict[str, Any], Callable[[str], str]]:
    """A top-level table other than the profiles (e.g. `[keymap]`), and a function naming where one of its keys is
    (file and line) for error messages. A missing file or table is an empty table."""
    path = path or paths.config_file()
    data, text = _read(path)
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: '{name}' must be a table ([{name}])")

    def where(key: str) -> str:
        line = _line_of(text, name, key)
        return f"{path}, line {line}" if line else str(path)

    return table, where


def profile_names(path: Path | None = None) -> list[str]:
    data, _ = _read(path or paths.config_file())
    profiles = data.get("profiles", {})
    return sorted(profiles) if isinstance(profiles, dict) else []


def load_profile(
    name: str | None = None,
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Profile:
    """Load a profile by name (or the default), with environment overrides applied."""
    environ = os.environ if environ is None else environ
    path = path or paths.config_file()
    data, text = _read(path)
    chosen = name or environ.get(ENV_PREFIX + "PROFILE") or data.get("default_profile") or DEFAULT_PROFILE
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}, line {_line_of(text, 'profiles', None) or '?'}: 'profiles' must be a table")
    table = profiles.get(chosen)
    overrides = _env_overrides(environ)
    if table is None and not overrides:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"{path}: no profile named '{chosen}' (profiles: {known})")
    values = {**(table or {}), **overrides, "name": chosen}
    try:
        return Profile.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path, text, chosen, overrides)) from exc


def _describe(exc: ValidationError, path: Path, text: str, profile: str, overrides: Mapping[str, str]) -> str:
    problems = []
    for error in exc.errors():
        key = str(error["loc"][0]) if error["loc"] else "?"
        if key in overrides:
            where = f"environment variable {ENV_PREFIX}{key.upper()}"
        else:
            line = _line_of(text, f"profiles.{profile}", key if error["type"] != "missing" else None)
            where = f"{path}, line {line}" if line else str(path)
        problems.append(f"{where}: [profiles.{profile}] {key}: {error['msg']}")
    return "\n".join(problems)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise writers (two demo stacks may write their profiles at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def save_profile(profile: Profile, path: Path | None = None) -> Path:
    """Write (or refresh) one profile, keeping the rest of the file and its comments. Atomic, mode 0600."""
    import tomlkit  # only to write: reading uses tomllib (start-up speed)

    path = path or paths.config_file()
    with _locked(path):
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        try:
            document = tomlkit.parse(text)
        except tomlkit.exceptions.ParseError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        profiles = document.setdefault("profiles", tomlkit.table(is_super_table=True))
        table = tomlkit.table()
        for key, value in profile.model_dump(exclude={"name"}, exclude_none=True).items():
            table[key] = value
        profiles[profile.name] = table
        write_private(path, tomlkit.dumps(document))
    return path
