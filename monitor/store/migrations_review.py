"""Schema of the review app (issue 4): a separate, versioned migration set.

Applied after the main set (``monitor.store.migrations.MIGRATIONS``) because it refers to
listings and flags. Append new migrations; never edit one that has shipped.

- ``users``: analysts, leads and admins (argon2 password hashes, an optional API token hash).
- ``sessions``: server-side sessions; the cookie carries a random token, the table only its
  SHA-256, with the per-session CSRF token.
- ``login_failures``: failed sign-ins, for throttling per user name and per IP address.
- ``reviews``: one row per decision, never updated or deleted (a changed verdict is a new row);
  a trigger accepts only ``VERDICTS`` and, for dismissals, ``DISMISS_REASONS``.
- ``audit``: append-only log (who, when, action, object, before/after JSON); triggers refuse
  UPDATE and DELETE.
- ``assignments``: who has claimed a listing (one current claimant per listing; history in audit).
- ``users.language`` (0008): the account's language of the pages (``zh_CN``/``en``; NULL: the
  browser's Accept-Language, then ``monitor.yaml`` ``language``).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from monitor.verdicts import DISMISS_REASONS, VERDICTS

REVIEW_MIGRATIONS = Migrations("monitor-review")

# The verdicts and dismissal reasons the reviews trigger accepts (monitor/verdicts.py). 0001
# shipped the first five reasons; 0007 added the rest (old verdicts stay valid). Adding one: a
# new migration that rewrites the trigger (see 0007).
_DISMISS_REASONS_0001 = ("authorised_seller", "genuine_goods", "compatible_part", "not_our_mark", "other")
_DISMISS_REASONS_0007 = _DISMISS_REASONS_0001 + ("reseller", "common_word", "exempt_product", "other_brand",
                                                 "model_toy", "heritage_line", "sample_second_hand")
if set(_DISMISS_REASONS_0007) != set(DISMISS_REASONS):  # the trigger would refuse what the form offers
    raise RuntimeError("a new dismissal reason needs a new review migration that rewrites the trigger")


def _append_only(db: Database, table: str) -> None:
    for op in ("UPDATE", "DELETE"):
        db.execute(
            f"""
            CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}
            BEGIN
              SELECT RAISE(ABORT, '{table} is append-only: {op} is not allowed');
            END
            """
        )


def _verdict_check(db: Database, verdicts: tuple[str, ...], reasons: tuple[str, ...]) -> None:
    """The trigger that refuses an unknown verdict, and a dismissal without a known reason."""
    verdict_list = ", ".join(f"'{v}'" for v in verdicts)
    reason_list = ", ".join(f"'{r}'" for r in reasons)
    db.execute(
        f"""
        CREATE TRIGGER reviews_check_verdict BEFORE INSERT ON reviews
        WHEN NEW.verdict NOT IN ({verdict_list})
          OR (NEW.verdict = 'dismissed' AND (NEW.reason IS NULL OR NEW.reason NOT IN ({reason_list})))
        BEGIN
          SELECT RAISE(ABORT, 'invalid verdict or missing dismissal reason');
        END
        """
    )


@REVIEW_MIGRATIONS(name="0001_users_sessions_reviews_audit_assignments")
def initial(db: Database) -> None:
    db["users"].create(
        {
            "id": int,
            "name": str,
            "role": str,  # analyst | lead | admin
            "password_hash": str,  # argon2id
            "api_token_hash": str,  # sha256 of the token; NULL = no API token
            "created_at": str,
            "disabled_at": str,
        },
        pk="id",
        not_null={"name", "role", "password_hash", "created_at"},
    )
    db["users"].create_index(["name"], unique=True)
    db["users"].create_index(["api_token_hash"], unique=True)

    db["sessions"].create(
        {
            "id": str,  # sha256 of the cookie token
            "user": int,
            "csrf": str,
            "created_at": str,
            "last_seen": str,
            "expires_at": str,
            "ip": str,
            "user_agent": str,
        },
        pk="id",
        foreign_keys=[("user", "users", "id")],
        not_null={"user", "csrf", "created_at", "expires_at"},
    )
    db["sessions"].create_index(["user"])

    db["login_failures"].create(
        {"id": int, "name": str, "ip": str, "at": str},
        pk="id",
        not_null={"at"},
    )
    db["login_failures"].create_index(["name", "at"])
    db["login_failures"].create_index(["ip", "at"])

    db["reviews"].create(
        {
            "id": int,
            "listing": int,
            "flag": int,
            "verdict": str,
            "reason": str,  # required for dismissed
            "note": str,
            "analyst": str,  # users.name at the time of the decision
            "decided_at": str,
        },
        pk="id",
        foreign_keys=[("listing", "listings", "id"), ("flag", "flags", "id")],
        not_null={"listing", "flag", "verdict", "analyst", "decided_at"},
    )
    db["reviews"].create_index(["listing", "decided_at"])
    db["reviews"].create_index(["flag", "id"])
    db["reviews"].create_index(["decided_at"])
    _verdict_check(db, VERDICTS, _DISMISS_REASONS_0001)
    _append_only(db, "reviews")

    db["audit"].create(
        {
            "id": int,
            "at": str,
            "actor": str,  # users.name, or "cli" / "system"
            "action": str,  # verdict, claim, release, assign, login, logout, user_add, ...
            "object": str,  # e.g. "listing:12", "user:alice"
            "before": str,  # JSON
            "after": str,  # JSON
            "ip": str,
        },
        pk="id",
        not_null={"at", "actor", "action", "object"},
    )
    db["audit"].create_index(["object", "id"])
    db["audit"].create_index(["at"])
    _append_only(db, "audit")

    db["assignments"].create(
        {"listing": int, "analyst": str, "claimed_at": str, "assigned_by": str},
        pk="listing",
        foreign_keys=[("listing", "listings", "id")],
        not_null={"analyst", "claimed_at"},
    )
    db["assignments"].create_index(["analyst"])


@REVIEW_MIGRATIONS(name="0002_queue_indexes")
def queue_indexes(db: Database) -> None:
    # The queue's order (score desc, category with NULL as '', flag id) as index entries, so a
    # page is a range read at its keyset cursor, either way, with no sort: one index per status
    # tab, one for "all". The trailing columns make them covering for the flag-side filters
    # (category, signal, mark) and the join: rows that a filter rejects are never read from
    # the table (a flag row holds its signals JSON).
    db.execute("CREATE INDEX IF NOT EXISTS flags_queue ON flags "
               "(status, score DESC, coalesce(category, ''), id, category, signal_names, marks, listing)")
    db.execute("CREATE INDEX IF NOT EXISTS flags_queue_all ON flags "
               "(score DESC, coalesce(category, ''), id, status, category, signal_names, marks, listing)")
    # The seller panel finds a seller's listings on every site by seller id or seller name.
    db["listings"].create_index(["seller_id"], if_not_exists=True)
    db["listings"].create_index(["seller_name"], if_not_exists=True)


@REVIEW_MIGRATIONS(name="0003_queue_indexes_site")
def queue_indexes_site(db: Database) -> None:
    # Flags carry their listing's site (main migration 0006_flags_site), so a site filter is
    # checked inside the queue indexes instead of reading every walked flag's listing. The two
    # queue indexes of 0002 are replaced by the same order with ``site`` among the covered
    # columns, and a third one puts the site right after the status: a site tab is then an
    # index range in queue order (status, site, then the keyset), with no other site's rows.
    db.execute("DROP INDEX IF EXISTS flags_queue")
    db.execute("DROP INDEX IF EXISTS flags_queue_all")
    db.execute("CREATE INDEX flags_queue ON flags "
               "(status, score DESC, coalesce(category, ''), id, category, site, signal_names, marks, listing)")
    db.execute("CREATE INDEX flags_queue_all ON flags "
               "(score DESC, coalesce(category, ''), id, status, category, site, signal_names, marks, listing)")
    db.execute("CREATE INDEX flags_queue_site ON flags "
               "(status, site, score DESC, coalesce(category, ''), id, category, signal_names, marks, listing)")


@REVIEW_MIGRATIONS(name="0004_queue_priority")
def queue_priority(db: Database) -> None:
    # The queue is ordered by flags.priority (main migration 0010: the score, raised while a
    # campaign covers the flag) instead of the score. Same three indexes with priority leading the
    # order; the score joins the covered columns, for the score-range filter.
    for name in ("flags_queue", "flags_queue_all", "flags_queue_site"):
        db.execute(f"DROP INDEX IF EXISTS {name}")
    db.execute("CREATE INDEX flags_queue ON flags (status, priority DESC, coalesce(category, ''), id, "
               "category, site, score, signal_names, marks, listing)")
    db.execute("CREATE INDEX flags_queue_all ON flags (priority DESC, coalesce(category, ''), id, "
               "status, category, site, score, signal_names, marks, listing)")
    db.execute("CREATE INDEX flags_queue_site ON flags (status, site, priority DESC, coalesce(category, ''), id, "
               "category, score, signal_names, marks, listing)")


@REVIEW_MIGRATIONS(name="0005_campaign_index")
def campaign_index(db: Database) -> None:
    # The flags a campaign covers (none outside campaigns): their largest boost bounds the
    # priority walk of a score-range filter (review.max_boost).
    db.execute("CREATE INDEX flags_campaign ON flags (campaign, priority, score) WHERE campaign IS NOT NULL")


@REVIEW_MIGRATIONS(name="0006_report_indexes")
def report_indexes(db: Database) -> None:
    # Statistics reports (monitor/report) select flags by creation time per period: without an
    # index every report read the whole flags table (about 5 s at 200,000 flags).
    db["flags"].create_index(["created_at"], if_not_exists=True)


@REVIEW_MIGRATIONS(name="0007_dismiss_reasons_for_calibration")
def dismiss_reasons_for_calibration(db: Database) -> None:
    # Dismissal reasons that name what the rules must learn (issue 11): a reseller of genuine
    # goods, the mark as an ordinary word, a product type that needs no registration, an honest
    # other brand, a scale model or toy, the brand's own heritage line, a sample or second-hand
    # item at a fitting price. The five of 0001 stay, so every existing verdict stays valid;
    # reviews rows are never rewritten. Only the check trigger changes (the table is untouched).
    db.execute("DROP TRIGGER IF EXISTS reviews_check_verdict")
    _verdict_check(db, VERDICTS, _DISMISS_REASONS_0007)


@REVIEW_MIGRATIONS(name="0008_user_language")
def user_language(db: Database) -> None:
    # Issue 14: each analyst reads the app in Chinese or English. NULL (every existing account)
    # follows the browser's Accept-Language, then monitor.yaml's `language`.
    db["users"].add_column("language", str)
