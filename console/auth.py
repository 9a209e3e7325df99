"""Cognito sign-in for the console: SRP with its challenge loop, refresh and sign-out. No Textual here.

The app client is public (no secret) and every call is unsigned, as a device at a shop counter has no AWS keys.
pycognito's AWSSRP does the SRP maths; the loop over challenges is ours so that each challenge can be put to a
person (new password, authenticator code, authenticator set-up) and answered in its own step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # boto3 and pycognito load only when someone signs in (start-up speed).
    from botocore.client import BaseClient

ROLES_BY_RANK = ("cashier", "support", "manager", "admin")
DEFAULT_PASSWORD_POLICY = "At least 8 characters, with upper and lower case letters, a number and a symbol."

ErrorKind = Literal[
    "wrong_credentials",
    "disabled",
    "too_many_attempts",
    "password_expired",
    "password_policy",
    "wrong_code",
    "expired",
    "network",
    "server",
]

_MESSAGES: dict[ErrorKind, str] = {
    "wrong_credentials": "Wrong username or password.",
    "disabled": "This account is disabled. Ask your manager.",
    "too_many_attempts": "Too many sign-in attempts. Wait a few minutes, then try again.",
    "password_expired": "Your password has expired or must be reset. Ask your manager.",
    "password_policy": "That password is not allowed.",
    "wrong_code": "That code is not right. Check the authenticator app and try again.",
    "expired": "The sign-in took too long. Start again.",
    "network": "Cannot reach the sign-in service. Check the network.",
    "server": "The sign-in service had a problem. Try again in a moment.",
}


class AuthError(Exception):
    """A sign-in problem in words a cashier understands; `kind` says what the screen can offer next."""

    def __init__(self, kind: ErrorKind, detail: str = "") -> None:
        message = _MESSAGES[kind]
        if kind == "password_policy" and detail:
            message = f"{message} {detail.split(':', 1)[-1].strip()}"
        super().__init__(message)
        self.kind = kind
        self.detail = detail  # for the log only


@dataclass(frozen=True)
class Tokens:
    access_token: str = field(repr=False)
    id_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: dt.datetime

    def claims(self) -> dict[str, Any]:
        import jwt  # with cryptography, only once a session is read (start-up speed)

        # The server verifies the signature; the console only reads who it is and which groups it is in.
        return jwt.decode(self.access_token, options={"verify_signature": False})

    @property
    def username(self) -> str:
        return str(self.claims().get("username", ""))

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(self.claims().get("cognito:groups", ()))

    @property
    def role(self) -> str | None:
        ranked = [g for g in ROLES_BY_RANK if g in self.groups]
        return ranked[-1] if ranked else None


@dataclass(frozen=True)
class Challenge:
    """A step the person must answer before Cognito hands out tokens."""

    kind: Literal["new_password", "totp", "mfa_setup"]
    username: str
    session: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)  # mfa_setup: the authenticator key to show

    def otpauth_uri(self, issuer: str = "Shop Console") -> str:
        import pyotp

        assert self.secret, "only an authenticator set-up has a secret"
        return pyotp.TOTP(self.secret).provisioning_uri(name=self.username, issuer_name=issuer)


Outcome = Tokens | Challenge


class CognitoAuth:
    def __init__(self, region: str, user_pool_id: str, client_id: str, endpoint_url: str | None = None) -> None:
        self.region = region
        self.user_pool_id = user_pool_id
        self.client_id = client_id
        self.endpoint_url = endpoint_url
        self._client: BaseClient | None = None
        self._client_no_retry: BaseClient | None = None

    def _make_client(self, attempts: int) -> BaseClient:
        import boto3
        from botocore import UNSIGNED
        from botocore.config import Config

        config = Config(
            signature_version=UNSIGNED,
            connect_timeout=3,
            read_timeout=10,
            retries={"total_max_attempts": attempts, "mode": "standard"},
        )
        return boto3.client("cognito-idp", region_name=self.region, endpoint_url=self.endpoint_url, config=config)

    @property
    def client(self) -> BaseClient:
        if self._client is None:
            self._client = self._make_client(attempts=2)
        return self._client

    def sign_in(self, username: str, password: str) -> Outcome:
        from pycognito.aws_srp import AWSSRP

        srp = AWSSRP(username, password, self.user_pool_id, self.client_id, client=self.client)
        params = srp.get_auth_params()
        started = self._call("initiate_auth", AuthFlow="USER_SRP_AUTH", AuthParameters=params, ClientId=self.client_id)
        if started.get("ChallengeName") != "PASSWORD_VERIFIER":
            raise AuthError("server", f"unexpected challenge {started.get('ChallengeName')}")
        answer = srp.process_challenge(started["ChallengeParameters"], params)
        response = self._call(
            "respond_to_auth_challenge",
            ClientId=self.client_id,
            ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=answer,
            **({"Session": started["Session"]} if started.get("Session") else {}),
        )
        return self._outcome(response, answer["USERNAME"])

    def answer_new_password(self, challenge: Challenge, new_password: str) -> Outcome:
        response = self._call(
            "respond_to_auth_challenge",
            ClientId=self.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge.session,
            ChallengeResponses={"USERNAME": challenge.username, "NEW_PASSWORD": new_password},
        )
        return self._outcome(response, challenge.username)

    def answer_totp(self, challenge: Challenge, code: str) -> Outcome:
        response = self._call(
            "respond_to_auth_challenge",
            ClientId=self.client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge.session,
            ChallengeResponses={"USERNAME": challenge.username, "SOFTWARE_TOKEN_MFA_CODE": code.strip()},
        )
        return self._outcome(response, challenge.username)

    def answer_mfa_setup(self, challenge: Challenge, code: str) -> Outcome:
        verified = self._call(
            "verify_software_token", Session=challenge.session, UserCode=code.strip(), FriendlyDeviceName="Shop Console"
        )
        if verified.get("Status") != "SUCCESS":
            raise AuthError("wrong_code", str(verified.get("Status")))
        response = self._call(
            "respond_to_auth_challenge",
            ClientId=self.client_id,
            ChallengeName="MFA_SETUP",
            Session=verified.get("Session") or challenge.session,
            ChallengeResponses={"USERNAME": challenge.username},
        )
        return self._outcome(response, challenge.username)

    def refresh(self, refresh_token: str) -> Tokens:
        response = self._call(
            "initiate_auth",
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
            ClientId=self.client_id,
        )
        tokens = self._outcome(response, "")
        if not isinstance(tokens, Tokens):
            raise AuthError("server", "refresh asked for a challenge")
        # Cognito does not rotate the refresh token unless rotation is on; keep the one we had.
        if tokens.refresh_token is None:
            tokens = Tokens(tokens.access_token, tokens.id_token, refresh_token, tokens.expires_at)
        return tokens

    def sign_out(self, tokens: Tokens, everywhere: bool = False) -> None:
        """Revoke the refresh token; fall back to GlobalSignOut (moto answers RevokeToken with a 500)."""
        from botocore.exceptions import BotoCoreError, ClientError

        if not everywhere and tokens.refresh_token:
            if self._client_no_retry is None:
                self._client_no_retry = self._make_client(attempts=1)
            try:
                self._client_no_retry.revoke_token(Token=tokens.refresh_token, ClientId=self.client_id)
                return
            except (ClientError, BotoCoreError):
                pass
        self._call("global_sign_out", AccessToken=tokens.access_token)

    def _outcome(self, response: dict[str, Any], username: str) -> Outcome:
        name = response.get("ChallengeName")
        session = response.get("Session", "")
        params = response.get("ChallengeParameters", {})
        username = params.get("USERNAME", username)
        if name == "NEW_PASSWORD_REQUIRED":
            return Challenge("new_password", username, session)
        if name == "SOFTWARE_TOKEN_MFA":
            return Challenge("totp", username, session)
        if name == "MFA_SETUP":
            associated = self._call("associate_software_token", Session=session)
            return Challenge("mfa_setup", username, associated.get("Session", session), associated["SecretCode"])
        if name:
            raise AuthError("server", f"unsupported challenge {name}")
        result = response["AuthenticationResult"]
        expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(result.get("ExpiresIn", 3600)))
        return Tokens(result["AccessToken"], result["IdToken"], result.get("RefreshToken"), expires_at)

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError

        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as exc:
            raise _classify(exc) from exc
        except (ConnectionError, HTTPClientError) as exc:
            raise AuthError("network", str(exc)) from exc
        except BotoCoreError as exc:
            raise AuthError("server", str(exc)) from exc


def _classify(exc: Any) -> AuthError:
    code = exc.response.get("Error", {}).get("Code", "")
    message = exc.response.get("Error", {}).get("Message", "")
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    lowered = message.lower()
    if code == "NotAuthorizedException":
        if "disabled" in lowered:
            return AuthError("disabled", message)
        if "attempts exceeded" in lowered:
            return AuthError("too_many_attempts", message)
        if "session" in lowered and "expired" in lowered:
            return AuthError("expired", message)
        return AuthError("wrong_credentials", message)
    kinds: dict[str, ErrorKind] = {
        "UserNotFoundException": "wrong_credentials",  # same words as a wrong password: no user enumeration
        "PasswordResetRequiredException": "password_expired",
        "InvalidPasswordException": "password_policy",
        "CodeMismatchException": "wrong_code",
        "EnableSoftwareTokenMFAException": "wrong_code",
        "ExpiredCodeException": "expired",
        "TooManyFailedAttemptsException": "too_many_attempts",
        "TooManyRequestsException": "too_many_attempts",
        "LimitExceededException": "too_many_attempts",
    }
    if code in kinds:
        return AuthError(kinds[code], message)
    if code == "ResourceNotFoundException" and "session" in lowered:
        return AuthError("expired", message)
    return AuthError("server", f"{code} ({status}): {message}")
