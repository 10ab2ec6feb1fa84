"""What the rules miss, estimated from the sample checks: per category, the recall of the rules
(of the sampled listings the analysts confirmed, the share the rules had flagged) and their
precision (of the sampled flagged listings decided, the share confirmed), each with a Wilson 95%
interval (scipy's ``binomtest(k, n).proportion_ci(method="wilson")``).

Counted: checks with a conclusive verdict, a confirming one (monitor/verdicts.py CONFIRMING) or
a dismissal; "escalate" and "needs test purchase" are not decided yet and count in neither.

Unweighted: the allocation is proportional (``sampling.allocate``), so each sampled listing
stands for about the same number of listings and the plain shares estimate the population's.
Rounding (and the one seat every stratum gets) makes the fractions differ a little between
strata, so ``recall_weighted`` gives the point estimate with each check weighted by its
stratum's N_h / n_h, to show how much that matters; the intervals are the unweighted ones.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlite_utils import Database

from monitor.casework.sampling import SampleError
from monitor.i18n import gettext as _
from monitor.periods import PeriodError, parse_period
from monitor.verdicts import CONFIRMING, DISMISSED

ALL = None  # the category of the last row: every category together


def wilson(k: int, n: int) -> tuple[float, float] | None:
    """The Wilson 95% interval of k successes in n; None when n is 0 (nothing to estimate)."""
    if n == 0:
        return None
    # lazy: scipy takes a while to import and only estimates need it
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return (float(ci.low), float(ci.high))


def sample_ids(db: Database, which: int | str) -> list[int]:
    """A sample id, or a period label: every sample whose period lies inside it (a 2026-Q4 and a
    2026-11 sample both count for 2026-H2)."""
    if isinstance(which, int):
        if not db.execute("SELECT 1 FROM samples WHERE id = ?", [which]).fetchone():
            raise SampleError(_("There is no sample %(id)s.", id=which), 404)
        return [which]
    try:
        span = parse_period(which)
    except PeriodError as exc:
        raise SampleError(str(exc), field="period") from None
    return [r[0] for r in db.execute("SELECT id FROM samples WHERE since >= ? AND until <= ? ORDER BY id",
                                     [span.since, span.until]).fetchall()]


def _row(category: str | None, items: list[dict[str, Any]], weights: dict[int, float]) -> dict[str, Any]:
    decided = [i for i in items if i["verdict"] in CONFIRMING or i["verdict"] == DISMISSED]
    confirmed = [i for i in decided if i["verdict"] in CONFIRMING]
    confirmed_flagged = [i for i in confirmed if i["flagged_at_draw"]]
    flagged = [i for i in decided if i["flagged_at_draw"]]
    w_confirmed = sum(weights[i["id"]] for i in confirmed)
    return {
        "category": category, "sampled": len(items), "checked": sum(1 for i in items if i["verdict"]),
        "decided": len(decided), "flagged": len(flagged), "confirmed": len(confirmed),
        "confirmed_flagged": len(confirmed_flagged), "missed": len(confirmed) - len(confirmed_flagged),
        "recall": len(confirmed_flagged) / len(confirmed) if confirmed else None,
        "recall_ci": wilson(len(confirmed_flagged), len(confirmed)),
        "recall_weighted": (sum(weights[i["id"]] for i in confirmed_flagged) / w_confirmed) if confirmed else None,
        "precision": len(confirmed_flagged) / len(flagged) if flagged else None,
        "precision_ci": wilson(len(confirmed_flagged), len(flagged)),
    }


def estimates(db: Database, which: int | str) -> list[dict[str, Any]]:
    """Recall and precision of the rules per category from the checks of one sample (an id) or
    of every sample drawn inside a period (a label such as ``2026-H2``), categories in order,
    then one row for all of them (``category`` None). Each row: category, sampled, checked,
    decided, flagged, confirmed, confirmed_flagged, missed, recall, recall_ci (low, high) or
    None, recall_weighted, precision, precision_ci. No samples: an empty list."""
    ids = sample_ids(db, which)
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    items = db.execute_returning_dicts(
        f"SELECT id, sample, category, site, flagged_at_draw, verdict FROM sample_items WHERE sample IN ({marks}) "
        "ORDER BY id", ids)
    weights: dict[int, float] = {}
    for sample, strata in db.execute(f"SELECT id, strata FROM samples WHERE id IN ({marks})", ids).fetchall():
        size = {(s["category"], s["site"]): s["population"] / s["allocated"] for s in json.loads(strata)
                if s["allocated"]}
        for item in items:
            if item["sample"] == sample:
                weights[item["id"]] = size[(item["category"], item["site"])]
    by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_category[item["category"]].append(item)
    return [_row(c, by_category[c], weights) for c in sorted(by_category)] + [_row(ALL, items, weights)]
