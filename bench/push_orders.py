"""sync_push_orders: orders/s through `POST /v1/sync/push`, on SQLite and on PostgreSQL.

`python -m bench.push_orders [--database sqlite postgresql] [--orders 10000] [--batch 200]`

For each database: the local dev stack (moto's Cognito and a shop-api child on loopback) on a new database, a
manager of Corner Grocer signed in with SRP, a catalogue of PRODUCTS pushed as product.create ops, then the orders
(1-3 lines each, paid in cash) pushed in batches by one client, the way a terminal drains its queue. Only the order
pushes are timed; each must come back `applied`. Prints each figure as a JSON line. PostgreSQL runs on a database
created for the run and dropped afterwards (as the superuser of --postgres-url); it is skipped with a note when
PostgreSQL does not answer.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from pycognito.aws_srp import AWSSRP

from backend.devstack.aws import AwsClients
from backend.devstack.stack import DevStack
from bench.harness import Figure, emit, median

PRODUCTS = 50
USERNAME = "corner-manager"  # a manager both creates the products and sells
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.push_orders", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=200, help="ops per push (the server takes up to 500)")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL, help="a superuser's URL to create the DB")
    args = parser.parse_args(argv)
    if len(args.database) > 1:
        # A dev stack runs once per process (moto's state is process-wide): one child per database.
        common = ["--orders", str(args.orders), "--batch", str(args.batch), "--postgres-url", args.postgres_url]
        command = [sys.executable, "-m", "bench.push_orders", *common, "--database"]
        return max(subprocess.run([*command, database], check=False).returncode for database in args.database)
    [database] = args.database
    try:
        with database_url(database, args.postgres_url) as url:
            for figure in figures(database, url, args.orders, args.batch):
                emit(figure, sys.stdout, as_json=True)
    except psycopg.OperationalError as exc:
        print(f"push_orders: {database} skipped: PostgreSQL does not answer: {exc}".strip(), file=sys.stderr)
    return 0


@contextmanager
def database_url(database: str, postgres_admin_url: str) -> Iterator[str]:
    """A new, empty database for one run: a SQLite file in a temporary dir, or a PostgreSQL database."""
    if database == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-push-") as directory:
            yield f"sqlite:///{Path(directory) / 'shop-api.db'}"
        return
    name = f"bench_push_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_url, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def figures(database: str, url: str, orders: int, batch: int) -> Iterator[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-stack-") as data_dir, DevStack(data_dir, url) as info:
        user = info.user(USERNAME)
        cognito = AwsClients(info.aws_endpoint_url, info.region).client("cognito-idp")
        srp = AWSSRP(user.username, user.password, info.user_pool_id, info.client_id, client=cognito)
        token = srp.authenticate_user()["AuthenticationResult"]["AccessToken"]
        with httpx.Client(base_url=info.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as api:
            pusher = Pusher(api, client_id=f"bench-{uuid.uuid4()}")
            catalogue = [_product(n) for n in range(PRODUCTS)]
            pusher.push([("product.create", product) for product in catalogue])
            ops = [("order.create", _order(n, catalogue)) for n in range(orders)]
            batch_seconds = []
            for start in range(0, len(ops), batch):
                started = time.perf_counter()
                pusher.push(ops[start : start + batch])
                batch_seconds.append(time.perf_counter() - started)
    note = f"{orders} orders of 1-3 lines, {batch} per push, one client, shop-api on loopback"
    yield Figure(f"sync_push_orders_per_s_{database}", orders / sum(batch_seconds), "orders/s", None, note=note)
    yield Figure(f"sync_push_batch_ms_{database}", median(batch_seconds) * 1000, "ms", None, note=f"median of {note}")


class Pusher:
    """One sync client: numbers its ops in order and checks that the server applied every one."""

    def __init__(self, api: httpx.Client, client_id: str):
        self.api = api
        self.client_id = client_id
        self.seq = 0

    def push(self, ops: list[tuple[str, dict[str, Any]]]) -> None:
        batch = []
        for kind, payload in ops:
            self.seq += 1
            batch.append({"seq": self.seq, "id": payload["id"], "type": kind, "payload": payload})
        response = self.api.post("/v1/sync/push", json={"client_id": self.client_id, "ops": batch})
        response.raise_for_status()
        body = response.json()
        refused = [result for result in body["results"] if result["status"] != "applied"]
        if refused or body["last_applied_seq"] != self.seq:
            raise RuntimeError(f"the server did not apply every op: {refused[:3]}")


def _product(n: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "sku": f"BENCH-{n:04d}",
        "name": f"Bench product {n}",
        "price": 100 + 37 * n,
        "tax_rate_bp": (0, 700, 2000)[n % 3],
    }


def _order(n: int, catalogue: list[dict[str, Any]]) -> dict[str, Any]:
    """An order as a till queues it: its lines at catalogue prices, paid in cash well over any total."""
    products = random.sample(catalogue, random.randint(1, 3))
    return {
        "id": str(uuid.uuid4()),
        "terminal_id": "BENCH-1",
        "receipt_no": f"BENCH-1-{n:06d}",
        "created_at": datetime.now(UTC).isoformat(),
        "lines": [
            {"product_id": p["id"], "quantity": random.randint(1, 4), "unit_price": p["price"]} for p in products
        ],
        "tenders": [{"method": "cash", "amount": 1_000_000}],
    }


if __name__ == "__main__":
    sys.exit(main())
