"""Counter services (no Textual): the cart, checkout and receipts, and the catalogue, stock and order views the
counter screens show. They work on the offline cache, so they work the same online and offline."""
