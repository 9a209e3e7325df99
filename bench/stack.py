"""A shop-api on loopback for the sync figures: moto's Cognito in this process (a pool, the console's public client,
a manager and a cashier of Corner Grocer signed in with SRP) and one `shop-api` child per database.

Lighter than the dev stack (no RDS, S3, CloudWatch … and no demo catalogues), so the figures start from an empty
shop. moto's state is per process: one BenchCognito per process, any number of shop-api children trusting it.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from moto.server import ThreadedMotoServer
from pycognito.aws_srp import AWSSRP

from backend.db import Database, create_engine
from backend.db.tables import change_counters, products, stock
from backend.db.types import utcnow
from backend.devstack import seed_cognito
from backend.devstack.aws import AwsClients
from backend.devstack.demo_accounts import ACCOUNTS, CORNER_GROCER, SHOPS
from backend.devstack.shop_api import ShopApiProcess, ShopApiSettings
from backend.seed import seed_tenancy

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
MANAGER, CASHIER = "corner-manager", "corner-cashier"
SHOP_ID = CORNER_GROCER.id


class BenchCognito:
    """moto's Cognito with the two bench users; `token(username)` signs in with SRP once and keeps the token."""

    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        clients = AwsClients(self.endpoint)
        self.region = clients.region
        self._client = clients.client("cognito-idp")
        self.accounts = [account for account in ACCOUNTS if account.username in (MANAGER, CASHIER)]
        seeded = seed_cognito.seed(self._client, self.accounts)
        self.user_pool_id, self.client_id, self.subs = seeded.user_pool_id, seeded.client_id, seeded.subs
        self._tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self._tokens:
            account = next(a for a in self.accounts if a.username == username)
            srp = AWSSRP(username, account.password, self.user_pool_id, self.client_id, client=self._client)
            self._tokens[username] = srp.authenticate_user()["AuthenticationResult"]["AccessToken"]
        return self._tokens[username]

    def staff(self) -> list[dict[str, str]]:
        return [
            {"sub": self.subs[a.username], "shop_id": a.shop.id, "username": a.username, "display_name": a.display_name}
            for a in self.accounts
        ]

    def settings(self, database_url: str, log_file: Path) -> ShopApiSettings:
        issuer = f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"
        jwks_url = f"{self.endpoint}/{self.user_pool_id}/.well-known/jwks.json"
        return ShopApiSettings(database_url, self.region, self.user_pool_id, self.client_id, jwks_url, issuer, log_file)

    def close(self) -> None:
        self._moto.stop()
        self._moto._server.server_close()  # type: ignore[union-attr]  # stop() leaves the port bound


@dataclass(frozen=True)
class ShopApi:
    url: str
    database_url: str  # the owner's: the bench reads the outcome straight from the tables
    pid: int  # the shop-api child's, for its CPU time


@contextmanager
def shop_api(cognito: BenchCognito, database: str) -> Iterator[ShopApi]:
    """A shop-api child on a new, empty database ("sqlite" or "postgresql") with the demo shops and bench staff."""
    with tempfile.TemporaryDirectory(prefix="bench-api-") as folder, new_database(database, Path(folder)) as url:
        seed_tenancy(url, [{"id": s.id, "name": s.name, "currency": s.currency} for s in SHOPS], cognito.staff())
        process = ShopApiProcess(cognito.settings(url, Path(folder) / "shop-api.log"), Path(folder) / "shop-api.out")
        process.start()
        try:
            url_of_api = process.wait_ready()
            assert process.pid is not None
            yield ShopApi(url_of_api, url, process.pid)
        finally:
            process.stop()


@contextmanager
def new_database(database: str, folder: Path, postgres_admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """A new, empty database for one run: a SQLite file in `folder`, or a PostgreSQL database dropped afterwards."""
    if database == "sqlite":
        yield f"sqlite:///{folder / 'shop-api.db'}"
        return
    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_url, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_answers(postgres_admin_url: str = POSTGRES_ADMIN_URL) -> str | None:
    """None when PostgreSQL answers, else why not (the PostgreSQL figures are then skipped with that note)."""
    try:
        psycopg.connect(postgres_admin_url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        return f"PostgreSQL does not answer at {postgres_admin_url}: {exc}".strip()
    return None


def load_catalogue(database_url: str, catalogue: Sequence[dict[str, Any]], on_hand: int = 50) -> None:
    """Put a catalogue straight into the shop's tables, each product with a stock row, numbered in the change
    feed as the services number them (products first, then stock). In bulk, not through the API: the figures
    are the pulls, and 100,000 creates through the API would take minutes before the first one."""
    now, count = utcnow(), len(catalogue)
    product_rows = [
        {
            **{key: product[key] for key in ("sku", "barcode", "name", "category", "price", "tax_rate_bp", "active")},
            "id": product["id"],
            "shop_id": SHOP_ID,
            "version": 1,
            "request_hash": "bench",
            "created_by": "bench",
            "created_at": now,
            "updated_at": now,
            "change_seq": n,
        }
        for n, product in enumerate(catalogue, start=1)
    ]
    stock_rows = [
        {
            "shop_id": SHOP_ID,
            "product_id": product["id"],
            "location": "store",
            "on_hand": on_hand,
            "reorder_point": 0,
            "updated_at": now,
            "change_seq": count + n,
        }
        for n, product in enumerate(catalogue, start=1)
    ]
    engine = create_engine(database_url)
    try:
        with Database(engine).transaction(shop_id=SHOP_ID) as conn:
            conn.execute(products.insert(), product_rows)
            conn.execute(stock.insert(), stock_rows)
            conn.execute(change_counters.insert(), [{"shop_id": SHOP_ID, "last_seq": 2 * count}])
    finally:
        engine.dispose()


def analyse(database_url: str) -> None:
    """Refresh PostgreSQL's statistics, as autovacuum does on Aurora as tables grow: this machine kind runs
    PostgreSQL with autovacuum off, and a plan cached while a table was empty (the foreign-key checks' by shop and
    id) then walks the shop's orders at every insert. SQLite plans without statistics."""
    if not database_url.startswith("postgresql"):
        return
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def count_rows(database_url: str, query: sa.Select) -> int:
    engine = create_engine(database_url)
    try:
        with Database(engine).transaction(write=False, shop_id=SHOP_ID) as conn:
            return int(conn.scalar(query) or 0)
    finally:
        engine.dispose()
