"""The audit trail: one append-only row per action (who, when, what, on which object, before and
after as JSON). The review migrations' triggers refuse UPDATE and DELETE on it."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from monitor.listing import utc_now


def audit(db: Database, actor: str, action: str, obj: str, before: Any = None, after: Any = None,
          *, ip: str | None = None, at: str | None = None) -> None:
    """Append one audit row (inside the caller's transaction)."""
    db["audit"].insert({
        "at": at or utc_now(), "actor": actor, "action": action, "object": obj,
        "before": None if before is None else json.dumps(before, ensure_ascii=False, sort_keys=True),
        "after": None if after is None else json.dumps(after, ensure_ascii=False, sort_keys=True),
        "ip": ip,
    })
