"""The cache's schema, as forward migrations: `MIGRATIONS[n]` takes a database from version n to n + 1.

The version lives in `PRAGMA user_version`, which SQLite writes in the same transaction as the migration's
changes, so a crash mid-migration leaves the previous version intact. Never edit a released migration; add one.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable

from offline_cache.db import transaction

Migration = Callable[[sqlite3.Connection], None]


class SchemaTooNew(Exception):
    """The database was written by a newer release of the console; opening it here could lose data."""


def _run(conn: sqlite3.Connection, script: str) -> None:
    """Run `;`-separated statements one by one (executescript would commit the migration's transaction)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")


_V1 = """
CREATE TABLE products (
    row_id INTEGER PRIMARY KEY,              -- the FTS index's content rowid
    id TEXT NOT NULL UNIQUE,
    sku TEXT NOT NULL COLLATE NOCASE,
    barcode TEXT,
    name TEXT NOT NULL COLLATE NOCASE,
    category TEXT COLLATE NOCASE,
    price INTEGER NOT NULL,
    tax_rate_bp INTEGER NOT NULL,
    active INTEGER NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    local_changes INTEGER NOT NULL DEFAULT 0  -- 1 while unsent local edits are applied on top
);
CREATE UNIQUE INDEX products_barcode ON products (barcode);
-- The SKU, name and price indexes are DEFERRED_INDEXES, built when the first full pull is in.

CREATE VIRTUAL TABLE products_fts USING fts5 (
    name, sku, category,
    content = 'products', content_rowid = 'row_id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2'
);
-- Ranking: a hit in the name counts most, then the SKU, then the category.
INSERT INTO products_fts (products_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0)');
-- The initial pull fills `products` with the index off and builds it once at the end ('rebuild'), several times
-- faster than row by row; from then on these triggers keep it current.
CREATE TRIGGER products_fts_insert AFTER INSERT ON products
WHEN (SELECT initial_pull_done FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO products_fts (rowid, name, sku, category) VALUES (new.row_id, new.name, new.sku, new.category);
END;
CREATE TRIGGER products_fts_delete AFTER DELETE ON products
WHEN (SELECT initial_pull_done FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO products_fts (products_fts, rowid, name, sku, category)
    VALUES ('delete', old.row_id, old.name, old.sku, old.category);
END;
CREATE TRIGGER products_fts_update AFTER UPDATE OF name, sku, category ON products
WHEN (old.name IS NOT new.name OR old.sku IS NOT new.sku OR old.category IS NOT new.category)
    AND (SELECT initial_pull_done FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO products_fts (products_fts, rowid, name, sku, category)
    VALUES ('delete', old.row_id, old.name, old.sku, old.category);
    INSERT INTO products_fts (rowid, name, sku, category) VALUES (new.row_id, new.name, new.sku, new.category);
END;

-- The server's copy of a product while local edits sit on top of it in `products` (data NULL: not on the
-- server yet). No row means `products` holds the server's state as it is.
CREATE TABLE product_server (
    id TEXT PRIMARY KEY,
    data TEXT
);

CREATE TABLE stock (
    product_id TEXT NOT NULL,
    location TEXT NOT NULL,
    on_hand INTEGER NOT NULL,
    reorder_point INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT,
    PRIMARY KEY (product_id, location)
) WITHOUT ROWID;

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,                     -- the op id: the new entity's UUID for creates
    seq INTEGER NOT NULL UNIQUE,
    client_id TEXT NOT NULL,
    type TEXT NOT NULL,
    entity TEXT NOT NULL,                    -- "product:<id>", "order:<id>", …: what the op changes
    payload TEXT NOT NULL,
    base TEXT,                               -- an edit's fields as the server had them (conflict "base")
    status TEXT NOT NULL CHECK (status IN ('pending', 'in_flight', 'done', 'dead', 'conflict')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    http_status INTEGER,
    result TEXT,
    resolution TEXT,                         -- how a person settled a dead or conflicting op
    created_at TEXT NOT NULL,
    acked_at TEXT,
    exported_at TEXT
);
CREATE INDEX outbox_status_seq ON outbox (status, seq);
CREATE INDEX outbox_entity_seq ON outbox (entity, seq);
CREATE INDEX outbox_done_acked ON outbox (acked_at) WHERE status = 'done';

-- Stock moved by local ops, counted on top of `stock` until a pull that started after the server's
-- acknowledgement brings the server's own figure (acked_in_pull: the pull generation at that moment).
CREATE TABLE stock_delta (
    op_id TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    location TEXT NOT NULL,
    delta INTEGER NOT NULL,
    acked_in_pull INTEGER,
    PRIMARY KEY (op_id, product_id, location)
) WITHOUT ROWID;
CREATE INDEX stock_delta_product ON stock_delta (product_id, location);

CREATE VIEW stock_pending AS
    SELECT d.product_id, d.location, SUM(d.delta) AS delta
    FROM stock_delta d JOIN outbox o ON o.id = d.op_id
    WHERE o.status IN ('pending', 'in_flight', 'done')
    GROUP BY d.product_id, d.location;

CREATE VIEW stock_view AS
    SELECT s.product_id, s.location, s.on_hand + COALESCE(p.delta, 0) AS on_hand, s.on_hand AS server_on_hand,
           s.reorder_point, s.updated_at
    FROM stock s LEFT JOIN stock_pending p ON p.product_id = s.product_id AND p.location = s.location
    UNION ALL
    SELECT p.product_id, p.location, p.delta, 0, 0, NULL
    FROM stock_pending p
    WHERE NOT EXISTS (SELECT 1 FROM stock s WHERE s.product_id = p.product_id AND s.location = p.location);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    origin TEXT NOT NULL CHECK (origin IN ('local', 'server')),
    terminal_id TEXT NOT NULL,
    receipt_no TEXT NOT NULL,
    created_at TEXT NOT NULL,
    cashier TEXT,
    location TEXT,
    subtotal INTEGER NOT NULL,
    tax INTEGER NOT NULL,
    total INTEGER NOT NULL,
    change INTEGER NOT NULL,
    flags TEXT NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX orders_receipt ON orders (terminal_id, receipt_no);
CREATE INDEX orders_created ON orders (created_at);

CREATE TABLE order_lines (
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    sku TEXT,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price INTEGER NOT NULL,
    discount INTEGER NOT NULL,
    tax_rate_bp INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    tax INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;

CREATE TABLE order_tenders (
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    method TEXT NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (order_id, n)
) WITHOUT ROWID;

CREATE TABLE refunds (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    amount INTEGER NOT NULL,
    tax INTEGER NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id);

CREATE TABLE refund_lines (
    refund_id TEXT NOT NULL REFERENCES refunds (id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    tax INTEGER NOT NULL,
    PRIMARY KEY (refund_id, line_no)
) WITHOUT ROWID;

CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY,
    op_id TEXT NOT NULL,                     -- no foreign key: the record outlives the pruned op
    entity TEXT NOT NULL,
    base TEXT,
    mine TEXT NOT NULL,
    theirs TEXT,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolution TEXT
);
CREATE INDEX conflicts_open ON conflicts (resolved_at, id);

CREATE TABLE sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    client_id TEXT NOT NULL,
    next_seq INTEGER NOT NULL DEFAULT 1,
    cursor TEXT,
    initial_pull_done INTEGER NOT NULL DEFAULT 0,
    pull_generation INTEGER NOT NULL DEFAULT 0,
    last_applied_seq INTEGER,
    clock_skew_seconds REAL,
    skew_checked_at TEXT,
    last_push_at TEXT,
    last_pull_at TEXT,
    last_error TEXT
);

CREATE TABLE receipt_counters (
    terminal_id TEXT NOT NULL,
    day TEXT NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (terminal_id, day)
) WITHOUT ROWID;

CREATE TABLE parked_carts (
    id TEXT PRIMARY KEY,
    terminal_id TEXT NOT NULL,
    label TEXT NOT NULL,
    cart TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


# Written row by row, these would make the first full pull of 100,000 products twice as slow; sorted in one go at
# its end (product_view.complete_initial_load) they cost a fraction. Until then lookups scan (the catalogue is
# still arriving anyway). A migration that changes them must create them only where initial_pull_done is set.
DEFERRED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS products_sku ON products (sku)",
    "CREATE INDEX IF NOT EXISTS products_name ON products (name)",
    "CREATE INDEX IF NOT EXISTS products_price ON products (price)",
)


def _v1_initial(conn: sqlite3.Connection) -> None:
    _run(conn, _V1)
    conn.execute("INSERT INTO sync_state (id, client_id) VALUES (1, ?)", (str(uuid.uuid4()),))


# Till shifts (offline_cache/shifts.py). A sale or refund recorded here joins the terminal's open shift in its own
# transaction (the triggers), as shop-api attaches it when the ops arrive in queue order.
_V2_SHIFTS = """
CREATE TABLE shifts (
    id TEXT PRIMARY KEY,
    terminal_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_by TEXT,
    opened_at TEXT NOT NULL,
    opening_float INTEGER NOT NULL,
    opening_breakdown TEXT,                  -- JSON [{denomination, count}], or NULL for a total
    closed_by TEXT,
    closed_at TEXT,
    counted_cash INTEGER,
    counted_breakdown TEXT,
    server_report TEXT,                      -- the server's figures (GET /v1/shifts/{id} or the close's answer)
    server_report_at TEXT
);
CREATE UNIQUE INDEX shifts_one_open ON shifts (terminal_id) WHERE status = 'open';
CREATE INDEX shifts_opened ON shifts (opened_at);

CREATE TABLE shift_cash_movements (
    id TEXT PRIMARY KEY,
    shift_id TEXT NOT NULL REFERENCES shifts (id),
    kind TEXT NOT NULL CHECK (kind IN ('paid_in', 'paid_out')),
    amount INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT
);
CREATE INDEX shift_cash_movements_shift ON shift_cash_movements (shift_id, created_at);

CREATE TABLE shift_orders (
    order_id TEXT PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    shift_id TEXT NOT NULL REFERENCES shifts (id)
);
CREATE INDEX shift_orders_shift ON shift_orders (shift_id);

CREATE TABLE shift_refunds (
    refund_id TEXT PRIMARY KEY REFERENCES refunds (id) ON DELETE CASCADE,
    shift_id TEXT NOT NULL REFERENCES shifts (id)
);
CREATE INDEX shift_refunds_shift ON shift_refunds (shift_id);

CREATE TRIGGER shift_orders_attach AFTER INSERT ON orders WHEN new.origin = 'local' BEGIN
    INSERT INTO shift_orders (order_id, shift_id)
    SELECT new.id, id FROM shifts WHERE terminal_id = new.terminal_id AND status = 'open';
END;
CREATE TRIGGER shift_refunds_attach AFTER INSERT ON refunds BEGIN
    INSERT INTO shift_refunds (refund_id, shift_id)
    SELECT new.id, s.id FROM shifts s JOIN orders o ON o.terminal_id = s.terminal_id
    WHERE o.id = new.order_id AND s.status = 'open';
END;
"""


def _v2_shifts(conn: sqlite3.Connection) -> None:
    _run(conn, _V2_SHIFTS)


MIGRATIONS: list[Migration] = [_v1_initial, _v2_shifts]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the database up to `target`, one migration per transaction; returns the version it started at."""
    start = schema_version(conn)
    if start > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"This cache was written by a newer Shop Console (schema {start}, this one knows up to "
            f"{SCHEMA_VERSION}). Update the console, or export the queue with the newer one first."
        )
    for version in range(start, target):
        with transaction(conn):
            # Re-read inside the write lock: another process may have migrated meanwhile.
            if schema_version(conn) != version:
                continue
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
    return start
