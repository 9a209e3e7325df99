"""`shop-console serve`: the console in a browser through textual-serve, on loopback, starting at the sign-in."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import httpx
import pytest

from console.config import save_profile
from tests.console.conftest import offline_profile


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    config = save_profile(offline_profile(), tmp_path / "config.toml")
    port = free_port()
    env = {**os.environ, "SHOP_CONSOLE_CONFIG": str(config)}
    command = [sys.executable, "-m", "console.cli", "serve", "--port", str(port), "--profile", "demo"]
    # Its own process group: the server starts one console process per browser tab, and all must end.
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "shop-console serve did not start"
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_page_points_the_browser_at_loopback(served: str) -> None:
    page = httpx.get(served, timeout=5)
    assert page.status_code == 200
    assert f"ws://{served.removeprefix('http://')}/ws" in page.text


def test_a_browser_session_starts_at_the_sign_in(served: str) -> None:
    async def first_screen() -> bytes:
        seen = b""
        url = f"{served.replace('http', 'ws')}/ws?width=80&height=24"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            deadline = time.monotonic() + 30
            while b"Password" not in seen and time.monotonic() < deadline:
                message = await ws.receive(timeout=deadline - time.monotonic())
                if message.type == aiohttp.WSMsgType.BINARY:
                    seen += message.data
                elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    break
        return seen

    seen = asyncio.run(first_screen())
    assert b"Username" in seen and b"Password" in seen
