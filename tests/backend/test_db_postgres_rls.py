"""PostgreSQL tenancy: the app role sees and writes only the rows of the shop its transaction is scoped to,
and nothing at all when unscoped, whatever the query forgets; it is no superuser and owns nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from backend.db import DEFAULT_APP_ROLE, Database, create_engine, set_tenant
from backend.db.engine import app_role_url
from backend.db.tables import TENANT_COLUMNS
from backend.seed import seed_tenancy

pytestmark = pytest.mark.postgres

SHOP_A = {"id": "a0a0a0a0-0000-4000-8000-00000000000a", "name": "Shop A", "currency": "EUR"}
SHOP_B = {"id": "b0b0b0b0-0000-4000-8000-00000000000b", "name": "Shop B", "currency": "USD"}
STAFF = [
    {"sub": "sub-a1", "shop_id": SHOP_A["id"], "username": "a1", "display_name": "A one"},
    {"sub": "sub-a2", "shop_id": SHOP_A["id"], "username": "a2", "display_name": "A two"},
    {"sub": "sub-b1", "shop_id": SHOP_B["id"], "username": "b1", "display_name": "B one"},
]


@pytest.fixture(scope="module")
def seeded_url(postgres_url: str) -> str:
    seed_tenancy(postgres_url, [SHOP_A, SHOP_B], STAFF)
    return postgres_url


@pytest.fixture(scope="module")
def app_engine(seeded_url: str) -> Iterator[Engine]:
    engine = create_engine(app_role_url(seeded_url), pool_size=1, max_overflow=0)  # one connection, reused
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def owner_engine(seeded_url: str) -> Iterator[Engine]:
    engine = create_engine(seeded_url)
    yield engine
    engine.dispose()


def test_unscoped_app_role_sees_no_rows(app_engine: Engine) -> None:
    with app_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT * FROM staff")).all() == []
        assert conn.execute(sa.text("SELECT * FROM shops")).all() == []


def test_scoped_app_role_sees_only_its_shop_then_nothing_again(app_engine: Engine) -> None:
    with app_engine.connect() as conn:
        with conn.begin():
            set_tenant(conn, SHOP_A["id"])
            staff = conn.execute(sa.text("SELECT sub, shop_id FROM staff")).all()  # no WHERE on purpose
            shops = conn.execute(sa.text("SELECT name FROM shops")).all()
        assert sorted(sub for sub, _ in staff) == ["sub-a1", "sub-a2"]
        assert {str(shop_id) for _, shop_id in staff} == {SHOP_A["id"]}
        assert shops == [("Shop A",)]
        # The setting was transaction-local: on the same connection it is now '' and must mean "no shop".
        with conn.begin():
            assert conn.execute(sa.text("SELECT count(*) FROM staff")).scalar() == 0


def test_app_role_cannot_write_into_another_shop(app_engine: Engine) -> None:
    other = {"sub": "sub-x", "shop_id": SHOP_B["id"], "username": "x", "display_name": "X"}
    with app_engine.connect() as conn:
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"), conn.begin():
            set_tenant(conn, SHOP_A["id"])
            conn.execute(
                sa.text("INSERT INTO staff (sub, shop_id, username, display_name) VALUES (:sub, :shop_id, :u, :d)"),
                {"sub": other["sub"], "shop_id": other["shop_id"], "u": other["username"], "d": other["display_name"]},
            )
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"), conn.begin():
            set_tenant(conn, SHOP_A["id"])
            conn.execute(sa.text("UPDATE staff SET shop_id = :b WHERE sub = 'sub-a1'"), {"b": SHOP_B["id"]})
        with conn.begin():
            set_tenant(conn, SHOP_A["id"])
            assert conn.execute(sa.text("DELETE FROM staff WHERE sub = 'sub-b1'")).rowcount == 0


def test_app_role_is_neither_superuser_nor_owner(owner_engine: Engine) -> None:
    with owner_engine.connect() as conn:
        flags = conn.execute(
            sa.text("SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = :r"),
            {"r": DEFAULT_APP_ROLE},
        ).one()
        owned = conn.execute(
            sa.text(
                "SELECT relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                "WHERE r.rolname = :r UNION SELECT proname FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner "
                "WHERE r.rolname = :r"
            ),
            {"r": DEFAULT_APP_ROLE},
        ).all()
    assert tuple(flags) == (False, False, False, False)
    assert owned == []


def test_every_table_the_app_role_can_touch_forces_rls(owner_engine: Engine) -> None:
    with owner_engine.connect() as conn:
        granted = set(
            conn.scalars(
                sa.text(
                    "SELECT DISTINCT table_name FROM information_schema.role_table_grants "
                    "WHERE grantee = :r AND table_schema = 'public'"
                ),
                {"r": DEFAULT_APP_ROLE},
            )
        )
        protected = set(
            conn.scalars(
                sa.text(
                    "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND relrowsecurity "
                    "AND relforcerowsecurity AND relnamespace = 'public'::regnamespace"
                )
            )
        )
        policies = set(conn.scalars(sa.text("SELECT tablename FROM pg_policies WHERE policyname = 'tenant_isolation'")))
    assert granted == set(TENANT_COLUMNS)
    assert granted <= protected
    assert granted <= policies
    assert "schema_migrations" not in granted


def test_staff_lookup_function_answers_one_sub_only_to_the_app_role(app_engine: Engine, owner_engine: Engine) -> None:
    with app_engine.connect() as conn:
        found = conn.execute(sa.text("SELECT sub, shop_id, shop_name FROM app_lookup_staff('sub-b1')")).all()
        assert [(sub, str(shop), name) for sub, shop, name in found] == [("sub-b1", SHOP_B["id"], "Shop B")]
        assert conn.execute(sa.text("SELECT count(*) FROM app_lookup_staff('%')")).scalar() == 0
    with owner_engine.connect() as conn:
        acl = conn.execute(sa.text("SELECT proacl::text[] FROM pg_proc WHERE proname = 'app_lookup_staff'")).scalar()
    grantees = {entry.split("=")[0] for entry in acl}
    assert "" not in grantees  # PUBLIC may not execute it
    assert DEFAULT_APP_ROLE in grantees


def test_database_serves_as_the_app_role_scoped_per_transaction(seeded_url: str) -> None:
    database = Database.open(seeded_url)  # migrates again (nothing to do), then connects as the app role
    try:
        with database.transaction(write=False, shop_id=SHOP_B["id"]) as conn:
            assert conn.execute(sa.text("SELECT current_user")).scalar() == DEFAULT_APP_ROLE
            assert conn.execute(sa.text("SELECT username FROM staff")).scalars().all() == ["b1"]
        with database.transaction() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM staff")).scalar() == 0
    finally:
        database.dispose()
