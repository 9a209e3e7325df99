"""`shop-api [serve]`: run the API. Every option can also come from SHOP_API_<OPTION> (e.g. SHOP_API_DATABASE).

Once it accepts connections it prints one JSON line to stdout and nothing else ever goes there:
`{"event": "listening", "url": "http://127.0.0.1:PORT", "database": "sqlite"|"postgresql"}`.
Logs are JSON lines to --log-file, else stderr.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import NoReturn

from pydantic import ValidationError

from backend import __version__
from backend.app import create_app
from backend.db import dialect_of
from backend.middleware import RequestIdLogFilter
from backend.server import ApiServer, bind_socket
from backend.settings import Settings
from common import jsonlog

log = logging.getLogger(__name__)

ENV_PREFIX = "SHOP_API_"
# Allocations minus deallocations of containers before a young-generation collection (Python's default: 700).
_GC_GEN0_THRESHOLD = 20_000

# option -> (settings field, help)
_OPTIONS = {
    "database": ("database_url", "sqlite:///path or postgresql://owner@host/db (default: a file in the data dir)"),
    "app-database": ("app_database_url", "PostgreSQL URL to serve as (default: --database as user shop_api_app)"),
    "host": ("host", "address to listen on (default 127.0.0.1)"),
    "port": ("port", "port to listen on, 0 for any free one (default 8080)"),
    "region": ("region", "Cognito region (default us-east-1)"),
    "user-pool-id": ("user_pool_id", "Cognito user pool id"),
    "client-id": ("client_id", "Cognito app client id the access tokens must be issued to"),
    "jwks-url": ("jwks_url", "JWKS URL (default: the issuer's /.well-known/jwks.json)"),
    "issuer": ("issuer", "token issuer (default: https://cognito-idp.REGION.amazonaws.com/POOL)"),
    "environment": ("environment", "environment name for the logs (default development)"),
    "log-file": ("log_file", "write JSON log lines here instead of stderr"),
}
_FLAGS = {"exit-on-stdin-eof": ("exit_on_stdin_eof", "shut down when stdin closes (when run by another process)")}


def _env(option: str) -> str | None:
    return os.environ.get(ENV_PREFIX + option.upper().replace("-", "_"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shop-api", description="The Shop Console backend API.")
    parser.add_argument("command", nargs="?", choices=("serve",), default="serve")
    for option, (field, help_text) in _OPTIONS.items():
        env = ENV_PREFIX + option.upper().replace("-", "_")
        parser.add_argument(f"--{option}", dest=field, default=_env(option), help=f"{help_text} [{env}]")
    for option, (field, help_text) in _FLAGS.items():
        env = ENV_PREFIX + option.upper().replace("-", "_")
        on = (_env(option) or "").strip().lower() in ("1", "true", "yes", "on")
        parser.add_argument(f"--{option}", dest=field, action="store_true", default=on, help=f"{help_text} [{env}]")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = vars(parser.parse_args(argv))
    args.pop("command")
    try:
        settings = Settings(**args)
        database = dialect_of(settings.database_url)
    except ValidationError as exc:
        parser.error(_describe(exc))
    except ValueError as exc:
        parser.error(str(exc))
    handler = jsonlog.configure("shop-api", settings.environment, __version__, settings.log_file)
    handler.addFilter(RequestIdLogFilter())
    # uvicorn stops gracefully on SIGINT/SIGTERM, then re-raises the signal to these handlers: exit 0 then.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _exit_cleanly)

    try:
        sock = bind_socket(settings.host, settings.port)
    except OSError as exc:
        log.error("cannot listen", extra={"host": settings.host, "port": settings.port, "error": str(exc)})
        print(f"shop-api: cannot listen on {settings.host}:{settings.port}: {exc}", file=sys.stderr)
        return 1

    def announce(url: str) -> None:
        log.info("listening", extra={"url": url, "database": database})
        print(json.dumps({"event": "listening", "url": url, "database": database}), flush=True)

    server = ApiServer(create_app(settings), sock, on_ready=announce)
    if settings.exit_on_stdin_eof:
        threading.Thread(target=_stop_at_stdin_eof, args=(server,), name="stdin-eof", daemon=True).start()
    _tune_gc()
    server.serve_forever()
    log.info("stopped")
    return 0


def _tune_gc() -> None:
    """The modules and app loaded so far never become garbage: the cycle collector stops scanning them, and runs
    less often, since a request allocates thousands of short-lived containers (a push of 200 sales, far more)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(_GC_GEN0_THRESHOLD, *gc.get_threshold()[1:])


def _describe(error: ValidationError) -> str:
    """Validation errors in terms of options, without echoing the values (a URL may carry a password)."""
    options = {field: option for option, (field, _) in (_OPTIONS | _FLAGS).items()}
    problems = []
    for item in error.errors():
        where = ", ".join(f"--{options.get(str(part), part)}" for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    return "; ".join(problems)


def _exit_cleanly(signum: int, _frame: FrameType | None) -> NoReturn:
    log.info("stopped by signal", extra={"signal": signal.Signals(signum).name})
    raise SystemExit(0)


def _stop_at_stdin_eof(server: ApiServer) -> None:
    """The parent holds our stdin: when it exits (or closes it on purpose) we stop, never left behind."""
    # os.read on fd 0, not sys.stdin: a daemon thread blocked in a buffered read holds its lock and aborts
    # the interpreter's shutdown.
    try:
        while os.read(0, 65536):
            pass
    except OSError:
        pass  # no stdin at all counts as closed
    log.info("stdin closed: shutting down")
    server.should_exit = True


if __name__ == "__main__":
    sys.exit(main())
