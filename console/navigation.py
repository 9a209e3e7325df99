"""Where a signed-in person can go: one registry of destinations, read by the home screen and the command palette.

Plain Python (no Textual): a destination names its screen as "module:Class" and the app imports it only when it is
opened, so start-up stays fast and a role check never needs the screen's code. To add a destination, add one
`Destination` line below; its key becomes a home binding with the id `open.<id>`, which the keymap can change.
Keys are F-keys and plain letters only: ctrl chords are taken by tmux and terminals.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

ROLES = ("cashier", "manager", "support", "admin")
EVERYONE = frozenset(ROLES)
SELLERS = frozenset({"cashier", "manager"})
OPERATORS = frozenset({"support", "admin"})


@dataclass(frozen=True)
class Destination:
    id: str
    title: str
    key: str  # a Textual key name, e.g. "f2" or "b"
    roles: frozenset[str]
    screen: str  # "module:Class", a Screen whose constructor takes no arguments
    description: str

    @property
    def built(self) -> bool:
        """False for a destination whose screen arrives with a later issue: listed here, offered to no one yet."""
        return importlib.util.find_spec(self.screen.partition(":")[0]) is not None


DESTINATIONS: tuple[Destination, ...] = (
    Destination("sale", "Sale", "f2", SELLERS, "screens.sale:SaleScreen", "Ring up a sale and take payment"),
    Destination(
        "products", "Products", "f3", EVERYONE, "screens.products:ProductsScreen", "Look up products and prices"
    ),
    Destination("stock", "Stock", "f4", EVERYONE, "screens.stock:StockScreen", "Stock levels and movements"),
    Destination("sync", "Sync", "f5", EVERYONE, "screens.sync:SyncScreen", "Waiting sales, conflicts, network"),
    Destination("orders", "Orders", "f6", EVERYONE, "screens.orders:OrdersScreen", "Today's orders and refunds"),
    Destination("shift", "Till shift", "f7", SELLERS, "screens.shift:ShiftScreen", "Open, count and close the till"),
    Destination("today", "Today", "f8", frozenset({"manager"}), "screens.today:TodayScreen", "Sales of the day"),
    Destination("terminal", "Terminal", "f9", EVERYONE, "screens.terminal:TerminalScreen", "This terminal and session"),
    Destination("backups", "Backups", "b", OPERATORS, "screens.backups:BackupsScreen", "Backup and recovery status"),
    Destination("health", "Health", "h", OPERATORS, "screens.health:HealthScreen", "Service health dashboard"),
    Destination("runbooks", "Runbooks", "r", OPERATORS, "screens.runbooks:RunbooksScreen", "Incident runbooks"),
    Destination("audit", "Audit log", "a", frozenset({"admin"}), "screens.audit:AuditScreen", "Who did what, when"),
    Destination("deployments", "Deployments", "d", OPERATORS, "screens.deployments:DeploymentsScreen", "ECS services"),
    Destination("logs", "Logs", "l", OPERATORS, "screens.logs:LogsScreen", "API logs: live tail and saved queries"),
    Destination("maintenance", "Maintenance", "m", OPERATORS, "screens.maintenance:MaintenanceScreen", "Weekly tasks"),
    Destination("drills", "DR drills", "k", OPERATORS, "screens.drills:DrillsScreen", "Monthly DR drill checklist"),
)

_BY_ID = {destination.id: destination for destination in DESTINATIONS}


def permitted(role: str | None) -> list[Destination]:
    """Every destination this role may open once it is built, in home order (the roles table)."""
    return [destination for destination in DESTINATIONS if role in destination.roles]


def for_role(role: str | None) -> list[Destination]:
    """What home and the palette offer this role: its destinations that this version has. Nothing else."""
    return [destination for destination in permitted(role) if destination.built]


def get(destination_id: str) -> Destination:
    return _BY_ID[destination_id]


def allowed(destination_id: str, role: str | None) -> bool:
    destination = _BY_ID.get(destination_id)
    return destination is not None and role in destination.roles and destination.built
