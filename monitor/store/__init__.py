"""The listing store: SQLite through sqlite-utils, shared by crawls, imports and the web app."""

from monitor.store.db import open_db, resolve_db_path, write_transaction
from monitor.store.listings import save_listings
from monitor.store.search import search_listings
from monitor.store.runs import finish_run, mark_stale_runs_interrupted, start_run

__all__ = [
    "open_db",
    "resolve_db_path",
    "write_transaction",
    "save_listings",
    "search_listings",
    "start_run",
    "finish_run",
    "mark_stale_runs_interrupted",
]
