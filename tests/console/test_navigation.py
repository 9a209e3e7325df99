"""The registry of destinations: what each role is offered, and keys that survive tmux and terminals."""

from __future__ import annotations

import re

from console import navigation

EXPECTED = {
    "cashier": ["sale", "products", "stock", "sync", "orders", "shift", "terminal"],
    "manager": ["sale", "products", "stock", "sync", "orders", "shift", "today", "terminal"],
    "support": [
        *("products", "stock", "sync", "orders", "terminal", "backups", "health", "runbooks"),
        *("deployments", "logs", "maintenance", "drills"),
    ],
    "admin": [
        *("products", "stock", "sync", "orders", "terminal", "backups", "health", "runbooks", "audit"),
        *("deployments", "logs", "maintenance", "drills"),
    ],
}


def test_each_role_is_permitted_its_destinations_and_nothing_else() -> None:
    for role, expected in EXPECTED.items():
        assert [d.id for d in navigation.permitted(role)] == expected
    assert navigation.permitted(None) == [] and navigation.permitted("intruder") == []


def test_only_built_destinations_are_offered() -> None:
    for role, expected in EXPECTED.items():
        assert [d.id for d in navigation.for_role(role)] == [i for i in expected if navigation.get(i).built]
    assert navigation.allowed("audit", "admin")
    assert navigation.allowed("today", "manager")
    assert [d.id for d in navigation.for_role("manager")] == EXPECTED["manager"]  # every destination is built


def test_allowed_follows_the_roles() -> None:
    assert navigation.allowed("backups", "support") and navigation.allowed("terminal", "cashier")
    assert not navigation.allowed("backups", "cashier")
    assert "sale" not in {d.id for d in navigation.permitted("support")}  # support reads, it does not sell
    assert not navigation.allowed("audit", "manager")
    assert not navigation.allowed("no-such-place", "admin")


def test_keys_are_unique_f_keys_or_plain_letters() -> None:
    keys = [d.key for d in navigation.DESTINATIONS]
    assert len(set(keys)) == len(keys)
    taken = {"o", "e", "q"}  # home's sign-out, sign-out everywhere, and quit
    for key in keys:
        assert re.fullmatch(r"f([2-9]|12)|[a-z]", key), f"{key}: F-keys (not F1, F10, F11) or letters only"
        assert key not in taken
    assert len({d.id for d in navigation.DESTINATIONS}) == len(navigation.DESTINATIONS)


def test_every_destination_names_a_screen_and_known_roles() -> None:
    for destination in navigation.DESTINATIONS:
        assert re.fullmatch(r"screens\.\w+:\w+Screen", destination.screen)
        assert destination.roles and destination.roles <= set(navigation.ROLES)
    assert navigation.get("terminal").built
    assert navigation.get("audit").built
    assert navigation.get("today").built
    assert not navigation.allowed("today", "cashier")  # the day's figures are the manager's
