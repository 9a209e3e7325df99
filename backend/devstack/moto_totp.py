"""Give moto's Cognito an authenticator secret that authenticators accept.

moto hands every user the same TOTP secret, `COGNITO_TOTP_MFA_SECRET` ("asdfasdfasdf": 60 bits), and checks codes
against it. pyotp (>= 2.10) and authenticator apps refuse secrets under 112 bits (NIST SP 800-63B), so the dev
stack swaps in a fixed 160-bit secret, the length Cognito's own secrets have. Still one secret for all users.
"""

from __future__ import annotations

import moto.cognitoidp.models as cognito_models

# base32 of b"shop-console:demoMFA" (20 bytes): fixed, so the demo's printed secret stays the same.
DEMO_TOTP_SECRET = "ONUG64BNMNXW443PNRSTUZDFNVXU2RSB"


def install() -> None:
    """moto reads the module constant on every call, so replacing it is enough."""
    cognito_models.COGNITO_TOTP_MFA_SECRET = DEMO_TOTP_SECRET  # type: ignore[misc]
