"""The settings one shop-api process runs with; the CLI builds them from options and SHOP_API_* variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platformdirs import user_data_path
from pydantic import BaseModel, ConfigDict, Field, model_validator


def default_database_url() -> str:
    """SQLite in the user's data dir (platformdirs, so XDG_DATA_HOME moves it)."""
    return f"sqlite:///{user_data_path('shop-api') / 'shop-api.db'}"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    database_url: str = Field(default_factory=default_database_url)
    # PostgreSQL only: the URL the API connects with (the non-owner app role). None derives it from
    # database_url by swapping the user for `db.DEFAULT_APP_ROLE`, which fits trust or IAM authentication.
    app_database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    region: str = "us-east-1"
    user_pool_id: str | None = None
    client_id: str
    issuer: str
    jwks_url: str
    environment: str = "development"
    log_file: Path | None = None
    exit_on_stdin_eof: bool = False

    @model_validator(mode="before")
    @classmethod
    def _derive_cognito_urls(cls, data: Any) -> Any:
        """Default the issuer to the real Cognito one of region + pool, and the JWKS URL to the issuer's."""
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if v is not None}
        if not data.get("issuer"):
            if not data.get("user_pool_id"):
                raise ValueError("set the user pool id, or the issuer")
            region = data.get("region") or cls.model_fields["region"].default
            data["issuer"] = f"https://cognito-idp.{region}.amazonaws.com/{data['user_pool_id']}"
        data.setdefault("jwks_url", f"{data['issuer']}/.well-known/jwks.json")
        return data
