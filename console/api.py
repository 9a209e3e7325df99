"""HTTP client for shop-api. Plain Python (no Textual): screens, headless commands and tests share it."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from console.models import Health


class ApiUnavailable(Exception):
    """The API could not be reached or did not answer sensibly; the message is fit for a person."""


@dataclass(frozen=True)
class HealthReport:
    health: Health
    latency_ms: float


class ApiClient:
    def __init__(self, base_url: str, timeout: float = 5.0, transport: httpx.BaseTransport | None = None):
        self.base_url = base_url
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def health(self) -> HealthReport:
        started = time.perf_counter()
        try:
            response = self._http.get("/v1/health")
        except httpx.TimeoutException as exc:
            raise ApiUnavailable(f"{self.base_url} did not answer in time") from exc
        except httpx.TransportError as exc:
            raise ApiUnavailable(f"cannot reach {self.base_url}: {exc}") from exc
        latency_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise ApiUnavailable(f"{self.base_url} answered {response.status_code}")
        try:
            return HealthReport(Health.model_validate(response.json()), latency_ms)
        except ValueError as exc:
            raise ApiUnavailable(f"{self.base_url} answered something that is not shop-api") from exc
