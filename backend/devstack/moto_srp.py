"""Make moto's USER_SRP_AUTH check the password, as Cognito does.

moto 5 answers USER_SRP_AUTH with a random SALT and SRP_B and accepts any PASSWORD_CLAIM_SIGNATURE, so against
plain moto a wrong password signs in and the console could never show "wrong password refused". `install()` wraps
moto's Cognito backend in this process (the dev stack runs moto in-process) so that:

- `initiate_auth` hands out a real SRP challenge: the server half of the protocol pycognito's `AWSSRP` speaks, with
  the user's verifier derived from the password moto stores and a fresh salt;
- `respond_to_auth_challenge(PASSWORD_VERIFIER)` checks the claim signature and raises NotAuthorizedException
  ("Incorrect username or password.") on a mismatch, then hands over to moto's own flow (new password, MFA,
  tokens);
- with PreventUserExistenceErrors enabled on the client, an unknown user gets a decoy challenge and then the very
  same error, as Cognito does (moto itself would answer UserNotFoundException).

Only the SRP flow changes; every other flow is moto's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from moto.cognitoidp.exceptions import NotAuthorizedError, UserNotFoundError
from moto.cognitoidp.models import CognitoIdpBackend
from pycognito.aws_srp import (
    G_HEX,
    N_HEX,
    calculate_u,
    compute_hkdf,
    hash_sha256,
    hex_hash,
    hex_to_long,
    long_to_hex,
    pad_hex,
)

WRONG_CREDENTIALS = "Incorrect username or password."

_N = hex_to_long(N_HEX)
_G = hex_to_long(G_HEX)
_K = hex_to_long(hex_hash("00" + N_HEX + "0" + G_HEX))


@dataclass(frozen=True)
class _Challenge:
    """What the server keeps between the two SRP round trips (keyed by SECRET_BLOCK)."""

    pool_name: str  # the part of the pool id after "_", which SRP hashes in
    user_id_for_srp: str
    verifier: int
    small_b: int
    big_a: int
    big_b: int
    decoy: bool  # issued for an unknown user: always fails, like Cognito with PreventUserExistenceErrors


_challenges: dict[str, _Challenge] = {}
_lock = threading.Lock()


def _verifier(pool_name: str, user_id_for_srp: str, password: str, salt_hex: str) -> int:
    identity_hash = hash_sha256(f"{pool_name}{user_id_for_srp}:{password}".encode())
    x = hex_to_long(hex_hash(pad_hex(salt_hex) + identity_hash))
    return pow(_G, x, _N)


def _issue(pool_id: str, user_id_for_srp: str, password: str, srp_a_hex: str, decoy: bool) -> dict[str, str]:
    """Server side of the first round: B = k·v + g^b (mod N), with a fresh salt and secret block."""
    big_a = hex_to_long(srp_a_hex)
    if big_a % _N == 0:  # A ≡ 0 would let a client compute the session key without the password
        raise NotAuthorizedError(WRONG_CREDENTIALS)
    pool_name = pool_id.split("_", 1)[1]
    salt_hex = secrets.token_hex(16)
    verifier = _verifier(pool_name, user_id_for_srp, password, salt_hex)
    small_b = secrets.randbelow(_N - 1) + 1
    big_b = (_K * verifier + pow(_G, small_b, _N)) % _N
    secret_block = base64.standard_b64encode(secrets.token_bytes(64)).decode()
    with _lock:
        _challenges[secret_block] = _Challenge(pool_name, user_id_for_srp, verifier, small_b, big_a, big_b, decoy)
    return {"SALT": salt_hex, "SRP_B": long_to_hex(big_b), "SECRET_BLOCK": secret_block}


def _signature_matches(challenge: _Challenge, secret_block: str, responses: dict[str, str]) -> bool:
    """Recompute the client's PASSWORD_CLAIM_SIGNATURE from S = (A·v^u)^b (mod N)."""
    u = calculate_u(challenge.big_a, challenge.big_b)
    if u == 0:
        return False
    s = pow(challenge.big_a * pow(challenge.verifier, u, _N), challenge.small_b, _N)
    key = compute_hkdf(bytearray.fromhex(pad_hex(s)), bytearray.fromhex(pad_hex(long_to_hex(u))))
    message = (
        challenge.pool_name.encode()
        + challenge.user_id_for_srp.encode()
        + base64.standard_b64decode(secret_block)
        + responses.get("TIMESTAMP", "").encode()
    )
    expected = base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, responses.get("PASSWORD_CLAIM_SIGNATURE", ""))


def _prevents_user_existence_errors(backend: CognitoIdpBackend, client_id: str) -> str | None:
    """The pool id when the client hides unknown users, else None."""
    for pool in backend.user_pools.values():
        client = pool.clients.get(client_id)
        if client is not None and client.extended_config.get("PreventUserExistenceErrors") == "ENABLED":
            return pool.id
    return None


def install() -> None:
    """Wrap moto's Cognito backend once per process; later calls do nothing."""
    if getattr(CognitoIdpBackend, "_devstack_srp", False):
        return
    moto_initiate_auth = CognitoIdpBackend.initiate_auth
    moto_respond = CognitoIdpBackend.respond_to_auth_challenge

    def initiate_auth(
        self: CognitoIdpBackend, client_id: str, auth_flow: str, auth_parameters: dict[str, str]
    ) -> dict[str, Any]:
        if auth_flow != "USER_SRP_AUTH":
            return moto_initiate_auth(self, client_id, auth_flow, auth_parameters)
        srp_a = auth_parameters.get("SRP_A", "")
        try:
            result = moto_initiate_auth(self, client_id, auth_flow, auth_parameters)
        except UserNotFoundError:
            pool_id = _prevents_user_existence_errors(self, client_id)
            if pool_id is None:
                raise
            username = auth_parameters.get("USERNAME", "")
            decoy = _issue(pool_id, username, secrets.token_urlsafe(16), srp_a, decoy=True)
            return {
                "ChallengeName": "PASSWORD_VERIFIER",
                "Session": decoy["SECRET_BLOCK"],
                "ChallengeParameters": {**decoy, "USERNAME": username, "USER_ID_FOR_SRP": username},
            }
        # moto keys its session by the SECRET_BLOCK it hands out; move it to ours.
        params = result["ChallengeParameters"]
        username, pool = self.sessions.pop(params["SECRET_BLOCK"])
        user = self.admin_get_user(pool.id, username)
        issued = _issue(pool.id, params["USER_ID_FOR_SRP"], user.password or "", srp_a, decoy=False)
        self.sessions[issued["SECRET_BLOCK"]] = (username, pool)
        return {**result, "Session": issued["SECRET_BLOCK"], "ChallengeParameters": {**params, **issued}}

    def respond_to_auth_challenge(
        self: CognitoIdpBackend,
        session: str,
        client_id: str,
        challenge_name: str,
        challenge_responses: dict[str, str],
    ) -> dict[str, Any]:
        if challenge_name == "PASSWORD_VERIFIER":
            secret_block = challenge_responses.get("PASSWORD_CLAIM_SECRET_BLOCK", "")
            with _lock:
                challenge = _challenges.pop(secret_block, None)
            # No challenge of ours (unknown or replayed block), a decoy, or a bad signature: all the same answer.
            if (
                challenge is None
                or challenge.decoy
                or not _signature_matches(challenge, secret_block, challenge_responses)
            ):
                self.sessions.pop(secret_block, None)
                raise NotAuthorizedError(WRONG_CREDENTIALS)
        return moto_respond(self, session, client_id, challenge_name, challenge_responses)

    CognitoIdpBackend.initiate_auth = initiate_auth  # type: ignore[method-assign]
    CognitoIdpBackend.respond_to_auth_challenge = respond_to_auth_challenge  # type: ignore[method-assign]
    CognitoIdpBackend._devstack_srp = True  # type: ignore[attr-defined]
