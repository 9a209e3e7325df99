"""`shop-console demo`: run the local stack (moto + shop-api) as a child process and point a profile at it.

The stack runs in its own process (`python -m backend.devstack`) so that moto and the API never load into the
console. It watches its stdin: when this process ends, however it ends, the pipe closes and the stack stops. The
same pipe carries the demo's "stop backend" / "start backend" (shop-api only; moto stays up), each answered with a
JSON line on the stack's stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from typing import IO, Literal, Protocol

from pydantic import BaseModel

from console import config, paths

START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 15.0


class DemoUser(BaseModel):
    username: str
    password: str
    role: str
    shop: str | None
    challenge: Literal["new_password", "totp"] | None = None
    totp_secret: str | None = None


class StackInfo(BaseModel):
    """The stack's JSON line, as the console reads it."""

    api_url: str
    aws_endpoint_url: str
    region: str
    user_pool_id: str
    client_id: str
    users: list[DemoUser]
    password_policy: str | None = None


class DemoStackError(Exception):
    """The stack did not start, or did not do what it was asked; the message says why."""


class BackendSwitch(Protocol):
    """Stops and starts the demo's shop-api, so a demo user can go offline and come back (the sync screen's key).
    Blocking: call from a worker thread."""

    @property
    def api_running(self) -> bool: ...

    def set_api_running(self, running: bool) -> None: ...


class DemoStack:
    """A running local stack owned by this process."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.data_dir = paths.data_dir() / "demo-stacks" / profile
        self.log_path = paths.state_dir() / f"demo-stack-{profile}.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._command_lock = threading.Lock()
        self.api_running = False

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def set_api_running(self, running: bool) -> None:
        """Stop or start shop-api (on its port: the profile stays valid); returns once the stack says it is done."""
        with self._command_lock:
            process = self._process
            if process is None or process.stdin is None or process.stdout is None or process.poll() is not None:
                raise DemoStackError("the local stack is not running")
            try:
                process.stdin.write(b"api start\n" if running else b"api stop\n")
                process.stdin.flush()
            except OSError as exc:
                raise DemoStackError(f"the local stack did not take the command: {exc}") from exc
            line = _read_line(process.stdout, START_TIMEOUT_S)
            try:
                answer = json.loads(line)
            except ValueError:
                tail = self._log_tail()
                raise DemoStackError(f"the local stack did not answer; its log ends with:\n{tail}") from None
            self.api_running = bool(answer.get("running"))
            if answer.get("error"):
                raise DemoStackError(f"shop-api did not {'start' if running else 'stop'}: {answer['error']}")

    def start(self, database_url: str | None = None) -> StackInfo:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "backend.devstack",
            "--data-dir",
            str(self.data_dir),
            "--watch-stdin",
        ]
        if database_url:
            command += ["--database", database_url]
        with open(self.log_path, "wb") as log:  # this run only, so its tail is about this start
            self._process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, start_new_session=True
            )
        assert self._process.stdout is not None
        line = _read_line(self._process.stdout, START_TIMEOUT_S)
        if not line:
            self.stop()
            raise DemoStackError(f"the local stack did not start; its log ends with:\n{self._log_tail()}")
        try:
            info = StackInfo.model_validate_json(line)
        except ValueError as exc:
            self.stop()
            raise DemoStackError(f"the local stack printed something unexpected: {line[:200]!r}") from exc
        self.api_running = True
        return info

    def stop(self) -> None:
        """Stop the stack and wait for it: closing its stdin asks it to stop, SIGKILL to its group if it hangs."""
        process, self._process = self._process, None
        self.api_running = False
        if process is None:
            return
        with contextlib.suppress(OSError):
            if process.stdin:
                process.stdin.close()
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout:
            process.stdout.close()

    def write_profile(self, info: StackInfo, terminal_id: str = "T1") -> config.Profile:
        profile = profile_for_stack(info, self.profile, terminal_id)
        config.save_profile(profile)
        return profile

    def _log_tail(self, lines: int = 3) -> str:
        """The last messages of the stack's log (JSON lines), as text a person reads; the rest stays in the file."""
        try:
            tail = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return "(no log)"
        messages = []
        for line in tail:
            try:
                messages.append(str(json.loads(line)["message"]))
            except (ValueError, KeyError, TypeError):
                messages.append(line)
        return "\n".join(messages) + f"\n(full log: {self.log_path})"


def profile_for_stack(
    info: StackInfo, name: str, terminal_id: str = "T1", environment: config.Environment = "demo"
) -> config.Profile:
    """A profile for the whole local stack: shop-api, its Cognito pool, and moto for AWS."""
    return config.Profile(
        name=name,
        environment=environment,
        api_url=info.api_url,
        region=info.region,
        user_pool_id=info.user_pool_id,
        client_id=info.client_id,
        aws_endpoint_url=info.aws_endpoint_url,
        # moto accepts any keys; real ones must never be written here.
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        terminal_id=terminal_id,
        password_policy=info.password_policy,
    )


def _read_line(stream: IO[bytes], timeout: float) -> str:
    """One line from a child's stdout, or '' if it ends or the time runs out."""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=min(1.0, deadline - time.monotonic())):
                return stream.readline().decode("utf-8", errors="replace").strip()
    return ""


def terminal_for(profile: str) -> str:
    """Distinct terminal ids for demo profiles started side by side (demo → T1, demo2 → T-demo2)."""
    return "T1" if profile == "demo" else f"T-{profile}"[:16]


def serve_until_signalled(stack: DemoStack, database_url: str | None, out: IO[str] = sys.stdout) -> int:
    """`demo --serve-only`: start, write the profile, print one JSON line, run until SIGINT/SIGTERM."""
    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        info = stack.start(database_url)
        stack.write_profile(info, terminal_for(stack.profile))
        out.write(json.dumps({"profile": stack.profile, **info.model_dump()}) + "\n")
        out.flush()
        while not stopping and stack.running:
            time.sleep(0.2)
        return 0 if stopping else 1
    finally:
        stack.stop()
