"""What the verdicts say about the rules (issue 11): per signal, how often analysts confirmed or
dismissed the flags that carried it, and whether the scoring is due for calibration.

Read by the review app's dashboard (``monitor/web/dashboard.py``); no HTML here.

- Each flag counts once, by its **latest** verdict (the reviews row with the highest id): a
  flag confirmed, then dismissed on a second look, is a dismissed flag. Latest verdicts other
  than a confirmation or a dismissal (escalate, needs test purchase) are not decided yet and
  are not counted.
- A flag's signals are the names in its ``signal_names`` (written with its ``signals`` JSON;
  the JSON is read for a flag without them); a flag carrying a signal twice (two marks) counts
  once for it.
- Precision of a signal = confirmed / (confirmed + dismissed); its support = confirmed +
  dismissed.
- Calibration is due when there are at least ``CALIBRATION_VERDICTS`` decided flags since the
  last calibration (all time when the scoring was never calibrated), or when a signal with
  support of at least ``MIN_SUPPORT`` in the window has a precision below ``MIN_PRECISION``.
  The last calibration is ``calibrated.at`` in ``rules/scoring.yaml``.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from monitor.categories import rules_dir
from monitor.rules.packs import load_packs, pack_files
from monitor.verdicts import CONFIRMING, DISMISSED, placeholders, reason_label

DEFAULT_DAYS = 90
CALIBRATION_VERDICTS = 50
MIN_SUPPORT = 10
MIN_PRECISION = 0.8
TOP_REASONS = 2

# The latest review of each flag (reviews_flag_id index: one lookup per review in range).
_LATEST = ("SELECT r.flag, r.verdict, r.reason, r.decided_at FROM reviews r "
           "WHERE {where} AND r.id = (SELECT max(r2.id) FROM reviews r2 WHERE r2.flag = r.flag)")
# A flag decided one way or the other: its latest verdict confirms or dismisses it.
_DECIDED_VERDICTS = (DISMISSED, *CONFIRMING)
_DECIDED = f"r.verdict IN ({placeholders(_DECIDED_VERDICTS)})"


def store_time(moment: datetime) -> str:
    """A datetime in the store's time format (``monitor.listing.utc_now``): comparable as text."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(text: Any) -> datetime | None:
    """An ISO 8601 date or date-time (``Z`` or an offset; none = UTC), or None if unreadable."""
    if isinstance(text, datetime):
        moment = text
    elif hasattr(text, "isoformat") and hasattr(text, "year"):  # a date (YAML reads bare dates as dates)
        moment = datetime(text.year, text.month, text.day)
    elif isinstance(text, str) and text.strip():
        try:
            moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _signal_names(signal_names: str | None, signals_json: str | None) -> set[str]:
    """The flag's signal names: ``signal_names`` (the same names as its ``signals`` JSON, written
    together by ``record_assessment``; splitting it is ~10x faster than parsing the JSON), the
    JSON when a flag has no ``signal_names``."""
    if signal_names:
        return set(signal_names.split())
    try:
        signals = json.loads(signals_json) if signals_json else None
    except ValueError:
        return set()
    if not isinstance(signals, list):
        return set()
    return {s["name"] for s in signals if isinstance(s, dict) and isinstance(s.get("name"), str) and s["name"]}


def signal_precision(db: Database, days: int = DEFAULT_DAYS, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """One row per signal found on flags whose latest verdict is a confirmation or a dismissal
    decided in the last ``days`` days: ``signal``, ``confirmed``, ``dismissed``, ``support``,
    ``precision`` (None without support), ``reasons`` (the ``TOP_REASONS`` most common dismissal
    reasons: ``reason``, ``label``, ``n``). Lowest precision first, then most support."""
    since = store_time((now or datetime.now(timezone.utc)) - timedelta(days=days))
    sql = ("SELECT l.verdict, l.reason, f.signal_names, CASE WHEN coalesce(f.signal_names, '') = '' "
           "THEN f.signals END FROM ("
           + _LATEST.format(where="r.decided_at >= ?") + ") l JOIN flags f ON f.id = l.flag "
           "WHERE " + _DECIDED.replace("r.verdict", "l.verdict"))
    stats: dict[str, dict[str, Any]] = {}
    for verdict, reason, signal_names, signals_json in db.execute(sql, [since, *_DECIDED_VERDICTS]).fetchall():
        for name in _signal_names(signal_names, signals_json):
            row = stats.setdefault(name, {"signal": name, "confirmed": 0, "dismissed": 0, "_reasons": {}})
            if verdict == DISMISSED:
                row["dismissed"] += 1
                key = reason or "(none)"
                row["_reasons"][key] = row["_reasons"].get(key, 0) + 1
            else:
                row["confirmed"] += 1
    out = []
    for row in stats.values():
        reasons = sorted(row.pop("_reasons").items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]
        row["reasons"] = [{"reason": r, "label": reason_label(r), "n": n}
                          for r, n in reasons]
        row["support"] = row["confirmed"] + row["dismissed"]
        row["precision"] = row["confirmed"] / row["support"] if row["support"] else None
        out.append(row)
    out.sort(key=lambda r: (r["precision"] if r["precision"] is not None else 2.0, -r["support"], r["signal"]))
    return out


def decided_flags_since(db: Database, since: str | None = None) -> int:
    """Flags whose latest verdict is a confirmation or a dismissal, decided at or after
    ``since`` (a store time), or at any time."""
    where = _DECIDED + (" AND r.decided_at >= ?" if since else "")
    return int(db.execute("SELECT count(*) FROM (" + _LATEST.format(where=where) + ")",
                          [*_DECIDED_VERDICTS, *([since] if since else [])]).fetchone()[0])


def calibration_status(db: Database, calibrated: dict[str, Any] | None, signals: list[dict[str, Any]],
                       *, min_verdicts: int | None = None, min_support: int | None = None,
                       min_precision: float | None = None) -> dict[str, Any]:
    """Whether the scoring is due for calibration. ``calibrated``: the ``calibrated:`` mapping
    of ``rules/scoring.yaml`` (``at``, ``source``, ``verdicts``), or None when never calibrated;
    ``signals``: the rows of ``signal_precision``.

    Returns ``due`` (bool), ``reasons`` (why it is due, as sentences), ``since`` (the
    calibration time in store format, or None), ``verdicts`` (decided flags since then, or in
    all), ``calibrated`` (the mapping as given), ``unreadable_at`` (an ``at`` that is not a
    date-time: counted as never calibrated), ``weak`` (the signals below the precision)."""
    min_verdicts = CALIBRATION_VERDICTS if min_verdicts is None else min_verdicts
    min_support = MIN_SUPPORT if min_support is None else min_support
    min_precision = MIN_PRECISION if min_precision is None else min_precision
    record = calibrated if isinstance(calibrated, dict) else None
    at = parse_time(record.get("at")) if record else None
    since = store_time(at) if at else None
    verdicts = decided_flags_since(db, since)
    reasons = []
    if verdicts >= min_verdicts:
        reasons.append(f"{verdicts} verdicts since the last calibration ({since})" if since
                       else f"{verdicts} verdicts and never calibrated")
    weak = [s for s in signals
            if s["support"] >= min_support and s["precision"] is not None and s["precision"] < min_precision]
    for s in weak:
        reasons.append(f"{s['signal']}: precision {s['precision']:.2f} below {min_precision:.2f} "
                       f"over {s['support']} verdicts")
    return {"due": bool(reasons), "reasons": reasons, "since": since, "verdicts": verdicts,
            "calibrated": record, "unreadable_at": (record.get("at") if record and not at else None),
            "weak": [s["signal"] for s in weak], "min_verdicts": min_verdicts, "min_support": min_support,
            "min_precision": min_precision}


# -- the last calibration, from the rule packs --------------------------------------------

_packs_cache: dict[str, tuple[tuple, dict[str, Any] | None, str | None]] = {}
_packs_lock = threading.Lock()


def last_calibration(folder: str | Path | None = None) -> tuple[dict[str, Any] | None, str | None]:
    """``calibrated:`` of the loaded rule packs' scoring (None: never calibrated), and a problem
    text when the packs cannot be loaded (then None). Loaded again only when a pack file changed
    (a load takes 0.1-0.8 s; the dashboard asks on every view)."""
    root = Path(folder) if folder else rules_dir()
    try:
        stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in pack_files(root))
    except OSError:
        stamp = ()
    key = str(root.resolve())
    with _packs_lock:
        hit = _packs_cache.get(key)
    if hit and hit[0] == stamp and stamp:
        return hit[1], hit[2]
    try:
        scoring = load_packs(root).scoring
        # ``calibrated`` is new on the scoring object: older rule code has no such attribute.
        record = getattr(scoring, "calibrated", None)
        record, problem = (dict(record) if isinstance(record, dict) else None), None
    except Exception as exc:  # noqa: BLE001 (a broken rule file must not take the dashboard down)
        record, problem = None, f"the rule packs could not be loaded ({str(exc).splitlines()[0] if str(exc) else exc!r})"
    with _packs_lock:
        _packs_cache[key] = (stamp, record, problem)
    return record, problem


def verdict_signals(db: Database, days: int = DEFAULT_DAYS, *, calibrated: dict[str, Any] | None = None,
                    problem: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The dashboard's block: ``signals`` (``signal_precision``), ``calibration``
    (``calibration_status``), ``days``, and ``problem`` when the rule packs could not be read."""
    signals = signal_precision(db, days, now=now)
    return {"days": days, "signals": signals, "calibration": calibration_status(db, calibrated, signals),
            "problem": problem}
