#!/usr/bin/env python3
"""Quick start on a machine with only Python 3.11+ and pip.

    python3 dev.py demo      # the console on the embedded local stack
    python3 dev.py test      # every test

Each run makes sure the project's virtual environment (.venv) matches uv.lock, then runs the command in it.
uv itself is installed with pip into .tools/, beside the project, so nothing global changes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path
from subprocess import DEVNULL

ROOT = Path(__file__).resolve().parent
UV_VERSION = "0.13.8"
TOOLS = ROOT / ".tools"
UV = TOOLS / "bin" / "uv"
VENV_BIN = ROOT / ".venv" / "bin"
PACKAGES = ("common", "offline_cache", "console", "screens", "backend", "bench", "tests")


def _ensure_uv() -> None:
    stamp = TOOLS / "uv-version"
    if UV.exists() and stamp.exists() and stamp.read_text().strip() == UV_VERSION:
        return
    venv.create(TOOLS, with_pip=True, clear=True)
    subprocess.run(
        [TOOLS / "bin" / "python", "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}"],
        check=True,
    )
    stamp.write_text(UV_VERSION)


def _sync() -> None:
    _ensure_uv()
    # Bytecode compiled once here: with PYTHONDONTWRITEBYTECODE set (as on this machine kind) every process of
    # a run (test workers, servers, the CLI's children) would otherwise compile each module it imports again.
    subprocess.run(
        [UV, "sync", "--locked", "--extra", "test", "--python", sys.executable, "--quiet", "--compile-bytecode"],
        cwd=ROOT,
        check=True,
    )
    subprocess.run(
        [VENV_BIN / "python", "-m", "compileall", "-q", "-j", "0", *PACKAGES], cwd=ROOT, check=True, stdout=DEVNULL
    )


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        print("Shop Console needs Python 3.11 or newer.", file=sys.stderr)
        return 2
    _sync()
    command, rest = argv[0], argv[1:]
    if command == "demo":
        args = [str(VENV_BIN / "shop-console"), "demo", *rest]
    else:
        args = [str(VENV_BIN / "pytest"), "-n", "auto", *rest]
    os.chdir(ROOT)
    os.execv(args[0], args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
