"""`shop-console`: the TUI by default, and headless sub-commands for scripts.

Heavy modules (Textual, the app) are imported only by the commands that need them, so headless commands start fast.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from console import config, logs

if TYPE_CHECKING:
    from console.session import SessionService, SignedIn

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
        "serve", parents=[profile_option], help="serve the console to a browser on 127.0.0.1 (sign-in as in a terminal)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000)")
    backups = commands.add_parser(
        "backups",
        parents=[sign_in],
        help="backup and disaster-recovery checks (admin, support); exit 0 OK, 1 WARN/UNKNOWN, 2 FAIL, 4 refused",
    )
    backups.add_argument("--json", action="store_true", help="one JSON document with every check")
    commands.add_parser(
        "runbooks",
        parents=[sign_in],
        help="incident runbooks: list | show NAME | run NAME [--input k=v] [--write] [--yes-low-risk] [--json]",
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
            return _serve(config.load_profile(profile_name), args.port)
        if args.command == "backups":
            return _backups(config.load_profile(profile_name), args)
        if args.command == "runbooks":
            # `shop-console --write runbooks run …` means the same as `… run NAME --write`.
            return _runbooks(config.load_profile(profile_name), args, [*rest, *(["--write"] if write_mode else [])])
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
        return _run_app(profile, info.users, write_mode)
    except demo.DemoStackError as exc:
        print(f"shop-console: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


def _serve(profile: config.Profile, port: int) -> int:
    """Each browser tab gets its own console process, started as in a terminal; loopback only."""
    import shlex

    from textual_serve.server import Server

    command = shlex.join([sys.executable, "-m", "console.cli", "--profile", profile.name])
    Server(command, host="127.0.0.1", port=port, title=f"Shop Console · {profile.name}").serve()
    return 0


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


def _runbooks(profile: config.Profile, args: argparse.Namespace, rest: list[str]) -> int:
    from console.ops.runbooks.command import run_runbooks_command

    session, signed_in = _headless_sign_in(profile, args)
    return run_runbooks_command(rest, profile, signed_in, session.api, sys.stdout, sys.stderr, sys.stdin)


def _run_app(profile: config.Profile, demo_users: Sequence[object] = (), write_mode: bool = False) -> int:
    from console.app import create_app

    logs.setup(profile.environment, profile.terminal_id)
    logs.set_context(profile=profile.name)
    create_app(profile, list(demo_users), write_mode=write_mode).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
