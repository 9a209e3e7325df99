"""Reusing another test directory's fixtures as they are: pytest only sees a conftest's fixtures below its own
directory, so a suite that builds on them (tests/security, tests/faults) loads that conftest under a name of its
own and re-exports the fixtures from its conftest."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
# tests/backend/conftest.py: moto's test pool, a database per module on SQLite and PostgreSQL, shop-api on it.
BACKEND_FIXTURES = [
    "moto_endpoint",
    "cognito",
    "postgres_url",
    "empty_database_url",
    "database_url",
    "shop_api",
    "shop_data_api",
]


def on_path(*directories: str) -> None:
    """Put test directories' helper modules (testkits) on the import path."""
    for directory in directories:
        if str(TESTS / directory) not in sys.path:
            sys.path.insert(0, str(TESTS / directory))


def fixtures_of(directory: str, names: list[str]) -> dict[str, Any]:
    """The named fixtures of tests/<directory>/conftest.py, for `globals().update(...)` in a conftest."""
    module_name = f"{directory}_test_fixtures"
    module = sys.modules.get(module_name)
    if module is None:
        spec = importlib.util.spec_from_file_location(module_name, TESTS / directory / "conftest.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    assert isinstance(module, ModuleType)
    return {name: getattr(module, name) for name in names}
