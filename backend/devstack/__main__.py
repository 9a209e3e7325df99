"""`python -m backend.devstack --data-dir DIR [--database URL] [--watch-stdin]`

Starts the stack, prints its `StackInfo` as one JSON line on stdout, and runs until SIGINT or SIGTERM (or, with
--watch-stdin, until stdin closes: the parent is gone), then stops everything and exits 0. Exits 1 when the stack
cannot start or shop-api dies under it. Logs go to stderr as JSON lines.

With --watch-stdin it also takes commands on stdin, one a line: `api stop` stops shop-api only (moto stays up; the
demo goes offline) and `api start` starts it again on the same port. Each is answered with one JSON line on stdout,
`{"event": "api", "running": true|false}` plus `"error"` when it failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import queue
import signal
import sys
import threading
from pathlib import Path

from backend import __version__
from backend.devstack.stack import DevStack
from common import jsonlog

log = logging.getLogger("backend.devstack")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.devstack", description=__doc__.split("\n\n")[1])
    parser.add_argument("--data-dir", type=Path, required=True, help="where the SQLite database and logs go")
    parser.add_argument("--database", help="shop-api's database URL (default: SQLite in the data dir)")
    parser.add_argument("--watch-stdin", action="store_true", help="stop when stdin reaches end of file")
    args = parser.parse_args(argv)
    jsonlog.configure("shop-devstack", "demo", __version__, None)

    stop = threading.Event()
    commands: queue.Queue[str] = queue.Queue()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if args.watch_stdin:
        threading.Thread(target=_read_stdin, args=(stop, commands), name="stdin", daemon=True).start()

    stack = DevStack(args.data_dir, args.database)
    try:
        info = stack.start()  # cleans up after itself when it fails
    except Exception as exc:
        log.error("the dev stack did not start: %s", exc, exc_info=exc)
        return 1
    try:
        print(info.to_json(), flush=True)
        while not stop.is_set():
            with contextlib.suppress(queue.Empty):  # a timed wait lets the signal handlers run
                _run_command(stack, commands.get(timeout=1.0))
            if not stack.api_running and not stack.api_paused:
                log.error("shop-api exited on its own; stopping the stack")
                return 1
    finally:
        stack.stop()
    return 0


def _run_command(stack: DevStack, command: str) -> None:
    answer: dict[str, object] = {"event": "api"}
    try:
        if command == "api stop":
            stack.stop_api()
        elif command == "api start":
            stack.start_api()
        else:
            answer["error"] = f"unknown command {command!r}"
    except Exception as exc:  # the answer says what failed; the stack itself goes on
        log.error("command %r failed: %s", command, exc, exc_info=exc)
        answer["error"] = str(exc)
    answer["running"] = stack.api_running
    print(json.dumps(answer), flush=True)


def _read_stdin(stop: threading.Event, commands: queue.Queue[str]) -> None:
    """Commands, one a line, until end of file (the parent is gone): then stop."""
    for line in sys.stdin.buffer:
        if line.strip():
            commands.put(line.decode("utf-8", errors="replace").strip())
    stop.set()


if __name__ == "__main__":
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    # Everything is stopped; skip the interpreter's teardown of moto's large in-memory state (about 1.5 s).
    os._exit(code)
