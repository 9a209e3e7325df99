"""The `shop-api` console script as a process: ready line, options from the environment, clean shutdowns."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from shop_api_testkit import SHOP_API, Cognito, start_shop_api

import backend


def _sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'shop-api.db'}"


def test_ready_line_then_clean_exit_when_stdin_closes(tmp_path: Path, cognito: Cognito) -> None:
    args = ["--database", _sqlite(tmp_path), *cognito.api_args()]
    with start_shop_api(args, tmp_path / "api.log") as api:
        assert set(api.ready) == {"event", "url", "database"}
        assert api.ready["event"] == "listening"
        assert api.ready["database"] == "sqlite"
        assert api.url.startswith("http://127.0.0.1:") and not api.url.endswith(":0")
        assert httpx.get(f"{api.url}/v1/health", timeout=10).json()["status"] == "ok"
        assert api.stop() == 0
        assert api.process.stdout is not None and api.process.stdout.read() == ""  # one line, ever
    records = api.log_records()  # every line is JSON
    assert {"listening", "stdin closed: shutting down", "stopped"} <= {r["message"] for r in records}
    assert all(r["service"] == "shop-api" and r["version"] == backend.__version__ for r in records)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_it_cleanly(tmp_path: Path, cognito: Cognito, signum: signal.Signals) -> None:
    with start_shop_api(["--database", _sqlite(tmp_path), *cognito.api_args()], tmp_path / "api.log") as api:
        api.process.send_signal(signum)
        assert api.process.wait(15) == 0
    assert any(r.get("signal") == signum.name for r in api.log_records())


def test_options_from_environment_and_default_database(tmp_path: Path, cognito: Cognito) -> None:
    """No options at all: SHOP_API_* give them, and the database defaults to the data dir (XDG_DATA_HOME)."""
    env = {
        "SHOP_API_PORT": "0",
        "SHOP_API_USER_POOL_ID": cognito.pool_id,
        "SHOP_API_CLIENT_ID": cognito.client_id,
        "SHOP_API_JWKS_URL": cognito.jwks_url,
        "SHOP_API_LOG_FILE": str(tmp_path / "env.log"),
        "SHOP_API_EXIT_ON_STDIN_EOF": "true",
        "SHOP_API_ENVIRONMENT": "test-env",
    }
    with start_shop_api([], tmp_path / "env.log", env=env) as api:
        token = cognito.sign_in("cg.cashier")["AccessToken"]
        response = httpx.get(f"{api.url}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code == 403  # the token was accepted; this new database has no staff
    assert api.log_records()[0]["environment"] == "test-env"
    data_home = Path(os.environ["XDG_DATA_HOME"])
    assert (data_home / "shop-api" / "shop-api.db").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--user-pool-id", "us-east-1_x", "--port", "http"],
            "--port: Input should be a valid integer, unable to parse string as an integer; --client-id: Field",
        ),
        (["--user-pool-id", "us-east-1_x", "--client-id", "app", "--database", "mysql://db"], "unsupported database"),
    ],
)
def test_bad_settings_exit_2_with_a_message(tmp_path: Path, args: list[str], message: str) -> None:
    result = subprocess.run(
        [str(SHOP_API), "--database", _sqlite(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_port_in_use_exits_1(tmp_path: Path, cognito: Cognito) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        args = [str(SHOP_API), "--database", _sqlite(tmp_path), "--port", port, *cognito.api_args()]
        result = subprocess.run(args, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert "cannot listen" in result.stderr
    assert result.stdout == ""


_PARENT = """
import json, subprocess, sys, time
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
ready = json.loads(child.stdout.readline())
print(json.dumps({"pid": child.pid, "url": ready["url"]}), flush=True)
time.sleep(600)
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")  # a zombie has exited; only its reaping is left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_parent_killed_leaves_nothing_behind(tmp_path: Path, cognito: Cognito) -> None:
    command = [str(SHOP_API), "--database", _sqlite(tmp_path), "--port", "0", "--exit-on-stdin-eof"]
    command += [*cognito.api_args(), "--log-file", str(tmp_path / "api.log")]
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, *command], stdout=subprocess.PIPE, text=True)
    try:
        child = json.loads(parent.stdout.readline())  # type: ignore[union-attr]
        assert httpx.get(f"{child['url']}/v1/health", timeout=10).status_code == 200
        parent.kill()  # SIGKILL: the parent cannot clean up; only the closed pipe tells the child
        parent.wait()
        deadline = time.monotonic() + 15
        while _running(child["pid"]):
            assert time.monotonic() < deadline, "shop-api outlived its parent"
            time.sleep(0.05)
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{child['url']}/v1/health", timeout=2)
    finally:
        parent.kill()
        parent.wait()
        if parent.stdout:
            parent.stdout.close()
