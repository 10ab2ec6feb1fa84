"""Schema of the referrals casework (issue 14, monitor/casework/referrals*.py): its own migration set,
applied after the store's and the review app's (it refers to listings, flags and users).
Append new migrations; never edit one that has shipped.

- ``referrals``: one clue passed on (线索移送) to a receiving authority (接收机关): its state
  (drafted → sent → received → filed 立案 → closed), the date of each state, the outcome
  (no case 不予立案, administrative penalty 行政处罚 with its amount, transferred to the police
  移送公安机关), the package file and its SHA-256 when one was made.
- ``referral_listings``: the listings a referral covers.
- ``referral_history``: every state change, append-only (the audit trail holds the same with
  who and from where; this one is the referral's own timeline).

The vocabularies are also checked by triggers, so that nothing but the service's validated
writes can put an unknown state or outcome in (the service gives the clear message first).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

REFERRALS_MIGRATIONS = Migrations("monitor-referrals")

# As shipped in r0001 (monitor/casework/referrals.py keeps the same tuples; a new value needs a
# new migration that rewrites the triggers).
R0001_STATES = ("drafted", "sent", "received", "filed", "closed")
R0001_OUTCOMES = ("no_case", "administrative_penalty", "transferred_to_police")
R0001_KINDS = ("department", "public_security", "platform", "other_region")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


@REFERRALS_MIGRATIONS(name="r0001_referrals")
def referrals(db: Database) -> None:
    db["referrals"].create(
        {
            "id": int,
            "reference": str,  # the case reference (案件编号), the package's when one was made
            "authority": str,  # the receiving authority (接收机关); may wait until it is sent
            "authority_kind": str,  # department | public_security | platform | other_region
            "seller_site": str,  # the seller it is about, when it is about one
            "seller_id": str,
            "package_file": str,  # the referral package (WACZ) made for it, its file name ...
            "package_sha256": str,  # ... and the whole file's SHA-256 (as in the custody log)
            "state": str,
            "drafted_at": str,  # YYYY-MM-DD, the day of each state
            "sent_at": str,
            "received_at": str,
            "filed_at": str,
            "closed_at": str,
            "outcome": str,
            "penalty_amount": float,  # CNY, administrative_penalty only
            "note": str,
            "created_by": str,
            "created_at": str,  # UTC time of the record
            "updated_at": str,
        },
        pk="id",
        not_null={"state", "drafted_at", "created_by", "created_at", "updated_at"},
    )
    db["referrals"].create_index(["state"])
    db["referrals"].create_index(["seller_site", "seller_id"])
    db["referrals"].create_index(["reference"], unique=True)
    db["referral_listings"].create(
        {"referral": int, "listing": int},
        pk=("referral", "listing"),
        foreign_keys=[("referral", "referrals", "id"), ("listing", "listings", "id")],
    )
    db["referral_listings"].create_index(["listing"])
    db["referral_history"].create(
        {
            "id": int,
            "referral": int,
            "at": str,  # UTC time of the change
            "actor": str,
            "from_state": str,  # NULL for the drafting
            "to_state": str,
            "state_date": str,  # the day the state was reached (YYYY-MM-DD)
            "outcome": str,
            "penalty_amount": float,
            "note": str,
            "source": str,  # web | csv:FILE:LINE | cli | export
        },
        pk="id",
        not_null={"referral", "at", "actor", "to_state", "state_date"},
        foreign_keys=[("referral", "referrals", "id")],
    )
    db["referral_history"].create_index(["referral", "id"])
    for op in ("UPDATE", "DELETE"):
        db.execute(f"""
            CREATE TRIGGER referral_history_no_{op.lower()} BEFORE {op} ON referral_history
            BEGIN SELECT RAISE(ABORT, 'referral_history is append-only: {op} is not allowed'); END""")
    for op in ("INSERT", "UPDATE"):
        db.execute(f"""
            CREATE TRIGGER referrals_check_{op.lower()} BEFORE {op} ON referrals
            WHEN NEW.state NOT IN ({_in(R0001_STATES)})
              OR (NEW.outcome IS NOT NULL AND NEW.outcome NOT IN ({_in(R0001_OUTCOMES)}))
              OR (NEW.authority_kind IS NOT NULL AND NEW.authority_kind NOT IN ({_in(R0001_KINDS)}))
              OR (NEW.state = 'closed' AND NEW.outcome IS NULL)
              OR (NEW.outcome = 'administrative_penalty' AND (NEW.penalty_amount IS NULL OR NEW.penalty_amount <= 0))
            BEGIN SELECT RAISE(ABORT, 'invalid referral state, outcome, authority kind or penalty'); END""")
