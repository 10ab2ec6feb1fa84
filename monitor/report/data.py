"""Everything a report shows, in the locale it is rendered in: the period's figures (figures.py)
against the previous period's, the headline with its trend, the breakdown by region and key
period (breakdowns.py) and the casework sections (casework.py)."""

from __future__ import annotations

from typing import Any, Iterable

from sqlite_utils import Database

from monitor import __version__
from monitor.i18n import current as current_locale, format_date, format_datetime, gettext as _, ngettext
from monitor.listing import utc_now
from monitor.periods import Period
from monitor.report.breakdowns import RegionFilter, key_periods, listing_regions
from monitor.report.casework import casework_sections
from monitor.report.figures import _confirmed_until, _flagged, _within, category_labels, period_figures
from monitor.verdicts import N_

HISTORY_PERIODS = 6

HEADLINE = [
    # key, label (an English msgid), kind (count | rate | hours)
    ("new_listings", N_("listings first seen"), "count"),
    ("flagged", N_("listings flagged"), "count"),
    ("confirmed", N_("listings confirmed"), "count"),
    ("repeat", N_("repeat infringers"), "count"),
    ("notices_sent", N_("notices sent"), "count"),
    ("acceptance", N_("notice acceptance rate"), "rate"),
    ("share_removed", N_("confirmed listings removed"), "rate"),
    ("takedown_median", N_("time to takedown, median"), "hours"),
    ("verdicts", N_("verdicts given"), "count"),
    ("verdict_median", N_("time to verdict, median"), "hours"),
]


def headline_values(f: dict[str, Any]) -> dict[str, Any]:
    return {"new_listings": f["new_listings"], "flagged": f["flagged"], "confirmed": f["confirmed"],
            "repeat": f["repeat_total"], "notices_sent": f["notices"]["sent"], "acceptance": f["notices"]["rate"],
            "share_removed": f["takedown"]["share_removed"], "takedown_median": f["takedown"]["median_hours"],
            "verdicts": f["reviews"]["verdicts"], "verdict_median": f["reviews"]["median_hours"]}


def fmt_value(kind: str, value: Any) -> str:
    if value is None:
        return "–"
    if kind == "rate":
        return f"{value * 100:.0f}%"
    if kind == "hours":
        return _("%(hours)s h", hours=round(value, 1))
    return f"{value:,}"


def fmt_change(kind: str, current: Any, previous: Any) -> str:
    if current is None or previous is None:
        return "–"
    diff = current - previous
    if kind == "rate":
        points = f"{diff * 100:+.0f}"
        return _("%(points)s pp", points=points)
    if kind == "hours":
        hours = f"{diff:+.1f}"
        return _("%(hours)s h", hours=hours)
    if diff == 0:
        return "0"
    text = f"{diff:+,}"
    if previous:
        text += f" ({diff / previous * 100:+.0f}%)"
    return text


def report_data(db: Database, period: Period, *, region: RegionFilter | None = None,
                campaigns: Iterable[Any] = ()) -> dict[str, Any]:
    """Everything both renderers show, in the current locale; ``region`` restricts every
    listing figure to sellers located there; ``campaigns`` are monitor.yaml's key periods."""
    labels = category_labels()
    regions = listing_regions(db)
    listings = None if region is None else {pk for pk, r in regions.items() if region.matches(r)}
    current = period_figures(db, period, labels, listings, regions)
    previous = period_figures(db, period.previous(), labels, listings, regions)
    now_values, prev_values = headline_values(current), headline_values(previous)
    headline = [{"key": key, "label": _(label), "kind": kind, "value": now_values[key], "previous": prev_values[key],
                 "value_text": fmt_value(kind, now_values[key]), "previous_text": fmt_value(kind, prev_values[key]),
                 "change_text": fmt_change(kind, now_values[key], prev_values[key])}
                for key, label, kind in HEADLINE]
    history, p = [], period
    confirmed_all = _within(_confirmed_until(db, period.until), listings)
    for _i in range(HISTORY_PERIODS):
        confirmed = sum(1 for r in confirmed_all if p.since <= r["confirmed_at"] < p.until)
        history.append({"label": p.label, "flagged": len(_within(_flagged(db, p), listings)), "confirmed": confirmed})
        p = p.previous()
    history.reverse()
    generated = utc_now()
    state = period_state(period, generated[:10])
    return {"period": period, "previous": period.previous(), "current": current, "prev": previous,
            "in_progress": state is not None, "state": state, "state_note": state_note(period, state),
            "region": region, "language": current_locale(),
            "headline": headline, "history": history, "generated_at": generated,
            "generated_text": format_datetime(generated), "intro": intro(period, generated),
            "key_periods": key_periods(db, period, campaigns, listings),
            "casework": casework_sections(db, period, region), "sentences": sentences(current),
            "definitions": [_(text) for text in DEFINITIONS]}


def intro(period: Period, generated: str) -> str:
    """The report's first sentence: its period, the one it is compared with, when it was made."""
    previous = period.previous()
    text = _("%(period)s (%(label)s): %(bounds)s. Compared with %(previous)s (%(previous_bounds)s). "
             "Generated %(when)s by listing-monitor %(version)s.", period=period.title, label=period.label,
             bounds=period.bounds_local(), previous=previous.title, previous_bounds=previous.bounds_local(),
             when=format_datetime(generated), version=__version__)
    return text[:1].upper() + text[1:]  # "First half of 2026 (2026-H1): ..." in English


def sentences(f: dict[str, Any]) -> dict[str, str]:
    """The report's sentences with counts in them, each count with its noun's singular or plural
    (ngettext): the sellers shown, review throughput, crawling."""
    rv, runs = f["reviews"], f["runs"]
    n = len(f["sellers"])
    return {
        "sellers": ngettext("The %(num)s seller with the most confirmed, then flagged, listings in the period, of %(total)s.",
                            "The %(num)s sellers with the most confirmed, then flagged, listings in the period, "
                            "of %(total)s.", n, total=f["sellers_total"]),
        "reviews": _("%(verdicts)s; %(first)s, %(median)s median (%(mean)s mean) from flag to verdict.",
                     verdicts=ngettext("%(num)s verdict in the period", "%(num)s verdicts in the period",
                                       rv["verdicts"]),
                     first=ngettext("%(num)s flag decided for the first time",
                                    "%(num)s flags decided for the first time", rv["first_verdicts"]),
                     median=fmt_value("hours", rv["median_hours"]), mean=fmt_value("hours", rv["mean_hours"])),
        "crawling": _crawling(runs, f["new_listings"]),
    }


def _crawling(runs: dict[str, int], new: int) -> str:
    """The monitoring's crawl runs; the crawls of pages complaints named (casework) apart, after."""
    text = _("%(runs)s (%(failed)s failed, %(degraded)s degraded); %(new)s.",
             runs=ngettext("%(num)s crawl run started", "%(num)s crawl runs started", runs["runs"]),
             failed=runs["failed"], degraded=runs["degraded"],
             new=ngettext("%(num)s listing seen for the first time", "%(num)s listings seen for the first time", new))
    if not runs.get("complaint_runs"):
        return text
    return _("%(crawling)s %(complaints)s", crawling=text, complaints=ngettext(
        "Besides, %(num)s crawl of a page a complaint named, not counted above.",
        "Besides, %(num)s crawls of pages complaints named, not counted above.", runs["complaint_runs"]))


def period_state(period: Period, today: str) -> str | None:
    """"future" when the period starts after ``today`` (YYYY-MM-DD, UTC), "in_progress" when it
    has started but not ended, None when it is over: a report of the first two is partial."""
    if period.since > today:
        return "future"
    return "in_progress" if period.until > today else None


def state_note(period: Period, state: str | None) -> str | None:
    """What a partial report says of its period, in the current locale (None when it is over)."""
    if state == "future":
        return _("This period has not started yet (it begins on %(first)s): the report has no figures for it, "
                 "only the previous period's.", first=format_date(period.start))
    if state == "in_progress":
        return _("This period is not over yet (it ends on %(last)s): its figures are partial.",
                 last=format_date(period.last_day))
    return None


def report_title(data: dict[str, Any]) -> str:
    """半年度报告 2026年下半年 (浙江省): the kind of report, its period, its region."""
    period = data["period"]
    title = f"{period.report_title} {period.title}"
    return f"{title} ({data['region'].name})" if data.get("region") else title



DEFINITIONS = [
    N_("Periods are in UTC: from the first day 00:00 (included) to the next period's first day 00:00 (excluded). "
       "Weeks start on Monday; quarters are calendar quarters; the first half-year is January to June, the "
       "second July to December."),
    N_("Flagged: listings with a flag raised in the period, counted once each; signals are those of its flags "
       "in the period."),
    N_("Confirmed: listings whose first confirming verdict (confirmed counterfeit, confirmed infringement, "
       "regulatory violation) was given in the period and whose flag is still confirmed."),
    N_("Seller: an account (site + seller id); accounts on different sites under the same name count as one. "
       "Repeat infringer: confirmed listings in this period and, up to its end, in more than one period or on "
       "more than one site."),
    N_("Notices sent: by the time they were sent (drafts left out). "
       "Acceptance rate = (accepted + removed) / (accepted + removed + rejected); notices without an answer yet "
       "are left out."),
    N_("Time to takedown: listings first confirmed (counterfeit, infringement or regulatory violation) in the "
       "period, hours from that verdict to the removal seen after it, as known when the report was made."),
    N_("Time to verdict: hours from a flag being raised to its first verdict, for first verdicts in the period."),
    N_("Region: the province and city of the seller's location as the listing or the seller's page gives it, "
       "resolved to GB/T 2260 administrative divisions; a location that is missing or ambiguous is not placed. "
       "A regional report counts only listings of sellers located there; crawl runs are counted for all sites."),
    N_("Crawl runs: the scheduled and manual crawls started in the period; the crawl of a page a complaint named, "
       "started when the complaint was entered, is casework and counted apart."),
    N_("Key periods: the campaign windows of monitor.yaml that fall in the period; a campaign naming categories "
       "or marks counts only the flags, confirmations and notices of those."),
]
