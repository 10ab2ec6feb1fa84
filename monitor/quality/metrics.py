"""Threshold-free and calibration metrics for `monitor rules eval`.

Precision and recall judge the engine at one threshold. The review queue is also *ordered*
by score, and the score is shown to analysts as a confidence (0-100, read as probability
x 100). These functions measure those two uses: how good the ranking is (average
precision) and whether a score of 70 really means "about 70% of these should be flagged"
(reliability table and expected calibration error).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def probability(score: float) -> float:
    """A 0-100 engine score as a probability in [0, 1] (clipped: scores are capped at 100)."""
    return min(max(float(score) / 100.0, 0.0), 1.0)


def average_precision(labels: Sequence[bool], scores: Sequence[float]) -> float | None:
    """Average precision of the ranking by score (scikit-learn's ``average_precision_score``).

    Why: the queue is worked from the top, so what matters beyond the threshold is whether
    listings that should be flagged come before those that should not. AP summarises the
    precision-recall curve over every threshold at once; 1.0 means every positive outranks
    every negative. Undefined (None) when the set has no positive or no listing at all.
    """
    if not labels or not any(labels):
        return None
    # lazy: scikit-learn takes about a second to import; `monitor rules eval` needs it only here
    from sklearn.metrics import average_precision_score

    return float(average_precision_score([bool(y) for y in labels], [float(s) for s in scores]))


@dataclass(frozen=True)
class ReliabilityBin:
    """One probability bin: listings whose predicted probability is in [low, high)."""

    low: float
    high: float
    n: int
    mean_predicted: float | None  # None for an empty bin
    observed: float | None  # share of the bin's listings labelled "flag"


def reliability_table(labels: Sequence[bool], probabilities: Sequence[float], bins: int = 10) -> list[ReliabilityBin]:
    """Equal-width probability bins with the mean prediction and the observed flag share.

    Why: a calibrated score means what it says; in the bin 0.7-0.8 about 75% of listings
    should be labelled "flag". The table shows where the score is over- or under-confident.
    Bins are [i/bins, (i+1)/bins); the last one also holds 1.0. Empty bins are kept (n=0).
    """
    if len(labels) != len(probabilities):
        raise ValueError(f"{len(labels)} labels but {len(probabilities)} probabilities")
    if bins < 1:
        raise ValueError("at least one bin")
    members: list[list[tuple[bool, float]]] = [[] for _ in range(bins)]
    for label, p in zip(labels, probabilities):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"probability {p!r} is outside [0, 1]")
        members[min(int(p * bins), bins - 1)].append((bool(label), float(p)))
    table = []
    for i, rows in enumerate(members):
        n = len(rows)
        table.append(ReliabilityBin(
            low=i / bins, high=(i + 1) / bins, n=n,
            mean_predicted=sum(p for _, p in rows) / n if n else None,
            observed=sum(y for y, _ in rows) / n if n else None))
    return table


def expected_calibration_error(table: Sequence[ReliabilityBin]) -> float | None:
    """ECE = sum over bins of n_bin / N * |mean predicted - observed|; None when N is 0.

    Why: one number for the reliability table, weighted by how many listings each bin
    holds, so a CI floor (``--max-ece``) can catch a scoring change that leaves precision
    and recall alone but makes the shown confidence misleading.
    """
    total = sum(b.n for b in table)
    if not total:
        return None
    return sum(b.n / total * abs(b.mean_predicted - b.observed) for b in table if b.n)
