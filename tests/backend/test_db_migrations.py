"""Versioned migrations on SQLite and PostgreSQL: once each, idempotent, concurrent-safe, same schema on both."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from shop_api_testkit import new_postgres_database

from backend.db import create_engine, migrate
from backend.db.migrate import schema_migrations
from backend.db.migrations import MIGRATIONS
from backend.db.tables import metadata
from backend.seed import seed_tenancy

ALL_VERSIONS = [m.version for m in MIGRATIONS]
SHOP = {"id": "5b0e7f3c-96a1-4c2e-b6d4-2f8a1c9e7d30", "name": "Test Shop", "currency": "GBP"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        with new_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'shop-api.db'}"


@pytest.fixture
def engine(fresh_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(fresh_url)
    yield engine
    engine.dispose()


def test_versions_increase_from_1() -> None:
    # Gaps are allowed: a version may be reserved for a migration that lands later (it is applied when it does,
    # since migrate() applies every listed version not yet recorded).
    assert ALL_VERSIONS[0] == 1
    assert sorted(set(ALL_VERSIONS)) == ALL_VERSIONS  # increasing, each once
    assert len({m.name for m in MIGRATIONS}) == len(MIGRATIONS)


def test_migrations_apply_once(engine: sa.Engine) -> None:
    assert migrate(engine) == ALL_VERSIONS
    assert migrate(engine) == []
    with engine.connect() as conn:
        recorded = conn.execute(sa.select(schema_migrations.c.version, schema_migrations.c.name)).all()
    assert recorded == [(m.version, m.name) for m in MIGRATIONS]


def test_concurrent_migrators_apply_each_migration_once(engine: sa.Engine) -> None:
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(migrate(engine))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(results) == [[], [], ALL_VERSIONS]


def test_tables_module_matches_the_migrated_schema(engine: sa.Engine) -> None:
    migrate(engine)
    inspector = sa.inspect(engine)
    assert set(metadata.tables) == set(inspector.get_table_names()) - {"schema_migrations"}
    for table in metadata.sorted_tables:
        migrated = {c["name"]: c["nullable"] for c in inspector.get_columns(table.name)}
        assert migrated == {c.name: c.nullable for c in table.columns}, table.name


def test_seed_is_idempotent_and_updates(fresh_url: str) -> None:
    staff = [{"sub": "sub-1", "shop_id": SHOP["id"], "username": "u1", "display_name": "One"}]
    seed_tenancy(fresh_url, [SHOP], staff)
    seed_tenancy(fresh_url, [{**SHOP, "name": "Renamed"}], [{**staff[0], "display_name": "Uno"}])
    engine = create_engine(fresh_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT name, currency FROM shops")).all() == [("Renamed", "GBP")]
            staff_rows = conn.execute(sa.text("SELECT sub, display_name, active FROM staff")).all()
            assert [(sub, name, bool(active)) for sub, name, active in staff_rows] == [("sub-1", "Uno", True)]
    finally:
        engine.dispose()


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'shop-api.db'}")
    try:
        with engine.connect() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        engine.dispose()
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000, "synchronous": 2}


def test_sqlite_enforces_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop-api.db'}"
    with pytest.raises(sa.exc.IntegrityError):
        seed_tenancy(url, [], [{"sub": "s", "shop_id": SHOP["id"], "username": "u", "display_name": "U"}])


@pytest.mark.parametrize("url", ["mysql://db/x", "sqlite://", "sqlite:///:memory:"])
def test_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        create_engine(url)
