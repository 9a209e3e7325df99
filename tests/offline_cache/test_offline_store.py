"""The cache database: how it is opened, its schema version, and migrations from every earlier version."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from offline_cache.db import StorageError, connect, transaction
from offline_cache.migrations import MIGRATIONS, SCHEMA_VERSION, SchemaTooNew, migrate, schema_version
from offline_cache.store import Store


def _schema(path: Path) -> dict[str, str]:
    """Every table, index, trigger and view with its SQL, as SQLite stores it."""
    db = sqlite_utils.Database(path)
    rows = db.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
    return {f"{kind} {name}": " ".join((sql or "").split()) for kind, name, sql in rows}


def test_opens_with_wal_full_sync_foreign_keys_and_busy_timeout(store: Store) -> None:
    pragma = lambda name: store.conn.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == 5000
    assert schema_version(store.conn) == SCHEMA_VERSION


def test_reopening_keeps_the_client_id_and_the_data(tmp_path: Path) -> None:
    with Store.open(tmp_path / "c.db", terminal_id="T1") as first:
        client_id = first.sync_state().client_id
        first.parked.park({"lines": []}, "kept")
    with Store.open(tmp_path / "c.db", terminal_id="T1") as again:
        assert again.sync_state().client_id == client_id
        assert [cart.label for cart in again.parked.list()] == ["kept"]


def test_each_database_gets_its_own_client_id(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.db", terminal_id="T1") as a, Store.open(tmp_path / "b.db", terminal_id="T2") as b:
        assert a.sync_state().client_id != b.sync_state().client_id


@pytest.mark.parametrize("start", range(SCHEMA_VERSION))
def test_migrates_from_every_earlier_version_to_the_same_schema(tmp_path: Path, start: int) -> None:
    old = connect(tmp_path / "old.db")
    migrate(old, target=start)
    assert schema_version(old) == start
    assert migrate(old) == start
    old.close()
    fresh = connect(tmp_path / "fresh.db")
    migrate(fresh)
    fresh.close()
    assert _schema(tmp_path / "old.db") == _schema(tmp_path / "fresh.db")


def test_a_failing_migration_leaves_the_previous_version_whole(tmp_path: Path) -> None:
    conn = connect(tmp_path / "c.db")

    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("power cut")

    MIGRATIONS.append(broken)
    try:
        with pytest.raises(RuntimeError):
            migrate(conn, target=len(MIGRATIONS))
    finally:
        MIGRATIONS.pop()
    assert schema_version(conn) == SCHEMA_VERSION
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchone() is None


def test_refuses_a_database_from_a_newer_release(tmp_path: Path) -> None:
    conn = connect(tmp_path / "c.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNew, match="newer Shop Console"):
        Store.open(tmp_path / "c.db", terminal_id="T1")


def test_a_read_only_database_refuses_writes_with_a_clear_message(tmp_path: Path) -> None:
    Store.open(tmp_path / "c.db", terminal_id="T1").close()
    conn = sqlite3.connect(f"file:{tmp_path / 'c.db'}?mode=ro", uri=True, isolation_level=None)
    with pytest.raises(StorageError, match="read-only"), transaction(conn):
        conn.execute("INSERT INTO parked_carts VALUES ('x', 'T1', '', '{}', '')")


def test_nested_transactions_roll_back_only_their_part(store: Store) -> None:
    with store.transaction() as conn:
        conn.execute("INSERT INTO parked_carts VALUES ('outer', 'T1', '', '{}', '')")
        with pytest.raises(ValueError), transaction(conn):
            conn.execute("INSERT INTO parked_carts VALUES ('inner', 'T1', '', '{}', '')")
            raise ValueError
    assert [row[0] for row in store.conn.execute("SELECT id FROM parked_carts")] == ["outer"]


@pytest.mark.parametrize("terminal_id", ["", "T 1", "T1-2026/1", "x" * 33])
def test_terminal_ids_that_would_garble_receipt_numbers_are_refused(tmp_path: Path, terminal_id: str) -> None:
    with pytest.raises(ValueError, match="terminal id"):
        Store.open(tmp_path / "c.db", terminal_id=terminal_id)
