"""`shop-console demo --serve-only`: the JSON line, the profile it writes, two side by side, nothing left after."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from console import config, paths

KEYS = {"profile", "api_url", "aws_endpoint_url", "region", "user_pool_id", "client_id", "users"}


def start(profile: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "console.cli", "demo", "--serve-only", "--profile", profile]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue  # ended while we looked
    return found


def port_open(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((parts.hostname or "", parts.port or 80)) == 0


def test_two_stacks_print_their_line_write_their_profiles_and_leave_nothing_after_sigterm() -> None:
    first, second = start("demo"), start("demo-b")
    try:
        lines = [json.loads(p.stdout.readline()) for p in (first, second)]  # type: ignore[union-attr]
        for line, name in zip(lines, ("demo", "demo-b"), strict=True):
            assert set(line) >= KEYS and line["profile"] == name
            assert {u["challenge"] for u in line["users"]} == {None, "new_password", "totp"}
            profile = config.load_profile(name)
            assert (profile.api_url, profile.aws_endpoint_url) == (line["api_url"], line["aws_endpoint_url"])
            assert profile.environment == "demo" and profile.aws_access_key_id == "testing"
            assert port_open(line["api_url"]) and port_open(line["aws_endpoint_url"])
        assert lines[0]["api_url"] != lines[1]["api_url"]
        assert config.load_profile("demo").terminal_id != config.load_profile("demo-b").terminal_id
    finally:
        for process in (first, second):
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(30) for process in (first, second)]
    assert codes == [0, 0]
    data = str(paths.data_dir() / "demo-stacks")
    deadline = time.monotonic() + 10
    while processes_naming(data) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_naming(data) == [], "a stack process outlived its console"
    for line in lines:
        assert not port_open(line["api_url"]) and not port_open(line["aws_endpoint_url"])


def test_a_stack_that_cannot_start_says_why_in_words() -> None:
    # A database URL shop-api cannot use: the console reports the reason, not a traceback or a JSON log line.
    command = [sys.executable, "-m", "console.cli", "demo", "--serve-only", "--database", "mysql://nowhere/db"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("shop-console: the local stack did not start")
    assert "unsupported database URL scheme 'mysql'" in done.stderr
    assert "Traceback" not in done.stderr and '"level"' not in done.stderr
