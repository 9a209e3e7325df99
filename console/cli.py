"""`shop-console`: the TUI by default, and headless sub-commands for scripts.

Heavy modules (Textual, the app) are imported only by the commands that need them, so headless commands start fast.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from console import config, logs

if TYPE_CHECKING:
    from console.demo import BackendSwitch
    from console.session import SessionService, SignedIn
    from offline_cache.engine import SyncReport
    from offline_cache.models import OutboxOp

# sysexits' numbers, so that 1, 2 and 3 stay free for what commands report (e.g. `backups`: 2 = a check failed).
EXIT_USAGE = 64
EXIT_CONFIG = 78


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def _parser() -> argparse.ArgumentParser:
    # --profile is accepted before or after the sub-command; SUPPRESS keeps a sub-parser from erasing it.
    profile_option = _Parser(add_help=False)
    profile_option.add_argument("--profile", default=argparse.SUPPRESS, help="profile name (or SHOP_CONSOLE_PROFILE)")
    # Headless sign-in: a stored session, or these; never a prompt (DESIGN.md, console/headless.py).
    sign_in = _Parser(add_help=False, parents=[profile_option])
    sign_in.add_argument("--username", help="sign in as this user (or SHOP_CONSOLE_USERNAME)")
    sign_in.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (else SHOP_CONSOLE_PASSWORD)"
    )

    # The TUI's actions (admin only): accepted before or after `demo`, as --profile is.
    write_option = _Parser(add_help=False)
    write_option.add_argument(
        "--write", action="store_true", default=argparse.SUPPRESS, help="allow admin actions (read-only without it)"
    )

    parser = _Parser(
        prog="shop-console",
        description="A terminal console for running shops.",
        parents=[profile_option, write_option],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        parents=[profile_option, write_option],
        help="start the local stack (moto + shop-api) and the console on it",
    )
    demo.add_argument("--serve-only", action="store_true", help="run the stack only; print its details as JSON")
    demo.add_argument("--database", metavar="URL", help="shop-api database (default: SQLite in the data dir)")
    serve = commands.add_parser(
        "serve",
        parents=[profile_option, write_option],
        help="serve the console to a browser on 127.0.0.1 (sign-in as in a terminal)",
    )
    serve.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000)")
    backups = commands.add_parser(
        "backups",
        parents=[sign_in],
        help="backup and disaster-recovery checks (admin, support); exit 0 OK, 1 WARN/UNKNOWN, 2 FAIL, 4 refused",
    )
    backups.add_argument("--json", action="store_true", help="one JSON document with every check")
    deployments = commands.add_parser(
        "deployments",
        parents=[sign_in],
        help="ECS services, deployments and drift from the environment (admin, support); exit 0 steady, 1 drift",
    )
    deployments.add_argument("--json", action="store_true", help="one JSON document")
    logs_command = commands.add_parser(
        "logs", parents=[sign_in], help="the API's logs (admin, support): tail, or run a saved Logs Insights query"
    )
    logs_command.add_argument("logs_command", choices=("tail", "query"), metavar="tail|query")
    logs_command.add_argument("query", nargs="?", metavar="NAME", help="a saved query (query only; none: the list)")
    logs_command.add_argument("--since", default="1h", help="how far back: 15m, 1h, 3h, 1d (default: 1h)")
    logs_command.add_argument("--filter", default="", help="tail: only lines containing this text")
    logs_command.add_argument("--follow", action="store_true", help="tail: keep following new events until SIGINT")
    logs_command.add_argument("--json", action="store_true", help="JSON lines")
    commands.add_parser(
        "runbooks",
        parents=[sign_in],
        help="incident runbooks: list | show NAME | run NAME [--input k=v] [--write] [--yes-low-risk] [--json]",
    )
    sync = commands.add_parser(
        "sync",
        parents=[sign_in],
        help="send the offline queue and pull changes; exit 0 drained, 1 ops remain, 3 sign-in failed",
    )
    sync.add_argument("--once", action="store_true", help="one push and pull, then exit (else until SIGINT/SIGTERM)")
    sync.add_argument("--json", action="store_true", help="each cycle's counts as one JSON line")
    queue = commands.add_parser("queue", parents=[profile_option], help="the offline queue of this terminal")
    queue_commands = queue.add_subparsers(dest="queue_command", metavar="ACTION", required=True)
    queue_list = queue_commands.add_parser("list", parents=[profile_option], help="every op not done yet")
    queue_list.add_argument("--json", action="store_true", help="a JSON array")
    for action, helps in (
        ("export", "write every unfinished op to FILE (JSON), to replay elsewhere"),
        ("import", "replay another terminal's export here (same op ids: applied once)"),
    ):
        queue_commands.add_parser(action, parents=[profile_option], help=helps).add_argument("file", metavar="FILE")
    commands.add_parser(
        "reset",
        parents=[profile_option],
        help="remove this profile's local data; refused while unsent or dead ops are not exported",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # A closed pipe (`shop-console backups | head`) ends the command quietly, as any Unix tool does.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = _parser()
    # The runbooks command parses its own arguments (list, show, run …); every other command takes none extra.
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != "runbooks":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    profile_name: str | None = getattr(args, "profile", None)
    write_mode: bool = getattr(args, "write", False)
    try:
        if args.command == "demo":
            return _demo(profile_name or "demo", args.serve_only, args.database, write_mode)
        if args.command == "serve":
            return _serve(config.load_profile(profile_name), args.port, write_mode)
        if args.command == "backups":
            return _backups(config.load_profile(profile_name), args)
        if args.command == "deployments":
            return _deployments(config.load_profile(profile_name), args)
        if args.command == "logs":
            return _logs(config.load_profile(profile_name), args)
        if args.command == "runbooks":
            # `shop-console --write runbooks run …` means the same as `… run NAME --write`.
            return _runbooks(config.load_profile(profile_name), args, [*rest, *(["--write"] if write_mode else [])])
        if args.command == "sync":
            return _sync(config.load_profile(profile_name), args)
        if args.command == "queue":
            return _queue(config.load_profile(profile_name), args)
        if args.command == "reset":
            return _reset(config.load_profile(profile_name))
        return _run_app(config.load_profile(profile_name), write_mode=write_mode)
    except config.ConfigError as exc:
        print(f"shop-console: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def _demo(profile_name: str, serve_only: bool, database_url: str | None, write_mode: bool) -> int:
    from console import demo

    logs.setup("demo", demo.terminal_for(profile_name))
    stack = demo.DemoStack(profile_name)
    try:
        if serve_only:
            return demo.serve_until_signalled(stack, database_url)
        print("Starting the local stack (moto + shop-api)…", file=sys.stderr)
        info = stack.start(database_url)
        profile = stack.write_profile(info, demo.terminal_for(profile_name))
        return _run_app(profile, info.users, write_mode, backend_switch=stack)
    except demo.DemoStackError as exc:
        print(f"shop-console: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


def _serve(profile: config.Profile, port: int, write_mode: bool) -> int:
    """Each browser tab gets its own console process, started as in a terminal; loopback only."""
    from textual_serve.server import Server

    command = serve_command(profile.name, write_mode)
    Server(command, host="127.0.0.1", port=port, title=f"Shop Console · {profile.name}").serve()
    return 0


def serve_command(profile_name: str, write_mode: bool) -> str:
    """The console a served browser tab runs: this profile, and `--write` when `serve` was given it."""
    import shlex

    return shlex.join(
        [sys.executable, "-m", "console.cli", "--profile", profile_name, *(["--write"] if write_mode else [])]
    )


def _headless_sign_in(profile: config.Profile, args: argparse.Namespace) -> tuple[SessionService, SignedIn]:
    """Sign in for a headless command, or exit 3 with one line on stderr."""
    from console import headless

    logs.setup(profile.environment, profile.terminal_id)
    logs.set_context(profile=profile.name)
    try:
        session, signed_in = headless.sign_in(profile, args.username, args.password_stdin, sys.stdin)
    except headless.HeadlessAuthError as exc:
        print(f"shop-console: {exc}", file=sys.stderr)
        raise SystemExit(headless.EXIT_AUTH) from exc
    logs.set_context(user=signed_in.identity.username, shop=signed_in.identity.shop_name)
    return session, signed_in


def _backups(profile: config.Profile, args: argparse.Namespace) -> int:
    from console.ops.backups import run_backups_command

    _session, signed_in = _headless_sign_in(profile, args)
    return run_backups_command(profile, signed_in.identity.role, args.json, sys.stdout)


def _deployments(profile: config.Profile, args: argparse.Namespace) -> int:
    from console.ops.deployments import run_deployments_command

    _session, signed_in = _headless_sign_in(profile, args)
    return run_deployments_command(profile, signed_in.identity.role, args.json, sys.stdout)


def _logs(profile: config.Profile, args: argparse.Namespace) -> int:
    from console.ops.logs import run_logs_command

    _session, signed_in = _headless_sign_in(profile, args)
    return run_logs_command(profile, signed_in.identity.role, args, sys.stdout, sys.stderr)


def _runbooks(profile: config.Profile, args: argparse.Namespace, rest: list[str]) -> int:
    from console.ops.runbooks.command import run_runbooks_command

    session, signed_in = _headless_sign_in(profile, args)
    return run_runbooks_command(rest, profile, signed_in, session.api, sys.stdout, sys.stderr, sys.stdin)


def _sync(profile: config.Profile, args: argparse.Namespace) -> int:
    from console import sync_service

    session, _signed_in = _headless_sign_in(profile, args)
    printed_error: str | None = None

    def show(report: SyncReport) -> None:
        nonlocal printed_error
        busy = report.pushed or report.duplicate or report.rejected or report.conflicts or report.pulled
        if args.once or busy:  # a loop says nothing while there is nothing to do
            line = (
                json.dumps(report.as_json())
                if args.json
                else f"pushed {report.pushed}, duplicate {report.duplicate}, rejected {report.rejected}, "
                f"conflicts {report.conflicts}, pulled {report.pulled}, remaining {report.remaining}"
            )
            print(line, flush=True)
        if report.error and report.error != printed_error:  # a loop waiting out an outage says so once
            print(f"shop-console sync: {report.error}", file=sys.stderr, flush=True)
        printed_error = report.error

    if args.once:
        outcome = sync_service.sync_once(profile, session)
        show(outcome.report)
    else:
        outcome = sync_service.sync_until_signalled(profile, session, show)
    if not outcome.drained:
        queue = outcome.queue
        print(
            f"shop-console sync: {queue.unsent} unsent, {queue.dead} dead, {queue.conflicts} in conflict "
            "(shop-console queue list)",
            file=sys.stderr,
        )
    return 0 if outcome.drained else 1


def _queue(profile: config.Profile, args: argparse.Namespace) -> int:
    from pathlib import Path

    from console import sync_service
    from offline_cache.exchange import ImportRefused

    logs.setup(profile.environment, profile.terminal_id)
    logs.set_context(profile=profile.name)
    if args.queue_command == "list":
        _print_ops(sync_service.list_queue(profile), args.json)
        return 0
    path = Path(args.file)
    if args.queue_command == "export":
        try:
            count = sync_service.export_queue(profile, path)
        except OSError as exc:
            print(f"shop-console queue export: {exc}", file=sys.stderr)
            return 1
        print(f"exported {count} operation(s) to {path}")
        return 0
    try:
        result = sync_service.import_queue(profile, path)
    except ImportRefused as exc:
        print(f"shop-console queue import: {exc}", file=sys.stderr)
        return 1
    print(f"queued {result.added} operation(s) from {path}; {result.already_queued} were here already")
    return 0


def _print_ops(ops: Sequence[OutboxOp], as_json: bool) -> None:
    rows = [
        {
            "seq": op.seq,
            "id": op.id,
            "type": op.type,
            "status": op.status,
            "blocked": op.blocked,
            "attempts": op.attempts,
            "last_error": op.last_error,
            "created_at": op.created_at,
        }
        for op in ops
    ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        print("The queue is empty.")
        return
    for row in rows:
        status = f"{row['status']} (blocked)" if row["blocked"] else row["status"]
        print(
            f"{row['seq']:>6}  {row['id']}  {row['type']:<14} {status:<18} {row['attempts']:>3}  "
            f"{row['created_at']}  {row['last_error'] or ''}".rstrip()
        )


def _reset(profile: config.Profile) -> int:
    from console import sync_service

    logs.setup(profile.environment, profile.terminal_id)
    logs.set_context(profile=profile.name)
    try:
        outcome = sync_service.reset_profile(profile)
    except OSError as exc:
        print(f"shop-console reset: could not remove the local data: {exc}", file=sys.stderr)
        return 1
    if outcome.removed is None:
        print(f"shop-console reset: refused: {outcome.check.reason}", file=sys.stderr)
        return 1
    print(f"removed the local data of profile {profile.name} ({outcome.removed})")
    return 0


def _run_app(
    profile: config.Profile,
    demo_users: Sequence[object] = (),
    write_mode: bool = False,
    backend_switch: BackendSwitch | None = None,
) -> int:
    from console.app import create_app

    logs.setup(profile.environment, profile.terminal_id)
    logs.set_context(profile=profile.name)
    create_app(profile, list(demo_users), write_mode=write_mode, backend_switch=backend_switch).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
