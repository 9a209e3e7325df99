"""The demo shops and staff: fixed ids, readable usernames and memorable passwords that meet the pool's policy.

They are published on purpose (the demo prints them); nothing here is a secret of a real system.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["cashier", "manager", "support", "admin"]
Challenge = Literal["new_password", "totp"]


@dataclass(frozen=True)
class DemoShop:
    id: str
    name: str
    currency: str
    catalogue: str  # file under assets/demo/, made by common.catalogue_gen


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    shop: DemoShop
    display_name: str
    challenge: Challenge | None = None

    @property
    def email(self) -> str:
        return f"{self.username}@demo.shop-console.invalid"


CORNER_GROCER = DemoShop("3f0b6c1e-5a2d-4c8e-9b7a-1d2e3f4a5b6c", "Corner Grocer", "USD", "corner-grocer.json")
HARBOR_HARDWARE = DemoShop("8a7d2e94-1c3b-4f6a-a5e8-9b0c1d2e3f40", "Harbor Hardware", "EUR", "harbor-hardware.json")
SHOPS: tuple[DemoShop, ...] = (CORNER_GROCER, HARBOR_HARDWARE)

ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("corner-cashier", "Apples-Till-101!", "cashier", CORNER_GROCER, "Maya Patel"),
    DemoAccount("corner-manager", "Apples-Stock-202!", "manager", CORNER_GROCER, "Tom Okafor"),
    DemoAccount("corner-support", "Apples-Fixit-303!", "support", CORNER_GROCER, "Lena Fischer"),
    DemoAccount("harbor-cashier", "Hammer-Till-404!", "cashier", HARBOR_HARDWARE, "Sam Rivera"),
    DemoAccount("harbor-manager", "Hammer-Stock-505!", "manager", HARBOR_HARDWARE, "Grace Lin"),
    DemoAccount("ops-admin", "Ops-Console-606!", "admin", CORNER_GROCER, "Priya Nair"),
    # Created with a temporary password and left in FORCE_CHANGE_PASSWORD: the first sign-in must set a new one.
    DemoAccount("corner-new-hire", "Apples-Temp-707!", "cashier", CORNER_GROCER, "Jo Brennan", "new_password"),
    # Has an authenticator app (software token MFA) enabled and preferred.
    DemoAccount("harbor-mfa-manager", "Hammer-Token-808!", "manager", HARBOR_HARDWARE, "Ali Hassan", "totp"),
)

GROUPS: tuple[Role, ...] = ("cashier", "manager", "support", "admin")
