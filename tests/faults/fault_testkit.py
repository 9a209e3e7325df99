"""The fault suite's tools: a fault proxy on a seeded schedule (extending offline_stack.FaultProxy with reset
connections, delays and requests cut mid-body); a ledger of what the server must end up with, kept by the test
itself so that it checks the sync engine instead of trusting it; and a session of the backend tests' pool whose
access tokens live as briefly as a test needs (for a Till, offline_stack's, on a shop-api the test runs)."""

from __future__ import annotations

import math
import random
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
from offline_stack import FaultProxy
from shop_api_testkit import Cognito

from backend.tokens import LEEWAY_SECONDS
from offline_cache.http_transport import HttpSyncTransport
from offline_cache.store import Store

# What a push meets on its way, by weight: most go through; every fault offline_stack knows, plus ours.
PUSH_FAULTS: dict[str | None, int] = {
    None: 50,
    "refuse": 5,  # reset as soon as the request line arrives: no body read, nothing forwarded
    "cut-mid-request": 5,  # half the body read, then the connection reset: the server never sees it
    "cut": 4,  # the whole request read, nothing forwarded
    "drop": 8,  # forwarded, the server commits, the answer is lost
    "truncate": 6,  # forwarded, half the answer sent
    "502": 4,
    "503": 4,
    "503:1": 3,
    "429": 3,
    "429:2": 3,
    "delay": 5,  # forwarded late (a short delay), then as it comes
}
SHORT_DELAYS_S = (0.05, 0.2, 0.5, 1.0)
EVERY_STATUS = ("pending", "in_flight", "dead", "conflict", "done")


class SeededFaultProxy(FaultProxy):
    """A FaultProxy whose pushes meet faults drawn from PUSH_FAULTS by a seeded generator (faults queued by hand
    in `.faults` still come first). `long_delay_at`: the push numbers held back `long_delay_s` before they are
    forwarded (longer than the client waits, so the server commits what the client gave up on). `injected`
    counts what was done; `enabled = False` lets everything through."""

    def __init__(
        self,
        upstream: str,
        seed: int,
        *,
        mix: dict[str | None, int] | None = None,
        long_delay_at: frozenset[int] = frozenset(),
        long_delay_s: float = 10.0,
    ) -> None:
        super().__init__(upstream)
        self.rng = random.Random(seed)
        mix = PUSH_FAULTS if mix is None else mix
        self._choices, self._weights = list(mix), list(mix.values())
        self.long_delay_at = long_delay_at
        self.long_delay_s = long_delay_s
        self.enabled = True
        self.injected: Counter[str] = Counter()
        self._pushes = 0
        self._busy = 0
        self._idle = threading.Condition()
        self._httpd.RequestHandlerClass = _seeded(self, self._httpd.RequestHandlerClass)
        # A client that gave up on a held push has gone when its answer comes: expected here, not worth a traceback.
        self._httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]

    def next_push_fault(self) -> tuple[str | None, float]:
        """The fault for the next push, and how long to hold it first."""
        self._pushes += 1
        if not self.enabled or self.faults["push"]:
            return None, 0.0
        if self._pushes in self.long_delay_at:
            self.injected[f"delay {self.long_delay_s:g}s"] += 1
            return None, self.long_delay_s
        fault = self.rng.choices(self._choices, self._weights)[0]
        if fault is None:
            return None, 0.0
        self.injected[fault] += 1
        if fault == "delay":
            return None, self.rng.choice(SHORT_DELAYS_S)
        return fault, 0.0

    def wait_idle(self, timeout: float = 30) -> None:
        """Until no request is in the proxy (a held push reaches the server late, after the client gave up)."""
        with self._idle:
            assert self._idle.wait_for(lambda: self._busy == 0, timeout), "a request is still in the proxy"

    @property
    def faults_injected(self) -> int:
        return sum(self.injected.values())


def _reset(handler: BaseHTTPRequestHandler) -> None:
    """Close with an RST (SO_LINGER 0), as a host that refuses or a middlebox that kills the connection does."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True


def _seeded(proxy: SeededFaultProxy, base: type[BaseHTTPRequestHandler]) -> type[BaseHTTPRequestHandler]:
    class Seeded(base):  # type: ignore[valid-type, misc]
        def _relay(self) -> None:
            with proxy._idle:
                proxy._busy += 1
            try:
                self._faulty_relay()
            finally:
                with proxy._idle:
                    proxy._busy -= 1
                    proxy._idle.notify_all()

        def _faulty_relay(self) -> None:
            # Pushes only: the engine's pull is tested under faults in tests/offline_cache.
            if self.path.split("?")[0] == "/v1/sync/push":
                fault, hold = proxy.next_push_fault()
                if fault == "refuse":
                    proxy.requests["push"] += 1
                    _reset(self)
                    return
                if fault == "cut-mid-request":
                    proxy.requests["push"] += 1
                    self.rfile.read(int(self.headers.get("Content-Length") or 0) // 2)
                    _reset(self)
                    return
                if hold:
                    time.sleep(hold)
                if fault is not None:
                    proxy.faults["push"].insert(0, fault)
            super()._relay()

    return Seeded


@dataclass
class Ledger:
    """What the server must hold for the test's products once everything is sent, counted as the ops are made."""

    on_hand: Counter[str] = field(default_factory=Counter)
    price: dict[str, int] = field(default_factory=dict)
    version: Counter[str] = field(default_factory=Counter)
    sources: dict[str, set[str]] = field(default_factory=dict)  # product → ids of its orders, refunds, adjustments
    orders: dict[str, dict[str, int]] = field(default_factory=dict)  # order → product → quantity still refundable
    ops: Counter[str] = field(default_factory=Counter)

    def moved(self, product_id: str, source_id: str, delta: int) -> None:
        self.on_hand[product_id] += delta
        self.sources.setdefault(product_id, set()).add(source_id)

    @property
    def op_count(self) -> int:
        return sum(self.ops.values())


def outbox_statuses(store: Store) -> Counter[str]:
    """How many ops of the till's outbox are in each state, finished ones included."""
    return Counter(op.status for op in store.outbox.list(EVERY_STATUS))


class TokenSession:
    """A signed-in user of the backend tests' pool (tests/backend/shop_api_testkit), shaped like offline_stack's
    Session for a Till: its access tokens are minted with moto's key, each valid for `lifetime_s` (beyond the
    server's 30 s leeway), and a refresh mints the next one. For a shop-api the test starts and stops itself."""

    def __init__(
        self, cognito: Cognito, username: str, url: str, lifetime_s: float = 3600, groups: tuple[str, ...] = ()
    ) -> None:
        self.cognito = cognito
        self.username = username
        self.url = url
        self.lifetime_s = lifetime_s
        self.groups = groups
        self.refreshes = 0
        self.access_token = self._mint()

    def _mint(self) -> str:
        now = time.time()
        exp = math.ceil(now + self.lifetime_s - LEEWAY_SECONDS)  # at least lifetime_s, at most a second more
        claims = self.cognito.claims(self.username, iat=int(now), exp=exp)
        if self.groups:
            claims["cognito:groups"] = list(self.groups)
        return self.cognito.forge(claims)

    def refresh(self) -> bool:
        self.refreshes += 1
        self.access_token = self._mint()
        return True

    def transport(self, url: str | None = None, timeout: float = 10) -> HttpSyncTransport:
        return HttpSyncTransport(
            url or self.url, access_token=lambda: self.access_token, refresh=self.refresh, timeout=timeout
        )

    def get(self, path: str, **params: Any) -> Any:
        """A read as this user, renewing the token once if it has run out."""
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {self.access_token}"}
            response = httpx.get(f"{self.url}{path}", params=params, headers=headers, timeout=30)
            if response.status_code != 401 or attempt:
                break
            self.refresh()
        response.raise_for_status()
        return response.json()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
