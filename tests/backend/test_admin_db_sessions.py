"""The admin database routes against a real shop-api on PostgreSQL: real sessions are listed (some left idle in a
transaction, one busy), cancelled and terminated; a stale backend_start, a gone session, the API's own sessions
and a superuser's are refused. On SQLite the routes answer 501."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import httpx
import psycopg
import pytest
from shop_api_testkit import Cognito, ShopApiProcess
from shop_data_testkit import persona_tokens

from backend.db import API_APPLICATION_NAME, DEFAULT_APP_ROLE

PROBLEM = "application/problem+json"
SESSIONS = "/v1/admin/db/sessions"


@pytest.fixture(scope="module")
def tokens(cognito: Cognito) -> dict[str, str]:
    return persona_tokens(cognito)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def api(shop_api: ShopApiProcess, tokens: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shop_api.url, headers=bearer(tokens["cg.admin"]), timeout=10) as client:
        yield client


def problem(response: httpx.Response, status: int, type_: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"urn:shop-api:problem:{type_}", body
    return body


class TestOnPostgreSQL:
    pytestmark = pytest.mark.parametrize(
        "empty_database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
    )

    @pytest.fixture
    def connect(self, database_url: str) -> Iterator[Callable[..., psycopg.Connection]]:
        """Opens client sessions to the API's database (as the app role unless told), closed afterwards."""
        opened: list[psycopg.Connection] = []

        def open_session(name: str, user: str = DEFAULT_APP_ROLE) -> psycopg.Connection:
            conn = psycopg.connect(database_url, user=user, application_name=name)
            opened.append(conn)
            return conn

        yield open_session
        for conn in opened:
            conn.close()

    @staticmethod
    def sessions(api: httpx.Client) -> dict[int, dict]:
        response = api.get(SESSIONS)
        assert response.status_code == 200, response.text
        return {item["pid"]: item for item in response.json()["items"]}

    @staticmethod
    def idle_in_transaction(conn: psycopg.Connection) -> int:
        conn.execute("SELECT 1 AS left_open")  # psycopg opened a transaction and leaves it open
        return conn.info.backend_pid

    def wait_until_gone(self, api: httpx.Client, pid: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while pid in self.sessions(api):
            assert time.monotonic() < deadline, f"session {pid} still there"
            time.sleep(0.05)

    def test_lists_real_sessions(self, api: httpx.Client, connect: Callable[..., psycopg.Connection]) -> None:
        pids = {self.idle_in_transaction(connect(f"test-idle-{n}")): f"test-idle-{n}" for n in range(3)}
        body = api.get(SESSIONS).json()
        listed = {item["pid"]: item for item in body["items"]}
        for pid, name in pids.items():
            item = listed[pid]
            assert item["application"] == name and item["user"] == DEFAULT_APP_ROLE
            assert item["state"] == "idle in transaction"
            assert item["query"] == "SELECT 1 AS left_open" and not item["query_truncated"]
            assert item["api_session"] is False
            assert item["client_address"] == "127.0.0.1"
            assert 0 <= item["duration_s"] < 60
            assert datetime.fromisoformat(item["backend_start"]) <= datetime.fromisoformat(body["collected_at"])
        # The session serving this very request is there too, marked as the API's own.
        own = [item for item in listed.values() if item["api_session"]]
        assert own and all(item["application"] == API_APPLICATION_NAME for item in own)
        assert any(item["state"] == "active" and "admin_db_sessions" in item["query"] for item in own)

    def test_long_query_text_is_cut(self, api: httpx.Client, connect: Callable[..., psycopg.Connection]) -> None:
        conn = connect("test-long-query")
        conn.execute("SELECT '" + "x" * 500 + "' AS long_text")
        item = self.sessions(api)[conn.info.backend_pid]
        assert len(item["query"]) == 200 and item["query_truncated"] is True

    def test_cancel_stops_the_query_and_keeps_the_session(
        self, api: httpx.Client, connect: Callable[..., psycopg.Connection]
    ) -> None:
        conn = connect("test-busy")
        pid = conn.info.backend_pid
        outcome: list[BaseException] = []
        worker = threading.Thread(target=lambda: self._sleep_in_db(conn, outcome))
        worker.start()
        try:
            deadline = time.monotonic() + 10
            while (item := self.sessions(api)[pid])["state"] != "active":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert item["wait_event"] == "PgSleep" and item["wait_event_type"] == "Timeout"
            response = api.post(f"{SESSIONS}/{pid}/cancel", json={"backend_start": item["backend_start"]})
            assert response.status_code == 200, response.text
            assert response.json() == {
                "pid": pid,
                "backend_start": item["backend_start"],
                "action": "cancel",
                "signalled": True,
            }
        finally:
            worker.join(15)
        assert len(outcome) == 1 and isinstance(outcome[0], psycopg.errors.QueryCanceled)
        conn.rollback()
        assert conn.execute("SELECT 1").fetchone() == (1,)  # still connected

    @staticmethod
    def _sleep_in_db(conn: psycopg.Connection, outcome: list[BaseException]) -> None:
        try:
            conn.execute("SELECT pg_sleep(30)")
        except psycopg.Error as exc:
            outcome.append(exc)

    def test_terminate_ends_the_session(
        self, api: httpx.Client, connect: Callable[..., psycopg.Connection], shop_api: ShopApiProcess
    ) -> None:
        victim, bystander = connect("test-victim"), connect("test-bystander")
        pid, other = self.idle_in_transaction(victim), self.idle_in_transaction(bystander)
        seen = self.sessions(api)[pid]
        response = api.post(f"{SESSIONS}/{pid}/terminate", json={"backend_start": seen["backend_start"]})
        assert response.status_code == 200, response.text
        assert response.json()["action"] == "terminate"
        self.wait_until_gone(api, pid)
        with pytest.raises(psycopg.OperationalError):
            victim.execute("SELECT 1")
        assert other in self.sessions(api)
        # Gone now: the same request again is a 404, not a signal to whoever gets the pid next.
        again = api.post(f"{SESSIONS}/{pid}/terminate", json={"backend_start": seen["backend_start"]})
        problem(again, 404, "session-not-found")
        # Both are on the record: who, which session, what came of it.
        writes = [r for r in shop_api.log_records() if r.get("event") == "write" and r["entity_id"] == str(pid)]
        assert [(r["operation"], r["outcome"], r["status"]) for r in writes] == [
            ("db.terminate_session", "signalled", 200),
            ("db.terminate_session", "not_found", 404),
        ]
        assert all(r["role"] == "admin" and r["request_id"] and r["user"] for r in writes)

    @pytest.mark.parametrize("action", ["cancel", "terminate"])
    def test_refuses_when_backend_start_changed(
        self, api: httpx.Client, connect: Callable[..., psycopg.Connection], action: str
    ) -> None:
        conn = connect("test-reconnected")
        pid = self.idle_in_transaction(conn)
        seen = datetime.fromisoformat(self.sessions(api)[pid]["backend_start"])
        for stale in (seen - timedelta(microseconds=1), seen - timedelta(hours=1)):
            response = api.post(f"{SESSIONS}/{pid}/{action}", json={"backend_start": stale.isoformat()})
            problem(response, 409, "session-changed")
        assert self.sessions(api)[pid]["state"] == "idle in transaction"
        assert conn.execute("SELECT 2").fetchone() == (2,)

    @pytest.mark.parametrize("action", ["cancel", "terminate"])
    def test_refuses_the_apis_own_sessions(self, api: httpx.Client, action: str) -> None:
        own = [item for item in self.sessions(api).values() if item["api_session"]]
        for item in own:
            response = api.post(f"{SESSIONS}/{item['pid']}/{action}", json={"backend_start": item["backend_start"]})
            problem(response, 403, "api-session")
        assert api.get("/v1/health").status_code == 200
        assert {item["pid"] for item in own} <= set(self.sessions(api))

    def test_refuses_a_superusers_session(self, api: httpx.Client, connect: Callable[..., psycopg.Connection]) -> None:
        conn = connect("test-dba", user="postgres")
        pid = self.idle_in_transaction(conn)
        seen = self.sessions(api)[pid]
        response = api.post(f"{SESSIONS}/{pid}/terminate", json={"backend_start": seen["backend_start"]})
        problem(response, 403, "superuser-session")
        assert conn.execute("SELECT 3").fetchone() == (3,)

    def test_unknown_pid_is_404(self, api: httpx.Client) -> None:
        response = api.post(f"{SESSIONS}/{2**31 - 1}/cancel", json={"backend_start": "2024-01-01T00:00:00Z"})
        problem(response, 404, "session-not-found")

    @pytest.mark.parametrize(
        ("pid", "body"),
        [
            (0, {"backend_start": "2024-01-01T00:00:00Z"}),
            (2**31, {"backend_start": "2024-01-01T00:00:00Z"}),
            (1, {"backend_start": "2024-01-01T00:00:00"}),  # no time zone: which instant would it be?
            (1, {}),
        ],
    )
    def test_invalid_requests_are_422(self, api: httpx.Client, pid: int, body: dict) -> None:
        problem(api.post(f"{SESSIONS}/{pid}/terminate", json=body), 422, "validation")

    def test_only_the_app_role_may_call_the_owners_functions(self, database_url: str) -> None:
        with psycopg.connect(database_url) as conn:
            rows = conn.execute(
                "SELECT p.proname, p.prosecdef, p.proconfig, a.grantee, a.privilege_type"
                " FROM pg_proc p, aclexplode(p.proacl) a WHERE p.proname LIKE 'admin\\_%'"
            ).fetchall()
            owner, app = conn.execute(
                "SELECT current_user::regrole::oid, (SELECT oid FROM pg_roles WHERE rolname = %s)", [DEFAULT_APP_ROLE]
            ).fetchone()
        names = {name for name, *_ in rows}
        assert names == {"admin_db_sessions", "admin_signal_session", "admin_business_metrics", "admin_analyze"}
        assert all(definer and config == ["search_path=pg_catalog, pg_temp"] for _, definer, config, *_ in rows)
        assert {(grantee, privilege) for *_, grantee, privilege in rows} == {(owner, "EXECUTE"), (app, "EXECUTE")}

    def test_only_admins(self, shop_api: ShopApiProcess, tokens: dict[str, str]) -> None:
        for persona in ("cg.cashier", "cg.manager", "cg.support"):
            response = httpx.get(shop_api.url + SESSIONS, headers=bearer(tokens[persona]))
            problem(response, 403, "role-required")


class TestOnSQLite:
    pytestmark = pytest.mark.parametrize("empty_database_url", ["sqlite"], indirect=True)

    @pytest.mark.parametrize(
        ("method", "path"),
        [("GET", SESSIONS), ("POST", f"{SESSIONS}/123/cancel"), ("POST", f"{SESSIONS}/123/terminate")],
    )
    def test_answers_501(self, api: httpx.Client, method: str, path: str) -> None:
        body = {"backend_start": "2024-01-01T00:00:00Z"} if method == "POST" else None
        problem(api.request(method, path, json=body), 501, "no-sessions")
