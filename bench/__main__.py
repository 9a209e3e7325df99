"""`python -m bench [--quick|--full] [--json]`: every figure as a JSON line beside its floor.

--quick (the default) finishes within about 90 s on a 2-core machine, using 20,000 products where the full set
uses 100,000 (such figures say so with a `_20k` suffix); --full runs every figure at full size.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator

from bench import startup
from bench.harness import Figure, emit

Suite = Callable[[bool], Iterator[Figure]]


def _startup(full: bool) -> Iterator[Figure]:
    return startup.figures(runs=9 if full else 5)


SUITES: list[Suite] = [_startup]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="the quick set (default)")
    size.add_argument("--full", action="store_true", help="the full set, full sizes")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    for suite in SUITES:
        for figure in suite(args.full):
            emit(figure, sys.stdout, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
