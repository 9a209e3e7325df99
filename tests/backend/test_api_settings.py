"""Settings: Cognito URLs derived as real Cognito names them; the default database lives in the data dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from backend.settings import Settings


def test_issuer_and_jwks_url_follow_region_and_pool() -> None:
    settings = Settings(region="eu-west-1", user_pool_id="eu-west-1_AbC", client_id="app")
    assert settings.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC"
    assert settings.jwks_url == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json"


def test_explicit_urls_win() -> None:
    settings = Settings(issuer="https://issuer.example/pool", jwks_url="http://127.0.0.1:1/keys", client_id="app")
    assert (settings.issuer, settings.jwks_url) == ("https://issuer.example/pool", "http://127.0.0.1:1/keys")
    assert Settings(issuer="https://i.example/p", client_id="a").jwks_url == "https://i.example/p/.well-known/jwks.json"


def test_pool_or_issuer_is_required() -> None:
    with pytest.raises(ValidationError, match="user pool id"):
        Settings(client_id="app")


def test_default_database_is_in_the_data_dir(isolated_dirs: dict[str, Path]) -> None:
    settings = Settings(user_pool_id="us-east-1_x", client_id="app")
    assert settings.database_url == f"sqlite:///{isolated_dirs['data'] / 'shop-api' / 'shop-api.db'}"
