"""SyncTransport over HTTP with httpx: the sync routes of shop-api, the session's token on each request.

The caller hands in how to get the current access token and how to refresh it (the console's session), so
this module knows nothing about Cognito and stays usable from a headless command or a test.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from offline_cache.transport import HealthReply, HttpError, PullReply, PushOp, PushReply, TransportUnavailable


class HttpSyncTransport:
    def __init__(
        self,
        base_url: str,
        *,
        access_token: Callable[[], str | None],
        refresh: Callable[[], bool] = lambda: False,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._access_token = access_token
        self._refresh = refresh
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def push(self, client_id: str, ops: Sequence[PushOp]) -> PushReply:
        body = {"client_id": client_id, "ops": [op.as_json() for op in ops]}
        data, server_time = self._call("POST", "/v1/sync/push", json=body)
        return PushReply.from_json(data, server_time)

    def pull(self, since: str | None, limit: int) -> PullReply:
        params: dict[str, Any] = {"limit": limit}
        if since is not None:
            params["since"] = since
        data, server_time = self._call("GET", "/v1/sync/changes", params=params)
        return PullReply.from_json(data, server_time)

    def health(self) -> HealthReply:
        data, server_time = self._call("GET", "/v1/health", authorize=False)
        return HealthReply(ok=data.get("status") == "ok", server_time=server_time, details=data)

    def refresh_session(self) -> bool:
        return self._refresh()

    def _call(
        self, method: str, path: str, authorize: bool = True, **kwargs: Any
    ) -> tuple[dict[str, Any], dt.datetime | None]:
        headers = {}
        token = self._access_token() if authorize else None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:  # connect, timeout, cut mid-body, protocol errors
            raise TransportUnavailable(f"{method} {path}: {exc.__class__.__name__}: {exc}") from exc
        server_time = _date_header(response)
        if response.status_code >= 400:
            raise HttpError(response.status_code, _json_or_empty(response), _retry_after(response))
        try:
            data = response.json()
        except ValueError as exc:  # a body cut short by a proxy reads as bad JSON
            raise TransportUnavailable(f"{method} {path}: the answer was not whole JSON") from exc
        if not isinstance(data, dict):
            raise TransportUnavailable(f"{method} {path}: the answer was not a JSON object")
        return data, server_time


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _date_header(response: httpx.Response) -> dt.datetime | None:
    value = response.headers.get("date")
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).astimezone(dt.UTC)
    except (TypeError, ValueError):
        return None


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (RFC 9110: delay-seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - dt.datetime.now(dt.UTC)).total_seconds())
