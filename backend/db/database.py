"""The API's handle on its database: migrate as the owner at open, then serve every request in a transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from backend.db.engine import API_APPLICATION_NAME, SQLITE_BEGIN, DialectName, app_role_url, create_engine, dialect_of
from backend.db.migrate import migrate
from backend.db.tenancy import set_tenant


class Database:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect: DialectName = dialect_of(engine.url)

    @classmethod
    def open(cls, database_url: str, app_database_url: str | None = None) -> Database:
        """Migrate `database_url` (the owner) and return the database the API uses: on PostgreSQL connected as
        the app role (`app_database_url`, or the owner's URL with the default app role as user)."""
        if dialect_of(database_url) == "sqlite":
            owner = create_engine(database_url)
            migrate(owner)
            return cls(owner)
        named = {"connect_args": {"application_name": API_APPLICATION_NAME}}
        owner = create_engine(database_url, **named)
        app_url = make_url(app_database_url) if app_database_url else app_role_url(database_url)
        try:
            migrate(owner, app_role=app_url.username or "")
        finally:
            owner.dispose()
        return cls(create_engine(app_url, **named))

    @contextmanager
    def transaction(self, *, write: bool = True, shop_id: str | None = None) -> Iterator[Connection]:
        """One transaction, committed when the block ends and rolled back if it raises. `write` makes a SQLite
        transaction take the write lock at BEGIN; `shop_id` scopes it to a shop (see tenancy.set_tenant)."""
        with self.engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE" if write else "DEFERRED"})
            with conn.begin():
                if shop_id is not None:
                    set_tenant(conn, shop_id)
                yield conn

    def ping(self) -> None:
        with self.transaction(write=False) as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
