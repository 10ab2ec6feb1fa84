"""The report's regional and key-period figures: sellers' locations resolved to province and
city (GB/T 2260 codes, through ``monitor.regions``), a report restricted to one region, and the
campaign windows of ``monitor.yaml`` (春耕, 3·15, 618, 双11 ...) that fall in the period.

Campaigns are passed in by the caller (the CLI loads ``monitor.yaml``): the report is a service
and the schedule an entry point, so the report never imports it; any object with ``name``,
``windows(day)`` and ``covers_flag(category, marks)`` will do (``monitor.schedule.config.Campaign``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable

from sqlite_utils import Database

from monitor.i18n import gettext as _
from monitor.periods import Period, long_date
from monitor.regions import division, region_of
from monitor.verdicts import CONFIRMING, N_, placeholders

TOP_CITIES = 20
UNKNOWN = "-"

# A listing's location: the listing's own seller location, else the seller page's.
_LOCATIONS = ("SELECT l.id, coalesce(nullif(trim(l.seller_location), ''), s.location) AS location "
              "FROM listings l LEFT JOIN sellers s ON s.site = l.site AND s.seller_id = l.seller_id")

# The campaign names of the shipped monitor.yaml, as a report names them (others show as written).
CAMPAIGN_NAMES = {
    "spring-planting": N_("Spring planting"),
    "summer-sowing": N_("Summer sowing"),
    "consumer-rights-day": N_("Consumer Rights Day (3·15)"),
    "world-ip-day": N_("World IP Day (4·26)"),
    "618": N_("618 shopping festival"),
    "double-11": N_("Double 11"),
    "double-12": N_("Double 12"),
}


def campaign_title(name: str) -> str:
    return _(CAMPAIGN_NAMES[name]) if name in CAMPAIGN_NAMES else name


@dataclass(frozen=True)
class RegionFilter:
    """A province or city the report is restricted to."""
    level: str  # "province" or "city"
    code: str  # GB/T 2260, 6 digits
    name: str

    def matches(self, region: Any) -> bool:
        if region is None:
            return False
        return (region.province_code if self.level == "province" else region.city_code) == self.code


def region_filter(text: str) -> RegionFilter:
    """``浙江``, ``浙江省``, ``金华``, ``330000`` or ``330700`` as a filter; ValueError saying what to
    write otherwise. A code is the province or city ``monitor.regions.division`` finds for it
    (a municipality's 110000 is the province); a county's code is refused with its city's."""
    text = (text or "").strip()
    if re.fullmatch(r"\d{6}", text):
        region = division(text)
        if region is not None and text == region.province_code:
            return RegionFilter("province", text, region.province)
        if region is not None and text == region.city_code:
            return RegionFilter("city", text, region.city)
        if region is not None and text == region.county_code:
            instead = region.city_code or region.province_code
            raise ValueError(f"{text!r} is a county-level division ({region.county}); a report is restricted to a "
                             f"province or city: write {instead} ({region.city or region.province})")
        raise ValueError(f"{text!r} is no GB/T 2260 province or city code; write a 6-digit code such as "
                         "330000 (浙江省) or 330700 (金华市), or the name")
    region = region_of(text)
    if region is None:
        raise ValueError(f"{text!r} is not a province or city this monitor can place (GB/T 2260); write its name "
                         "(浙江, 浙江省, 金华市) or its 6-digit code (330000, 330700)")
    if region.city and region.city_code and region.city_code != region.province_code and \
            text.rstrip("市") not in region.province:
        return RegionFilter("city", region.city_code, region.city)
    return RegionFilter("province", region.province_code, region.province)


def listing_regions(db: Database) -> dict[int, Any]:
    """Listing pk -> its seller's Region (None when the location is missing or cannot be placed)."""
    return {pk: region_of(location) for pk, location in db.execute(_LOCATIONS)}


def listings_in(db: Database, where: RegionFilter) -> set[int]:
    return {pk for pk, region in listing_regions(db).items() if where.matches(region)}


def by_region(flagged: list[dict], confirmed: list[dict], regions: dict[int, Any]) -> dict[str, list[dict]]:
    """Flagged and confirmed listings by province, then by city (the TOP_CITIES largest)."""
    out: dict[str, dict[tuple, dict[str, Any]]] = {"province": {}, "city": {}}
    for name, rows in (("flagged", flagged), ("confirmed", confirmed)):
        for r in rows:
            region = regions.get(r["listing"])
            keys = {"province": ((region.province_code, region.province) if region else (UNKNOWN, None)),
                    "city": ((region.city_code, f"{region.province} {region.city}") if region and region.city
                             else (UNKNOWN, None))}
            for level, (code, label) in keys.items():
                row = out[level].setdefault(code, {"key": code, "code": code if code != UNKNOWN else "",
                                                   "label": label or _("location unknown or not placed"),
                                                   "flagged": 0, "confirmed": 0})
                row[name] += 1
    ranked = {level: sorted(rows.values(), key=lambda r: (r["key"] == UNKNOWN, -r["confirmed"], -r["flagged"],
                                                           r["key"]))
              for level, rows in out.items()}
    ranked["city"] = [r for r in ranked["city"] if r["key"] != UNKNOWN][:TOP_CITIES]
    return ranked


# -- key periods (campaigns) -----------------------------------------------------------------

def campaign_windows(campaign: Any, period: Period) -> list[tuple[date, date]]:
    """The campaign's windows cut to the period, as [first, last] days (inclusive)."""
    seen = set()
    for around in (period.start, period.last_day):
        for start, end in campaign.windows(around):
            first, last = max(start, period.start), min(end, period.last_day)
            if first <= last:
                seen.add((first, last))
    return sorted(seen)


def key_periods(db: Database, period: Period, campaigns: Iterable[Any],
                listings: set[int] | None = None) -> list[dict[str, Any]]:
    """Per campaign window in the period: listings flagged (flags the campaign covers, by category
    or mark), listings first confirmed, and notices sent naming a covered listing."""
    flags = list(db.execute_returning_dicts(
        "SELECT listing, category, marks, created_at FROM flags WHERE created_at >= ? AND created_at < ?",
        [period.since, period.until]))
    confirmed = list(db.execute_returning_dicts(f"""
        SELECT r.listing, f.category, f.marks, min(r.decided_at) AS at FROM reviews r JOIN flags f ON f.id = r.flag
        WHERE r.verdict IN ({placeholders(CONFIRMING)}) AND f.status = 'confirmed' GROUP BY r.listing""",
        list(CONFIRMING)))
    notices = list(db.execute_returning_dicts(
        "SELECT n.id, coalesce(n.sent_at, n.created_at) AS at, n.mark, l.id AS listing, l.category "
        "FROM notices n JOIN notice_items i ON i.notice = n.id JOIN listings l ON l.id = i.listing "
        "WHERE n.status != 'drafted' AND coalesce(n.sent_at, n.created_at) >= ? "
        "AND coalesce(n.sent_at, n.created_at) < ?", [period.since, period.until]))
    keep = (lambda pk: True) if listings is None else (lambda pk: pk in listings)
    out = []
    for campaign in campaigns:
        for first, last in campaign_windows(campaign, period):
            since, until = first.isoformat(), (last + timedelta(days=1)).isoformat()

            def covered(r: dict, at: str) -> bool:
                return (keep(r["listing"]) and since <= (r[at] or "") < until
                        and campaign.covers_flag(r["category"], (r.get("marks") or r.get("mark") or "").split()))

            out.append({"name": campaign.name, "title": campaign_title(campaign.name),
                        "window": _("%(first)s to %(last)s", first=long_date(first), last=long_date(last)),
                        "since": since, "until": until,
                        "flagged": len({r["listing"] for r in flags if covered(r, "created_at")}),
                        "confirmed": len({r["listing"] for r in confirmed if covered(r, "at")}),
                        "notices": len({r["id"] for r in notices if covered(r, "at")})})
    out.sort(key=lambda r: (r["since"], r["name"]))
    return out

