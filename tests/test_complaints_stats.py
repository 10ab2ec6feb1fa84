"""complaints_stats.summary counts an answer in time by the offices' day (Beijing time): closed at
2026-12-07T17:30:00Z is 12-08 01:30 in Beijing, a day after a 12-07 deadline: late."""

from __future__ import annotations

import datetime as dt

from monitor.casework import complaints as service
from monitor.casework.complaints_rules import ComplaintSettings
from monitor.casework.complaints_stats import summary
from monitor.store import open_db
from monitor.store.db import write_transaction

D = dt.date


def _answered(db, path, n: int, closed_at: str, due: str) -> None:
    row = service.intake(db, {"url": f"https://x.example/p/{n}", "source": "12315", "text": "t",
                              "received_on": "2026-11-16"}, actor="t", settings=ComplaintSettings(), db_path=path,
                         today=D(2026, 11, 16))
    service.set_status(db, row["id"], "answered", actor="t", outcome="已答复")
    with write_transaction(db):  # the answer's time and the deadline under test, as stored
        db.execute("UPDATE complaints SET closed_at = ?, deadline = ? WHERE id = ?", [closed_at, due, row["id"]])


def test_an_answer_counts_in_time_by_its_beijing_date(tmp_path):
    path = tmp_path / "m.db"
    db = open_db(path)
    try:
        _answered(db, path, 1, "2026-12-07T17:30:00Z", "2026-12-07")  # Beijing 12-08 01:30: late
        _answered(db, path, 2, "2026-12-07T15:59:59Z", "2026-12-07")  # Beijing 12-07 23:59:59: in time
        _answered(db, path, 3, "2026-12-06T16:00:00Z", "2026-12-07")  # Beijing 12-07 00:00: in time
        out = summary(db, D(2026, 11, 1), D(2026, 11, 30), today=D(2026, 12, 8))
    finally:
        db.close()
    assert out["answered_late"] == 1 and out["answered_in_time"] == 2
