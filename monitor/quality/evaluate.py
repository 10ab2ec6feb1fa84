"""Precision and recall of a scorer on a labelled set of listings (``tests/data/eval``).

A labelled set is JSON Lines in the import columns plus a ``label`` object per line:
``{"flagged": bool, "kinds": [...], "case": str, "split": "tune"|"holdout", "note": str,
"mark": str|null}``. ``kinds`` are the signal kinds a flagged listing should produce.
Holdout rows were chosen before any rule was tuned; report them separately.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.categories import known_categories
from monitor.ingest.normalise import RowError, normalise_row
from monitor.quality.metrics import average_precision, expected_calibration_error, probability, reliability_table

# The kinds a label may expect ("mitigating" signals are context, never an expected kind).
LABEL_KINDS = ("trademark", "counterfeit", "price", "seller", "regulatory", "contact")
SPLITS = ("tune", "holdout")
# The shared format (labels.jsonl beside listings.jsonl) has no split: its rows are "dev".
DEV_SPLIT = "dev"
# A shared-format kind -> the signal kinds a flag of that kind should produce.
KIND_EXPECTS = {"lookalike_latin": "trademark", "homoglyph": "trademark", "lookalike_zh_shape": "trademark",
                "lookalike_zh_sound": "trademark", "lookalike_inserted": "trademark",
                "counterfeit_terms": "counterfeit", "price_anomaly": "price", "offplatform": "contact"}
_LABEL_KEYS = {"flagged", "kinds", "case", "split", "note", "mark"}
_DEFAULT_TIME = "2026-01-01T00:00:00Z"

Scorer = Callable[[dict], Any]


class LabelledSetError(ValueError):
    """Every problem of a labelled set, each as ``path:line: problem``.

    ``problems`` are ``(line, message)`` for ``path``, or ``(file, line, message)`` when a
    set spans two files; ``located`` has every problem as ``(file, line, message)``.
    """

    def __init__(self, path: Path, problems: list[tuple]):
        self.path = Path(path)
        self.problems = problems
        self.located = [p if len(p) == 3 else (self.path, *p) for p in problems]
        shown = "\n".join(f"{file}:{line}: {message}" for file, line, message in self.located[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{shown}{more}\nFix the lines above; nothing was evaluated.")


def _label_problems(label: Any) -> list[str]:
    if not isinstance(label, dict):
        return ["label: missing or not an object; expected {\"flagged\": ..., \"kinds\": [...], \"case\": ..., \"split\": ...}"]
    problems = []
    unknown = sorted(set(label) - _LABEL_KEYS)
    if unknown:
        problems.append(f"label: unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(_LABEL_KEYS))}")
    flagged = label.get("flagged")
    if not isinstance(flagged, bool):
        problems.append(f"label.flagged: {flagged!r} is not true or false")
    kinds = label.get("kinds", [])
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        problems.append("label.kinds: must be a list of signal kinds")
    else:
        bad = [k for k in kinds if k not in LABEL_KINDS]
        if bad:
            problems.append(f"label.kinds: unknown kind(s) {', '.join(bad)}; use {', '.join(LABEL_KINDS)}")
        if flagged is True and not kinds:
            problems.append("label.kinds: a flagged listing needs at least one expected kind")
        if flagged is False and kinds:
            problems.append("label.kinds: must be empty when flagged is false")
    case = label.get("case")
    if not isinstance(case, str) or not case.strip():
        problems.append("label.case: empty; give a short case type such as lookalike_homophone")
    split = label.get("split")
    if split not in SPLITS:
        problems.append(f"label.split: {split!r} is not one of {', '.join(SPLITS)}")
    note = label.get("note")
    if not isinstance(note, str) or not note.strip():
        problems.append("label.note: empty; say why the listing is (not) a flag")
    mark = label.get("mark")
    if mark is not None and (not isinstance(mark, str) or not mark.strip()):
        problems.append("label.mark: must be a watched mark's name or null")
    return problems


def load_labelled(path: str | Path) -> list[dict]:
    """Read and validate a labelled JSON Lines file; raises LabelledSetError naming every bad line.

    Each record is the listing as the importer stores it (``listing_id``, ``site``, ...)
    with two more keys: ``label`` and ``line`` (the line number in the file).
    """
    path = Path(path)
    categories = known_categories()
    records, problems, seen = [], [], {}
    for number, raw in _json_lines(path, problems, named=False):
        line_problems = _label_problems(raw.get("label"))
        try:
            listing = normalise_row({k: v for k, v in raw.items() if k != "label"}, default_site=None,
                                    default_time=_DEFAULT_TIME, csv_mode=False, categories=categories)
        except RowError as exc:
            line_problems.append(str(exc))
            listing = None
        if listing is not None:
            key = (listing["site"], listing["listing_id"])
            if key in seen:
                line_problems.append(f"id: {key[0]}/{key[1]} is already on line {seen[key]}")
            else:
                seen[key] = number
        if line_problems:
            problems.extend((number, p) for p in line_problems)
            continue
        records.append({**listing, "label": dict(raw["label"]), "line": number})
    if problems:
        raise LabelledSetError(path, problems)
    if not records:
        raise LabelledSetError(path, [(0, "no labelled listings in the file")])
    return records


def load_labelled_set(folder: str | Path) -> list[dict]:
    """A labelled folder in either format: ``listings.jsonl`` with a ``label`` per line (this
    project's), or ``listings.jsonl`` beside ``labels.jsonl`` (``{"id", "flag", "kind", "note"}``
    per listing, joined on id, order not relied on). Raises LabelledSetError naming file and
    line of every problem; nothing is evaluated then."""
    folder = Path(folder)
    labels_path = folder / "labels.jsonl"
    if not labels_path.exists():
        return load_labelled(folder / "listings.jsonl")
    problems: list[tuple[int, str]] = []
    labels: dict[str, tuple[int, dict]] = {}
    for number, raw in _json_lines(labels_path, problems):
        where = f"{labels_path.name}"
        lid = raw.get("id")
        if not isinstance(lid, str) or not lid:
            problems.append((number, f"{where}: id: missing"))
            continue
        if not isinstance(raw.get("flag"), bool):
            problems.append((number, f"{where}: flag: {raw.get('flag')!r} is not true or false"))
            continue
        if not isinstance(raw.get("kind"), str) or not raw["kind"]:
            problems.append((number, f"{where}: kind: missing"))
            continue
        if lid in labels:
            problems.append((number, f"{where}: id {lid} is already labelled on line {labels[lid][0]}"))
            continue
        labels[lid] = (number, raw)
    listings_path = folder / "listings.jsonl"
    categories = known_categories()
    records, seen = [], {}
    for number, raw in _json_lines(listings_path, problems):
        lid = raw.get("id")
        if lid in seen:
            problems.append((number, f"listings.jsonl: id {lid} is already on line {seen[lid]}"))
            continue
        seen[lid] = number
        if lid not in labels:
            problems.append((number, f"listings.jsonl: listing {lid} has no label in labels.jsonl"))
            continue
        try:
            listing = normalise_row(raw, default_site=None, default_time=_DEFAULT_TIME, csv_mode=False,
                                    categories=categories)
        except RowError as exc:
            problems.append((number, f"listings.jsonl: {exc}"))
            continue
        label = labels[lid][1]
        kinds = []
        if label["flag"]:
            kinds = ["regulatory"] if label["kind"].startswith("regulatory") else [KIND_EXPECTS.get(label["kind"], "trademark")]
        records.append({**listing, "line": number,
                        "label": {"flagged": label["flag"], "kinds": kinds, "case": label["kind"],
                                  "split": DEV_SPLIT, "note": str(label.get("note") or ""), "mark": None}})
    for lid, (number, _) in labels.items():
        if lid not in seen:
            problems.append((number, f"labels.jsonl: label {lid} has no listing in listings.jsonl"))
    if problems:
        raise LabelledSetError(folder, sorted(problems))
    if not records:
        raise LabelledSetError(folder, [(0, "no labelled listings in the folder")])
    return records


def _json_lines(path: Path, problems: list[tuple[int, str]], named: bool = True):
    """(line number, object) of each JSON line of ``path``; what cannot be read goes to
    ``problems`` as (line, message), the message starting with the file name when ``named``."""
    name = f"{path.name}: " if named else ""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        problems.append((0, f"{name}file not found"))
        return
    except UnicodeDecodeError as exc:
        problems.append((0, f"{name}not UTF-8 (byte {exc.start})"))
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append((number, f"{name}not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(raw, dict):
            problems.append((number, f"{name}a line must be a JSON object"))
            continue
        yield number, raw


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
