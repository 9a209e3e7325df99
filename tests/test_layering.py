"""DESIGN.md's layering rules, checked in fresh interpreters (what a module drags in, not what it names)."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI_MODULES = {"console.app"}  # the only console module that may import Textual

# layer -> packages whose import anywhere in the layer breaks the rules
FORBIDDEN = {
    "common": ("textual", "console", "screens", "offline_cache", "backend"),
    "offline_cache": ("textual", "console", "screens"),
    "console": ("textual", "screens"),
    "backend": ("textual", "console", "screens", "offline_cache"),
}
SCREEN_FORBIDDEN_IMPORTS = ("httpx", "boto3", "botocore", "sqlite3", "sqlite_utils")


def _modules(package: str) -> list[str]:
    found = [package]
    for info in pkgutil.walk_packages([str(ROOT / package)], prefix=package + "."):
        if info.name not in UI_MODULES and ".__main__" not in info.name:
            found.append(info.name)
    return found


def _loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def _offenders(loaded: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if m.split(".")[0] in forbidden)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_it_must_not(layer: str) -> None:
    modules = _modules(layer)
    if not _offenders(_loaded_after_import(modules), FORBIDDEN[layer]):
        return
    # Name the module that pulls the forbidden import in, one interpreter each.
    culprits = {m: _offenders(_loaded_after_import([m]), FORBIDDEN[layer])[:5] for m in modules}
    pytest.fail(f"{layer} imports what it must not: " + repr({m: bad for m, bad in culprits.items() if bad}))


def test_screens_reach_network_and_storage_only_through_services() -> None:
    offenders = []
    for path in (ROOT / "screens").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in SCREEN_FORBIDDEN_IMPORTS]
    assert not offenders


def test_headless_cli_does_not_load_textual() -> None:
    """Headless sub-commands stay fast: importing the CLI must not pull in Textual."""
    assert not _offenders(_loaded_after_import(["console.cli"]), ("textual",))
