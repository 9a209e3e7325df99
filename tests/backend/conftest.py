"""Fixtures for shop-api tests: moto's Cognito, a fresh PostgreSQL database, and shop-api itself, run for real.

- `cognito` (session): a moto server with a user pool (groups, a public SRP client, a second client), a second
  pool, and the users of `USERS`; `cognito.sign_in(name)` signs in with SRP, `cognito.forge(...)` signs a token
  with moto's own key (the key its JWKS serves).
- `postgres_url` (module): a new database `shop_test_<random>` as the superuser `postgres`, dropped afterwards;
  skips with the reason when PostgreSQL is not reachable, fails instead when CI=true.
- `database_url` (module, parametrized sqlite / postgresql): a migrated database seeded with `SHOPS` and the
  staff rows of `USERS`.
- `shop_api` (module): the `shop-api` console script as a subprocess on that database, on a free port, ready.
- `shop_data_api` (module): shop-api in-process on that database, with a client calling as any role of either shop.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer
from shop_api_testkit import (
    SHOPS,
    Cognito,
    ShopApiProcess,
    create_cognito,
    new_postgres_database,
    staff_rows,
    start_shop_api,
)
from shop_data_testkit import EXTRA_STAFF, Api, inprocess_api, persona_tokens

from backend.seed import seed_tenancy


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request lines
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def cognito(moto_endpoint: str) -> Cognito:
    return create_cognito(moto_endpoint)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with new_postgres_database() as url:
        yield url


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database URL with nothing in it yet: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'shop-api.db'}"


@pytest.fixture(scope="module")
def database_url(empty_database_url: str, cognito: Cognito) -> str:
    """A migrated database with both shops and the staff rows of USERS."""
    seed_tenancy(empty_database_url, SHOPS, staff_rows(cognito))
    return empty_database_url


@pytest.fixture(scope="module")
def shop_api(database_url: str, cognito: Cognito, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShopApiProcess]:
    """`shop-api` on the seeded database, trusting the test pool (JWKS served by moto)."""
    log_file = tmp_path_factory.mktemp("shop-api") / "shop-api.log"
    args = ["--database", database_url, *cognito.api_args(), "--jwks-url", cognito.jwks_url]
    with start_shop_api(args, log_file) as api:
        yield api


@pytest.fixture(scope="module")
def shop_data_api(database_url: str, cognito: Cognito) -> Iterator[Api]:
    """shop-api in-process on the module's database, with a client that calls as any persona of
    shop_data_testkit (every role of Corner Grocer, and Harbor Hardware's cashier and manager)."""
    seed_tenancy(database_url, [], EXTRA_STAFF)
    with inprocess_api(database_url, cognito) as url:
        api = Api(url, persona_tokens(cognito))
        yield api
        api.close()
