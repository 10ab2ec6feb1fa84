"""The casework sections of a report: complaints handled (投诉举报办理), the 双随机 samples and
their estimates of what the rules miss, and referrals by state and outcome (线索移送).

Each comes from its part's own summary function (``monitor.casework.complaints.summary``,
``monitor.casework.sampling_estimates.estimates``, ``monitor.casework.referrals.summary``): the
report shows their figures, it does not count casework itself. A part this version does not have
is shown as "not available in this version", never as zeros.
"""

from __future__ import annotations

import logging
from typing import Any

from babel.numbers import format_currency
from sqlite_utils import Database

from monitor.i18n import current, format_date, gettext as _, ngettext
from monitor.periods import Period
from monitor.report.breakdowns import RegionFilter
from monitor.report.figures import category_labels
from monitor.rules.explain import category_words

logger = logging.getLogger(__name__)


def money(amount: float | int | None) -> str:
    """¥12,000.00 in zh_CN and en alike (Babel): penalties are in yuan."""
    return "–" if amount is None else format_currency(amount, "CNY", locale=current())


def share(value: float | None, ci: tuple[float, float] | None) -> str:
    """62% (41%–79%): a share with its Wilson 95% interval."""
    if value is None:
        return "–"
    return f"{value * 100:.0f}%" + (f" ({ci[0] * 100:.0f}%–{ci[1] * 100:.0f}%)" if ci else "")


def _missing(module: str, exc: ImportError) -> bool:
    """Is the ImportError the part being absent (rather than a bug inside it)?"""
    return exc.name is not None and (exc.name == module or module.startswith(exc.name + "."))


def complaints_section(db: Database, period: Period) -> dict[str, Any] | None:
    """monitor.casework.complaints_stats.summary for the period (received dates, inclusive), its
    sources named in the current locale."""
    try:
        # lazy: the complaints part is optional in a build; its absence is reported, not hidden
        from monitor.casework.complaints_rules import source_labels
        from monitor.casework.complaints_stats import summary
    except ImportError as exc:
        if not (_missing("monitor.casework.complaints_stats", exc) or _missing("monitor.casework.complaints_rules",
                                                                                exc)):
            raise
        return None
    found = summary(db, period.start, period.last_day)
    names = source_labels()
    return {**found, "by_source": [(names.get(k, k), n) for k, n in found["by_source"].items()]}


def sampling_section(db: Database, period: Period) -> dict[str, Any] | None:
    """The estimates of every sample drawn inside the period, and the samples they cover. A
    listing drawn in two samples is checked twice: the estimates count draws (``sampled``), so
    each row also says how many distinct listings those draws are (``listings``)."""
    try:
        # lazy: scipy (the Wilson intervals) is only needed when a report shows the estimates
        from monitor.casework.sampling_estimates import estimates, sample_ids
    except ImportError as exc:
        if not _missing("monitor.casework.sampling_estimates", exc):
            raise
        return None
    if period.kind == "week":
        return {"rows": [], "samples": []}  # samples are drawn for a month or longer: none lies inside a week
    ids = sample_ids(db, period.label)
    names = category_labels()
    distinct = _distinct_listings(db, ids)
    rows = [{**r, "label": names.get(r["category"], category_words(r["category"])) if r["category"]
             else _("all categories"), "listings": distinct.get(r["category"], 0),
             "recall_text": share(r["recall"], r["recall_ci"]),
             "precision_text": share(r["precision"], r["precision_ci"])} for r in estimates(db, period.label)]
    samples = _samples(db, ids)
    return {"rows": rows, "samples": samples,
            "samples_text": ngettext("From %(num)s sample: %(list)s.", "From %(num)s samples: %(list)s.",
                                     len(samples), list=_(", ").join(x["text"] for x in samples))}


def _distinct_listings(db: Database, ids: list[int]) -> dict[str | None, int]:
    """Distinct listings drawn by the samples ``ids``, per category and (key None) in all."""
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    out: dict[str | None, int] = {c: n for c, n in db.execute(
        f"SELECT category, COUNT(DISTINCT listing) FROM sample_items WHERE sample IN ({marks}) GROUP BY category",
        ids).fetchall()}
    out[None] = db.execute(f"SELECT COUNT(DISTINCT listing) FROM sample_items WHERE sample IN ({marks})",
                           ids).fetchone()[0]
    return out


def _samples(db: Database, ids: list[int]) -> list[dict[str, Any]]:
    """The samples a report's estimates come from: id, period, listings drawn, day drawn."""
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    rows = db.execute_returning_dicts(
        f"SELECT s.id, s.period, s.population, s.drawn_at, (SELECT COUNT(*) FROM sample_items i "
        f"WHERE i.sample = s.id) AS drawn FROM samples s WHERE s.id IN ({marks}) ORDER BY s.id", ids)
    return [{**r, "drawn_on": format_date(r["drawn_at"]),
             "text": ngettext("no. %(id)s for %(period)s, drawn on %(day)s, %(num)s listing",
                              "no. %(id)s for %(period)s, drawn on %(day)s, %(num)s listings", r["drawn"],
                              id=r["id"], period=r["period"], day=format_date(r["drawn_at"]))} for r in rows]


def referrals_section(db: Database, period: Period) -> dict[str, Any] | None:
    """monitor.casework.referrals.summary for the period: referrals active in it by state, those
    closed in it by outcome, with the penalties' total and the transfers to the police."""
    try:
        # lazy: the referrals part is optional in a build; its absence is reported, not hidden
        from monitor.casework.referrals import OUTCOME_LABELS, STATE_LABELS, summary
    except ImportError as exc:
        if not _missing("monitor.casework.referrals", exc):
            raise
        return None
    found = summary(db, period.since, period.last_day.isoformat())
    outcome = {k: _(v) for k, v in OUTCOME_LABELS.items()}
    last = period.last_day.isoformat()
    closed = [{**r, "outcome_label": outcome.get(r["outcome"], r["outcome"] or "–"),
               "penalty_text": money(r["penalty_amount"]) if r["penalty_amount"] is not None else "–",
               "closed_on": format_date(r["closed_at"])}
              for r in found["referrals"] if r["closed_at"] and period.since <= r["closed_at"][:10] <= last]
    return {**found, "closed": closed, "penalty_text": money(found["penalties_total_cny"]),
            "by_state": [(_(STATE_LABELS.get(k, k)), n) for k, n in found["by_state"].items()],
            "by_outcome": [(outcome.get(k, k), n) for k, n in found["by_outcome"].items()]}


def casework_sections(db: Database, period: Period, region: RegionFilter | None = None) -> dict[str, Any]:
    """Each section's figures, or None when this version lacks the part. Casework is counted
    for the whole office: a regional report says so rather than filter it."""
    out = {"complaints": complaints_section(db, period), "sampling": sampling_section(db, period),
           "referrals": referrals_section(db, period), "regional_note": region is not None}
    for name, value in out.items():
        if value is None:
            logger.warning("report %s: the %s section is not available in this version", period.label, name)
    return out
