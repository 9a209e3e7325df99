"""boto3 clients from a profile's AWS settings, and AWS errors as one line a person can act on.

One helper for every AWS service the admin screens read. Retries are modest and timeouts short, so an endpoint
that is down turns into an "unknown" fact within seconds instead of hanging a screen or a cron job.
"""

from __future__ import annotations

import re
from typing import Any, Protocol
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectionError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
)

from console.config import Profile

CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 2},
    connect_timeout=2,
    read_timeout=5,
)

_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "RequestThrottled",
    "RequestThrottledException",
}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}
_BAD_CREDENTIALS = {"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "AuthFailure"}


class ClientSource(Protocol):
    """What the admin services need: a client for a service, optionally in another region (tests hand in
    clients with a botocore Stubber attached)."""

    def client(self, service: str, region: str | None = None) -> Any: ...


class AwsClients:
    """Clients for one profile. A real account uses its named AWS profile (`aws_profile`); the local stack uses
    its endpoint and dummy keys. Make clients on one thread (a boto3 session is not thread-safe); the clients
    themselves may then be used from any thread."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self._session: boto3.session.Session | None = None

    @property
    def region(self) -> str:
        return self.profile.region

    def _get_session(self) -> boto3.session.Session:
        # Made on first use, so that a missing AWS profile is an error of the first call (a fact), not of __init__.
        if self._session is None:
            self._session = boto3.session.Session(
                profile_name=self.profile.aws_profile,
                aws_access_key_id=self.profile.aws_access_key_id,
                aws_secret_access_key=self.profile.aws_secret_access_key,
                region_name=self.profile.region,
            )
        return self._session

    def client(self, service: str, region: str | None = None) -> Any:
        return self._get_session().client(
            service,
            region_name=region or self.profile.region,
            endpoint_url=self.profile.aws_endpoint_url,
            config=CLIENT_CONFIG,
        )


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ClientError ('' for anything else)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def answers_every_call(exc: BaseException) -> bool:
    """True when later calls to the same service would meet the same error: the endpoint is unreachable, or there
    are no usable credentials. Callers then skip those calls instead of waiting out each one's timeout."""
    if isinstance(exc, ClientError):
        return error_code(exc) in _EXPIRED | _BAD_CREDENTIALS
    return isinstance(
        exc,
        ConnectionError
        | ReadTimeoutError
        | NoCredentialsError
        | PartialCredentialsError
        | CredentialRetrievalError
        | ProfileNotFound
        | SSOError
        | TokenRetrievalError,
    )


def describe_error(exc: BaseException) -> str:
    """One line for any error of an AWS call: what went wrong and, where it helps, what to do."""
    if isinstance(exc, ClientError):
        return _describe_client_error(exc)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return "no AWS credentials: set the profile's aws_profile (or the AWS_* variables)"
    if isinstance(exc, ProfileNotFound):
        return f"AWS profile not found: {_first_line(str(exc))}"
    if isinstance(exc, SSOError | TokenRetrievalError):
        return "AWS sign-in expired: run `aws sso login` for the profile"
    if isinstance(exc, NoRegionError):
        return "no AWS region: set the profile's region"
    if isinstance(exc, ConnectTimeoutError | ReadTimeoutError):
        return f"AWS endpoint timed out: {_endpoint(exc)}"
    if isinstance(exc, EndpointConnectionError | ConnectionClosedError):
        return f"AWS endpoint not reachable: {_endpoint(exc)}"
    if isinstance(exc, BotoCoreError):
        return _first_line(str(exc))
    return f"{type(exc).__name__}: {_first_line(str(exc))}"


def _describe_client_error(exc: ClientError) -> str:
    code = error_code(exc)
    operation = exc.operation_name
    message = _first_line(str(exc.response.get("Error", {}).get("Message", "")))
    if code in _DENIED:
        return f"access denied to {operation}: the AWS role lacks that permission"
    if code in _THROTTLED:
        return f"throttled by AWS on {operation}: try again in a minute"
    if code in _EXPIRED:
        return "AWS credentials expired: renew them (e.g. `aws sso login`)"
    if code in _BAD_CREDENTIALS:
        return f"AWS refused the credentials ({code})"
    if code.isdigit():  # an HTTP status without an AWS error body: the endpoint does not serve this operation
        return f"{operation} not available at this endpoint (HTTP {code})"
    return f"{code} on {operation}: {message}" if message else f"{code} on {operation}"


def _endpoint(exc: BotoCoreError) -> str:
    """Scheme and host only: the request's path and query say nothing to a person."""
    kwargs = getattr(exc, "kwargs", {})
    url = urlsplit(str(kwargs.get("endpoint_url") or kwargs.get("host") or ""))
    return f"{url.scheme}://{url.netloc}" if url.netloc else "unknown"


def _first_line(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text)  # some endpoints answer with an HTML error page
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]
