"""Looking products up in the local view, fast enough for a scanner and for typing: every query here is a
constant SQL string (prepared once per connection by sqlite3's statement cache) on an index or the FTS index."""

from __future__ import annotations

import sqlite3
from typing import Any

from offline_cache.models import PageKey, Product, ProductPage, SortKey
from offline_cache.search_text import MIN_INDEXED_TERM, prefix_query, terms, words_start_with

_COLUMNS = (
    "p.id, p.sku, p.barcode, p.name, p.category, p.price, p.tax_rate_bp, p.active, p.version, p.updated_at, "
    "p.local_changes"
)
_BY_BARCODE = f"SELECT {_COLUMNS} FROM products p WHERE p.barcode = ?"
_BY_SKU = f"SELECT {_COLUMNS} FROM products p WHERE p.sku = ? ORDER BY p.active DESC LIMIT 1"
_BY_ID = f"SELECT {_COLUMNS} FROM products p WHERE p.id = ?"
# Search ranks three tiers: names starting with the text typed, then SKUs starting with it (both straight off
# their indexes), then products with words starting with each term, by bm25 over at most SEARCH_CANDIDATES
# matches so that a broad prefix costs the same as a narrow one.
SEARCH_CANDIDATES = 500
_STARTS = (
    "SELECT {columns} FROM products p WHERE p.{key} >= ? AND p.{key} < ? AND p.active >= ? ORDER BY p.{key} LIMIT ?"
)
_NAME_STARTS = _STARTS.format(columns=_COLUMNS, key="name")
_SKU_STARTS = _STARTS.format(columns=_COLUMNS, key="sku")
_WORDS_START = (
    f"SELECT {_COLUMNS} FROM (SELECT rowid, rank FROM products_fts WHERE products_fts MATCH ? "
    f"LIMIT {SEARCH_CANDIDATES}) f JOIN products p ON p.row_id = f.rowid WHERE p.active >= ? ORDER BY f.rank"
)
_AFTER_EVERYTHING = "\U0010ffff"  # sorts after any text that starts with the prefix
_SORT_COLUMNS: dict[str, str] = {"name": "p.name", "sku": "p.sku", "price": "p.price"}


def _product(row: tuple[Any, ...]) -> Product:
    return Product(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7] == 1, row[8], row[9], row[10] == 1)


class Catalogue:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def by_barcode(self, barcode: str) -> Product | None:
        row = self._conn.execute(_BY_BARCODE, (barcode,)).fetchone()
        return None if row is None else _product(row)

    def by_sku(self, sku: str) -> Product | None:
        """Exact SKU, ignoring ASCII case."""
        row = self._conn.execute(_BY_SKU, (sku,)).fetchone()
        return None if row is None else _product(row)

    def by_id(self, product_id: str) -> Product | None:
        row = self._conn.execute(_BY_ID, (product_id,)).fetchone()
        return None if row is None else _product(row)

    def lookup(self, code: str) -> Product | None:
        """What the sale input does with a scan or a typed code: an exact barcode, else an exact SKU."""
        code = code.strip()
        if not code:
            return None
        return self.by_barcode(code) or self.by_sku(code)

    def search(self, text: str, limit: int = 50, include_inactive: bool = False) -> list[Product]:
        """Search as you type: names, then SKUs, starting with the text, then products whose name, SKU or
        category has words starting with every word typed, best first. Any text is safe here."""
        typed = " ".join(text.split())
        words = terms(typed)
        if not words or limit <= 0:
            return []
        active = 0 if include_inactive else 1
        found: dict[str, Product] = {}
        for sql in (_NAME_STARTS, _SKU_STARTS):
            for row in self._conn.execute(sql, (typed, typed + _AFTER_EVERYTHING, active, limit - len(found))):
                found.setdefault(row[0], _product(row))
            if len(found) >= limit:
                return list(found.values())
        indexed = [word for word in words if len(word) >= MIN_INDEXED_TERM]
        short = [word for word in words if len(word) < MIN_INDEXED_TERM]
        if not indexed:
            return list(found.values())
        for row in self._conn.execute(_WORDS_START, (prefix_query(indexed), active)):
            if row[0] in found or (short and not words_start_with(f"{row[3]} {row[1]} {row[4] or ''}", short)):
                continue
            found[row[0]] = _product(row)
            if len(found) >= limit:
                break
        return list(found.values())

    def categories(self) -> list[str]:
        rows = self._conn.execute("SELECT DISTINCT category FROM products WHERE category IS NOT NULL ORDER BY category")
        return [row[0] for row in rows]

    def count(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM products").fetchone()[0]

    def page(
        self,
        *,
        sort: SortKey = "name",
        descending: bool = False,
        after: PageKey | None = None,
        before: PageKey | None = None,
        last: bool = False,
        limit: int = 50,
        category: str | None = None,
        active: bool | None = None,
        text: str = "",
    ) -> ProductPage:
        """One page of the catalogue by keyset: the first page, the page `after` a key, the page `before` a key,
        or the `last` page; filtered by category, active and search text; with the total over all pages."""
        column = _SORT_COLUMNS[sort]
        where: list[str] = []
        params: list[Any] = []
        if category is not None:
            where.append("p.category = ?")
            params.append(category)
        if active is not None:
            where.append("p.active = ?")
            params.append(1 if active else 0)
        if text.strip():
            query = prefix_query(terms(text))
            if query is None:
                return ProductPage([], 0, None, None, False, False)
            where.append("p.row_id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?)")
            params.append(query)
        filters = " AND ".join(where) or "1"
        total = self._conn.execute(f"SELECT COUNT(*) FROM products p WHERE {filters}", params).fetchone()[0]

        backwards = before is not None or last  # read towards the start, then turn the rows round
        ascending = descending == backwards
        bound = after if after is not None else before
        keyset = ""
        bound_params: list[Any] = []
        if bound is not None and not last:
            keyset = f" AND ({column}, p.row_id) {'>' if ascending else '<'} (?, ?)"
            bound_params = [bound.value, bound.row_id]
        direction = "ASC" if ascending else "DESC"
        rows = self._conn.execute(
            f"SELECT {_COLUMNS}, {column}, p.row_id FROM products p WHERE {filters}{keyset} "
            f"ORDER BY {column} {direction}, p.row_id {direction} LIMIT ?",
            [*params, *bound_params, limit + 1],
        ).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        if backwards:
            rows.reverse()
        items = [_product(row) for row in rows]
        first = PageKey(rows[0][11], rows[0][12]) if rows else None
        end = PageKey(rows[-1][11], rows[-1][12]) if rows else None
        if backwards:
            return ProductPage(items, total, first, end, has_before=more, has_after=before is not None)
        return ProductPage(items, total, first, end, has_before=after is not None, has_after=more)
