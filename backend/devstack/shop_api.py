"""The shop-api server as a child process: started with the stack's settings, ready when it prints its address.

The child watches its stdin (`--exit-on-stdin-eof`), so it ends with this process however this process ends.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 60.0  # generous: a loaded CI machine starts Python slowly
STOP_TIMEOUT_S = 5.0


class ShopApiError(RuntimeError):
    """shop-api did not come up; the message carries the end of its output."""


@dataclass(frozen=True)
class ShopApiSettings:
    database_url: str
    region: str
    user_pool_id: str
    client_id: str
    jwks_url: str
    issuer: str
    log_file: Path
    environment: str = "demo"
    port: int = 0  # 0: a free one; a restart asks for the port it had, so clients' URLs stay valid

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "backend.cli",
            "serve",
            "--database",
            self.database_url,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--region",
            self.region,
            "--user-pool-id",
            self.user_pool_id,
            "--client-id",
            self.client_id,
            "--jwks-url",
            self.jwks_url,
            "--issuer",
            self.issuer,
            "--environment",
            self.environment,
            "--log-file",
            str(self.log_file),
            "--exit-on-stdin-eof",
        ]


class ShopApiProcess:
    def __init__(self, settings: ShopApiSettings, output_path: Path) -> None:
        self.settings = settings
        self.output_path = output_path  # the child's stderr, and stdout after the ready line
        self._process: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None
        self._reader: _StdoutReader | None = None
        self._terminated = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the child; `wait_ready()` then gives its URL."""
        self._output = open(self.output_path, "ab")  # noqa: SIM115 - lives as long as the child
        # The stack decides every setting: SHOP_API_* variables of the caller's shell must not creep in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_API_")}
        self._process = subprocess.Popen(
            self.settings.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._output, env=env
        )
        self._reader = _StdoutReader(self._process.stdout, self._output)  # type: ignore[arg-type]

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> str:
        """The child's URL once it listens (its migrations have run by then); ShopApiError if it never does."""
        assert self._process is not None and self._reader is not None, "start() first"
        url = self._reader.wait_ready(timeout)
        if url is None:
            exit_code = self._process.poll()
            state = f"exited with {exit_code}" if exit_code is not None else f"not ready after {timeout:.0f} s"
            raise ShopApiError(f"shop-api {state}; its log ends with:\n{self._log_tail()}")
        return url

    def request_stop(self) -> None:
        """Send SIGTERM without waiting (once: a second signal would cut its graceful shutdown short)."""
        if self._process is not None and not self._terminated and self._process.poll() is None:
            self._process.terminate()
            self._terminated = True

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """SIGTERM, then SIGKILL after `timeout`; safe to call twice."""
        self.request_stop()
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()  # type: ignore[union-attr]
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("shop-api ignored SIGTERM for %.0f s; killing it", timeout)
                process.kill()
                process.wait()
            if self._reader is not None:
                self._reader.join()  # the child is gone: its stdout is at EOF
            process.stdout.close()  # type: ignore[union-attr]
        if self._output is not None:
            self._output.close()
            self._output = None

    def _log_tail(self, lines: int = 5) -> str:
        """The end of its log file and of its other output (a crash before logging is set up lands there)."""
        tails = []
        for path in (self.settings.log_file, self.output_path):
            try:
                tails += path.read_text(errors="replace").splitlines()[-lines:]
            except OSError:
                continue
        return "\n".join(tails) or "(nothing)"


class _StdoutReader:
    """Reads the child's stdout on a thread: the `listening` event gives the URL; the rest goes to the output
    file, so a chatty child can never block on a full pipe."""

    def __init__(self, stdout: IO[bytes], sink: IO[bytes]) -> None:
        self._stdout = stdout
        self._sink = sink
        self._url: str | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._pump, name="shop-api-stdout", daemon=True)
        self._thread.start()

    def wait_ready(self, timeout: float) -> str | None:
        self._done.wait(timeout)
        return self._url

    def join(self) -> None:
        self._thread.join(timeout=2.0)

    def _pump(self) -> None:
        with contextlib.suppress(ValueError, OSError):  # the output file closed under us at stop
            for line in self._stdout:
                if not self._done.is_set():
                    with contextlib.suppress(ValueError):
                        event = json.loads(line)
                        if isinstance(event, dict) and event.get("event") == "listening":
                            self._url = str(event["url"])
                            self._done.set()
                            continue
                self._sink.write(line)
                self._sink.flush()
        self._done.set()  # the child closed its stdout: it will not become ready
