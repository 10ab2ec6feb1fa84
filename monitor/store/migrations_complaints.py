"""Schema of the complaints casework (issue 14, monitor/casework/complaints*.py): its own migration set,
applied after the store's and the review app's (it refers to listings, flags and users).
Append new migrations; never edit one that has shipped.

- ``complaints``: one row per complaint lead (投诉举报线索). ``status`` is open -> in_progress ->
  answered or closed (the CHECK below; monitor/casework/complaints_rules.py says what each
  means). ``complainant`` is confidential: read only through the casework module, which shows it
  to leads; the exports (monitor/export) never read this table.
- ``flags.complaint``: the complaint a flag was raised for or carries (the queue's marker). A
  trigger copies it onto every new flag of a listing under an open complaint, so a rescore that
  replaces the flag keeps the marker; another keeps a complaint's flag open while the complaint
  is, even when a rescore puts the listing below the threshold.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

COMPLAINTS_MIGRATIONS = Migrations("monitor-complaints")

# The statuses the CHECK accepts (monitor/casework/complaints_rules.py STATUSES must equal it).
STATUSES_C0001 = ("open", "in_progress", "answered", "closed")
SOURCES_C0001 = ("12315", "12345", "platform", "rights_holder", "other")


@COMPLAINTS_MIGRATIONS(name="c0001_complaints")
def complaints(db: Database) -> None:
    statuses = ", ".join(f"'{s}'" for s in STATUSES_C0001)
    sources = ", ".join(f"'{s}'" for s in SOURCES_C0001)
    db.execute(f"""
        CREATE TABLE complaints (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,              -- as given (trimmed)
            url_key TEXT NOT NULL,          -- normalised, for finding duplicates
            kind TEXT NOT NULL CHECK (kind IN ('listing', 'shop')),
            site TEXT,                      -- the site profile whose host it is; NULL: unknown site
            listing INTEGER REFERENCES listings(id),
            source TEXT NOT NULL CHECK (source IN ({sources})),
            complainant TEXT,               -- confidential: leads only, never exported
            received_on TEXT NOT NULL,      -- YYYY-MM-DD
            text TEXT NOT NULL,
            response_days INTEGER NOT NULL, -- working days allowed, as counted for deadline
            deadline TEXT NOT NULL,         -- YYYY-MM-DD, the last working day to answer
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ({statuses})),
            crawl_state TEXT NOT NULL,      -- crawled | crawl_failed | no_profile | duplicate | not_crawled
            crawl_note TEXT,
            crawl_run INTEGER REFERENCES crawl_runs(id),
            duplicate_of INTEGER REFERENCES complaints(id),
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            closed_at TEXT,
            outcome TEXT                    -- the answer given / why it was closed
        )""")
    db.execute("CREATE INDEX complaints_url_status ON complaints (url_key, status)")
    db.execute("CREATE INDEX complaints_status_deadline ON complaints (status, deadline)")
    db.execute("CREATE INDEX complaints_received ON complaints (received_on)")
    db.execute("CREATE INDEX complaints_listing ON complaints (listing)")
    db["flags"].add_column("complaint", int)
    db.execute("CREATE INDEX flags_complaint ON flags (complaint) WHERE complaint IS NOT NULL")
    db.execute("""
        CREATE TRIGGER flags_carry_complaint AFTER INSERT ON flags
        WHEN NEW.complaint IS NULL
        BEGIN
          UPDATE flags SET complaint = (
              SELECT c.id FROM complaints c WHERE c.listing = NEW.listing AND c.duplicate_of IS NULL
                AND c.status IN ('open', 'in_progress') ORDER BY c.id LIMIT 1)
          WHERE id = NEW.id;
        END""")
    # A complaint is a lead by itself: while it is open, its flag is not superseded for scoring
    # below the threshold (a rescore's "score N below threshold" leaves it open; a verdict, or a
    # new assessment that replaces it with a new flag, still goes through).
    db.execute("""
        CREATE TRIGGER flags_keep_complaint BEFORE UPDATE OF status ON flags
        WHEN OLD.complaint IS NOT NULL AND OLD.status = 'open' AND NEW.status = 'superseded'
          AND NEW.superseded_reason LIKE 'score % below threshold %'
          AND EXISTS (SELECT 1 FROM complaints c WHERE c.id = OLD.complaint AND c.status IN ('open', 'in_progress'))
        BEGIN
          SELECT RAISE(IGNORE);
        END""")


@COMPLAINTS_MIGRATIONS(name="c0002_translatable_notes")
def translatable_notes(db: Database) -> None:
    # The crawl note and a duplicate's outcome ("with complaint 1: ...") are read by Chinese
    # analysts, so beside the English text each keeps its message template and parameters (JSON
    # ``{"message": ..., "params": {...}}``, monitor.rules.explain's stored form, as migration 0015
    # does for alerts) to be rendered in the reader's language. NULL on rows from before, and on
    # an outcome the person typed: the text as stored is shown.
    db["complaints"].add_column("crawl_note_template", str)
    db["complaints"].add_column("outcome_template", str)
