"""Fitting ``rules/scoring.yaml`` from labelled listings (``monitor rules calibrate``).

Pure functions, no I/O: the caller assesses each labelled listing with the current rules and
passes its signals, category and label as :class:`Example`; the store query is in
``monitor/quality/verdict_examples.py``, writing the file in ``monitor/quality/scoring_file.py``.

The fit is a logistic regression whose coefficients are exactly the numbers of the scoring
model (``monitor/rules/scoring.py``):

- one column per aggravating signal name: the sum of its strengths on the listing;
- one column per mitigating signal name: minus its strength, when some signal it concerns
  (``Scoring.applies``) is on the listing, else 0 -- its coefficient is ``|llr|``;
- one column per category, one-hot: its coefficient is the logit of the category's prior
  (no global intercept).

Why shrink afterwards: a few dozen verdicts must not swing a weight that was set with care.
Each fitted number is pulled toward the shipped one, ``(n x fitted + k x shipped) / (n + k)``
with ``n`` the listings that carry the signal (or belong to the category), so a signal seen
on 300 listings mostly follows the data and one seen on 3 barely moves.

Thresholds are chosen per category on cross-validated scores: the lowest integer score at
which precision reaches the target (which is also the one with the best recall). Every
figure "after" is computed with the real scoring formula (``Scoring.score``, with its capped
mitigation), never with the regression's own prediction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from monitor.rules.scoring import Scoring, logit, probability
from monitor.rules.signals import Signal

DEFAULT_SHRINK = 30.0
DEFAULT_TARGET_PRECISION = 0.9
DEFAULT_FOLDS = 5
MIN_CATEGORY = 20  # fewer labelled listings in a category: its threshold is kept
LLR_RANGE = (-20.0, 20.0)  # scoring.SCHEMA
PRIOR_RANGE = (0.1, 99.9)  # percent; the schema excludes 0 and 100
ECE_BINS = 10
SEED = 0
# Inverse L2 strength of the regression. At 1 the penalty halves weights that the labelled
# set supports without exception (a signal always on confirmed listings); at 10, on
# tests/data/eval, cross-validated precision and calibration error are better and weights
# stay within the schema's range; above that, separable signals run off toward +-20.
C = 10.0
# The one-hot category columns hold this value instead of 1 so that the L2 penalty barely
# touches the priors (as liblinear's intercept_scaling): the penalty is on coef, the prior's
# logit is coef x INTERCEPT_SCALE.
INTERCEPT_SCALE = 10.0
NO_CATEGORY = ""  # listings without a category use default_prior / default_threshold


class CalibrationError(ValueError):
    """The labelled listings cannot be fitted (too few, or a single label)."""


@dataclass(frozen=True)
class Example:
    """One labelled listing as the current rules see it."""

    signals: tuple[Signal, ...]
    category: str | None
    flag: bool  # labelled (or confirmed) as should be flagged


def _category(example: Example) -> str:
    return example.category or NO_CATEGORY


def features(scoring: Scoring, signals: Sequence[Signal]) -> dict[str, float]:
    """The regression's signal columns for one listing (see the module docstring)."""
    row: dict[str, float] = {}
    aggravating = [s for s in signals if s.kind != "mitigating"]
    for s in aggravating:
        row[s.name] = row.get(s.name, 0.0) + s.strength
    for s in signals:
        if s.kind == "mitigating" and any(scoring.applies(s, other) for other in aggravating):
            row[s.name] = row.get(s.name, 0.0) - s.strength
    return row


def signal_kinds(scoring: Scoring, examples: Sequence[Example]) -> dict[str, bool]:
    """name -> is mitigating, for every shipped llr key and every signal seen."""
    kinds = {name: (name in scoring.mitigates or value < 0) for name, value in scoring.llr.items()}
    for example in examples:  # what the engine says wins: Scoring.terms goes by the signal's kind
        for s in example.signals:
            kinds[s.name] = s.kind == "mitigating"
    return kinds


def _clip(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _percent(log_odds: float) -> float:
    return 100.0 * probability(log_odds)


# --------------------------------------------------------------------------- fitting


@dataclass
class Fit:
    """New llrs and priors from one set of examples, with what they came from."""

    llr: dict[str, float]  # the new values (shrunk, clipped, rounded)
    priors: dict[str, float]  # percent
    fitted_llr: dict[str, float]  # the regression's own values, before shrinkage
    fitted_priors: dict[str, float]
    support: dict[str, int]  # signal name -> listings where its column is not 0
    category_support: dict[str, int]
    mitigating: dict[str, bool]

    def scoring(self, shipped: Scoring, thresholds: dict[str, float] | None = None) -> Scoring:
        priors = {k: v for k, v in self.priors.items() if k != NO_CATEGORY}
        llr = {k: v for k, v in self.llr.items() if self.support.get(k) or k in shipped.llr}
        return replace(shipped, llr={**shipped.llr, **llr}, priors={**shipped.priors, **priors},
                       thresholds=dict(shipped.thresholds if thresholds is None else thresholds))


def fit(shipped: Scoring, examples: Sequence[Example], *, shrink: float = DEFAULT_SHRINK, c: float = C) -> Fit:
    """Fit llrs and priors on ``examples`` and shrink them toward ``shipped``'s."""
    # lazy: numpy and scikit-learn take about a second to import; only calibration needs them
    import numpy as np

    labels = [bool(e.flag) for e in examples]
    if len(set(labels)) < 2:
        raise CalibrationError(f"{len(labels)} labelled listing(s), all {'flag' if labels and labels[0] else 'clear'}: "
                               "a fit needs listings of both kinds")
    mitigating = signal_kinds(shipped, examples)
    rows = [features(shipped, e.signals) for e in examples]
    names = sorted({n for row in rows for n in row} | set(shipped.llr))
    categories = sorted({_category(e) for e in examples})
    x = _design(rows, examples, names, categories)
    coef = _sign_constrained_fit(x, labels, len(names), c)
    offset = len(names)
    support = {n: int(np.count_nonzero(x[:, i])) for i, n in enumerate(names)}
    category_support = {c_: sum(1 for e in examples if _category(e) == c_) for c_ in categories}
    k = max(float(shrink), 0.0)
    llr, fitted_llr = {}, {}
    for i, name in enumerate(names):
        # a mitigating column holds -strength: its coefficient is |llr|
        raw = -float(coef[i]) if mitigating.get(name) else float(coef[i])
        fitted_llr[name] = raw
        value = _shrunk(raw, shipped.weight(name), support[name], k)
        value = _clip(value, LLR_RANGE[0], 0.0) if mitigating.get(name) else _clip(value, 0.0, LLR_RANGE[1])
        llr[name] = round(value, 2)
    priors, fitted_priors = {}, {}
    for j, cat in enumerate(categories):
        raw = float(coef[offset + j]) * INTERCEPT_SCALE
        fitted_priors[cat] = _percent(raw)
        value = _shrunk(raw, logit(shipped.prior(cat or None)), category_support[cat], k)
        priors[cat] = round(_clip(_percent(value), *PRIOR_RANGE), 1)
    return Fit(llr=llr, priors=priors, fitted_llr=fitted_llr, fitted_priors=fitted_priors, support=support,
               category_support=category_support, mitigating=mitigating)


def _shrunk(fitted: float, shipped: float, n: int, k: float) -> float:
    """(n x fitted + k x shipped) / (n + k): see the module docstring."""
    return (n * fitted + k * shipped) / (n + k) if n + k > 0 else shipped


def _design(rows: list[dict[str, float]], examples: Sequence[Example], names: list[str], categories: list[str]):
    """The regression's matrix: one column per signal name (``names`` order), then one per
    category holding INTERCEPT_SCALE on its listings."""
    # lazy: numpy loads with the fit (see fit)
    import numpy as np

    column = {n: i for i, n in enumerate(names)}
    offset = len(names)
    x = np.zeros((len(examples), offset + len(categories)))
    for i, (row, example) in enumerate(zip(rows, examples)):
        for name, value in row.items():
            x[i, column[name]] = value
        x[i, offset + categories.index(_category(example))] = INTERCEPT_SCALE
    return x


def _sign_constrained_fit(x, labels: list[bool], signal_columns: int, c: float):
    """Coefficients of a logistic regression (no intercept) of ``labels`` on ``x`` whose first
    ``signal_columns`` columns may not come out below 0.

    Signs are constraints, not a clip afterwards: a signal whose weight comes out on the
    wrong side (an aggravating one below 0, usually because another signal on the same
    listings explains them) is fixed at 0 and the rest refitted, so they take up its share."""
    # lazy: numpy and scikit-learn load with the fit (see fit)
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    y = np.array(labels, dtype=int)
    free = list(range(x.shape[1]))
    coef = np.zeros(x.shape[1])
    for _ in range(signal_columns + 1):
        model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
        model.fit(x[:, free], y)
        coef = np.zeros(x.shape[1])
        coef[free] = model.coef_[0]
        wrong = [j for j in range(signal_columns) if j in free and coef[j] < -1e-9]
        if not wrong:
            break
        free = [j for j in free if j not in wrong]
    return coef


# --------------------------------------------------------------------------- thresholds and metrics


@dataclass(frozen=True)
class Metrics:
    n: int
    tp: int
    fp: int
    fn: int
    ece: float | None

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def expected_calibration_error(labels: Sequence[bool], scores: Sequence[float], bins: int = ECE_BINS) -> float | None:
    """Sum over equal-width bins of the score read as a probability (score / 100) of
    n_bin / N x |mean predicted - share labelled flag|; None for no listing."""
    members: list[list[tuple[bool, float]]] = [[] for _ in range(bins)]
    for label, score in zip(labels, scores):
        p = _clip(float(score) / 100.0, 0.0, 1.0)
        members[min(int(p * bins), bins - 1)].append((bool(label), p))
    total = sum(len(m) for m in members)
    if not total:
        return None
    return sum(len(m) / total * abs(sum(p for _, p in m) / len(m) - sum(y for y, _ in m) / len(m))
               for m in members if m)


def metrics(labels: Sequence[bool], scores: Sequence[float], flagged: Sequence[bool]) -> Metrics:
    tp = sum(1 for y, f in zip(labels, flagged) if y and f)
    fp = sum(1 for y, f in zip(labels, flagged) if f and not y)
    fn = sum(1 for y, f in zip(labels, flagged) if y and not f)
    return Metrics(len(labels), tp, fp, fn, expected_calibration_error(labels, scores))


def lowest_threshold(labels: Sequence[bool], scores: Sequence[int], target: float) -> int | None:
    """The lowest integer threshold whose precision is >= target (so the best recall among those), or None."""
    pairs = sorted(zip(scores, labels), reverse=True)
    for t in range(0, 101):
        flagged = [y for s, y in pairs if s >= t]
        if flagged and sum(flagged) / len(flagged) >= target - 1e-12:
            return t
    return None


@dataclass(frozen=True)
class ThresholdChoice:
    category: str
    before: float
    after: float
    n: int
    note: str  # why it was kept, or ""


def choose_thresholds(shipped: Scoring, categories: dict[str, tuple[list[bool], list[int]]], target: float,
                      *, min_listings: int = MIN_CATEGORY) -> list[ThresholdChoice]:
    """Per category (labels, integer scores) -> the new threshold; the shipped one is kept
    with a note when a category has fewer than ``min_listings`` or no threshold reaches the target."""
    out = []
    for cat, (labels, scores) in sorted(categories.items()):
        before = shipped.threshold(cat or None)
        if len(labels) < min_listings:
            out.append(ThresholdChoice(cat, before, before, len(labels),
                                       f"kept: {len(labels)} labelled listing(s), fewer than {min_listings}"))
            continue
        t = lowest_threshold(labels, scores, target)
        if t is None:
            out.append(ThresholdChoice(cat, before, before, len(labels),
                                       f"kept: no threshold reaches precision {target:g}"))
        else:
            out.append(ThresholdChoice(cat, before, float(t), len(labels), ""))
    return out


def _by_category(examples: Sequence[Example], scores: Sequence[int]) -> dict[str, tuple[list[bool], list[int]]]:
    grouped: dict[str, tuple[list[bool], list[int]]] = {}
    for e, s in zip(examples, scores):
        labels, values = grouped.setdefault(_category(e), ([], []))
        labels.append(bool(e.flag))
        values.append(int(s))
    return grouped


def _thresholds(shipped: Scoring, choices: list[ThresholdChoice]) -> dict[str, float]:
    new = dict(shipped.thresholds)
    for choice in choices:
        if choice.category != NO_CATEGORY and (choice.after != choice.before or choice.category in new):
            new[choice.category] = choice.after
    return new


def _flagged(scoring: Scoring, examples: Sequence[Example], scores: Sequence[int]) -> list[bool]:
    return [s >= scoring.threshold(e.category) for e, s in zip(examples, scores)]


def scores_of(scoring: Scoring, examples: Sequence[Example]) -> list[int]:
    return [scoring.score(list(e.signals), e.category) for e in examples]


# --------------------------------------------------------------------------- the whole calibration


@dataclass(frozen=True)
class SignalRow:
    name: str
    mitigating: bool
    before: float
    fitted: float
    after: float
    support: int
    flagged: int  # of the listings carrying it, labelled flag

    @property
    def precision(self) -> float | None:
        return self.flagged / self.support if self.support else None


@dataclass(frozen=True)
class PriorRow:
    category: str
    before: float
    fitted: float
    after: float
    n: int
    flagged: int


@dataclass
class Calibration:
    scoring: Scoring  # the new scoring: fitted llrs and priors, chosen thresholds
    signals: list[SignalRow]
    priors: list[PriorRow]
    thresholds: list[ThresholdChoice]
    before: Metrics  # shipped scoring on every labelled listing
    after: Metrics  # cross-validated: each fold scored by a fit of the other folds
    folds: int
    shrink: float
    target_precision: float
    n: int
    notes: list[str] = field(default_factory=list)

    @property
    def changed_llr(self) -> dict[str, float]:
        return {r.name: r.after for r in self.signals if r.support or r.name in self.scoring.llr}

    @property
    def changed_priors(self) -> dict[str, float]:
        return {r.category: r.after for r in self.priors if r.category != NO_CATEGORY}

    @property
    def changed_thresholds(self) -> dict[str, float]:
        return {t.category: t.after for t in self.thresholds if t.category != NO_CATEGORY}


def calibrate(shipped: Scoring, examples: Sequence[Example], *, shrink: float = DEFAULT_SHRINK,
              target_precision: float = DEFAULT_TARGET_PRECISION, folds: int = DEFAULT_FOLDS, seed: int = SEED,
              min_category: int = MIN_CATEGORY) -> Calibration:
    """Fit on every example; measure before (shipped) and after (k-fold, stratified, fixed seed)."""
    examples = list(examples)
    labels = [bool(e.flag) for e in examples]
    splits, notes = _fold_count(labels, folds)
    cv_scores, cv_flagged = _cross_validated(shipped, examples, labels, splits, seed, shrink=shrink,
                                             target_precision=target_precision, min_category=min_category)
    whole = fit(shipped, examples, shrink=shrink)
    choices = choose_thresholds(shipped, _by_category(examples, cv_scores), target_precision,
                                min_listings=min_category)
    new = whole.scoring(shipped, _thresholds(shipped, choices))

    before_scores = scores_of(shipped, examples)
    before = metrics(labels, before_scores, _flagged(shipped, examples, before_scores))
    after = metrics(labels, cv_scores, cv_flagged)
    signals, priors = _signal_rows(shipped, whole, examples), _prior_rows(shipped, whole, examples)
    if any(p.category == NO_CATEGORY for p in priors):
        notes.append("listings without a category were fitted but default_prior is not changed")
    return Calibration(scoring=new, signals=signals, priors=priors, thresholds=choices, before=before, after=after,
                       folds=splits, shrink=shrink, target_precision=target_precision, n=len(examples), notes=notes)


def _fold_count(labels: list[bool], folds: int) -> tuple[int, list[str]]:
    """(folds to use, a note when fewer than asked); CalibrationError when a fit is impossible."""
    positives, negatives = sum(labels), len(labels) - sum(labels)
    if not positives or not negatives:
        raise CalibrationError(f"{len(labels)} labelled listing(s), {positives} flag and {negatives} clear: "
                               "a fit needs listings of both kinds")
    splits = min(int(folds), positives, negatives)
    if splits < 2:
        raise CalibrationError(f"{positives} flag and {negatives} clear: too few for {folds}-fold cross-validation")
    if splits < folds:
        return splits, [f"{splits}-fold cross-validation instead of {folds}: only {min(positives, negatives)} "
                        f"listing(s) of the rarer label"]
    return splits, []


def _cross_validated(shipped: Scoring, examples: list[Example], labels: list[bool], splits: int, seed: int, *,
                     shrink: float, target_precision: float, min_category: int) -> tuple[list[int], list[bool]]:
    """(score, flagged) of every listing by llrs, priors and thresholds fitted without it."""
    # lazy: scikit-learn takes about a second to import; only calibration needs it
    from sklearn.model_selection import StratifiedKFold

    cv_scores: list[int] = [0] * len(examples)
    cv_flagged: list[bool] = [False] * len(examples)
    folder = StratifiedKFold(n_splits=splits, shuffle=True, random_state=seed)
    for train, test in folder.split([[0]] * len(examples), [int(y) for y in labels]):
        part = [examples[i] for i in train]
        fitted = fit(shipped, part, shrink=shrink)
        model = fitted.scoring(shipped)
        chosen = choose_thresholds(shipped, _by_category(part, scores_of(model, part)), target_precision,
                                   min_listings=min_category)
        model = fitted.scoring(shipped, _thresholds(shipped, chosen))
        for i in test:
            cv_scores[i] = model.score(list(examples[i].signals), examples[i].category)
            cv_flagged[i] = cv_scores[i] >= model.threshold(examples[i].category)
    return cv_scores, cv_flagged


def _signal_rows(shipped: Scoring, whole: Fit, examples: list[Example]) -> list[SignalRow]:
    rows = [features(shipped, e.signals) for e in examples]
    signals = []
    for name in sorted(whole.llr, key=lambda n: (whole.mitigating.get(n, False), n)):
        carrying = [e.flag for e, row in zip(examples, rows) if row.get(name)]
        signals.append(SignalRow(name, bool(whole.mitigating.get(name)), shipped.weight(name),
                                 whole.fitted_llr[name], whole.llr[name], len(carrying), sum(carrying)))
    return signals


def _prior_rows(shipped: Scoring, whole: Fit, examples: list[Example]) -> list[PriorRow]:
    priors = []
    for cat in sorted(whole.priors):
        members = [e.flag for e in examples if _category(e) == cat]
        priors.append(PriorRow(cat, shipped.prior(cat or None), whole.fitted_priors[cat], whole.priors[cat],
                               len(members), sum(members)))
    return priors


# --------------------------------------------------------------------------- report


def _p(value: float | None) -> str:
    return "     -" if value is None else f"{value:6.1%}"


def _name(category: str) -> str:
    return category or "(no category)"


def format_calibration(result: Calibration, source: str) -> str:
    """Plain-text tables: llrs, priors, thresholds, and the cross-validated before/after figures."""
    lines = [f"calibration from {source}: {result.n} labelled listings "
             f"({sum(p.flagged for p in result.priors)} flag), shrink k={result.shrink:g}, "
             f"target precision {result.target_precision:g}", ""]
    width = max([22, *(len(r.name) + 2 for r in result.signals)])
    lines.append(f"{'signal llr':<{width}} {'before':>7} {'fitted':>7} {'after':>7} {'support':>8} {'precision':>10}")
    for r in result.signals:
        name = r.name + (" (m)" if r.mitigating else "")
        lines.append(f"{'  ' + name:<{width}} {r.before:7.2f} {r.fitted:7.2f} {r.after:7.2f} {r.support:8d} "
                     f"{_p(r.precision):>10}")
    lines.append("  (m) mitigating: support counts listings where it concerns another signal; "
                 "precision = share labelled flag among the listings carrying the signal")
    lines += ["", f"{'prior (percent)':<{width}} {'before':>7} {'fitted':>7} {'after':>7} {'listings':>8} {'flag':>10}"]
    for p in result.priors:
        lines.append(f"{'  ' + _name(p.category):<{width}} {p.before:7.1f} {p.fitted:7.1f} {p.after:7.1f} {p.n:8d} "
                     f"{_p(p.flagged / p.n if p.n else None):>10}")
    lines += ["", f"{'threshold':<{width}} {'before':>7} {'after':>7} {'listings':>8}"]
    for t in result.thresholds:
        lines.append(f"{'  ' + _name(t.category):<{width}} {t.before:7g} {t.after:7g} {t.n:8d}"
                     + (f"  {t.note}" if t.note else ""))
    lines += ["", f"{result.folds}-fold cross-validation (stratified, seed {SEED})",
              f"{'':<{width}} {'precision':>10} {'recall':>8} {'ECE':>7} {'tp':>5} {'fp':>5} {'fn':>5}"]
    for label, m in (("before (shipped)", result.before), ("after (fitted)", result.after)):
        ece = "      -" if m.ece is None else f"{m.ece:7.3f}"
        lines.append(f"{'  ' + label:<{width}} {_p(m.precision):>10} {_p(m.recall):>8} {ece} {m.tp:5d} {m.fp:5d} "
                     f"{m.fn:5d}")
    lines.append("  after: each fold scored by llrs, priors and thresholds fitted on the other folds; "
                 "ECE over ten equal-width score bins")
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines)
