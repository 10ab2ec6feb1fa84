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

from monitor.i18n import current, gettext as _
from monitor.periods import Period
from monitor.report.breakdowns import RegionFilter
from monitor.report.figures import category_labels

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


def sampling_section(db: Database, period: Period) -> list[dict[str, Any]] | None:
    try:
        # lazy: scipy (the Wilson intervals) is only needed when a report shows the estimates
        from monitor.casework.sampling_estimates import estimates
    except ImportError as exc:
        if not _missing("monitor.casework.sampling_estimates", exc):
            raise
        return None
    if period.kind == "week":
        return []  # samples are drawn for a month or longer: none lies inside a week
    names = category_labels()
    return [{**r, "label": names.get(r["category"], r["category"]) if r["category"] else _("all categories"),
             "recall_text": share(r["recall"], r["recall_ci"]),
             "precision_text": share(r["precision"], r["precision_ci"])} for r in estimates(db, period.label)]


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
               "closed_on": (r["closed_at"] or "")[:10]}
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
