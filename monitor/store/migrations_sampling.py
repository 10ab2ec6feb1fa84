"""Schema of the sampling casework (issue 14, monitor/casework/sampling*.py): its own migration set,
applied after the store's and the review app's (it refers to listings, flags and users).
Append new migrations; never edit one that has shipped."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

SAMPLING_MIGRATIONS = Migrations("monitor-sampling")


@SAMPLING_MIGRATIONS(name="s0001_samples_items")
def samples_items(db) -> None:
    # One row per draw, kept for publication (公示): the seed and the strata are what anyone needs
    # to check the draw was random; never deleted (a draw thrown away would defeat the point).
    db["samples"].create(
        {
            "id": int,
            "period": str,  # label: 2026-Q4, 2026-H2, 2026-11, 2026
            "since": str,  # first day (YYYY-MM-DD, included)
            "until": str,  # first day after (excluded)
            "seed": int,
            "size": int,  # asked for; the drawn count is the number of sample_items
            "population": int,  # listings seen in the period at draw time
            "strata": str,  # JSON [{category, site, population, allocated}]
            "analysts": str,  # JSON [name, ...] drawn, in draw order
            "drawn_at": str,
            "drawn_by": str,
            "published_at": str,
            "published_by": str,
        },
        pk="id",
        not_null={"period", "since", "until", "seed", "size", "population", "strata", "analysts", "drawn_at",
                  "drawn_by"},
    )
    db["sample_items"].create(
        {
            "id": int,
            "sample": int,
            "listing": int,
            "category": str,  # the stratum: category x site, as at draw time
            "site": str,
            "analyst": str,  # users.name drawn for this listing
            "flagged_at_draw": int,  # 1: the listing had a live (not superseded) flag when drawn
            "verdict": str,  # monitor.verdicts.VERDICTS; NULL until checked
            "reason": str,  # a dismissal's reason
            "note": str,
            "decided_by": str,
            "decided_at": str,
        },
        pk="id",
        foreign_keys=[("sample", "samples", "id"), ("listing", "listings", "id")],
        not_null={"sample", "listing", "category", "site", "analyst", "flagged_at_draw"},
    )
    db["sample_items"].create_index(["sample", "listing"], unique=True)
    db["sample_items"].create_index(["analyst", "sample"])
