"""Cognito access-token verification (PyJWT): RS256 signature from the pool's JWKS, issuer, expiry, use, client."""

from __future__ import annotations

from typing import Any

import jwt

# Cognito signs with RS256; accepting only it shuts out `alg: none` and HS256-with-the-public-key forgeries.
ALGORITHMS = ["RS256"]
LEEWAY_SECONDS = 30
REQUIRED_CLAIMS = ["exp", "iat", "iss", "sub", "token_use", "client_id"]


class TokenVerifier:
    """Verifies access tokens of one user pool and app client. Signing keys are fetched from the JWKS URL
    once and cached (a token naming an unknown key id refetches, at most every 30 s).

    `verify` raises `jwt.PyJWKClientConnectionError` when the keys cannot be fetched (our problem, not the
    caller's), and another `jwt.PyJWTError` for any token that is not a valid access token of this client."""

    def __init__(self, jwks_url: str, issuer: str, client_id: str):
        self.issuer = issuer
        self.client_id = client_id
        self._keys = jwt.PyJWKClient(jwks_url, cache_keys=True, timeout=5)

    def verify(self, token: str) -> dict[str, Any]:
        header = jwt.get_unverified_header(token)
        if header.get("alg") not in ALGORITHMS:  # before any key lookup, so junk never reaches the network
            raise jwt.InvalidAlgorithmError(f"algorithm {header.get('alg')!r} is not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise jwt.InvalidTokenError("no key id")
        key = self._keys.get_signing_key(kid)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=ALGORITHMS,
            issuer=self.issuer,  # moto (like any pool's keys reused elsewhere) signs every pool with one key
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
        if claims["token_use"] != "access":
            raise jwt.InvalidTokenError(f"token_use is {claims['token_use']!r}, not 'access'")
        if claims["client_id"] != self.client_id:
            raise jwt.InvalidTokenError("issued to another app client")
        return claims
