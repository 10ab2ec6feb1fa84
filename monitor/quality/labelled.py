"""Labelled sets of listings (``tests/data/eval``): reading and validating them.

A labelled set is JSON Lines in the import columns plus a ``label`` object per line:
``{"flagged": bool, "kinds": [...], "case": str, "split": "tune"|"holdout", "note": str,
"mark": str|null}``. ``kinds`` are the signal kinds a flagged listing should produce.
Holdout rows were chosen before any rule was tuned; report them separately. A folder may
instead hold ``listings.jsonl`` beside ``labels.jsonl`` (the shared format, see
load_labelled_set). What a scorer makes of a set is ``monitor.quality.evaluate``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from monitor.categories import known_categories
from monitor.ingest.normalise import RowError, normalise_row

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
    labels = _shared_labels(labels_path, problems)
    records, seen = _joined_listings(folder / "listings.jsonl", labels, problems)
    for lid, (number, _) in labels.items():
        if lid not in seen:
            problems.append((number, f"labels.jsonl: label {lid} has no listing in listings.jsonl"))
    if problems:
        raise LabelledSetError(folder, sorted(problems))
    if not records:
        raise LabelledSetError(folder, [(0, "no labelled listings in the folder")])
    return records


def _shared_labels(labels_path: Path, problems: list[tuple[int, str]]) -> dict[str, tuple[int, dict]]:
    """id -> (line, label) of each good line of a labels.jsonl; the bad ones go to ``problems``."""
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
    return labels


def _joined_listings(listings_path: Path, labels: dict[str, tuple[int, dict]],
                     problems: list[tuple[int, str]]) -> tuple[list[dict], dict[str, int]]:
    """(records: each listing of listings.jsonl with its label in this project's form, id ->
    line of every listing read); what cannot be joined goes to ``problems``."""
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
        records.append({**listing, "line": number, "label": _project_label(labels[lid][1])})
    return records, seen


def _project_label(label: dict) -> dict:
    """A shared-format label in this project's form (split "dev", kinds from KIND_EXPECTS)."""
    kinds = []
    if label["flag"]:
        kinds = ["regulatory"] if label["kind"].startswith("regulatory") else [KIND_EXPECTS.get(label["kind"], "trademark")]
    return {"flagged": label["flag"], "kinds": kinds, "case": label["kind"], "split": DEV_SPLIT,
            "note": str(label.get("note") or ""), "mark": None}


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
