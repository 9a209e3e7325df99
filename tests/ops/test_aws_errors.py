"""Every AWS error becomes an UNKNOWN with one line of reason; nothing raises. And the clients a profile makes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from aws_world import World
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOTokenLoadError,
)
from ops_testkit import UNREACHABLE, frozen_clock, profile_for

from console.ops.audit import AuditLog
from console.ops.aws import CLIENT_CONFIG, AwsClients, describe_error
from console.ops.backups import collect_report
from console.ops.checks import Verdict

# The one check that holds by design, without reading AWS.
BY_DESIGN = {"dr.application.rpo"}


@pytest.fixture
def no_ambient_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials from the machine: empty AWS config files, no AWS_* keys, no instance metadata."""
    for key in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def assert_all_unknown(audit: AuditLog, reason: str, **profile: Any) -> None:
    report = collect_report(profile_for(**profile), clock=frozen_clock, audit=audit)
    for check in report.checks:
        if check.name in BY_DESIGN:
            continue
        assert check.verdict is Verdict.UNKNOWN, check
        assert reason in check.actual, check
        assert "\n" not in check.actual
    assert report.exit_code == 1


def test_endpoint_down_is_unknown_within_seconds(audit: AuditLog) -> None:
    began = time.monotonic()
    assert_all_unknown(audit, f"AWS endpoint not reachable: {UNREACHABLE}", endpoint=UNREACHABLE)
    assert time.monotonic() - began < 10


def test_after_a_timeout_a_reader_makes_no_more_calls(audit: AuditLog) -> None:
    """An endpoint that does not answer (simulated under real botocore clients): each service is asked once, so the
    report takes one timeout, not one per call."""
    calls: list[str] = []

    def count(model: Any, **_: Any) -> None:
        calls.append(model.name)

    def time_out(request: Any, **_: Any) -> None:
        raise ConnectTimeoutError(endpoint_url=request.url)

    class SilentEndpoint:
        def __init__(self) -> None:
            self.clients = AwsClients(profile_for("http://10.255.255.1:4566"))

        def client(self, service: str, region: str | None = None) -> Any:
            made = self.clients.client(service, region)
            made.meta.events.register("before-call", count)
            made.meta.events.register("before-send", time_out)
            return made

    report = collect_report(profile_for("http://10.255.255.1:4566"), clients=SilentEndpoint(), audit=audit)
    assert report.check("cluster.status").actual == "unknown: AWS endpoint timed out: http://10.255.255.1:4566"
    assert sorted(calls) == [
        "DescribeDBClusterSnapshots",  # the backup region's reader
        "DescribeDBClusters",
        "DescribeServices",
        "ListObjectsV2",
        "ListRestoreTestingPlans",
    ]


def test_no_credentials_is_unknown(audit: AuditLog, no_ambient_aws: None) -> None:
    assert_all_unknown(audit, "no AWS credentials", endpoint=UNREACHABLE, keys=False)


def test_a_missing_aws_profile_is_unknown(audit: AuditLog, no_ambient_aws: None) -> None:
    assert_all_unknown(audit, "AWS profile not found", endpoint=None, keys=False, aws_profile="shop-prod")


def test_an_unexpected_error_in_one_reader_leaves_the_rest(drilled: AuditLog) -> None:
    """A bug, or an answer of an unexpected shape, makes that reader's facts unknown; the others stand."""

    class BrokenEcs:
        def describe_services(self, **_: Any) -> dict[str, Any]:
            return {"services": [{"serviceName": "shop-management-api", "desiredCount": "two"}]}

    stubbed = World().clients()

    class Clients:
        def client(self, service: str, region: str | None = None) -> Any:
            return BrokenEcs() if service == "ecs" else stubbed.client(service, region)

    report = collect_report(profile_for("http://stubbed"), clients=Clients(), clock=frozen_clock, audit=drilled)
    rto = report.check("dr.application.rto")
    assert rto.verdict is Verdict.UNKNOWN
    assert rto.actual.startswith("unknown: unexpected error: ValueError")
    assert report.check("cluster.status").verdict is Verdict.OK


def client_error(code: str, status: int = 400, message: str = "") -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "DescribeDBClusters",
    )


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (client_error("AccessDenied", 403), "access denied to DescribeDBClusters: the AWS role lacks that permission"),
        (client_error("Throttling"), "throttled by AWS on DescribeDBClusters: try again in a minute"),
        (client_error("ExpiredToken"), "AWS credentials expired: renew them (e.g. `aws sso login`)"),
        (client_error("InvalidClientTokenId", 403), "AWS refused the credentials (InvalidClientTokenId)"),
        (
            client_error("404", 404, "<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>"),
            "DescribeDBClusters not available at this endpoint (HTTP 404)",
        ),
        (
            client_error("InvalidParameterValue", 400, "bad\nsecond line"),
            "InvalidParameterValue on DescribeDBClusters: bad",
        ),
        (NoCredentialsError(), "no AWS credentials: set the profile's aws_profile (or the AWS_* variables)"),
        (
            ProfileNotFound(profile="shop-prod"),
            "AWS profile not found: The config profile (shop-prod) could not be found",
        ),
        (SSOTokenLoadError(error_msg="expired"), "AWS sign-in expired: run `aws sso login` for the profile"),
        (
            EndpointConnectionError(endpoint_url="https://rds.us-east-1.amazonaws.com/?x=1"),
            "AWS endpoint not reachable: https://rds.us-east-1.amazonaws.com",
        ),
        (
            ConnectTimeoutError(endpoint_url="https://s3.amazonaws.com/b"),
            "AWS endpoint timed out: https://s3.amazonaws.com",
        ),
        (
            ReadTimeoutError(endpoint_url="https://s3.amazonaws.com/b"),
            "AWS endpoint timed out: https://s3.amazonaws.com",
        ),
    ],
)
def test_errors_read_as_one_line(error: Exception, line: str) -> None:
    assert describe_error(error) == line


def test_clients_use_the_profiles_endpoint_region_and_short_timeouts() -> None:
    clients = AwsClients(profile_for("http://127.0.0.1:4566", region="eu-central-1"))
    rds = clients.client("rds")
    assert rds.meta.endpoint_url == "http://127.0.0.1:4566"
    assert rds.meta.region_name == "eu-central-1"
    assert clients.client("rds", "us-west-2").meta.region_name == "us-west-2"
    assert rds.meta.config.connect_timeout == CLIENT_CONFIG.connect_timeout == 2
    assert rds.meta.config.read_timeout == 5
    assert rds.meta.config.retries == {"mode": "standard", "total_max_attempts": 2}
    assert rds._request_signer._credentials.access_key == "testing"


def test_a_named_aws_profile_is_used_for_real_accounts(no_ambient_aws: None, tmp_path: Path) -> None:
    (tmp_path / "aws-credentials").write_text(
        "[shop-prod]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n"
    )
    clients = AwsClients(profile_for(None, keys=False, aws_profile="shop-prod"))
    s3 = clients.client("s3")
    assert s3._request_signer._credentials.access_key == "AKIAEXAMPLE"
    assert s3.meta.endpoint_url == "https://s3.amazonaws.com"
