"""The weekly database maintenance route against a real shop-api on PostgreSQL: ANALYZE runs as the tables' owner
(the app role owns nothing) and shows in pg_stat_user_tables, the guide's unused-index query answers, and VACUUM
(ANALYZE) runs where the app role has PostgreSQL 17's MAINTAIN privilege, else is refused with the psql command.
On SQLite the routes answer 501; only admins may call them."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import psycopg
import pytest
from shop_api_testkit import Cognito, ShopApiProcess
from shop_data_testkit import persona_tokens

from backend.db import DEFAULT_APP_ROLE

PROBLEM = "application/problem+json"
MAINTENANCE = "/v1/admin/db/maintenance"


@pytest.fixture(scope="module")
def tokens(cognito: Cognito) -> dict[str, str]:
    return persona_tokens(cognito)


@pytest.fixture(scope="module")
def api(shop_api: ShopApiProcess, tokens: dict[str, str]) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {tokens['cg.admin']}"}
    with httpx.Client(base_url=shop_api.url, headers=headers, timeout=30) as client:
        yield client


class TestOnPostgreSQL:
    pytestmark = pytest.mark.parametrize(
        "empty_database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
    )

    def test_status_lists_tables_and_unused_indexes(self, api: httpx.Client) -> None:
        response = api.get(MAINTENANCE)
        assert response.status_code == 200, response.text
        body = response.json()
        tables = {t["table"] for t in body["tables"]}
        assert {"shops", "staff", "products", "orders", "stock_movements"} <= tables
        assert body["unused_indexes"], "a fresh database has indexes nobody has read yet"
        assert set(body["unused_indexes"][0]) == {"schema", "table", "index", "idx_tup_read", "idx_tup_fetch"}
        assert all(i["idx_tup_read"] == 0 for i in body["unused_indexes"])

    def test_analyze_runs_as_the_owner(self, api: httpx.Client, database_url: str) -> None:
        response = api.post(MAINTENANCE, json={"operation": "analyze"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["operation"] == "analyze" and "products" in body["tables"]
        with psycopg.connect(database_url) as conn:
            (analyzed,) = conn.execute(
                "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'products'"
            ).fetchone()
        assert analyzed is not None
        after = {t["table"]: t for t in api.get(MAINTENANCE).json()["tables"]}
        assert after["products"]["last_analyze"] is not None

    def test_vacuum_needs_the_maintain_privilege(self, api: httpx.Client, database_url: str) -> None:
        with psycopg.connect(database_url) as conn:
            (version,) = conn.execute("SELECT current_setting('server_version_num')::int").fetchone()
        response = api.post(MAINTENANCE, json={"operation": "vacuum_analyze"})
        if version >= 170000:
            assert response.status_code == 200, response.text
            assert api.get(MAINTENANCE).json()["vacuum_allowed"] is True
            return
        assert response.status_code == 501 and response.headers["content-type"] == PROBLEM
        body = response.json()
        assert body["type"] == "urn:shop-api:problem:vacuum-unavailable"
        assert "VACUUM (ANALYZE, VERBOSE)" in body["detail"]
        assert api.get(MAINTENANCE).json()["vacuum_allowed"] is False

    def test_only_the_app_role_may_call_admin_analyze(self, database_url: str) -> None:
        with psycopg.connect(database_url) as conn:
            conn.execute("CREATE ROLE maintenance_outsider")
            allowed = {
                role: conn.execute(
                    "SELECT has_function_privilege(%s, 'admin_analyze()', 'EXECUTE')", (role,)
                ).fetchone()[0]
                for role in (DEFAULT_APP_ROLE, "maintenance_outsider")
            }
            conn.execute("DROP ROLE maintenance_outsider")
        assert allowed == {DEFAULT_APP_ROLE: True, "maintenance_outsider": False}

    def test_only_admins(self, shop_api: ShopApiProcess, tokens: dict[str, str]) -> None:
        headers = {"Authorization": f"Bearer {tokens['cg.manager']}"}
        response = httpx.post(f"{shop_api.url}{MAINTENANCE}", json={"operation": "analyze"}, headers=headers)
        assert response.status_code == 403


class TestOnSQLite:
    pytestmark = pytest.mark.parametrize("empty_database_url", ["sqlite"], indirect=True)

    @pytest.mark.parametrize("method", ["GET", "POST"])
    def test_answers_501(self, api: httpx.Client, method: str) -> None:
        response = api.request(method, MAINTENANCE, json={"operation": "analyze"} if method == "POST" else None)
        assert response.status_code == 501 and response.headers["content-type"] == PROBLEM
        assert response.json()["type"] == "urn:shop-api:problem:postgresql-only"
