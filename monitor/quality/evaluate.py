"""Precision and recall of a scorer on a labelled set of listings (``monitor.quality.labelled``),
per category, split, case and expected kind, with the ranking and calibration of its scores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from monitor.quality.labelled import DEV_SPLIT, LABEL_KINDS, SPLITS
from monitor.quality.metrics import average_precision, expected_calibration_error, probability, reliability_table

Scorer = Callable[[dict], Any]


# --------------------------------------------------------------------------- metrics


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        """Share of flagged listings that should be flagged; 0.0 when nothing was flagged."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """Share of should-be-flagged listings that were flagged; 0.0 when there are none."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, expected: bool, predicted: bool) -> None:
        if expected and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif expected:
            self.fn += 1
        else:
            self.tn += 1


@dataclass
class KindStats:
    """For one expected kind: the flagged-labelled listings that expect it."""

    expected: int = 0  # listings labelled flagged whose kinds include this kind
    flagged: int = 0  # ... of which the scorer flagged
    detected: int = 0  # ... of which the scorer produced at least one signal of this kind
    on_negatives: int = 0  # listings labelled not flagged that still got a signal of this kind

    @property
    def recall(self) -> float:
        return self.flagged / self.expected if self.expected else 0.0

    @property
    def detection(self) -> float:
        return self.detected / self.expected if self.expected else 0.0


@dataclass
class EvalError:
    """A false positive or false negative, with what the scorer said."""

    kind: str  # "false positive" | "false negative"
    site: str
    listing_id: str
    case: str
    category: str | None
    split: str
    score: float | None
    signals: list[str]
    expected_kinds: list[str]
    note: str
    title: str = ""
    signal_details: list[str] = field(default_factory=list)  # name:strength(term) of each signal


@dataclass
class EvalReport:
    overall: Counts = field(default_factory=Counts)
    by_category: dict[str, Counts] = field(default_factory=dict)
    by_split: dict[str, Counts] = field(default_factory=dict)
    by_case: dict[str, Counts] = field(default_factory=dict)
    by_kind: dict[str, KindStats] = field(default_factory=dict)
    errors: list[EvalError] = field(default_factory=list)
    split: str | None = None
    scored: list[tuple[bool, float]] = field(default_factory=list)  # (labelled flag, score 0-100) per listing

    @property
    def precision(self) -> float:
        return self.overall.precision

    @property
    def recall(self) -> float:
        return self.overall.recall

    @property
    def f1(self) -> float:
        return self.overall.f1

    @property
    def false_positives(self) -> list[EvalError]:
        return [e for e in self.errors if e.kind == "false positive"]

    @property
    def false_negatives(self) -> list[EvalError]:
        return [e for e in self.errors if e.kind == "false negative"]


def _outcome(result: Any) -> tuple[bool, list, float | None]:
    """(flagged, signals, score) from a scorer's answer: a 2- or 3-tuple or an object with those attributes."""
    if isinstance(result, tuple):
        if len(result) == 2:
            return bool(result[0]), list(result[1] or []), None
        if len(result) == 3:
            return bool(result[0]), list(result[1] or []), result[2]
        raise TypeError(f"a scorer returns (flagged, signals) or (flagged, signals, score), not {len(result)} values")
    if hasattr(result, "flagged"):
        return bool(result.flagged), list(getattr(result, "signals", []) or []), getattr(result, "score", None)
    raise TypeError(f"a scorer returns (flagged, signals), not {type(result).__name__}")


def _signal_label(signal: Any) -> str:
    """``name`` or ``name:strength`` (and ``term`` where the engine set one) for error lists."""
    name = _signal_attr(signal, "name")
    get = signal.get if isinstance(signal, dict) else lambda k, d=None: getattr(signal, k, d)
    strength, term = get("strength", None), get("term", None)
    if strength is None:
        return name
    return f"{name}:{float(strength):.2f}" + (f"({float(term):+.2f})" if term is not None else "")


def _signal_attr(signal: Any, name: str) -> str:
    return str(signal.get(name) if isinstance(signal, dict) else getattr(signal, name))



def evaluate(records: Iterable[dict], scorer: Scorer, *, split: str | None = None) -> EvalReport:
    """Run ``scorer(listing) -> (flagged, signals)`` over labelled records and count the outcomes.

    The scorer never sees the label. ``split`` ("tune" or "holdout") keeps only those rows.
    """
    if split is not None and split not in (*SPLITS, DEV_SPLIT):
        raise ValueError(f"split {split!r} is not one of {', '.join(SPLITS)}")
    report = EvalReport(split=split)
    report.by_kind = {k: KindStats() for k in LABEL_KINDS}
    for record in records:
        label = record["label"]
        row_split = label.get("split", "tune")
        if split is not None and row_split != split:
            continue
        listing = {k: v for k, v in record.items() if k not in ("label", "line")}
        predicted, signals, score = _outcome(scorer(listing))
        expected = bool(label["flagged"])
        category = listing.get("category") or "(none)"
        case = label.get("case") or "(none)"
        report.overall.add(expected, predicted)
        if isinstance(score, (int, float)):
            report.scored.append((expected, float(score)))
        report.by_category.setdefault(category, Counts()).add(expected, predicted)
        report.by_split.setdefault(row_split, Counts()).add(expected, predicted)
        report.by_case.setdefault(case, Counts()).add(expected, predicted)
        produced = {_signal_attr(s, "kind") for s in signals}
        expected_kinds = list(label.get("kinds") or [])
        for kind in LABEL_KINDS:
            stats = report.by_kind[kind]
            if expected and kind in expected_kinds:
                stats.expected += 1
                stats.flagged += predicted
                stats.detected += kind in produced
            elif not expected and kind in produced:
                stats.on_negatives += 1
        if expected != predicted:
            report.errors.append(EvalError(
                kind="false negative" if expected else "false positive",
                site=str(listing.get("site")), listing_id=str(listing.get("listing_id") or listing.get("id")),
                case=case, category=listing.get("category"), split=row_split, score=score,
                signals=[_signal_attr(s, "name") for s in signals], expected_kinds=expected_kinds,
                signal_details=[_signal_label(s) for s in signals],
                note=label.get("note", ""), title=str(listing.get("title") or "")))
    return report


# --------------------------------------------------------------------------- text report


def _pct(value: float, defined: bool = True) -> str:
    return f"{value:6.1%}" if defined else "     -"


def _counts_row(name: str, c: Counts, width: int) -> str:
    return (f"{name:<{width}} {c.total:5d} {c.tp:5d} {c.fp:5d} {c.fn:5d} {c.tn:5d}  "
            f"{_pct(c.precision, c.tp + c.fp > 0)}  {_pct(c.recall, c.tp + c.fn > 0)}  "
            f"{_pct(c.f1, c.tp + c.fp > 0 and c.tp + c.fn > 0)}")


def format_report(report: EvalReport, *, errors: bool = False) -> str:
    """A plain-text table: overall, per split, per category, per expected kind, per case; errors on request."""
    width = max([24, *(len(k) + 2 for k in report.by_case)])
    header = f"{'':<{width}} {'n':>5} {'tp':>5} {'fp':>5} {'fn':>5} {'tn':>5}  {'prec':>6}  {'recall':>6}  {'f1':>6}"
    lines = [f"labelled set: {report.overall.total} listings (split: {report.split or 'all'})", header,
             _counts_row("all", report.overall, width),
             f"overall: precision {report.precision:.3f}, recall {report.recall:.3f}, F1 {report.f1:.3f}; "
             f"tp {report.overall.tp}, fp {report.overall.fp}, fn {report.overall.fn}, tn {report.overall.tn}",
             "", "by split"]
    lines += [_counts_row(f"  {name}", c, width) for name, c in sorted(report.by_split.items())]
    lines += ["", "by category"]
    lines += [_counts_row(f"  {name}", c, width) for name, c in sorted(report.by_category.items())]
    lines += ["", f"{'by expected kind':<{width}} {'n':>5} {'flagged':>8} {'recall':>7} {'signal':>7} {'of kind':>8} "
                  f"{'on negatives':>13}"]
    for kind, s in report.by_kind.items():
        if not s.expected and not s.on_negatives:
            continue
        lines.append(f"{'  ' + kind:<{width}} {s.expected:5d} {s.flagged:8d} {_pct(s.recall, s.expected > 0):>7} "
                     f"{s.detected:7d} {_pct(s.detection, s.expected > 0):>8} {s.on_negatives:13d}")
    lines += ["", f"{'by case':<{width}} {'n':>5} {'tp':>5} {'fp':>5} {'fn':>5} {'tn':>5}  {'prec':>6}  "
                  f"{'recall':>6}  {'f1':>6}  {'label':>5}"]
    for case, c in sorted(report.by_case.items()):
        label = "flag" if c.tp + c.fn >= c.fp + c.tn else "clear"
        lines.append(f"{_counts_row('  ' + case, c, width)}  {label:>5}")
    lines += _ranking_lines(report)
    fps, fns = report.false_positives, report.false_negatives
    lines += ["", f"{len(fps)} false positive(s), {len(fns)} false negative(s)"
              + ("" if errors or not report.errors else " (--errors lists them)")]
    if errors:
        for title, rows in (("false positives", fps), ("false negatives", fns)):
            if not rows:
                continue
            lines.append(f"{title}:")
            for e in rows:
                score = "-" if e.score is None else (f"{e.score:g}" if isinstance(e.score, (int, float)) else str(e.score))
                expected = f" expected {'+'.join(e.expected_kinds)};" if e.expected_kinds else ""
                lines.append(f"  {e.site}/{e.listing_id} [{e.case}, {e.category}, {e.split}] score {score};{expected} "
                             f"signals: {', '.join(e.signal_details or e.signals) or 'none'}")
                lines.append(f"      {e.title[:80]} -- {e.note}")
    return "\n".join(lines)


def calibration(report: EvalReport) -> tuple[float | None, float | None, list]:
    """(average precision, expected calibration error, reliability table) of the scores."""
    if not report.scored:
        return None, None, []
    labels = [y for y, _ in report.scored]
    probs = [probability(s) for _, s in report.scored]
    table = reliability_table(labels, probs)
    return average_precision(labels, [s for _, s in report.scored]), expected_calibration_error(table), table


def _ranking_lines(report: EvalReport) -> list[str]:
    ap, ece, table = calibration(report)
    if not table:
        return []
    lines = ["", f"ranking by score: average precision {ap:.3f}" if ap is not None else "ranking by score: -",
             f"calibration: expected calibration error {ece:.3f} (ten equal-width bins)",
             f"  {'bin':<10} {'n':>5} {'mean score':>11} {'flag share':>11}"]
    for b in table:
        if b.n:
            lines.append(f"  {b.low:.1f}-{b.high:.1f}   {b.n:5d} {b.mean_predicted:11.2f} {b.observed:11.2f}")
    return lines
