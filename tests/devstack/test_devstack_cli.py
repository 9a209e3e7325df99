"""`python -m backend.devstack` as `shop-console demo` runs it: one JSON line, side by side, nothing left behind."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import httpx
import pytest
from pycognito.aws_srp import AWSSRP

START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 30


def launch(data_dir: Path, *options: str) -> subprocess.Popen[bytes]:
    with open(data_dir.parent / f"{data_dir.name}.stderr", "ab") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "backend.devstack", "--data-dir", str(data_dir), *options],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )


def first_line(process: subprocess.Popen[bytes]) -> dict[str, Any]:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        assert selector.select(START_TIMEOUT_S), "no JSON line in time"
    return json.loads(process.stdout.readline())


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line names `text` (the stack and its shop-api both name the data dir)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():  # empty for a zombie
                    pids.append(int(entry.name))
            except OSError:  # gone meanwhile
                continue
    return pids


def listening(url: str) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=2).close()
    except OSError:
        return False
    return True


@pytest.fixture
def reaped() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts; killed at the end if the test left any running."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
        if process.stdin:
            process.stdin.close()


def test_two_stacks_run_side_by_side_and_leave_nothing_after_sigterm(
    tmp_path: Path, reaped: list[subprocess.Popen[bytes]]
) -> None:
    dirs = [tmp_path / "first", tmp_path / "second"]
    reaped += [launch(d) for d in dirs]

    infos = [first_line(p) for p in reaped]

    ports = {urlsplit(info[key]).port for info in infos for key in ("api_url", "aws_endpoint_url")}
    assert len(ports) == 4
    for info, data_dir in zip(infos, dirs, strict=True):
        assert httpx.get(f"{info['api_url']}/v1/health", timeout=10).json()["status"] == "ok"
        assert {"username", "password", "role", "shop", "challenge", "totp_secret"} <= info["users"][0].keys()
        assert len(processes_mentioning(str(data_dir))) == 2  # the stack and its shop-api

    for process in reaped:
        process.send_signal(signal.SIGTERM)
    for process in reaped:
        assert process.wait(STOP_TIMEOUT_S) == 0
        assert process.stdout is not None and process.stdout.read() == b""  # the JSON line was all

    for data_dir in dirs:
        assert processes_mentioning(str(data_dir)) == []
    for info in infos:
        assert not listening(info["api_url"]) and not listening(info["aws_endpoint_url"])


def test_closing_stdin_stops_a_watching_stack_and_a_restart_reuses_its_data(
    tmp_path: Path, reaped: list[subprocess.Popen[bytes]]
) -> None:
    data_dir = tmp_path / "watched"
    reaped.append(process := launch(data_dir, "--watch-stdin"))
    info = first_line(process)

    assert process.stdin is not None
    process.stdin.close()

    assert process.wait(STOP_TIMEOUT_S) == 0
    assert processes_mentioning(str(data_dir)) == []
    assert not listening(info["api_url"]) and not listening(info["aws_endpoint_url"])

    # `shop-console demo` keeps a data dir per profile: the next start must serve the same users again.
    reaped.append(again := launch(data_dir, "--watch-stdin"))
    info = first_line(again)
    cashier = next(u for u in info["users"] if u["username"] == "corner-cashier")
    cognito = boto3.client(
        "cognito-idp",
        region_name=info["region"],
        endpoint_url=info["aws_endpoint_url"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    srp = AWSSRP(cashier["username"], cashier["password"], info["user_pool_id"], info["client_id"], client=cognito)
    token = srp.authenticate_user()["AuthenticationResult"]["AccessToken"]
    me = httpx.get(f"{info['api_url']}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert me.status_code == 200 and me.json()["shop"]["name"] == "Corner Grocer"
    assert again.stdin is not None
    again.stdin.close()
    assert again.wait(STOP_TIMEOUT_S) == 0


def test_a_failed_start_cleans_up_and_says_why(tmp_path: Path, reaped: list[subprocess.Popen[bytes]]) -> None:
    data_dir = tmp_path / "doomed"
    # Nothing listens on port 1: shop-api's migrations cannot connect, so it exits during start-up.
    reaped.append(process := launch(data_dir, "--database", "postgresql://nobody@127.0.0.1:1/nowhere"))

    assert process.wait(START_TIMEOUT_S) != 0
    assert process.stdout is not None and process.stdout.read() == b""
    assert processes_mentioning(str(data_dir)) == []
    assert "shop-api exited" in (tmp_path / "doomed.stderr").read_text()


def test_the_stack_ends_when_its_shop_api_dies(tmp_path: Path, reaped: list[subprocess.Popen[bytes]]) -> None:
    data_dir = tmp_path / "orphaned"
    reaped.append(process := launch(data_dir))
    info = first_line(process)
    (api_pid,) = set(processes_mentioning(str(data_dir))) - {process.pid}

    os.kill(api_pid, signal.SIGKILL)

    assert process.wait(STOP_TIMEOUT_S) == 1
    assert processes_mentioning(str(data_dir)) == []
    assert not listening(info["aws_endpoint_url"])
