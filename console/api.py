"""HTTP client for shop-api. Plain Python (no Textual): screens, headless commands and tests share it.

httpx is imported, and the client (SSL context, certificates) built, on the first request, which runs in a worker:
the console's first frame does not wait for them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from console.models import Health, Me

if TYPE_CHECKING:
    import httpx


class ApiUnavailable(Exception):
    """The API could not be reached or failed on its side (network, timeout, 5xx); worth retrying later."""


@dataclass
class ApiProblem(Exception):
    """The API refused the request (4xx, or 501 for what this backend does not do), with its RFC 9457 details."""

    status: int
    title: str
    detail: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return self.detail or self.title


@dataclass(frozen=True)
class HealthReport:
    health: Health
    latency_ms: float


class ApiClient:
    def __init__(self, base_url: str, timeout: float = 5.0, transport: httpx.BaseTransport | None = None):
        self.base_url = base_url
        self.access_token: str | None = None
        self._timeout = timeout
        self._transport = transport
        self._lock = threading.Lock()  # the health check and a sign-in may make the first request at once
        self._client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                import httpx

                self._client = httpx.Client(base_url=self.base_url, timeout=self._timeout, transport=self._transport)
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one request with the current token; 4xx become ApiProblem, network and 5xx ApiUnavailable."""
        import httpx

        headers = kwargs.pop("headers", {})
        if self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
        try:
            response = self._http().request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ApiUnavailable(f"{self.base_url} did not answer in time") from exc
        except httpx.TransportError as exc:
            raise ApiUnavailable(f"cannot reach {self.base_url}: {exc}") from exc
        # 501 is an answer, not an outage: e.g. the admin DB routes on a SQLite backend say why in their problem.
        if response.status_code >= 500 and response.status_code != 501:
            raise ApiUnavailable(f"{self.base_url} answered {response.status_code}")
        if response.status_code >= 400:
            raise _problem(response)
        return response

    def health(self) -> HealthReport:
        started = time.perf_counter()
        response = self.request("GET", "/v1/health")
        latency_ms = (time.perf_counter() - started) * 1000
        try:
            return HealthReport(Health.model_validate(response.json()), latency_ms)
        except ValueError as exc:
            raise ApiUnavailable(f"{self.base_url} answered something that is not shop-api") from exc

    def me(self) -> Me:
        return Me.model_validate(self.request("GET", "/v1/me").json())


def _problem(response: httpx.Response) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return ApiProblem(
        status=response.status_code,
        title=str(body.get("title") or response.reason_phrase),
        detail=str(body.get("detail") or ""),
        errors=list(body.get("errors") or []),
    )
