"""The local stack: moto in server mode standing in for AWS, seeded like the operations guide's production
system, and a shop-api child process on SQLite (or the given database) that trusts moto's Cognito.

moto runs in this process and its backends are process-global (a test's own moto server shares them), so a
process runs one stack in its lifetime: a second would find the first one's resources, and wiping them would wipe
everybody's.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from moto.server import ThreadedMotoServer

from backend.devstack import (
    aws,
    moto_s3_replication,
    moto_srp,
    moto_totp,
    seed_acm,
    seed_cloudwatch,
    seed_cognito,
    seed_ecs,
    seed_logs,
    seed_rds,
    seed_s3,
)
from backend.devstack.demo_accounts import ACCOUNTS, SHOPS
from backend.devstack.info import DemoUser, StackInfo
from backend.devstack.names import REPLICA_REGION
from backend.devstack.shop_api import ShopApiProcess, ShopApiSettings
from backend.devstack.timeline import Timeline

log = logging.getLogger(__name__)

MOTO_SEED = 20240101
_active: DevStack | None = None  # the stack this process runs
_started_once = False
_lock = threading.Lock()


class DevStack:
    """`with DevStack(data_dir) as info:` or `start()` / `stop()`. The data dir holds the SQLite file and logs."""

    def __init__(self, data_dir: Path | str, database_url: str | None = None) -> None:
        self.data_dir = Path(data_dir).absolute()  # shop-api gets paths inside it on its command line
        self.database_url = database_url or f"sqlite:///{self.data_dir / 'shop-api.db'}"
        self.info: StackInfo | None = None
        self.started_at: datetime | None = None  # the clock the seeded history is relative to
        self.timings: dict[str, float] = {}
        self._moto: ThreadedMotoServer | None = None
        self._api: ShopApiProcess | None = None
        self.api_paused = False  # shop-api stopped on purpose (`stop_api`), moto still up

    @staticmethod
    def active() -> DevStack | None:
        """The stack running in this process, if any (a fixture may reuse it: no second one can start)."""
        return _active

    @property
    def api_pid(self) -> int | None:
        return self._api.pid if self._api else None

    @property
    def api_running(self) -> bool:
        return self._api is not None and self._api.running

    def stop_api(self) -> None:
        """Stop shop-api only (moto stays up), so a demo can go offline; `start_api` brings it back."""
        if self._api is None or self.info is None:
            raise RuntimeError("the stack is not running")
        self.api_paused = True
        self._api.stop()

    def start_api(self) -> None:
        """Start shop-api again on the port it had, so every client's URL still reaches it; returns when it
        listens (ShopApiError if it does not)."""
        if self._api is None or self.info is None:
            raise RuntimeError("the stack is not running")
        if self._api.running:
            return
        port = urllib.parse.urlsplit(self.info.api_url).port or 0
        self._api = ShopApiProcess(replace(self._api.settings, port=port), self._api.output_path)
        self._api.start()
        self._api.wait_ready()
        self.api_paused = False

    def set_api_running(self, running: bool) -> None:
        """`start_api` or `stop_api` (the console's demo backend switch, in-process: tests use it)."""
        if running:
            self.start_api()
        else:
            self.stop_api()

    def __enter__(self) -> StackInfo:
        return self.start()

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    def start(self) -> StackInfo:
        if self.info is not None:
            return self.info
        global _active, _started_once
        with _lock:
            if _started_once:
                raise RuntimeError("a DevStack already ran in this process; moto's state is per process: one each")
            _active, _started_once = self, True
        atexit.register(self.stop)
        try:
            self.info = self._start()
        except BaseException:
            self.stop()
            raise
        log.info("dev stack started", extra={"fields": {"timings_s": self.timings, "api_url": self.info.api_url}})
        return self.info

    def stop(self) -> None:
        """Stop shop-api and moto; free the ports. Safe to call twice, and after a failed start."""
        if self._api is not None:
            self._api.request_stop()  # it shuts down while moto does
        if self._moto is not None:
            _stop_moto(self._moto)
            self._moto = None
        if self._api is not None:
            self._api.stop()
            self._api = None
        self.info = None
        global _active
        with _lock:
            if _active is self:
                _active = None
                atexit.unregister(self.stop)

    def _start(self) -> StackInfo:
        began = time.monotonic()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.started_at = datetime.now(UTC)
        endpoint = self._start_moto()
        self.timings["moto"] = time.monotonic() - began

        clients = aws.AwsClients(endpoint)
        cognito = seed_cognito.seed(clients.client("cognito-idp"))
        self.timings["cognito"] = time.monotonic() - began
        issuer = f"https://cognito-idp.{clients.region}.amazonaws.com/{cognito.user_pool_id}"
        jwks_url = f"{endpoint}/{cognito.user_pool_id}/.well-known/jwks.json"
        self._api = ShopApiProcess(
            ShopApiSettings(
                database_url=self.database_url,
                region=clients.region,
                user_pool_id=cognito.user_pool_id,
                client_id=cognito.client_id,
                jwks_url=jwks_url,
                issuer=issuer,
                log_file=self.data_dir / "shop-api.log",
            ),
            output_path=self.data_dir / "shop-api.out",
        )
        self._api.start()  # it boots in its own process while this one seeds the rest of AWS
        api_url = self._seed_while_api_starts(clients, cognito, Timeline(self.started_at), began)
        self.timings["total"] = time.monotonic() - began

        return StackInfo(
            api_url=api_url,
            aws_endpoint_url=endpoint,
            region=clients.region,
            user_pool_id=cognito.user_pool_id,
            client_id=cognito.client_id,
            jwks_url=jwks_url,
            issuer=issuer,
            password_policy=seed_cognito.describe_password_policy(),
            users=[
                DemoUser(
                    username=a.username,
                    password=a.password,
                    role=a.role,
                    shop=a.shop.name,
                    challenge=a.challenge,
                    totp_secret=cognito.totp_secret if a.challenge == "totp" else None,
                )
                for a in ACCOUNTS
            ],
        )

    def _start_moto(self) -> str:
        os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"  # moto checks authenticator codes
        os.environ["MOTO_ECS_SERVICE_RUNNING"] = str(seed_ecs.DESIRED_COUNT)  # services start steady, not pending
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per moto request
        moto_srp.install()
        moto_totp.install()
        moto_s3_replication.install()
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        # Seed moto's ids: the same pool, client and user subs on every start, so a reused data dir's staff rows
        # and a demo profile stay valid across restarts.
        seed = urllib.request.Request(f"{endpoint}/moto-api/seed?a={MOTO_SEED}", method="POST")  # moto's own API
        urllib.request.urlopen(seed, timeout=5).close()
        return endpoint

    def _seed_while_api_starts(
        self, clients: aws.AwsClients, cognito: seed_cognito.CognitoSeed, timeline: Timeline, began: float
    ) -> str:
        """Seed RDS, S3, CloudWatch, Logs and ECS on a pool, and shop-api's tenancy once it listens; its URL."""
        staff = [seed_logs.StaffMember(cognito.subs[a.username], a.shop.id) for a in ACCOUNTS]
        # Clients are made here, on one thread (a boto3 session is not thread-safe); they are used on the pool.
        rds, s3, s3_replica = clients.client("rds"), clients.client("s3"), clients.client("s3", REPLICA_REGION)
        cloudwatch, sns, logs = clients.client("cloudwatch"), clients.client("sns"), clients.client("logs")
        ecs, autoscaling = clients.client("ecs"), clients.client("application-autoscaling")
        acm = clients.client("acm")
        jobs: dict[str, Callable[[], Any]] = {
            "api": lambda: self._api_ready(cognito.subs),
            "rds": lambda: seed_rds.seed(rds, timeline),
            "s3": lambda: seed_s3.seed(s3, s3_replica, timeline),
            "cloudwatch": lambda: seed_cloudwatch.seed(cloudwatch, sns, timeline),
            "logs": lambda: seed_logs.seed(logs, timeline, staff),
            "ecs": lambda: seed_ecs.seed(ecs, autoscaling),
            "acm": lambda: seed_acm.seed(acm, timeline),
        }
        with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="devstack-seed") as pool:
            futures = {name: pool.submit(self._timed, name, began, job) for name, job in jobs.items()}
            api_url: str = futures.pop("api").result()
            for future in futures.values():
                future.result()
        return api_url

    def _api_ready(self, subs: dict[str, str]) -> str:
        """Wait for shop-api, then give it the demo shops, a staff row for every demo user and each shop's demo
        catalogue. The child has run the migrations by the time it listens, so seeding then never races them."""
        from backend.seed import DEMO_DIR, read_catalogue_file, seed_catalogue, seed_tenancy  # SQLAlchemy: only now

        assert self._api is not None
        url = self._api.wait_ready()
        seed_tenancy(
            self.database_url,
            shops=[{"id": s.id, "name": s.name, "currency": s.currency} for s in SHOPS],
            staff=[
                {"sub": subs[a.username], "shop_id": a.shop.id, "username": a.username, "display_name": a.display_name}
                for a in ACCOUNTS
            ],
        )
        for shop in SHOPS:
            seed_catalogue(self.database_url, shop.id, read_catalogue_file(DEMO_DIR / shop.catalogue))
        return url

    def _timed(self, name: str, began: float, job: Callable[[], Any]) -> Any:
        result = job()
        self.timings[name] = time.monotonic() - began
        return result


def _stop_moto(server: ThreadedMotoServer) -> None:
    server.stop()
    # ThreadedMotoServer.stop() ends serve_forever() but leaves the listening socket open; close it to free the port.
    server._server.server_close()  # type: ignore[union-attr]
