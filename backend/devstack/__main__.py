"""`python -m backend.devstack --data-dir DIR [--database URL] [--watch-stdin]`

Starts the stack, prints its `StackInfo` as one JSON line on stdout, and runs until SIGINT or SIGTERM (or, with
--watch-stdin, until stdin closes: the parent is gone), then stops everything and exits 0. Exits 1 when the stack
cannot start or shop-api dies under it. Logs go to stderr as JSON lines.
"""

from __future__ import annotations

import argparse
import logging
import os
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
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if args.watch_stdin:
        threading.Thread(target=_wait_for_eof, args=(stop,), name="stdin-eof", daemon=True).start()

    stack = DevStack(args.data_dir, args.database)
    try:
        info = stack.start()  # cleans up after itself when it fails
    except Exception as exc:
        log.error("the dev stack did not start: %s", exc, exc_info=exc)
        return 1
    try:
        print(info.to_json(), flush=True)
        while not stop.wait(1.0):  # a timed wait lets the main thread run the signal handlers
            if not stack.api_running:
                log.error("shop-api exited on its own; stopping the stack")
                return 1
    finally:
        stack.stop()
    return 0


def _wait_for_eof(stop: threading.Event) -> None:
    while sys.stdin.buffer.read1(65536):
        pass
    stop.set()


if __name__ == "__main__":
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    # Everything is stopped; skip the interpreter's teardown of moto's large in-memory state (about 1.5 s).
    os._exit(code)
