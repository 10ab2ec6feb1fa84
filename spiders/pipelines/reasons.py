"""Why a finished crawl is completed, degraded or failed, as message templates.

The reasons are stored in English (``crawl_runs.finish_reason``/``degraded_reason``, what
``monitor runs`` and the logs show) and, beside them, as templates with parameters
(``*_template``, migration 0015), so an alert about the run reads in the analyst's language.
"""

from __future__ import annotations

from monitor.i18n import N_
from monitor.rules.explain import Msg, join
from monitor.store.runs import FAILURE_COUNTS, failure_template

# Close reasons that mean someone stopped the crawl rather than it ending by itself.
INTERRUPTED_REASONS = {"shutdown", "cancelled"}
FAILED_REASONS = {"closespider_timeout": N_("stopped at its time limit (CLOSESPIDER_TIMEOUT)"),
                  # MEMUSAGE_LIMIT_MB (spiders/settings.py): a crawl closed at its memory limit is not complete.
                  "memusage_exceeded": N_("stopped at its memory limit (MEMUSAGE_LIMIT_MB)")}

# (one, more): English needs both; the catalogue gives both the same Chinese.
ROBOTS_UNREACHABLE = (N_("robots.txt unreachable on %(n)s host (RFC 9309: nothing there is crawled until it can be read)"),
                      N_("robots.txt unreachable on %(n)s hosts (RFC 9309: nothing there is crawled until it can be read)"))
DOWNLOAD_ERRORS = (N_("%(n)s error, first: %(error)s"), N_("%(n)s errors, first: %(error)s"))


def _percent(share: float) -> str:
    return f"{share:.0%}"


def failure_message(counts: dict[str, int]) -> Msg | str:
    """``2 given up after retries, 1 refused by robots.txt`` as a message; "" when nothing failed."""
    return join([Msg(failure_template(name, counts[name]), n=counts[name]) for name in FAILURE_COUNTS
                 if counts.get(name)], sep=", ")


def judge(reason: str, seen: int, errors: list[str], coverage: dict[str, float], threshold: float,
          kind: str = "profile", failures: dict[str, int] | None = None, crawl_errors: int | None = None,
          robots_unreachable: int = 0):
    """(status, finish reason, degraded reason) for a finished crawl; the reasons are
    :class:`~monitor.rules.explain.Msg` (English text with their template) or Scrapy's own
    close reason.

    Storing listings is not enough to be completed: a page given up after its retries, one
    dropped at the size cap, a robots.txt refusal, an offsite redirect, a failed item or a
    download error (``crawl_errors`` of ``errors``; all of them when not given) each make
    the run degraded, its reason naming the counts (issue 13: a run with failures is
    degraded). A robots.txt that could not be read (``robots_unreachable`` hosts; RFC 9309:
    the whole host refused) is named first, as the likely cause of the refusals.
    """
    if reason in INTERRUPTED_REASONS:
        return "interrupted", Msg("stopped before the end (%(reason)s)", reason=reason), None
    if reason in FAILED_REASONS:
        return "failed", Msg(FAILED_REASONS[reason]), None
    failed = failure_message(failures or {})
    if seen == 0 and errors:
        return "failed", Msg("no listings stored; first error: %(error)s", error=errors[0]), None
    if seen == 0 and failed:
        return "failed", Msg("no listings stored; %(failures)s", failures=failed), None
    if kind == "recheck" and seen == 0:  # every confirmed listing is gone, or there were none
        return "completed", reason, None
    if seen == 0:
        return "degraded", reason, Msg("no listings found: check the start URLs, keywords and listing_links selector")
    problems = []
    low = [Msg("%(field)s %(share)s", field=name, share=_percent(coverage.get(name, 0)))
           for name in ("title", "price") if coverage.get(name, 0) < threshold]
    if low:
        problems.append(Msg("field coverage below %(threshold)s: %(fields)s; the site's layout may have changed, "
                            "check the profile's selectors with `monitor extract`",
                            threshold=_percent(threshold), fields=join(low, sep=", ")))
    if robots_unreachable:
        problems.append(Msg(ROBOTS_UNREACHABLE[robots_unreachable != 1], n=robots_unreachable))
    if failed:
        problems.append(Msg("failures: %(failures)s", failures=failed))
    download_errors = len(errors) if crawl_errors is None else crawl_errors
    if download_errors:
        problems.append(Msg(DOWNLOAD_ERRORS[download_errors != 1], n=download_errors, error=errors[0]))
    if problems:
        return "degraded", reason, join(problems, sep="; ")
    return "completed", reason, None
