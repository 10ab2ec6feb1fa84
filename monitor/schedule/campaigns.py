"""Campaigns in the review queue: open flags that an active campaign covers (its categories or
marks) rank ``priority_boost`` points higher and carry the campaign's name.

``flags.priority`` is what the queue orders by; it equals the score outside campaigns. The
scheduler applies this when it starts, after every run (new flags) and each night after
midnight (windows open and close); ``monitor campaigns apply`` does it by hand.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from monitor.schedule.config import Campaign, ScheduleConfig
from monitor.store import open_db
from monitor.store.db import write_transaction


def active_campaigns(config: ScheduleConfig, day: date | None = None) -> list[Campaign]:
    day = day or datetime.now(ZoneInfo(config.timezone)).date()
    return [c for c in config.campaigns if c.active_on(day)]


def apply_campaigns(db: Database, campaigns: list[Campaign], *, batch: int = 5000) -> Counter:
    """Set priority and campaign on every open flag from the active ``campaigns``; flags no
    campaign covers go back to priority = score. Returns flags per campaign ('' = none)."""
    counts: Counter = Counter()
    last = 0
    while True:
        rows = db.execute("SELECT id, score, category, marks, priority, campaign FROM flags "
                          "WHERE status = 'open' AND id > ? ORDER BY id LIMIT ?", [last, batch]).fetchall()
        if not rows:
            return counts
        updates = []
        for flag_id, score, category, marks, priority, current in rows:
            names = (marks or "").split()
            best = max((c for c in campaigns if c.covers_flag(category, names)),
                       key=lambda c: c.priority_boost, default=None)
            new_priority = score + (best.priority_boost if best else 0)
            new_campaign = best.name if best else None
            counts[new_campaign or ""] += 1
            if (priority, current) != (new_priority, new_campaign):
                updates.append((new_priority, new_campaign, flag_id))
        if updates:
            with write_transaction(db):
                db.conn.executemany("UPDATE flags SET priority = ?, campaign = ? WHERE id = ?", updates)
        last = rows[-1][0]


def refresh(config: ScheduleConfig, db_path) -> None:
    """Apply the campaigns active today; logged, never raised (the scheduler must go on)."""
    logger = logging.getLogger("monitor.schedule")
    try:
        db = open_db(db_path)
        try:
            counts = apply_campaigns(db, active_campaigns(config))
        finally:
            db.close()
    except Exception:  # noqa: BLE001
        logger.exception("Applying campaigns to the queue failed")
        return
    active = {k: v for k, v in counts.items() if k}
    if active:
        logger.info("Campaigns in the queue: %s", ", ".join(f"{k} {v} open flags" for k, v in sorted(active.items())))
