"""Versioned schema migrations. Append new ones; never edit one that has shipped."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("monitor")


@MIGRATIONS(name="0001_listings_observations_sellers_runs")
def initial(db: Database) -> None:
    db["crawl_runs"].create(
        {
            "id": int,
            "site": str,
            "spider": str,
            "kind": str,  # profile | url | import
            "args": str,  # JSON of what was asked (categories, keywords, max pages, url)
            "started_at": str,
            "finished_at": str,
            "status": str,  # running | completed | degraded | failed | interrupted
            "finish_reason": str,  # Scrapy's close reason, or why it failed
            "pid": int,
            "hostname": str,
            "pages": int,
            "listings_seen": int,
            "listings_new": int,
            "listings_changed": int,
            "errors": int,
            "error_messages": str,  # JSON list, the first few distinct errors
            "coverage": str,  # JSON {field: share of listings with it}
            "degraded_reason": str,
            "log_path": str,
        },
        pk="id",
        not_null={"site", "status", "started_at"},
    )
    db["crawl_runs"].create_index(["site", "started_at"])
    db["crawl_runs"].create_index(["status"])

    db["sellers"].create(
        {
            "site": str,
            "seller_id": str,
            "name": str,
            "url": str,
            "location": str,
            "rating": float,
            "rating_count": int,
            "first_seen": str,
            "last_seen": str,
        },
        pk=("site", "seller_id"),
        not_null={"site", "seller_id"},
    )

    db["listings"].create(
        {
            "id": int,
            "site": str,
            "listing_id": str,
            "url": str,
            "title": str,
            "description": str,
            "brand": str,
            "category": str,
            "price": float,
            "currency": str,
            "currency_raw": str,
            "availability": str,
            "seller_id": str,
            "seller_name": str,
            "seller_url": str,
            "seller_location": str,
            "seller_rating": float,
            "seller_rating_count": int,
            "images": str,  # JSON list of URLs
            "attributes": str,  # JSON object, names as the shop shows them
            "sku": str,
            "mpn": str,
            "gtin": str,
            "http_status": int,
            "first_seen": str,
            "last_seen": str,
            "last_run_id": int,
        },
        pk="id",
        not_null={"site", "listing_id", "url", "first_seen", "last_seen"},
    )
    db["listings"].create_index(["site", "listing_id"], unique=True)
    db["listings"].create_index(["site", "seller_id"])
    db["listings"].create_index(["category"])
    db["listings"].create_index(["last_seen"])
    # trigram: CJK text has no spaces, so the default tokenizer would index whole
    # sentences as single tokens and Chinese search would find nothing.
    db["listings"].enable_fts(["title", "description"], create_triggers=True, tokenize="trigram")

    db["observations"].create(
        {
            "id": int,
            "listing": int,  # listings.id
            "run_id": int,  # crawl_runs.id; NULL for imported observations
            "observed_at": str,
            "source": str,  # crawl | import
            "http_status": int,
            "title": str,
            "price": float,
            "currency": str,
            "availability": str,
            "seller_id": str,
            "seller_name": str,
        },
        pk="id",
        foreign_keys=[("listing", "listings", "id"), ("run_id", "crawl_runs", "id")],
        not_null={"listing", "observed_at", "source"},
    )
    # One observation per listing per run; imports are keyed by their observation time,
    # which makes importing the same file twice a no-op.
    db.execute("CREATE UNIQUE INDEX idx_observations_run ON observations(listing, run_id) WHERE run_id IS NOT NULL")
    db.execute("CREATE UNIQUE INDEX idx_observations_import ON observations(listing, observed_at) WHERE run_id IS NULL")
    db["observations"].create_index(["run_id"])


@MIGRATIONS(name="0002_history_indexes")
def history_indexes(db: Database) -> None:
    # Price history and "last seen" per listing are read far more often than written.
    db["observations"].create_index(["listing", "observed_at"])
    db["sellers"].create_index(["name"])


@MIGRATIONS(name="0003_removals")
def removals(db: Database) -> None:
    # A listing that answered 404/410 or the shop's "item gone" page. Cleared by the trigger
    # below as soon as a later crawl sees the listing live again.
    db["listings"].add_column("removed_at", str)
    db["crawl_runs"].add_column("listings_removed", int, not_null_default=0)
    db.execute(
        """
        CREATE TRIGGER listings_seen_again AFTER UPDATE OF last_seen ON listings
        WHEN OLD.removed_at IS NOT NULL AND NEW.last_seen > OLD.removed_at
        BEGIN
          UPDATE listings SET removed_at = NULL WHERE id = NEW.id;
        END
        """
    )
    db["listings"].create_index(["site", "removed_at"])


@MIGRATIONS(name="0004_flags")
def flags(db: Database) -> None:
    # The rule engine's output. A flag is never deleted: when a listing falls below the
    # threshold, or a new flag replaces it after a rule or content change, it is superseded.
    db["flags"].create(
        {
            "id": int,
            "listing": int,
            "status": str,  # open | superseded | dismissed | confirmed (review states come with the review app)
            "score": int,
            "threshold": float,
            "category": str,
            "signals": str,  # JSON list of signals with explanations and evidence spans
            "signal_names": str,  # space-separated, for filters
            "marks": str,  # space-separated watched marks involved
            "rules_version": str,
            "content_hash": str,
            "created_at": str,
            "superseded_at": str,
            "superseded_reason": str,
        },
        pk="id",
        foreign_keys=[("listing", "listings", "id")],
        not_null={"listing", "status", "score", "rules_version", "content_hash", "created_at"},
    )
    db["flags"].create_index(["listing", "status"])
    db["flags"].create_index(["status", "score"])
    db["crawl_runs"].add_column("flags_raised", int, not_null_default=0)
    db["listings"].add_column("score", int)
    db["listings"].add_column("scored_at", str)
    db["listings"].add_column("rules_version", str)
    # Comparable offers for the price-outlier signal: one row per listing and watched mark.
    db["listing_prices"].create(
        {"listing": int, "mark": str, "product": str, "unit_price": float, "currency": str, "dimension": str},
        pk=("listing", "mark"),
        foreign_keys=[("listing", "listings", "id")],
    )
    db["listing_prices"].create_index(["mark", "product", "currency", "dimension"])
    db["rule_versions"].create(
        {"version": str, "first_used_at": str, "files": str},  # files: JSON {relative path: text}
        pk="version",
    )


@MIGRATIONS(name="0005_fts_update_on_text_change")
def fts_update_on_text_change(db: Database) -> None:
    # The full-text index only holds title and description. The trigger from 0001 rewrote a
    # listing's index entries on EVERY update (each re-crawl, re-import, score or removal),
    # which costs as much as indexing the listing anew. It now fires only when the indexed
    # text (or the rowid) changes; for any other update the delete + insert it did was a no-op,
    # so the index stays exactly what a rebuild would make. Inserts and deletes are unchanged.
    db.execute("DROP TRIGGER IF EXISTS listings_au")
    db.execute(
        """
        CREATE TRIGGER listings_au AFTER UPDATE ON listings
        WHEN OLD.title IS NOT NEW.title OR OLD.description IS NOT NEW.description OR OLD.rowid IS NOT NEW.rowid
        BEGIN
          INSERT INTO listings_fts (listings_fts, rowid, title, description)
            VALUES ('delete', OLD.rowid, OLD.title, OLD.description);
          INSERT INTO listings_fts (rowid, title, description) VALUES (NEW.rowid, NEW.title, NEW.description);
        END
        """
    )


@MIGRATIONS(name="0006_flags_site")
def flags_site(db: Database) -> None:
    # A listing's site never changes, so the flag carries it: the review queue can then filter
    # by site inside its flag indexes instead of reading every walked flag's listing.
    db["flags"].add_column("site", str)
    db.execute("UPDATE flags SET site = (SELECT site FROM listings WHERE listings.id = flags.listing)")


@MIGRATIONS(name="0007_evidence_custody")
def evidence_custody(db: Database) -> None:
    # Evidence captured at crawl time: one row per stored record (a WARC response or resource
    # record, a screenshot file). Never updated or deleted, so evidence outlives the listing's
    # removal from the site. ``path`` is relative to the evidence root (beside the database).
    db["evidence"].create(
        {
            "id": int,
            "listing": int,  # listings.id; NULL for pages that are not one listing (search pages)
            "run_id": int,
            "kind": str,  # response | rendered | screenshot
            "url": str,
            "path": str,
            "record_id": str,  # WARC-Record-ID, for records inside a WARC file
            "offset": int,  # byte offset of the record in the (gzip member) file; NULL for plain files
            "length": int,  # bytes of the record as stored
            "sha256": str,  # of the payload (WARC-Payload-Digest) or of the whole file
            "http_status": int,
            "content_type": str,
            "server_ip": str,
            "captured_at": str,  # UTC
            "crawler_version": str,
            "user_agent": str,
            "refers_to": int,  # evidence.id this one belongs to (a screenshot of a rendered page)
        },
        pk="id",
        foreign_keys=[("listing", "listings", "id"), ("run_id", "crawl_runs", "id")],
        not_null={"kind", "url", "path", "sha256", "captured_at"},
    )
    db["evidence"].create_index(["listing", "captured_at"])
    db["evidence"].create_index(["run_id"])
    # Custody log: each entry carries the hash of the one before it, so removing, reordering or
    # editing an entry breaks the chain (``monitor evidence verify``).
    db["custody"].create(
        {
            "id": int,
            "at": str,
            "actor": str,
            "action": str,  # capture | view | export | verify
            "object": str,  # e.g. "evidence:12", "file:warc/greenmart/3.warc.gz"
            "sha256": str,  # of the object, when the action concerns a file's content
            "detail": str,  # JSON
            "prev_hash": str,
            "entry_hash": str,
        },
        pk="id",
        not_null={"at", "actor", "action", "object", "prev_hash", "entry_hash"},
    )
    for table in ("evidence", "custody"):
        for op in ("UPDATE", "DELETE"):
            db.execute(
                f"""
                CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}
                BEGIN
                  SELECT RAISE(ABORT, '{table} is append-only: {op} is not allowed');
                END
                """
            )


@MIGRATIONS(name="0008_schedule_alerts_relisting")
def schedule_alerts_relisting(db: Database) -> None:
    # Scheduled crawls (issue 5): which job started a run and why.
    db["crawl_runs"].add_column("job", str)  # the job id from monitor.yaml; NULL for crawls started by hand
    db["crawl_runs"].add_column("trigger", str)  # schedule | catch-up | manual | recheck
    db["crawl_runs"].create_index(["job", "started_at"])
    # What the scheduler decided about each job firing, including the runs it did not start.
    db["job_events"].create(
        {
            "id": int,
            "job": str,
            "at": str,  # UTC
            "event": str,  # started | finished | skipped_running | missed | killed_timeout | interrupted
            "scheduled_for": str,  # the fire time the event concerns
            "run_id": int,
            "pid": int,
            "detail": str,
        },
        pk="id",
        not_null={"job", "at", "event"},
    )
    db["job_events"].create_index(["job", "at"])
    # Alerts (failed run, degraded run, a day without runs): raised once, then delivered by
    # each configured channel; a delivery failure is kept for the next attempt.
    db["alerts"].create(
        {
            "id": int,
            "at": str,
            "kind": str,  # failed | degraded | no_runs | setup
            "key": str,  # dedup key, e.g. "run:12" or "no_runs:greenmart:2026-11-24"
            "site": str,
            "job": str,
            "run_id": int,
            "message": str,
            "email_sent_at": str,
            "webhook_sent_at": str,
            "last_error": str,
        },
        pk="id",
        not_null={"at", "kind", "key", "message"},
    )
    db["alerts"].create_index(["key"], unique=True)
    db["alerts"].create_index(["at"])
    # Re-checks and relisting: a listing that re-appears after a confirmed verdict.
    db["listings"].add_column("relisted_of", int)  # listings.id of the confirmed original
    db["listings"].add_column("relisted_at", str)
    db["listings"].add_column("relisted_reason", str)
    db["listings"].create_index(["relisted_of"])


@MIGRATIONS(name="0009_notices")
def notices(db: Database) -> None:
    # Takedown notices (issue 6): what was sent to which platform, and what came of it. The
    # acceptance rate per platform is read from here (dashboard, reports).
    db["notices"].create(
        {
            "id": int,
            "platform": str,  # the site the notice goes to
            "lang": str,  # zh | en
            "mark": str,
            "rights_holder": str,
            "created_at": str,
            "created_by": str,
            "file_sha256": str,  # of the notice as written
            "status": str,  # drafted | sent | accepted | rejected | removed
            "sent_at": str,
            "outcome_at": str,
            "outcome_note": str,
        },
        pk="id",
        not_null={"platform", "mark", "created_at", "created_by", "status"},
    )
    db["notices"].create_index(["platform", "status"])
    db["notice_items"].create(
        {"notice": int, "listing": int, "url": str, "reason": str, "removed_at": str},
        pk=("notice", "listing"),
        foreign_keys=[("notice", "notices", "id"), ("listing", "listings", "id")],
    )
    db["notice_items"].create_index(["listing"])


@MIGRATIONS(name="0010_flag_priority_campaign")
def flag_priority_campaign(db: Database) -> None:
    # Queue order: the score, raised while a campaign (monitor.yaml) covers the flag's category
    # or marks. Kept apart from the score, which stays the rule engine's explainable output.
    db["flags"].add_column("priority", int)
    db["flags"].add_column("campaign", str)  # the covering campaign's name, shown in the queue
    db.execute("UPDATE flags SET priority = score")


@MIGRATIONS(name="0011_fts_insert_deferrable")
def fts_insert_deferrable(db: Database) -> None:
    # Bulk writes (monitor.store.listings and .staging: imports, crawl batches) index their new listings with
    # ONE INSERT ... SELECT into listings_fts per batch instead of one trigger program per row
    # (≈ 3 µs less per new listing). While such a write holds a row in listings_fts_deferred,
    # the insert trigger leaves the new listings to it. The row is inserted and deleted inside
    # that write's own BEGIN IMMEDIATE transaction, so it is never committed: every other
    # connection (and this one outside that write) always sees the table empty and the trigger
    # behaves as before. Updates and deletes keep their triggers unchanged.
    db.execute("CREATE TABLE listings_fts_deferred (since_rowid INTEGER NOT NULL)")
    db.execute("DROP TRIGGER IF EXISTS listings_ai")
    db.execute(
        """
        CREATE TRIGGER listings_ai AFTER INSERT ON listings
        WHEN NOT EXISTS (SELECT 1 FROM listings_fts_deferred)
        BEGIN
          INSERT INTO listings_fts (rowid, title, description) VALUES (NEW.rowid, NEW.title, NEW.description);
        END
        """
    )


@MIGRATIONS(name="0012_run_failure_counts")
def run_failure_counts(db: Database) -> None:
    # Failures that used to vanish from the run record (issue 13): each is a count taken from the
    # crawl's Scrapy stats or signals when it closes, and any of them makes the run degraded.
    # NULL on runs from before this migration (not counted), 0 on later runs without the failure.
    for column in ("retries_exhausted",  # retry/max_reached: pages given up after RETRY_TIMES
                   "pages_dropped",  # cancelled at DOWNLOAD_MAXSIZE (transfer or decompression)
                   "robots_refused",  # robotstxt/forbidden
                   "offsite_filtered",  # offsite/filtered: offsite requests and redirects
                   "items_failed"):  # callback errors, items a pipeline dropped or refused
        db["crawl_runs"].add_column(column, int)
    # "<boot id>:<start time in clock ticks>" of the crawl process: a pid reused by another
    # process after the crawl died no longer keeps its run 'running'.
    db["crawl_runs"].add_column("process_start", str)


@MIGRATIONS(name="0013_unscored_index")
def unscored_index(db: Database) -> None:
    # Every scored import ends by looking for listings stored but never scored (an import killed
    # between storing and scoring; monitor.ingest.write.score_unscored). Without an index that is
    # a full scan of listings each time; this one holds only the few unscored rows.
    db.execute("CREATE INDEX listings_unscored ON listings (id) WHERE scored_at IS NULL AND removed_at IS NULL")


@MIGRATIONS(name="0014_sales_count")
def sales_count(db: Database) -> None:
    # The sales count a listing page displays (issue 14: a referral's illegal business amount is
    # estimated as sales count x price). On the listing (last known) and on each observation
    # (what each crawl saw: a count that grows while a case is open is itself a figure).
    db["listings"].add_column("sales_count", int)
    db["observations"].add_column("sales_count", int)


@MIGRATIONS(name="0015_translatable_alerts")
def translatable_alerts(db: Database) -> None:
    # Issue 14: an alert and a run's reasons are read by Chinese analysts on the dashboard and in
    # e-mails, so beside the English text each keeps its message template and parameters
    # (JSON ``{"message": ..., "params": {...}}``, monitor.rules.explain's stored form) to be
    # rendered in the reader's language. NULL on rows from before: their English text is shown.
    db["alerts"].add_column("message_template", str)
    db["crawl_runs"].add_column("finish_reason_template", str)
    db["crawl_runs"].add_column("degraded_reason_template", str)
