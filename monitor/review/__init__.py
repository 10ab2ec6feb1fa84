"""Review: what analysts decide about flags and what they need to decide it.

The review app's pages and JSON API (``monitor.web``), the exports and the reports call this
package; it reads and writes the store, and holds no HTML and no HTTP.

- ``filters``: the queue's filters as SQL, the search, the filter lists' values
- ``queue``: the queue in priority order, a page at a time; a listing's neighbours
- ``counts``: flags per status tab, and the cache that keeps pages from waiting for them
- ``decisions``: verdicts, recorded with their audit rows
- ``claims``: who works on a listing
- ``listing_detail``, ``sellers``: one listing's review page, a seller's case
- ``dashboard``: the dashboard's review figures
- ``audit``: the append-only audit trail
- ``accounts``: the review app's users, sessions and API tokens
- ``outcomes``: what came of the takedown notices (acceptance rate per platform)
- ``verdict_stats``: what the verdicts say about the rules (precision per signal, calibration due)

The names below are the queue API the web app uses; the other modules are imported by name.
"""

from monitor.review.claims import claim
from monitor.review.counts import CountCache, status_counts
from monitor.review.dashboard import dashboard
from monitor.review.decisions import Decision, DecisionResult, record_verdicts, validate
from monitor.review.errors import ReviewError
from monitor.review.filters import FLAG_STATUSES, QueueFilters, filter_choices, search_ids
from monitor.review.listing_detail import listing_detail
from monitor.review.queue import PAGE_SIZE, decode_cursor, encode_cursor, max_boost, neighbours, queue_page, queue_sql
from monitor.review.sellers import seller_summary

__all__ = [
    "CountCache", "Decision", "DecisionResult", "FLAG_STATUSES", "PAGE_SIZE", "QueueFilters", "ReviewError", "claim",
    "dashboard", "decode_cursor", "encode_cursor", "filter_choices", "listing_detail", "max_boost", "neighbours",
    "queue_page", "queue_sql", "record_verdicts", "search_ids", "seller_summary", "status_counts", "validate",
]
