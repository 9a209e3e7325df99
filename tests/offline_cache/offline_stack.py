"""The real shop-api for sync tests: a signed-in user as the console keeps one (SRP against moto's Cognito, the
access token renewed with the refresh token), and a loopback fault proxy between the engine and shop-api that
injects, by script, what networks and servers do: refused or cut connections, error statuses (with Retry-After),
answers lost after the server committed, and bodies cut short."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import httpx
from pycognito.aws_srp import AWSSRP

from backend.devstack import StackInfo
from backend.devstack.aws import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY
from offline_cache.http_transport import HttpSyncTransport

ROUTES = {"/v1/sync/push": "push", "/v1/sync/changes": "pull", "/v1/health": "health"}
RELAYED_HEADERS = ("content-type", "date", "retry-after")


class Session:
    """The console's side of the transport: the current token, and a refresh that works unless told not to."""

    def __init__(self, stack: StackInfo, username: str) -> None:
        self.stack = stack
        self.cognito = boto3.client(
            "cognito-idp",
            region_name=stack.region,
            endpoint_url=stack.aws_endpoint_url,
            aws_access_key_id=DUMMY_ACCESS_KEY_ID,
            aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
        )
        user = stack.user(username)
        srp = AWSSRP(user.username, user.password, stack.user_pool_id, stack.client_id, client=self.cognito)
        tokens = srp.authenticate_user()["AuthenticationResult"]
        self.access_token: str | None = tokens["AccessToken"]
        self.refresh_token = tokens["RefreshToken"]
        self.refreshes = 0
        self.can_refresh = True

    def refresh(self) -> bool:
        self.refreshes += 1
        if not self.can_refresh:
            return False
        answer = self.cognito.initiate_auth(
            ClientId=self.stack.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": self.refresh_token},
        )
        self.access_token = answer["AuthenticationResult"]["AccessToken"]
        return True

    def call(self, method: str, path: str, **options: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.access_token}", **options.pop("headers", {})}
        return httpx.request(method, f"{self.stack.api_url}{path}", headers=headers, timeout=10, **options)

    def get(self, path: str, **params: Any) -> Any:
        response = self.call("GET", path, params=params)
        response.raise_for_status()
        return response.json()

    def transport(self, url: str | None = None) -> HttpSyncTransport:
        return HttpSyncTransport(
            url or self.stack.api_url, access_token=lambda: self.access_token, refresh=self.refresh, timeout=10
        )


def pages(session: Session, path: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Every item of a cursor-paged list route."""
    cursor = None
    while True:
        page = session.get(path, **params, **({"cursor": cursor} if cursor else {}))
        yield from page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return


class FaultProxy:
    """`with FaultProxy(upstream) as proxy:` → proxy.url; proxy.faults["push"].append("503:5"). Faults: "cut"
    (close, nothing forwarded), "<status>[:<retry-after>]" (answered here), "drop" (forwarded, answer lost),
    "truncate" (forwarded, half the body sent), None (forwarded as is)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = httpx.Client(base_url=upstream, timeout=30)
        self.faults: dict[str, list[str | None]] = defaultdict(list)
        self.requests: Counter[str] = Counter()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self.upstream.close()


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._relay()

        def do_POST(self) -> None:
            self._relay()

        def _relay(self) -> None:
            route = ROUTES.get(self.path.split("?")[0], "other")
            proxy.requests[route] += 1
            fault = proxy.faults[route].pop(0) if proxy.faults[route] else None
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.close_connection = True
            if fault == "cut":
                return
            if fault is not None and fault[0].isdigit():
                status, _, retry_after = fault.partition(":")
                headers = {
                    "Content-Type": "application/problem+json",
                    **({"Retry-After": retry_after} if retry_after else {}),
                }
                self._answer(int(status), headers, b'{"title": "Injected", "status": %s}' % status.encode())
                return
            forwarded = {
                name: value for name, value in self.headers.items() if name.lower() in ("authorization", "content-type")
            }
            answer = proxy.upstream.request(self.command, self.path, headers=forwarded, content=body)
            if fault == "drop":
                return
            headers = {name: value for name, value in answer.headers.items() if name.lower() in RELAYED_HEADERS}
            content = answer.content[: len(answer.content) // 2] if fault == "truncate" else answer.content
            self._answer(answer.status_code, headers, content, length=len(answer.content))

        def _answer(self, status: int, headers: dict[str, str], content: bytes, length: int | None = None) -> None:
            self.send_response_only(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content) if length is None else length))
            self.end_headers()
            self.wfile.write(content)

    return Handler
