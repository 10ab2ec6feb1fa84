"""The dashboard: open flags by category, site and signal; verdicts per day; time to verdict;
throughput per analyst; the last week's alerts (failed and degraded runs, sites without runs);
takedown notices and their acceptance rate per platform; signals over recent verdicts (precision,
dismissal reasons) and whether calibration is due (monitor/review/verdict_stats.py); the panels of
complaints, random sampling and referrals (their own templates and data functions)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response
from typing import Annotated

from monitor.alerts.detect import alert_kind_words, alert_message, delivery_text, recent_alerts, run_status_words
from monitor import review
from monitor.casework.sampling_checks import panel as sampling_panel
from monitor.review import verdict_stats
from monitor.review.outcomes import acceptance_by_platform
from monitor.web.complaints import panel_context as complaints_panel
from monitor.web.deps import PageCtx
from monitor.web.referrals import panel as referrals_panel

router = APIRouter(include_in_schema=False)
ALERT_DAYS = 7  # failed and degraded runs, quiet sites: the last week
NOTICE_TARGET = 0.9  # platforms cut off notifiers below about 90% successful takedowns


@router.get("/dashboard")
def dashboard_page(ctx: PageCtx, days: Annotated[int, Query(ge=1, le=365)] = 30,
                   signal_days: Annotated[int, Query(ge=1, le=3650)] = verdict_stats.DEFAULT_DAYS) -> Response:
    data = review.dashboard(ctx.db, days)
    alerts = [{**a, "text": alert_message(a), "delivery": delivery_text(a)} for a in recent_alerts(ctx.db, days=ALERT_DAYS, limit=50)]
    peak = max([r["n"] for key in ("by_category", "by_site", "by_signal") for r in data[key]] or [1])
    per_day: dict[str, dict[str, int]] = {}
    for r in data["per_day"]:
        per_day.setdefault(r["day"], {})[r["verdict"]] = r["n"]
    notices = acceptance_by_platform(ctx.db)  # all time: platforms judge notifiers on their record
    calibrated, problem = verdict_stats.last_calibration()
    verdict_signals = verdict_stats.verdict_signals(ctx.db, signal_days, calibrated=calibrated, problem=problem)
    # The casework panels (issue 14): complaints by status and deadline, the analyst's sampled
    # listings (a lead's latest draws), referrals by state and those past the criminal threshold.
    return ctx.render("dashboard.html", data=data, peak=peak, per_day=per_day, alerts=alerts,
                      alert_days=ALERT_DAYS, alert_kind_words=alert_kind_words, run_status_words=run_status_words, notices=notices, notice_target=NOTICE_TARGET, vs=verdict_signals,
                      complaints=complaints_panel(ctx.request, ctx.db),
                      sampling_panel=sampling_panel(ctx.db, ctx.user.name, lead=ctx.user.can("lead")),
                      referrals_panel=referrals_panel(ctx.db))
