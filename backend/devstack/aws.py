"""boto3 clients for the stack's moto server: its endpoint, its region, dummy credentials."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
# moto accepts any keys; these never name a real account.
DUMMY_ACCESS_KEY_ID = "testing"
DUMMY_SECRET_ACCESS_KEY = "testing"

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=5, read_timeout=30)


class AwsClients:
    """Makes clients from one session, which caches the service models between them. Make them on one thread
    (a session is not thread-safe); the clients themselves may then be used from any thread."""

    def __init__(self, endpoint_url: str, region: str = REGION) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self._session = boto3.session.Session(
            aws_access_key_id=DUMMY_ACCESS_KEY_ID, aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY, region_name=region
        )

    def client(self, service: str, region: str | None = None) -> Any:
        return self._session.client(
            service, endpoint_url=self.endpoint_url, region_name=region or self.region, config=_CONFIG
        )
