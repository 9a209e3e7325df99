"""offline_cache: one profile's SQLite cache — the catalogue and stock as the server last said, the outbox of
local writes on top, and the sync engine that sends them and pulls changes. No Textual, no console imports: the
caller hands in the transport (offline_cache.transport.SyncTransport, e.g. HttpSyncTransport) and the clock.

    store = Store.open(path, terminal_id="T1")                  # the counter's connection
    store.catalogue.lookup("4006381333931"); store.catalogue.search("whole mi")
    order = store.writes.record_sale([SaleLine(product_id, 2)], [Tender("cash", 1000)])
    engine = SyncEngine(Store.open(path, terminal_id="T1"), transport)   # the sync worker's own connection
    engine.run()                                                # or engine.run_once() for `sync --once`
"""
