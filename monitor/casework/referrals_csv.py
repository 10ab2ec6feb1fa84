"""`monitor referrals update FILE.csv`: state changes of referrals from a spreadsheet, as the
receiving authorities report them back.

Columns (UTF-8 CSV, a header row; Excel's BOM is fine):

    referral        the referral's id or case reference (required)
    state           sent | received | filed | closed (required; drafted is where a referral starts)
    date            the day of that state, YYYY-MM-DD (empty: today, China time)
    authority       the receiving authority (接收机关), required by the time it is sent
    authority_kind  department | public_security | platform | other_region
    outcome         when closing: no_case | administrative_penalty | transferred_to_police
    penalty_amount  with administrative_penalty: the amount in CNY (5000, 5,000, ¥5000, 5000元)
    note            free text

Rows apply in file order, so one file can move a referral through several states. The file is
applied ALL OR NOTHING: every row is checked (against the state the rows above it leave), every
problem is reported as ``FILE:LINE: field: problem``, and if there is any, nothing is changed.
A reply from an authority is one document: half of it applied would leave the register saying
something nobody reported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from monitor.casework.referrals import Change, ReferralError, apply_change, check_change, find_referral
from monitor.i18n import gettext as _
from monitor.store.db import write_transaction

COLUMNS = ("referral", "state", "date", "authority", "authority_kind", "outcome", "penalty_amount", "note")
REQUIRED = ("referral", "state")


@dataclass
class CsvResult:
    applied: list[dict[str, Any]] = field(default_factory=list)  # (line, referral, from, to) per row
    problems: list[str] = field(default_factory=list)  # FILE:LINE: field: problem


class _Refused(Exception):
    pass


def parse_amount(text: str | None) -> tuple[float | None, str | None]:
    """(amount, problem) of a penalty as written: 5000, 5,000, ¥5000, 5000元, 5000.50."""
    if text is None or not str(text).strip():
        return None, None
    cleaned = str(text).strip().replace(",", "").replace("，", "").lstrip("¥￥").removesuffix("元").strip()
    try:
        value = float(cleaned)
    except ValueError:
        return None, _("%(value)s is not an amount of yuan, e.g. 5000", value=repr(str(text).strip()))
    if value != value or value in (float("inf"), float("-inf")):
        return None, _("%(value)s is not an amount of yuan, e.g. 5000", value=repr(str(text).strip()))
    return value, None


def read_rows(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """(line, row) pairs of the file and the problems of the file as a whole."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return [], [f"{path}: " + _("file not found")]
    except UnicodeDecodeError as exc:
        return [], [f"{path}: " + _("not UTF-8 text (byte %(n)s); save the file as UTF-8 CSV", n=exc.start)]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    problems = []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problems.append(f"{path}:1: " + _("the header lacks column(s) %(missing)s; the columns are %(columns)s",
                                          missing=", ".join(missing), columns=", ".join(COLUMNS)))
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        problems.append(f"{path}:1: " + _("unknown column(s) %(unknown)s; the columns are %(columns)s",
                                          unknown=", ".join(unknown), columns=", ".join(COLUMNS)))
    if problems:
        return [], problems
    rows = []
    line = 1
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.append(f"{path}:{line}: " + _("%(n)s more cells than the header has columns",
                                                   n=len(cells) - len(header)))
            continue
        rows.append((line, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}))
    return rows, problems


def apply_csv(db: Database, path: str | Path, *, actor: str) -> CsvResult:
    """Check every row, then apply them all in one transaction, or none (``CsvResult.problems``)."""
    path = Path(path)
    result = CsvResult()
    rows, result.problems = read_rows(path)
    if result.problems:
        return result
    if not rows:
        result.problems.append(f"{path}: " + _("no rows under the header: nothing to apply"))
        return result
    try:
        with write_transaction(db):
            for line, row in rows:
                where = f"{path}:{line}"
                current = find_referral(db, row["referral"]) if row.get("referral") else None
                if current is None:
                    what = (_("no referral with id or reference %(key)s", key=repr(row["referral"]))
                            if row.get("referral") else _("required but empty"))
                    result.problems.append(f"{where}: referral: {what}")
                    continue
                amount, bad = parse_amount(row.get("penalty_amount"))
                if bad:
                    result.problems.append(f"{where}: penalty_amount: {bad}")
                    continue
                change = Change(state=row.get("state", ""), on=row.get("date") or None,
                                outcome=row.get("outcome") or None, penalty_amount=amount,
                                authority=row.get("authority") or None, authority_kind=row.get("authority_kind") or None,
                                note=row.get("note") or None)
                problems = check_change(current, change)
                if problems:
                    result.problems += [f"{where}: {f}: {m}" for f, m in problems]
                    continue
                after = apply_change(db, current, change, actor=actor, source=f"csv:{path.name}:{line}")
                result.applied.append({"line": line, "referral": current["id"], "reference": current["reference"],
                                       "from": current["state"], "to": after["state"]})
            if result.problems:
                raise _Refused
    except _Refused:
        result.applied = []
    except ReferralError as exc:  # pragma: no cover - check_change runs first; kept for a clear message
        result.problems.append(f"{path}: {exc}")
        result.applied = []
    return result
