"""`python -m bench [--quick|--full] [--json]`: every figure as a JSON line beside its floor.

--quick (the default) finishes within about 90 s on a 2-core machine, using 20,000 products where the full set
uses 100,000 and 1,000 queued ops where it drains 10,000 (such figures say so in a suffix: `_20k`, `_1k`);
--full runs every figure at full size (about 10 minutes).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from bench import local, screens, startup, sync
from bench.data import FULL_SIZE, QUICK_SIZE
from bench.harness import Figure, emit

Suite = Callable[[bool], Iterator[Figure]]


def _startup(full: bool) -> Iterator[Figure]:
    return startup.figures(runs=9 if full else 5)


def _local(full: bool) -> Iterator[Figure]:
    return local.figures(FULL_SIZE if full else QUICK_SIZE)


def _sync(full: bool) -> Iterator[Figure]:
    from bench.stack import BenchCognito  # moto: only for the figures that need a server

    cognito = BenchCognito()
    try:
        yield from sync.figures(
            cognito,
            pull_size=FULL_SIZE if full else QUICK_SIZE,
            drain_ops=10_000 if full else 1_000,
            concurrent=full,
        )
    finally:
        cognito.close()


def _screens(full: bool) -> Iterator[Figure]:
    return screens.figures(FULL_SIZE if full else QUICK_SIZE)


SUITES: list[Suite] = [_startup, _local, _screens, _sync]


def _bytecode_cache() -> None:
    """Give this process and its children a bytecode cache, outside the checkout. With PYTHONDONTWRITEBYTECODE set
    (as some shells and CI do) every process would compile every module it imports at every start, which an
    installed console does once; the startup figures would measure the compiler."""
    folder = str(Path(tempfile.gettempdir()) / "shop-console-bench-pycache")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = folder
    sys.dont_write_bytecode = False
    sys.pycache_prefix = folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="the quick set (default)")
    size.add_argument("--full", action="store_true", help="the full set, full sizes")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    _bytecode_cache()
    for suite in SUITES:
        for figure in suite(args.full):
            emit(figure, sys.stdout, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
