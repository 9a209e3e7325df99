"""The products list over the whole cached catalogue, one keyset page at a time: never every row.

The view remembers how its page was read (first, after a key, before a key, last) so it can read the same page
again after an edit, and where the page starts among all matching rows so it can say "51-100 of 100,000".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from console.counter.entry import clean_text
from offline_cache.models import PageKey, Product, ProductPage, SortKey
from offline_cache.store import Store

PAGE_SIZE = 50
SORTS: tuple[SortKey, ...] = ("name", "sku", "price")
ACTIVE_FILTERS: tuple[bool | None, ...] = (True, None, False)  # the order `a` cycles through
Read = Literal["first", "after", "before", "last"]


@dataclass(frozen=True, slots=True)
class CatalogueQuery:
    text: str = ""
    category: str | None = None
    active: bool | None = True  # None: active and inactive
    sort: SortKey = "name"
    descending: bool = False

    def describe(self) -> str:
        """The filters in words, for the line above the list."""
        parts = [f"sorted by {self.sort}{' (descending)' if self.descending else ''}"]
        if self.category is not None:
            parts.insert(0, f"in {self.category}")
        parts.insert(0, {True: "active", None: "active and inactive", False: "inactive"}[self.active])
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class CatalogueWindow:
    items: list[Product]
    total: int  # rows matching the query
    start: int  # 0-based position of the first item among them
    catalogue_size: int  # every cached product
    has_before: bool
    has_after: bool
    query: CatalogueQuery

    def position(self) -> str:
        """ "1-50 of 100,000", or "No products match" when nothing does."""
        if not self.items:
            return "No products match" if self.total == 0 else f"0 of {self.total:,}"
        return f"{self.start + 1:,}-{self.start + len(self.items):,} of {self.total:,}"


class CatalogueView:
    """Paging state for one screen. Every method reads one page through `store.catalogue.page`."""

    def __init__(self, page_size: int = PAGE_SIZE) -> None:
        self.page_size = page_size
        self.query = CatalogueQuery()
        self.window: CatalogueWindow | None = None
        self._page_read: ProductPage | None = None
        self._read: Read = "first"
        self._anchor: PageKey | None = None
        self._start = 0
        self._catalogue_size = 0

    def set_query(self, store: Store, **changes: object) -> CatalogueWindow:
        """Change the search text, category, active filter or sort (any of them) and show the first page."""
        if "text" in changes:
            changes["text"] = clean_text(str(changes["text"]))
        self.query = replace(self.query, **changes)  # type: ignore[arg-type]
        return self.first(store)

    def first(self, store: Store) -> CatalogueWindow:
        self._catalogue_size = store.catalogue.count()
        return self._read_page(store, "first", None, 0)

    def last(self, store: Store) -> CatalogueWindow:
        """Jump to the end: the last page read backwards by keyset, no offset."""
        page = self._page(store, "last", None)
        return self._keep(page, "last", None, max(page.total - len(page.items), 0))

    def next(self, store: Store) -> CatalogueWindow:
        page, window = self._page_read, self.window
        if page is None or window is None or not page.has_after:
            return self.reload(store)
        return self._read_page(store, "after", page.last_key, window.start + len(page.items))

    def previous(self, store: Store) -> CatalogueWindow:
        page, window = self._page_read, self.window
        if page is None or window is None or not page.has_before:
            return self.reload(store)
        found = self._page(store, "before", page.first_key)
        if not found.has_before:  # back at the top: count from there, whatever was deleted meanwhile
            return self._keep(found, "first", None, 0)
        return self._keep(found, "before", page.first_key, max(window.start - len(found.items), 0))

    def reload(self, store: Store) -> CatalogueWindow:
        """The same page again (after an edit, or when a sync brought changes)."""
        self._catalogue_size = store.catalogue.count()
        if self._read == "last":
            return self.last(store)
        return self._read_page(store, self._read, self._anchor, self._start)

    def _read_page(self, store: Store, read: Read, anchor: PageKey | None, start: int) -> CatalogueWindow:
        page = self._page(store, read, anchor)
        if read != "first" and not page.items:
            return self.first(store)  # the rows around the anchor went away: start over
        return self._keep(page, read, anchor, start)

    def _page(self, store: Store, read: Read, anchor: PageKey | None) -> ProductPage:
        q = self.query
        return store.catalogue.page(
            sort=q.sort,
            descending=q.descending,
            after=anchor if read == "after" else None,
            before=anchor if read == "before" else None,
            last=read == "last",
            limit=self.page_size,
            category=q.category,
            active=q.active,
            text=q.text,
        )

    def _keep(self, page: ProductPage, read: Read, anchor: PageKey | None, start: int) -> CatalogueWindow:
        self._page_read, self._read, self._anchor, self._start = page, read, anchor, start
        self.window = CatalogueWindow(
            page.items, page.total, start, self._catalogue_size, page.has_before, page.has_after, self.query
        )
        return self.window
