"""The figures of a statistics report, read from the store for one period (see period.py).

Definitions (also printed in the report):

- **flagged**: listings with a flag raised in the period (a listing flagged twice counts once;
  its signals are those of all its flags in the period);
- **confirmed**: listings whose first confirming verdict (confirmed counterfeit, confirmed
  infringement, regulatory violation) was given in the period and whose flag is still confirmed;
- a **seller** is an account (site + seller id); accounts on different sites under the same
  seller name count as one seller. A **repeat infringer** has confirmed listings in the period
  and, up to the period's end, confirmed listings in more than one period or on more than one site;
- **notices sent**: notices sent in the period (not drafts), per platform with the acceptance rate
  of ``monitor.review.outcomes.acceptance_by_platform``: (accepted + removed) / (accepted +
  removed + rejected), notices still awaiting an answer left out;
- **time to takedown**: for listings first confirmed (counterfeit or infringement) in the period,
  hours from that verdict to the removal seen afterwards, as known when the report is made;
- **time to verdict**: hours from a flag being raised to its first verdict, for first verdicts
  given in the period.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date
from typing import Any, Callable

import yaml
from sqlite_utils import Database

from monitor.categories import rules_dir
from monitor.i18n import current as current_locale
from monitor.listing import listing_columns, seller_key
from monitor.periods import Period, period_containing
from monitor.report.breakdowns import by_region
from monitor.review.outcomes import STATUSES as NOTICE_STATUSES, acceptance_by_platform
from monitor.rules.explain import category_words, signal_words
from monitor.store.removals import takedown_times
from monitor.verdicts import CONFIRMING, placeholders

TOP_SELLERS = 10
TOP_REPEAT = 30


def category_labels() -> dict[str, str]:
    """Category id -> its name from rules/categories.yaml: 化妆品 in a Chinese report, "Cosmetics
    化妆品" in an English one (the office's own word beside it); ids when the file cannot be read."""
    chinese = current_locale() == "zh_CN"
    try:
        data = yaml.safe_load((rules_dir() / "categories.yaml").read_text(encoding="utf-8")) or {}
        cats = data.get("categories") or {}
        return {str(k): (str(v.get("name_zh") or v.get("name") or k) if chinese else
                         " ".join(str(x) for x in (v.get("name") or k, v.get("name_zh")) if x))
                for k, v in cats.items() if isinstance(v, dict)}
    except (OSError, ValueError, AttributeError, yaml.YAMLError):
        return {}


def _rows(db: Database, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return list(db.execute_returning_dicts(sql, params or []))


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _mean(values: list[float]) -> float | None:
    return float(statistics.fmean(values)) if values else None


# -- sellers -------------------------------------------------------------------------------

def _norm_name(name: str | None) -> str | None:
    text = " ".join(str(name or "").split()).casefold()
    return text or None


class _Sellers:
    """Groups seller accounts: one account per (site, seller id); the same name on another site joins."""

    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}
        self.names: dict[Any, Counter] = defaultdict(Counter)

    def _find(self, key: Any) -> Any:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def _union(self, a: Any, b: Any) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self.parent[max(ra, rb, key=repr)] = min(ra, rb, key=repr)

    def account(self, site: str, seller_id: str | None, seller_name: str | None) -> tuple[str, str] | None:
        if not seller_id and not seller_name:
            return None
        acct = ("acct", site, str(seller_key(seller_id, seller_name)))
        self._find(acct)
        if seller_name:
            self.names[acct][str(seller_name)] += 1
            norm = _norm_name(seller_name)
            if norm:
                self._union(acct, ("name", norm))
        return acct

    def group(self, acct: Any) -> Any:
        return self._find(acct)

    def describe(self, accounts: set[Any]) -> dict[str, Any]:
        names: Counter = Counter()
        for a in accounts:
            names.update(self.names.get(a, Counter()))
        ids = sorted(f"{a[1]}: {a[2]}" for a in accounts)
        name = names.most_common(1)[0][0] if names else sorted(accounts)[0][2]
        return {"name": name, "accounts": ids, "sites": sorted({a[1] for a in accounts})}


# -- the figures of one period --------------------------------------------------------------

# What the figures need of a listing: who sells it.
_SELLER = listing_columns("l", ("seller_id", "seller_name"))


def _flagged(db: Database, period: Period) -> list[dict[str, Any]]:
    """One row per listing flagged in the period (signals of all its flags in the period)."""
    by_listing: dict[int, dict[str, Any]] = {}
    for r in _rows(db, f"SELECT f.listing, f.category, f.site, f.signal_names, f.created_at, {_SELLER} "
                       "FROM flags f JOIN listings l ON l.id = f.listing "
                       "WHERE f.created_at >= ? AND f.created_at < ? ORDER BY f.id", [period.since, period.until]):
        row = by_listing.setdefault(r["listing"], {**r, "signals": set()})
        row["signals"].update((r["signal_names"] or "").split())
        row["category"] = r["category"] or row["category"]
    return list(by_listing.values())


def _confirmed_until(db: Database, until: str) -> list[dict[str, Any]]:
    """One row per listing confirmed before ``until``: its first confirming verdict."""
    marks = placeholders(CONFIRMING)
    first: dict[int, dict[str, Any]] = {}
    for r in _rows(db, f"""
            SELECT r.listing, r.decided_at AS confirmed_at, r.verdict, f.category, f.site, f.signal_names,
                   {_SELLER}
            FROM reviews r JOIN flags f ON f.id = r.flag JOIN listings l ON l.id = r.listing
            WHERE r.verdict IN ({marks}) AND r.decided_at < ?
              AND EXISTS (SELECT 1 FROM flags c WHERE c.listing = r.listing AND c.status = 'confirmed')
            ORDER BY r.decided_at, r.id""", [*CONFIRMING, until]):
        if r["listing"] not in first:
            r["signals"] = set((r["signal_names"] or "").split())
            first[r["listing"]] = r
    return list(first.values())


def _breakdown(flagged: list[dict], confirmed: list[dict], key, label: Callable[[str], str]) -> list[dict]:
    """Flagged and confirmed per key (``key(row)`` lists a row's keys), each named by ``label(key)``."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"flagged": 0, "confirmed": 0})
    for name, rows in (("flagged", flagged), ("confirmed", confirmed)):
        for r in rows:
            for k in key(r):
                counts[k][name] += 1
    out = [{"key": k, "label": label(k), **v} for k, v in counts.items()]
    return sorted(out, key=lambda r: (-r["confirmed"], -r["flagged"], r["key"]))


def _notices_of(db: Database, period: Period, listings: set[int]) -> list[dict[str, Any]]:
    """acceptance_by_platform's rows counting only notices naming a listing of ``listings``
    (its definition of each status, the rate computed the same way)."""
    notices = {}
    for nid, platform, status, listing in db.execute(
            "SELECT n.id, n.platform, n.status, i.listing FROM notices n JOIN notice_items i ON i.notice = n.id "
            "WHERE coalesce(n.sent_at, n.created_at) >= ? AND coalesce(n.sent_at, n.created_at) < ?",
            [period.since, period.until]):
        if listing in listings:
            notices[nid] = (platform, status)
    out: dict[str, dict[str, Any]] = {}
    for platform, status in notices.values():
        row = out.setdefault(platform, {"platform": platform, "notices": 0, **{s: 0 for s in NOTICE_STATUSES}})
        row["notices"] += 1
        if status in NOTICE_STATUSES:
            row[status] += 1
    for row in out.values():
        decided = row["accepted"] + row["removed"] + row["rejected"]
        row["acceptance_rate"] = (row["accepted"] + row["removed"]) / decided if decided else None
    return list(out.values())


def _notices(db: Database, period: Period, listings: set[int] | None = None) -> dict[str, Any]:
    """Notices sent in the period per platform, with the acceptance rate of
    monitor.review.outcomes.acceptance_by_platform (the one definition the dashboard uses too)."""
    rows = []
    found = (acceptance_by_platform(db, since=period.since, until=period.until) if listings is None
             else _notices_of(db, period, listings))
    for r in found:
        sent = r["notices"] - r["drafted"]
        if sent:
            rows.append({"platform": r["platform"], "sent": sent, "accepted": r["accepted"], "removed": r["removed"],
                         "rejected": r["rejected"], "pending": r["sent"], "rate": r["acceptance_rate"]})
    items: Counter = Counter()
    for platform, listing in db.execute(
            "SELECT n.platform, i.listing FROM notices n JOIN notice_items i ON i.notice = n.id "
            "WHERE n.status != 'drafted' AND coalesce(n.sent_at, n.created_at) >= ? "
            "AND coalesce(n.sent_at, n.created_at) < ?", [period.since, period.until]):
        if listings is None or listing in listings:
            items[platform] += 1
    for r in rows:
        r["listings"] = items.get(r["platform"], 0)
    rows.sort(key=lambda r: (-r["sent"], r["platform"]))
    total = {k: sum(r[k] for r in rows) for k in ("sent", "accepted", "removed", "rejected", "pending", "listings")}
    answered = total["accepted"] + total["removed"] + total["rejected"]
    total["rate"] = (total["accepted"] + total["removed"]) / answered if answered else None
    return {**total, "by_platform": rows}


def _takedown(db: Database, period: Period, listings: set[int] | None = None) -> dict[str, Any]:
    rows = [r for r in _within(takedown_times(db, since=period.since), listings) if r["confirmed_at"] < period.until]
    hours = [float(r["hours_to_removal"]) for r in rows if r["hours_to_removal"] is not None]
    return {"confirmed": len(rows), "removed": len(hours),
            "share_removed": len(hours) / len(rows) if rows else None,
            "median_hours": _median(hours), "mean_hours": _mean(hours)}


def _reviews(db: Database, period: Period, listings: set[int] | None = None) -> dict[str, Any]:
    per: dict[str, dict[str, Any]] = {}
    counted = Counter()
    for r in _rows(db, "SELECT analyst, verdict, listing FROM reviews WHERE decided_at >= ? AND decided_at < ?",
                   [period.since, period.until]):
        if listings is None or r["listing"] in listings:
            counted[(r["analyst"], r["verdict"])] += 1
    for (analyst, verdict), n in sorted(counted.items()):
        r = {"analyst": analyst, "verdict": verdict, "n": n}
        a = per.setdefault(r["analyst"], {"analyst": r["analyst"], "verdicts": 0, "confirmed": 0, "dismissed": 0,
                                          "other": 0, "hours": []})
        a["verdicts"] += r["n"]
        kind = "confirmed" if r["verdict"] in CONFIRMING else "dismissed" if r["verdict"] == "dismissed" else "other"
        a[kind] += r["n"]
    # First verdict per flag (SQLite takes the other columns from the row holding min()).
    latency = _rows(db, """
        SELECT r.flag, r.listing, r.analyst, min(r.decided_at) AS first_at,
               (julianday(min(r.decided_at)) - julianday(f.created_at)) * 24 AS hours
        FROM reviews r JOIN flags f ON f.id = r.flag GROUP BY r.flag
        HAVING first_at >= ? AND first_at < ?""", [period.since, period.until])
    latency = _within(latency, listings)
    all_hours = []
    for r in latency:
        if r["hours"] is None:
            continue
        all_hours.append(r["hours"])
        if r["analyst"] in per:
            per[r["analyst"]]["hours"].append(r["hours"])
    analysts = sorted(per.values(), key=lambda a: (-a["verdicts"], a["analyst"]))
    for a in analysts:
        a["median_hours"] = _median(a.pop("hours"))
    return {"verdicts": sum(a["verdicts"] for a in analysts), "by_analyst": analysts, "first_verdicts": len(all_hours),
            "median_hours": _median(all_hours), "mean_hours": _mean(all_hours)}


def _seller_groups(period: Period, flagged: list[dict], confirmed_all: list[dict]) -> tuple[list[dict], list[dict]]:
    """The period's sellers (flagged or confirmed in it) and its repeat offenders (confirmed in
    it and in another period or on another site), one row per group of linked accounts."""
    # accounts seen in this period's rows and in all confirmations up to its end
    sellers = _Sellers()
    for r in (*flagged, *confirmed_all):
        r["account"] = sellers.account(r["site"], r["seller_id"], r["seller_name"])
    groups: dict[Any, dict[str, Any]] = {}

    def group_of(r: dict) -> dict[str, Any] | None:
        if r["account"] is None:
            return None
        g = groups.setdefault(sellers.group(r["account"]), {"accounts": set(), "flagged": 0, "confirmed": 0,
                                                            "confirmed_total": 0, "periods": set(),
                                                            "sites_confirmed": set(), "first_confirmed": None})
        g["accounts"].add(r["account"])
        return g

    for r in flagged:
        if (g := group_of(r)) is not None:
            g["flagged"] += 1
    for r in confirmed_all:
        if (g := group_of(r)) is None:
            continue
        g["confirmed_total"] += 1
        g["periods"].add(period_containing(period.kind, date.fromisoformat(r["confirmed_at"][:10])).label)
        g["sites_confirmed"].add(r["site"])
        g["first_confirmed"] = min(filter(None, (g["first_confirmed"], r["confirmed_at"])))
        if r["confirmed_at"] >= period.since:
            g["confirmed"] += 1
    seller_rows, repeat = [], []
    for g in groups.values():
        row = {**sellers.describe(g["accounts"]), **{k: g[k] for k in ("flagged", "confirmed", "confirmed_total",
                                                                       "first_confirmed")},
               "periods": sorted(g["periods"]), "sites_confirmed": sorted(g["sites_confirmed"])}
        if g["flagged"] or g["confirmed"]:
            seller_rows.append(row)
        if g["confirmed"] and (len(g["periods"]) > 1 or len(g["sites_confirmed"]) > 1):
            repeat.append(row)
    seller_rows.sort(key=lambda r: (-r["confirmed"], -r["flagged"], r["name"]))
    repeat.sort(key=lambda r: (-r["confirmed_total"], r["name"]))
    return seller_rows, repeat


def _within(rows: list[dict], listings: set[int] | None, key: str = "listing") -> list[dict]:
    """The rows of listings in the report's region (all when the report is not regional)."""
    return rows if listings is None else [r for r in rows if r[key] in listings]


def _runs(db: Database, period: Period) -> dict[str, int]:
    """Crawl runs started in the period: the monitoring's own (scheduled, catch-up, recheck and
    manual crawls) with how many failed or degraded, and apart from them (``complaint_runs``) the
    one-page crawls of the pages complaints named, started as each complaint was entered: casework,
    counted with the complaints, not as monitoring. A complaint keeps its crawl's run
    (complaints.crawl_run); such a run has no job and no trigger of its own."""
    complaint = ("id IN (SELECT crawl_run FROM complaints WHERE crawl_run IS NOT NULL)"
                 if db["complaints"].exists() else "0")
    row = _rows(db, f"SELECT coalesce(sum(NOT ({complaint})), 0) AS runs, "
                    f"coalesce(sum(status = 'failed' AND NOT ({complaint})), 0) AS failed, "
                    f"coalesce(sum(status = 'degraded' AND NOT ({complaint})), 0) AS degraded, "
                    f"coalesce(sum({complaint}), 0) AS complaint_runs FROM crawl_runs "
                    "WHERE started_at >= ? AND started_at < ?", [period.since, period.until])[0]
    return {k: int(v) for k, v in row.items()}


def period_figures(db: Database, period: Period, labels: dict[str, str] | None = None,
                   listings: set[int] | None = None, regions: dict[int, Any] | None = None) -> dict[str, Any]:
    """The period's figures; ``listings`` restricts them to those listings (a regional report),
    ``regions`` (listing pk -> Region) gives the breakdown by province and city."""
    labels = category_labels() if labels is None else labels
    flagged = _within(_flagged(db, period), listings)
    confirmed_all = _within(_confirmed_until(db, period.until), listings)
    confirmed = [r for r in confirmed_all if r["confirmed_at"] >= period.since]
    seller_rows, repeat = _seller_groups(period, flagged, confirmed_all)

    timeline = []
    for label, since, until in period.buckets():
        timeline.append({"label": label,
                         "flagged": sum(1 for r in flagged if since <= r["created_at"] < until),
                         "confirmed": sum(1 for r in confirmed if since <= r["confirmed_at"] < until)})
    runs = _runs(db, period)
    new_listings = sum(1 for (pk,) in db.execute("SELECT id FROM listings WHERE first_seen >= ? AND first_seen < ?",
                                                 [period.since, period.until])
                       if listings is None or pk in listings)
    return {
        "period": period,
        "flagged": len(flagged),
        "confirmed": len(confirmed),
        "by_category": _breakdown(flagged, confirmed, lambda r: [r["category"] or "-"],
                                  lambda k: labels.get(k) or category_words(k)),
        "by_site": _breakdown(flagged, confirmed, lambda r: [r["site"] or "-"], str),
        "by_signal": _breakdown(flagged, confirmed, lambda r: sorted(r["signals"]), signal_words),
        "timeline": timeline,
        "sellers": seller_rows[:TOP_SELLERS],
        "sellers_total": len(seller_rows),
        "repeat": repeat[:TOP_REPEAT],
        "repeat_total": len(repeat),
        "by_region": by_region(flagged, confirmed, regions or {}),
        "notices": _notices(db, period, listings),
        "takedown": _takedown(db, period, listings),
        "reviews": _reviews(db, period, listings),
        "runs": runs,
        "new_listings": new_listings,
    }
