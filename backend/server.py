"""Running the app under uvicorn on a socket bound beforehand (so port 0 works and the real port is known)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port; port 0 picks a free one (read it back from the socket)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP, not the default 0: asyncio sets TCP_NODELAY only on accepted sockets that say TCP, and
    # without it every response waits ~40 ms on Nagle + the client's delayed ACK (headers and body go apart).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(socket.SOMAXCONN)
    except OSError:
        sock.close()
        raise
    return sock


def socket_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class ApiServer(uvicorn.Server):
    """uvicorn serving `app` on `sock`; `on_ready(url)` is called once it accepts connections (after the
    app's startup, i.e. after migrations). Stop it with `should_exit = True` (SIGINT/SIGTERM do, in the main
    thread)."""

    def __init__(self, app: FastAPI, sock: socket.socket, on_ready: Callable[[str], None] | None = None):
        # log_config=None: uvicorn's records go to the root logger (our JSON lines), never its stdout handler.
        # lifespan="on": a failed startup (e.g. migrations) stops the server instead of being ignored.
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=10)
        super().__init__(config)
        self.sock = sock
        self.url = socket_url(sock)
        self.on_ready = on_ready

    def serve_forever(self) -> None:
        self.run(sockets=[self.sock])

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.on_ready is not None:
            self.on_ready(self.url)


@contextmanager
def running_in_thread(app: FastAPI, host: str = "127.0.0.1", timeout: float = 30) -> Iterator[str]:
    """Serve `app` on a free port of `host` in a background thread; yields its base URL, stops on exit."""
    ready = threading.Event()
    server = ApiServer(app, bind_socket(host, 0), on_ready=lambda _url: ready.set())
    thread = threading.Thread(target=server.serve_forever, name="shop-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    try:
        while not ready.wait(0.05):
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("shop-api did not start (see its log)")
        yield server.url
    finally:
        server.should_exit = True
        thread.join(timeout)
        server.sock.close()
