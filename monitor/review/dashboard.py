"""The review dashboard's figures: open flags by category, site and signal, verdicts per day and
per analyst, time from flag to first verdict."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def dashboard(db: Database, days: int = 30) -> dict[str, Any]:
    def rows(sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        return list(db.execute_returning_dicts(sql, params or []))

    by_signal: dict[str, int] = {}
    for (names,) in db.execute("SELECT signal_names FROM flags WHERE status = 'open'").fetchall():
        for name in (names or "").split():
            by_signal[name] = by_signal.get(name, 0) + 1
    # time from the flag being raised to its first verdict
    latency = rows(
        "SELECT r.analyst, (julianday(min(r.decided_at)) - julianday(f.created_at)) * 24 AS hours "
        "FROM reviews r JOIN flags f ON f.id = r.flag GROUP BY r.flag")
    hours = sorted(r["hours"] for r in latency if r["hours"] is not None)
    return {
        "by_category": rows("SELECT coalesce(category, '-') AS key, count(*) AS n FROM flags WHERE status = 'open' "
                            "GROUP BY 1 ORDER BY n DESC"),
        # the flag's own site: a covering range of flags_queue_site, grouped in index order
        "by_site": rows("SELECT coalesce(site, '-') AS key, count(*) AS n FROM flags WHERE status = 'open' "
                        "GROUP BY site ORDER BY n DESC"),
        "by_signal": [{"key": k, "n": n} for k, n in sorted(by_signal.items(), key=lambda kv: (-kv[1], kv[0]))],
        "per_day": rows("SELECT substr(decided_at, 1, 10) AS day, verdict, count(*) AS n FROM reviews "
                        "WHERE decided_at >= date('now', ?) GROUP BY 1, 2 ORDER BY 1 DESC, 2", [f"-{days} days"]),
        "per_analyst": rows("SELECT analyst AS key, count(*) AS n, count(DISTINCT flag) AS flags, "
                            "max(decided_at) AS last FROM reviews WHERE decided_at >= date('now', ?) "
                            "GROUP BY 1 ORDER BY n DESC", [f"-{days} days"]),
        "latency": {"decided": len(hours),
                    "median_hours": hours[len(hours) // 2] if hours else None,
                    "p90_hours": hours[min(len(hours) - 1, int(len(hours) * 0.9))] if hours else None},
        "days": days,
    }

