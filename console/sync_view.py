"""What the sync screen shows and what a person may change there, as plain data (no Textual): the connection and
queue overview from the engine's SyncStatus, keyset pages of the queue, dead letters with the fields that can be
corrected here, conflicts side by side, and the checks of a correction before it goes back into the queue.

Every function that reads the store takes it from the caller (the screen's worker holds `app.local_store.use()`),
and the clock's `now`, so tests call them directly with a real Store and a fixed time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from common.display import printable
from common.money import format_amount, minor_units, parse_amount
from console import paths
from console.config import Profile
from offline_cache.clock import from_text
from offline_cache.models import EDITABLE_PRODUCT_FIELDS, Conflict, OutboxOp, Product
from offline_cache.outbox import UNFINISHED
from offline_cache.writes import InvalidWrite, adjustment_change, clean_text, counted_quantity

if TYPE_CHECKING:  # the engine and the store load when sync starts, not with the status bar (start-up speed)
    from offline_cache.engine import SyncStatus
    from offline_cache.store import Store

PAGE_SIZE = 50  # queue rows read at once: a long queue is paged, never loaded whole
DEAD_LIMIT = 200  # dead letters listed at once (each needs a person; more than this is a support call)
DISCARD_WORD = "DISCARD"

Level = Literal["ok", "warning", "error"]
FieldKind = Literal["money", "whole", "text", "yes/no"]

KIND_LABELS = {
    "order.create": "sale",
    "order.refund": "refund",
    "stock.adjust": "stock",
    "product.create": "new product",
    "product.update": "product edit",
}
FIELD_LABELS = {
    "sku": "SKU",
    "barcode": "Barcode",
    "name": "Name",
    "category": "Category",
    "price": "Price",
    "tax_rate_bp": "Tax rate (basis points)",
    "active": "Active (yes/no)",
    "delta": "Quantity",
    "counted": "Counted quantity",
    "note": "Note",
}
FIELD_KINDS: dict[str, FieldKind] = {
    "price": "money",
    "tax_rate_bp": "whole",
    "active": "yes/no",
    "delta": "whole",
    "counted": "whole",
}


# --- the overview ---------------------------------------------------------------------------------------------


def age_text(age: dt.timedelta | None) -> str:
    """ "45s", "12m", "3h", "2d": how long something has waited."""
    if age is None:
        return "—"
    seconds = max(0, int(age.total_seconds()))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def moment_text(stored: str | None, now: dt.datetime) -> str:
    """A stored time as the clock's local time with its age: "09:21:04 (5m ago)", or "never"."""
    if stored is None:
        return "never"
    moment = from_text(stored)
    local = moment.astimezone(now.tzinfo) if now.tzinfo else moment
    return f"{local:%H:%M:%S} ({age_text(now - moment)} ago)"


def skew_text(seconds: float | None) -> str:
    """The device clock against the server's, short: "in step", "device 3 min ahead"."""
    if seconds is None:
        return "not measured yet"
    if abs(seconds) < 1:
        return "in step"
    return f"device {_skew_amount(seconds)} {'ahead' if seconds > 0 else 'behind'}"


def skew_badge(seconds: float | None) -> str:
    """The same for the status bar, where room is short: "clock +1.0 h", "clock -3 min"."""
    return "" if seconds is None else f"clock {'+' if seconds > 0 else '-'}{_skew_amount(seconds)}"


def _skew_amount(seconds: float) -> str:
    size = abs(seconds)
    return f"{size:.0f} s" if size < 120 else f"{size / 60:.0f} min" if size < 7200 else f"{size / 3600:.1f} h"


@dataclass(frozen=True, slots=True)
class Progress:
    label: str  # "Sending 120 of 1,000" / "Pulling changes: 5,000"
    done: int
    total: int | None  # None: the end is not known (a pull)


@dataclass(frozen=True, slots=True)
class Overview:
    connection: str
    connection_level: Level
    last_push: str
    last_pull: str
    waiting: str  # "12 waiting · oldest 14m"
    waiting_level: Level
    attention: str | None  # "1 refused · 1 in conflict · 2 blocked behind them"
    skew: str
    skew_warning: bool
    progress: Progress | None
    error: str | None


def overview(status: SyncStatus | None, now: dt.datetime, *, offline_session: bool = False) -> Overview:
    """The top of the sync screen, from the engine's latest status (None: it has not reported yet)."""
    if status is None:
        return Overview("checking…", "warning", "—", "—", "—", "ok", None, "not measured yet", False, None, None)
    queue, state = status.queue, status.state
    connection, level = _connection(status, offline_session)
    oldest = None if queue.oldest_pending_at is None else now - queue.oldest_pending_at
    waiting = f"{queue.unsent} waiting" + (f" · oldest {age_text(oldest)}" if queue.unsent else "")
    parts = [
        f"{number} {what}"
        for number, what in (
            (queue.dead, "refused"),
            (queue.conflicts, "in conflict"),
            (queue.blocked, "blocked behind them"),
        )
        if number
    ]
    return Overview(
        connection=connection,
        connection_level=level,
        last_push=moment_text(state.last_push_at, now),
        last_pull=moment_text(state.last_pull_at, now),
        waiting=waiting,
        waiting_level="warning" if queue.unsent else "ok",
        attention=" · ".join(parts) or None,
        skew=skew_text(state.clock_skew_seconds),
        skew_warning=status.skew_warning,
        progress=_progress(status),
        error=None if status.last_error is None else printable(status.last_error),  # the server's or the network's
    )


def _connection(status: SyncStatus, offline_session: bool) -> tuple[str, Level]:
    if offline_session:
        return "signed in offline: not sending", "warning"
    if status.needs_sign_in:
        return "session ended: sign in again", "error"
    if status.online is None:
        return "checking…", "warning"
    if not status.online:
        retry = "" if status.retry_in_seconds is None else f" · next try in {status.retry_in_seconds:.0f} s"
        return f"offline{retry}", "error"
    if status.retry_in_seconds is not None:
        return f"online · busy · next try in {status.retry_in_seconds:.0f} s", "warning"
    return "online", "ok"


def _progress(status: SyncStatus) -> Progress | None:
    progress = status.progress
    if progress is None:
        return None
    if progress.phase == "push":
        total = progress.total or progress.done
        return Progress(f"Sending {progress.done:,} of {total:,}", progress.done, total)
    return Progress(f"Pulling changes: {progress.done:,} so far", progress.done, None)


# --- the queue ------------------------------------------------------------------------------------------------

STATUS_LABELS = {"pending": "waiting", "in_flight": "sending", "dead": "refused", "conflict": "conflict"}


@dataclass(frozen=True, slots=True)
class QueueRow:
    op_id: str
    seq: int
    kind: str
    what: str
    status: str
    attempts: int
    age: str
    error: str


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[QueueRow]
    total: int  # every unfinished op
    has_before: bool
    has_after: bool

    @property
    def first_seq(self) -> int | None:
        return self.rows[0].seq if self.rows else None

    @property
    def last_seq(self) -> int | None:
        return self.rows[-1].seq if self.rows else None


class Describer:
    """Names an op's subject in words (the receipt, the product), reading products from the store once each."""

    def __init__(self, store: Store, currency: str) -> None:
        self._store = store
        self._products: dict[str, Product | None] = {}
        self.decimals = minor_units(currency)

    def product(self, product_id: str) -> Product | None:
        if product_id not in self._products:
            self._products[product_id] = self._store.catalogue.by_id(product_id)
        return self._products[product_id]

    def product_name(self, product_id: str) -> str:
        product = self.product(product_id)
        return product_id[:8] if product is None else product.name

    def money(self, amount: int) -> str:
        return format_amount(amount, self.decimals)

    def value(self, name: str, value: Any) -> str:
        """A payload field as a person reads it."""
        if value is None:
            return "—"
        if name == "price" and isinstance(value, int):
            return self.money(value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    def what(self, op: OutboxOp) -> str:
        payload = op.payload
        if op.type == "order.create":
            items = sum(int(line.get("quantity", 0)) for line in payload.get("lines", []))
            return f"{payload.get('receipt_no', op.id[:8])} · {items} item{'s' if items != 1 else ''}"
        if op.type == "order.refund":
            items = sum(int(line.get("quantity", 0)) for line in payload.get("lines", []))
            return f"refund of {items} on order {str(payload.get('order_id', ''))[:8]}"
        if op.type == "stock.adjust":
            name = self.product_name(payload["product_id"])
            if "counted" in payload:
                return f"{name} · counted {payload['counted']}"
            return f"{name} · {payload.get('reason', '')} {payload.get('delta', 0):+d}"
        if op.type == "product.create":
            return f"{payload.get('name', '')} ({payload.get('sku', '')})"
        if op.type == "product.update":
            changed = ", ".join(
                f"{name} {self.value(name, payload[name])}" for name in EDITABLE_PRODUCT_FIELDS if name in payload
            )
            return f"{self.product_name(payload['product_id'])} · {changed}"
        return op.entity

    def row(self, op: OutboxOp, now: dt.datetime) -> QueueRow:
        """The op as the queue lists it; names and errors come from the cache and the server, so drawn inert."""
        status = "blocked" if op.blocked else STATUS_LABELS.get(op.status, op.status)
        return QueueRow(
            op_id=op.id,
            seq=op.seq,
            kind=printable(KIND_LABELS.get(op.type, op.type)),
            what=printable(self.what(op)),
            status=printable(status),
            attempts=op.attempts,
            age=age_text(now - from_text(op.created_at)),
            error=printable(op.last_error or ""),
        )


def queue_page(
    store: Store,
    describer: Describer,
    now: dt.datetime,
    *,
    after_seq: int | None = None,
    before_seq: int | None = None,
    limit: int = PAGE_SIZE,
) -> QueuePage:
    """One keyset page of every unfinished op, in seq order: the first, the one after `after_seq`, or the one
    before `before_seq`."""
    ops = store.outbox.list(limit=limit, after_seq=after_seq, before_seq=before_seq)
    summary = store.outbox.summary()
    total = summary.unsent + summary.dead + summary.conflicts
    if not ops and before_seq is None and after_seq is not None:
        return queue_page(store, describer, now, before_seq=after_seq + 1, limit=limit)  # ran off the end
    has_before = bool(ops) and bool(store.outbox.list(UNFINISHED, 1, before_seq=ops[0].seq))
    has_after = bool(ops) and bool(store.outbox.list(UNFINISHED, 1, after_seq=ops[-1].seq))
    return QueuePage([describer.row(op, now) for op in ops], total, has_before, has_after)


# --- dead letters ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EditableField:
    name: str  # the payload's key
    label: str
    value: str  # as typed in the form
    kind: FieldKind


@dataclass(frozen=True, slots=True)
class DeadLetter:
    row: QueueRow
    http_status: int | None
    error: str
    fields: list[EditableField]  # empty: nothing to correct here (retry as is, export, or discard)

    @property
    def editable(self) -> bool:
        return bool(self.fields)


def dead_letters(store: Store, describer: Describer, now: dt.datetime) -> list[DeadLetter]:
    return [
        DeadLetter(row := describer.row(op, now), op.http_status, row.error, editable_fields(op, describer))
        for op in store.outbox.list(("dead",), DEAD_LIMIT)
    ]


def editable_fields(op: OutboxOp, describer: Describer) -> list[EditableField]:
    """The fields of a refused op that a person may correct here, where the fix is local: a product's fields, an
    adjustment's quantity and note. A sale or a refund happened as it was recorded: retry, export or discard it."""
    payload = op.payload
    if op.type in ("product.create", "product.update"):
        names = [name for name in EDITABLE_PRODUCT_FIELDS if name in payload]
    elif op.type == "stock.adjust":
        names = ["counted" if "counted" in payload else "delta", "note"]
    else:
        return []
    return [
        EditableField(
            name, FIELD_LABELS[name], _typed(name, payload.get(name), describer), FIELD_KINDS.get(name, "text")
        )
        for name in names
    ]


def _typed(name: str, value: Any, describer: Describer) -> str:
    """A value as the form shows it for editing (money with its decimals, yes/no, blank for none)."""
    if value is None:
        return ""
    return describer.value(name, value)


def corrected_payload(store: Store, op: OutboxOp, typed: Mapping[str, str], describer: Describer) -> dict[str, Any]:
    """The op's payload with the typed corrections, checked as a new write would be; InvalidWrite says what is
    wrong, in words for the person."""
    if op.status != "dead":
        raise InvalidWrite("Only a refused operation can be corrected and sent again.")
    fields = {field.name: field for field in editable_fields(op, describer)}
    unknown = set(typed) - set(fields)
    if unknown:
        raise InvalidWrite(f"These fields cannot be corrected here: {', '.join(sorted(unknown))}.")
    values = {name: _parse(fields[name], text, describer) for name, text in typed.items()}
    payload = dict(op.payload)
    if op.type == "stock.adjust":
        if "delta" in values:
            payload["delta"] = adjustment_change(str(payload.get("reason")), values["delta"], "The adjustment")
        if "counted" in values:
            payload["counted"] = counted_quantity(values["counted"], "The count")
        if "note" in values:
            payload["note"] = clean_text(values["note"], "note", required=False) or ""
        return payload
    product_id = payload["id"] if op.type == "product.create" else payload["product_id"]
    if op.type == "product.create":
        current = {name: payload.get(name) for name in EDITABLE_PRODUCT_FIELDS}
    else:
        product = store.catalogue.by_id(product_id)
        if product is None:
            raise InvalidWrite("This product is no longer in the catalogue: discard the edit instead.")
        current = {name: getattr(product, name) for name in EDITABLE_PRODUCT_FIELDS} | {
            name: payload[name] for name in EDITABLE_PRODUCT_FIELDS if name in payload
        }
    checked = store.writes.product_fields(current | values, product_id)
    return payload | {name: checked[name] for name in fields}


def _parse(field: EditableField, text: str, describer: Describer) -> Any:
    text = text.strip()
    if field.kind == "money":
        try:
            return parse_amount(text, describer.decimals)
        except ValueError as exc:
            raise InvalidWrite(f"{field.label}: {exc}") from None
    if field.kind == "whole":
        try:
            return int(text.replace(",", ""))
        except ValueError:
            raise InvalidWrite(f"{field.label} must be a whole number, got {text!r}.") from None
    if field.kind == "yes/no":
        if text.lower() in ("y", "yes", "true", "1"):
            return True
        if text.lower() in ("n", "no", "false", "0"):
            return False
        raise InvalidWrite(f"{field.label}: type yes or no.")
    return text or None


def retry_corrected(store: Store, op_id: str, typed: Mapping[str, str], describer: Describer) -> None:
    """Send a refused op again with the typed corrections (checked first; nothing changes when they fail)."""
    op = store.outbox.get(op_id)
    if op is None:
        raise InvalidWrite("This operation is no longer in the queue.")
    store.outbox.retry(op_id, corrected_payload(store, op, typed, describer))


def discard_allowed(typed: str) -> bool:
    """A refused op is given up only when the person typed the word, exactly."""
    return typed.strip() == DISCARD_WORD


# --- conflicts ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConflictRow:
    field: str
    base: str
    mine: str
    theirs: str
    differs: bool  # mine and theirs disagree on it


@dataclass(frozen=True, slots=True)
class ConflictView:
    id: int
    title: str
    age: str
    rows: list[ConflictRow]


def conflict_views(store: Store, describer: Describer, now: dt.datetime) -> list[ConflictView]:
    return [conflict_view(conflict, describer, now) for conflict in store.conflicts.list()]


def conflict_view(conflict: Conflict, describer: Describer, now: dt.datetime) -> ConflictView:
    """Base / mine / theirs for each field my edit changed, and the versions they stand on."""
    mine, base, theirs = conflict.mine, conflict.base or {}, conflict.theirs or {}
    names = [name for name in EDITABLE_PRODUCT_FIELDS if name in mine]
    rows = [
        ConflictRow(
            FIELD_LABELS.get(name, name),
            printable(describer.value(name, base.get(name))),
            printable(describer.value(name, mine[name])),
            printable(describer.value(name, theirs.get(name))),
            mine[name] != theirs.get(name),
        )
        for name in names
    ]
    rows.append(
        ConflictRow(
            "Version",
            str(mine.get("version", "—")),
            str(mine.get("version", "—")),
            str(theirs.get("version", "—")),
            True,
        )
    )
    product_id = str(mine.get("product_id") or mine.get("id") or "")
    title = theirs.get("name") or describer.product_name(product_id)
    sku = theirs.get("sku")
    return ConflictView(
        conflict.id,
        printable(f"{title} ({sku})" if sku else str(title)),
        age_text(now - from_text(conflict.created_at)),
        rows,
    )


# --- export ---------------------------------------------------------------------------------------------------


def default_export_path(profile: Profile, now: dt.datetime) -> Path:
    """Where "Export queue…" suggests writing: the profile's data dir, named by terminal and time."""
    return paths.profile_data_dir(profile.name) / f"queue-{profile.terminal_id}-{now:%Y%m%d-%H%M%S}.json"


def export_path(typed: str, profile: Profile, now: dt.datetime) -> Path:
    """The file a person typed (~ expanded; a relative name goes into the data dir); InvalidWrite when unusable."""
    text = typed.strip()
    if not text:
        return default_export_path(profile, now)
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = paths.profile_data_dir(profile.name) / path
    if path.is_dir():
        raise InvalidWrite(f"{path} is a folder: type a file name.")
    if not path.parent.is_dir():
        raise InvalidWrite(f"The folder {path.parent} does not exist.")
    return path


def export_queue(store: Store, path: Path) -> int:
    """Write every unfinished op to `path` (see offline_cache.exchange); returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return store.export_queue(path)
