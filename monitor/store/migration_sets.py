"""Every migration set of the store, in the order they apply: the store's own, then the review
app's, then each casework part's (each refers to tables of the sets before it)."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations


def migration_sets() -> tuple[Migrations, ...]:
    # lazy: the migrations import sqlite-utils, which the import worker never needs (see open_db)
    from monitor.store.migrations import MIGRATIONS
    from monitor.store.migrations_complaints import COMPLAINTS_MIGRATIONS
    from monitor.store.migrations_referrals import REFERRALS_MIGRATIONS
    from monitor.store.migrations_review import REVIEW_MIGRATIONS
    from monitor.store.migrations_sampling import SAMPLING_MIGRATIONS

    return (MIGRATIONS, REVIEW_MIGRATIONS, COMPLAINTS_MIGRATIONS, SAMPLING_MIGRATIONS, REFERRALS_MIGRATIONS)
